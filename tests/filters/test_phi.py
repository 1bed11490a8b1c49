"""The one PHI detector: typed spans with offsets, redaction, allowed patterns, the batch path, the labeled set."""

import json
from pathlib import Path

import polars as pl
import pytest

from curate.core.errors import UsageError
from filters import FilterConfig, filter_frame
from filters.phi import KINDS, PhiDetector, detect_phi, detect_spans, phi_lists, phi_series, redact_frame
from tests.filters.helpers import frame, pair

DEV = Path(__file__).resolve().parents[2] / "filters" / "data" / "labeled" / "phi_dev.jsonl"
TEXT = ("Mr. John Smith (DOB 03/14/1947), MRN: A1234567, lives at 42 Maple Street. "
        "Call his daughter at (555) 123-4567 or jane.smith@gmail.com.")


def _dev() -> list[dict]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_spans_are_typed_with_offsets():
    spans = detect_spans(TEXT)
    assert [(s.kind, s.text) for s in spans] == [
        ("NAME", "Mr. John Smith"), ("DATE_OF_BIRTH", "03/14/1947"), ("RECORD_NUMBER", "A1234567"),
        ("ADDRESS", "42 Maple Street"), ("PHONE", "(555) 123-4567"), ("EMAIL", "jane.smith@gmail.com")]
    assert all(TEXT[s.start:s.end] == s.text for s in spans)
    assert detect_phi("Donepezil 5 mg once daily helps some people with memory.") == []


def test_redaction_uses_typed_placeholders_and_leaves_nothing_behind():
    red, counts = PhiDetector().redact(TEXT)
    assert red == ("[NAME] (DOB [DATE_OF_BIRTH]), MRN: [RECORD_NUMBER], lives at [ADDRESS]. "
                   "Call his daughter at [PHONE] or [EMAIL].")
    assert dict(counts) == {"NAME": 1, "DATE_OF_BIRTH": 1, "RECORD_NUMBER": 1, "ADDRESS": 1, "PHONE": 1, "EMAIL": 1}
    assert detect_phi(red) == []  # a placeholder is not PHI


def test_allowed_patterns_remove_only_the_spans_inside_a_match():
    text = "Our clinic's nurse can be reached at 503-555-0100; my son Marcus is at 646-555-0139."
    assert {s.text for s in detect_spans(text)} == {"Marcus", "646-555-0139"}  # the clinic's number is public
    text = "Call 503-555-0100 or my son at 646-555-0139."
    assert [s.text for s in detect_spans(text)] == ["503-555-0100", "646-555-0139"]
    assert [s.text for s in detect_spans(text, allow=[r"503-555-0100"])] == ["646-555-0139"]
    with pytest.raises(ValueError, match="phi_allow: '\\(' is not a valid regular expression"):
        PhiDetector(["("])


def test_filter_config_phi_action_and_the_old_drop_phi_spelling():
    assert FilterConfig(drop_phi=True).phi_action == "drop"
    with pytest.raises(ValueError, match="drop_phi: true conflicts with phi_action: redact"):
        FilterConfig(drop_phi=True, phi_action="redact")
    with pytest.raises(ValueError, match="phi_action must be"):
        FilterConfig(phi_action="delete")
    with pytest.raises(ValueError, match="not a valid regular expression"):
        FilterConfig(phi_allow=["[unclosed"])
    from curate.core.configlib import from_dict

    with pytest.raises(UsageError, match="filter.phi_action: must be one of 'flag', 'drop', 'redact'"):
        from_dict(FilterConfig, {"phi_action": "erase"}, "filter")


def test_phi_action_flag_drop_redact_in_the_filter_frame():
    p = pair(question="My father, Luis Ortega (DOB 04/12/1941), keeps forgetting his pills. What can I do?")
    flag = filter_frame(frame(p), FilterConfig(meaning_check=False)).row(0, named=True)
    assert flag["phi"] == ["NAME: Luis Ortega", "DATE_OF_BIRTH: 04/12/1941"] and flag["keep"]
    drop = filter_frame(frame(p), FilterConfig(meaning_check=False, phi_action="drop")).row(0, named=True)
    assert drop["drop_reasons"] == ["phi"] and not drop["keep"]
    red = filter_frame(frame(p), FilterConfig(meaning_check=False, phi_action="redact")).row(0, named=True)
    assert red["question"] == "My father, [NAME] (DOB [DATE_OF_BIRTH]), keeps forgetting his pills. What can I do?"
    assert red["phi"] == [] and red["phi_redacted"] == ["NAME", "DATE_OF_BIRTH"] and red["keep"]
    clean = filter_frame(frame(pair()), FilterConfig(meaning_check=False, phi_action="drop")).row(0, named=True)
    assert clean["phi"] == [] and clean["keep"]


