"""`curate rewrite` as a user runs it: progress that moves with tokens/s, loops stopped and named,
near copies of the source quarantined, and an HTTP run that says what it retried and why."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from rewrite.validate import copy_similarity
from tests.rewrite.conftest import example_rows, write_qa
from tests.rewrite.llm_server import LLMServer, default_rewrite

ROOT = Path(__file__).resolve().parents[2]


def _curate(capsys, *args) -> tuple[int, str, str]:
    code = run_app(app, "curate", [str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _subprocess(*args) -> subprocess.CompletedProcess:
    # stderr is a pipe, not a terminal: the progress is plain lines, as in a log file or CI
    return subprocess.run([sys.executable, "-m", "curate.app.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="session")
def looping_model(tiny_chat_model, tmp_path_factory) -> Path:
    """The tiny chat model with every token but one suppressed: it repeats " care" until something stops it, the
    way a weak model repeats one sentence until the token limit."""
    from transformers import AutoTokenizer, GenerationConfig

    d = tmp_path_factory.mktemp("looping_model")
    for f in tiny_chat_model.iterdir():
        if f.is_file():
            shutil.copy(f, d / f.name)
    tok = AutoTokenizer.from_pretrained(str(d))
    word = tok.convert_tokens_to_ids("Ġcare")
    gc = GenerationConfig.from_pretrained(str(d))
    gc.suppress_tokens = [i for i in range(len(tok)) if i != word]
    gc.save_pretrained(str(d))
    return d


def test_local_model_progress_moves_per_generation_with_rows_and_tokens_per_second(tmp_path, tiny_chat_model):
    src = write_qa(tmp_path / "qa.csv", example_rows(3))
    r = _subprocess("rewrite", src, "-o", tmp_path / "out", "--model", tiny_chat_model, "--max-new-tokens", "30",
                    "--batch-size", "2")
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stderr.splitlines() if re.match(r"rewrite: \d+/6 generations \(", l)]
    # the first finished generation is reported at once (not after 30 s), and so is the last, with rows and tok/s
    # a line as each batch of 2 finishes (the run takes seconds: nothing waits for a 30 s timer), rows and tok/s on each
    assert len(lines) >= 3 and not lines[0].startswith("rewrite: 0/"), r.stderr
    assert lines[-1].startswith("rewrite: 6/6 generations (100%), 3/3 rows, ")
    rate = float(re.search(r"([\d.]+) tok/s", lines[-1]).group(1))
    assert rate > 0
    done = [int(re.match(r"rewrite: (\d+)/", l).group(1)) for l in lines]
    assert done == sorted(done)
    # the first batch is announced before its prompt pass (which alone can take a minute on a CPU)
    first_batch = next(i for i, l in enumerate(r.stderr.splitlines()) if re.match(
        r"rewrite: 0/6 generations, batch 1/3: 2 prompts, [\d,]+ prompt tokens$", l))
    assert first_batch < r.stderr.splitlines().index(lines[0])


def test_a_repetition_loop_is_stopped_early_and_named(tmp_path, looping_model):
    src = write_qa(tmp_path / "qa.csv", example_rows(2))
    r = _subprocess("rewrite", src, "-o", tmp_path / "out", "--model", looping_model, "--max-new-tokens", "200")
    assert r.returncode == 0, r.stderr
    assert "chosen:repetition" in r.stdout and "truncated" not in r.stdout
    q = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    assert set(q["reason"]) == {"chosen:repetition;rejected:repetition"}
    for raw in q["raw_output"]:
        for text in json.loads(raw).values():
            # stopped when the loop was plain (24 tokens), not at the 200-token limit
            assert set(text.split()) == {"care"} and len(text.split()) <= 30


def _near_copy(answer: str) -> str:
    """What a weak model often returns as the "prescriptive" variant: the source with two words changed."""
    words = answer.split()
    words[3], words[10] = "must", "always"
    return " ".join(words)


def test_near_copies_of_the_source_are_quarantined_and_the_threshold_is_a_setting(tmp_path, capsys):
    rows = example_rows(4)
    src = write_qa(tmp_path / "qa.csv", rows)
    answers = [" ".join(a.split()) for _, a in rows]
    assert all(0.9 <= copy_similarity(_near_copy(a), a) < 1.0 for a in answers)  # near copies, not exact ones
    assert all(copy_similarity(default_rewrite("supportive", a), a) < 0.9 for a in answers)

    def respond(style, answer):
        return _near_copy(answer) if style == "prescriptive" else default_rewrite(style, answer)

    url = ["--model", "loopback-llm", "--concurrency", "2"]
    with LLMServer(respond=respond) as server:
        code, out, err = _curate(capsys, "rewrite", src, "-o", tmp_path / "out", "--base-url", server.url, *url)
        assert code == 0, err
        assert "4 quarantined (rejected:near_copy: 4)" in out
        q = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
        assert q["reason"].to_list() == ["rejected:near_copy"] * 4
        assert json.loads(q["raw_output"][0])["rejected"] == _near_copy(answers[0])  # the raw output is kept
        # 1.0 = only exact copies are caught: the same outputs (from the cache) now become pairs
        cfg = tmp_path / "c.yaml"
        cfg.write_text("rewrite:\n  max_copy_similarity: 1.0\n")
        code, out, err = _curate(capsys, "rewrite", src, "-o", tmp_path / "out2", "--base-url", server.url, *url,
                                 "--config", cfg)
        assert code == 0, err
        assert "4 pairs, 0 quarantined" in out
    cfg.write_text("rewrite:\n  max_copy_similarity: 1.5\n")
    code, _, err = _curate(capsys, "rewrite", src, "-o", tmp_path / "out3", "--config", cfg)
    assert code == 2 and err.strip() == f"error: {cfg}: rewrite.max_copy_similarity: must be in (0, 1] (1 = only exact copies), got 1.5"


def test_http_timeouts_are_announced_and_summed_up(tmp_path, capsys):
    src = write_qa(tmp_path / "qa.csv", example_rows(2))
    # the first request takes 1.5 s: longer than --timeout 0.5, so it is sent again while the server still works on it
    with LLMServer(hang_first=1, hang_s=1.5) as server:
        code, out, err = _curate(capsys, "rewrite", src, "-o", tmp_path / "out", "--base-url", server.url,
                                 "--model", "loopback-llm", "--concurrency", "1", "--timeout", "0.5")
    assert code == 0, err
    [note] = [l for l in err.splitlines() if "got no answer within" in l]
    assert re.fullmatch(r"rewrite: request [0-9a-f]{16}/(supportive|prescriptive) got no answer within 0.5 s "
                        r"\(attempt 1 of 5\); sending it again in [\d.]+ s -- a slow server may still be working on "
                        r"the first one: raise rewrite.timeout_s \(--timeout\)", note), note
    [summary] = [l for l in out.splitlines() if l.startswith("rewrite: HTTP:")]
    assert summary.startswith("rewrite: HTTP: 5 requests, 1 retried (timeout: 1), 1 timed out, 0 gave up after 4 retries")
    assert "raise rewrite.timeout_s (--timeout, now 0.5 s)" in summary
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["backend_stats"]["timeouts"] == 1 and m["backend_stats"]["retry_reasons"] == {"timeout": 1}
    assert m["counts"]["pairs"] == 2


def test_a_run_without_retries_says_so(tmp_path, capsys):
    src = write_qa(tmp_path / "qa.csv", example_rows(1))
    with LLMServer() as server:
        code, out, _ = _curate(capsys, "rewrite", src, "-o", tmp_path / "out", "--base-url", server.url, "--model", "m")
    assert code == 0
    assert "rewrite: HTTP: 2 requests, 0 retried, 0 timed out, 0 gave up after 4 retries" in out


def test_the_default_token_budget_fits_the_style_specs():
    """512 tokens: the longest few-shot rewrite is 85 tokens (1.8x its source); at that ratio, with 1.5x headroom, the
    longest example answer (140 tokens) needs ~380. The truncations a user saw with the built-in model were loops,
    now stopped and named `repetition` (test above); a longer limit would only make them slower."""
    from pathlib import Path as P

    from transformers import AutoTokenizer

    from rewrite.backends.transformers_backend import builtin_model_path
    from rewrite.config import RewriteConfig
    from rewrite.styles import load_styles

    gguf = P(builtin_model_path())
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)

    def n(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"])

    ratio = max(n(ex["output"]) / n(ex["answer"]) for s in load_styles().values() for ex in s.few_shot)
    longest_output = max(n(ex["output"]) for s in load_styles().values() for ex in s.few_shot)
    longest_source = max(n(a) for _, a in example_rows(1000))
    budget = RewriteConfig().max_new_tokens
    assert budget >= 1.5 * ratio * longest_source and budget >= 3 * longest_output


def test_builtin_names_the_built_in_model_with_the_smoke_warning(tmp_path):
    """`--model builtin` is the same model as no --model (the name `align` accepts too), with the same warning."""
    src = write_qa(tmp_path / "qa.csv", example_rows(1))
    r = _subprocess("rewrite", src, "-o", tmp_path / "out", "--model", "BuiltIn", "--max-new-tokens", "8")
    assert r.returncode == 0, r.stderr
    assert "warning: --model builtin: using the built-in SmolLM2-135M-Instruct" in r.stderr
    rows = pl.concat([pl.read_parquet(tmp_path / "out" / f) for f in ("pairs.parquet", "quarantine.parquet")],
                     how="diagonal_relaxed")
    assert rows.height == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    from curate.core.builtin_model import MODEL_ID

    assert manifest["model"] == MODEL_ID and manifest["config"]["model"] == "BuiltIn"
