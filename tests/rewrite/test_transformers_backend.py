"""The transformers backend with a tiny model built here, in-process and behind a real `transformers serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import polars as pl
import pytest

from curate.core.net import free_port
from rewrite.backends.base import GenRequest
from rewrite.backends.transformers_backend import TransformersBackend
from rewrite.config import RewriteConfig
from rewrite.runner import run_rewrite
from rewrite.styles import load_styles
from tests.rewrite.conftest import example_rows, write_qa

VALID_REASONS = {"truncated", "empty_output", "too_short", "too_long", "echo_instructions", "echo_question", "meta_text",
                 "meta_text_only", "unchanged_source", "echo_example"}


def _reasons(q: pl.DataFrame) -> set[str]:
    return {part.split(":")[1] for r in q["reason"] for part in r.split(";")}


def test_in_process_backend_batches_with_chat_template(tiny_chat_model):
    backend = TransformersBackend(str(tiny_chat_model), max_new_tokens=8, batch_size=3, temperature=0.0)
    spec = load_styles()["supportive"]
    prompt = backend.prompt_text(spec.messages("Q?", "A."))
    assert prompt.count("<s>") == 1 and prompt.rstrip().endswith("<|im_start|>assistant")
    reqs = [GenRequest(f"k{i}", f"r{i}", "supportive", spec.messages(f"Question {i}?" * (i + 1), "Answer.")) for i in range(7)]
    got = {}
    backend.generate(reqs, lambda req, res: got.__setitem__(req.key, res))
    assert set(got) == {r.key for r in reqs}
    for res in got.values():
        assert res.finish_reason in ("stop", "length") and res.completion_tokens <= 8
    # greedy decoding is batch-independent: the same request alone gives the same text
    alone = {}
    backend.generate(reqs[:1], lambda req, res: alone.__setitem__(req.key, res))
    assert alone["k0"].text == got["k0"].text


def test_rewrite_with_tiny_model_every_row_accounted(tmp_path, tiny_chat_model):
    src = write_qa(tmp_path / "qa.csv", example_rows(6))
    cfg = RewriteConfig(model=str(tiny_chat_model), max_new_tokens=12, batch_size=4, temperature=0.7)
    m = run_rewrite(src, tmp_path / "out", cfg, progress=False)
    pairs = pl.read_parquet(tmp_path / "out" / "pairs.parquet")
    q = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    assert pairs.height + q.height == 6 and m["counts"]["generated_this_run"] == 12
    # a random-weight model rarely stops in 12 tokens and writes far too little: those rows are quarantined, with why
    assert q.height > 0 and _reasons(q) <= VALID_REASONS
    assert m["model"] == str(tiny_chat_model)
    assert m["backend_stats"]["model_loaded"] and m["backend_stats"]["decoder"] == "generate"  # CPU: auto = generate
    # a rerun whose generations are all cached gives the same outputs without loading the model
    again = run_rewrite(src, tmp_path / "out", cfg, progress=False)
    assert again["counts"]["generated_this_run"] == 0 and again["counts"]["from_cache"] == 12
    assert again["backend_stats"] == {"model_loaded": False, "load_s": None}
    assert pl.read_parquet(tmp_path / "out" / "pairs.parquet").equals(pairs)


@pytest.mark.slow
def test_http_backend_against_transformers_serve(tmp_path, tiny_chat_model):
    port = free_port()
    exe = Path(sys.executable).parent / "transformers"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([str(exe), "serve", str(tiny_chat_model), "--host", "127.0.0.1", "--port", str(port),
                             "--device", "cpu"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "transformers serve did not start"
            time.sleep(0.5)
        src = write_qa(tmp_path / "qa.csv", example_rows(3))
        cfg = RewriteConfig(base_url=f"http://127.0.0.1:{port}/v1", model=str(tiny_chat_model), max_new_tokens=10,
                            concurrency=2, timeout_s=120, max_retries=1)
        m = run_rewrite(src, tmp_path / "out", cfg, progress=False)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert m["counts"]["requests"] == 6 and m["counts"]["failed_this_run"] == 0, m["counts"]
    q = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    assert m["counts"]["pairs"] + q.height == 3 and _reasons(q) <= VALID_REASONS
    assert m["remote_endpoint"] is False


def test_nothing_to_generate_loads_no_model(tmp_path, tiny_chat_model):
    src = write_qa(tmp_path / "qa.csv", [("What helps?", "  "), ("Is it safe?", "")])  # every answer empty
    m = run_rewrite(src, tmp_path / "out", RewriteConfig(model=str(tiny_chat_model)), progress=False)
    assert m["counts"]["quarantined"] == 2 and m["counts"]["pairs"] == 0
    assert m["backend_stats"]["model_loaded"] is False
