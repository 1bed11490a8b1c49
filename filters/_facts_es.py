"""Facts of Spanish text: the same canonical facts ``filters.facts`` extracts from English, so a Spanish source and
its Spanish rewrites are compared fact by fact with the one extractor.

A Spanish text is read in two steps, whole columns in polars:

1. *fold*: accents removed (``ondansetrón`` = ``ondansetron``), decimal commas read as points (``4,6 mg`` ->
   ``4.6 mg``) and thousands points removed (``1.200 mg`` -> ``1200 mg``);
2. *pivot*: the phrases that carry a fact are rewritten as the English phrases the extractor reads -- number
   words before a unit or a frequency (``cinco miligramos`` -> ``5 mg``, ``dos veces al día`` -> ``twice a day``),
   units (``gramos`` -> ``g``, ``comprimidos`` -> ``tablets``, ``gotas`` -> ``drops``, ``horas`` -> ``hours``),
   frequencies (``una vez al día`` -> ``once a day``, ``cada 8 horas`` -> ``every 8 hours``, ``cada dos días`` /
   ``días alternos`` -> ``every other day``, ``al acostarse`` / ``por la noche`` -> ``at bedtime``, ``por la mañana``
   -> ``in the morning``, ``antes de las comidas`` -> ``before meals``, ``en ayunas``, ``si es necesario`` -> ``as
   needed``), ranges (``de 4 a 6`` -> ``4 to 6``, ``entre 2 y 3`` -> ``between 2 and 3``), durations (``durante
   dos semanas`` -> ``for 2 weeks``), temperatures (``38 grados`` -> ``38 degrees``) and clock times (``a las 8 de la
   mañana`` -> ``at 8 am``).

Drug and condition names come from ``filters/data/lexicon_es/`` (Spanish generic names and the brands of
Spanish-speaking markets, each after the English canonical name: ``paracetamol`` / ``acetaminofén`` / ``Gelocatil``
-> ``acetaminophen``; ``presión alta`` -> ``hypertension``; ``ictus`` -> ``stroke``), merged into the built-in lexicon.
Telephone numbers in Spanish formats (``900 123 456``, ``+34 612 345 678``, ``55 1234 5678``) are no facts.
"""

from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

import polars as pl

LEXICON_ES = Path(__file__).parent / "data" / "lexicon_es"

_FROM = list("áéíóúüñÁÉÍÓÚÜÑ")
_TO = list("aeiouunAEIOUUN")

_ONES = {"un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
         "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
         "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veinticuatro": 24,
         "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
         "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400, "quinientos": 500,
         "mil": 1000, "medio": 0.5, "media": 0.5}
_UNITS = {  # Spanish unit -> the English the extractor reads
    "miligramos?": "mg", "mg": "mg", "gramos?": "g", "grs?": "g", "microgramos?": "mcg", "mcg": "mcg", "µg": "mcg",
    "mililitros?": "mL", "ml": "mL", "litros?": "liters", "l": "liters", "centimetros?": "cm", "milimetros?": "mm",
    "kilos?": "kg", "kilogramos?": "kg", "kg": "kg", "unidades": "units", "unidad": "unit", "ui": "units",
    "gotas?": "drops", "comprimidos?": "tablets", "pastillas?": "pills", "tabletas?": "tablets",
    "pildoras?": "pills", "capsulas?": "capsules", "parches?": "patches", "inhalaciones": "puffs",
    "inhalacion": "puff", "pulverizaciones": "sprays", "sobres?": "packets", "cucharaditas?": "teaspoons",
    "cucharadas?": "tablespoons", "vasos?": "cups", "tazas?": "cups", "horas?": "hours", "hrs?": "hours",
    "minutos?": "minutes", "min": "minutes", "dias?": "days", "semanas?": "weeks", "meses": "months", "mes": "month",
    "anos": "years", "ano": "year", "grados?": "degrees", "veces": "times", "vez": "time", "dosis": "doses",
}
_UNIT_ALT = "|".join(sorted(_UNITS, key=len, reverse=True))


def _unit_of(word: str) -> str:
    w = word.lower()
    for pat, en in _UNITS.items():
        if re.fullmatch(pat, w):
            return en
    return word


