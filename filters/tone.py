"""Tone: a transparent supportive-vs-prescriptive score in [-1, 1].

Every cue is a named regular expression with a weight (positive = supportive, negative = prescriptive),
valid both in Python ``re`` (to explain one text) and in polars' Rust regex (to score millions):

* supportive: acknowledging feelings, reassurance (incl. negated imperatives such as "don't worry" and
  "you should feel proud", which *offset* the imperative / modal cue they also match), hedges and
  invitations, politeness, second-person support and warm first-person engagement, contractions.
* prescriptive: imperatives at the start of a sentence or bullet, obligation modals (must / should /
  need to / it is essential that), absolutes (immediately, strictly, never), impersonal clinical phrasing
  ("patients should", "the patient"), clinical passive voice ("is administered", "is contraindicated"),
  clinical register and jargon (medical suffixes, very long words), threats of consequences.

All cues run as ONE alternation (one regex pass per column; where cues overlap, the first in priority order
wins, so each span of text counts once).  ``raw = sum(weight x count)`` is divided by ``sqrt(sentences)`` (so a long answer is not more extreme just
for being long) and squashed: ``tone = tanh(raw_per_sentence / TEMPERATURE)``.  ``explain(text)`` returns
every matched cue with its weight, so a reviewer sees why a text scored as it did.

Bands: a tone in ``[-NEUTRAL, NEUTRAL]`` = ``[-0.2, 0.2]`` is *neutral*, above it *supportive*, below it
*prescriptive* (``label(tone)``).

Hostility (``hostility=True``, the default): the cues of ``filters.hostility`` (sarcasm, mock politeness,
condescension, blame, ...) run in the same alternation, first in priority, with tone weight ``-weight``; a span
they match earns no supportive points ("let me spell it out for you" is not "for you", "bless your heart, sweetie"
is not warmth).  When the hostile cues of a text reach the hostility threshold (``filters.hostility.HOSTILE``)
its tone is capped at ``-(HOSTILE_CAP + HOSTILE_CAP_SLOPE x hostility)``: a hostile text is never supportive or
neutral, however many "you", "I", contractions and polite words it uses.  The hostility that decides the cap is
the full score (cues + the learned n-gram part); what the tone *loses* is the hostile cues' weight alone: the learned
part acts on the tone only through the cap, so a kind answer that shares a few n-grams with sneers (and stays under
the threshold) is not pulled towards neutral.  ``kindness(texts)`` sums the ``acknowledge`` / ``reassure`` cues of
each text: the learned part of the hostility score is held back by it.

Neutral and supportive, told apart better after reading four authors' files: words of frequency ("often",
"usually", "typically": ``frequency``, 0.2) qualify facts in a definition as much as they soften advice, so they weigh
half a hedge; a kind of service ("hospice care", "respite care", "care home": ``care service``, weight 0) is not
warmth; "it makes sense that you're anxious", "you're right to", "anyone would be", "take your time", "nothing has
to be decided today", "I can hear how much", "would it help to", "you could:" before a list, "these sometimes help",
"might make mealtimes safer" are the supportive moves they are.  "-oses" no longer makes "doses" a medical term.

Lists (``lists=True``, the default): every numbered or bulleted item's first word is marked (also after a
colon line), and an item that starts with an imperative is a ``list-item imperative``.  When the text's
supportive cues (its framing sentence and hedges) add up to ``LIST_FRAMING`` or more, each such item counts
``LIST_SOFT`` x its weight -- a how-to list of gentle suggestions is judged by its framing, not one full imperative
penalty per tip; otherwise (a bare list of commands) each counts in full.  List numbers ("1. ") end no sentence.

``hostility=False, lists=False`` is the baseline score (benchmarks/tone_quality.py measures both in one run).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.core.schema import CHOSEN, REJECTED, SOURCE_ANSWER
from filters._tone_cues import (  # noqa: F401  (the cue engine; these names are part of this module's API)
    CUES, Cue, HOSTILE_CAP, HOSTILE_CAP_SLOPE, HOSTILE_TONE_FACTOR, KIND_GROUPS,
    LIST_CUES, LIST_FRAMING, LIST_SOFT, NEUTRAL, ORDERED, SUPPORTIVE_GROUPS,
    TEMPERATURE, _ENGINES, _Engine, _GENERIC, _IMPERATIVE_VERBS, _INLINE_ITEM,
    _LIST_NUMBER, _LIST_OF, _LIST_PREFIX, _MARK, _MARK_AT, _MARK_AT_BASE,
    _MARK_AT_LISTS, _SENT_END, _START, _engine, _lowered, _mark,
    _matched, _norm, _sentences, _w, classify, inline_lists,
    kindness, sentences_expr,
)
from filters.base import BatchFilter
from filters.config import FilterConfig


def _combine(other, list_w, hostile_raw, sentences, hostility: bool, lists: bool, positive=None, hostile_cues=None):
    """Vectorized: ``raw`` and ``tone`` from the per-row sums (numpy arrays) of the tone cues (``other``, without
    the list-item imperatives), the list-item imperatives (``list_w``), the hostility raw score (``hostile_raw``:
    cues + learned part, it decides the cap), the hostile cues' own weights (``hostile_cues``, what the tone loses;
    ``hostile_raw`` when not given) and the supportive cues alone (``positive``: the list's framing and hedges)."""
    from filters.hostility import HOSTILE, squash

    if lists:
        list_w = np.where(positive >= LIST_FRAMING, LIST_SOFT, 1.0) * list_w
    raw = other + list_w
    if hostility:
        raw = raw - HOSTILE_TONE_FACTOR * (hostile_raw if hostile_cues is None else hostile_cues)
    tone = np.tanh(raw / np.sqrt(np.maximum(sentences, 1)) / TEMPERATURE)
    if hostility:
        h = squash(hostile_raw)
        tone = np.where(h >= HOSTILE, np.minimum(tone, -(HOSTILE_CAP + HOSTILE_CAP_SLOPE * h)), tone)
    return raw, tone


def tone_frame(df: pl.DataFrame, col: str, hostility: bool = True, lists: bool = True,
               hostile_raw: np.ndarray | None = None) -> pl.DataFrame:
    """Add ``tone_<col>`` (in [-1, 1]; null where the text is null) and ``tone_raw_<col>``.

    With ``hostility`` the hostile cues run first (``filters.hostility``, the same pass as its score), their
    spans are cut out of the text the tone cues see, and they count ``-HOSTILE_TONE_FACTOR x weight``;
    ``hostile_raw`` (``filters.hostility.raw_series`` of the column, when the caller has it) saves that pass.
    The learned part of the hostility score acts on the tone only through the cap (a text it makes hostile is
    capped); below the threshold it takes nothing off, so a kind answer that shares a few n-grams with sneers is
    not pulled down (the cue part of ``hostile_raw`` is recomputed for the rows where it is not zero).
    ``hostility=False, lists=False`` is the baseline score (benchmarks/tone_quality.py measures both)."""
    from filters import hostility as _h

    eng = _engine(lists)
    out = f"tone_{col}"
    n = df.height
    work = df.select(pl.col(col).str.replace_all(_INLINE_ITEM, "${1}\n${2}")) if lists else df.select(col)
    hostile_cues = None
    if hostility:
        if hostile_raw is None:
            cue_part, extra = _h.raw_parts(work, col)
            hostile_raw, hostile_cues = cue_part + extra, cue_part
        else:
            hostile_raw = np.asarray(hostile_raw, dtype=np.float64)
        text = work.select(_h.prepared(col).alias("t"))["t"]  # "\n" + lower-cased text
        hit = np.flatnonzero(hostile_raw > 0)  # cut the hostile spans only where there are some
        if hit.size:
            text = text.scatter(hit, text.gather(hit).str.replace_all(_h.STRIP_RUST, "${1} "))
            if hostile_cues is None:  # the caller's score holds the learned part too: the cues' own share
                hostile_cues = np.zeros(n)
                sub = _h.cue_raw_series(work[hit], col).to_numpy()
                hostile_cues[hit] = np.minimum(sub, hostile_raw[hit])
        text = pl.lit(text)
    else:
        text = pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'").str.to_lowercase()
        text = pl.lit("\n") + text if lists else text
        hostile_raw = np.zeros(n)
    tmp = work.select(eng.mark_expr(text).str.extract_all(eng.rust).alias("_m"), sentences_expr(col, lists).alias("_s"),
                      pl.col(col).is_null().alias("_null"))
    rows, cues, codes = _matched(tmp["_m"], eng)

    def sums(f) -> np.ndarray:  # per-row sum of f(cue) over the row's matches
        if not cues:
            return np.zeros(n)
        per_match = np.array([f(c) for c in cues], dtype=np.float64)[codes]
        return np.bincount(rows, weights=per_match, minlength=n)

    other = sums(lambda c: c.weight if c and c.group != "list imperative" else 0.0)
    positive = sums(lambda c: c.weight if c and c.weight > 0 else 0.0)
    list_w = sums(lambda c: c.weight if c and c.group == "list imperative" else 0.0)
    raw, tone = _combine(other, list_w, hostile_raw, tmp["_s"].cast(pl.Float64).to_numpy(), hostility, lists, positive,
                         hostile_cues)
    score = pl.Series(out, tone, dtype=pl.Float64)
    return df.with_columns(
        score.set(tmp["_null"], None) if tmp["_null"].any() else score,
        pl.Series(f"tone_raw_{col}", raw, dtype=pl.Float64),
    )



def tone_scores(texts: list[str | None], hostility: bool = True, lists: bool = True) -> list[float | None]:
    df = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
    return tone_frame(df, "t", hostility=hostility, lists=lists)["tone_t"].to_list()


def _squash(raw: float, sentences: int) -> float:
    return math.tanh(raw / math.sqrt(max(sentences, 1)) / TEMPERATURE)


def label(tone: float) -> str:
    """``supportive`` above the neutral band, ``prescriptive`` below it, else ``neutral``."""
    return "supportive" if tone > NEUTRAL else "prescriptive" if tone < -NEUTRAL else "neutral"


def explain(text: str, hostility: bool = True, lists: bool = True) -> dict:
    """Tone of one text with every matched cue: ``{"tone", "raw", "sentences", "label", "hostility", "capped",
    "list", "cues": [...]}``.

    Each cue is ``{"cue", "group", "weight", "match"}``: the hostile cues first (group ``hostile``, tone weight
    ``-HOSTILE_TONE_FACTOR x`` their hostility weight), then the tone cues in text order, found by the same
    matching as the vectorized score (one alternation, leftmost-first, on the text without the hostile spans).
    ``weight`` is the weight as counted: a list-item imperative in a supportively framed list shows its softened
    weight, so the weights add up to ``raw`` exactly.  Where the hostility reaches the hostility threshold the tone
    is capped below the neutral band (``capped``).
    """
    from filters import hostility as _h

    eng = _engine(lists)
    text = inline_lists(text) if lists else text
    hits = []
    if hostility:
        low = _h.norm(text)
        orig = "\n" + (text or "").replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
        orig = orig if len(orig) == len(low) else low
        hx = _h.explain(text or "")
        hostile_raw = hx["raw"]
        hostile_cues = sum(c["weight"] for c in hx["cues"])
        hits = [{"cue": f"hostile: {c['cue']}", "group": "hostile", "weight": -HOSTILE_TONE_FACTOR * c["weight"],
                 "match": c["match"]} for c in hx["cues"] if c["weight"] > 0]
        cut_low, cut_orig, last = [], [], 0
        for m in _h.STRIP_PY.finditer(low):
            keep = m.group(1) or ""
            cut_low += [low[last:m.start()], keep, " "]
            cut_orig += [orig[last:m.start()], orig[m.start():m.start() + len(keep)], " "]
            last = m.end()
        low, shown0 = "".join(cut_low) + low[last:], "".join(cut_orig) + orig[last:]
    else:
        hostile_raw = hostile_cues = 0.0
        low = _norm(text).lower()
        shown0 = _norm(text)
        if lists:
            low, shown0 = "\n" + low, "\n" + shown0
    marked_low = eng.mark(low)
    marked = eng.mark(shown0)
    shown = marked if len(marked) == len(marked_low) else marked_low
    for m in eng.py.finditer(marked_low):
        cue = eng.classify(m.group(0))
        if cue is None:
            continue
        hits.append({"cue": cue.name, "group": cue.group, "weight": cue.weight,
                     "match": shown[m.start():m.end()].replace(_MARK, "").strip(" \n.!?;:*-•")})
    tone_hits = [h for h in hits if h["group"] != "hostile"]
    other = sum(h["weight"] for h in tone_hits if h["group"] != "list imperative")
    positive = sum(h["weight"] for h in tone_hits if h["weight"] > 0)
    list_w = sum(h["weight"] for h in tone_hits if h["group"] == "list imperative")
    soft = lists and positive >= LIST_FRAMING
    if soft:
        for h in tone_hits:
            if h["group"] == "list imperative":
                h["weight"] = h["weight"] * LIST_SOFT
    sentences = _sentences(_norm(text), lists)
    raw, tone = _combine(np.array([other]), np.array([list_w]), np.array([hostile_raw]),
                         np.array([sentences], dtype=np.float64), hostility, lists, np.array([positive]),
                         np.array([hostile_cues]))
    hval = float(_h.squash(hostile_raw)) if hostility else 0.0
    return {"tone": float(tone[0]), "raw": float(raw[0]), "sentences": sentences, "label": label(float(tone[0])),
            "hostility": hval, "capped": bool(hostility and hval >= _h.HOSTILE),
            "list": "supportive framing" if soft and list_w else "commands" if list_w else None, "cues": hits}


def format_cue(h: dict) -> str:
    return f"{h['weight']:+.2f} {h['cue']}: {h['match']!r}"


# ---------------------------------------------------------------- the filter

_TEXT_COLS = (SOURCE_ANSWER, CHOSEN, REJECTED)


class ToneFilter(BatchFilter):
    """Tone of the source answer, chosen and rejected, and the pair's margin."""

    name = "tone"
    reasons = {
        "tone_margin": "tone(chosen) - tone(rejected) is below min_tone_margin",
        "chosen_not_supportive": "the chosen answer's tone is below min_chosen_tone",
        "rejected_too_supportive": "the rejected answer's tone is above max_rejected_tone",
    }
    settings = {"tone_margin": ("min_tone_margin",), "chosen_not_supportive": ("min_chosen_tone",),
                "rejected_too_supportive": ("max_rejected_tone",)}
    columns = (*(f"tone_{c}" for c in _TEXT_COLS), "tone_margin")

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        """The tone score needs each text's hostile cues: it adds ``hostility_<col>`` first (``HostilityFilter``
        then finds them and does not score again)."""
        from filters import hostility as _hostility

        for c in _TEXT_COLS:
            raw = _hostility.raw_series(df, c)
            df = _hostility.hostility_frame(df, c, raw=raw)
            df = tone_frame(df, c, hostile_raw=raw.to_numpy())
        df = df.drop([f"tone_raw_{c}" for c in _TEXT_COLS])
        return df.with_columns((pl.col(f"tone_{CHOSEN}") - pl.col(f"tone_{REJECTED}")).alias("tone_margin"))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [
            ("tone_margin", pl.col("tone_margin") < cfg.min_tone_margin),
            ("chosen_not_supportive", pl.col(f"tone_{CHOSEN}") < cfg.min_chosen_tone),
            ("rejected_too_supportive", pl.col(f"tone_{REJECTED}") > cfg.max_rejected_tone),
        ]
