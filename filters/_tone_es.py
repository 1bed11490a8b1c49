"""Tone and hostility of Spanish text, with the Spanish cues of ``filters._tone_cues_es`` and the formulas of the
English judges (``filters.tone``, ``filters.hostility``):

* hostility: ``raw = sum(weight x count)`` of the hostile cues, ``hostility = 1 - exp(-raw)``, hostile at
  ``filters.hostility.HOSTILE`` (0.5).  There is no learned n-gram part for Spanish: the cues alone.
* tone: the hostile spans are cut out of the text (a sneer earns no supportive points) and count ``-weight``; the
  tone cues run as one alternation over the folded text with sentence / list-item starts marked (leftmost-first:
  each span counts once); a supportively framed list's item imperatives count ``LIST_SOFT`` each;
  ``tone = tanh(raw / sqrt(sentences) / TEMPERATURE)``; a hostile text is capped below the neutral band.

``tone_hostility(texts)`` scores a whole column (polars' Rust regex); ``explain(text)`` runs the same patterns with
Python ``re`` and lists every cue, so the weights add up to the score.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import polars as pl

from filters._tone_cues import _INLINE_ITEM, LIST_FRAMING, LIST_SOFT, sentences_expr, _sentences
from filters._tone_cues_es import FOLD_TABLE, HOSTILE_CUES, MARK, ORDERED, fold

_MARK_AT = r"(\n[ \t]*(?:[-*•][ \t]*|\d+[.)][ \t]*)?|[.!?;:]['\")\]»]?[ \t]+)"
_MARK_RX = re.compile(_MARK_AT)
_FROM = list("áéíóúüñÁÉÍÓÚÜÑ’‘“”")
_TO = list("aeiouunAEIOUUN''\"\"")


class _CueSet:
    def __init__(self, cues, optional_mark: bool):
        self.cues = cues
        pats = [f"(?:{MARK}?(?:{c.pattern}))" if optional_mark else f"(?:{c.pattern})" for c in cues]
        self.alternation = "|".join(pats)
        self.py = re.compile(self.alternation)
        self.full = [(c, re.compile(p)) for c, p in zip(cues, pats)]
        self.cache: dict[str, object] = {}

    def classify(self, span: str):
        if span in self.cache:
            return self.cache[span]
        cue = next((c for c, rx in self.full if rx.fullmatch(span)), None)
        if len(self.cache) < 200_000:
            self.cache[span] = cue
        return cue


@lru_cache(maxsize=1)
def _tone_set() -> _CueSet:
    return _CueSet(ORDERED, optional_mark=True)


@lru_cache(maxsize=1)
def _hostile_set() -> _CueSet:
    return _CueSet(HOSTILE_CUES, optional_mark=False)


@lru_cache(maxsize=1)
def _strip():
    """The hostile alternation for cutting spans out: the weight-0 guards are group 1 and stay."""
    guards = "|".join(f"(?:{c.pattern})" for c in HOSTILE_CUES if c.weight == 0)
    rest = "|".join(f"(?:{c.pattern})" for c in HOSTILE_CUES if c.weight != 0)
    return f"({guards})|{rest}"


def _fold_expr(e: pl.Expr) -> pl.Expr:
    return pl.lit("\n") + e.fill_null("").str.replace_many(_FROM, _TO).str.to_lowercase()


def _sums(matches: pl.Series, cues: _CueSet, n: int, parts) -> list[np.ndarray]:
    """Per row, for each ``part`` (a function of a cue -> float), the sum over the row's matches."""
    ex = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32), "_m": matches}).explode("_m").drop_nulls("_m")
    if ex.height == 0:
        return [np.zeros(n) for _ in parts]
    uniq = ex["_m"].unique().to_list()
    found = [cues.classify(u) for u in uniq]
    codes = ex["_m"].replace_strict({u: i for i, u in enumerate(uniq)}, return_dtype=pl.UInt32).to_numpy()
    rows = ex["_row"].to_numpy()
    out = []
    for f in parts:
        w = np.array([f(c) if c is not None else 0.0 for c in found], dtype=np.float64)[codes]
        out.append(np.bincount(rows, weights=w, minlength=n))
    return out


