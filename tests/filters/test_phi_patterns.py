"""PHI patterns: what must be flagged, what clinical text must not trip, and the same answer in Python and polars."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from filters.phi import detect_phi, phi_expr, phi_series

FLAGGED = [
    "Dr. Jane Smith called about the results.", "Mr. Émile Zola lives alone.", "Mrs. O'Brien came to the clinic.",
    "Ms. McDonald is here.", "call 5552013344 today", "She was born in 1941.", "He is aged 93 now.",
    "a 95-year-old man with dementia", "Mail it to 42 elm street.", "MRN: A12345", "DOB 04/12/1941",
    "seen on 04-12-1941", "Mr. John Smith (DOB 03/14/1952)", "patient: Jane Doe", "SSN 123-45-6789",
    "reach me at jane.doe@example.org", "Call (555) 123-4567.",
]
CLINICAL = [
    "medical record with notes from the neurologist", "patient identification bracelets help", "2.5-5-10 mg",
    "1/2-10 weeks", "Keep blood pressure below 130/80.", "Galantamine 5/10 mg is not a date.", "take 1-2-25 mg",
    "Name: Lewy body dementia", "By age 85 about one in three people has dementia.",
    "Donepezil 5 mg once daily at bedtime, increased to 10 mg after 4 to 6 weeks.",
]


@pytest.mark.parametrize("text", FLAGGED)
def test_flagged(text):
    assert detect_phi(text), text


@pytest.mark.parametrize("text", CLINICAL)
def test_clinical_text_is_not_phi(text):
    assert detect_phi(text) == [], detect_phi(text)


def test_python_and_polars_agree():
    texts = FLAGGED + CLINICAL
    df = pl.DataFrame({"t": texts})
    per_kind = df.select(phi_expr("t"))["t"].to_list()
    one_pass = phi_series(df, ["t"]).to_list()
    for text, a, b in zip(texts, per_kind, one_pass):
        assert sorted(a) == sorted(detect_phi(text)), text
        assert bool(b) == bool(a), text


def test_example_data_has_no_phi():
    path = Path(__file__).resolve().parents[2] / "examples" / "caregiver_qa.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and not [r for r in rows if detect_phi(r["question"]) or detect_phi(r["answer"])]
