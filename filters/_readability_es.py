"""Readability of Spanish text: Fernández-Huerta reading ease and Szigriszt-Pazos perspicuity (the INFLESZ scale),
vectorized, equal to textstat's with ``textstat.set_lang("es")``.

textstat counts words and sentences the same way in every language (``filters.readability`` reproduces both) and
Spanish syllables as Pyphen's ``es`` hyphenation points + 1 per word (no pronouncing dictionary), so this module
explodes the words once, counts the syllables of each distinct word once (cached) and applies

* Fernández-Huerta: ``206.84 - 60 x syllables/word - 1.02 x words/sentence`` (0 when there are no words);
* Szigriszt-Pazos: ``206.84 - 62.3 x syllables/word - words/sentence`` (textstat's base for ``es``; 0 without words).

INFLESZ (Barrio-Cantalejo et al. 2008) is the Szigriszt-Pazos score read on a scale for patient texts: < 40 muy
difícil, 40-55 algo difícil, 55-65 normal, 65-80 bastante fácil, > 80 muy fácil (``inflesz_band``).
``tests/filters/test_readability_es.py`` checks the agreement with textstat.
"""

from __future__ import annotations

import functools

import numpy as np
import polars as pl

from filters.readability import _prep, _strip, sentence_counts

FH_BASE, FH_SYL, FH_WPS = 206.84, 60.0, 1.02
SP_BASE, SP_SYL = 206.84, 62.3  # textstat: get_lang_cfg("es", "fre_base") - 62.3 x syl/word - words/sentence
METRICS = ("fernandez_huerta", "szigriszt_pazos")
INFLESZ_BANDS = ((40.0, "muy difícil"), (55.0, "algo difícil"), (65.0, "normal"), (80.0, "bastante fácil"))


@functools.lru_cache(maxsize=1)
def _pyphen():
    from pyphen import Pyphen

    return Pyphen(lang="es")


@functools.lru_cache(maxsize=200_000)
def syllables(word: str) -> int:
    """textstat's Spanish syllable count of one lower-cased, punctuation-free word."""
    return len(_pyphen().positions(word)) + 1


def _counts(prepped: pl.Series) -> pl.DataFrame:
    n = len(prepped)
    words = prepped.to_frame("_t").select(_strip(pl.col("_t")).str.to_lowercase().str.split(" ").alias("_w"))["_w"]
    frame = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32), "_w": words}).explode("_w")
    frame = frame.filter(pl.col("_w").str.len_bytes() > 0)
    distinct = frame["_w"].unique()
    table = pl.DataFrame({"_w": distinct, "_syl": [syllables(w) for w in distinct.to_list()]},
                         schema={"_w": pl.Utf8, "_syl": pl.Int64})
    joined = frame.join(table, on="_w", how="left")
    rows = joined["_row"].to_numpy()
    return pl.DataFrame({
        "_words": np.bincount(rows, minlength=n).astype(np.int64),
        "_syl": np.bincount(rows, weights=joined["_syl"].to_numpy(), minlength=n).astype(np.int64),
    })


def readability_frame_es(df: pl.DataFrame, col: str, name: str | None = None) -> pl.DataFrame:
    """Add ``fernandez_huerta_<col>``, ``szigriszt_pazos_<col>``, ``words_per_sentence_<col>``, ``words_<col>``."""
    name = name or col
    prepped = df.select(_prep(col).alias("_t")).get_column("_t")
    tmp = _counts(prepped).with_columns(sentence_counts(prepped).alias("_sents"))
    wps = pl.when(pl.col("_sents") > 0).then(pl.col("_words") / pl.col("_sents")).otherwise(0.0)
    spw = pl.when(pl.col("_words") > 0).then(pl.col("_syl") / pl.col("_words")).otherwise(0.0)
    zero = (wps == 0) | (spw == 0)
    scores = tmp.select(
        pl.when(zero).then(0.0).otherwise(FH_BASE - FH_SYL * spw - FH_WPS * wps).alias(f"fernandez_huerta_{name}"),
        pl.when(pl.col("_words") == 0).then(0.0).otherwise(SP_BASE - SP_SYL * spw - wps).alias(f"szigriszt_pazos_{name}"),
        wps.alias(f"words_per_sentence_{name}"),
        pl.col("_words").alias(f"words_{name}"),
    )
    return df.with_columns(scores.get_columns())


