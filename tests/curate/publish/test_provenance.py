"""`curate publish` refuses pairs that never went through `curate filter` (or a review pull) unless
--allow-unfiltered, and then its card says so; refused rows are named by id; outputs are readable by others."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.curate.publish.conftest import make_pairs, tree, write_stage_dir
from tests.curate.publish.test_publish import _refused

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "examples" / "reference_pairs.csv"
FILTER_COLS = ["cluster_id", "phi", "keep", "drop_reasons"]
SCORES = ["fkgl_chosen", "fkgl_rejected", "tone_chosen", "tone_rejected"]


def _unfiltered(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs as `curate rewrite` writes them: none of the filter stage's columns."""
    return pairs.drop(*FILTER_COLS, *SCORES, *[c for c in pairs.columns if c.startswith("facts_")])


def _stats_rows(card: str) -> dict[str, dict[str, str]]:
    """``{split: {column header: cell}}`` of the card's per-split statistics table."""
    section = card.split("## Statistics per split", 1)[1].split("\n## ", 1)[0]
    table = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("| ")]
    header = table[0]
    return {cells[0]: dict(zip(header, cells)) for cells in table[1:]}


# ---------------------------------------------------------------- refusing what was never filtered


def _reference_csv(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "reference_pairs.csv"
    path.parent.mkdir()
    shutil.copy(REFERENCE, path)
    return path


def _rewrite_dir(tmp_path: Path) -> Path:
    return write_stage_dir(tmp_path / "rewrite", _unfiltered(make_pairs()), "pairs.parquet",
                           {"stage": "rewrite", "inputs": {}, "counts": {"pairs": 24}})


def _kept_name_without_evidence(tmp_path: Path) -> Path:
    path = tmp_path / "somewhere" / "kept.parquet"  # the filter's file name, but no manifest and no filter columns
    path.parent.mkdir()
    _unfiltered(make_pairs()).write_parquet(path)
    return path


def _table_beside_a_filter_manifest_it_was_not_written_by(tmp_path: Path) -> Path:
    folder = write_stage_dir(tmp_path / "filter", make_pairs())
    _unfiltered(make_pairs()).write_parquet(folder / "mine.parquet")
    return folder / "mine.parquet"


@pytest.mark.parametrize("make_data, kind", [
    (_reference_csv, "a table file"),
    (_rewrite_dir, "a `curate rewrite` output"),
    (_kept_name_without_evidence, "a table file"),  # the filter's file name only: no evidence it was filtered
    (_table_beside_a_filter_manifest_it_was_not_written_by, "a table file"),
])
def test_refuses_data_that_never_went_through_the_filter(tmp_path, curate_cli, make_data, kind):
    data = make_data(tmp_path)
    err = _refused(curate_cli, tmp_path, data)
    assert f"refusing to publish: {data} is {kind}" in err
    assert "never filtered" in err and "`curate filter DATA -o DIR`" in err and "--allow-unfiltered" in err


def test_a_filter_manifest_named_in_the_config_does_not_make_unfiltered_pairs_filtered(tmp_path, curate_cli):
    filter_dir = write_stage_dir(tmp_path / "filter", make_pairs())
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"publish:\n  filter_manifest: {filter_dir / 'manifest.json'}\n")
    err = _refused(curate_cli, tmp_path, _rewrite_dir(tmp_path), "--config", cfg)
    assert "never filtered" in err


def test_filter_output_review_pull_and_an_export_of_kept_are_accepted(tmp_path, curate_cli):
    # a review pull whose pairs did not come from the filter: accepted (people reviewed them), but the card must not
    # claim filters ran
    reviewed = _unfiltered(make_pairs()).with_columns(review_status=pl.lit("accepted"))
    review_dir = write_stage_dir(tmp_path / "r", reviewed, "reviewed.parquet", {"stage": "review", "inputs": {}})
    code, _, err = curate_cli("publish", review_dir, "--to-dir", tmp_path / "ds1")
    assert code == 0, err
    card = (tmp_path / "ds1" / "README.md").read_text()
    assert "**Not filtered**" in card and "passed the automatic filters" not in card
    assert json.loads((tmp_path / "ds1" / "manifest.json").read_text())["inputs"]["filtered"] is False

    # kept.parquet exported to CSV, no manifest: its keep / drop_reasons columns show the filter decided (keep is
    # the text "true" in a CSV)
    csv = tmp_path / "export" / "kept.csv"
    csv.parent.mkdir()
    from curate.core.io import write_table

    write_table(make_pairs(), csv)
    code, _, err = curate_cli("publish", csv, "--to-dir", tmp_path / "ds2")
    assert code == 0, err
    card = (tmp_path / "ds2" / "README.md").read_text()
    assert "NOT filtered" not in card and "they passed the automatic filters only" in card
    assert json.loads((tmp_path / "ds2" / "manifest.json").read_text())["inputs"]["filtered"] is True

    # ... and a "false" in that CSV is a row the filters dropped, refused like keep=false in parquet
    dropped = make_pairs().with_columns(keep=pl.int_range(pl.len()) != 4)
    write_table(dropped, csv)
    err = _refused(curate_cli, tmp_path, csv)
    assert "1 row(s) were dropped by the filters" in err and dropped["id"][4] in err


