"""The fact rules added for wordings the first three labeled sets did not have (one test per rule)."""

import pytest

from filters import facts_diff
from filters.facts import SEP, canonical, extract_facts


@pytest.mark.parametrize("text", [
    "The Parkinson's Foundation helpline at 1-800-4PD-INFO can help.",
    "Call 1-800-FLU-SHOT to find a clinic.",  # no "flu" in it either
    "Call 800-273-TALK or (800) ALZ-HELP.",
    "Text HOME to 741741 any time.",
])
def test_spelled_phone_numbers_and_text_codes_are_no_facts(text):
    assert extract_facts(text) == []


def test_an_amount_with_a_spelled_unit_is_not_a_phone_number():
    assert extract_facts("Take 800 mg.") == ["800 mg"]


@pytest.mark.parametrize("text", [
    "Here are 2 reminders: 1. shake the inhaler. 2. rinse the mouthpiece.",
    "Here are three gentle ideas to try.",
    "Here are 4 pointers for the visit.",
    "The following 3 items: a coat, a hat, a bag.",
    "2 reminders: rest and water.",
])
def test_the_count_of_a_list_is_no_fact_whatever_the_items_are_called(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("a,b,facts", [
    ("Give 1 capful of MiraLAX.", "Give one capful of MiraLAX.", ["1 capful", "polyethylene glycol"]),
    ("Give one eye drop in each eye.", "Put a drop in each eye.", ["1 drop"]),
    ("Give 2 chewable tablets.", "Give 2 tablets.", ["2 tablet"]),
    ("Use two nasal sprays.", "Use 2 sprays.", ["2 spray"]),
    ("Take 2 extra-strength caplets.", "Take two tablets.", ["2 tablet"]),
    ("Take one softgel.", "Take 1 capsule.", ["1 capsule"]),
    ("Use 2 inhalations.", "Use two puffs.", ["2 puff"]),
    ("Give one or two tablets.", "Give 1 to 2 tablets.", ["1-2 tablet"]),
    ("Give it one or two times a day.", "Give it once or twice a day.", ["1-2x/day"]),
])
def test_dosage_forms_and_their_kinds(a, b, facts):
    assert extract_facts(a) == facts
    assert facts_diff(a, b) == ([], [])


def test_a_labeled_form_span_reads_as_its_count():
    assert canonical("one eye drop") == "1 drop" and canonical("1 capful") == "1 capful"


@pytest.mark.parametrize("a,b,facts", [
    ("Give it with breakfast.", "Give it at breakfast.", ["with breakfast"]),
    ("Give it with supper.", "Give it with the evening meal.", ["with dinner"]),
    ("Give it with dinner.", "Give it at dinnertime.", ["with dinner"]),
    ("Take it before each meal.", "Take it before meals.", ["before meals"]),
    ("Take it before eating.", "Take it before you eat.", ["before meals"]),
    ("Take it with food.", "Take it with a meal.", ["with meals"]),
    ("Sit up for 30 minutes after meals.", "Sit up for half an hour after eating.", ["30 minute", "after meals"]),
])
def test_a_meal_is_a_dose_time_in_any_wording(a, b, facts):
    assert extract_facts(a) == facts
    assert facts_diff(a, b) == ([], []), (extract_facts(a), extract_facts(b))


def test_meal_times_are_facts_and_one_per_meal():
    assert facts_diff("Give metformin with breakfast.", "Give metformin with breakfast and again with dinner.") == (
        [], ["with dinner"])
    assert facts_diff("Check her sugar.", "Check her sugar before breakfast.") == ([], ["before breakfast"])
    assert extract_facts("Take it with breakfast, lunch and dinner.") == ["with breakfast", "with dinner", "with lunch"]
    assert facts_diff("Check sugar before meals.", "Check sugar after meals.") == (["before meals"], ["after meals"])
    assert canonical("with dinner") == "with dinner"


@pytest.mark.parametrize("text", [
    "Home aides can help with meals and bathing.",
    "He has trouble with eating.",
    "Sign up with Meals on Wheels.",
    "Keep a routine, with meals, walks and bedtime at the same times.",
])
def test_a_meal_as_a_task_or_a_thing_is_no_dose_time(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("a,b,facts", [
    ("Give it before she goes to bed.", "Give it at bedtime.", ["1x/night"]),
    ("Give it when going to sleep.", "Give it at night.", ["1x/night"]),
    ("Take it upon waking.", "Take it in the morning.", ["1x/morning"]),
    ("Give it at noon.", "Give it at 12 p.m.", ["12pm"]),
    ("Give it at 21:00.", "Give it at 9 p.m.", ["9pm"]),
    ("Change it every third day.", "Change it every 3 days.", ["every 3 day"]),
    ("Give methotrexate every Monday.", "Give methotrexate once a week on Mondays.", ["1x/week", "methotrexate", "monday"]),
])
def test_more_wordings_of_a_dose_time(a, b, facts):
    assert extract_facts(a) == facts
    assert facts_diff(a, b) == ([], [])


def test_week_days_count_and_a_single_date_is_none():
    assert extract_facts("Dialysis is on Mondays, Wednesdays and Fridays.") == ["3x/week", "friday", "monday", "wednesday"]
    assert extract_facts("See the doctor on Monday.") == []
    assert extract_facts("When he wakes up at night, sit with him.") == ["1x/night"]  # no morning dose


@pytest.mark.parametrize("a,b", [
    ("Drink 1.5 liters a day.", "Drink 1,500 mL a day."),
    ("Give 0.5 mg.", "Give 500 mcg."),
    ("Give 1000 mcg of B12.", "Give 1 mg of B12."),
    ("Give 0.125 mg of digoxin.", "Give 125 micrograms of digoxin."),
])
def test_one_unit_for_liters_and_micrograms(a, b):
    assert facts_diff(a, b) == ([], []), (extract_facts(a), extract_facts(b))


def test_lab_units_are_units():
    assert extract_facts("Her PSA was 4.5 ng/mL and her hemoglobin 9 g/dL.") == ["4.5 ng/ml", "9 g/dl"]


@pytest.mark.parametrize("a,b", [
    ("At 3 a.m. he wakes up and wanders.", "Waking at 3 a.m. and wandering is common."),
    ("She vomited twice.", "She had vomiting twice."),
    ("He passed out.", "He had an episode of passing out."),
    ("He is constipated.", "He has constipation."),
    ("She is dehydrated.", "She has dehydration."),
    ("He is diabetic.", "He has diabetes."),
    ("She feels dizzy.", "She has dizziness."),
    ("He is short of breath.", "He has shortness of breath."),
])
def test_a_condition_in_its_verb_and_adjective_forms(a, b):
    assert facts_diff(a, b) == ([], []), (extract_facts(a), extract_facts(b))


def test_mood_words_said_to_the_reader_are_no_condition():
    assert extract_facts("It is normal to feel anxious or depressed.") == []


@pytest.mark.parametrize("text", [
    "Take a day for yourself.",
    "It can take a month to settle in.",
    "Spend a night away if you can.",
    "It can feel like a year.",
    "Plan a day out with friends.",
])
def test_a_span_a_person_takes_is_no_rate(text):
    assert extract_facts(text) == []


def test_a_rate_after_an_amount_stays_a_rate():
    assert extract_facts("Take 2 tablets a day. Drink 8 glasses a day.") == ["1x/day", "2 tablet", "8 glass"]


@pytest.mark.parametrize("text", [
    "Your mom is 82, so this matters.",
    "My dad just turned 90 and still drives.",
    "I'm 100% sure you're doing great. It's a hundred percent normal.",
    "Caregiving can feel like a 36-hour day.",
    "Try the 4-7-8 breathing technique or the 5-4-3-2-1 exercise.",
    "She fell on 3-15-2024.",
])
def test_ages_in_passing_sayings_and_dates_are_no_facts(text):
    assert extract_facts(text) == []


def test_an_age_limit_a_distance_and_a_share_stay_facts():
    assert extract_facts("Her father is 45 minutes away.") == ["45 minute"]
    assert extract_facts("About 100% of the dose is absorbed.") == ["100%"]
    assert extract_facts("Adults 65 and older.") == ["65"]


def test_a_gold_span_that_holds_two_meals_reads_as_both():
    assert canonical("with breakfast and dinner") == SEP.join(["with breakfast", "with dinner"])


@pytest.mark.parametrize("text,facts", [
    ("Give her Extra Strength 500 mg tablets.", ["500 mg"]),
    ("The usual Dose 10 mg is fine; Maximum 4000 mg per day.", ["10 mg", "1x/day", "4000 mg"]),
    ("Take your Morning 10 mg pill, then Evening 5 mg.", ["10 mg", "5 mg"]),
    ("She was given Quellix 40 mg at night.", ["1x/night", "40 mg", "quellix"]),  # a name the lexicon lacks stays one
])
def test_a_word_of_the_dose_before_it_is_no_drug_name(text, facts):
    assert extract_facts(text) == facts


@pytest.mark.parametrize("text,facts", [
    ("About two-thirds of people with Alzheimer's are women.", ["0.667", "alzheimer's disease"]),
    ("She got a third dose of the vaccine.", []),  # an ordinal
    ("Give a third of a tablet.", ["0.333 tablet"]),
])
def test_shares_in_words_and_ordinals(text, facts):
    assert extract_facts(text) == facts


@pytest.mark.parametrize("text", [
    "A 2019 study found that music helps.",
    "The 2020 guidelines suggest rest. As of 2023, it is approved.",
    "My husband of 50 years is kind.",
    "We've been married 40 years.",
])
def test_the_year_of_a_source_and_the_years_of_a_marriage_are_no_facts(text):
    assert extract_facts(text) == []


@pytest.mark.parametrize("text,facts", [
    ("It was a stroke of luck that she called.", []),
    ("Managing all this can be a real headache.", []),
    ("She had a stroke and gets headaches.", ["headache", "stroke"]),
])
def test_a_condition_name_in_an_idiom_is_no_condition(text, facts):
    assert extract_facts(text) == facts
