"""Fact preservation: the numbers, doses, units, frequencies, durations and drug / condition names of a text.

Facts are extracted with Rust regexes over whole polars columns and normalized to canonical strings, so
that a plain-language rewrite that says the same thing differently still matches:

* quantities: ``"5mg"`` = ``"5 mg"`` = ``"five milligrams"`` -> ``"5 mg"``; ranges ``"5–10 mg"`` = ``"5 to 10 mg"``
  -> ``"5-10 mg"``; durations ``"for two weeks"`` -> ``"2 week"``; ``"half a tablet"`` -> ``"0.5 tablet"``.
* frequencies: ``"twice daily"`` = ``"2 times a day"`` = ``"BID"`` -> ``"2x/day"``; ``"every 4 to 6 hours"`` ->
  ``"every 4-6 hour"``; ``"every other day"`` -> ``"every 2 day"``; ``"once or twice a day"`` -> ``"1-2x/day"``;
  ``"once every two weeks"`` = ``"every fortnight"`` -> ``"every 2 week"``; ``"once-weekly"`` -> ``"1x/week"``;
  ``"every 6 hrs"`` = ``"every 6h"`` = ``"6-hourly"`` -> ``"every 6 hour"``; ``"every 5 minutes"`` ->
  ``"every 5 minute"`` (an interval, unlike ``"for 5 minutes"``); one unit per interval (``"every 60 minutes"`` =
  ``"hourly"``, ``"every 1.5 hours"`` = ``"every 90 minutes"``); ``"7 days a week"`` = ``"daily"``; ``"quarterly"`` =
  ``"every 3 months"``, ``"semiannually"`` = ``"every 6 months"``; ``"biweekly"`` / ``"bimonthly"`` stay themselves
  (they mean either).
* a time of day is when a dose is given: ``"in the morning"`` = ``"every morning"`` = ``"each morning"`` ->
  ``"1x/morning"`` (likewise evening); ``"at night"`` = ``"at bedtime"`` = ``"before bed"`` = ``"during the
  night"`` = ``"nightly"`` -> ``"1x/night"``; ``"once in the morning"`` -> ``"1x/morning"``; ``"morning and evening"``
  -> ``"1x/morning"`` + ``"1x/evening"``; ``"before she goes to bed"`` = ``"when going to sleep"`` = ``"at bedtime"``;
  ``"upon waking"`` = ``"on rising"`` = ``"in the morning"`` (not ``"when he wakes up"``: at night as often).
* a meal is when a dose is given too: ``"with breakfast"`` = ``"at breakfast"`` -> ``"with breakfast"``; ``"with
  supper"`` = ``"with the evening meal"`` -> ``"with dinner"``; ``"before each meal"`` = ``"before eating"`` =
  ``"before you eat"`` -> ``"before meals"``; ``"with food"`` = ``"with a meal"`` -> ``"with meals"``; ``"with
  breakfast, lunch and dinner"`` -> one fact per meal.  Not a time: a meal as a task (``"help with meals"``,
  ``"trouble with eating"``), ``"Meals on Wheels"``, a meal among other things (``"with meals, walks and bedtime"``).
* a day of the week, every week: ``"every Monday"`` = ``"on Mondays"`` -> ``"1x/week"`` + ``"monday"``; ``"every
  Monday, Wednesday and Friday"`` -> ``"3x/week"`` + the days (``"on Monday"`` alone is one date); ``"every third
  day"`` = ``"every 3 days"``.
* a clock time is one fact: ``"8 a.m."`` = ``"8 AM"`` = ``"8:00 am"`` -> ``"8am"``; ``"10:30"`` -> ``"10:30"``; a
  24-hour time past noon is that p.m. time (``"21:00"`` = ``"9 p.m."``); ``"at noon"`` = ``"12 p.m."``, ``"at
  midnight"`` = ``"12 a.m."``.
* prescription shorthand: ``"q4h"`` / ``"q 4-6 h"`` -> ``"every 4 hour"`` / ``"every 4-6 hour"``, ``"q3d"``,
  ``"qod"`` = every other day, ``"qAM"`` / ``"qPM"`` = every morning / evening, ``"qHS"`` / ``"q.h.s."`` = at
  bedtime (``"1x/night"``), ``"TID"``, ``"QID"``, ``"QD"``.
* a count and a strength of one dosage form: ``"one 28 mg memantine capsule"`` = ``"1 capsule of memantine 28 mg"``
  -> ``"1 capsule"`` + ``"28 mg"`` + the drug; one of a measure: ``"put a drop in each eye"`` = ``"1 drop"``, ``"a
  teaspoon of"`` = ``"1 tsp"``, ``"a single dose"`` = ``"a one-time dose"`` = ``"one dose"`` (``"he takes a pill"``
  names a medicine, it counts none); a word that says which kind of the form is dropped (``"2 chewable tablets"`` =
  ``"2 tablets"``, ``"one eye drop"`` = ``"1 drop"``, ``"two nasal sprays"``); ``"one or two tablets"`` = ``"1 to 2
  tablets"`` and ``"one or two times a day"`` = ``"1-2x/day"`` (the idiom ``"one or two"`` has no unit); a "-ful"
  measure is a unit (``"1 capful"``, ``"a scoopful"``), ``"caplet"`` = ``"tablet"``, ``"softgel"`` = ``"capsule"``,
  ``"inhalation"`` = ``"puff"``.
* more numbers: fractions ``"1/2"`` = ``"½"`` = ``"half"`` -> ``"0.5"``, ``"a quarter"`` = ``"1/4"`` -> ``"0.25"``,
  ``"one-third"`` -> ``"0.333"``, ``"two and a half"`` = ``"2 1/2"`` = ``"2½"`` -> ``"2.5"``, ``".5"`` -> ``"0.5"``;
  ``"ten thousand"`` -> ``"10000"``, ``"two hundred"`` -> ``"200"``; a share in words, ``"two-thirds of people"`` ->
  ``"0.667"`` (``"a third"`` / ``"a fourth"`` before a unit is an ordinal: ``"a third dose"`` is none); ``"half of a
  tablet"`` / ``"a quarter of an hour"`` / ``"an hour and a half"`` (``"an hour"`` alone = ``"1 hour"``).
* ranges are one fact: ``"5 mg to 10 mg"`` = ``"between 5 and 10 mg"`` -> ``"5-10 mg"``; bare numbers too:
  ``"between 2 and 3"`` = ``"2 to 3"`` -> ``"2-3"`` (``"2 or 3"`` stays two numbers).
* one unit per amount: grams -> mg (``"3 g"`` = ``"3,000 mg"`` -> ``"3000 mg"``), liters -> mL (``"1.5 liters"`` =
  ``"1,500 mL"``), under 1 mg in mcg and 1,000 mcg and up in mg (``"0.5 mg"`` = ``"500 mcg"``, ``"1000 mcg"`` = ``"1
  mg"``); lab units ``"ng/mL"``, ``"g/dL"``, ``"mg/L"`` ...; hours and minutes -> whole hours,
  else minutes (``"1.5 hours"`` = ``"90 minutes"``, ``"120 minutes"`` = ``"2 hour"``); whole weeks of days (``"14
  days"`` -> ``"2 week"``); ``"liters per minute"`` = ``"L/min"``; ``"4 fl. oz"`` = ``"4 fluid ounces"`` = ``"4 oz"``;
  ``"10 U"`` = ``"10 units"``; ``"5 mls"`` = ``"5 mL"``; ``"2 tbsps"``, ``"5 ft"``, ``"mg per kg"`` = ``"mg/kg"``;
  whole days of hours (``"48 hours"`` = ``"two days"`` -> ``"2 day"``); kitchen measures in the dose's unit, as a
  dosing cup / spoon marks them (a cup = 8 oz: ``"half a cup"`` = ``"4 ounces"``; a teaspoon = 5 mL, a tablespoon =
  15 mL); ``"2 centimeters"`` = ``"2 cm"`` (likewise mm);
  ``"mEq"`` = ``"milliequivalents"``; ``"IU"`` = ``"units"``; ``"per cent"`` = ``"percent"`` = ``"%"``; temperatures
  ``"100.4 degrees F"`` = ``"100.4°F"`` -> ``"100.4 °f"`` (likewise ``"°c"``; a bare ``"degrees"`` stays ``"degree"``:
  it is an angle as often), and a body temperature without its degree sign: ``"100.4 F"``, ``"38 C"``.
* an age is its number: ``"65 years and older"`` = ``"65 years old"`` = ``"a 65-year-old"`` = ``"aged 65"`` -> ``"65"``.
* the size of a named list is a fact: ``"the 10 warning signs of"`` -> ``"10"`` (unlike ``"here are 3 tips:"``).
* a period on its own is a rate, however it is written: ``"daily"`` = ``"a day"`` = ``"per day"`` = ``"each day"``
  = ``"every day"`` -> ``"1x/day"`` (likewise night / week / month / year, and ``"hourly"`` = ``"every hour"`` ->
  ``"1x/hour"``), so ``"6 to 8 cups a day"`` and ``"6 to 8 cups daily"`` both give ``"6-8 cup"`` + ``"1x/day"``.
  It is read as "per <period>", not as a literal "once": the amount before it stays its own fact.  Not a rate:
  ``"for / in / within / after / over / about / than / to / during / on a week"``, ``"a day or two"``, ``"a week
  ago / later / earlier / before / off"``, ``"a day at a time"``, ``"a night-light"`` (no fact, as before), and a span
  a person takes, spends or waits: ``"take a day for yourself"``, ``"it can take a month"``, ``"spend a night
  away"``, ``"feel like a year"``, ``"a day out"``.
* a count of days, nights, mornings or evenings in a week / month / year is a frequency: ``"5 days a week"`` =
  ``"5 days each week"`` = ``"five days per week"`` = ``"5 times a week"`` -> ``"5x/week"``.  The period phrase
  is part of that frequency and adds no ``"1x/week"`` of its own; a count of hours or minutes is an amount
  (``"7 hours a night"`` -> ``"7 hour"`` + ``"1x/night"``).
* bare numbers (``"over 65"``) -> ``"65"``; a count written as a word is the same number (``"three small meals"``
  = ``"3 small meals"`` -> ``"3"``; ``"one"`` is left out, and so are ``"the two of you"``, ``"one or two"``);
  ``"two to four"`` = ``"2 to 4"`` = ``"2-4"`` -> ``"2-4"``; a bare ``"1"`` is ``"one"``, no fact either (``"one at 8
  a.m."`` = ``"1 at 8 a.m."``); ``"140/90"`` = ``"140/90 mmHg"`` = ``"140 over 90"`` -> ``"140"`` + ``"90"``; a ratio
  ``"1 in 9"`` = ``"one in nine"`` -> ``"1"`` + ``"9"``.
* more equal forms: ``"a 20-minute walk"`` -> ``"20 minute"``; ``"half an hour"`` -> ``"30 minute"``; ``"every 72
  hours"`` = ``"every 3 days"`` -> ``"every 3 day"``, ``"every 24 hours"`` = ``"daily"`` -> ``"1x/day"``; a limit
  ``"3,000 mg in a day"`` = ``"3000 mg a day"`` -> ``"3000 mg"`` + ``"1x/day"``, and the period of a limit ``"in 24
  hours"`` / ``"in any 24-hour period"`` is that day (``"4 doses in 24 hours"`` -> ``"4 dose"`` + ``"1x/day"``, so
  ``"the daily limit is 3,000 mg"`` keeps it); a plural of a lexicon name is the name (``"urinary tract
  infections"`` = ``"UTI"``); ``"add a dose of Miralax"`` = ``"add one dose of"`` -> ``"1 dose"`` (a dose given,
  taken, added, missed; ``"missed a dose"`` alone counts none).
* a time of day before a dose or a reading is that time: ``"the morning dose"`` = ``"the dose in the morning"``,
  ``"morning sugar below 80"`` = ``"sugar under 80 in the morning"`` -> ``"1x/morning"``, ``"bedtime pills"`` ->
  ``"1x/night"`` (the words after it keep their facts: ``"morning insulin"`` -> ``"1x/morning"`` + ``"insulin"``;
  ``"morning coffee"`` is none); a bare ``"noon"`` / ``"midnight"`` is that clock time (``"at 8 a.m., noon, and 4
  p.m."``; not ``"the midnight oil"``).
* a condition said in other words: a mood word said of the person cared for names the condition (``"for anxiety"``
  = ``"when she's anxious"``, ``"he seems depressed"``, ``"it makes her anxious"``; said of the reader it stays none:
  ``"you may feel anxious"``); a body temperature over a threshold, or going up, is a fever (``"if her temperature
  is over 100.4"`` -> ``"fever"`` + ``"100.4"``, = ``"a fever over 100.4"``; ``"her temperature goes up"``; not a
  room's or a bath's temperature); ``"falls"`` / ``"a fall"`` / ``"risk of falling"`` are the condition falls (not
  the verb: ``"falls asleep"``, ``"if it falls under 50%"``, ``"if her sugar keeps falling"``; not ``"a fall in
  blood pressure"``; not a safety tip's purpose: ``"to prevent falls"``, ``"reduce his risk of falls"``).
* drug and condition names from the team-written lexicon (``data/lexicon/*.txt``: generic name, then brand
  names / lay synonyms), so ``"Aricept"`` = ``"donepezil"`` and ``"high blood pressure"`` = ``"hypertension"``;
  a lexicon name ``"trouble / difficulty <verb>ing"`` is matched in every such wording (``"trouble swallowing"`` =
  ``"difficulty swallowing"`` = ``"struggles with swallowing"`` = ``"swallowing problems"``); a condition named by
  what a person does is the same in the verb's "-s" / "-ed" forms (``"he wanders"`` = ``"wandering"``, ``"she
  vomited"`` = ``"vomiting"``, ``"passed out"``); the lexicon lists a condition's adjective as a synonym where it says
  the same (``"constipated"``, ``"dehydrated"``, ``"diabetic"``, ``"dizzy"``; not mood words such as ``"anxious"`` or
  ``"depressed"``, which a kind rewrite adds about the reader); a bare ``"pain"`` is a
  symptom word, no condition (named pains are: ``"chest pain"``, ``"back pain"``, ``"chronic pain"``);
  two drugs joined by "-" / "/" are one combination fact, however ordered or named (``"levodopa/carbidopa"`` =
  ``"Sinemet"`` -> ``"carbidopa-levodopa"``; a joined non-drug word is dropped: ``"aspirin-free"`` -> ``"aspirin"``);
  a name written in capitals in the lexicon (``"MS"``, ``"AD"``, ``"APAP"``) is matched in that case only (``"Ms.
  Lee"`` is none); a brand of a combination is the combination (``"Percocet"`` = ``"oxycodone/acetaminophen"``,
  ``"Norco"``, ``"Suboxone"``, ``"Tylenol PM"``, ``"Trelegy"``); the lexicon lists the common brands of the drugs
  caregivers meet (dementia, Parkinson's, diabetes, blood thinners, heart failure, inhalers, antibiotics and wound
  care, pain, hospice comfort medicines, antidepressants, antipsychotics, sleep, bowel, bladder, over the counter), and
  a lexicon line whose first name an earlier line lists adds to that entry (one drug, one canonical name); a drug
  that is a kind of another listed drug names that family too (``"Lantus"`` -> ``"insulin glargine"`` + ``"insulin"``,
  so ``"give the insulin"`` -> ``"give the Humalog"`` adds ``"insulin lispro"`` and loses no ``"insulin"``; a labeled
  span's ``canonical`` stays the kind);
  plus two casing / morphology heuristics for drugs the lexicon lacks: a drug-class suffix (``-pril``,
  ``-sartan``, ``-statin``, ``-mab`` ...) and a capitalized word right before a dose (``"of Zyntrax 20 mg"``; not a
  word of the dose itself: ``"Extra Strength 500 mg"``, ``"Maximum 4000 mg"``, ``"your Morning 10 mg pill"``).

Not facts (matched first and dropped; ``not_facts=False`` turns these off, for a baseline):

* list markers: ``"1."`` / ``"2)"`` / ``"(3)"`` / ``"Step 4:"`` / ``"Step two:"`` / ``"Step 2 of 4"`` at the start of a
  line or after a sentence's end, ``"steps 1-3"``, ``"Option 2"``,
  inline ``"1) ... 2) ..."`` (1-19 after a space, not after ``"over"`` / ``"to"`` / ``"than"`` ...), ``"(3)"``
  anywhere, ``"Tip 2"`` / ``"Part 3"`` / ``"#4"``; the count of a list's items (``"3 steps:"``, ``"five ways to"``,
  ``"2 reminders:"``, ``"4 pointers for"``), whatever the items are called after ``"here are"`` / ``"the following"``
  (``"here are 2 reminders:"``).
* phone numbers: ``1-800-272-3900``, ``800-272-3900``, ``(800) 272-3900``, ``800.272.3900``, ``1 800 272 3900``,
  with ``"ext. 12"``; a toll-free number spelled in letters (``"1-800-4PD-INFO"``, ``"800-273-TALK"``: no name in
  it either, ``"1-800-FLU-SHOT"``); ``"TTY: 711"``, ``"call 911"`` / ``"9-1-1"``, ``"text 988"``, a text short code
  (``"text HOME to 741741"``); a local 7-digit number after a
  word that introduces one (``"the poison control line at 555-0110"``), in the fictional 555 exchange, or with its last
  four digits starting with 0.
* where and when, not what: street addresses (``"45 Maple Avenue"``, ``"1200 Oak Street, Suite 300"``, ``"Room 204"``,
  ``"P.O. Box 12"``, ``", IL 60601"``; original case), calendar dates (``"March 3"``, ``"3 March"``, ``"March 3,
  2019"``, ``"May 2020"``, ``"3/15/2024"``, ``"3-15-2024"``), the year of an event or a source (``"back in 2019"``,
  ``"opened in 2015"``, ``"a 2019 study"``, ``"the 2020 guidelines"``, ``"as of 2023"``; ``"in 2000 mg doses"`` stays an
  amount), the years of a marriage (``"my husband of 50 years"``, ``"married 40 years"``), and a person's age in
  passing (``"your 82-year-old father"``, ``"your mom is 82"``, ``"my dad just turned 90"``; an age limit stays a
  fact: ``"adults 65 and older"``, ``"a 70-year-old woman"``).
* inline list markers after a comma: ``"Here are 2 extras: 1. a warm blanket, 2. gentle stretching"``.
* reassurance: what other families do every day (``"millions of families manage this every day"``); ``"100%"`` said
  of the reader (``"you're 100% doing the right thing"``, ``"100% of what you can do is enough"``, ``"give it
  100%"``); the reader's problem named again (``"infections like this are really common"``); a support group's
  meeting days (``"a support group that meets every Tuesday"``, ``"the group meets monthly"``: a resource, not a
  schedule of care); more idioms of time (``"one night at a time"``, ``"with each day"``, ``"day after day"``,
  ``"think twice"``, ``"twice as hard"``).
* web addresses and emails: ``https://...``, ``www....``, ``alz.org``, ``nia.nih.gov/health``, ``help@alz.org``.
* organization names, even with a condition or drug inside: a capitalized name (words joined by of / on / for /
  and / the / &) that ends in Association / Foundation / Society / Institute / Center / Centre / Alliance /
  Network / Council / Coalition / Federation / Organization / Program / Research UK / UK / Clinic / Hospital /
  Helpline / International ..., optionally ``"of America"`` / ``"on Aging"`` (``"Alzheimer's Association"``,
  ``"National Institute on Aging"``, ``"Lewy Body Dementia Association"``), read in the original case; plus the
  team-written list ``data/lexicon/organizations.txt`` in any case.
* "daily" / "day" that is no dosing or activity rate: ``"daily activities / life / living / routine(s) / tasks /
  care / schedule ..."``, ``"activities of daily living"``, ``"day-to-day"``, ``"day by day"``, ``"each day
  brings"``, ``"every day is different"``, ``"a day program / center / care"``, ``"one day she ..."``.
* ``"as needed"`` / ``"PRN"`` / ``"if needed"`` / ``"when needed"``: when to give a dose, not an amount or rate.
* ``"in one month"`` is a span like ``"in a month"``; a percentage over a period is no limit (``"5% in a month"`` ->
  ``"5%"``, while ``"3,000 mg in a day"`` -> ``"3000 mg"`` + ``"1x/day"``).
* idioms: ``"one day at a time"``, ``"no one"``, ``"one of the"``, ``"a hundred times"``, ``"24/7"`` = ``"a 24-hour
  helpline"`` = ``"24 hours a day, 7 days a week"`` = ``"around the clock"``, ``"one-to-one"``, ``"at once"``,
  ``"once you / she / the ..."``, ``"once in a while"``, ``"the two of you"``, ``"one or two"``; certainty
  (``"100% sure"``, ``"a hundred percent normal"``, ``"not 100% your fault"``); ``"a 36-hour day"`` (the caregivers'
  saying); a condition's name in an idiom (``"a stroke of luck"``, ``"a real headache"``); a chain of three or more
  small numbers names a method (``"4-7-8 breathing"``, ``"the 5-4-3-2-1 exercise"``).

Real facts stay facts: ``"take 5 mg daily"`` -> ``"5 mg"`` + ``"1x/day"``; ``"walk 30 minutes a day"`` ->
``"30 minute"`` + ``"1x/day"``; ``"once daily"`` -> ``"1x/day"``; ``"(over 65)"`` -> ``"65"``.

A labeled span with words around its fact (``"for 10 days"``) reads as the fact(s) it holds (``canonical``).
The Rust patterns use ASCII ``\\b`` / ``\\s`` / ``\\d`` / ``\\w``, and the text is read in three passes, each one's
matches blanked out before the next: the word phrases (meal and other dose times, week days, the not-facts that start
with a word), then the lexicon names (with web addresses and listed organizations), then the number patterns: each
alternation stays in the lazy DFA, and the names keep their fast literal search (see ``_extractor``).

``facts_lost_<col>`` = facts of the source missing from the variant, ``facts_added_<col>`` = facts of the
variant the source lacks.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl

from curate.core.schema import CHOSEN, REJECTED, SOURCE_ANSWER
from filters.base import STR_LIST, BatchFilter
from filters.columns import HAS_SOURCE_COL
from filters.config import FilterConfig

LEXICON_DIR = Path(__file__).parent / "data" / "lexicon"

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_INT = (r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_ONES) + r"))?|" + "|".join(_TEENS + _ONES) + r")")
# fractions in words and digits: "a quarter", "one-third", "two thirds", "three-quarters", "1/2", "3/4"
# ("a third" / "a fourth" before a unit is an ordinal, "a third dose": a fraction only with "of", in _QTY_FRACTION)
_FRAC_WORD = (r"(?:a[- ]quarter|one[- ](?:quarter|third|fourth|fifth|eighth)|(?:two|three|four)[- ](?:thirds|quarters|fourths|fifths)"
              r"|three[- ]eighths)")
_FRAC_DIGIT = r"(?:\b[1-7]/[2-58]\b)"
# a whole number and a fraction: "two and a half", "1 and a half", "1 1/2", "2 3/4"
_MIXED = (r"(?:(?:\d+|" + _WORD_INT + r")\s+and\s+(?:a\s+)?(?:half|quarter|third|" + _FRAC_WORD + r")"
          r"|\d+\s+" + _FRAC_DIGIT + r")")
_NUMWORD = (
    r"(?:" + _MIXED + r"|(?:\d+(?:\.\d+)?|" + _WORD_INT + r"|a|one)[- ]thousand|" + _WORD_INT + r"[- ]hundred(?:[- ](?:and[- ])?"
    + _WORD_INT + r")?|" + _FRAC_WORD + r"|" + _WORD_INT
    + r"|a half|one half|half|a hundred|one hundred|hundred|a dozen|dozen|thousand)"
)
_NUM = r"(?:" + _FRAC_DIGIT + r"|\d+(?:,\d{3})*(?:\.\d+)?|\.\d+|" + _NUMWORD + r")"
_RANGE = r"(?:between\s+)?" + _NUM + r"(?:\s*(?:-to-|-|to|or|and)\s*" + _NUM + r")?"
_UNIT = (
    r"(?:(?:mg/kg|(?:mg|milligrams?) per (?:kg|kilograms?)|mg/dl|mmol/l|meq/l|ng/ml|pg/ml|mcg/ml|mg/ml|g/dl|mg/l|u/l|mcg/hr|mcg/hour|units?/kg|l/min|liters? per minute|"
    r"litres? per minute|mcg|micrograms?|mg|milligrams?|kg|kilograms?|grams?|g|mls?|milliliters?|millilitres?|"
    r"cc|liters?|litres?|l|iu|international units?|units?|u|mmhg|mm hg|meq|milliequivalents?|percent|per cent|hours?|hrs?|hr|h|"
    r"minutes?|mins?|seconds?|secs?|days?|weeks?|wks?|months?|years?|yrs?|tablets?|tabs?|pills?|capsules?|caps?|drops?|puffs?|"
    r"sprays?|patch(?:es)?|doses?|cups?|glasses?|fluid ounces?|fl\.? oz|ounces?|oz|lbs?|pounds?|servings?|steps?|calories|kcal|"
    r"teaspoon(?:ful)?s?|tsps?|tablespoon(?:ful)?s?|tbsps?|bpm|beats per minute|breaths per minute|"
    r"degrees?\s+(?:fahrenheit|celsius|centigrade|f|c)|degrees?|inches|inch|feet|foot|ft|"
    r"cm|mm|meters?|metres?|miles?|km|kilometers?|kilometres?|gallons?|quarts?|pints?|packets?|sachets?|scoops?|lozenges?|"
    r"suppositor(?:y|ies)|injections?|shots?|sessions?|years? old|drinks?|nights?|times?|"
    r"(?:cap|scoop|spoon|dropper|applicator|syringe)fuls?|caplets?|gelcaps?|softgels?|vials?|ampoules?|ampules?|inhalations?)\b|%|°\s?[cf]\b|°)"
)
_PERIOD = r"(?:day|week|month|year|night|hour|morning|evening)"
_PER_WORD = r"(?:daily|weekly|monthly|yearly|annually|nightly|hourly)"
# "5 days a week", "3 to 5 nights per week": a count of days (nights, mornings, evenings) in a longer period
_DAYS_PER = (
    _RANGE + r"\s*(?:days?|nights?|mornings?|evenings?)\s*(?:(?:a|per|each|every|/)\s*(?:week|month|year)\b"
    r"|weekly|monthly|yearly|annually)"
)
_ONCE = r"(?:once|twice|thrice|" + _RANGE + r"\s*(?:times?|x))"
# a time of day is when a dose is given, whatever the words: "in the morning" = "every morning" -> "1x/morning";
# "at night" = "at bedtime" = "before bed" = "nightly" -> "1x/night" ("in the afternoon" is left out: it is the
# time of a symptom as often, "confused in the late afternoon", and "afternoon light" says it too)
_TIME_OF_DAY = (r"(?:in\s+the\s+(?:morning|evening)s?|(?:in\s+the\s+)?morning\s+and\s+(?:in\s+the\s+)?(?:evening|night)"
                r"|(?:at|during\s+the|in\s+the)\s+night|at\s+bed\s?time|before\s+bed(?:time)?)")
# "every 6 hrs" = "every 6 h" = "every 6 hours"; "every 5 minutes" is an interval too
_EVERY_UNIT = r"(?:" + _PERIOD + r"|minute|min|hr|h|wk|yr)s?"
# prescription shorthand: "q4h" / "q 4-6 h" (every 4 / 4-6 hours), "qod" (every other day), "qam" / "qpm" (every
# morning / evening), "qhs" (at bedtime); "prn" / "as needed" / "if needed" is no fact (see _AS_NEEDED)
_Q_ABBREV = (
    r"q\.?\s?\d+(?:\.\d+)?(?:\s?-\s?\d+)?\s?(?:h|hrs?|hours?)|q\.?\s?\d+\s?(?:d|days?)|q\.?\s?\d+\s?(?:wks?|weeks?)"
    r"|qod|q\.o\.d\.?|qam|q\.a\.m\.?|qpm|q\.p\.m\.?|qhs|q\.h\.s\.?"
)
_FREQ = (
    r"\b(?:(?:once\s+)?every\s+other\s+" + _PERIOD
    + r"|(?:once\s+)?every\s+" + _RANGE + r"\s*" + _EVERY_UNIT
    + r"|" + _RANGE + r"[\s-]*hourly"
    + r"|(?:once\s+)?(?:every|each|per|a)\s+fortnight|fortnightly"
    + r"|" + _ONCE + r"(?:\s*(?:or|to|-)\s*" + _ONCE + r")?(?:\s*(?:an?|per|each|every|/)\s*" + _PERIOD
    + r"|[\s-]*" + _PER_WORD + r"|\s+" + _TIME_OF_DAY + r")?"
    + r"|" + _DAYS_PER
    + r"|(?:once\s+)?(?:every|each|per)\s+" + _PERIOD
    + r"|a\s+(?:day|night|week|month|year)"
    + r"|bi-?weekly|bi-?monthly|quarterly|semi-?annual(?:ly)?"
    + r"|" + _PER_WORD + r"|" + _Q_ABBREV + r"|bid|b\.i\.d\.?|tid|t\.i\.d\.?|qid|q\.i\.d\.?|qd|q\.d\.?|" + _TIME_OF_DAY + r")\b"
)
# a count, a word that says which kind, and a dosage form: "2 chewable tablets" = "2 tablets", "one eye drop" =
# "1 drop", "two extra-strength caplets" = "2 tablets" (the kind word is dropped in _prep: the count of the form is
# the fact; a kind word that is a drug, "nicotine", is left out)
_FORM_KIND = (r"(?:chewable|dissolvable|dissolving|disintegrating|oral|small|large|big|white|extra[- ]strength|"
              r"regular[- ]strength|maximum[- ]strength|low[- ]dose|whole|full|separate|more|extra|additional|eye|ear|"
              r"nasal|nose|liquid|gel|soft|rectal|vaginal|pain|sleeping|water|inhaler|nebulizer)")
_KIND_FORM = (r"(?:tablets?|tabs?|pills?|capsules?|caps?|caplets?|gelcaps?|softgels?|drops?|sprays?|puffs?|patch(?:es)?|"
              r"suppositor(?:y|ies)|lozenges?|injections?|shots?|glasses?|cups?|doses?)\b")
_KIND_COUNT = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half)"
# a dose given with / before / after a meal: "with breakfast" = "at breakfast", "with dinner" = "with supper" = "with the
# evening meal", "before meals" = "before each meal" = "before eating" = "before you eat", "with food" = "with a meal"
# -> "with breakfast", "with dinner", "before meals", "with meals" (the time of a dose, like "at bedtime")
_MEAL_DET = r"(?:(?:your|her|his|their|my|our|the|a|each|every)\s+)?"
_MEAL_NAME = (r"(?:(?:breakfast|brunch|lunch|dinner|supper)(?:\s?time)?|(?:morning|midday|noon|evening|night)\s+meal"
              r"|meal\s?times?|meals?)")
_MEAL_REL = r"(?:before|after|with|at|during)"
# "with breakfast, lunch and dinner", "before breakfast and (before) dinner": one dose time per meal
_MEAL_LIST = (r"\b" + _MEAL_REL + r"\s+" + _MEAL_DET + _MEAL_NAME + r"(?:\s*,\s*" + _MEAL_DET + _MEAL_NAME + r")*,?\s+(?:and|or)\s+(?:"
              + _MEAL_REL + r"\s+)?" + _MEAL_DET + _MEAL_NAME + r"\b")
_MEAL_TIME = (
    r"\b" + _MEAL_REL + r"\s+" + _MEAL_DET + _MEAL_NAME + r"\b|\bwith\s+(?:some\s+)?food\b"
    r"|\b(?:before|after)\s+(?:eating|having|(?:you|she|he|they|we|i)\s+(?:eats?|has|have))"
    r"(?:\s+" + _MEAL_DET + r"(?:" + _MEAL_NAME + r"|food|anything|something))?\b"
)
# ... but helping with meals is a task, not a dose time: "help with meals", "trouble with eating", "picky at dinner"
_NOT_MEAL_TIME = (
    r"\b(?:help(?:s|ed|ing)?|assist(?:s|ed|ing|ance)?|trouble|difficult(?:y|ies)|problems?|struggles?|struggling|issues?|"
    r"interest|support|fussy|picky|play(?:s|ing)?)\s+(?:(?:her|him|them|you|me|us)\s+)?(?:with|at|during)\s+" + _MEAL_DET
    + r"(?:" + _MEAL_NAME + r"|food|eating)\b"
    r"|\b" + _MEAL_REL + r"\s+meals\s+on\s+wheels\b"
    # a meal among other things of the day is a thing, not a time: "with meals, walks and bedtime at the same times"
    r"|\b" + _MEAL_REL + r"\s+" + _MEAL_DET + _MEAL_NAME + r"\s*,\s*(?:[a-z]+\s*,\s*)*[a-z]+,?\s+(?:and|or)\s+[a-z]+\b"
)
# a day of the week a dose is given on, every week: "every Monday" = "on Mondays" -> "1x/week" + "monday"; "every
# Monday, Wednesday and Friday" -> "3x/week" + the days ("on Monday" alone is one date, no schedule)
_DAY_NAME = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_DAY_SEP = r"(?:\s*,\s*(?:and\s+)?|\s*/\s*|\s+and\s+)"
_WEEKDAYS = (r"\b(?:every|each)\s+" + _DAY_NAME + r"(?:" + _DAY_SEP + _DAY_NAME + r")*\b"
             r"|\bon\s+" + _DAY_NAME + r"s(?:" + _DAY_SEP + _DAY_NAME + r"s)*\b")
# more ways to say a time of a dose, read in the phrase pass: "before she goes to bed" = "when going to sleep" = "at
# bedtime" ("1x/night"); "upon waking" = "on rising" = "in the morning"; "at noon" = "12 p.m."; "every third day"
# = "every 3 days"; "one or two tablets" = "1 to 2 tablets", "one or two times a day" = "1-2x/day" (unlike "one or two")
_BEDTIME = (r"\b(?:before|when|as)\s+(?:(?:you|she|he|they|we|i)\s+(?:go(?:es)?|get(?:s)?)\s+(?:to|into)\s+(?:bed|sleep)"
            r"|going\s+to\s+(?:bed|sleep)|getting\s+into\s+bed)\b")
_WAKING = r"\b(?:(?:up)?on|after)\s+(?:waking|rising)(?:\s+up)?\b"  # not "when he wakes up" (at night, as often)
# a bare "noon" / "midnight" is that time too ("at 8 a.m., noon, and 4 p.m."; not "the midnight oil")
_NOON = (r"\b(?:at|by|around|about)\s+(?:12\s+)?(?:noon|midday|midnight)\b|\b12\s+(?:noon|midnight)\b"
         r"|\bnoon\b|\bmidnight\b")  # ("the midnight oil" is a not-fact of the phrase pass, read first)
# a time of day before a dose or a reading is when it is given or taken: "the morning dose" = "the dose in the
# morning", "morning sugar below 80" = "sugar under 80 in the morning", "her bedtime pills" = "at bedtime"; the words
# after the time are read for their own facts ("morning insulin" -> "1x/morning" + "insulin")
_TIME_NOUN = (r"\b(?:morning|evening|bedtime|nighttime|night-time)\s+(?:(?:blood|finger-?stick)\s+)?(?:sugars?|glucose|readings?|"
              r"checks?|doses?|pills?|tablets?|capsules?|meds|medications?|medicines?|insulin|injections?|shots?|"
              r"blood\s+pressure|weights?|weigh-ins?|inhaler|puffs?|patch|drops)\b")
_TIME_NOUN_OF = {"morning": "1x/morning", "evening": "1x/evening", "bedtime": "1x/night", "nighttime": "1x/night",
                 "night-time": "1x/night"}
# the period of a limit is a day: "4 doses in 24 hours", "no more than 3,000 mg in 24 hours", "in any 24-hour
# period" = "3,000 mg in a day" (the amount before it stays its own fact)
_LIMIT_PERIOD = r"\b(?:in|within|per|over)\s+(?:(?:any|a|one)\s+)?(?:24|twenty-four)(?:\s+hours|[- ]hours?\s+period)\b"
# "add a dose of Miralax" = "add one dose of polyethylene glycol" (a dose given or taken; "missed a dose" alone
# counts none)
_ONE_DOSE = (r"\b(?:give|gives|giving|take|takes|taking|add|adds|adding|try|use|repeat|miss|missed|skip|skipped)\s+"
             r"(?:(?:her|him|them)\s+)?(?:a|an)\s+dose\s+of\b")
# a mood word said of the person cared for names the condition ("for anxiety" = "when she's anxious"); said of the
# reader it is no fact ("you may feel anxious": a kind rewrite's word), so only after she / he / they
_MOOD_OF = {"anxious": "anxiety", "depressed": "depression"}
_MOOD = (r"\b(?:she|he|they)(?:'s|'re|\s+(?:is|are|was|were|gets|get|got|getting|seems|seem|seemed|feels|feel|felt|becomes|"
         r"become|became|looks|look|looked))\s+(?:(?:very|so|more|really|quite|a\s+bit|a\s+little|extremely|increasingly|"
         r"getting|feeling|still|often|easily)\s+){0,2}(?:anxious|depressed)\b"
         r"|\bmakes?\s+(?:her|him|them)\s+(?:feel\s+)?(?:(?:more|very|so)\s+)?(?:anxious|depressed)\b")
# a body temperature above a threshold, or one that goes up, is a fever ("call if her temperature is over 100.4"
# = "call if she has a fever over 100.4"; "high temperature" is a lexicon name of fever already); the number
# stays its own fact (a room's temperature is none: _NOT_BODY_TEMPERATURE)
_FEVER_READING = (
    r"\b(?:temperature|temp)s?\s+(?:(?:is|was|goes|went|gets|got|rises|rose|climbs|climbed|reaches|reached|stays|runs|"
    r"spikes|spiked|is\s+still|has\s+gone|has\s+been|keeps\s+going)\s+)?(?:over|above|higher\s+than|greater\s+than|"
    r"more\s+than|past|up|high|raised|elevated|to\s+over|at\s+or\s+above)\b"
    r"|\b(?:temperature|temp)s?\s+(?:rises|rose|spikes|spiked|climbs|climbed)\b"
    r"|\b(?:a\s+)?(?:raised|elevated|rising)\s+(?:body\s+)?temperature\b"
)
_ORDINAL_N = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
_EVERY_NTH = r"\bevery\s+(?:" + "|".join(_ORDINAL_N) + r")\s+(?:day|week|month|hour)\b"
_ONE_OR_TWO = (r"\bone\s+or\s+two\s+(?:times?(?:\s*(?:an?|per|each|every|/)\s*(?:day|week|month|year|night|hour)|[\s-]*"
               r"(?:daily|weekly|monthly|nightly|hourly))?|tablets?|tabs?|pills?|capsules?|caplets?|puffs?|drops?|sprays?|"
               r"teaspoons?|tablespoons?|doses?|cups?|glasses?|patch(?:es)?|lozenges?|suppositor(?:y|ies))\b")
_QTY = r"\b" + _RANGE + r"(?:\s*|-)" + _UNIT + r"|\ban\s+hour\b"  # "an hour" = "1 hour"
_BARE = r"\b\d+(?:,\d{3})*(?:\.\d+)?\b"
# a count written as a word is the same number as its digits ("three small meals" = "3 small meals"); "one" is
# left out (it is mostly "someone", "one of", "the one"), and so are "two of", "the two of", "one or two"
_NUMWORD_BARE = (r"\b(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_ONES) + r"))?|" + "|".join(_TEENS + _ONES[1:])
                 + r"|a dozen|dozen)\b")
_NUMWORD_IDIOMS = r"\b(?:the )?(?:two|three|four) of (?:you|us|them|those|these|the)\b|\bone or two\b"
# "1 in 9", "one in nine", "2 out of 3": two numbers
_RATIO = r"\b(?:\d+|" + _NUMWORD + r")\s+(?:in|out of)\s+(?:\d+|" + _NUMWORD + r")\b"
# "3,000 mg in a day": a limit per day, the amount and the rate
_QTY_IN_PERIOD = r"\b" + _RANGE + r"\s*" + _UNIT.replace("|%|", "|") + r"\s+(?:in|within)\s+(?:a|one|1)\s+(?:day|week|month|night)\b"
# "5 mg to 10 mg", "5mg-10mg": a range with the unit on both ends (one fact when the units agree)
_QTY_RANGE = r"\b" + _NUM + r"(?:\s*|-)" + _UNIT + r"\s*(?:-to-|-|to|or)\s*" + _NUM + r"(?:\s*|-)" + _UNIT
# "half of a tablet", "a quarter of an hour", "an hour and a half", "one and a half cups"
_QTY_FRACTION = (
    r"\b(?:" + _MIXED + r"|" + _FRAC_WORD + r"|" + _FRAC_DIGIT + r"|half|a half|one half|quarter)\s+(?:of\s+)?(?:a|an)\s+" + _UNIT
    + r"|\ba\s+(?:third|fourth|fifth|eighth)\s+of\s+(?:a|an)\s+" + _UNIT
    + r"|\b(?:an?|one)\s+(?:hour|day|week|month|year|tablet|pill|capsule|cup|glass|teaspoon|tablespoon|mile)\s+and\s+a\s+half\b"
)
# an age: "65 years old", "a 75-year-old", "65 years of age", "65 years and older", "aged 65" -> the number
_AGE = (
    r"\b(?:aged?\s+)?" + _NUM + r"[- ](?:years?|yrs?)[- ](?:old(?:er)?|of age)\b"
    r"|\b" + _NUM + r"\s+(?:years?|yrs?)\s+(?:and|or)\s+(?:older|over|above|up)\b|\baged\s+\d+\b"
)
# a blood-pressure style reading "140/90" / "140/90 mmHg" / "140 over 90": its two numbers (the unit adds none)
_READING = r"\b\d{2,3}\s*/\s*\d{2,3}\b(?:\s*mm\s?hg\b)?|\b\d{2,3}\s+over\s+\d{2,3}\b(?:\s*mm\s?hg\b)?"
# a range of bare numbers is one fact: "between 2 and 3", "2 to 3.5", "65-74"
_NUM_RANGE = (r"\bbetween\s+" + _NUM + r"\s+and\s+" + _NUM + r"\b"
              r"|\b\d+(?:,\d{3})*(?:\.\d+)?\s*(?:-to-|-|to)\s*\d+(?:,\d{3})*(?:\.\d+)?\b"
              # "two to four" = "2 to 4" = "2-4"
              r"|\b(?:\d+|" + _WORD_INT + r")(?:\s+to\s+|-to-)(?:\d+|" + _WORD_INT + r")\b")
# the size of a named list is a fact: "the 10 warning signs of Alzheimer's" (unlike "here are 3 tips:")
_NAMED_COUNT = (
    r"\b(?:one of )?the\s+(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:(?:warning|early|common|main|"
    r"key|classic)\s+)?(?:signs|symptoms|stages|steps|types|kinds|forms|causes|risk factors)\s+of\b"
)
_IDIOMS = r"\b(?:one (?:day|step|thing|moment) at a time|one at a time|one of (?:the|them|those|these|many)|one or two things|no one|someone|anyone|everyone|one way|one option|one thing|one idea|one more)\b"
# "a day" / "a week" that is a span or a point in time, not a rate ("for a week", "a day or two", "a month ago"),
# or part of a compound ("a night-light", "a day-to-day task"):
# matched before the frequencies (leftmost-first), so they stay facts of nothing, as before "a day" became "1x/day"
_NOT_RATE = (
    r"\b(?:(?:for|in|within|after|over|about|than|to|during|on)\s+a\s+(?:day|night|week|month|year)"
    r"(?:\s+or\s+(?:two|so))?"
    r"|(?:in|within)\s+one\s+(?:day|night|week|month|year)"
    r"|a\s+(?:day|night|week|month|year)(?:\s+(?:or\s+(?:two|so)|ago|later|earlier|before|off|at\s+a\s+time)|(?:-\w+)+))\b"
)
# ... and a span a person takes, spends or waits ("take a day for yourself", "it can take a month", "spend a night
# away", "feel like a year"): read in the phrase pass (see _PHRASE_NOT_FACTS)
_NOT_RATE_SPAN = (
    r"\b(?:take|takes|took|taking|spend|spends|spent|spending|need|needs|needed|plan|plans|planned|planning|enjoy|enjoys|"
    r"wait|waits|waited|waiting|last|lasts|lasted|lasting|allow|allows|book|like)\s+(?:(?:yourself|herself|himself|"
    r"themselves|yourselves|at\s+least|about|almost|nearly|over|up\s+to|only|just)\s+)?a\s+(?:day|night|week|month|year)\b"
    r"|\ba\s+(?:day|night|week|month|year)\s+(?:away|out|together|for\s+(?:yourself|yourselves|herself|himself|themselves))\b"
)

# ---------------------------------------------------------------- not facts (matched first, kept as nothing)
_ORDINAL_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
# list markers: "1." / "2)" / "(3)" / "Step 4:" at the start of a line or after a sentence's end, and inline
# "1) ... 2) ..." (a number 1-19 and ")" after a space); "(3)" anywhere
_LIST_MARKER = (
    r"(?m:^)[ \t*#>•-]*(?:\(\d{1,3}\)|\d{1,3}[.)]|step\s+(?:\d{1,3}|" + _ORDINAL_WORD + r")(?:\s+of\s+\d{1,3})?\s*[:.)-]?)\**(?:\s|$)"
    r"|[.!?:;]\s+(?:\(\d{1,2}\)|\d{1,2}[.)])(?:\s|$)"
    r"|\s(?:1\d|[1-9])\)(?:\s|$)|\((?:1\d|[1-9])\)"
    # "Step 2:", "Step two -", "step 2 of 4", "steps 1-3", "Option 2", "Tip #3"
    r"|\b(?:steps?|tips?|parts?|questions?|sections?|chapters?|items?|pages?|options?)\s+#?(?:\d{1,3}|" + _ORDINAL_WORD + r")\b"
    r"(?:\s*(?:-|to|and|through|of)\s*(?:\d{1,3}|" + _ORDINAL_WORD + r")\b)?\s*[:.)-]?|#\d{1,3}\b"
)
# a number right before ")" after a comparison word or another number is a number, not a marker: "(ages up to
# 5)", "(over 65)", "(2 or 3)"
_NUMBER_CTX = (r"\b(?:to|than|over|under|about|around|aged?|ages|least|most|only|of|from|between)\s+\d{1,2}\)"
               r"|\b\d+\s*(?:or|and|to|-)\s*\d{1,2}\)")
# US phone numbers (1-800-272-3900, 800-272-3900, (800) 272-3900, 800.272.3900, 1 800 272 3900, "ext. 12"),
# TTY / relay / emergency / crisis lines (TTY: 711, call 911, text 988)
_PHONE_NUMBER = (
    r"(?:\+?\b1[-. ]?)?(?:\(\d{3}\)\s*|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b(?:\s*,?\s*(?:ext\.?|x|extension)\s*\d{1,5}\b)?"
)
# a toll-free number spelled with letters: "1-800-4PD-INFO", "1-800-FLU-SHOT", "(800) ALZ-HELP", "800-273-TALK"
# (lower-cased; read in the phrase pass too, before the names the letters spell: "flu")
_TOLL_FREE = r"8(?:00|88|77|66|55|44|33)"
_VANITY_TAIL = r"(?:\d+[-.])*\d*[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*"
_VANITY_PHONE = (r"\b1[-. ]?(?:\(" + _TOLL_FREE + r"\)|" + _TOLL_FREE + r")[-. ]?" + _VANITY_TAIL + r"\b"
                 r"|\(" + _TOLL_FREE + r"\)\s*" + _VANITY_TAIL + r"\b"
                 r"|\b" + _TOLL_FREE + r"[-.](?:(?:\d+[-.])+\d*[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*|\d*[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+)\b")
_PHONE = (
    _PHONE_NUMBER
    # a local 7-digit number after a word that introduces one ("the line at 555-0110"), the fictional 555
    # exchange, or one whose last four digits start with 0 (no range is written "200-0150")
    + r"|\b(?:call|dial|text|phone|line|number|hotline|helpline|reach (?:us|them|her|him|it)|fax)\s*(?:(?:at|on|is)\s*)?:?\s*"
    r"\d{3}[-. ]\d{4}\b|\b555[-.]\d{4}\b|\b\d{3}[-.]0\d{3}\b"
    r"|\b(?:call|dial|text|phone|tty|tdd|relay)\s*:?\s*(?:" + _PHONE_NUMBER + r"|\d-\d-\d\b|\d{3}\b)"
    r"|\b911\b|\b9-1-1\b"
)
# URLs, bare domains (alz.org, nia.nih.gov/health) and emails
_WEB = (
    r"\b(?:https?://|www\.)[^\s<>()]+|\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:org|gov|com|net|edu|info|us|uk|ca|au|io)\b(?:/[^\s<>()]*)?"
)
# "daily" / "day" that is no dosing or activity rate: "daily activities", "activities of daily living",
# "day-to-day", "each day brings", "a day program", "one day she ..."
_NOT_DOSING_DAY = (
    r"\bdaily\s+(?:activit(?:y|ies)|li(?:fe|ves|ving)|routines?|tasks?|care|chores|needs|function(?:ing)?|struggles?|"
    r"challenges?|stress(?:es|ors)?|demands|responsibilit(?:y|ies)|hassles|decisions|interactions|experiences?|events|"
    r"news|basics|rhythms?|habits?|schedules?|planners?|structure|self-care|personal care|hygiene|grooming|"
    r"functions|lives|world|reality|realities)\b"
    r"|\bday[- ]to[- ]day\b|\bday by day\b"
    r"|\b(?:each|every)\s+(?:new\s+)?day\s+(?:brings?|can bring|may bring|will bring|is (?:different|a new|unique|a gift|"
    r"a challenge|another)|can be (?:different|hard|a challenge)|may be different|will be different|feels?|can feel|"
    r"may feel|looks different)\b"
    r"|\ba\s+day\s+(?:programs?|centers?|centres?|care|services?|clubs?|trips?|camps?|nurse|shift|hospital|surgery|"
    r"procedure|out|visit|respite|of rest)\b"
    r"|\b(?:one|some) day(?:,| (?:she|he|they|you|i|we|it|soon|when|your|my|our|his|her))"
)
# idioms with a number or "once" in them: "a hundred times", "24/7", "once you ...", "at once"
_MORE_IDIOMS = (
    r"\ba (?:hundred|thousand|million) times\b|\b24/7\b|\b24-7\b"
    # "open 24 hours", "a 24-hour helpline", "24 hours a day, 7 days a week": always available, like "24/7"
    r"|\b(?:24|twenty-four)[- ](?:hours?|hrs?)[- ](?:a[- ]day[,-]?\s*(?:(?:7|seven)[- ]days[- ]a[- ]week)?|(?:help ?line|hotline|line|"
    r"crisis line|nurse line|service|support|access|pharmac(?:y|ies)|emergency (?:line|service|care)|phone|number|call center)s?\b)"
    r"|\bopen\s+(?:24|twenty-four)\s+hours\b|\baround[- ]the[- ]clock\b|\b(?:all )?at once\b|\b988 (?:suicide|lifeline|crisis)\b"
    r"|\bonce\s+(?:in a while|again|more|upon|and for all|you|he|she|they|we|i|it|the|your|his|her|their|this|that|"
    r"someone|a person|symptoms|a diagnosis|diagnosed)\b"
    # "100% sure", "a hundred percent normal", "not 100% your fault": certainty, not an amount
    r"|\b(?:100|a hundred|one hundred)\s*(?:%|percent|per cent)\s+(?:sure|certain|normal|okay|ok|fine|understandable|valid|"
    r"right|true|honest|committed|worth it|behind you|with you|on your side|your fault|not your fault)\b"
)
# the count of a list's items: "3 steps:", "five ways to help", "here are 4 tips that ..."
_LIST_COUNT = (
    r"\b(?:[2-9]|1[0-2]|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:(?:simple|easy|quick|small|"
    r"important|key|practical|helpful|useful|common|main|basic|good|warning|early|quick|gentle|safety)\s+)?(?:tips|steps|"
    r"ways|things|ideas|questions|reasons|signs|points|suggestions|strategies|options|rules|habits|reminders|notes|pointers|"
    r"tricks|facts|examples|guidelines|lessons|takeaways|items|goals|benefits|actions|precautions|warnings|changes|tools|"
    r"resources|practices|areas|topics|basics|mistakes|principles)"
    r"(?:\s*:|\s+(?:to|that|for|you|can|may|which|help|below|here|of))"
)
# "here are 2 reminders:", "the following 3 items": whatever the items are called, "here are" introduces a list (read
# in the phrase pass)
_HERE_ARE_COUNT = (
    r"\b(?:here\s+are|here're|below\s+are|the\s+following)\s+(?:[2-9]|1[0-2]|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve)\s+(?:[a-z'-]+\s+)?[a-z'-]+s(?:\s*[:;,.!-]|\s+(?:to|that|for|you|i|we|which|below|worth|from|about|on)\b)"
)
# "as needed" / "PRN" / "if needed": when to give a dose, not an amount or a rate; neither labeled set counts it, and
# a rewrite says it many ways ("if needed", "when needed", "as required")
_AS_NEEDED = r"\b(?:prn|p\.r\.n\b\.?|as[- ]needed|when needed|if needed|as required|when required)\b"
# a calendar date is when something happened, not a fact to keep: "March 3", "3 March", "the 3rd of March",
# "March 3, 2019", "March 2019", "3/15/2024", "3-15-2024", "2024-03-15" ("May" is left out: "may 2" is a modal as often)
_MONTH = (r"(?:january|february|march|april|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?")
_DATE = (
    r"\b" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{2})?\b"
    r"|\b" + _MONTH + r"\s+(?:of\s+)?(?:19|20)\d{2}\b"
    r"|\b(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?:19|20)\d{2})?(?:\s|$|[,.;:!?)])"
    r"|\bmay\s+\d{1,2}(?:st|nd|rd|th)\b|\bmay\s+(?:of\s+)?(?:19|20)\d{2}\b"
    r"|\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)?\d{2}\b|\b(?:19|20)\d{2}-[01]\d-[0-3]\d\b"
    r"|\b(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])-(?:19|20)\d{2}\b"
)
# a person's age in passing ("your 82-year-old father", "my 90-year-old mom"): who is asking about whom, not a
# fact of the answer (an age limit stays one: "adults 65 and older", "a 70-year-old woman")
_PERSON_AGE = r"\b(?:your|my|his|her|their|our)\s+" + _NUM + r"[- ](?:years?|yrs?)[- ]old\b"
# "your mom is 82", "my dad just turned 90" (a word ends it: "her father is 45 minutes away" is a distance)
_RELATIVE_AGE = (r"\b(?:your|my|his|her|their|our)\s+(?:mom|mother|mum|dad|father|husband|wife|spouse|partner|parents?|"
               r"grand(?:ma|mother|pa|father|parents?)|aunt|uncle|brother|sister|son|daughter|friend|neighbou?r|loved one)"
               r"\s+(?:is|was|(?:has\s+)?just\s+turned|turned|turns|will\s+be)\s+(?:now\s+)?(?:[4-9]\d|10\d)"
               r"(?:\s+(?:years\s+old|years\s+of\s+age))?(?:\s*[,.;:!?)]|\s+(?:and|but|now|so|this|which|who|with|has)\b|$)")
# (web addresses are read in the names pass, before the names they hold, and blanked: none reaches the numbers pass)
_NOT_FACTS = "|".join([_LIST_MARKER, _LIST_COUNT, _PHONE, _NOT_DOSING_DAY, _MORE_IDIOMS, _AS_NEEDED, _DATE,
                       _PERSON_AGE, r"\bone[- ](?:to|on)[- ]one\b",
                       # three or more small numbers in a chain name a method: "4-7-8 breathing", "the 5-4-3-2-1 exercise"
                       r"\b\d{1,2}(?:-\d{1,2}){2,}\b"])
# what other families do every day is a reassurance, not a rate ("millions of families manage this every day");
# "100%" said of the reader is certainty ("you're 100% doing the right thing", "100% of what you can do is enough",
# "give it 100%")
_REASSURANCE = (
    r"\b(?:millions|thousands|hundreds|lots|plenty|so\s+many|many|countless|other)\s+(?:of\s+)?(?:other\s+)?(?:families|"
    r"people|caregivers|carers|others|folks|spouses|daughters|sons)\s+(?:(?:just\s+)?like\s+(?:you|yours)\s+)?(?:manage|do|handle|"
    r"face|juggle|navigate|go\s+through|deal\s+with|live\s+with|cope\s+with|get\s+through)\s+(?:this|it|that|the\s+same)"
    r"(?:\s+too)?\s+(?:every|each)\s+(?:single\s+)?day\b"
    r"|\b(?:you're|you\s+are|i'm|i\s+am|we're|we\s+are|it's|it\s+is|that's|that\s+is)\s+(?:(?:really|truly|just|so|already)\s+)?"
    r"(?:100|a\s+hundred|one\s+hundred)\s*(?:%|percent|per\s+cent)"
    r"|\b(?:100|a\s+hundred|one\s+hundred)\s*(?:%|percent|per\s+cent)\s+of\s+(?:what\s+(?:you|she|he|we|i|they)|your\s+(?:best|effort|"
    r"energy|love|heart))\b"
    r"|\b(?:give|gives|giving|gave|put|putting)\s+(?:it\s+|this\s+|her\s+|him\s+)?(?:your\s+)?(?:100|a\s+hundred)\s*(?:%|percent)"
)
# a support group's or a class's meeting days are a resource, not a schedule of care ("a caregiver support group
# that meets every Tuesday", "the memory cafe meets on the first Friday of the month")
_GROUP_SCHEDULE = (
    r"\b(?:meets?|met|meeting|gathers?|gathering)\s+(?:(?:up|online|in\s+person|together|virtually)\s+)?(?:(?:every|each|on)\s+"
    r"(?:other\s+)?(?:" + _DAY_NAME + r"s?|week|month|morning|evening|afternoon|weekend)|weekly|monthly|twice\s+a\s+month"
    r"|once\s+a\s+(?:week|month)|on\s+the\s+(?:first|second|third|fourth|last)\s+" + _DAY_NAME
    + r"(?:\s+of\s+(?:the|each|every)\s+month)?)\b(?:(?:\s*,\s*|\s+)(?:and\s+|or\s+)?" + _DAY_NAME + r"s?\b)*"
    r"|\b(?:support\s+)?(?:groups?|meetings?|caf[eé]s?|clubs?)\s+(?:(?:is|are|runs?|happens?|held)\s+)?(?:on\s+)?(?:every|each)\s+"
    + _DAY_NAME + r"\b"
)
# "falls" is a condition (a fall risk, a side effect: "dizziness and falls", "after a fall"), but not the verb ("if it falls under
# 50%", "falls asleep") nor a safety tip's purpose ("to prevent falls", "reduce his risk of falls")
_NOT_FALLS = (
    r"\bfall(?:s|ing)?\s+(?:asleep|behind|apart|short|through|back|off|out|into|in\s+love|under|below|to|within|on|between|"
    r"outside|flat|silent|ill|sick|over|down)\b"
    # a level that falls is a drop: "if her sugar keeps falling", "when his blood pressure falls"
    r"|\b(?:sugars?|glucose|pressure|oxygen|o2|levels?|numbers?|readings?|weight|temperature|sats|saturation|rate|count|"
    r"it|that|this)\s+(?:(?:is|are|was|keeps|kept|starts|started|begins|has\s+been)\s+)?(?:falls|falling)\b"
    r"|\b(?:prevent(?:s|ed|ing)?|prevention\s+of|reduc(?:e|es|ed|ing)|lower(?:s|ed|ing)?|avoid(?:s|ed|ing)?|cut(?:s|ting)?"
    r"|stop(?:s|ping)?|fewer|minimi[sz](?:e|es|ing))\s+(?:(?:the|his|her|their|your|a|any|future|more|further)\s+)*"
    r"(?:(?:risk|chances?|likelihood|number|odds)\s+(?:of\s+)?)?(?:falls|falling|a\s+fall)\b"
    r"|\ba\s+(?:(?:sudden|sharp|big|small|slight|steep)\s+)?fall\s+(?:in|of)\b"  # "a fall in blood pressure": a drop
    # a device is no fall: "a fall alarm", "a fall-detection pendant"
    r"|\ba\s+fall[- ](?:alarm|alert|detection|detector|mat|sensor|pendant|button|monitor|prevention)s?\b"
)
# "infections like this are really common": the reader's own problem named again, no new fact
_LIKE_THIS = r"\b[a-z][a-z'-]*\s+like\s+(?:this|these|that|this\s+one)\s+(?:are|is|can\s+be|can\s+feel|happen|happens|do\s+happen|come\s+up)\b"
# more idioms of time: "one night at a time", "with each day", "each day that passes", "day after day", "think
# twice", "twice as hard" (a feeling, not a count)
_MORE_TIME_IDIOMS = (
    r"\bone\s+(?:night|week|hour|minute|breath|meal|visit|task|problem|conversation)\s+at\s+a\s+time\b"
    r"|\bwith\s+(?:each|every)\s+(?:passing\s+|new\s+)?(?:day|week|month|year)\b|\b(?:each|every)\s+(?:day|week|month)\s+that\s+passes\b"
    r"|\bday\s+after\s+day\b|\bweek\s+after\s+week\b|\bthink(?:s|ing)?\s+twice\b"
    r"|\btwice\s+as\s+(?:hard|tough|tiring|exhausting|draining|stressful|difficult|overwhelming|lonely|heavy|scary|frustrating)\b"
)
# the temperature of a room or a bath is no fever (see _FEVER_READING)
_NOT_BODY_TEMPERATURE = (r"\b(?:room|water|bath|shower|house|home|indoor|outdoor|air|oven|fridge|refrigerator|freezer|"
                         r"storage|thermostat)\s+temperatures?\b")
# the not-facts that start with a word, read in the phrase pass (the first: they hold no name, and the numbers
# pass's lazy DFA is near its cache size): a vanity phone number (before the names its letters spell), a meal as a
# task ("help with meals", "Meals on Wheels"), a relative's age in passing, a span a person takes ("take a day for
# yourself"), "a 36-hour day" (a caregivers' saying), a text short code ("text HOME to 741741"), the year of a
# source ("a 2019 study"), the years of a marriage ("my husband of 50 years")
_PHRASE_NOT_FACTS = "|".join([
    _VANITY_PHONE, _NOT_MEAL_TIME, _RELATIVE_AGE, _NOT_RATE_SPAN, _HERE_ARE_COUNT, r"\b(?:a\s+)?(?:36|thirty-six)[- ]hour\s+days?\b",
    r"\btext\s+(?:[a-z]+\s+)?to\s+\d{5,6}\b",
    # the year a source is from ("a 2019 study", "the 2020 guidelines", "as of 2023")
    r"\b(?:a|an|the|this|that|one|their|its)\s+(?:19|20)\d{2}\s+(?:study|studies|report|survey|review|trial|paper|article|"
    r"analysis|guidelines?|update|law|act|census|poll|data)\b|\bas\s+of\s+(?:19|20)\d{2}\b",
    # a condition's name in an idiom: "a stroke of luck", "a real headache to manage"
    r"\bstrokes?\s+of\s+(?:luck|genius|midnight|good\s+fortune|inspiration)\b|\bmidnight\s+oil\b"
    r"|\ba\s+(?:real|big|huge|total|major|bit\s+of\s+a)\s+headache\b",
    # how long two people have been together ("my husband of 50 years", "married 40 years")
    r"\b(?:husband|wife|spouse|partner)\s+of\s+(?:\d+|" + _WORD_INT + r")\s+years\b"
    r"|\bmarried\s+(?:for\s+)?(?:(?:almost|nearly|over|more than|about)\s+)?(?:\d+|" + _WORD_INT + r")\s+years\b",
    _REASSURANCE, _GROUP_SCHEDULE, _NOT_FALLS, _LIKE_THIS, _NOT_BODY_TEMPERATURE, _MORE_TIME_IDIOMS,
    # an inline list: "1. a warm blanket, 2. gentle stretching"
    r"[,;]\s+(?:[2-9]|1\d)[.)](?:\s|$)",
])
# the year of an event ("back in 2019", "opened in 2015", "since 2010"): no fact; an amount with a unit after
# the year is read as that amount ("in 2000 mg doses"); "around / by 2000" is left alone (a count as often)
_YEAR = (r"\b(?:in|since|from|until|till|during|early|late|mid-?)\s+(?:19|20)\d{2}\b"
         r"(?:\s*(?:-|to|and)\s*(?:19|20)\d{2}\b)?(?:\s*" + _UNIT + r")?")
# a clock time is one fact however it is written: "8 a.m." = "8 AM" = "8:00 am" -> "8am"; "10:30" -> "10:30"
_CLOCK = r"\b(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|a\.m\b|p\.m\b)|\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
# a body temperature without the degree sign: "100.4 F" = "100.4°F", "38 C" = "38°C"
_TEMPERATURE = r"\b(?:9[5-9]|10[0-8])(?:\.\d)?\s?f\b|\b(?:3[4-9]|4[0-2])(?:\.\d)?\s?c\b"
# a count and a strength of one dosage form: "one 28 mg memantine capsule" = "1 capsule of memantine 28 mg",
# "two 500 mg tablets" = "2 tablets of 500 mg" (the words between are read as facts of their own)
_FORM = (r"(?:tablets?|tabs?|pills?|capsules?|caps?|patch(?:es)?|suppositor(?:y|ies)|lozenges?|injections?|shots?"
         r"|vials?|pens?|packets?|sachets?|puffs?|sprays?|doses?)")
_COUNT_FORM = (r"\b(?:[1-9]|" + _WORD_INT + r")\s+\d+(?:\.\d+)?(?:\s*|-)(?:mg|mcg|g|ml|units?|iu|%)(?:\s+[a-z][a-z'-]*){0,2}?\s+"
               + _FORM + r"\b")
# one of a measure: "put a drop in each eye" = "1 drop", "a teaspoon of" = "1 teaspoon", "a single dose" = "one
# dose"; "a pill" / "a tablet" alone is a way to name a medicine, no count ("he takes a pill at bedtime")
_MEASURE = r"(?:drop|puff|spray|squirt|teaspoon(?:ful)?|tablespoon(?:ful)?|tsp|tbsp|scoop|capful)"
_ONE_MEASURE = (
    r"\b(?:put|place|instill|use|add|apply|give|take|inhale|squeeze|try|mix|stir)\s+(?:in\s+)?(?:a|an)\s+(?:single\s+)?" + _MEASURE + r"\b"
    r"|\b(?:a|an)\s+(?:single\s+)?(?:teaspoon(?:ful)?|tablespoon(?:ful)?|tsp|tbsp|scoop|capful)\s+of\b"
    r"|\b(?:a|an)\s+(?:single\s+)?" + _MEASURE + r"\s+in(?:to)?\s+(?:each|both|the|one|either)\s+(?:eyes?|ears?|nostrils?)\b"
    r"|\b(?:a\s+)?(?:single|one-time)\s+(?:dose|tablet|pill|capsule|injection|shot|patch|puff|drop|spray|suppository|" + _MEASURE + r")\b"

)

# organization names that hold a condition or drug ("Alzheimer's Association", "American Heart Association",
# "Parkinson's Foundation", "National Institute on Aging"): capitalized words (with of / on / for / and / the / &
# between them) ending in an organization word, optionally "of America" / "on Aging"; plus the team-written list
# in data/lexicon/organizations.txt.  Removed from the original-case text before anything else is read.
_ORG_WORD = r"(?:[A-Z][A-Za-z'-]*|[A-Z]\.)"
_ORG_CONN = r"(?:of|on|for|and|the|&|in|to)"
_ORG_TAIL = (
    r"(?:Associations?|Foundations?|Society|Societies|Institutes?|Centers?|Centres?|Alliance|Network|Council|Coalition|"
    r"Federation|Organi[sz]ations?|Programs?|Programmes?|Research UK|UK|Clinic|Hospital|Trust|League|Partnership|"
    r"Project|Initiative|Consortium|Registry|Agency|Administration|Department|Services|Academy|College|Board|"
    r"Commission|Bureau|Helpline|Hotline|International|Group|Fund|Friends)"
)
_ORG_RULE = (
    r"\b" + _ORG_WORD + r"(?:\s+(?:" + _ORG_CONN + r"\s+)*" + _ORG_WORD + r")*\s+" + _ORG_TAIL + r"\b"
    r"(?:\s+(?:of|for|on|in)\s+(?:the\s+)?" + _ORG_WORD + r"(?:\s+(?:" + _ORG_CONN + r"\s+)?" + _ORG_WORD + r")*)?"
)

_DRUG_SUFFIX = (
    r"\b[a-z]{3,}(?:pril|sartan|olol|statin|prazole|tidine|dipine|zepam|zolam|oxetine|triptyline|cillin|mycin|"
    r"floxacin|cycline|gliptin|gliflozin|glutide|afil|setron|lukast|profen|parin|xaban|gatran|tinib|zumab|ximab|"
    r"mumab|semide|thiazide|dronate|pramine|peridol|apine|idone|tiapine|azepine)\b"
)
_DOSE_NAME = r"[a-z,]\s+[A-Z][a-z]{3,}(?:®|™)?\s*\d+(?:\.\d+)?\s*(?:mg|mcg|ml|units?|iu)\b"
# ... unless the capitalized word is a word of the dose itself ("Extra Strength 500 mg", "Maximum 4000 mg", "your
# Morning 10 mg pill"): no drug
_DOSE_NAME_STOP = (
    "dose", "doses", "dosage", "dosing", "maximum", "minimum", "max", "total", "daily", "morning", "evening", "night",
    "nightly", "bedtime", "noon", "strength", "extra", "regular", "usual", "starting", "start", "initial", "target",
    "limit", "only", "just", "then", "plus", "with", "each", "every", "your", "their", "tablet", "tablets", "capsule",
    "capsules", "pill", "pills", "liquid", "oral", "injection", "patch", "cream", "syrup", "drops", "children", "infant",
    "infants", "adult", "adults", "kids", "half", "once", "twice", "step", "week", "weekly", "month", "year", "level",
    "about", "around", "over", "under", "than", "take", "give", "also", "another", "first", "second", "next", "last",
    "new", "current", "higher", "lower", "low", "high", "same", "this", "that", "these", "those", "from", "into",
)

# canonical replacements applied to each extracted quantity / frequency (order matters)
_UNIT_CANON: list[tuple[str, str]] = [
    (r"\bfl(?:uid)?\.? ?(?:ounces?|oz)\b", "oz"), (r"\b(?:mg|milligrams?) per (?:kg|kilograms?)\b", "mg/kg"),
    (r"\blit(?:er|re)s? per minute\b", "l/min"), (r"\bmicrograms?\b|µg|μg", "mcg"), (r"\bmilligrams?\b", "mg"), (r"\bkilograms?\b", "kg"), (r"\bgrams?\b", "g"),
    (r"\bmillilit(?:er|re)s?\b|\bcc\b|\bmls\b", "ml"), (r"\blit(?:er|re)s?\b", "l"), (r"\binternational units?\b|\biu\b", "unit"),  # "1,000 IU" = "1,000 units"
    (r"\bunits\b|\bu\b", "unit"), (r"\bmm hg\b", "mmhg"), (r"\bper ?cent\b", "%"), (r"\b(?:hours|hrs|hr|h)\b", "hour"),
    (r"\b(?:minutes|mins|min)\b", "minute"), (r"\b(?:seconds|secs|sec)\b", "second"), (r"\bdays\b", "day"),
    (r"\b(?:weeks|wks|wk)\b", "week"), (r"\bmonths\b", "month"), (r"\b(?:years|yrs|yr)\b", "year"),
    (r"\b(?:tablets|tabs|tab|pills|pill)\b", "tablet"), (r"\b(?:capsules|caps|cap|softgels?|gelcaps?)\b", "capsule"), (r"\bcaplets?\b", "tablet"),
    (r"\b(cap|scoop|spoon|dropper|applicator|syringe)fuls\b", "$1ful"), (r"\b(vial|ampoule)s\b", "$1"), (r"\bampules?\b", "ampoule"),
    (r"\bdrops\b", "drop"), (r"\bpuffs\b|\binhalations?\b", "puff"), (r"\bsprays\b", "spray"), (r"\bpatches\b", "patch"),
    (r"\bdoses\b", "dose"), (r"\bcups\b", "cup"), (r"\bglasses\b", "glass"), (r"\bounces\b|\bounce\b", "oz"),
    (r"\b(?:pounds|pound|lbs)\b", "lb"), (r"\bservings\b", "serving"), (r"\bsteps\b", "step"),
    (r"\b(?:teaspoon(?:ful)?s?|tsps)\b", "tsp"), (r"\b(?:tablespoon(?:ful)?s?|tbsps)\b", "tbsp"), (r"\bbeats per minute\b", "bpm"),
    (r"\binches\b", "inch"), (r"\bcentimet(?:er|re)s?\b", "cm"), (r"\bmillimet(?:er|re)s?\b", "mm"), (r"\b(?:feet|ft)\b", "foot"), (r"\b(?:meters|metres|metre)\b", "meter"),
    (r"\bmiles\b", "mile"), (r"\bdrinks\b", "drink"), (r"\bnights\b", "night"), (r"\bcalories\b", "kcal"),
    (r"\bkilomet(?:er|re)s?\b", "km"), (r"\bmilliequivalents?\b", "meq"), (r"\bfl oz\b", "oz"),
    (r"\b(gallon|quart|pint|packet|sachet|scoop|lozenge|injection|shot|session)s\b", "$1"), (r"\bsuppositories\b", "suppository"),
    # a temperature: "100.4 degrees F" = "100.4 °F" = "100.4°F" -> "100.4 °f"; a bare "degree" is an angle as often
    (r"(?:\bdegrees?\s+|°\s?)(?:fahrenheit|f)\b", "°f"), (r"(?:\bdegrees?\s+|°\s?)(?:celsius|centigrade|c)\b", "°c"),
    (r"\bdegrees?\b|°(?![cf])", "degree"),
]


def _number_word_replacements() -> list[tuple[str, str]]:
    reps: list[tuple[str, str]] = [(r"\b(?:a|one) half\b|\bhalf\b", "0.5"), (r"\ba dozen\b|\bdozen\b", "12")]
    for i, t in enumerate(_TENS):
        reps.append((rf"\b{t}[- ]({'|'.join(_ONES)})\b", f"{i + 2}#$1"))
    for i, t in enumerate(_TENS):
        reps.append((rf"\b{t}\b", str((i + 2) * 10)))
    for i, t in enumerate(_TEENS):
        reps.append((rf"\b{t}\b", str(10 + i)))
    for i, t in enumerate(_ONES):
        reps.append((rf"\b{t}\b", str(i + 1)))
    reps.append((r"(\d)#(\d)", "$1$2"))
    return reps


_NUMBER_WORDS = _number_word_replacements()

_FREQ_CANON: list[tuple[str, str]] = [
    # shorthand: "q4h" = "every 4 hours", "qod" = "every other day", "qam" / "qpm", "prn" = "as needed"
    (r"^q\.?\s?(\d+(?:\.\d+)?(?:\s?-\s?\d+)?)\s?(?:h|hrs?|hours?)$", "every $1 hour"),
    (r"^q\.?\s?(\d+)\s?(?:d|days?)$", "every $1 day"), (r"^q\.?\s?(\d+)\s?(?:wks?|weeks?)$", "every $1 week"),
    (r"^q\.?o\.?d\.?$", "every 2 day"), (r"^q\.?a\.?m\.?$", "1 times a morning"), (r"^q\.?p\.?m\.?$", "1 times a evening"),
    (r"^q\.?h\.?s\.?$", "1 times a night"), (r"^(?:p\.?r\.?n\.?|as[- ]needed|when needed)$", "as needed"),
    (r"^(?:once )?(?:(?:every|each|per|a) fortnight|fortnightly)$", "every 2 week"),
    (r"^once ((?:every|each|per) )", "$1"),
    (r"^bi-?weekly$", "biweekly"), (r"^bi-?monthly$", "bimonthly"), (r"^quarterly$", "every 3 month"),
    (r"^semi-?annual(?:ly)?$", "every 6 month"),
    (r"\bonce\b", "1 times"), (r"\btwice\b", "2 times"), (r"\bthrice\b", "3 times"),
    # a time of day: "in the morning" = "every morning", "at night" = "at bedtime" = "before bed"
    (r"(?:^| )(?:in the|at|during the) (morning|evening|night)s?$", " a $1"),
    (r"(?:^| )(?:at bed ?time|before bed(?:time)?)$", " a night"),
    (r"^ a (morning|evening|night)$", "1 times a $1"),
    (r"^([\d.]+(?:-[\d.]+)?)[\s-]*hourly$", "every $1 hour"), (r"^(every [\d.-]+)([a-z])", "$1 $2"),
    (r"\bb\.?i\.?d\.?", "2 times a day"), (r"\bt\.?i\.?d\.?", "3 times a day"), (r"\bq\.?i\.?d\.?", "4 times a day"),
    (r"\bq\.?d\.?(?:\s|$)", "1 times a day"), (r"\bqhs\b|\bat bedtime\b", "1 times a night"),
    (r"\bevery other (\w+)", "every 2 $1"),
    (r"^(\d+) times? (?:or|to|-) (\d+) times", "$1-$2 times"),  # "once or twice a day" -> "1-2x/day"
    # one period word or phrase is a rate: "daily" = "a day" = "per day" = "each day" = "every day" -> "1x/day"
    (r"^(?:daily|(?:every|each|per|a) day)$", "1 times a day"), (r"^(?:weekly|(?:every|each|per|a) week)$", "1 times a week"),
    (r"^(?:monthly|(?:every|each|per|a) month)$", "1 times a month"), (r"^(?:nightly|(?:every|each|per|a) night)$", "1 times a night"),
    (r"^(?:yearly|annually|(?:every|each|per|a) year)$", "1 times a year"), (r"^(?:hourly|(?:every|each|per) hour)$", "1 times a hour"),
    (r"^(?:every|each|per) (morning|evening)$", "1 times a $1"),
    # a count of days in a period is how often: "5 days a week" = "5 days each week" = "5 times a week" -> "5x/week"
    (r"^(\S+) (?:days?|nights?|mornings?|evenings?) ?(?:(?:a|per|each|every|/) ?(week|month|year)|(week|month|year)ly)$", "$1x/$2$3"),
    (r"^(\S+) (?:days?|nights?|mornings?|evenings?) ?annually$", "$1x/year"),
    (r"^/ ?(day|week|month|night|hour)$", "1 times a $1"),
    (r"\s*(?:times?|x)\s*(?:an?|per|each|every|/)?\s*(day|week|month|year|night|hour|morning|evening)\b", "x/$1"),
    (r"\s*(?:times?|x)[\s-]*daily\b", "x/day"), (r"\s*(?:times?|x)[\s-]*weekly\b", "x/week"), (r"\s*(?:times?|x)[\s-]*monthly\b", "x/month"),
    (r"\s*(?:times?|x)[\s-]*nightly\b", "x/night"), (r"\s*(?:times?|x)[\s-]*hourly\b", "x/hour"),
    (r"\s*(?:times?|x)[\s-]*(?:yearly|annually)\b", "x/year"),
    (r"\s*(?:times?|x)$", "x"),
    (r"^every (\S+) (?:hours?|hrs?|h)$", "every $1 hour"), (r"^every (\S+) (?:minutes?|mins?)$", "every $1 minute"),
    (r"^every (\S+) (?:weeks?|wks?)$", "every $1 week"), (r"^every (\S+) (?:years?|yrs?)$", "every $1 year"),
    (r"^every (\S+) (day|week|month|night|hour|morning|evening)s?$", "every $1 $2"),
]


def _py_rep(rep: str) -> str:
    """polars/Rust replacement syntax ($1, ${1}) -> Python re (\\g<1>)."""
    return re.sub(r"\$\{?(\d+)\}?", r"\\g<\1>", rep)


def _compile(reps: list[tuple[str, str]]) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), _py_rep(r)) for p, r in reps]


_NUMBER_WORDS_PY = _compile(_NUMBER_WORDS)
_NUMBER_TAIL_PY = _compile([(r"(\d),(\d{3})", "$1$2"), (r"(^|[^\d])\.(\d)", "${1}0.$2"), (r"(\d)\s*(?:-to-|-|to|or|and)\s*(\d)", "$1-$2")])
# "6h" = "6 h" before the unit words are read ("6 hour"), and again after ("5mg/kg")
_UNIT_CANON_PY = _compile([(r"\byears? old\b", "year"), (r"(\d)[\s-]*([a-z°])", "$1 $2")] + _UNIT_CANON + [(r"(\d)[\s-]*([a-z°])", "$1 $2"), (r"(\d)\s+%", "$1%"),
                                                                        ])
_FREQ_CANON_PY = _compile(_FREQ_CANON + [(r"\bhours\b", "hour"), (r"\bdays\b", "day"), (r"\bweeks\b", "week"), (r"\bmonths\b", "month")])


def _sub_all(text: str, reps: list[tuple[re.Pattern, str]]) -> str:
    for rx, rep in reps:
        text = rx.sub(rep, text)
    return text


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_FRACTION_OF = {"half": 0.5, "quarter": 0.25, "third": 1 / 3, "fourth": 0.25, "fifth": 0.2, "eighth": 0.125}


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def _fraction_words(text: str) -> str:
    """ "a quarter" -> 0.25, "2-thirds" -> 0.667 (after the number words), "1/2" -> 0.5, "1 1/2" -> 1.5,
    "2 and 0.5" -> 2.5, "3 thousand" -> 3000, "2 hundred and 50" -> 250."""
    def frac(m: re.Match) -> str:
        n = 1.0 if m.group(1) in (None, "a", "an", "1") else float(m.group(1))
        return _fmt(n * _FRACTION_OF[m.group(2)])

    text = re.sub(r"\b(?:(a|an|\d+)[- ])?(half|quarter|third|fourth|fifth|eighth)s?\b", frac, text)
    text = re.sub(r"\b(\d+) ([1-7])/([2-58])\b", lambda m: _fmt(int(m.group(1)) + int(m.group(2)) / int(m.group(3))), text)
    text = re.sub(r"(?<![\d/])([1-7])/([2-58])\b(?!/)", lambda m: _fmt(int(m.group(1)) / int(m.group(2))), text)
    text = re.sub(r"\b(\d+) and (?:a |an )?(0\.\d+)\b", lambda m: _fmt(int(m.group(1)) + float(m.group(2))), text)
    text = re.sub(r"\b(?:(a|\d+(?:\.\d+)?)[- ])?thousand\b",
                  lambda m: _fmt((1 if m.group(1) in (None, "a") else float(m.group(1))) * 1000), text)
    text = re.sub(r"\b(?:(a|\d+)[- ])?hundred(?:[- ](?:and[- ])?(\d{1,2})\b)?",
                  lambda m: str((1 if m.group(1) in (None, "a") else int(m.group(1))) * 100 + int(m.group(2) or 0)), text)
    return text


def canon_number(text: str) -> str:
    text = re.sub(r"\bbetween\s+", "", text)
    return _sub_all(_fraction_words(_sub_all(text, _NUMBER_WORDS_PY)), _NUMBER_TAIL_PY)


_KITCHEN = {"cup": (8, "oz"), "tsp": (5, "ml"), "tbsp": (15, "ml")}  # US measures, as a dosing cup / spoon marks them


def _convert_units(q: str) -> str:
    """One unit for one amount: grams -> mg ("3 grams" = "3,000 mg"), liters -> mL, under 1 mg in mcg ("0.5 mg" =
    "500 mcg"), 1,000 mcg and up in mg; hours and minutes -> whole hours, else
    minutes ("1.5 hours" = "90 minutes", "120 minutes" = "2 hours"), whole days of hours ("48 hours" = "2 days");
    days -> weeks when whole ("14 days" = "2 weeks"); kitchen measures in the unit of the dose: a cup is 8 oz ("half
    a cup" = "4 ounces"), a teaspoon 5 mL and a tablespoon 15 mL (the dosing spoon's own marks)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))? (g|mg|mcg|l|hour|minute|day|cup|tsp|tbsp)", q)
    if not m:
        return q
    nums = [float(x) for x in m.group(1, 2) if x is not None]
    unit = m.group(3)
    if unit in _KITCHEN:
        per, unit = _KITCHEN[unit]
        nums = [x * per for x in nums]
    if unit == "g":
        nums, unit = [x * 1000 for x in nums], "mg"
    elif unit == "l":  # "1.5 liters" = "1,500 mL"
        nums, unit = [x * 1000 for x in nums], "ml"
    if unit == "mg" and all(x < 1 for x in nums):  # "0.5 mg" = "500 mcg"; "1,000 mcg" = "1 mg"
        nums, unit = [round(x * 1000, 3) for x in nums], "mcg"
    elif unit == "mcg" and all(x >= 1000 for x in nums):
        nums, unit = [x / 1000 for x in nums], "mg"
    elif unit in ("hour", "minute"):
        mins = [x * 60 if unit == "hour" else x for x in nums]
        if all(x % 1440 == 0 and x > 0 for x in mins):  # "48 hours" = "2 days" (then "14 days" = "2 weeks")
            nums, unit = [x / 1440 for x in mins], "day"
        elif all(x % 60 == 0 for x in mins):
            nums, unit = [x / 60 for x in mins], "hour"
        elif all(x == int(x) for x in mins):
            nums, unit = mins, "minute"
    if unit == "day" and all(x % 7 == 0 and x > 0 for x in nums):
        nums, unit = [x / 7 for x in nums], "week"
    return "-".join(_fmt(x) for x in nums) + " " + unit


