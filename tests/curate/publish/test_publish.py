"""`curate publish --to-dir`: the layout `datasets.load_dataset` reads, the card, the gates, reruns."""

from __future__ import annotations

import json

import datasets
import polars as pl
import pytest

from curate.publish.card import parse_metadata
from curate.publish.config import DEFAULT_SYSTEM_PROMPT
from tests.curate.publish.conftest import DROPS, FILTER_CONFIG, tree, write_stage_dir


def one_line(err: str) -> str:
    """The CLI prints one error message; the terminal may wrap it, so compare it unwrapped."""
    return " ".join(err.split())


def _flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def test_load_dataset_returns_splits_and_columns(tmp_path, filter_dir, pairs, curate_cli):
    out = tmp_path / "ds"
    code, stdout, err = curate_cli("publish", filter_dir, "--to-dir", out, "--test-size", "0.25", "--license", "cc-by-4.0")
    assert code == 0, err
    assert "published 18 train + 6 test rows" in stdout
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))
    assert set(ds) == {"train", "test"}
    assert ds["train"].num_rows + ds["test"].num_rows == pairs.height and ds["test"].num_rows == 6
    cols = ds["train"].column_names
    assert cols[:3] == ["prompt", "chosen", "rejected"]
    for c in ("id", "question", "source_answer", "rewrite_model", "prompt_version", "fkgl_chosen", "tone_rejected",
              "cluster_id", "phi"):
        assert c in cols
    assert "keep" not in cols and "drop_reasons" not in cols
    row = ds["train"][0]
    assert row["prompt"][0] == {"role": "system", "content": DEFAULT_SYSTEM_PROMPT}
    assert row["prompt"][1] == {"role": "user", "content": row["question"]}
    src = pairs.filter(pl.col("id") == row["id"]).row(0, named=True)
    assert row["chosen"] == [{"role": "assistant", "content": src["chosen"]}]
    assert row["rejected"] == [{"role": "assistant", "content": src["rejected"]}]
    # one system prompt for the whole dataset
    systems = {r[0]["content"] for split in ds.values() for r in split["prompt"]}
    assert systems == {DEFAULT_SYSTEM_PROMPT}
    # split grouped by cluster
    assert not set(ds["train"]["cluster_id"]) & set(ds["test"]["cluster_id"])
    files = tree(out)
    assert "README.md" in files and "manifest.json" in files
    assert [f for f in files if f.startswith("data/")] == ["data/test-00000-of-00001.parquet", "data/train-00000-of-00001.parquet"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stage"] == "publish" and manifest["counts"] == {"rows_in": 24, "train": 18, "test": 6, "unreviewed_published": 0}
    assert manifest["config"]["license"] == "cc-by-4.0"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_card_has_metadata_every_threshold_and_drop_count(tmp_path, filter_dir, curate_cli):
    out = tmp_path / "ds"
    assert curate_cli("publish", filter_dir, "--to-dir", out, "--license", "cc-by-4.0")[0] == 0
    text = (out / "README.md").read_text()
    meta = parse_metadata(text)
    assert meta["license"] == "cc-by-4.0" and meta["language"] == ["en"]
    assert meta["task_categories"] == ["text-generation"] and "dpo" in meta["tags"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["configs"] == [{"config_name": "default", "data_files": [
        {"split": "train", "path": "data/train-*.parquet"}, {"split": "test", "path": "data/test-*.parquet"}]}]
    for key, value in _flat(FILTER_CONFIG):
        assert f"| `{key}` | {json.dumps(value)} |" in text, key
    for reason, n in DROPS.items():
        assert f"| `{reason}` | {n} |" in text, reason
    for section in ("## Summary", "## How it was made", "### Filters", "### Review", "## Statistics per split",
                    "## Intended use", "## Limitations", "## PHI statement"):
        assert section in text
    assert DEFAULT_SYSTEM_PROMPT in text
    assert "HuggingFaceTB/SmolLM2-135M-Instruct" in text and "supportive@1.0:abcd1234" in text
    assert "not reviewed by humans" in text and "they passed the automatic filters only" in text
    assert "NOT filtered" not in text and "Not filtered" not in text
    assert "near-duplicates (the filter stage's `cluster_id`, and the same normalized question)" in text
    # per-split grade / tone of chosen vs rejected, computed from the rows of each split
    train = pl.read_parquet(out / "data/train-00000-of-00001.parquet")
    mean = round(float(train["fkgl_chosen"].mean()), 2)
    assert f"| train | {train.height} | {mean} (" in text


def test_rerun_replaces_an_earlier_publish_and_refuses_other_dirs(tmp_path, filter_dir, curate_cli):
    out = tmp_path / "ds"
    assert curate_cli("publish", filter_dir, "--to-dir", out)[0] == 0
    first = (out / "data/train-00000-of-00001.parquet").read_bytes()
    code, _, err = curate_cli("publish", filter_dir, "--to-dir", out, "--test-size", "0")
    assert code == 2 and "--overwrite" in one_line(err)  # an earlier publish is replaced only when asked
    assert (out / "data/train-00000-of-00001.parquet").read_bytes() == first
    assert curate_cli("publish", filter_dir, "--to-dir", out, "--test-size", "0", "--overwrite")[0] == 0
    assert tree(out) == ["README.md", "data", "data/train-00000-of-00001.parquet", "manifest.json"]
    assert (out / "data/train-00000-of-00001.parquet").read_bytes() != first
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    code, _, err = curate_cli("publish", filter_dir, "--to-dir", other)
    assert code == 2 and "refusing to overwrite" in one_line(err)
    assert tree(other) == ["notes.txt"]


def test_bare_parquet_without_cluster_ids_groups_by_question(tmp_path, pairs, curate_cli):
    # every question twice: once as written, once upper-cased with different punctuation and spacing
    first = pairs.filter(pl.int_range(pl.len()) % 2 == 0)
    twin = first.with_columns(pl.col("question").str.to_uppercase().str.replace(r"\?$", "  ?!"),
                              pl.col("id") + "-twin")
    table = tmp_path / "pairs.parquet"
    pl.concat([first, twin]).drop("cluster_id", "phi", "keep", "drop_reasons").write_parquet(table)
    out = tmp_path / "ds"
    # not a filter output: publishing it is an explicit opt-in
    code, _, err = curate_cli("publish", table, "--to-dir", out, "--test-size", "0.5", "--allow-unfiltered")
    assert code == 0, err
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))
    norm = lambda q: q.lower().rstrip("?! ")  # noqa: E731
    train, test = [[norm(q) for q in ds[s]["question"]] for s in ("train", "test")]
    assert len(test) == 12 and not set(train) & set(test)
    assert all(test.count(q) == 2 for q in test)  # each question with its twin
    card = (out / "README.md").read_text()
    assert "The split is grouped by normalized question" in card and "`cluster_id`, and the" not in card


