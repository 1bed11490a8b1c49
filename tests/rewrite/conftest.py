from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "caregiver_qa.csv"


@pytest.fixture(scope="session")
def tiny_chat_model(tmp_path_factory) -> Path:
    """A random-weight Llama with a tokenizer trained here and a ChatML chat template."""
    from tests.align.align_fixtures import make_model, train_tokenizer

    d = tmp_path_factory.mktemp("tiny_chat_model")
    tok = train_tokenizer(d)
    model = make_model(tok, d)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.save_pretrained(str(d))
    return d


def write_qa(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["question", "answer"])
        w.writerows(rows)
    return path


def example_rows(n: int) -> list[tuple[str, str]]:
    with EXAMPLE.open(encoding="utf-8") as f:
        rows = [(r["question"], r["answer"]) for r in csv.DictReader(f)]
    return rows[:n]
