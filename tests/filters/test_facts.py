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
    ("The usual dose is 5-10 mg.", "Doctors often use 5 to 10 milligrams."),
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
    ("Drink 6 to 8 cups of fluid a day.", "Drink 6 to 8 cups of fluid daily.", ["1x/day", "48-64 oz"]),
    ("Drink 6 to 8 cups a day.", "Drink 6 to 8 cups each day.", ["1x/day", "48-64 oz"]),
    ("Drink 6 to 8 cups per day.", "Drink six to eight cups every day.", ["1x/day", "48-64 oz"]),
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


# ---------------------------------------------------------------- not facts


@pytest.mark.parametrize("text", [
    "1. Call the doctor.\n2. Write down the symptoms.\n3. Rest.",
    "Tips:\n  1) keep a routine\n  2) limit caffeine",
    "(1) Wash hands. (2) Clean the skin. (3) Apply the patch.",
    "Three tips: 1) keep a routine, 2) limit caffeine, 3) keep the room dark.",
    "Step 4: write it down. Step 5: share it at the visit.",
    "Keep a notebook. 2. Bring it to each visit.",
    "Here are 3 steps: rest, eat, walk.", "Five ways to help: listen, wait, smile.",
])
def test_list_markers_are_not_facts(text):
    assert extract_facts(text) == []


def test_list_markers_keep_the_facts_behind_them():
    assert extract_facts("1. Give donepezil 5 mg at bedtime.\n2. Wait 4 to 6 weeks.") == [
        "1x/night", "4-6 week", "5 mg", "donepezil"]
    assert extract_facts("Step 1: Give 2 tablets. Step 2: Repeat in 6 hours.") == ["2 tablet", "6 hour"]
    # a number before ")" after a comparison word is a number, not a marker
    assert extract_facts("Screening is advised (for adults over 65) every year.") == ["1x/year", "65"]
    assert extract_facts("Offer small meals (2 or 3) and water (ages 5-12).") == ["2", "3", "5-12"]  # a range is one fact
    assert extract_facts("The dose is 12. Give it at noon.") == ["12", "12pm"]  # "at noon" = "at 12 p.m."
    assert extract_facts("Walk 5,000 steps to stay fit, or 3 steps at a time.") == ["3 step", "5000 step"]