# ---------------------------------------------------------------- gates: exit 2, one line, nothing written


def _refused(curate_cli, tmp_path, data, *extra) -> str:
    out = tmp_path / "not-yet" / "published"  # a parent that does not exist yet must not be created either
    before = tree(tmp_path)
    code, stdout, err = curate_cli("publish", data, "--to-dir", out, *extra)
    assert code == 2, err
    assert err.count("error:") == 1 and err.startswith("error: refusing to publish")
    err = one_line(err)
    assert not out.exists() and tree(tmp_path) == before  # nothing written, no staging left
    return err


def test_gate_phi_flagged_by_filter(tmp_path, pairs, curate_cli):
    df = pairs.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(pl.lit(["email: x"])).otherwise(pl.col("phi")).alias("phi"))
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "f", df))
    assert "1 row(s) flagged for PHI" in err and pairs["id"][3] in err


def test_gate_phi_detected_in_text(tmp_path, pairs, curate_cli):
    df = pairs.with_columns(pl.when(pl.int_range(pl.len()) == 5)
                            .then(pl.col("chosen") + " Call Mrs. Jane Doe at 555-123-4567.").otherwise(pl.col("chosen")))
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "f", df))
    assert "kinds: NAME, PHONE" in err
    assert "555-123-4567" not in err and "Jane" not in err  # the PHI itself is never echoed


