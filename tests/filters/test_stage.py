import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import polars as pl
import pytest

from curate.core.errors import UsageError
from filters import FilterConfig, filter_frame, run_filter_stage
from tests.filters.helpers import pair

REPO = Path(__file__).resolve().parents[2]
CURATE = [sys.executable, "-c", "from curate.app.cli import main; main()"]


def _rows():
    p = pair()
    rows = [
        pair(id="good1"),
        pair(id="good2", question="What time of day should donepezil be given?"),
        pair(id="dup", question="How much donepezil should my mom take??"),                      # exact duplicate of good1
        pair(id="drift", question="Is memantine added later?", rejected=p["rejected"] + " Add memantine 10 mg."),
        pair(id="flat", question="Should I worry about the dose?", rejected=p["chosen"]),         # no tone / grade margin
        pair(id="nosrc", question="Can she take it in the morning?", source=""),
        {**pair(id="nosrc2", question="What if she misses a dose?"), "source_answer": None},
        pair(id="empty", question="What about side effects?", chosen=""),
    ]
    return rows


def _write(tmp_path, rows, name="pairs.parquet"):
    path = tmp_path / name
    df = pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]})
    df.write_parquet(path) if name.endswith(".parquet") else df.write_ndjson(path)
    return path


@pytest.mark.parametrize("name,batch", [("pairs.parquet", 3), ("pairs.jsonl", 50_000)])
def test_every_row_lands_in_exactly_one_output(tmp_path, name, batch):
    rows = _rows()
    path = _write(tmp_path, rows, name)
    out = tmp_path / "out"
    m = run_filter_stage(path, out, FilterConfig(meaning_check=False, batch_rows=batch))
    kept = pl.read_parquet(out / "kept.parquet")
    dropped = pl.read_parquet(out / "dropped.parquet")
    ids = kept["id"].to_list() + dropped["id"].to_list()
    assert sorted(ids) == sorted(r["id"] for r in rows)
    assert kept["keep"].all() and (~dropped["keep"]).all()
    assert (dropped["drop_reasons"].list.len() > 0).all() and (kept["drop_reasons"].list.len() == 0).all()
    assert set(kept["id"]) == {"good1", "good2", "nosrc", "nosrc2"}
    why = dict(zip(dropped["id"], dropped["drop_reasons"].to_list()))
    assert "duplicate" in why["dup"] and "fact_drift" in why["drift"] and "tone_margin" in why["flat"]
    assert "missing_text" in why["empty"]
    for col in ("source_answer", "chosen", "rejected"):
        assert f"fkgl_{col}" in kept.columns and f"tone_{col}" in kept.columns
    for col in ("chosen", "rejected"):
        assert kept.schema[f"facts_lost_{col}"] == pl.List(pl.Utf8) and f"facts_added_{col}" in kept.columns
    assert {"phi", "cluster_id", "keep", "drop_reasons"} <= set(kept.columns)
    assert kept["cluster_id"].null_count() == 0
    # manifest
    disk = json.loads((out / "manifest.json").read_text())
    assert disk["counts"] == m["counts"]
    c = m["counts"]
    assert c["input_rows"] == 8 and c["kept"] == 4 and c["dropped"] == 4 and c["rows_without_source"] == 2
    assert c["drops_by_reason"]["duplicate"] == 1 and c["drops_by_reason"]["missing_text"] == 1
    assert m["config"]["max_chosen_grade"] == 8.0 and m["config"]["batch_rows"] == batch
    assert "chosen vs rejected only" in m["notes"]
    # report + plots
    report = (out / "report.md").read_text()
    assert "| `fact_drift` | 1 |" in report and "grade_hist.png" in report
    for png in ("grade_hist.png", "tone_hist.png", "drops_by_reason.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rewrite_output_dir_and_rerun_is_idempotent(tmp_path):
    rw = tmp_path / "rewrite"
    rw.mkdir()
    _write(rw, _rows())
    out = tmp_path / "out"
    cfg = FilterConfig(meaning_check=False)
    run_filter_stage(rw, out, cfg)
    first = pl.read_parquet(out / "kept.parquet")
    run_filter_stage(rw, out, cfg)
    assert pl.read_parquet(out / "kept.parquet").equals(first)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging leftovers


def test_bad_inputs_are_usage_errors_and_write_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="missing column"):
        run_filter_stage(_write(tmp_path, [{"id": "1", "question": "q", "chosen": "c"}]), out)
    with pytest.raises(UsageError, match="pairs.parquet"):
        run_filter_stage(tmp_path, out)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(UsageError):
        run_filter_stage(bad, out)
    assert not out.exists()