def canon_quantity(text: str) -> str:
    text = re.sub(r"^half (?:a|an) ", "half ", _ws(text))
    text = re.sub(r"^(?:an?|one) (\w+) and a half$", r"1.5 \1", text)
    text = re.sub(r"^an hour$", "1 hour", text)  # "an hour and a half" = "1.5 hours"
    text = re.sub(r"^([\d.]+) (?:of )?(?:a|an) ", r"\1 ", canon_number(text))  # "0.25 of an hour" = "0.25 hour"
    return _convert_units(_ws(_sub_all(text, _UNIT_CANON_PY)))


def canon_meal_time(text: str) -> str:
    """ "at breakfast" = "with breakfast"; "with supper" = "with the evening meal" -> "with dinner"; "before eating" =
    "before each meal" -> "before meals"; "with food" -> "with meals"."""
    text = _ws(text)
    rel = text.split(" ", 1)[0]
    rel = "with" if rel in ("at", "during") else rel
    if re.search(r"\b(?:breakfast|brunch|morning meal)", text):
        meal = "breakfast"
    elif re.search(r"\b(?:lunch|midday meal|noon meal)", text):
        meal = "lunch"
    elif re.search(r"\b(?:dinner|supper|evening meal|night meal)", text):
        meal = "dinner"
    else:
        meal = "meals"
    return f"{rel} {meal}"


