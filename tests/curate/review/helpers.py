"""Test data and the annotator's side of the Argilla UI (plain HTTP, as the browser does it)."""

from __future__ import annotations

from pathlib import Path

import httpx
import polars as pl

from curate.schema import make_id

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "caregiver_qa.csv"


def make_pairs(n: int = 20) -> pl.DataFrame:
    """n realistic pairs from the example QA file: a warm, plain chosen and a directive rejected variant."""
    src = pl.read_csv(EXAMPLES).head(n)
    q, a = src["question"].to_list(), src["answer"].to_list()
    return pl.DataFrame({
        "id": [make_id(x, y) for x, y in zip(q, a)],
        "question": q,
        "source_answer": a,
        "chosen": [f"That is a really good question, and it is normal to worry. {y}" for y in a],
        "rejected": [f"You must follow this exactly. {y}" for y in a],
        "source": ["caregiver_qa"] * n,
        "fkgl_chosen": [8.0 + i / 10 for i in range(n)],
        "tone_chosen": [0.6] * n,
        "keep": [True] * n,
        "drop_reasons": [[] for _ in range(n)],
    })


def submit(url: str, api_key: str, record_id: str, values: dict, status: str = "submitted") -> httpx.Response:
    """POST /api/v1/records/{id}/responses with the annotator's key: exactly what the UI sends on Submit."""
    body = {"values": {k: {"value": v} for k, v in values.items()}, "status": status}
    r = httpx.post(f"{url}/api/v1/records/{record_id}/responses", json=body, headers={"X-Argilla-Api-Key": api_key})
    assert r.status_code in (200, 201), r.text
    return r


def letter_of(record, text: str) -> str:
    """Which position (A/B) shows ``text``: what a human sees on screen (annotators never see the hidden mapping)."""
    if record.fields["response_a"] == text:
        return "A"
    assert record.fields["response_b"] == text
    return "B"