def test_filter_frame_contract_columns():
    df = pl.DataFrame([pair()], schema={k: pl.Utf8 for k in pair()}).drop("source_answer")
    out = filter_frame(df, FilterConfig(meaning_check=False))
    assert out["has_source"].to_list() == [False] and out["fkgl_source_answer"].to_list() == [None]
    assert out.schema["drop_reasons"] == pl.List(pl.Utf8) and out.schema["keep"] == pl.Boolean
    with pytest.raises(UsageError, match="missing column"):
        filter_frame(pl.DataFrame({"question": ["q"]}))


def test_config_every_field_has_help_and_appears_in_config_init():
    from curate.app.config import default_yaml

    text = default_yaml()
    for f in fields(FilterConfig):
        assert f.metadata.get("help"), f.name
        assert f"  {f.name}:" in text


def test_cli_filter_and_score(tmp_path):
    path = _write(tmp_path, _rows())
    cfg = tmp_path / "c.yaml"
    cfg.write_text("filter:\n  meaning_check: false\n  min_tone_margin: 0.3\n")
    r = subprocess.run(CURATE + ["filter", str(path), "-o", str(tmp_path / "out"), "--config", str(cfg)],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert "4 kept, 4 dropped" in r.stdout and "fact_drift: 1" in r.stdout
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["config"]["min_tone_margin"] == 0.3 and m["config"]["meaning_check"] is False

    r = subprocess.run(CURATE + ["score", "Don't worry, you should feel proud. Take 5mg twice daily."],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0 and "tone: +" in r.stdout and "supportive should" in r.stdout and "2x/day" in r.stdout

    r = subprocess.run(CURATE + ["filter", str(tmp_path / "nope.parquet"), "-o", str(tmp_path / "o2")],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file" in r.stderr
    bad_cfg = tmp_path / "bad.yaml"
    bad_cfg.write_text("filter:\n  max_chosen_grad: 6\n")
    r = subprocess.run(CURATE + ["filter", str(path), "-o", str(tmp_path / "o3"), "--config", str(bad_cfg)],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and "max_chosen_grad" in r.stderr and not (tmp_path / "o3").exists()


def test_every_filter_follows_the_protocol_and_reasons_are_unique():
    from filters.base import BatchFilter, GlobalFilter
    from filters.stage import default_filters, drop_reasons_all

    for f in default_filters():
        assert isinstance(f, (BatchFilter, GlobalFilter)), f
    reasons = drop_reasons_all(FilterConfig(drop_phi=True))
    assert len(reasons) == len(set(reasons))
    assert {"missing_text", "duplicate", "near_duplicate", "phi", "chosen_too_hard", "grade_margin", "tone_margin",
            "facts_lost", "fact_drift", "meaning_drift"} <= set(reasons)


def test_invalid_thresholds_are_usage_errors():
    from curate.core.configlib import from_dict

    with pytest.raises(UsageError, match="near_dup_threshold"):
        from_dict(FilterConfig, {"near_dup_threshold": 1.5}, "filter")
    with pytest.raises(UsageError, match="batch_rows"):
        from_dict(FilterConfig, {"batch_rows": 0}, "filter")


def test_parallel_row_slices_give_the_same_result(monkeypatch):
    import filters.stage as st

    df = pl.DataFrame(_rows(), schema={k: pl.Utf8 for k in _rows()[0]})
    cfg = FilterConfig(meaning_check=False)
    seq = filter_frame(df, cfg, workers=1)
    monkeypatch.setattr(st, "_MIN_ROWS_PER_WORKER", 2)
    par = filter_frame(df, cfg, workers=3)
    assert par.equals(seq)


@pytest.mark.parametrize("name,batch", [("pairs.parquet", 3), ("pairs.jsonl", 50_000)])
def test_rows_without_id_get_the_rewrite_stage_content_hash(tmp_path, name, batch):
    from curate.core.schema import make_id

    rows = [{k: v for k, v in r.items() if k != "id"} for r in _rows()]
    path = _write(tmp_path, rows, name)
    out = tmp_path / "out"
    m = run_filter_stage(path, out, FilterConfig(meaning_check=False, batch_rows=batch))
    kept = pl.read_parquet(out / "kept.parquet")
    dropped = pl.read_parquet(out / "dropped.parquet")
    assert kept.columns[0] == "id" and dropped.columns[0] == "id" and kept.schema["id"] == pl.Utf8
    both = pl.concat([kept, dropped], how="diagonal_relaxed")
    expected = {make_id(r["question"], r["source_answer"] or "") for r in rows}
    assert set(both["id"]) == expected and both["id"].null_count() == 0
    assert m["counts"]["ids_made"] == len(rows)
    # the cluster id of the exact duplicate is the made id of its cluster's first row (dedup ran on the made ids)
    dup = dropped.filter(pl.col("question") == "How much donepezil should my mom take??").row(0, named=True)
    assert dup["cluster_id"] == make_id(rows[0]["question"], rows[0]["source_answer"])
    # same as filter_frame on all rows at once
    frame = filter_frame(pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}), FilterConfig(meaning_check=False))
    assert frame.columns[0] == "id"
    assert frame.filter("keep").select("id", "cluster_id").equals(kept.select("id", "cluster_id"))
    # what `curate review push` checks before it sends anything (it failed on "missing column(s) 'id'")
    from curate.review.push import validate_pairs

    assert validate_pairs(kept, "kept.parquet").height == kept.height


def test_null_or_blank_ids_are_filled_and_given_ids_are_kept(tmp_path):
    from curate.core.schema import make_id

    rows = _rows()
    rows[1]["id"] = None
    rows[5]["id"] = "  "
    path = _write(tmp_path, rows)
    out = tmp_path / "out"
    m = run_filter_stage(path, out, FilterConfig(meaning_check=False, batch_rows=3))
    both = pl.concat([pl.read_parquet(out / "kept.parquet"), pl.read_parquet(out / "dropped.parquet")])
    got = dict(zip(both["question"], both["id"]))
    assert got[rows[1]["question"]] == make_id(rows[1]["question"], rows[1]["source_answer"])
    assert got[rows[5]["question"]] == make_id(rows[5]["question"], "")
    assert got[rows[0]["question"]] == "good1" and got[rows[3]["question"]] == "drift"
    assert m["counts"]["ids_made"] == 2
    # filter_frame fills the same way
    df = pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]})
    assert filter_frame(df, FilterConfig(meaning_check=False))["id"].to_list() == [got[r["question"]] for r in rows]
    # an input where every row has an id is untouched
    m = run_filter_stage(_write(tmp_path, _rows(), "full.parquet"), tmp_path / "o2", FilterConfig(meaning_check=False))
    assert m["counts"]["ids_made"] == 0