def canon_frequency(text: str) -> str:
    both = re.fullmatch(r"(?:in the )?morning and (?:in the |at )?(evening|night)", _ws(text))
    if both:  # "morning and evening" = "in the morning and in the evening": two times of day
        return "1x/morning" + SEP + "1x/" + both.group(1)
    out = _ws(_sub_all(canon_number(_ws(text)), _FREQ_CANON_PY))
    # one unit per interval: every 60 minutes = hourly, every 1.5 hours = every 90 minutes, every 72 hours = every
    # 3 days, every 24 hours = daily, every 14 days = every 2 weeks
    m = re.fullmatch(r"every (\d+(?:\.\d+)?) (minute|hour|day)", out)
    if m:
        n, unit = float(m.group(1)), m.group(2)
        if unit == "hour" and n != int(n) and (n * 60) == int(n * 60):
            n, unit = n * 60, "minute"
        if unit == "minute" and n % 60 == 0:
            n, unit = n // 60, "hour"
        if unit == "hour" and n % 24 == 0:
            n, unit = n // 24, "day"
        if unit == "day" and n % 7 == 0:
            n, unit = n // 7, "week"
        out = f"1x/{unit}" if n == 1 else f"every {_fmt(n)} {unit}"
    if out == "7x/week":  # "7 days a week" = "every day"
        out = "1x/day"
    return out