def _number_words() -> list[tuple[str, str]]:
    """``(pattern, replacement)`` for a number word before a unit or ``veces`` (polars regex, case-insensitive)."""
    out = []
    for word, n in sorted(_ONES.items(), key=lambda kv: -len(kv[0])):
        if word in ("medio", "media"):
            continue
        num = str(int(n)) if n == int(n) else str(n)
        out.append((rf"(?i)\b{word}\s+(" + _UNIT_ALT + r")\b", num + " ${1}"))
    return out


# order matters: frequencies before units, units before bare number words
_PIVOT: list[tuple[str, str]] = [
    # numbers: thousands points, decimal commas
    (r"(\d)\.(\d{3})\b", "${1}${2}"),
    (r"(\d),(\d)", "${1}.${2}"),
    # frequencies
    (r"(?i)\b(?:una|1) vez (?:al|por|cada|a) dia\b|\buna vez diaria\b", "once a day"),
    (r"(?i)\b(?:dos|2) veces (?:al|por|cada|a) dia\b", "twice a day"),
    (r"(?i)\b(?:tres|3) veces (?:al|por|cada|a) dia\b", "3 times a day"),
    (r"(?i)\b(?:cuatro|4) veces (?:al|por|cada|a) dia\b", "4 times a day"),
    (r"(?i)\b(?:una|1) vez (?:a la|por|cada) semana\b|\buna vez semanal\b", "once a week"),
    (r"(?i)\b(?:dos|2) veces (?:a la|por|cada) semana\b", "twice a week"),
    (r"(?i)\b(?:tres|3) veces (?:a la|por|cada) semana\b", "3 times a week"),
    (r"(?i)\b(?:una|1) vez (?:al|por|cada) mes\b", "once a month"),
    (r"(?i)\bcada dos dias\b|\bdias alternos\b|\bun dia si y otro no\b|\bcada 2 dias\b", "every other day"),
    (r"(?i)\bcada hora\b", "every hour"),
    (r"(?i)\bcada (\d+(?:\.\d+)?) a (\d+(?:\.\d+)?) (horas|hrs?|h)\b", "every ${1} to ${2} hours"),
    (r"(?i)\bcada (\d+(?:\.\d+)?) ?(?:horas|hrs?|h)\b", "every ${1} hours"),
    (r"(?i)\bcada (\d+) (dias|semanas|meses|minutos)\b", "every ${1} ${2}"),
    (r"(?i)\b(?:cada|todos los) dias?\b|\ba diario\b|\bdiariamente\b|\bdiari[oa]s?\b", "daily"),
    (r"(?i)\b(?:cada|todas las) semanas?\b|\bsemanalmente\b|\bsemanal(?:es)?\b", "weekly"),
    (r"(?i)\b(?:cada|todos los) mes(?:es)?\b|\bmensualmente\b|\bmensual(?:es)?\b", "monthly"),
    (r"(?i)\b(?:al|por|a) dia\b", "a day"),
    (r"(?i)\b(?:a la|por) semana\b", "a week"),
    (r"(?i)\b(?:al|por) mes\b", "a month"),
    (r"(?i)\b(?:cada|todas las) mananas?\b|\bpor la manana\b|\ben la manana\b|\bpor las mananas\b|\bal levantarse\b|"
     r"\bal despertar(?:se)?\b", "in the morning"),
    (r"(?i)\bpor la tarde\b|\ben la tarde\b|\bpor las tardes\b|\bcada tarde\b", "in the evening"),
    (r"(?i)\bal acostarse\b|\bal acostarle\b|\bal acostarte\b|\bantes de (?:dormir|acostarse|ir a la cama)\b|\ba la "
     r"hora de (?:dormir|acostarse)\b|\bpor la noche\b|\bpor las noches\b|\ben la noche\b|\bcada noche\b|\btodas las "
     r"noches\b", "at bedtime"),
    (r"(?i)\bantes de (?:las |cada )?comidas?\b|\bantes de comer\b", "before meals"),
    (r"(?i)\bdespues de (?:las |cada )?comidas?\b|\bdespues de comer\b", "after meals"),
    (r"(?i)\bcon (?:la |las |cada )?comidas?\b|\bcon alimentos\b|\bcon (?:algo de )?comida\b", "with food"),
    (r"(?i)\ben ayunas\b|\bcon el estomago vacio\b", "on an empty stomach"),
    (r"(?i)\b(?:con|en) el desayuno\b|\bal desayunar\b", "with breakfast"),
    (r"(?i)\bantes del desayuno\b|\bantes de desayunar\b", "before breakfast"),
    (r"(?i)\b(?:con|en) la cena\b|\bal cenar\b", "with dinner"),
    (r"(?i)\b(?:con|en) el almuerzo\b|\b(?:con|en) la comida del mediodia\b", "with lunch"),
    (r"(?i)\bsi (?:es necesario|lo necesita|lo necesitas|hace falta|precisa)\b|\bsegun (?:necesidad|precise)\b|"
     r"\ba demanda\b|\bcuando (?:lo necesite|sea necesario)\b", "as needed"),
    # clock times
    (r"(?i)\b(\d{1,2})(?::00)? de la manana\b", "${1} am"),
    (r"(?i)\b(\d{1,2})(?::00)? de la (?:tarde|noche)\b", "${1} pm"),
    (r"(?i)\bal mediodia\b|\ba mediodia\b", "at noon"),
    (r"(?i)\ba medianoche\b", "at midnight"),
    # ranges and durations
    (r"(?i)\bentre (\d+(?:\.\d+)?) y (\d+(?:\.\d+)?)\b", "between ${1} and ${2}"),
    (r"(?i)\bde (\d+(?:\.\d+)?) a (\d+(?:\.\d+)?)\b", "${1} to ${2}"),
    (r"(?i)\b(\d+(?:\.\d+)?) a (\d+(?:\.\d+)?) (" + _UNIT_ALT + r")\b", "${1} to ${2} ${3}"),
    (r"(?i)\b(\d+(?:\.\d+)?) o (\d+(?:\.\d+)?) (" + _UNIT_ALT + r")\b", "${1} or ${2} ${3}"),
    (r"(?i)\bdurante\b", "for"),
    (r"(?i)\bmedio (comprimido|vaso|taza|sobre)\b", "half a ${1}"),
    (r"(?i)\bmedia (pastilla|tableta|capsula|hora|cucharadita|cucharada|taza)\b", "half a ${1}"),
    (r"(?i)\buna hora y media\b", "90 minutes"),
    (r"(?i)\bmedia hora\b", "30 minutes"),
    (r"(?i)\buna hora\b", "an hour"),
    (r"(?i)\b(\d+(?:\.\d+)?)\s*grados(?: centigrados| celsius)?\b", "${1} °C"),
    (r"(?i)\b(\d+(?:\.\d+)?)\s*ºC\b", "${1} °C"),
]


