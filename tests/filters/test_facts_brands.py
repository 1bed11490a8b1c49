"""The rules added for the fifth labeled set's wordings: brand <-> generic swaps of the drugs caregivers meet, warm
rewrites and their non-fact traps (one test per rule; each failed before the rule was written)."""

import pytest

from filters import facts_diff
from filters.facts import canonical, extract_facts, lexicon


# ---------------------------------------------------------------- brand = generic, one fact per drug
@pytest.mark.parametrize("brand,generic", [
    ("Namenda XR", "memantine"), ("Comtan", "entacapone"), ("Gocovri", "amantadine"), ("Xadago", "safinamide"),
    ("Onglyza", "saxagliptin"), ("Byetta", "exenatide"), ("Apidra", "insulin glulisine"), ("Semglee", "insulin glargine"),
    ("Arixtra", "fondaparinux"), ("Demadex", "torsemide"), ("Inspra", "eplerenone"), ("Multaq", "dronedarone"),
    ("Incruse Ellipta", "umeclidinium"), ("Pulmicort", "budesonide"), ("Daliresp", "roflumilast"), ("Proventil", "albuterol"),
    ("Omnicef", "cefdinir"), ("Macrodantin", "nitrofurantoin"), ("Vibramycin", "doxycycline"), ("Bactroban", "mupirocin"),
    ("Toradol", "ketorolac"), ("MS Contin", "morphine"), ("Roxanol", "morphine"), ("Robinul", "glycopyrrolate"),
    ("Levsin", "hyoscyamine"), ("Transderm Scop", "scopolamine"), ("Viibryd", "vilazodone"), ("Invega", "paliperidone"),
    ("Vraylar", "cariprazine"), ("Rozerem", "ramelteon"), ("Halcion", "triazolam"), ("Linzess", "linaclotide"),
    ("Milk of Magnesia", "magnesium hydroxide"), ("Citrucel", "methylcellulose"), ("Toviaz", "fesoterodine"),
    ("Austedo", "deutetrabenazine"), ("Uloric", "febuxostat"), ("Xyzal", "levocetirizine"), ("Dramamine", "dimenhydrinate"),
])
def test_a_brand_and_its_generic_are_one_drug(brand, generic):
    facts = extract_facts(f"Give the {brand} as prescribed.")
    assert facts == extract_facts(f"Give the {generic} as prescribed.") and generic in facts
    assert set(facts) <= {generic, "insulin"}  # a kind of insulin names insulin too


@pytest.mark.parametrize("brand,pair", [
    ("Percocet", "oxycodone/acetaminophen"), ("Norco", "hydrocodone-acetaminophen"), ("Suboxone", "buprenorphine/naloxone"),
    ("Tylenol PM", "acetaminophen/diphenhydramine"), ("Senokot-S", "senna/docusate"), ("Lomotil", "diphenoxylate/atropine"),
    ("Vytorin", "ezetimibe/simvastatin"), ("Anoro Ellipta", "umeclidinium/vilanterol"),
])
def test_a_combination_brand_is_the_combination_not_one_of_its_drugs(brand, pair):
    assert extract_facts(f"She takes {brand}.") == extract_facts(f"She takes {pair}.")
    assert len(extract_facts(f"She takes {brand}.")) == 1


def test_a_lexicon_line_that_repeats_a_listed_name_adds_to_that_entry():
    drug = lexicon()["drug"]
    assert drug["feosol"] == drug["iron pills"] == drug["ferrous sulfate"] == "iron"
    assert drug["b12"] == drug["cyanocobalamin"] == "vitamin b12"
    assert drug["depakene"] == "valproate" and drug["aimovig"] == "erenumab"


def test_a_capitals_only_name_does_not_start_a_longer_name():
    assert extract_facts("Give MS Contin 15 mg.") == ["15 mg", "morphine"]  # no multiple sclerosis
    assert extract_facts("She has MS.") == ["multiple sclerosis"]


def test_new_topical_and_supplement_names():
    assert extract_facts("Put on a thin layer of bacitracin.") == ["bacitracin"]
    assert extract_facts("Give the potassium pill.") == extract_facts("Give the potassium chloride.") == ["potassium chloride"]
    assert extract_facts("Give APAP 650 mg.") == ["650 mg", "acetaminophen"]


def test_a_kind_of_insulin_names_insulin_too():
    # "insulin" -> "Humalog": the kind is added, no insulin is lost
    assert facts_diff("Insulin should be given before dinner.", "Humalog before dinner. 6 units.") == (
        [], ["6 unit", "insulin lispro"])
    # "Lantus" -> "Insulin at night ... Lantus": no insulin added
    assert facts_diff("Give Lantus 20 units.", "Insulin can feel like a lot. Lantus 20 units.") == ([], [])
    assert canonical("Humalog") == "insulin lispro"  # a labeled span stays the kind