# ---------------------------------------------------------------- lexicon


# "trouble swallowing" = "difficulty swallowing" = "struggles with swallowing" = "swallowing problems": a lexicon
# name "trouble / difficulty / problems <verb>ing" is matched in each of these wordings
_TROUBLE_LEADS = ("trouble", "trouble with", "difficulty", "difficulty with", "difficulties", "difficulties with", "problems",
                  "problems with", "a problem with", "struggle with", "struggles with", "struggling with", "a hard time",
                  "hard time")
_TROUBLE_TAILS = ("difficulty", "difficulties", "problems", "trouble")


def _wordings(name: str) -> list[str]:
    m = re.fullmatch(r"(?:trouble|difficulty|difficulties|problems?)(?: with)? (\w+ing)|(\w+ing) (?:difficult(?:y|ies)|problems?|trouble)",
                     name)
    if not m:
        return [name]
    verb = m.group(1) or m.group(2)
    return [name, *(f"{lead} {verb}" for lead in _TROUBLE_LEADS), *(f"{verb} {tail}" for tail in _TROUBLE_TAILS)]


def _verb_forms(name: str) -> list[str]:
    """A condition named by what a person does ("wandering", "vomiting", "choking", "passing out") is the same
    condition in the verb's other forms: "he wanders" = "wandered" = "wandering"; "she vomits", "he choked", "passed
    out".  Only "-s" / "-ed" forms (a bare "faint" / "sundown" is another word); a form that is no word never occurs."""
    first, _, rest = name.partition(" ")
    if not first.endswith("ing") or len(first) < 7 or "-" in first:
        return []
    stem = first[:-3]
    tail = f" {rest}" if rest else ""
    return [f"{stem}{end}{tail}" for end in ("s", "es", "ed")]  # "wanders", "chokes", "choked"