@pytest.mark.parametrize("text", [
    "Call 1-800-272-3900.", "Call 800-272-3900.", "Call (800) 272-3900.", "Call 800.272.3900.",
    "Call 1 800 272 3900.", "Call 1-800-272-3900, ext. 12.", "Call 800-272-3900 x 4.", "TTY: 711",
    "TTY 1-800-222-4225", "Call 911 right away.", "Call 9-1-1.", "Call or text 988.", "Call +1 (866) 232-8484.",
])
def test_phone_numbers_are_not_facts(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("text", [
    "See https://www.cdc.gov/diabetes/basics for more.", "Visit www.nia.nih.gov/health/alzheimers.",
    "Go to alzheimers.gov or alz.org.", "Email adear@nia.nih.gov with questions.",
])
def test_web_addresses_and_emails_are_not_facts(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("text", [
    "The Alzheimer's Association can help.", "The Alzheimer’s Association can help.",
    "Ask the American Heart Association.", "The American Diabetes Association has recipes.",
    "The Parkinson's Foundation runs a helpline.", "The American Cancer Society has a guide.",
    "The National Institute on Aging has booklets.", "The Alzheimer's Disease Education and Referral Center answers.",
    "The Lewy Body Dementia Association has a forum.", "Alzheimer's Research UK funds work.",
    "The Huntington's Disease Society of America helps.", "The Epilepsy Foundation of America helps.",
    "The Michael J. Fox Foundation funds research.", "The ALS Association can help.",
    "Call the National Dementia Helpline.", "the alzheimer's association helpline",  # listed: any case
    "The Centers for Disease Control and Prevention say so.",
])
def test_organization_names_are_not_facts(text):
    assert extract_facts(text) == []


def test_organization_rule_leaves_the_facts_around_the_name():
    assert extract_facts("The Alzheimer's Association says Alzheimer's disease affects memory.") == ["alzheimer's disease"]
    assert extract_facts("Aricept. Alzheimer's Association staff can explain it.") == ["donepezil"]
    assert extract_facts("People with diabetes can join a support network.") == ["diabetes"]  # lower case: no name
    assert facts_diff("The American Diabetes Association suggests an A1C below 7%.",
                      "People with diabetes often aim for an A1C below 7%.") == ([], ["diabetes"])


def test_organization_list_is_team_written_and_extendable(tmp_path):
    from filters.facts import organizations

    assert "National Institute on Aging" in organizations() and len(organizations()) >= 20
    assert extract_facts("Call the Stroke Helpers Club weekly.") == ["1x/week", "stroke"]
    (tmp_path / "organizations.txt").write_text("Stroke Helpers Club\n")
    assert extract_facts("Call the Stroke Helpers Club weekly.", str(tmp_path)) == ["1x/week"]


@pytest.mark.parametrize("text", [
    "Help with daily activities can ease stress.", "Daily life changes after a diagnosis.",
    "Activities of daily living include bathing and dressing.", "Keep a daily routine.", "Daily routines help.",
    "She needs help with daily tasks and daily care.", "Day-to-day care is tiring.", "Take it day by day.",
    "Each day brings something new.", "Every day is different.", "A day program gives you a break.",
    "She goes to a day center, then a day program.", "One day she forgot the stove.",
    "Some days are a good day, some a bad day.",
])
def test_non_dosing_day_is_not_a_rate(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("text", [
    "Once she is settled, it helps.", "I have told her a hundred times.", "Care is needed 24/7.",
    "Do it all at once.", "The two of you can plan it.", "Try one or two ideas.", "Once in a while is fine.",
])
def test_idioms_with_numbers_are_not_facts(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("text,facts", [
    ("Take 5 mg daily.", ["1x/day", "5 mg"]),
    ("Walk 30 minutes a day.", ["1x/day", "30 minute"]),
    ("Take it once daily.", ["1x/day"]),
    ("Give it once a day.", ["1x/day"]),
    ("She walks daily.", ["1x/day"]),
    ("Take a 20-minute walk.", ["20 minute"]),
    ("Offer three small meals and two snacks.", ["2", "3"]),
    ("About 1 in 9 people over 65 have it.", ["1", "65", "9"]),
    ("No more than 3,000 mg in a day.", ["1x/day", "3000 mg"]),
    ("Change the patch every 72 hours.", ["every 3 day"]),
    ("Give it every 24 hours.", ["1x/day"]),
    ("Urinary tract infections cause confusion.", ["urinary tract infection"]),
    ("Blood pressure under 130/80.", ["130", "80"]),
])
def test_real_facts_stay_facts(text, facts):
    assert extract_facts(text) == facts


@pytest.mark.parametrize("a,b", [
    ("Offer 3 small meals a day.", "Offer three small meals daily."),
    ("About 1 in 9 people.", "Roughly one in nine people."),
    ("Walk 30 minutes.", "Walk for half an hour."),
    ("Change it every 72 hours.", "Change it every 3 days."),
    ("Acetaminophen: no more than 3,000 mg in a day.", "Acetaminophen: under 3000 milligrams a day."),
    ("A UTI can cause confusion.", "Urinary tract infections can cause confusion."),
])
def test_same_fact_in_other_words(a, b):
    assert facts_diff(a, b) == ([], [])


def test_not_fact_rules_can_be_switched_off_for_a_baseline():
    text = "1. Call the Alzheimer's Association at 1-800-272-3900 for help with daily activities."
    assert extract_facts(text) == []
    baseline = extract_facts(text, not_facts=False)
    assert {"alzheimer's disease", "1x/day"} <= set(baseline) and any("3900" in f for f in baseline), baseline


def test_the_stage_drops_no_pair_for_numbering_helplines_or_daily_life():
    cfg = FilterConfig(meaning_check=False)
    p = pair(source="1. Give donepezil 5 mg once daily at bedtime.\n2. Call the Alzheimer's Association at "
                    "1-800-272-3900 with questions about daily life.",
             chosen="It's completely understandable to have questions. Doctors usually give donepezil 5 mg once a day "
                    "at bedtime, and the Alzheimer's Association (800-272-3900) can help with daily activities.",
             rejected="Administer donepezil 5 mg once daily at bedtime. Direct questions to the Alzheimer's Association.")
    r = filter_frame(frame(p), cfg).row(0, named=True)
    assert r["facts_lost_chosen"] == [] and r["facts_added_chosen"] == []
    assert r["facts_lost_rejected"] == [] and r["facts_added_rejected"] == []
    assert "facts_lost" not in r["drop_reasons"] and "fact_drift" not in r["drop_reasons"]


# ---------------------------------------------------------------- labeled set and benchmark

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "filters" / "data" / "labeled" / "facts_dev.jsonl"


def _bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fact_quality

    return fact_quality


def test_dev_set_is_well_formed():
    rows = _bench().load(DEV)
    assert len(rows) >= 80
    for r in rows:
        assert all(s in r["source"] for s in r["lost"]) and all(s in r["text"] for s in r["added"]), r
    same = sum(1 for r in rows if not r["lost"] and not r["added"])
    assert 0.3 <= same / len(rows) <= 0.55
    assert sum(1 for r in rows if r["note"].startswith("trap")) >= 30


def test_dev_split_precision_and_recall_stay_above_095():
    metrics, _ = _bench().score(_bench().load(DEV), "facts")
    for k in ("lost_precision", "lost_recall", "added_precision", "added_recall"):
        assert metrics[k] >= 0.95, metrics


def test_benchmark_on_a_three_line_file(tmp_path):
    lines = [
        {"source": "Take 5 mg daily.", "text": "Take 10 mg daily.", "lost": ["5 mg"], "added": ["10 mg"], "note": ""},
        {"source": "1. Call 1-800-272-3900.", "text": "Call 800-272-3900.", "lost": [], "added": [], "note": ""},
        # a wrong label: the extractor finds "memantine" added, the label says nothing changed
        {"source": "Give donepezil.", "text": "Give donepezil and memantine.", "lost": [], "added": [], "note": ""},
    ]
    f = tmp_path / "three.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fact_quality.py"), "--split", "dev", "--file", str(f),
                          "--show-errors"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    ours = next(o for o in out if o.get("system") == "facts")
    base = next(o for o in out if o.get("system") == "baseline_without_not_fact_rules")
    assert ours["lines"] == 3 and ours["wrong_lines"] == 1
    assert ours["lost_precision"] == 1.0 and ours["lost_recall"] == 1.0
    assert ours["added_precision"] == 0.5 and ours["added_recall"] == 1.0
    assert base["wrong_lines"] == 2  # the list marker and the phone number become facts without the rules
    errors = [o["error"] for o in out if "error" in o]
    assert len(errors) == 1 and errors[0]["added_pred"] == ["memantine"]

    f.write_text('{"source": "x"}\n')
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fact_quality.py"), "--file", str(f)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "needs the keys" in bad.stderr


# ---------------------------------------------------------------- rules that generalize to a second author's labels


@pytest.mark.parametrize("a,b", [
    # prescription shorthand
    ("Give 2 puffs every 4 hours.", "Give 2 puffs q4h."),
    ("Give 2 puffs every 4 to 6 hours.", "Give 2 puffs q 4-6 h."),
    ("Apply it every other day.", "Apply it QOD."),
    ("Give it every morning.", "Give it qAM."),
    ("Give it at bedtime.", "Give it q.h.s."),
    ("Take it three times a day.", "Take it TID."),
    ("Take it four times a day.", "Take it QID."),
    # frequencies
    ("Take it once or twice a day.", "Take it 1-2 times daily."),
    ("Check it once every 2 weeks.", "Check it every fortnight."),
    ("A once-weekly shot.", "A shot once a week."),
    ("Give 5 mg/day.", "Give 5 mg a day."),
    ("Check it once an hour.", "Check it hourly."),
    # fractions, mixed numbers, number words
    ("Take 1/2 tablet.", "Take half a tablet."),
    ("Take 1½ tablets.", "Take one and a half tablets."),
    ("Take 1 1/2 tablets.", "Take 1.5 tablets."),
    ("Use 3/4 teaspoon.", "Use three-quarters of a teaspoon."),
    ("Give 0.5 mg.", "Give .5 mg."),
    ("Give 2.5 mg.", "Give two and a half milligrams."),
    ("Walk 10,000 steps.", "Walk ten thousand steps."),
    ("Take 200 mg.", "Take two hundred milligrams."),
    # ranges
    ("Give 5 mg to 10 mg.", "Give 5-10 mg."),
    ("Keep it between 80 and 130 mg/dL.", "Keep it at 80 to 130 mg/dL."),
    ("Keep the INR between 2 and 3.", "Keep the INR at 2 to 3."),
    # one unit per amount
    ("No more than 3 g a day.", "No more than 3,000 mg a day."),
    ("Walk for 1.5 hours.", "Walk for 90 minutes."),
    ("Nap for an hour and a half.", "Nap for 90 minutes."),
    ("Rest for 2 hours.", "Rest for 120 minutes."),
    ("Wait 15 minutes.", "Wait a quarter of an hour."),
    ("Help for 1 hour each morning.", "An hour of help each morning."),
    ("Take it for 14 days.", "Take it for two weeks."),
    ("Set oxygen at 2 liters per minute.", "Set oxygen at 2 L/min."),
    ("Give 10 mEq of potassium.", "Give 10 milliequivalents of potassium."),
    ("Take 1,000 IU of vitamin D.", "Take 1000 units of vitamin D."),
    ("An A1C under 7 per cent.", "An A1C under 7%."),
    # temperatures, readings, ages
    ("A fever over 100.4 degrees F.", "A fever over 100.4°F."),
    ("A fever over 38 °C.", "A fever over 38 degrees Celsius."),
    ("Keep it below 130/80 mmHg.", "Keep it under 130 over 80."),
    ("People 65 years and older.", "People over 65."),
    ("A 70-year-old woman.", "A woman aged 70."),
    # names: combinations, brands, capitals-only abbreviations
    ("Give Sinemet 25/100.", "Give carbidopa-levodopa 25/100."),
    ("Give levodopa/carbidopa.", "Give carbidopa-levodopa."),
    ("Inhale Advair.", "Inhale fluticasone-salmeterol."),
    ("Give Namzaric.", "Give memantine-donepezil."),
    ("He has MS.", "He has multiple sclerosis."),
    ("A 21 mg nicotine patch.", "21 mg of nicotine."),
    ("Restless legs syndrome", "restless legs"),
    # "as needed" is no fact, however it is said
    ("Take it every 8 hours as needed.", "Take it q8h PRN."),
    ("Take it every 8 hours as needed.", "Take it every 8 hours if needed."),
])
def test_second_author_forms_of_the_same_fact(a, b):
    assert facts_diff(a, b) == ([], []), (extract_facts(a), extract_facts(b))


@pytest.mark.parametrize("a,b,lost,added", [
    ("Take 1 tablet q8h.", "Take one tablet every 6 hours.", ["every 8 hour"], ["every 6 hour"]),
    ("Keep the INR between 2 and 3.", "Keep the INR between 2 and 3.5.", ["2-3"], ["2-3.5"]),
    ("Take 1/2 tablet.", "Take 1 tablet.", ["0.5 tablet"], ["1 tablet"]),
    ("No more than 3 g a day.", "No more than 4 g a day.", ["3000 mg"], ["4000 mg"]),
    ("Give 5 mg to 10 mg.", "Give 5-20 mg.", ["5-10 mg"], ["5-20 mg"]),
    ("Above 180/120 is an emergency.", "Above 180/110 is an emergency.", ["120"], ["110"]),
    ("A fever over 100.4°F.", "A fever over 101 degrees F.", ["100.4 °f"], ["101 °f"]),
    ("Inhale Advair.", "Inhale Symbicort.", ["fluticasone-salmeterol"], ["budesonide-formoterol"]),
    ("He has MS.", "He has ALS.", ["multiple sclerosis"], ["amyotrophic lateral sclerosis"]),
    ("It is one of the 10 warning signs of dementia.", "It is a warning sign of dementia.", ["10"], []),
])
def test_second_author_changed_facts_are_found(a, b, lost, added):
    assert facts_diff(a, b) == (lost, added)


def test_joined_names_and_capitals_only_abbreviations():
    assert extract_facts("No aspirin-free pills; anxiety/depression.") == ["anxiety", "aspirin", "depression"]
    assert extract_facts("metformin/insulin") == ["insulin-metformin"]  # an unlisted pair: both generics, sorted
    assert extract_facts("Ms. Lee saw an ad for a new drug.") == []  # "MS" / "AD" match only in capitals
    assert extract_facts("She has AD and MS.") == ["alzheimer's disease", "multiple sclerosis"]
    assert "ms" not in lexicon()["condition"] and lexicon()["exact_case"]["MS"] == "multiple sclerosis"


def test_spans_of_time_and_percentages_over_a_period():
    assert extract_facts("It should pass in one month.") == []  # like "in a month"
    assert extract_facts("A 5% weight loss in a month.") == ["5%"]  # a change over a period, no limit
    assert extract_facts("No more than 3,000 mg in a day.") == ["1x/day", "3000 mg"]


def test_a_labeled_span_with_words_around_its_fact_reads_as_that_fact():
    from filters.facts import SEP, canonical

    assert canonical("for 10 days") == "10 day" and canonical("99 degrees F") == "99 °f"
    assert canonical("between 2 and 3") == "2-3" and canonical("q6h") == "every 6 hour"
    assert canonical("1 in 4") == "1" + SEP + "4"  # two facts, as the extractor reports them


DEV2 = ROOT / "filters" / "data" / "labeled" / "facts_dev2.jsonl"


def test_second_author_dev_split_stays_above_095():
    rows = _bench().load(DEV2)
    assert len(rows) >= 50
    metrics, wrong = _bench().score(rows, "facts")
    for k in ("lost_precision", "lost_recall", "added_precision", "added_recall"):
        assert metrics[k] >= 0.95, (metrics, wrong[:3])


def test_benchmark_counts_a_two_fact_label_as_both_and_takes_a_relative_path(tmp_path):
    line = {"source": "About 1 in 4 fall each year.", "text": "Many fall.", "lost": ["1 in 4", "each year"],
            "added": [], "note": ""}
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps(line) + "\n")
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fact_quality.py"), "--split", "dev", "--file",
                          "one.jsonl"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    ours = next(o for o in map(json.loads, res.stdout.splitlines()) if o.get("system") == "facts")
    assert ours["lost_labeled"] == 3 and ours["lost_precision"] == 1.0 and ours["lost_recall"] == 1.0, ours


# ---------------------------------------------------------------- rules that generalize to a third author's wording


@pytest.mark.parametrize("a,b", [
    # units written out or shortened
    ("Give 4 oz of juice.", "Give four fluid ounces of juice."),
    ("Give 4 fl. oz.", "Give 4 ounces."),
    ("Inject 12 units of insulin.", "Inject insulin 12 U."),
    ("Give 5 mL.", "Give five mls."),
    ("Mix 2 tablespoons.", "Mix 2 tbsps."),
    ("He is 6 feet tall.", "He is 6 ft tall."),
    ("Give 1 milligram per kilogram.", "Give 1 mg/kg."),
    ("Call if it is over 100.4 F.", "Call if it is over 100.4°F."),
    ("Wait 6h.", "Wait 6 hours."),
    # intervals in any spelling; one unit per interval
    ("Repeat every 6 hrs.", "Repeat every six hours."),
    ("Repeat every 6h.", "Repeat q6h."),
    ("Repeat 4-hourly.", "Repeat every 4 hours."),
    ("Check every 15 min.", "Check every fifteen minutes."),
    ("Check every 60 minutes.", "Check hourly."),
    ("Check every 1.5 hours.", "Check every 90 minutes."),
    ("Walk 7 days a week.", "Walk every day."),
    ("See the doctor quarterly.", "See the doctor every 3 months."),
    ("Have it checked semiannually.", "Have it checked every six months."),
    # the same dosing frequency, however it is said
    ("Take it once a day.", "Take it daily."),
    ("Take it once a day.", "Take it every day."),
    ("Take it once a day.", "Take it one time each day."),
    # a time of day
    ("Give 5 mg in the morning.", "Give 5 mg every morning."),
    ("Give 5 mg at night.", "Give 5 mg at bedtime."),
    ("Give 5 mg before bed.", "Give 5 mg nightly."),
    ("Give it once in the morning.", "Give it each morning."),
    ("Twice a day, morning and evening.", "Two times a day, in the morning and in the evening."),
    # a clock time
    ("Give it at 8 AM and 8 PM.", "Give it at 8 a.m. and 8:00 p.m."),
    # counts of a dosage form and of a measure
    ("Give 1 capsule of memantine 28 mg daily.", "Give one 28 mg memantine capsule daily."),
    ("Take 2 tablets of 500 mg.", "Take two 500 mg tablets."),
    ("Put 1 drop in each eye.", "Put a drop in each eye."),
    ("Add 1 teaspoon of the powder.", "Add a teaspoon of the powder."),
    ("One dose is enough.", "A single dose is enough."),
    # spelled-out numbers, ranges and counts
    ("Give 2-4 oz.", "Give two to four ounces."),
    ("It takes 2 to 3.", "It takes two to three."),
    ("He has 2 refills left.", "He has two refills left."),
    ("Take 1 at 8 a.m.", "Take one at 8 a.m."),
    # "Step N" markers, any spelling
    ("Step two: give 5 mg.", "Give 5 mg."),
    ("Step 2 of 4: give 5 mg.", "Give 5 mg."),
    ("Steps 1-3 are the same. Give 5 mg.", "Give 5 mg."),
    # lexicon wordings
    ("She has trouble swallowing pills.", "She struggles with swallowing pills."),
    ("He has difficulty sleeping.", "He has a hard time sleeping."),
])
def test_third_author_forms_of_the_same_fact(a, b):
    assert facts_diff(a, b) == ([], []), (extract_facts(a), extract_facts(b))


@pytest.mark.parametrize("text", [
    # local phone numbers
    "Call the poison control line at 555-0110 right away.",
    "Our nurse line is 555-0199.",
    # street addresses and rooms
    "Pick up a cuff at the senior center, 45 Maple Avenue.",
    "The clinic at 1200 Oak Street, Suite 300, sees families.",
    "Mail it to P.O. Box 1234, Springfield, IL 62704.",
    "She is in Room 204.",
    # dates and the year of an event
    "On March 3 the hospital called.",
    "It started on 3 March 2021.",
    "He was diagnosed back in 2019.",
    "The program opened in 2015.",
    "Her visit on 3/15/2024 went well.",
    # a person's age in passing
    "Your 82-year-old father is lucky to have you.",
    # always available
    "Our 24-hour helpline is there for you.",
    "Help is there 24 hours a day, 7 days a week.",
    "One-to-one support can help.",
    # a bare symptom word and "a pill" that names a medicine
    "The patch can really help with her pain.",
])
def test_where_when_and_who_are_not_facts(text):
    assert extract_facts(text) == [], extract_facts(text)


@pytest.mark.parametrize("a,b,lost,added", [
    ("She takes 15 mg at bedtime.", "She takes 15 mg in the morning.", ["1x/night"], ["1x/morning"]),
    ("Repeat every 5 minutes.", "Wait 5 minutes.", ["every 5 minute"], ["5 minute"]),
    ("Give one 28 mg capsule.", "Give two 28 mg capsules.", ["1 capsule"], ["2 capsule"]),
    ("Put a drop in each eye.", "Put 2 drops in each eye.", ["1 drop"], ["2 drop"]),
    ("Take it in 2000 mg doses.", "Take it in 1000 mg doses.", ["2000 mg"], ["1000 mg"]),  # not a year
    ("Call 555-0110 for help.", "Call for help; give 500-1000 mg.", [], ["500-1000 mg"]),  # not a phone number
    ("Adults 65 and older.", "Adults 60 and older.", ["65"], ["60"]),  # an age limit is no age in passing
    ("Give it at 8 a.m.", "Give it at 9 a.m.", ["8am"], ["9am"]),
    ("Delirium can follow surgery.", "Parkinson's disease can follow surgery.", ["delirium"], ["parkinson's disease"]),
    ("Use the patch for chest pain.", "Use the patch.", ["chest pain"], []),
    ("He takes a pill at bedtime.", "He takes tamsulosin at bedtime.", [], ["tamsulosin"]),  # "a pill" counts none
])
def test_third_author_changed_facts_are_found(a, b, lost, added):
    assert facts_diff(a, b) == (lost, added), (extract_facts(a), extract_facts(b))


def test_names_pass_reads_what_the_combined_alternation_read():
    # the lexicon names are read (and blanked) before the number patterns: a name between a count and its form
    # leaves the count form whole, names inside web addresses and organization names stay no facts, and a name
    # with a number in it ("type 2 diabetes") adds no bare number
    assert extract_facts("Give one 28 mg memantine capsule.") == ["1 capsule", "28 mg", "memantine"]
    assert extract_facts("See www.parkinson.org or the Alzheimer's Association.") == []
    assert extract_facts("He has type 2 diabetes and takes 2 Tylenol tablets.") == ["2", "acetaminophen", "type 2 diabetes"]
    from filters.facts import _extractor

    numbers, names, _, _ = _extractor(None)
    assert "donepezil" in names and "donepezil" not in numbers


def test_benchmark_labels_a_file_by_name_and_refuses_held_out_errors(tmp_path):
    line = {"source": "Take 5 mg daily.", "text": "Take 10 mg daily.", "lost": ["5 mg"], "added": ["10 mg"], "note": ""}
    f = tmp_path / "mine.jsonl"
    f.write_text(json.dumps(line) + "\n")
    script = str(ROOT / "benchmarks" / "fact_quality.py")
    res = subprocess.run([sys.executable, script, "--file", str(f)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert {o["split"] for o in out} == {"file:mine.jsonl"}
    heldout = ROOT / "filters" / "data" / "labeled" / "facts_heldout.jsonl"
    link = tmp_path / "other_name.jsonl"
    link.symlink_to(heldout)
    for args in (["--show-errors"], ["--split", "heldout", "--show-errors"], ["--file", str(heldout), "--show-errors"],
                 ["--file", str(link), "--show-errors"]):
        res = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=60)
        assert res.returncode == 2 and res.stdout == "" and "held-out" in res.stderr, (args, res.stderr)
