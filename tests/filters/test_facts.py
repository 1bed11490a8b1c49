import polars as pl
import pytest

from filters import FilterConfig, facts_diff, filter_frame
from filters.facts import extract_facts, lexicon
from tests.filters.helpers import frame, pair


@pytest.mark.parametrize("a,b", [
    ("Take 5mg daily.", "Take 5 mg every day."),
    ("Take it twice daily.", "Take it 2 times a day."),
    ("Take it twice a day.", "Take it BID."),
    ("Give five milligrams.", "Give 5 mg."),
    ("The usual dose is 5–10 mg.", "The usual dose is 5 to 10 mg."),
    ("The usual dose is 5-10 mg.", "Doctors often use between five and ten... no: 5 to 10 milligrams."),
    ("Continue for two weeks.", "Keep going for 2 weeks."),
    ("Every 4 to 6 hours.", "every four-to-six hours"),
    ("Use half a tablet.", "Use 0.5 tablet."),
    ("He takes Aricept.", "He takes donepezil."),
    ("She has hypertension.", "She has high blood pressure."),
    ("Limit sodium to 1,500 mg.", "Keep salt under 1500 milligrams."),
    ("twenty-five units of insulin", "25 units of insulin"),
])
def test_normalization_makes_equal_facts_equal(a, b):
    assert extract_facts(a) == extract_facts(b), (extract_facts(a), extract_facts(b))


def test_facts_kinds():
    f = extract_facts("Start donepezil 5 mg once daily at bedtime; after 4-6 weeks go to 10 mg. People over 65 with "
                      "heart failure, or taking Zyntrax 20 mg, or lisinopril, need checks every 3 months.")
    for fact in ["donepezil", "5 mg", "1x/day", "1x/night", "4-6 week", "10 mg", "65", "heart failure", "20 mg",
                 "zyntrax", "lisinopril", "every 3 month"]:
        assert fact in f, (fact, f)


def test_idioms_are_not_facts():
    assert extract_facts("Take it one day at a time. No one expects perfection; one of the best things is rest.") == []


def test_facts_diff_lost_and_added():
    src = "Donepezil is started at 5 mg once daily and may be raised to 10 mg after 4 to 6 weeks."
    lost, added = facts_diff(src, "Doctors often start donepezil at five milligrams once a day and raise it to 10 mg after four to six weeks.")
    assert (lost, added) == ([], [])
    lost, added = facts_diff(src, "Start donepezil at 5 mg once daily; add memantine 10 mg twice daily after 2 weeks.")
    assert "4-6 week" in lost and {"memantine", "2x/day", "2 week"} <= set(added)
    assert facts_diff(None, None) == ([], [])


def test_lexicon_is_large_and_has_synonyms():
    lex = lexicon()
    assert len(set(lex["drug"].values())) >= 300
    assert len(set(lex["condition"].values())) >= 100
    assert lex["drug"]["tylenol"] == "acetaminophen" and lex["condition"]["high blood pressure"] == "hypertension"


def test_drug_heuristics_for_names_outside_the_lexicon():
    assert "zorbatriptan" not in lexicon()["drug"]
    assert "fantasartan" in extract_facts("Her new pill, fantasartan, lowers pressure.")  # -sartan suffix
    assert "quellix" in extract_facts("She was given Quellix 40 mg at night.")  # capitalized name before a dose


def test_fact_drift_when_rejected_adds_a_drug_or_number():
    cfg = FilterConfig(meaning_check=False)
    p = pair()
    keep = filter_frame(frame(p), cfg).row(0, named=True)
    assert keep["facts_lost_chosen"] == [] and keep["facts_added_rejected"] == []
    assert "fact_drift" not in keep["drop_reasons"] and "facts_lost" not in keep["drop_reasons"]

    drug = pair(rejected=p["rejected"] + " Add memantine if needed.")
    r = filter_frame(frame(drug), cfg).row(0, named=True)
    assert r["facts_added_rejected"] == ["memantine"] and "fact_drift" in r["drop_reasons"] and not r["keep"]

    number = pair(rejected=p["rejected"] + " Do not exceed 23 mg.")
    r = filter_frame(frame(number), cfg).row(0, named=True)
    assert "23 mg" in r["facts_added_rejected"] and "fact_drift" in r["drop_reasons"]


def test_facts_lost_when_a_variant_drops_a_dose():
    cfg = FilterConfig(meaning_check=False)
    lost = pair(chosen="It's completely understandable to have questions. Doctors usually start donepezil at a low "
                       "dose once a day at bedtime and may raise it later.")
    r = filter_frame(frame(lost), cfg).row(0, named=True)
    assert {"5 mg", "10 mg", "4-6 week"} <= set(r["facts_lost_chosen"]) and "facts_lost" in r["drop_reasons"]
    # the check can be switched off
    off = filter_frame(frame(lost), FilterConfig(meaning_check=False, check_facts=False)).row(0, named=True)
    assert off["facts_lost_chosen"] == [] and "facts_lost" not in off["drop_reasons"]


def test_without_source_rejected_is_compared_to_chosen():
    cfg = FilterConfig(meaning_check=False)
    p = pair(source="")
    p["rejected"] += " Add memantine 10 mg."
    r = filter_frame(frame(p), cfg).row(0, named=True)
    assert r["has_source"] is False and r["fkgl_source_answer"] is None
    assert r["facts_lost_chosen"] == [] and r["facts_added_chosen"] == []
    assert "memantine" in r["facts_added_rejected"] and "fact_drift" in r["drop_reasons"]


def test_extra_lexicon_dir(tmp_path):
    (tmp_path / "drugs.txt").write_text("zorbatriptan|zorba\n")
    assert "zorbatriptan" in extract_facts("He takes zorba for migraines.", str(tmp_path))
    assert "zorbatriptan" not in extract_facts("He takes zorba for migraines.")