def _read_lexicon(path: Path, exact: bool = False, verbs: bool = False) -> dict[str, str]:
    """``{surface: canonical}``; a name written in capitals ("MS", "AD") is matched in that case only: it is left
    out here and given by ``exact=True`` (in its own case); ``verbs=True`` adds the verb forms of a condition named
    by a gerund (``_verb_forms``).  A line whose first name an earlier line lists already adds its names to that
    earlier entry ("ferrous sulfate|feosol" after "iron|ferrous sulfate": Feosol is iron), so one drug never has
    two canonical names."""
    out: dict[str, str] = {}
    owner: dict[str, str] = {}  # every listed name (any case) -> the canonical name of its first line
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip().replace("’", "'")
        if not line:
            continue
        names = [n.strip() for n in line.split("|") if n.strip()]
        canon = owner.get(names[0].lower(), names[0].lower())
        for n in names:
            owner.setdefault(n.lower(), canon)
        for n in names:
            if (n.isupper() and len(n) <= 5) == exact:
                for w in ([n] if exact else _wordings(n.lower())):
                    out.setdefault(w, canon)
                if verbs and not exact:
                    for w in _verb_forms(n.lower()):
                        out.setdefault(w, canon)
    return out


@functools.lru_cache(maxsize=8)
def lexicon(extra_dir: str | None = None) -> dict[str, dict[str, str]]:
    """``{"drug": {surface: canonical}, "condition": {...}, "exact_case": {...}}`` from the built-in lexicon
    (+ ``extra_dir``); ``exact_case`` holds the capitalized abbreviations matched in their own case only."""
    files = (("drug", "drugs.txt"), ("condition", "conditions.txt"))
    out = {kind: _read_lexicon(LEXICON_DIR / fname, verbs=kind == "condition") for kind, fname in files}
    out["exact_case"] = {k: v for _, fname in files for k, v in _read_lexicon(LEXICON_DIR / fname, exact=True).items()}
    if extra_dir:
        for kind, fname in files:
            p = Path(extra_dir) / fname
            if p.exists():
                out[kind].update(_read_lexicon(p, verbs=kind == "condition"))
                out["exact_case"].update(_read_lexicon(p, exact=True))
    return out


