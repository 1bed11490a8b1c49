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


@pytest.mark.parametrize("a,b,facts", [
    ("Drink 6 to 8 cups of fluid a day.", "Drink 6 to 8 cups of fluid daily.", ["1x/day", "6-8 cup"]),
    ("Drink 6 to 8 cups a day.", "Drink 6 to 8 cups each day.", ["1x/day", "6-8 cup"]),
    ("Drink 6 to 8 cups per day.", "Drink six to eight cups every day.", ["1x/day", "6-8 cup"]),
    ("Sleep 7 to 8 hours a night.", "Sleep 7 to 8 hours nightly.", ["1x/night", "7-8 hour"]),
    ("Sleep 7 to 8 hours per night.", "Sleep 7 to 8 hours each night.", ["1x/night", "7-8 hour"]),
    ("Aim for 150 minutes a week.", "Aim for 150 minutes weekly.", ["150 minute", "1x/week"]),
    ("Check it once a month.", "Check it monthly.", ["1x/month"]),
    ("Get a flu shot once a year.", "Get a flu shot every year.", ["1x/year", "influenza"]),
    ("Get a flu shot a year.", "Get a flu shot yearly.", ["1x/year", "influenza"]),
    ("Check it hourly.", "Check it every hour.", ["1x/hour"]),
    # a count of days in a period is a frequency; the period phrase adds nothing of its own
    ("Exercise 5 days a week.", "Exercise 5 days each week.", ["5x/week"]),
    ("Exercise five days per week.", "Exercise 5 times a week.", ["5x/week"]),
    ("Walk 3 to 5 days a week.", "Walk three to five days every week.", ["3-5x/week"]),
    ("Nap 2 days a month.", "Nap twice a month.", ["2x/month"]),
])
def test_a_period_reads_like_daily_nightly_weekly(a, b, facts):
    assert extract_facts(a) == facts
    assert facts_diff(a, b) == ([], [])


@pytest.mark.parametrize("text,facts", [
    ("Take it twice a day.", ["2x/day"]),
    ("Take it 3 times a week.", ["3x/week"]),
    ("Take it every 4 hours.", ["every 4 hour"]),
    ("Take it once a month.", ["1x/month"]),
    ("Take it twice yearly.", ["2x/year"]),
    ("Take it every other day.", ["every 2 day"]),
    ("Take it for 5 days.", ["5 day"]),  # a duration, not a frequency
    ("Take it for a week, then stop.", []),  # a span of time, not a rate
    ("It should pass in a day or two.", []),
    ("She fell a week ago.", []),
    ("Take it a day at a time.", []),
    ("Use a night-light in the hall.", []),
])
def test_frequencies_and_spans_of_time(text, facts):
    assert extract_facts(text) == facts


def test_a_period_rate_is_still_a_fact_a_rewrite_can_lose_or_change():
    lost, added = facts_diff("Drink 6 to 8 cups of fluid a day.", "Drink 6 to 8 cups of fluid.")
    assert (lost, added) == (["1x/day"], [])
    lost, added = facts_diff("Drink 6 to 8 cups of fluid a day.", "Drink 6 to 8 cups of fluid a week.")
    assert (lost, added) == (["1x/day"], ["1x/week"])
    # 5 days a week is not 5 days (a course) nor once a week
    lost, added = facts_diff("Exercise 5 days a week.", "Exercise for 5 days.")
    assert (lost, added) == (["5x/week"], ["5 day"])
    assert facts_diff("Exercise 5 days a week.", "Exercise each week.") == (["5x/week"], ["1x/week"])


def test_reference_pairs_keep_the_faithful_water_pair(tmp_path):
    from pathlib import Path

    from filters import run_filter_stage

    path = Path(__file__).resolve().parents[2] / "examples" / "reference_pairs.csv"
    run_filter_stage(path, tmp_path / "out", FilterConfig(meaning_check=False))
    kept = pl.read_parquet(tmp_path / "out" / "kept.parquet")
    dropped = pl.read_parquet(tmp_path / "out" / "dropped.parquet")
    water = kept.filter(pl.col("question").str.contains("grandmother drink"))
    assert water.height == 1, dropped.select("question", "drop_reasons")
    row = water.row(0, named=True)
    assert row["facts_added_rejected"] == [] and row["facts_lost_chosen"] == []
    assert "fact_drift" not in dropped["drop_reasons"].explode().drop_nulls().to_list()
