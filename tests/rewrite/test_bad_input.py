"""Bad input: one line, exit 2, nothing written; per-row problems are quarantined with a reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import main
from curate.core.schema import make_id
from rewrite.config import RewriteConfig
from rewrite.runner import run_rewrite
from tests.rewrite.conftest import write_qa
from tests.rewrite.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[2]


def _run_cli(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "curate.app.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    files = {}
    (tmp / "empty.csv").write_bytes(b"")
    files["empty file"] = (tmp / "empty.csv", "empty")
    (tmp / "header_only.csv").write_text("question,answer\n")
    files["header only"] = (tmp / "header_only.csv", "no rows")
    (tmp / "data.xlsx").write_bytes(b"PK\x03\x04")
    files["unknown format"] = (tmp / "data.xlsx", "unknown format")
    write_qa(tmp / "cols.csv", [("q", "a")])
    (tmp / "cols.csv").write_text("query,reply\nq,a\n")
    files["missing column"] = (tmp / "cols.csv", "missing column")
    (tmp / "latin1.csv").write_bytes("question,answer\nWhat about caf\xe9?,Drink water.\n".encode("latin-1"))
    files["invalid utf-8"] = (tmp / "latin1.csv", "invalid UTF-8")
    (tmp / "broken.jsonl").write_text('{"question": "q", "answer": "a"}\n{"question": \n')
    files["broken jsonl"] = (tmp / "broken.jsonl", "cannot read as jsonl")
    files["missing file"] = (tmp / "nope.csv", "no such file")
    return files


@pytest.mark.parametrize("case", ["empty file", "header only", "unknown format", "missing column", "invalid utf-8",
                                  "broken jsonl", "missing file"])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, case, capsys):
    path, message = _bad_files(tmp_path)[case]
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as e:
        main(["rewrite", str(path), "-o", str(out), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, err
    assert not out.exists()


def test_usage_errors_exit_2(tmp_path):
    src = write_qa(tmp_path / "qa.csv", [("q?", "an answer")])
    r = _run_cli(["rewrite", str(src)])  # missing -o
    assert r.returncode == 2 and "error:" in r.stderr
    r = _run_cli(["rewrite", str(src), "-o", str(tmp_path / "o"), "--limit", "0", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"])
    assert r.returncode == 2 and r.stderr.strip() == "error: --limit must be >= 1, got 0"
    r = _run_cli(["rewrite", str(src), "-o", str(tmp_path / "o"), "--model", str(tmp_path / "missing.gguf")])
    assert r.returncode == 2 and "GGUF file not found" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rewrite:\n  temprature: 0.5\n")
    r = _run_cli(["rewrite", str(src), "-o", str(tmp_path / "o"), "--config", str(cfg)])
    assert r.returncode == 2 and "unknown key 'temprature'" in r.stderr
    assert not (tmp_path / "o").exists()


def test_row_level_problems_are_quarantined_with_reasons(tmp_path):
    good = [(f"How do I help with problem number {i}?", f"Offer help with problem {i} gently, twice daily, for 10 minutes.") for i in range(3)]
    huge = "Give water. " * 90000  # ~1 MB answer
    rows = good + [
        ("Empty answer here?", ""),
        ("", "An answer without a question."),
        good[0],                                         # exact duplicate row
        ("HOW do I help with problem number 1?  ", "Offer help with problem 1 gently, twice daily, for 10 minutes."),  # same after normalization
        ("A very long answer?", huge),
        ("Multi-line\nquestion with \"quotes\", commas?", "Line one of the answer.\nLine two, with a comma and \"quotes\"."),
    ]
    src = write_qa(tmp_path / "qa.csv", rows)
    assert src.stat().st_size > 1_000_000
    with LLMServer() as server:
        m = run_rewrite(src, tmp_path / "out", RewriteConfig(base_url=server.url, model="x"), progress=False)
    pairs = pl.read_parquet(tmp_path / "out" / "pairs.parquet")
    q = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    assert pairs.height + q.height == len(rows)
    # every input row exactly once, by its position in the file (ids repeat where the input repeats itself)
    assert sorted(pairs["input_row"].to_list() + q["input_row"].to_list()) == list(range(len(rows)))
    reasons = dict(zip(q["question"], q["reason"]))
    assert reasons["Empty answer here?"] == "empty_answer"
    assert reasons[""] == "empty_question"
    assert reasons["A very long answer?"] == "answer_too_long"
    assert sorted(q.filter(pl.col("reason") == "duplicate_row")["id"].to_list()) == sorted([make_id(*good[0]), make_id(*good[1])])
    assert "Multi-line\nquestion" in pairs["question"].to_list()[-1]
    assert m["counts"]["quarantine_by_reason"]["duplicate_row"] == 2


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "hf"])
def test_other_input_formats_and_column_names(tmp_path, fmt):
    df = pl.DataFrame({"q": ["What helps with sleep?", "Is walking good?"], "a": ["Keep a routine and limit naps to 30 minutes.", "Walking 30 minutes a day, 5 days a week, helps."]})
    if fmt == "jsonl":
        path = tmp_path / "in.jsonl"
        df.write_ndjson(path)
    elif fmt == "parquet":
        path = tmp_path / "in.parquet"
        df.write_parquet(path)
    else:
        import datasets

        path = tmp_path / "hfdir"
        datasets.Dataset.from_polars(df).save_to_disk(str(path))
    with LLMServer() as server:
        cfg = RewriteConfig(base_url=server.url, model="x", question_col="q", answer_col="a")
        m = run_rewrite(path, tmp_path / "out", cfg, progress=False)
    assert m["counts"]["pairs"] == 2
    assert pl.read_parquet(tmp_path / "out" / "pairs.parquet")["id"].to_list() == [make_id(q, a) for q, a in df.iter_rows()]


def test_non_text_column_is_a_usage_error(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"question": "q?", "answer": ["a", "list"]}\n')
    r = _run_cli(["rewrite", str(path), "-o", str(tmp_path / "o"), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"])
    assert r.returncode == 2 and "column 'answer' must hold text" in r.stderr
    assert not (tmp_path / "o").exists()