@functools.lru_cache(maxsize=8)
def _drug_families(extra_dir: str | None = None) -> dict[str, str]:
    """``{drug: family}`` for a listed drug whose name is another listed drug and a word that says which kind
    ("insulin glargine", "regular insulin" -> "insulin"; "topical lidocaine" -> "lidocaine"): naming the kind names
    the family too, so "give the insulin" -> "give the Humalog" adds "insulin lispro" and loses no "insulin".  Added
    to a text's facts by ``facts_series``; ``canonical`` of a labeled span stays the kind ("Humalog" -> "insulin
    lispro")."""
    drugs = set(lexicon(extra_dir)["drug"].values())
    out = {}
    for d in drugs:
        if "-" in d or " " not in d:  # a combination, or a one-word name
            continue
        words = d.split()
        parts = [" ".join(words[:i]) for i in range(1, len(words))] + [" ".join(words[i:]) for i in range(1, len(words))]
        fam = next((p for p in parts if p in drugs), None)
        if fam:
            out[d] = fam
    return out


def _alternation(names, plural: bool = False) -> str:
    body = r"\b(?:" + "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)) + r")"
    return body + (r"(?:e?s)?\b" if plural else r"\b")


def _lookup(surface: dict[str, str], span: str) -> str:
    """The canonical name of a lexicon span, a plural too ("urinary tract infections" -> the infection)."""
    if span in surface:
        return surface[span]
    for cut in (1, 2):
        if span[-cut:] in ("s", "es") and span[:-cut] in surface:
            return surface[span[:-cut]]
    return span


