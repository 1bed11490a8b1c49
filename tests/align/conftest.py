"""Fixtures for the align tests (the builders live in align_fixtures.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from align_fixtures import make_model, make_pairs, run_align, train_tokenizer, write_cfg, write_dataset


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    """A saved tiny Llama + its trained tokenizer (no chat-template or pad fixes applied: that is align's job)."""
    d = tmp_path_factory.mktemp("tiny-llama")
    tok = train_tokenizer(d)
    make_model(tok, d)
    return d


@pytest.fixture(scope="session")
def pref_data(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("pref") / "dataset")


@pytest.fixture(scope="session")
def questions_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("q") / "questions.jsonl"
    rows = make_pairs(48)[40:]
    p.write_text("".join(json.dumps({"question": r["question"], "source_answer": r["source_answer"]}) + "\n" for r in rows))
    return p


@pytest.fixture(scope="session")
def lora_run(tiny_dir, pref_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("lora")
    out = root / "out"
    cfg = write_cfg(root / "cfg.yaml", lora_r=8, lora_alpha=16)
    code = run_align(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", out, "--config", cfg, "--max-steps", 10, "--merge"])
    assert code == 0
    return out, cfg


@pytest.fixture(scope="session")
def builtin_cache(tmp_path_factory):
    """Where the built-in model is dequantized for these tests: $EMPATHY_CURATE_CACHE when set (a warm cache), else a
    fresh folder, so the conversion itself is exercised (once per session, ~20-40 s)."""
    from align.builtin import CACHE_ENV

    if os.environ.get(CACHE_ENV):
        yield Path(os.environ[CACHE_ENV])
        return
    d = tmp_path_factory.mktemp("builtin-cache")
    os.environ[CACHE_ENV] = str(d)
    try:
        yield d
    finally:
        os.environ.pop(CACHE_ENV, None)
