"""The learned part of the hostility score: a logistic regression over word n-grams, shipped as data.

Hand-written cues (``filters.hostility.CUES``) name the phrasings someone thought of; a caricature written in a
phrasing no one listed slips past them.  This part adds what a linear model learned from the team's labeled
development texts (``filters/data/labeled/tone_dev*.jsonl`` and ``filters/data/tone_labeled.jsonl``; never the
held-out file), so its evidence is explainable the same way: the n-grams of the text with their weights.

Features: the distinct word 1..n-grams of ``filters.hostility.norm(text)`` (tokens: words with inner apostrophes,
and ``?``, ``!``, ``"`` and ``*`` on their own; a single quotation mark as a token measured no better
leave-one-author-out: recall 0.947 against 0.951), binary.  ``logit = intercept + sum(weight of each n-gram)``.
The model can only add hostility, and only above its own threshold ``t``:

    extra = max(0, k x (logit - t) + ln 2)     (0 below t - ln2 / k; ln 2 = hostile by itself at logit = t)

``filters.hostility.raw_series`` adds ``extra`` to the cue raw score, so ``hostility = 1 - exp(-(cues + extra))``.

Kind wording holds the model back (``kind_weight``, chosen by the same cross-validation): a text that validates or
reassures the asker ("that's completely understandable", "I can hear how worried you are", "it's not your fault":
the ``acknowledge`` and ``reassure`` cues of ``filters.tone``, summed by ``filters.tone.kindness``) has its logit
lowered by ``kind_weight x kindness`` before ``extra`` is taken, so n-grams a sneer shares with plain talk ("you
sound", "?") do not flag a supportive answer.  Only the learned part is held back: a hand-written cue counts in full.
The kindness is computed only for the texts the model would add something to (``extra > 0``), a small share.

Weights live in ``filters/data/hostility_ngrams.json`` (written by ``benchmarks/hostility_cv.py --write``); without
that file the part adds nothing.  Scoring is whole-column polars: tokens are exploded once, n-grams formed by
shifting within each text and hashed, joined to the (hashed) weight table; each (text, n-gram) pair is packed into
one 64-bit key, made distinct, and the weights summed per text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

WEIGHTS = Path(__file__).parent / "data" / "hostility_ngrams.json"
TOKEN = r"[a-z0-9]+(?:'[a-z]+)*|[?!\"*]"
LN2 = math.log(2)
_SEED = 0


@dataclass(eq=False)
class NgramModel:
    n: int
    intercept: float
    k: float
    t: float
    weights: dict[str, float]
    kind_weight: float = 0.0

    def __post_init__(self):
        grams = pl.Series(list(self.weights), dtype=pl.Utf8)
        self.table = pl.DataFrame({"h": grams.hash(seed=_SEED),
                                   "j": pl.int_range(0, len(self.weights), eager=True, dtype=pl.UInt64)})
        self.w = np.array(list(self.weights.values()), dtype=np.float64)

    def extra(self, logit):
        """The hostility raw score this model adds at ``logit`` (array or float)."""
        return np.maximum(0.0, self.k * (np.asarray(logit, dtype=np.float64) - self.t) + LN2)

    def held_back(self, logit, kindness):
        """The logit after kind wording holds it back: ``logit - kind_weight x kindness``."""
        return np.asarray(logit, dtype=np.float64) - self.kind_weight * np.asarray(kindness, dtype=np.float64)


@lru_cache(maxsize=4)
def load(path: str | None = None) -> NgramModel | None:
    """The shipped model (``None`` when the weights file is absent: the learned part is off)."""
    p = Path(path) if path else WEIGHTS
    if not p.exists():
        return None
    d = json.loads(p.read_text("utf-8"))
    return NgramModel(n=int(d["n"]), intercept=float(d["intercept"]), k=float(d["k"]), t=float(d["t"]),
                      weights={str(g): float(w) for g, w in d["weights"].items()},
                      kind_weight=float(d.get("kind_weight", 0.0)))


def ngrams(text: str, n: int) -> list[str]:
    """The distinct word 1..n-grams of an already normalized text, in first-seen order (the Python twin of
    ``ngram_frame``; training and ``explain`` use it)."""
    toks = re.findall(TOKEN, text)
    seen: dict[str, None] = {}
    for k in range(1, n + 1):
        for i in range(len(toks) - k + 1):
            seen.setdefault(" ".join(toks[i:i + k]), None)
    return list(seen)


def ngram_frame(normed: pl.Series, n: int) -> pl.DataFrame:
    """``(_row, h)``: the 64-bit hash of every word 1..n-gram of each text of ``normed`` (already normalized;
    repeats kept). Hashes, not strings, go into the join: half the time on long texts."""
    tok = (pl.DataFrame({"_t": normed.fill_null("")}).with_row_index("_row")
           .select("_row", pl.col("_t").str.extract_all(TOKEN).alias("g")).explode("g").drop_nulls("g"))
    row = pl.col("_row")
    parts = [tok.select("_row", pl.col("g").hash(seed=_SEED).alias("h"))]
    for j in range(1, n):
        gram = pl.concat_str([pl.col("g"), *(pl.col("g").shift(-k) for k in range(1, j + 1))], separator=" ")
        parts.append(tok.select("_row", pl.when(row == row.shift(-j)).then(gram.hash(seed=_SEED)).alias("h"))
                     .drop_nulls("h"))
    return pl.concat(parts)


def logits(normed: pl.Series, model: NgramModel) -> np.ndarray:
    """The model's logit for every text of ``normed`` (already normalized; null = empty): each distinct n-gram of
    a text that has a weight counts once (binary features; counting repeats measured worse on the development
    files: leave-one-author-out recall 0.875 against 0.886)."""
    n = len(normed)
    if n == 0:
        return np.zeros(0)
    hits = ngram_frame(normed, model.n).join(model.table, on="h", how="inner")
    # one u64 key per (text, n-gram): a single-column distinct is several times faster than one over two columns
    key = hits.select((pl.col("_row").cast(pl.UInt64) * (1 << 32) + pl.col("j")).alias("k"))["k"].unique().to_numpy()
    sums = np.bincount((key >> np.uint64(32)).astype(np.int64), weights=model.w[(key & np.uint64(0xFFFFFFFF)).astype(np.int64)],
                       minlength=n)
    return sums + model.intercept


def explain(normed: str, model: NgramModel, top: int = 5, kindness=None) -> dict:
    """``{"logit", "kindness", "extra", "ngrams": [(ngram, weight), ...]}``: the ``top`` n-grams that pushed the logit
    up.  ``kindness`` (a number, or a function of no arguments giving it, called only when the model would add
    something) holds the logit back (``NgramModel.held_back``); ``logit`` is the value after that."""
    found = [(g, model.weights[g]) for g in ngrams(normed, model.n) if g in model.weights]
    logit = model.intercept + sum(w for _, w in found)
    kind = 0.0
    if model.kind_weight and kindness is not None and model.extra(logit) > 0:
        kind = float(kindness() if callable(kindness) else kindness)
        logit = float(model.held_back(logit, kind))
    up = sorted((x for x in found if x[1] > 0), key=lambda x: -x[1])[:top]
    return {"logit": float(logit), "kindness": kind, "extra": float(model.extra(logit)), "ngrams": up}
