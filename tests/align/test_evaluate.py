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


def test_eval_report_caveat_examples_reference_fallback_and_separate_panels(lora_run, tmp_path, monkeypatch):
    """eval.md warns at small n, shows example answers, says the reference fell back from
    `source_answer` to `answer`; eval.png gives each metric's means its own axis (grade ~14 and tone ~-0.1 apart)."""
    import curate.core.plots
    from align_fixtures import make_pairs

    out, _ = lora_run
    q = tmp_path / "q.csv"
    rows = make_pairs(48)[40:43]
    pl.DataFrame({"question": [r["question"] for r in rows], "answer": [r["source_answer"] for r in rows]}).write_csv(q)
    figures = []
    real_save = curate.core.plots.save_png
    monkeypatch.setattr(curate.core.plots, "save_png", lambda fig, target, **kw: (figures.append(fig), real_save(fig, target, **kw))[1])
    ev = tmp_path / "eval"
    assert run_align(["eval", "--model", out, "--questions", q, "-o", ev, "--max-new-tokens", 10]) == 0
    md = (ev / "eval.md").read_text()
    assert "**Small sample: only 3 questions.**" in md and "p = 0.25" in md  # the best a sign test can do at n=3
    assert "fell back from `source_answer` to `answer`" in md
    assert "## Example answers (first 3 of 3)" in md and rows[0]["question"] in md
    answers = pl.read_parquet(ev / "answers.parquet")
    assert " ".join(answers["aligned_answer"][0].split())[:40] in md  # the answers themselves are shown
    assert "| p (sign test) |" in md.splitlines()[2]
    data = json.loads((ev / "eval.json").read_text())
    assert data["reference_column"] == "answer" and data["reference_fallback"] is True and data["small_sample"]
    assert json.loads((ev / "manifest.json").read_text())["stage"] == "align.eval"

    (fig,) = figures
    means = {r["metric"]: (r["base"], r["aligned"]) for r in data["summary"] if "win" in r}
    panels = fig.axes[1:]
    assert len(panels) == len(means) >= 3  # one panel per scored metric
    for ax in panels:
        heights = sorted(round(p.get_height(), 6) for p in ax.patches)
        owner = [m for m, v in means.items() if sorted(round(x, 6) for x in v) == heights]
        assert len(ax.patches) == 2 and owner, f"a means panel holds more than one metric: {heights}"
    # rerunning into the same folder needs --overwrite (eval writes a manifest, so the folder is recognized)
    assert run_align(["eval", "--model", out, "--questions", q, "-o", ev, "--max-new-tokens", 10]) == 2
    assert run_align(["eval", "--model", out, "--questions", q, "-o", ev, "--max-new-tokens", 10, "--limit", 1,
                      "--overwrite"]) == 0
    assert json.loads((ev / "eval.json").read_text())["counts"]["questions"] == 1


def test_sign_test_and_no_caveat_at_large_n():
    from align.evaluate import sample_size_note, sign_test

    assert sign_test(3, 0) == 0.25 and sign_test(4, 0) == 0.125 and sign_test(2, 2) == 1.0
    assert abs(sign_test(9, 1) - 0.021484375) < 1e-12
    assert sample_size_note(4) and sample_size_note(30) is None