def inflesz_band(score: float) -> str:
    """The INFLESZ reading of a Szigriszt-Pazos score."""
    for bound, band in INFLESZ_BANDS:
        if score < bound:
            return band
    return "muy fácil"


def textstat_scores_es(text: str) -> dict:
    """Reference values from textstat itself in Spanish (``set_lang("es")``; its unrounded backend metrics)."""
    from textstat.backend import metrics

    return {"fernandez_huerta": float(metrics.fernandez_huerta(text, "es")),
            "szigriszt_pazos": float(metrics.szigriszt_pazos(text, "es")),
            "words_per_sentence": float(metrics.words_per_sentence(text))}


# ---------------------------------------------------------------- the readability filter's Spanish rows

_TEXT = ("source_answer", "chosen", "rejected")
_EN_ONLY = ("fkgl", "smog", "flesch_reading_ease")


def with_spanish_readability(df: pl.DataFrame, es: pl.Series) -> pl.DataFrame:
    """``ReadabilityFilter``'s columns for a batch with Spanish rows (``es``): the Spanish scores on them (null on
    the others), the English-only formulas null on them, words per sentence and words recounted (the same counts)."""
    spanish = pl.lit(es)
    for c in _TEXT:
        df = readability_frame_es(df, c, name=f"_es_{c}")
        present = pl.col(c).is_not_null() & (pl.col(c).str.strip_chars().str.len_chars() > 0)
        keep = spanish & (present if c == "source_answer" else pl.lit(True))
        df = df.with_columns(
            *[pl.when(keep).then(pl.col(f"{m}__es_{c}")).otherwise(None).alias(f"{m}_{c}") for m in METRICS],
            *[pl.when(spanish).then(None).otherwise(pl.col(f"{m}_{c}")).alias(f"{m}_{c}") for m in _EN_ONLY],
        ).drop([f"{m}__es_{c}" for m in (*METRICS, "words_per_sentence", "words")])
    return df


def spanish_drops(cfg) -> list[tuple[str, pl.Expr]]:
    """The readability drop conditions of Spanish rows (null, i.e. not dropped, on the others)."""
    out = [
        ("chosen_too_hard", pl.col("fernandez_huerta_chosen") < cfg.min_chosen_fernandez_huerta),
        ("grade_margin", (pl.col("fernandez_huerta_chosen") - pl.col("fernandez_huerta_rejected")) < cfg.min_fernandez_huerta_margin),
    ]
    if cfg.min_chosen_inflesz is not None:
        out.append(("chosen_too_hard_smog", pl.col("szigriszt_pazos_chosen") < cfg.min_chosen_inflesz))
    return out


from filters.readability import ReadabilityFilter  # noqa: E402  (the filter this module extends)


class ReadabilityFilterEs(ReadabilityFilter):
    """``ReadabilityFilter`` that reads Spanish rows (``filter.lang: es`` or a ``lang`` column) by Fernández-Huerta and
    Szigriszt-Pazos under the same drop reasons; an English batch gets exactly the English filter's columns."""

    optional_columns = (*ReadabilityFilter.optional_columns,
                        *(f"{m}_{c}" for c in _TEXT for m in METRICS))

    def score(self, df, cfg, alive=None):
        from curate.core import lang as _lang

        df = super().score(df, cfg, alive)
        if _lang.any_lang(df, "es", cfg.lang):
            df = with_spanish_readability(df, _lang.mask(df, "es", cfg.lang))
        return df

    def drops_for(self, cfg, columns):
        """English rows by Flesch-Kincaid / SMOG (null on Spanish rows), Spanish rows by Fernández-Huerta / INFLESZ
        (null on English rows)."""
        out = self.drops(cfg)
        if "fernandez_huerta_chosen" not in columns:
            return out
        extra = dict(spanish_drops(cfg))
        return [(r, cond | extra.pop(r)) if r in extra else (r, cond) for r, cond in out] + list(extra.items())