def test_gate_rows_dropped_by_filters(tmp_path, pairs, curate_cli):
    df = pairs.with_columns(keep=pl.int_range(pl.len()) % 5 != 0)
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "f", df))
    assert "5 row(s) were dropped by the filters" in err


def _reviewed(pairs: pl.DataFrame, statuses: list[str]) -> pl.DataFrame:
    return pairs.with_columns(review_status=pl.Series([statuses[i % len(statuses)] for i in range(pairs.height)]))


def test_gate_unreviewed_rows_from_review_pull(tmp_path, pairs, curate_cli):
    df = _reviewed(pairs, ["accepted", "accepted", "pending"])
    rv = {"stage": "review", "config": {}, "inputs": {}, "counts": {"accepted": 16, "pending": 8}}
    review_dir = write_stage_dir(tmp_path / "r", df, "reviewed.parquet", rv)
    err = _refused(curate_cli, tmp_path, review_dir)
    assert "8 of 24 row(s) are not reviewed yet" in err and "--allow-unreviewed" in err
    # with the flag it publishes, and the card says how many rows were not reviewed
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", review_dir, "--to-dir", out, "--allow-unreviewed")
    assert code == 0, err
    card = (out / "README.md").read_text()
    assert "**8 row(s) are published without human review**" in card
    assert "accepted: 16, pending: 8" in card


def test_gate_rows_discarded_in_review(tmp_path, pairs, curate_cli):
    df = _reviewed(pairs, ["accepted", "dropped"])
    review_dir = write_stage_dir(tmp_path / "r", df, "reviewed.parquet", {"stage": "review", "inputs": {}})
    err = _refused(curate_cli, tmp_path, review_dir, "--allow-unreviewed")
    assert "12 row(s) were discarded in review" in err


def test_review_manifest_leads_to_the_filter_manifest(tmp_path, pairs, curate_cli):
    filter_dir = write_stage_dir(tmp_path / "f", pairs)
    rv = {"stage": "review", "inputs": {"data": str(filter_dir / "kept.parquet")},
          "counts": {"accepted": 24, "annotators": 3, "agreement": 0.81, "corrected": 2}}
    review_dir = write_stage_dir(tmp_path / "r", _reviewed(pairs, ["accepted"]), "reviewed.parquet", rv)
    out = tmp_path / "ds"
    assert curate_cli("publish", review_dir, "--to-dir", out)[0] == 0
    card = (out / "README.md").read_text()
    for reason, n in DROPS.items():
        assert f"| `{reason}` | {n} |" in card
    assert "Annotators: counts.annotators = 3" in card and "agreement = 0.81" in card and "corrected = 2" in card