# ---------------------------------------------------------------- --allow-unfiltered: a truthful card


def test_allow_unfiltered_publishes_with_a_card_that_says_so(tmp_path, curate_cli):
    data = _reference_csv(tmp_path)
    out = tmp_path / "ds"
    code, stdout, err = curate_cli("publish", data, "--to-dir", out, "--allow-unfiltered")
    assert code == 0, err
    assert "published 5 train + 1 test rows" in stdout
    card = (out / "README.md").read_text()
    assert "**These pairs were NOT filtered.**" in card and "**Not filtered**" in card
    assert "not reviewed by humans** and **not filtered**" in card
    # no claim that does not hold without the filter stage
    assert "passed the automatic filters" not in card
    assert "No filter-stage manifest was found" not in card
    assert "`cluster_id`, and the same normalized question" not in card
    assert "carry **the same medical facts**" not in card
    assert "flagged by the filter stage or by this scan" not in card
    assert "The split is grouped by normalized question" in card
    # statistics it can compute itself, instead of n/a
    stats = _stats_rows(card)
    assert set(stats) == {"train", "test"}
    for split, cells in stats.items():
        assert "n/a" not in cells.values(), (split, cells)
        rows = pl.read_parquet(out / f"data/{split}-00000-of-00001.parquet")
        assert cells["rows"] == str(rows.height)
        words = [len(m[0]["content"].split()) for m in rows["chosen"].to_list()]
        assert cells["words chosen"].startswith(f"{round(sum(words) / len(words), 2)} (")
        assert cells["questions"] == str(rows["question"].n_unique())
        scores = [cells[f"{m} {side}"] for m in ("grade", "SMOG", "tone") for side in ("chosen", "rejected")]
        grade_chosen, grade_rejected, smog_chosen, smog_rejected, tone_chosen, tone_rejected = (
            float(c.split()[0]) for c in scores)
        assert all(c.endswith(")*") for c in scores)  # computed here, and marked as such
        assert smog_chosen < smog_rejected
        # the reference pairs are what they claim: easier and warmer chosen answers
        assert grade_chosen < grade_rejected and tone_chosen > tone_rejected
    assert "computed at publish time with the filter stage's scorers" in card
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"]["filtered"] is False and manifest["config"]["allow_unfiltered"] is True


def test_allow_unfiltered_from_the_config_and_in_config_init(tmp_path, curate_cli):
    code, stdout, _ = curate_cli("config", "init")
    lines = stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "allow_unfiltered: false")
    assert lines[at - 1].strip().startswith("# ") and "NOT filtered" in lines[at - 1]
    cfg = tmp_path / "c.yaml"
    cfg.write_text("publish:\n  allow_unfiltered: true\n  test_size: 0\n")
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", _rewrite_dir(tmp_path), "--to-dir", out, "--config", cfg)
    assert code == 0, err
    card = (out / "README.md").read_text()
    assert "published from a `curate rewrite` output (pairs.parquet) with `allow_unfiltered`" in card
    assert "There is no test split" in card and "The split is grouped" not in card
    assert tree(out) == ["README.md", "data", "data/train-00000-of-00001.parquet", "manifest.json"]


# ---------------------------------------------------------------- refused rows named by id


def _phi_every_other_row(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(phi=pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit(["email: x"])).otherwise(pl.col("phi")))


def test_refused_rows_are_named_by_id_ten_at_most(tmp_path, pairs, curate_cli):
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "f", _phi_every_other_row(pairs)))
    flagged = pairs["id"].gather(list(range(0, pairs.height, 2))).to_list()
    assert "12 row(s) flagged for PHI (ids " + ", ".join(flagged[:10]) + " and 2 more)" in err
    assert flagged[10] not in err and "row 0" not in err


@pytest.mark.parametrize("with_input_row, expected", [
    (True, "input_row 100, 102, 104, 106, 108, 110, 112, 114, 116, 118 and 2 more"),
    (False, "0-based rows 0, 2, 4, 6, 8, 10, 12, 14, 16, 18 and 2 more"),
])
def test_refused_rows_without_ids_fall_back_to_input_row_then_position(tmp_path, pairs, curate_cli, with_input_row, expected):
    df = _phi_every_other_row(pairs).drop("id")
    if with_input_row:
        df = df.with_columns(input_row=pl.int_range(pl.len(), dtype=pl.Int64) + 100)
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "f", df))
    assert f"12 row(s) flagged for PHI ({expected})" in err


# ---------------------------------------------------------------- outputs readable like any other file


def test_published_files_have_the_usual_mode(tmp_path, filter_dir, curate_cli):
    mask = os.umask(0o022)
    os.umask(mask)
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", filter_dir, "--to-dir", out)
    assert code == 0, err
    paths = [out, *out.rglob("*")]
    assert {p.relative_to(out).as_posix() for p in paths if p.is_file()} >= {"README.md", "manifest.json"}
    for p in paths:  # not tempfile's 0600 / 0700: colleagues can read the card, the manifest and the data
        expected = (0o777 if p.is_dir() else 0o666) & ~mask
        assert p.stat().st_mode & 0o777 == expected, (p, oct(p.stat().st_mode))