def _read_organizations(path: Path) -> list[str]:
    if not path.exists():
        return []
    names = (line.split("#", 1)[0].strip().replace("’", "'") for line in path.read_text("utf-8").splitlines())
    return [n for n in names if n]


@functools.lru_cache(maxsize=8)
def organizations(extra_dir: str | None = None) -> tuple[str, ...]:
    """Organization / agency names of ``data/lexicon/organizations.txt`` (+ ``extra_dir``): never facts, in any
    case.  The capitalized names the general rule (``_ORG_RULE``) catches need not be listed."""
    names = _read_organizations(LEXICON_DIR / "organizations.txt")
    if extra_dir:
        names += _read_organizations(Path(extra_dir) / "organizations.txt")
    return tuple(dict.fromkeys(names))


# The general rule needs the original case and is ~5x slower than a literal search for its (capitalized)
# organization words, and most texts name no organization: only the texts that hold such a word are rewritten.
_ORG_RULE_RUST = _ORG_RULE.replace(r"\b", r"(?-u:\b)")
_ORG_GATE = _ORG_TAIL.replace(r"\b", r"(?-u:\b)")


def _ascii_classes(pattern: str) -> str:
    """The Rust form of a pattern: ASCII ``\\b`` / ``\\s`` / ``\\d`` / ``\\w`` (Unicode classes make the combined
    alternation's lazy DFA too big for its cache: ~3x slower, same matches on this text)."""
    return (pattern.replace(r"\b", r"(?-u:\b)").replace(r"\s", r"[\t\n\v\f\r ]").replace(r"\d", "[0-9]")
            .replace(r"\w", "[0-9A-Za-z_]"))


# a street address is where, not a medical fact: "45 Maple Avenue", "1200 Oak Street, Suite 300", "350 5th Ave.",
# "P.O. Box 1234", "Chicago, IL 60601" (read in the original case: a number, capitalized words, a street word;
# "Dr" is left out, it is a doctor as often: "give 2 Tylenol Dr. Lee said")
_STREET = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|"
           r"Terrace|Circle|Plaza|Square|Sq|Pike|Turnpike)")
_ADDRESS = (
    r"\b\d{1,6}(?:-\d{1,5})?\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Z][A-Za-z'-]*|\d{1,3}(?:st|nd|rd|th))\s+){1,3}" + _STREET + r"\b\.?"
    r"(?:,?\s+(?:Suite|Ste\.?|Apt\.?|Unit|Room|Floor|#)\s*#?\d+[A-Za-z]?\b)?"
    r"|\b(?:Suite|Ste\.|Apt\.?|Room|Rm\.|Floor)\s+#?\d+[A-Za-z]?\b|\bP\.?\s?O\.?\s+Box\s+\d+\b|,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
)
_ADDRESS_RUST = _ascii_classes(_ADDRESS)
_ADDRESS_GATE = _ascii_classes(r"\b(?:" + _STREET + r"|Suite|Ste|Apt|Box|Room|Rm|Floor)\b|,\s*[A-Z]{2}\s+\d{5}")


def _drop_organizations(texts: pl.Series) -> pl.Series:
    """Blank out the general rule's organization names and street addresses (original case); the listed names
    are matched later, in the lower-cased pass.  Only the texts that hold an organization or street word are
    rewritten."""
    for gate, rule in ((_ORG_GATE, _ORG_RULE_RUST), (_ADDRESS_GATE, _ADDRESS_RUST)):
        mask = texts.str.contains(gate)
        if mask.any():
            texts = texts.scatter(mask.arg_true(), texts.filter(mask).str.replace_all(rule, " "))
    return texts


@functools.lru_cache(maxsize=8)
def _name_patterns(extra_dir: str | None) -> tuple[str, dict[str, str]]:
    lex = lexicon(extra_dir)
    surface = {**{k: v for k, v in lex["condition"].items()}, **{k: v for k, v in lex["drug"].items()}}
    # a name may have a word joined to it ("carbidopa-levodopa", "aspirin-free"): read in _canon_name
    return _alternation(surface, plural=True) + r"(?:\s?[-/]\s?[a-z][a-z']{2,}(?:e?s)?\b)?", surface


# ---------------------------------------------------------------- extraction (one regex pass per column)


def _prep(col: str) -> pl.Expr:
    return (
        pl.col(col).fill_null("")
        .str.replace_all(r"[’‘]", "'")
        .str.replace_all(r"[–—−]", "-")
        .str.replace_all(r"[µμ]g", "mcg")
        .str.replace_all(r"(^|[^0-9.,])\.([0-9])", "${1}0.${2}")  # ".5 mg" = "0.5 mg"
        # "2 centimeters" = "2 cm" (written here, not in _UNIT: the numbers pass's lazy DFA is at its cache size)
        .str.replace_all(r"(?i)([0-9])([\s-]*)centimet(?:er|re)s?\b", "${1}${2}cm")
        .str.replace_all(r"(?i)([0-9])([\s-]*)millimet(?:er|re)s?\b", "${1}${2}mm")
        # "2 chewable tablets" = "2 tablets", "One eye drop" = "one drop"
        .str.replace_all(_ascii_classes(r"(?i)\b(" + _KIND_COUNT + r")\s+" + _FORM_KIND + r"\s+(" + _KIND_FORM + r")"), "${1} ${2}")
        .str.replace_all(r"(\d)\s?½", "${1}.5").str.replace_all(r"(\d)\s?¼", "${1}.25").str.replace_all(r"(\d)\s?¾", "${1}.75")
        .str.replace_all("½", "1/2", literal=True).str.replace_all("¼", "1/4", literal=True)
        .str.replace_all("¾", "3/4", literal=True)
    )



# a phrase or name read (and blanked) in the phrase or names pass: the next pass reads what is left ("2 ¦ tablets" is
# no "2 tablets")
_BLANK = " ¦ "


@functools.lru_cache(maxsize=16)
def _extractor(extra_dir: str | None, not_facts: bool = True):
    """``(numbers, names, full, surface)``: two of the three Rust alternations, the classifiers that canonicalize
    one matched span, and the lexicon surfaces (the third, the phrase pass's, is left in ``_PHRASES``).

    The phrase pass (meal lists, the not-facts that start with a word, meal times, week days, other dose times, a
    time before a dose word, a condition in other words, the period of a limit, "a dose of") is read first and its matches are blanked out; then ``names`` (web addresses and the listed organization names,
    then the lexicon names; leftmost-first), blanked out in turn; ``numbers`` (idioms and other not-facts to ignore,
    frequencies, quantities, drug suffixes, bare numbers: leftmost-first, in this order) reads the rest.  Three
    passes, because the lexicon's big literal alternation and the number patterns in one alternation overflow the
    lazy DFA's cache (~50x slower), and word patterns in the names' alternation cost it its fast literal search (~4x);
    a name never starts inside a number fact, nor a phrase inside a name, so the matches are the same.
    ``not_facts=False`` leaves out the list-marker / phone / web / non-dosing-day / idiom rules (a baseline)."""
    names_rx, surface = _name_patterns(extra_dir)
    ignore = _IDIOMS + "|" + _NOT_RATE
    name_ignore = ""
    if not_facts:
        ignore += "|" + _NUMWORD_IDIOMS + "|" + _NOT_FACTS
        # web addresses and the listed organization names, in any case, before the names they hold ("alzheimer's")
        name_ignore = _WEB + "|" + _alternation(n.lower() for n in organizations(extra_dir))
    parts = [
        # the phrase pass (first): the times of a dose in words, and the not-facts that start with a word
        ("meal_list", _MEAL_LIST),
        *([("phrase_ignore", _PHRASE_NOT_FACTS)] if not_facts else []),
        ("meal_time", _MEAL_TIME),
        ("weekdays", _WEEKDAYS),
        ("dose_time", "|".join([_BEDTIME, _WAKING, _NOON, _EVERY_NTH, _ONE_OR_TWO])),
        ("time_noun", _TIME_NOUN),
        ("condition_phrase", _MOOD + "|" + _FEVER_READING),
        ("limit_period", _LIMIT_PERIOD),
        ("one_dose", _ONE_DOSE),
        # the numbers pass (last)
        ("named_count", _NAMED_COUNT),
        ("ignore", ignore),
        *([("year", _YEAR)] if not_facts else []),
        ("number_ctx", _NUMBER_CTX),
        ("reading", _READING),
        ("age", _AGE),
        ("clock", _CLOCK),
        ("temperature", _TEMPERATURE),
        ("count_form", _COUNT_FORM.replace(r"[a-z][a-z'-]*", r"(?:[a-z][a-z'-]*|¦)")),
        ("one_measure", _ONE_MEASURE),
        ("frequency", _FREQ + r"|/\s?(?:day|week|month|night|hour)\b"),  # "5 mg/day" = "5 mg a day"
        ("quantity_in_period", _QTY_IN_PERIOD),
        ("quantity_range", _QTY_RANGE),
        ("quantity_fraction", _QTY_FRACTION),
        ("quantity", _QTY),
        ("ratio", _RATIO),
        ("number_range", _NUM_RANGE),
        ("name", names_rx),
        ("drug_suffix", _DRUG_SUFFIX),
        ("number", _BARE),
        ("number_fraction", r"\b(?:one|two|three)[- ](?:thirds?|quarters?|fourths?|fifths?)\b"),  # "two-thirds of" = 0.667
        ("number_word", _NUMWORD_BARE),
    ]
    if name_ignore:
        parts.insert(0, ("name_ignore", name_ignore))
    numbers = _ascii_classes("|".join(f"(?:{p})" for k, p in parts if k not in _IN_NAMES + _IN_PHRASES))
    names = _ascii_classes("|".join(f"(?:{p})" for k, p in parts if k in _IN_NAMES))
    full = [(kind, re.compile(p)) for kind, p in parts]
    _PHRASES[(extra_dir, not_facts)] = _ascii_classes("|".join(f"(?:{p})" for k, p in parts if k in _IN_PHRASES))
    return numbers, names, full, surface


_IN_NAMES = ("name_ignore", "name")
_IN_PHRASES = ("meal_list", "phrase_ignore", "meal_time", "weekdays", "dose_time", "time_noun", "condition_phrase", "limit_period",
               "one_dose")
_PHRASES: dict[tuple[str | None, bool], str] = {}  # the phrase pass's alternation, by _extractor's arguments


def _canon_quantity_range(span: str) -> str:
    """ "5 mg to 10 mg" -> "5-10 mg"; two different units stay two amounts ("2 tablets or 10 mg")."""
    rx = re.compile(_QTY)
    for cut in re.finditer(r"\s*(?:-to-|-|to|or)\s*", span):
        a, b = span[:cut.start()], span[cut.end():]
        if rx.fullmatch(a) and rx.fullmatch(b):
            qa, qb = canon_quantity(a), canon_quantity(b)
            na, _, ua = qa.partition(" ")
            nb, _, ub = qb.partition(" ")
            if ua == ub and "-" not in na + nb:
                return f"{na}-{nb} {ua}"
            return qa + SEP + qb
    return canon_quantity(span)


def _canon_name(span: str, surface: dict[str, str], drugs: frozenset[str] = frozenset()) -> str:
    """A lexicon name, or a name and the word joined to it by "-" / "/": two drugs in one name ("levodopa/carbidopa")
    are the lexicon's entry for the pair, else both generics, sorted; any other word is dropped ("aspirin-free")."""
    if span in surface or not re.search(r"[-/]", span):
        return _lookup(surface, span)
    for cut in reversed(list(re.finditer(r"\s?[-/]\s?", span))):
        left, right = span[:cut.start()], span[cut.end():]
        a, b = _lookup(surface, left), _lookup(surface, right)
        if a in surface.values() and (left in surface or a != left):
            if b in surface.values() and (right in surface or b != right):
                if not {a, b} <= drugs:  # "anxiety/depression": two facts
                    return a + SEP + b
                names = sorted({a, b})
                joined = "-".join(names)
                return surface.get(joined, surface.get("-".join(reversed(names)), joined))
            return a
    return _lookup(surface, span)


def _canonical_within(span: str, extra_dir: str | None) -> list[str] | None:
    if getattr(_canonical_within, "busy", False):
        return None
    _canonical_within.busy = True
    try:
        return extract_facts(span, extra_dir)
    finally:
        _canonical_within.busy = False


_CANON_CACHE: dict[tuple[str | None, str], str | None] = {}
SEP = "\x1f"  # between the facts of a span that holds two ("1 in 9" -> "1", "9"; "3,000 mg in a day")