@functools.lru_cache(maxsize=1)
def _unit_pivot() -> list[tuple[str, str]]:
    """A number (digits) followed by a Spanish unit: the English unit."""
    out = []
    for pat, en in sorted(_UNITS.items(), key=lambda kv: -len(kv[0])):
        out.append((rf"(?i)(\d(?:\.\d+)?)\s*{pat}\b", "${1} " + en))
    return out


_NOT_FACTS_ES = [  # Spanish phone numbers are contacts, not facts
    r"(?:\+34[ .-]?)?\b[6789]\d{2}[ .-]?\d{3}[ .-]?\d{3}\b",
    r"(?:\+34[ .-]?)?\b[6789]\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}\b",
    r"(?:\+52[ .-]?(?:1[ .-]?)?)?\b\(?\d{2,3}\)?[ .-]\d{3,4}[ .-]\d{4}\b",
    r"\b0?800[ .-]?\d{3}[ .-]?\d{4}\b",
]


def pivot_expr(e: pl.Expr) -> pl.Expr:
    """A Spanish text column as the English-phrased text ``filters.facts`` reads for its facts."""
    e = e.str.replace_many(_FROM, _TO)
    for pat in _NOT_FACTS_ES:
        e = e.str.replace_all(pat, " ")
    for pat, rep in _PIVOT[:2]:
        e = e.str.replace_all(pat, rep)
    for pat, rep in _number_words():
        e = e.str.replace_all(pat, rep)
    for pat, rep in _PIVOT[2:]:
        e = e.str.replace_all(pat, rep)
    for pat, rep in _unit_pivot():
        e = e.str.replace_all(pat, rep)
    return e