def test_redact_frame_covers_every_given_column_and_counts_per_span():
    df = pl.DataFrame({"question": ["Patient: Jane Doe, MRN 7720145", None, "no PHI here"],
                       "note": ["call me at 617-555-0193", "SSN 219-09-9999", ""]})
    out = redact_frame(df, ["question", "note"])
    assert out["question"].to_list() == ["Patient: [NAME], MRN [RECORD_NUMBER]", None, "no PHI here"]
    assert out["note"].to_list() == ["call me at [PHONE]", "SSN [ID_NUMBER]", ""]
    assert out["phi_redacted"].to_list() == [["NAME", "RECORD_NUMBER", "PHONE"], ["ID_NUMBER"], []]


def test_labeled_dev_set_is_well_formed():
    rows = _dev()
    with_phi = [r for r in rows if r["spans"]]
    assert len(rows) >= 110 and len(with_phi) >= 45 and len(rows) - len(with_phi) >= 45
    assert {s["kind"] for r in rows for s in r["spans"]} == set(KINDS)
    for r in rows:
        assert set(r) == {"text", "spans", "note"}
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"]) and s["kind"] in KINDS
            assert r["text"][s["start"]:s["end"]].strip() == r["text"][s["start"]:s["end"]]


def test_vectorized_pre_check_never_hides_a_span():
    """The batch path (a polars pre-check, then the detector on the texts that pass it) equals the detector
    run on every text: on the labeled set and on texts built to trip each rule."""
    more = [json.loads(x)["text"] for path in sorted(DEV.parent.glob("phi_dev?*.jsonl"))
            for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [r["text"] for r in _dev()] + more + [TEXT, "He is 93.", "Nana Ruth", "her name's Mae", "Ida Greenberg, born",
                                           "p.o. box 12", None, "", "Thanks,\nRuth Ellis\nr@example.org",
                                           "Yesterday Zofia forgot the stove.", "O'Brien keeps wandering.",
                                           "my great-grandmother, Oona Kelly, is 97", "my dad ahmed wanders"]
    assert phi_lists(pl.Series(texts, dtype=pl.Utf8)) == [detect_phi(t) for t in texts]
    df = pl.DataFrame({"a": texts, "b": list(reversed(texts))})
    merged = phi_series(df, ["a", "b"]).to_list()
    for a, b, got in zip(texts, reversed(texts), merged):
        assert set(got) == set(detect_phi(a)) | set(detect_phi(b))


def test_quality_on_the_development_half():
    """Overlap-matched precision and recall on the dev half (the held-out half is measured by
    benchmarks/phi_quality.py): a floor, so a rule change that breaks a kind fails here."""
    tp_p = n_p = tp_g = n_g = 0
    for r in _dev():
        gold = [(s["start"], s["end"], s["kind"]) for s in r["spans"]]
        pred = [(s.start, s.end, s.kind) for s in detect_spans(r["text"])]
        n_p, n_g = n_p + len(pred), n_g + len(gold)
        tp_p += sum(any(k == gk and a < gb and ga < b for ga, gb, gk in gold) for a, b, k in pred)
        tp_g += sum(any(k == gk and a < gb and ga < b for a, b, k in pred) for ga, gb, gk in gold)
    assert tp_p / n_p >= 0.95 and tp_g / n_g >= 0.95, (tp_p, n_p, tp_g, n_g)


def test_guard_and_gate_agree_on_every_labeled_snippet():
    from curate.publish.gates import phi_mask
    from rewrite.runner import phi_rows

    rows = _dev()
    df = pl.DataFrame({"id": [f"r{i}" for i in range(len(rows))], "question": [r["text"] for r in rows],
                       "source_answer": ["Keep a daily routine."] * len(rows),
                       "chosen": ["A routine can help."] * len(rows), "rejected": ["Keep a routine."] * len(rows)})
    guard = set(phi_rows(df))
    mask, _ = phi_mask(df)
    gate = set(df.filter(mask)["id"].to_list())
    labeled = {f"r{i}" for i, r in enumerate(rows) if r["spans"]}
    assert guard == gate
    assert len(guard ^ labeled) <= 2  # and both follow the labels (the detector's misses and false alarms)
