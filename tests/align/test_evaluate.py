"""`align eval`: base vs aligned answers on held-out questions, scored with the filters; table, PNG, JSON."""

from __future__ import annotations

import json

import polars as pl

from align.evaluate import summarize
from align_fixtures import run_align


def test_align_eval_writes_table_png_json(lora_run, questions_file, tmp_path, tiny_dir):
    out, _ = lora_run
    ev = tmp_path / "eval"
    assert run_align(["eval", "--model", out, "--questions", questions_file, "-o", ev, "--limit", 5,
                      "--max-new-tokens", 12]) == 0
    md = (ev / "eval.md").read_text()
    assert "| supportive tone (-1..1) |" in md and "| reading grade (FKGL) |" in md
    assert "| facts lost + added vs reference |" in md and "| similarity to reference |" in md
    assert f"Base: `{tiny_dir}`" in md  # the base recorded by `align dpo`, no --base needed
    data = json.loads((ev / "eval.json").read_text())
    assert data["counts"]["questions"] == 5 and len(data["rows"]) == 5
    assert data["system_prompt"].startswith("You are a caring assistant")  # the training system prompt
    tone = next(r for r in data["summary"] if r["metric"] == "tone")
    assert abs(tone["win"] + tone["tie"] + tone["loss"] - 1) < 1e-9
    answers = pl.read_parquet(ev / "answers.parquet")
    assert answers.height == 5 and answers["aligned_answer"].null_count() == 0
    assert answers["base_similarity"].drop_nulls().len() == 5  # references given -> similarity scored
    assert (ev / "eval.png").read_bytes()[:4] == b"\x89PNG"


def test_align_eval_bad_input_exit_2(lora_run, tmp_path):
    out, _ = lora_run
    bad = tmp_path / "q.csv"
    bad.write_text("text\nhello\n")
    assert run_align(["eval", "--model", out, "--questions", bad, "-o", tmp_path / "e"]) == 2
    assert run_align(["eval", "--model", tmp_path / "missing", "--questions", bad, "-o", tmp_path / "e"]) == 2
    assert not (tmp_path / "e").exists()


def test_summary_win_rates():
    base = pl.DataFrame({"tone": [0.0, 0.5, 0.2], "fkgl": [9.0, 8.0, 7.0], "similarity": [0.5, 0.5, 0.5],
                         "facts_changed": [1.0, 0.0, 2.0], "words": [10.0, 10.0, 10.0]})
    aligned = pl.DataFrame({"tone": [0.4, 0.5, 0.1], "fkgl": [7.0, 9.0, 7.0], "similarity": [0.6, 0.4, 0.5],
                            "facts_changed": [0.0, 0.0, 3.0], "words": [12.0, 10.0, 10.0]})
    s = {r["metric"]: r for r in summarize(base, aligned)}
    assert (s["tone"]["win"], s["tone"]["tie"], s["tone"]["loss"]) == (1 / 3, 1 / 3, 1 / 3)
    assert s["fkgl"]["win"] == 1 / 3 and s["fkgl"]["loss"] == 1 / 3  # lower grade wins
    assert s["facts_changed"]["win"] == 1 / 3 and s["facts_changed"]["loss"] == 1 / 3
    assert "win" not in s["words"]