def canonical(span: str, extra_dir: str | None = None) -> str | None:
    """Canonical form of one matched span (lower-case), or None for an ignored idiom; a span that holds two
    facts gives both, joined by ``SEP``."""
    key = (extra_dir, span)
    if key in _CANON_CACHE:
        return _CANON_CACHE[key]
    if not span.islower() or not span.isascii():  # a hand-written span ("Aricept", "5–10 mg", "Alzheimer’s")
        span = _ws(re.sub(r"[µμ]g", "mcg", re.sub(r"[–—−]", "-", re.sub(r"[’‘]", "'", span))).lower())
        for sym, dec, frac in (("½", ".5", "1/2"), ("¼", ".25", "1/4"), ("¾", ".75", "3/4")):
            span = re.sub(r"(\d)\s?" + sym, r"\g<1>" + dec, span).replace(sym, frac)
    _, _, full, surface = _extractor(extra_dir)
    kind = next((k for k, rx in full if rx.fullmatch(span)), None)
    if kind is None:  # a labeled span with words around its fact ("for 10 days"): the one fact it holds
        found = [f for f in (_canonical_within(span, extra_dir) or []) if f]
        out = SEP.join(found) if found else span.replace(",", "")
    elif kind in ("ignore", "name_ignore", "phrase_ignore"):
        out = None
    elif kind == "year":  # the year of an event is no fact; "in 2000 mg doses" is the amount
        unit = re.search(r"(\d{4})\s*([^\d\s][^\d]*)$", span)
        out = canon_quantity(f"{unit.group(1)} {unit.group(2)}") if unit else None
    elif kind == "clock":  # "8 a.m." = "8:00 am" -> "8am"; "10:30 pm" -> "10:30pm"; "10:30" -> "10:30"
        m = re.fullmatch(r"(\d{1,2})(?::(\d\d))?\s*([ap])?.*", span)
        h, mins, ap = int(m.group(1)), m.group(2), m.group(3)
        if not ap and (h >= 13 or h == 0):  # a 24-hour clock: "21:00" = "9 p.m.", "00:30" = "12:30 a.m."
            h, ap = (h - 12, "p") if h >= 13 else (12, "a")
        out = (f"{h}" + ("" if mins in (None, "00") else ":" + mins) + ap + "m") if ap else f"{h}:{mins}"
    elif kind == "temperature":
        out = re.sub(r"\s*([fc])$", r" °\1", span)
    elif kind == "count_form":  # "one 28 mg memantine capsule" -> "1 capsule" + the facts of "28 mg memantine"
        count, rest = span.split(None, 1)
        middle, form = rest.rsplit(None, 1)
        inner = facts_series(pl.Series([middle], dtype=pl.Utf8), extra_dir)[0].to_list()
        out = SEP.join([canon_quantity(f"{count} {form}"), *inner])
    elif kind == "one_measure":  # "put a drop in each eye" -> "1 drop"
        unit = re.search(r"\b(" + _MEASURE + r"|dose|tablet|pill|capsule|injection|shot|patch|puff|drop|spray|"
                         r"suppository)\b", span).group(1)
        out = canon_quantity("1 " + re.sub(r"ful$", "", unit))
    elif kind == "frequency":
        out = canon_frequency(span)
    elif kind == "weekdays":  # "every Monday and Thursday" -> "2x/week" + "monday" + "thursday"
        days = sorted(set(re.findall(_DAY_NAME, span)))
        out = SEP.join([f"{len(days)}x/week", *days])
    elif kind == "dose_time":
        if re.fullmatch(_BEDTIME, span):
            out = "1x/night"
        elif re.fullmatch(_WAKING, span):
            out = "1x/morning"
        elif re.fullmatch(_NOON, span):
            out = "12am" if "midnight" in span else "12pm"
        elif re.fullmatch(_EVERY_NTH, span):
            nth, unit = re.fullmatch(r"every (\w+) (\w+)", _ws(span)).groups()
            out = canon_frequency(f"every {_ORDINAL_N[nth]} {unit}")
        elif "time" in span:  # "one or two times a day" -> "1-2x/day"
            out = canon_frequency(span)
        else:
            out = canon_quantity(span)
    elif kind == "time_noun":  # "morning insulin" -> "1x/morning" + the facts of "insulin"
        when, rest = span.split(None, 1)
        inner = facts_series(pl.Series([rest], dtype=pl.Utf8), extra_dir)[0].to_list()
        out = SEP.join([_TIME_NOUN_OF[when], *inner])
    elif kind == "limit_period":  # "in 24 hours" = "in a day"
        out = "1x/day"
    elif kind == "one_dose":
        out = "1 dose"
    elif kind == "condition_phrase":  # "when she's anxious" -> "anxiety"; "her temperature is over" -> "fever"
        mood = re.search(r"\b(?:" + "|".join(_MOOD_OF) + r")\b", span)
        out = _MOOD_OF[mood.group(0)] if mood and re.fullmatch(_MOOD, span) else "fever"
    elif kind == "meal_time":
        out = canon_meal_time(span)
    elif kind == "meal_list":  # "with breakfast, lunch and dinner": one time per meal, each with its own word or the first
        rel = span.split(None, 1)[0]
        out = SEP.join(canon_meal_time(p if re.match(_MEAL_REL + r"\s", p) else f"{rel} {p}")
                       for p in re.split(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+", span) if p.strip())
    elif kind in ("quantity", "quantity_fraction"):
        out = canon_quantity(span)
    elif kind == "quantity_range":
        out = _canon_quantity_range(span)
    elif kind in ("name", "drug_suffix"):
        out = _canon_name(span, surface, frozenset(lexicon(extra_dir)["drug"].values()))
    elif kind == "quantity_in_period":
        qty, period = re.split(r"\s+(?:in|within)\s+(?:a|one|1)\s+", span, maxsplit=1)
        out = canon_quantity(qty) + SEP + "1x/" + period
    elif kind == "ratio":
        out = SEP.join(canon_number(n) for n in re.split(r"\s+(?:in|out of)\s+", span, maxsplit=1))
    elif kind == "number_fraction":
        out = canon_number(span)
    elif kind == "number_word":
        out = canon_number(span).replace(" ", "")
    elif kind == "number_ctx":
        rng = re.fullmatch(r"(\d+)\s*(?:to|-)\s*(\d+)\)", span)
        out = f"{rng.group(1)}-{rng.group(2)}" if rng else SEP.join(re.findall(r"\d+", span))
    elif kind == "reading":
        out = SEP.join(re.findall(r"\d+", span))
    elif kind in ("age", "named_count"):
        out = canon_number(re.sub(r"^one of |\b(?:the|aged?|years?|yrs?|old(?:er)?|of age|of|and|or|over|above|up|warning|early|common|"
                                  r"main|key|classic|signs|symptoms|stages|steps|types|kinds|forms|causes|risk factors)\b|-",
                                  " ", span).strip()).replace(" ", "")
    elif kind == "number_range":
        out = canon_number(span).replace(" ", "")
    elif kind == "number" and span == "1":  # a bare "1" is "one", which is no fact either ("one at 8 p.m.")
        out = None
    else:
        out = span.replace(",", "")
    if len(_CANON_CACHE) < 500_000:
        _CANON_CACHE[key] = out
    return out


@functools.lru_cache(maxsize=8)
def _exact_case_pattern(extra_dir: str | None) -> str:
    """The capitals-only names (``"MS"``, ``"RA"``), each after the lexicon names that start with it (``"MS Contin"``
    is morphine, no multiple sclerosis): a longer name matched here maps to no exact-case name and is dropped (the
    lower-cased names pass reads it)."""
    lex = lexicon(extra_dir)
    exact = lex["exact_case"]
    firsts = {k.lower(): k for k in exact}
    longer = []
    for name in {**lex["condition"], **lex["drug"]}:
        first, _, rest = name.partition(" ")
        if rest and first in firsts:
            longer.append(re.escape(firsts[first]) + r"[ -](?i:" + re.escape(rest) + r")")
    body = "|".join(longer + [re.escape(n) for n in sorted(exact, key=len, reverse=True)])
    return _ascii_classes(r"\b(?:" + body + r")\b")


@functools.lru_cache(maxsize=8)
def _dose_name_stop(extra_dir: str | None) -> list[str]:
    """``_DOSE_NAME_STOP`` and the later words of the lexicon's names: in "Ferrous Sulfate 325 mg", "Breo Ellipta 100
    mcg", "Folic Acid 1 mg" the capitalized word before the dose ends a listed name, it is no other drug."""
    lex = lexicon(extra_dir)
    tails = {w for name in {**lex["condition"], **lex["drug"]} for w in re.split(r"[\s-]+", name)[1:] if len(w) >= 4}
    return sorted(set(_DOSE_NAME_STOP) | tails)


def _spans(prepped: pl.Series, rows: pl.Series, numbers: str, names: str,
           exact: dict[str, str], phrases: str, exact_rx: str = "",
           stop: list[str] | tuple[str, ...] = _DOSE_NAME_STOP) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(_row, _m)`` frames of the matched spans (lower-cased passes: phrases, then names in what is left, then
    numbers in what is left) and of the original-case names: capitalized names before a dose and the lexicon's
    capitals-only abbreviations (already canonical)."""
    low = prepped.str.to_lowercase().to_frame("_l").with_columns(
        pl.col("_l").str.extract_all(phrases).alias("_p"), pl.col("_l").str.replace_all(phrases, _BLANK))
    low = low.with_columns(pl.col("_l").str.extract_all(names).alias("_n"), pl.col("_l").str.replace_all(names, _BLANK))
    matched = low.select(pl.concat_list("_p", "_n", pl.col("_l").str.extract_all(numbers)).alias("_m"))["_m"]
    cols = [
        pl.col("_t").str.extract_all(_DOSE_NAME).list.eval(
            pl.element().str.extract(r"([A-Z][a-z]{3,})", 1).str.to_lowercase())
        .list.eval(pl.element().filter(~pl.element().is_in(stop))).alias("_d"),
    ]
    if exact:
        cols.append(pl.col("_t").str.extract_all(exact_rx or _ascii_classes(_alternation(exact))).alias("_e"))
    frame = prepped.to_frame("_t").select(cols)  # prepared once, read two or three times
    ex = pl.DataFrame({"_row": rows, "_m": matched}).explode("_m").drop_nulls("_m")
    dose = pl.DataFrame({"_row": rows, "_m": frame["_d"]}).explode("_m").drop_nulls("_m")
    if exact:
        caps = pl.DataFrame({"_row": rows, "_m": frame["_e"]}).explode("_m").drop_nulls("_m")
        caps = caps.with_columns(pl.col("_m").replace_strict(exact, return_dtype=pl.Utf8, default=None))
        dose = pl.concat([dose, caps], how="vertical_relaxed")
    return ex, dose


def facts_series(texts: pl.Series, extra_lexicon_dir: str | None = None, *, not_facts: bool = True) -> pl.Series:
    """``list[str]`` of canonical facts per text (unique, sorted); null text -> empty list.  ``not_facts=False``
    turns off the list-marker / phone / web / organization / non-dosing-day rules (for a baseline)."""
    numbers, names, _, surface = _extractor(extra_lexicon_dir, not_facts)
    n = len(texts)
    prepped = texts.to_frame("_t").select(_prep("_t"))["_t"]
    if not_facts:
        prepped = _drop_organizations(prepped)
    rows = pl.int_range(0, n, eager=True, dtype=pl.UInt32)
    ex, dose = _spans(prepped, rows, numbers, names, lexicon(extra_lexicon_dir)["exact_case"],
                      _PHRASES[(extra_lexicon_dir, not_facts)], _exact_case_pattern(extra_lexicon_dir),
                      _dose_name_stop(extra_lexicon_dir))
    uniq = ex["_m"].unique().to_list()
    mapping = {u: canonical(u, extra_lexicon_dir) for u in uniq}
    ex = ex.with_columns(pl.col("_m").replace_strict(mapping, return_dtype=pl.Utf8, default=None))
    if any(v and SEP in v for v in mapping.values()):
        ex = ex.with_columns(pl.col("_m").str.split(SEP)).explode("_m")
    if dose.height:  # canonical names stay themselves
        keys = list(surface)
        dose = dose.with_columns(pl.col("_m").replace(keys, [surface[k] for k in keys]))
    allf = pl.concat([ex, dose], how="vertical_relaxed").drop_nulls("_m").filter(pl.col("_m").str.len_chars() > 0)
    family = _drug_families(extra_lexicon_dir)
    if family:  # a text that names a kind names its family too: "Lantus" -> "insulin glargine" + "insulin"
        kinds = allf.filter(pl.col("_m").is_in(list(family)))
        if kinds.height:
            allf = pl.concat([allf, kinds.with_columns(pl.col("_m").replace_strict(family, return_dtype=pl.Utf8))])
    agg = allf.group_by("_row").agg(pl.col("_m").unique().sort().alias("_f"))
    out = pl.DataFrame({"_row": rows}).join(agg, on="_row", how="left").sort("_row")
    return out["_f"].fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).cast(pl.List(pl.Utf8))


def facts_frame(df: pl.DataFrame, columns: list[str], extra_lexicon_dir: str | None = None) -> pl.DataFrame:
    return df.with_columns([facts_series(df[c], extra_lexicon_dir).alias(f"facts_{c}") for c in columns])


def extract_facts(text: str | None, extra_lexicon_dir: str | None = None, *, not_facts: bool = True) -> list[str]:
    """Canonical facts of one text (same code path as the vectorized filter)."""
    return facts_series(pl.Series([text], dtype=pl.Utf8), extra_lexicon_dir, not_facts=not_facts)[0].to_list()


def facts_diff(source: str | None, text: str | None, extra_lexicon_dir: str | None = None, *,
               not_facts: bool = True) -> tuple[list[str], list[str]]:
    """``(lost, added)``: facts of ``source`` missing from ``text``, and facts of ``text`` not in ``source``."""
    fs = set(extract_facts(source, extra_lexicon_dir, not_facts=not_facts))
    ft = set(extract_facts(text, extra_lexicon_dir, not_facts=not_facts))
    return sorted(fs - ft), sorted(ft - fs)


# ---------------------------------------------------------------- the filter

_VARIANTS = (CHOSEN, REJECTED)


class FactsFilter(BatchFilter):
    """Facts of each variant against the source; without a source, rejected against chosen."""

    name = "facts"
    reasons = {
        "facts_lost": ("a variant loses a fact (number, dose, unit, frequency, duration, drug / condition name) of "
                       "the source answer (without one: the rejected answer loses one of the chosen answer)"),
        "fact_drift": ("a variant adds a fact the source answer lacks (without one: the rejected answer adds one the "
                       "chosen answer lacks)"),
    }
    settings = {"facts_lost": ("drop_on_lost_facts",), "fact_drift": ("drop_on_added_facts",)}
    columns = tuple(f"facts_{k}_{v}" for v in _VARIANTS for k in ("lost", "added"))

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        if not cfg.check_facts:
            return df.with_columns(
                [pl.lit([], dtype=STR_LIST).alias(f"facts_{k}_{v}") for v in _VARIANTS for k in ("lost", "added")]
            )
        lex = cfg.extra_lexicon_dir
        text_cols = (SOURCE_ANSWER, CHOSEN, REJECTED)
        tmp = df.select(pl.col(HAS_SOURCE_COL), *[pl.col(c) for c in text_cols])
        tmp = tmp.with_columns([facts_series(tmp[c], lex).alias(f"_f_{c}") for c in text_cols])
        src = pl.col(f"_f_{SOURCE_ANSWER}")
        ch, rj = pl.col(f"_f_{CHOSEN}"), pl.col(f"_f_{REJECTED}")
        empty = pl.lit([], dtype=STR_LIST)
        has = HAS_SOURCE_COL
        cols = tmp.select(
            pl.when(has).then(src.list.set_difference(ch)).otherwise(empty).alias(f"facts_lost_{CHOSEN}"),
            pl.when(has).then(ch.list.set_difference(src)).otherwise(empty).alias(f"facts_added_{CHOSEN}"),
            pl.when(has).then(src.list.set_difference(rj)).otherwise(ch.list.set_difference(rj)).alias(f"facts_lost_{REJECTED}"),
            pl.when(has).then(rj.list.set_difference(src)).otherwise(rj.list.set_difference(ch)).alias(f"facts_added_{REJECTED}"),
        ).with_columns(pl.all().list.sort().cast(STR_LIST))
        return df.with_columns(cols.get_columns())

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        out = []
        if cfg.check_facts and cfg.drop_on_lost_facts:
            out.append(("facts_lost", pl.any_horizontal([pl.col(f"facts_lost_{v}").list.len() > 0 for v in _VARIANTS])))
        if cfg.check_facts and cfg.drop_on_added_facts:
            out.append(("fact_drift", pl.any_horizontal([pl.col(f"facts_added_{v}").list.len() > 0 for v in _VARIANTS])))
        return out