def hostile_raw(texts: pl.Series) -> np.ndarray:
    """The Spanish hostility raw score of each text (0 for null / empty)."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    hs = _hostile_set()
    m = pl.DataFrame({"t": texts.cast(pl.Utf8)}).select(_fold_expr(pl.col("t")).str.extract_all(hs.alternation).alias("t"))["t"]
    return _sums(m, hs, n, [lambda c: c.weight])[0]


def tone_hostility(texts: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(tone, tone_raw, hostility_raw)`` of each text; tone is NaN where the text is null."""
    from filters.tone import _combine

    n = len(texts)
    if n == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    df = pl.DataFrame({"t": texts.cast(pl.Utf8)}).select(pl.col("t").str.replace_all(_INLINE_ITEM, "${1}\n${2}"))
    h_raw = hostile_raw(df["t"])
    ts = _tone_set()
    low = _fold_expr(pl.col("t"))
    low = pl.when(pl.lit(h_raw > 0)).then(low.str.replace_all(_strip(), "${1} ")).otherwise(low)
    tmp = df.select(low.str.replace_all(_MARK_AT, "${1}" + MARK).str.extract_all(ts.alternation).alias("_m"),
                    sentences_expr("t", True).alias("_s"), pl.col("t").is_null().alias("_null"))
    other, positive, list_w = _sums(tmp["_m"], ts, n, [
        lambda c: c.weight if c.group != "list imperative" else 0.0,
        lambda c: c.weight if c.weight > 0 else 0.0,
        lambda c: c.weight if c.group == "list imperative" else 0.0,
    ])
    raw, tone = _combine(other, list_w, h_raw, tmp["_s"].cast(pl.Float64).to_numpy(), True, True, positive, h_raw)
    tone = np.where(tmp["_null"].to_numpy(), np.nan, tone)
    return tone, raw, h_raw


# ---------------------------------------------------------------- one text, explained


def _shown(text: str) -> str:
    return "\n" + text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def explain_hostility(text: str) -> dict:
    """``{"hostility", "hostile", "raw", "cues", "learned": None}`` as ``filters.hostility.explain`` gives them."""
    from filters.hostility import HOSTILE, squash

    low = fold(text)
    shown = _shown(text or "")
    shown = shown if len(shown) == len(low) else low
    hs = _hostile_set()
    hits = []
    for m in hs.py.finditer(low):
        cue = hs.classify(m.group(0))
        if cue is None:
            continue
        hits.append({"cue": cue.name, "group": cue.group, "weight": cue.weight,
                     "match": shown[m.start():m.end()].strip(" \n.!?;:,*-")})
    raw = float(sum(h["weight"] for h in hits))
    h = float(squash(raw))
    return {"hostility": h, "hostile": h >= HOSTILE, "raw": raw, "cues": hits, "learned": None}