def pivot(text: str) -> str:
    return pl.select(pivot_expr(pl.lit(text or "", dtype=pl.Utf8)).alias("t"))["t"][0]


@functools.lru_cache(maxsize=8)
def lexicon_dir(extra_dir: str | None = None) -> str:
    """The Spanish lexicon folder, or (with a user's ``extra_lexicon_dir``) a merged copy of both."""
    if extra_dir is None:
        return str(LEXICON_ES)
    merged = Path(tempfile.mkdtemp(prefix="curate-lexicon-es-"))
    for name in ("drugs.txt", "conditions.txt", "organizations.txt"):
        parts = [p.read_text("utf-8") for p in (LEXICON_ES / name, Path(extra_dir) / name) if p.exists()]
        if parts:
            (merged / name).write_text("\n".join(parts), "utf-8")
    return str(merged)


def facts_series_es(texts: pl.Series, extra_lexicon_dir: str | None = None) -> pl.Series:
    """``filters.facts.facts_series`` of Spanish texts (pivoted, Spanish lexicon merged)."""
    from filters.facts import facts_series

    pivoted = texts.cast(pl.Utf8).to_frame("t").select(pivot_expr(pl.col("t")).alias("t"))["t"]
    return facts_series(pivoted, lexicon_dir(extra_lexicon_dir)).alias(texts.name)


def extract_facts_es(text: str | None, extra_lexicon_dir: str | None = None) -> list[str]:
    return facts_series_es(pl.Series([text], dtype=pl.Utf8), extra_lexicon_dir)[0].to_list()


def facts_diff_es(source: str | None, text: str | None, extra_lexicon_dir: str | None = None) -> tuple[list[str], list[str]]:
    """``filters.facts.facts_diff`` for Spanish texts: the facts of ``source`` that ``text`` lost, and those it added."""
    src, got = (set(extract_facts_es(t, extra_lexicon_dir)) for t in (source, text))
    return sorted(src - got), sorted(got - src)


from filters.facts import FactsFilter  # noqa: E402  (the filter this module extends)


class FactsFilterEs(FactsFilter):
    """``FactsFilter`` whose Spanish rows (``filter.lang: es`` or a ``lang`` column) are read through the Spanish
    pivot and lexicon."""

    def score(self, df, cfg, alive=None):
        from curate.core import lang as _lang

        if not cfg.check_facts or not _lang.any_lang(df, "es", cfg.lang):
            return super().score(df, cfg, alive)
        from filters.facts import _VARIANTS

        es = _lang.mask(df, "es", cfg.lang)
        idx = pl.int_range(0, df.height, eager=True, dtype=pl.UInt32)
        out_cols = [f"facts_{k}_{v}" for v in _VARIANTS for k in ("lost", "added")]
        en_part = super().score(df.filter(~es), cfg, alive).select(out_cols).with_columns(pl.Series("_i", idx.filter(~es)))
        sub = df.filter(es)
        f = {c: facts_series_es(sub[c], cfg.extra_lexicon_dir) for c in ("source_answer", "chosen", "rejected")}
        has = sub["has_source"]
        src, ch, rj = f["source_answer"], f["chosen"], f["rejected"]
        tmp = pl.DataFrame({"h": has, "s": src, "c": ch, "r": rj})
        empty = pl.lit([], dtype=pl.List(pl.Utf8))
        es_part = tmp.select(
            pl.when("h").then(pl.col("s").list.set_difference("c")).otherwise(empty).alias("facts_lost_chosen"),
            pl.when("h").then(pl.col("c").list.set_difference("s")).otherwise(empty).alias("facts_added_chosen"),
            pl.when("h").then(pl.col("s").list.set_difference("r")).otherwise(pl.col("c").list.set_difference("r"))
            .alias("facts_lost_rejected"),
            pl.when("h").then(pl.col("r").list.set_difference("s")).otherwise(pl.col("r").list.set_difference("c"))
            .alias("facts_added_rejected"),
        ).with_columns(pl.all().list.sort().cast(pl.List(pl.Utf8))).select(out_cols).with_columns(
            pl.Series("_i", idx.filter(es)))
        cols = pl.concat([en_part, es_part], how="vertical_relaxed").sort("_i").drop("_i")
        return df.with_columns(cols.get_columns())
