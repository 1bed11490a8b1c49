"""Fact preservation: the numbers, doses, units, frequencies, durations and drug / condition names of a text.

Facts are extracted with Rust regexes over whole polars columns and normalized to canonical strings, so
that a plain-language rewrite that says the same thing differently still matches:

* quantities: ``"5mg"`` = ``"5 mg"`` = ``"five milligrams"`` -> ``"5 mg"``; ranges ``"5–10 mg"`` = ``"5 to 10 mg"``
  -> ``"5-10 mg"``; durations ``"for two weeks"`` -> ``"2 week"``; ``"half a tablet"`` -> ``"0.5 tablet"``.
* frequencies: ``"twice daily"`` = ``"2 times a day"`` = ``"BID"`` -> ``"2x/day"``; ``"every 4 to 6 hours"`` ->
  ``"every 4-6 hour"``; ``"every other day"`` -> ``"every 2 day"``.
* a period on its own is a rate, however it is written: ``"daily"`` = ``"a day"`` = ``"per day"`` = ``"each day"``
  = ``"every day"`` -> ``"1x/day"`` (likewise night / week / month / year, and ``"hourly"`` = ``"every hour"`` ->
  ``"1x/hour"``), so ``"6 to 8 cups a day"`` and ``"6 to 8 cups daily"`` both give ``"6-8 cup"`` + ``"1x/day"``.
  It is read as "per <period>", not as a literal "once": the amount before it stays its own fact.  Not a rate:
  ``"for / in / within / after / over / about / than / to / during / on a week"``, ``"a day or two"``, ``"a week
  ago / later / earlier / before / off"``, ``"a day at a time"``, ``"a night-light"`` (no fact, as before).
* a count of days, nights, mornings or evenings in a week / month / year is a frequency: ``"5 days a week"`` =
  ``"5 days each week"`` = ``"five days per week"`` = ``"5 times a week"`` -> ``"5x/week"``.  The period phrase
  is part of that frequency and adds no ``"1x/week"`` of its own; a count of hours or minutes is an amount
  (``"7 hours a night"`` -> ``"7 hour"`` + ``"1x/night"``).
* bare numbers written in digits (``"over 65"``) -> ``"65"``.
* drug and condition names from the team-written lexicon (``data/lexicon/*.txt``: generic name, then brand
  names / lay synonyms), so ``"Aricept"`` = ``"donepezil"`` and ``"high blood pressure"`` = ``"hypertension"``;
  plus two casing / morphology heuristics for drugs the lexicon lacks: a drug-class suffix (``-pril``,
  ``-sartan``, ``-statin``, ``-mab`` ...) and a capitalized word right before a dose (``"of Zyntrax 20 mg"``).

``facts_lost_<col>`` = facts of the source missing from the variant, ``facts_added_<col>`` = facts of the
variant the source lacks.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl

LEXICON_DIR = Path(__file__).parent / "data" / "lexicon"

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMWORD = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_ONES) + r"))?|"
    + "|".join(_TEENS + _ONES) + r"|a half|one half|half|a hundred|one hundred|hundred|a dozen|dozen)"
)
_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+|" + _NUMWORD + r")"
_RANGE = _NUM + r"(?:\s*(?:-to-|-|to|or|and)\s*" + _NUM + r")?"
_UNIT = (
    r"(?:(?:mg/kg|mg/dl|mmol/l|mcg|micrograms?|mg|milligrams?|kg|kilograms?|grams?|g|ml|milliliters?|millilitres?|"
    r"cc|liters?|litres?|l|iu|international units?|units?|mmhg|mm hg|meq|percent|hours?|hrs?|hr|h|minutes?|mins?|"
    r"seconds?|secs?|days?|weeks?|wks?|months?|years?|yrs?|tablets?|tabs?|pills?|capsules?|caps?|drops?|puffs?|"
    r"sprays?|patch(?:es)?|doses?|cups?|glasses?|ounces?|oz|fl oz|lbs?|pounds?|servings?|steps?|calories|kcal|"
    r"teaspoons?|tsp|tablespoons?|tbsp|bpm|beats per minute|breaths per minute|degrees?|inches|inch|feet|foot|"
    r"cm|mm|meters?|metres?|miles?|km|years? old|drinks?|nights?|times?)\b|%|°[cf]?)"
)
_PERIOD = r"(?:day|week|month|year|night|hour|morning|evening)"
_PER_WORD = r"(?:daily|weekly|monthly|yearly|annually|nightly|hourly)"
# "5 days a week", "3 to 5 nights per week": a count of days (nights, mornings, evenings) in a longer period
_DAYS_PER = (
    _RANGE + r"\s*(?:days?|nights?|mornings?|evenings?)\s*(?:(?:a|per|each|every|/)\s*(?:week|month|year)\b"
    r"|weekly|monthly|yearly|annually)"
)
_FREQ = (
    r"\b(?:(?:once|twice|thrice|" + _RANGE + r"\s*(?:times?|x))(?:\s*(?:a|per|each|every|/)\s*" + _PERIOD
    + r"|\s*" + _PER_WORD + r")?"
    + r"|" + _DAYS_PER
    + r"|every\s+other\s+" + _PERIOD
    + r"|every\s+" + _RANGE + r"\s*" + _PERIOD + r"s?"
    + r"|(?:every|each|per)\s+" + _PERIOD
    + r"|a\s+(?:day|night|week|month|year)"
    + r"|" + _PER_WORD + r"|bid|b\.i\.d\.?|tid|t\.i\.d\.?|qid|q\.i\.d\.?|qd|q\.d\.?|qhs|at bedtime)\b"
)
_QTY = r"\b" + _RANGE + r"\s*" + _UNIT
_BARE = r"\b\d+(?:,\d{3})*(?:\.\d+)?\b"
_IDIOMS = r"\b(?:one (?:day|step|thing|moment) at a time|one at a time|one of (?:the|them|those|these|many)|one or two things|no one|someone|anyone|everyone|one way|one option|one thing|one idea|one more)\b"
# "a day" / "a week" that is a span or a point in time, not a rate ("for a week", "a day or two", "a month ago"),
# or part of a compound ("a night-light", "a day-to-day task"):
# matched before the frequencies (leftmost-first), so they stay facts of nothing, as before "a day" became "1x/day"
_NOT_RATE = (
    r"\b(?:(?:for|in|within|after|over|about|than|to|during|on)\s+a\s+(?:day|night|week|month|year)"
    r"(?:\s+or\s+(?:two|so))?"
    r"|a\s+(?:day|night|week|month|year)(?:\s+(?:or\s+(?:two|so)|ago|later|earlier|before|off|at\s+a\s+time)|(?:-\w+)+))\b"
)

_DRUG_SUFFIX = (
    r"\b[a-z]{3,}(?:pril|sartan|olol|statin|prazole|tidine|dipine|zepam|zolam|oxetine|triptyline|cillin|mycin|"
    r"floxacin|cycline|gliptin|gliflozin|glutide|afil|setron|lukast|profen|parin|xaban|gatran|tinib|zumab|ximab|"
    r"mumab|semide|thiazide|dronate|pramine|peridol|apine|idone|tiapine|azepine)\b"
)
_DOSE_NAME = r"[a-z,]\s+[A-Z][a-z]{3,}(?:®|™)?\s*\d+(?:\.\d+)?\s*(?:mg|mcg|ml|units?|iu)\b"

# canonical replacements applied to each extracted quantity / frequency (order matters)
_UNIT_CANON: list[tuple[str, str]] = [
    (r"\bmicrograms?\b|µg|μg", "mcg"), (r"\bmilligrams?\b", "mg"), (r"\bkilograms?\b", "kg"), (r"\bgrams?\b", "g"),
    (r"\bmillilit(?:er|re)s?\b|\bcc\b", "ml"), (r"\blit(?:er|re)s?\b", "l"), (r"\binternational units?\b", "iu"),
    (r"\bunits\b", "unit"), (r"\bmm hg\b", "mmhg"), (r"\bpercent\b", "%"), (r"\b(?:hours|hrs|hr|h)\b", "hour"),
    (r"\b(?:minutes|mins|min)\b", "minute"), (r"\b(?:seconds|secs|sec)\b", "second"), (r"\bdays\b", "day"),
    (r"\b(?:weeks|wks|wk)\b", "week"), (r"\bmonths\b", "month"), (r"\b(?:years|yrs|yr)\b", "year"),
    (r"\b(?:tablets|tabs|tab|pills|pill)\b", "tablet"), (r"\b(?:capsules|caps|cap)\b", "capsule"),
    (r"\bdrops\b", "drop"), (r"\bpuffs\b", "puff"), (r"\bsprays\b", "spray"), (r"\bpatches\b", "patch"),
    (r"\bdoses\b", "dose"), (r"\bcups\b", "cup"), (r"\bglasses\b", "glass"), (r"\bounces\b|\bounce\b", "oz"),
    (r"\b(?:pounds|pound|lbs)\b", "lb"), (r"\bservings\b", "serving"), (r"\bsteps\b", "step"),
    (r"\bteaspoons?\b", "tsp"), (r"\btablespoons?\b", "tbsp"), (r"\bbeats per minute\b", "bpm"),
    (r"\bdegrees\b", "degree"), (r"\binches\b", "inch"), (r"\bfeet\b", "foot"), (r"\b(?:meters|metres|metre)\b", "meter"),
    (r"\bmiles\b", "mile"), (r"\bdrinks\b", "drink"), (r"\bnights\b", "night"), (r"\bcalories\b", "kcal"),
]


def _number_word_replacements() -> list[tuple[str, str]]:
    reps: list[tuple[str, str]] = [(r"\b(?:a|one) half\b|\bhalf\b", "0.5"), (r"\b(?:a|one) hundred\b|\bhundred\b", "100"),
                                   (r"\ba dozen\b|\bdozen\b", "12")]
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
    (r"\bonce\b", "1 times"), (r"\btwice\b", "2 times"), (r"\bthrice\b", "3 times"),
    (r"\bb\.?i\.?d\.?", "2 times a day"), (r"\bt\.?i\.?d\.?", "3 times a day"), (r"\bq\.?i\.?d\.?", "4 times a day"),
    (r"\bq\.?d\.?(?:\s|$)", "1 times a day"), (r"\bqhs\b|\bat bedtime\b", "1 times a night"),
    (r"\bevery other (\w+)", "every 2 $1"),
    # one period word or phrase is a rate: "daily" = "a day" = "per day" = "each day" = "every day" -> "1x/day"
    (r"^(?:daily|(?:every|each|per|a) day)$", "1 times a day"), (r"^(?:weekly|(?:every|each|per|a) week)$", "1 times a week"),
    (r"^(?:monthly|(?:every|each|per|a) month)$", "1 times a month"), (r"^(?:nightly|(?:every|each|per|a) night)$", "1 times a night"),
    (r"^(?:yearly|annually|(?:every|each|per|a) year)$", "1 times a year"), (r"^(?:hourly|(?:every|each|per) hour)$", "1 times a hour"),
    (r"^(?:every|each|per) (morning|evening)$", "1 times a $1"),
    # a count of days in a period is how often: "5 days a week" = "5 days each week" = "5 times a week" -> "5x/week"
    (r"^(\S+) (?:days?|nights?|mornings?|evenings?) ?(?:(?:a|per|each|every|/) ?(week|month|year)|(week|month|year)ly)$", "$1x/$2$3"),
    (r"^(\S+) (?:days?|nights?|mornings?|evenings?) ?annually$", "$1x/year"),
    (r"\s*(?:times?|x)\s*(?:a|per|each|every|/)?\s*(day|week|month|year|night|hour|morning|evening)\b", "x/$1"),
    (r"\s*(?:times?|x)\s*daily\b", "x/day"), (r"\s*(?:times?|x)\s*weekly\b", "x/week"), (r"\s*(?:times?|x)\s*monthly\b", "x/month"),
    (r"\s*(?:times?|x)\s*nightly\b", "x/night"), (r"\s*(?:times?|x)\s*hourly\b", "x/hour"),
    (r"\s*(?:times?|x)\s*(?:yearly|annually)\b", "x/year"),
    (r"\s*(?:times?|x)$", "x"),
    (r"^every (\S+) (day|week|month|night|hour)s?$", "every $1 $2"),
]


def _py_rep(rep: str) -> str:
    """polars/Rust replacement syntax ($1, ${1}) -> Python re (\\g<1>)."""
    return re.sub(r"\$\{?(\d+)\}?", r"\\g<\1>", rep)


def _compile(reps: list[tuple[str, str]]) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), _py_rep(r)) for p, r in reps]


_NUMBER_WORDS_PY = _compile(_NUMBER_WORDS)
_NUMBER_TAIL_PY = _compile([(r"(\d),(\d{3})", "$1$2"), (r"(^|[^\d])\.(\d)", "${1}0.$2"), (r"(\d)\s*(?:-to-|-|to|or|and)\s*(\d)", "$1-$2")])
_UNIT_CANON_PY = _compile([(r"\byears? old\b", "year")] + _UNIT_CANON + [(r"(\d)\s*([a-z°])", "$1 $2"), (r"(\d)\s+%", "$1%")])
_FREQ_CANON_PY = _compile(_FREQ_CANON + [(r"\bhours\b", "hour"), (r"\bdays\b", "day"), (r"\bweeks\b", "week"), (r"\bmonths\b", "month")])


def _sub_all(text: str, reps: list[tuple[re.Pattern, str]]) -> str:
    for rx, rep in reps:
        text = rx.sub(rep, text)
    return text


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def canon_number(text: str) -> str:
    return _sub_all(_sub_all(text, _NUMBER_WORDS_PY), _NUMBER_TAIL_PY)


def canon_quantity(text: str) -> str:
    text = re.sub(r"^half (?:a|an) ", "half ", _ws(text))
    return _ws(_sub_all(canon_number(text), _UNIT_CANON_PY))


def canon_frequency(text: str) -> str:
    return _ws(_sub_all(canon_number(_ws(text)), _FREQ_CANON_PY))


# ---------------------------------------------------------------- lexicon


def _read_lexicon(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower().replace("’", "'")
        if not line:
            continue
        names = [n.strip() for n in line.split("|") if n.strip()]
        for n in names:
            out.setdefault(n, names[0])
    return out


@functools.lru_cache(maxsize=8)
def lexicon(extra_dir: str | None = None) -> dict[str, dict[str, str]]:
    """``{"drug": {surface: canonical}, "condition": {...}}`` from the built-in lexicon (+ ``extra_dir``)."""
    out = {"drug": _read_lexicon(LEXICON_DIR / "drugs.txt"), "condition": _read_lexicon(LEXICON_DIR / "conditions.txt")}
    if extra_dir:
        for kind, fname in (("drug", "drugs.txt"), ("condition", "conditions.txt")):
            p = Path(extra_dir) / fname
            if p.exists():
                out[kind].update(_read_lexicon(p))
    return out


def _alternation(names) -> str:
    return r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b"


@functools.lru_cache(maxsize=8)
def _name_patterns(extra_dir: str | None) -> tuple[str, dict[str, str]]:
    lex = lexicon(extra_dir)
    surface = {**{k: v for k, v in lex["condition"].items()}, **{k: v for k, v in lex["drug"].items()}}
    return _alternation(surface), surface


# ---------------------------------------------------------------- extraction (one regex pass per column)


def _prep(col: str) -> pl.Expr:
    return (
        pl.col(col).fill_null("")
        .str.replace_all(r"[’‘]", "'")
        .str.replace_all(r"[–—−]", "-")
        .str.replace_all(r"[µμ]g", "mcg")
    )


@functools.lru_cache(maxsize=8)
def _extractor(extra_dir: str | None):
    """The combined alternation (idioms to ignore, frequencies, quantities, names, drug suffixes, bare numbers:
    leftmost-first, in this order) and the classifiers that canonicalize one matched span."""
    names_rx, surface = _name_patterns(extra_dir)
    parts = [
        ("ignore", _IDIOMS + "|" + _NOT_RATE),
        ("frequency", _FREQ),
        ("quantity", r"\bhalf (?:a|an) " + _UNIT + "|" + _QTY),
        ("name", names_rx),
        ("drug_suffix", _DRUG_SUFFIX),
        ("number", _BARE),
    ]
    combined = "|".join(f"(?:{p})" for _, p in parts)
    rust = combined.replace(r"\b", r"(?-u:\b)")
    full = [(kind, re.compile(p)) for kind, p in parts]
    return rust, full, surface


_CANON_CACHE: dict[tuple[str | None, str], str | None] = {}


def canonical(span: str, extra_dir: str | None = None) -> str | None:
    """Canonical form of one matched span (lower-case), or None for an ignored idiom."""
    key = (extra_dir, span)
    if key in _CANON_CACHE:
        return _CANON_CACHE[key]
    _, full, surface = _extractor(extra_dir)
    kind = next((k for k, rx in full if rx.fullmatch(span)), "number")
    if kind == "ignore":
        out = None
    elif kind == "frequency":
        out = canon_frequency(span)
    elif kind == "quantity":
        out = canon_quantity(span)
    elif kind in ("name", "drug_suffix"):
        out = surface.get(span, span)
    else:
        out = span.replace(",", "")
    if len(_CANON_CACHE) < 500_000:
        _CANON_CACHE[key] = out
    return out


def facts_series(texts: pl.Series, extra_lexicon_dir: str | None = None) -> pl.Series:
    """``list[str]`` of canonical facts per text (unique, sorted); null text -> empty list."""
    rust, _, surface = _extractor(extra_lexicon_dir)
    n = len(texts)
    frame = texts.to_frame("_t").with_columns(_prep("_t")).select(  # prepared once, read twice
        pl.col("_t").str.to_lowercase().str.extract_all(rust).alias("_m"),
        pl.col("_t").str.extract_all(_DOSE_NAME).list.eval(
            pl.element().str.extract(r"([A-Z][a-z]{3,})", 1).str.to_lowercase()).alias("_d"),
    )
    rows = pl.int_range(0, n, eager=True, dtype=pl.UInt32)
    ex = pl.DataFrame({"_row": rows, "_m": frame["_m"]}).explode("_m").drop_nulls("_m")
    uniq = ex["_m"].unique().to_list()
    mapping = {u: canonical(u, extra_lexicon_dir) for u in uniq}
    ex = ex.with_columns(pl.col("_m").replace_strict(mapping, return_dtype=pl.Utf8, default=None))
    dose = pl.DataFrame({"_row": rows, "_m": frame["_d"]}).explode("_m").drop_nulls("_m")
    if dose.height:
        keys = list(surface)
        dose = dose.with_columns(pl.col("_m").replace(keys, [surface[k] for k in keys]))
    allf = pl.concat([ex, dose], how="vertical_relaxed").drop_nulls("_m").filter(pl.col("_m").str.len_chars() > 0)
    agg = allf.group_by("_row").agg(pl.col("_m").unique().sort().alias("_f"))
    out = pl.DataFrame({"_row": rows}).join(agg, on="_row", how="left").sort("_row")
    return out["_f"].fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).cast(pl.List(pl.Utf8))


def facts_frame(df: pl.DataFrame, columns: list[str], extra_lexicon_dir: str | None = None) -> pl.DataFrame:
    return df.with_columns([facts_series(df[c], extra_lexicon_dir).alias(f"facts_{c}") for c in columns])


def extract_facts(text: str | None, extra_lexicon_dir: str | None = None) -> list[str]:
    """Canonical facts of one text (same code path as the vectorized filter)."""
    return facts_series(pl.Series([text], dtype=pl.Utf8), extra_lexicon_dir)[0].to_list()


def facts_diff(source: str | None, text: str | None, extra_lexicon_dir: str | None = None) -> tuple[list[str], list[str]]:
    """``(lost, added)``: facts of ``source`` missing from ``text``, and facts of ``text`` not in ``source``."""
    fs = set(extract_facts(source, extra_lexicon_dir))
    ft = set(extract_facts(text, extra_lexicon_dir))
    return sorted(fs - ft), sorted(ft - fs)