def explain(text: str) -> dict:
    """Tone of one Spanish text with every cue, in the form of ``filters.tone.explain``."""
    from filters.hostility import HOSTILE, squash
    from filters.tone import _combine, label

    text = re.sub(_INLINE_ITEM, "\\1\n\\2", text or "")
    hx = explain_hostility(text)
    low = fold(text)
    shown = _shown(text)
    shown = shown if len(shown) == len(low) else low
    hits = [{"cue": f"hostile: {c['cue']}", "group": "hostile", "weight": -c["weight"], "match": c["match"]}
            for c in hx["cues"] if c["weight"] > 0]
    if hx["raw"] > 0:  # cut the hostile spans out of both strings (guards stay), as the column score does
        cut_low, cut_shown, last = [], [], 0
        for m in re.finditer(_strip(), low):
            keep = m.group(1) or ""
            cut_low += [low[last:m.start()], keep, " "]
            cut_shown += [shown[last:m.start()], shown[m.start():m.start() + len(keep)], " "]
            last = m.end()
        low, shown = "".join(cut_low) + low[last:], "".join(cut_shown) + shown[last:]
    marks = [m.end(1) for m in _MARK_RX.finditer(low)]
    for pos in reversed(marks):
        low, shown = low[:pos] + MARK + low[pos:], shown[:pos] + MARK + shown[pos:]
    ts = _tone_set()
    for m in ts.py.finditer(low):
        cue = ts.classify(m.group(0))
        if cue is None:
            continue
        hits.append({"cue": cue.name, "group": cue.group, "weight": cue.weight,
                     "match": shown[m.start():m.end()].replace(MARK, "").strip(" \n.!?;:*-•¿¡")})
    tone_hits = [h for h in hits if h["group"] != "hostile"]
    other = sum(h["weight"] for h in tone_hits if h["group"] != "list imperative")
    positive = sum(h["weight"] for h in tone_hits if h["weight"] > 0)
    list_w = sum(h["weight"] for h in tone_hits if h["group"] == "list imperative")
    soft = positive >= LIST_FRAMING
    if soft:
        for h in tone_hits:
            if h["group"] == "list imperative":
                h["weight"] = h["weight"] * LIST_SOFT
    sentences = _sentences(text.replace("’", "'").replace("‘", "'"), True)
    raw, tone = _combine(np.array([other]), np.array([list_w]), np.array([hx["raw"]]),
                         np.array([sentences], dtype=np.float64), True, True, np.array([positive]), np.array([hx["raw"]]))
    hval = float(squash(hx["raw"]))
    return {"tone": float(tone[0]), "raw": float(raw[0]), "sentences": sentences, "label": label(float(tone[0])),
            "hostility": hval, "capped": bool(hval >= HOSTILE),
            "list": "supportive framing" if soft and list_w else "commands" if list_w else None, "cues": hits}


__all__ = ["tone_hostility", "hostile_raw", "explain", "explain_hostility", "FOLD_TABLE"]


# ---------------------------------------------------------------- the tone and hostility filters' Spanish rows

_TEXT = ("source_answer", "chosen", "rejected")


def with_spanish_scores(df: pl.DataFrame, es: pl.Series, tone: bool = True) -> pl.DataFrame:
    """``tone_<col>`` (with ``tone``) and ``hostility_<col>`` of the Spanish rows (``es``) replaced by the Spanish
    judges' scores; the other rows keep theirs."""
    from filters.hostility import squash

    rows = np.flatnonzero(es.to_numpy())
    if rows.size == 0:
        return df
    idx = pl.Series(rows, dtype=pl.UInt32)
    out = []
    for c in _TEXT:
        texts = df[c].gather(idx)
        t, _, h = tone_hostility(texts)
        nulls = texts.is_null().to_numpy()
        hv = np.where(nulls, np.nan, squash(h))
        for name, values in ((f"hostility_{c}", hv), *(((f"tone_{c}", t),) if tone else ())):
            if name not in df.columns:
                continue
            col = df[name].cast(pl.Float64).scatter(idx, pl.Series(values, dtype=pl.Float64).fill_nan(None))
            out.append(col.alias(name))
    return df.with_columns(out)


from filters.hostility import HostilityFilter  # noqa: E402  (the filters this module extends)
from filters.tone import ToneFilter  # noqa: E402


class ToneFilterEs(ToneFilter):
    """``ToneFilter`` whose Spanish rows (``filter.lang: es`` or a ``lang`` column) are scored with the Spanish cues."""

    def score(self, df, cfg, alive=None):
        from curate.core import lang as _lang

        df = super().score(df, cfg, alive)
        if _lang.any_lang(df, "es", cfg.lang):
            df = with_spanish_scores(df, _lang.mask(df, "es", cfg.lang))
            df = df.with_columns((pl.col("tone_chosen") - pl.col("tone_rejected")).alias("tone_margin"))
        return df


class HostilityFilterEs(HostilityFilter):
    """``HostilityFilter`` whose Spanish rows are scored with the Spanish cues (where ``ToneFilterEs`` has not
    already)."""

    def score(self, df, cfg, alive=None):
        from curate.core import lang as _lang

        todo = [c for c in _TEXT if f"hostility_{c}" not in df.columns]
        df = super().score(df, cfg, alive)
        if todo and _lang.any_lang(df, "es", cfg.lang):
            df = with_spanish_scores(df, _lang.mask(df, "es", cfg.lang), tone=False)
        return df
