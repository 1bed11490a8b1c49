"""Test data and the annotator's side of the Argilla UI (plain HTTP, as the browser does it)."""

from __future__ import annotations

from pathlib import Path

import httpx
import polars as pl

from curate.core.schema import make_id

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "caregiver_qa.csv"


# pair 0: a short medication answer whose pushed supportive variant lost a fact; a reviewer corrects it
MED_QUESTION = "How should my mother take her donepezil?"
MED_SOURCE = ("Donepezil 5 mg is taken once daily at bedtime. Common side effects include nausea and vivid dreams. "
              "Contact the prescriber if the heart rate falls below 50 beats per minute.")
MED_CHOSEN = ("It's very understandable to want to get this right. Your mother takes 5 mg of donepezil once daily, "
              "at bedtime. Some people feel a bit of nausea or have vivid dreams at first, and that is common.")
MED_REJECTED = ("Administer donepezil 5 mg orally once daily at bedtime, anticipating gastrointestinal adverse effects "
                "including nausea and vivid dreams, and contact the prescriber if the heart rate falls below 50 beats per minute.")
GOOD_CORRECTION = ("I'm so glad you asked, it's very understandable to want to get this right. Your mother takes 5 mg of "
                   "donepezil once daily, at bedtime. Some people feel a bit of nausea or have vivid dreams at first, and "
                   "that is common. If her heart rate falls below 50 beats per minute, please call her prescriber. "
                   "You're doing a great job caring for her.")


def make_pairs(n: int = 20) -> pl.DataFrame:
    """n pairs: pair 0 is the medication pair above, the rest come from the example QA file
    (a warm chosen and a directive rejected variant of each source answer)."""
    src = pl.read_csv(EXAMPLES).head(n - 1)
    q = [MED_QUESTION, *src["question"].to_list()]
    a = [MED_SOURCE, *src["answer"].to_list()]
    chosen = [MED_CHOSEN, *(f"That is a really good question, and it is normal to worry. {y}" for y in a[1:])]
    rejected = [MED_REJECTED, *(f"You must follow this exactly. {y}" for y in a[1:])]
    return pl.DataFrame({
        "id": [make_id(x, y) for x, y in zip(q, a)],
        "question": q,
        "source_answer": a,
        "chosen": chosen,
        "rejected": rejected,
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