def _cli(*args):
    return subprocess.run(CURATE + ["filter", *map(str, args)], capture_output=True, text=True, cwd=REPO)


def _warnings(stderr: str) -> list[str]:
    return [l for l in stderr.splitlines() if l.startswith("warning:")]


def test_cli_warns_when_rows_have_no_source_answer(tmp_path):
    rows = [{("answer" if k == "source_answer" else k): v for k, v in r.items()} for r in _rows()]
    r = _cli(_write(tmp_path, rows), "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    [w] = _warnings(r.stderr)
    assert w.startswith("warning: 8 of 8 rows have no source answer (the input has no `source_answer` column; found: "
                        "id, question, answer, chosen, rejected)")
    assert "checked chosen vs rejected only and the meaning check is skipped for them" in w

    # the column is there but two rows leave it empty; with --no-meaning-check nothing is said about it
    r = _cli(_write(tmp_path, _rows(), "with_src.parquet"), "-o", tmp_path / "out2", "--no-meaning-check")
    [w] = _warnings(r.stderr)
    assert w == "warning: 2 of 8 rows have an empty `source_answer`: facts are checked chosen vs rejected only"

    full = [r for r in _rows() if r["source_answer"]]
    r = _cli(_write(tmp_path, full, "full.parquet"), "-o", tmp_path / "out3", "--no-meaning-check")
    assert r.returncode == 0 and _warnings(r.stderr) == []


def test_cli_warns_about_kept_rows_that_publish_will_refuse_for_phi(tmp_path):
    rows = _rows()
    rows[0]["question"] += " Write to jane.doe@example.com"
    rows[1]["question"] += " Or call 555-123-4567."  # PHI in the question: no answer changes, the row is kept
    path = _write(tmp_path, rows)
    r = _cli(path, "-o", tmp_path / "out", "--no-meaning-check")
    assert r.returncode == 0, r.stderr
    [w] = [w for w in _warnings(r.stderr) if "PHI" in w]
    assert w == ("warning: 2 kept rows flagged for PHI (ids: good1, good2; kinds: EMAIL, PHONE); `curate publish` "
                 "refuses a table with any PHI-flagged row: de-identify them and rerun `curate filter`, or set "
                 "filter.phi_action: redact (typed placeholders) or drop")
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["counts"]["kept_rows_with_phi"] == 2 and m["kept_phi"] == {"ids": ["good1", "good2"], "kinds": ["EMAIL", "PHONE"]}
    assert "jane" not in json.dumps(m) and "555" not in r.stderr  # never the matched text
    # and publish really refuses the kept table
    p = subprocess.run(CURATE + ["publish", str(tmp_path / "out"), "--to-dir", str(tmp_path / "pub")],
                       capture_output=True, text=True, cwd=REPO)
    assert p.returncode == 2 and "flagged for PHI" in p.stderr and not (tmp_path / "pub").exists()

    # filter.drop_phi: true drops them, and then there is nothing to warn about
    cfg = tmp_path / "c.yaml"
    cfg.write_text("filter:\n  drop_phi: true\n  meaning_check: false\n")
    r = _cli(path, "-o", tmp_path / "out2", "--config", cfg)
    assert r.returncode == 0 and "phi: 2" in r.stdout
    assert [w for w in _warnings(r.stderr) if "PHI" in w] == []


def _rewrite_dir(tmp_path, reasons):
    from curate.core.schema import PAIR_SCHEMA, QUARANTINE_SCHEMA

    d = tmp_path / "r1"
    d.mkdir()
    pl.DataFrame(schema=PAIR_SCHEMA).write_parquet(d / "pairs.parquet")
    q = [{"id": f"q{i}", "question": "q", "source_answer": "", "source": "x.csv", "stage": "input", "reason": r,
          "raw_output": None, "input_row": i} for i, r in enumerate(reasons)]
    pl.DataFrame(q, schema=QUARANTINE_SCHEMA).write_parquet(d / "quarantine.parquet")
    return d


def test_cli_empty_rewrite_output_says_the_rewrite_stage_quarantined_everything(tmp_path):
    d = _rewrite_dir(tmp_path, ["empty_answer", "empty_answer", "truncated;meta_text"])
    for arg in (d, d / "pairs.parquet"):
        r = _cli(arg, "-o", tmp_path / "out")
        assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
        assert r.stderr == (f"error: {d / 'pairs.parquet'}: no rows (the rewrite stage quarantined all 3 rows, reasons: "
                            f"empty_answer 2, truncated 1, meta_text 1; see {d / 'quarantine.parquet'})\n")
        assert not (tmp_path / "out").exists()


def test_empty_pairs_without_quarantined_rows_keep_the_plain_error(tmp_path):
    d = _rewrite_dir(tmp_path, [])
    with pytest.raises(UsageError) as e:
        run_filter_stage(d, tmp_path / "out")
    assert str(e.value) == f"{d / 'pairs.parquet'}: no rows"
    other = tmp_path / "other.parquet"
    (d / "pairs.parquet").rename(other)
    with pytest.raises(UsageError) as e:
        run_filter_stage(other, tmp_path / "out")
    assert str(e.value) == f"{other}: no rows"