def test_usage_errors(tmp_path, filter_dir, curate_cli, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    code, _, err = curate_cli("publish", filter_dir, "--repo-id", "org/name")
    assert code == 2 and "HF_TOKEN" in err
    code, _, err = curate_cli("publish", filter_dir)
    assert code == 2 and "--to-dir" in err
    code, _, err = curate_cli("publish", filter_dir, "--to-dir", tmp_path / "x", "--test-size", "1.5")
    assert code == 2 and "--test-size" in err and not (tmp_path / "x").exists()
    code, _, err = curate_cli("publish", tmp_path, "--to-dir", tmp_path / "x")
    assert code == 2 and "not a stage output dir" in err


def test_card_records_the_style_specs_from_the_rewrite_manifest(tmp_path, pairs, curate_cli):
    rewrite_dir = tmp_path / "rewrite"
    rewrite_dir.mkdir()
    (rewrite_dir / "pairs.parquet").write_bytes(b"")
    styles = {"supportive": {"prompt_version": "supportive@1.0:abcd1234", "role": "chosen", "description": "Warm and plain.",
                             "system": "You are a careful editor.", "instructions": "Rewrite kindly.\n\nANSWER: {answer}"},
              "prescriptive": {"prompt_version": "prescriptive@1.0:ef567890", "role": "rejected", "description": "Directive.",
                               "system": "You are a terse clinician.", "instructions": "Rewrite as orders.\n\nANSWER: {answer}"}}
    (rewrite_dir / "manifest.json").write_text(json.dumps({"stage": "rewrite", "inputs": {}, "styles": styles,
                                                           "counts": {"pairs": 24, "quarantined": 3}}))
    manifest = {"stage": "filter", "config": FILTER_CONFIG, "inputs": {"path": str(rewrite_dir / "pairs.parquet")},
                "counts": {"drops_by_reason": DROPS}}
    out = tmp_path / "ds"
    assert curate_cli("publish", write_stage_dir(tmp_path / "f", pairs, manifest=manifest), "--to-dir", out)[0] == 0
    card = (out / "README.md").read_text()
    assert "`supportive@1.0:abcd1234` (chosen): Warm and plain." in card
    assert "You are a terse clinician." in card and "Rewrite as orders." in card
    assert '"quarantined": 3' in card


def test_gate_phi_in_reviewer_notes_or_corrections(tmp_path, pairs, curate_cli):
    df = _reviewed(pairs, ["accepted"]).with_columns(
        review_notes=pl.Series([[] if i != 7 else ["ann-ada: her son can be reached at jdoe@example.org"] for i in range(pairs.height)],
                               dtype=pl.List(pl.Utf8)),
        chosen_original=pl.col("chosen"))
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "r", df, "reviewed.parquet", {"stage": "review", "inputs": {}}))
    assert "1 row(s) flagged for PHI" in err and "kinds: EMAIL" in err and pairs["id"][7] in err and "jdoe" not in err


def test_dropping_cluster_id_from_the_output_still_splits_by_cluster(tmp_path, curate_cli):
    from tests.curate.publish.conftest import make_pairs

    df = make_pairs(dupes_per_topic=2)  # every topic: two phrasings sharing a cluster_id
    cfg = tmp_path / "c.yaml"
    cfg.write_text("publish:\n  drop_columns: [keep, drop_reasons, cluster_id]\n  test_size: 0.4\n")
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", write_stage_dir(tmp_path / "f", df), "--to-dir", out, "--config", cfg)
    assert code == 0, err
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))  # no stale shared cache
    assert "cluster_id" not in ds["train"].column_names
    cluster = dict(zip(df["question"], df["cluster_id"]))
    q = lambda split: {cluster[r[-1]["content"]] for r in ds[split]["prompt"]}  # noqa: E731
    assert q("train") and q("test") and not q("train") & q("test")


def test_drop_columns_never_drops_the_message_columns(tmp_path, pairs, curate_cli):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("publish:\n  drop_columns: [chosen, rejected, prompt, keep]\n  test_size: 0.0\n")
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", write_stage_dir(tmp_path / "f", pairs), "--to-dir", out, "--config", cfg)
    assert code == 0, err
    cols = pl.read_parquet(next((out / "data").glob("train-*.parquet"))).columns
    assert {"prompt", "chosen", "rejected"} <= set(cols) and "keep" not in cols and "question" in cols


def test_gate_phi_in_structured_or_categorical_columns(tmp_path, pairs, curate_cli):
    notes = [{"reviewer": "r1", "text": "fine"}] * pairs.height
    notes[2] = {"reviewer": "r2", "text": "call the daughter at 555-201-3344"}
    df = pairs.with_columns(pl.Series("review_notes", notes),
                            pl.Series("site", ["clinic"] * (pairs.height - 1) + ["Mrs. Ann Lee"], dtype=pl.Categorical))
    err = _refused(curate_cli, tmp_path, write_stage_dir(tmp_path / "f", df))
    assert "PHI" in err and "PHONE" in err and "NAME" in err and "555" not in err