# ---------------------------------------------------------------- equal forms
@pytest.mark.parametrize("a,b", [
    ("Give 4 ounces of juice.", "Give half a cup of juice."),
    ("Give 1 teaspoon.", "Give 5 mL."),
    ("Give 1 tablespoon.", "Give 15 mL."),
    ("Keep it dry for 48 hours.", "Keep it dry for the first two days."),
    ("Redness more than 2 centimeters.", "Redness beyond 2 cm."),
    ("No more than 3,000 mg in 24 hours.", "The daily limit is 3,000 mg in 24 hours."),
    ("No more than 3,000 mg in 24 hours.", "Keep it under 3000 mg in a day."),
    ("Add a dose of Miralax.", "Add one dose of polyethylene glycol."),
    ("Check it at 8 a.m., noon, and 4 p.m.", "Check it at 8 a.m., 12 p.m. and 4 p.m."),
    ("Call if his sugar is under 80 in the morning.", "Morning sugar below 80: call."),
    ("Give the dose at bedtime.", "Give the bedtime dose."),
    ("Lorazepam 0.5 mg for anxiety.", "Ativan 0.5 mg when she's anxious."),
    ("Sertraline for depression.", "Sertraline, since he seems depressed."),
    ("Call if her temperature is over 100.4.", "Call if she has a fever over 100.4."),
    ("Call if his temperature goes up.", "Call if he has a fever."),
])
def test_equal_forms_of_the_fifth_set(a, b):
    assert extract_facts(a) == extract_facts(b), (extract_facts(a), extract_facts(b))


@pytest.mark.parametrize("text,facts", [
    ("Give 4 ounces of juice.", ["4 oz"]),
    ("Keep it dry for 48 hours.", ["2 day"]),
    ("Up to 4 doses in 24 hours.", ["1x/day", "4 dose"]),
    ("Give her morning insulin.", ["1x/morning", "insulin"]),
    ("Call if her temperature is over 100.4.", ["100.4", "fever"]),
    ("Seroquel can cause dizziness and falls.", ["dizziness", "falls", "quetiapine"]),
    ("Check her hip after a fall.", ["falls"]),
    ("She is at higher risk of falling.", ["falls"]),
])
def test_facts_of_the_new_rules(text, facts):
    assert extract_facts(text) == facts


@pytest.mark.parametrize("text", [
    "You may feel anxious, and that is normal.",  # a mood of the reader
    "Enjoy your morning coffee.",
    "Keep the room temperature above 68.",
    "She falls asleep easily.",
    "If her sugar keeps falling, call.",
    "If it falls under 50% of her best, call.",
    "A fall in blood pressure can make her dizzy.",
    "Use a shower chair to prevent falls.",
    "A walker can reduce his risk of falls.",
    "She missed a dose.",
    "Burning the midnight oil helps no one.",
    "Get her a fall alarm pendant.",
    "Many people take aspirin every day.",  # not the reassurance: the drug and the rate stay
])
def test_what_the_new_fact_rules_leave_alone(text):
    facts = extract_facts(text)
    assert not {"anxiety", "1x/morning", "fever", "falls", "1 dose", "12am"} & set(facts), facts


# ---------------------------------------------------------------- not facts of a warm rewrite
@pytest.mark.parametrize("text", [
    "Here are 2 extras that help: 1. a warm blanket, 2. gentle stretching.",
    "Millions of families manage this every day, and you're not alone.",
    "You're 100% doing the right thing by watching.",
    "100% of what you can do is enough.",
    "Give it 100% and rest too.",
    "There's a caregiver support group that meets every Tuesday.",
    "The memory cafe meets on Fridays.",
    "The support group meets monthly.",
    "Infections like this are really common, so please don't worry.",
    "Little changes add up, one night at a time.",
    "You'll get more confident with each day.",
    "Think twice before you worry.",
    "Some days it feels twice as hard.",
])
def test_warm_rewrite_traps_are_no_facts(text):
    assert extract_facts(text) == []


def test_real_facts_stay_next_to_the_traps():
    assert extract_facts("Many people take aspirin every day.") == ["1x/day", "aspirin"]
    assert extract_facts("Give it every Tuesday.") == ["1x/week", "tuesday"]  # a dosing day, not a group's
    assert extract_facts("Take it every day.") == ["1x/day"]
    assert extract_facts("Keep oxygen above 88%; you're doing great.") == ["88%"]
    assert extract_facts("Tips: 1. give 5 mg, 2. give water.") == ["5 mg"]
