"""Which side of a dropped pair a rewrite can repair: the one mapping from drop reasons to sides.

``curate rewrite --redo FILTER_OUT_DIR`` regenerates only the failed side(s) of each dropped row; this module
is where the filter stage says which side each of its drop reasons blames, so the two stages agree.

Rules (``failed_sides``), per drop reason:

* ``rejected_hostile``, ``rejected_too_supportive`` -> rejected.
* ``chosen_hostile``, ``chosen_not_supportive``, ``chosen_too_hard``, ``chosen_too_hard_smog`` -> chosen.
* ``facts_lost`` / ``fact_drift`` / ``meaning_drift`` -> each variant whose ``facts_lost_<v>`` / ``facts_added_<v>``
  is non-empty, or whose ``meaning_sim_<v>`` is below ``min_meaning_similarity`` (thresholds come from the filter
  config or the filter manifest that made the decision).
* ``tone_margin`` -> rejected when ``tone_rejected > 0`` (a prescriptive answer should not read as supportive),
  else chosen (the rejected side is already prescriptive, so the chosen one is not supportive enough).
* ``grade_margin`` -> chosen when ``fkgl_chosen > max_chosen_grade`` (the chosen side is too hard anyway), else
  rejected (the chosen side is within the health-literacy target, so the rejected one reads too plainly: a warm
  or chatty rejected answer is the usual cause).
* When the score columns a rule reads are missing or null, or name no variant, both sides are blamed.

Reasons no rewrite fixes (``UNREPAIRABLE``: ``duplicate``, ``near_duplicate``, ``phi``, ``missing_text``) and
reasons this module does not know are returned by ``unrepairable_reasons``; a row with any of them is not
repaired.
"""

from __future__ import annotations

import polars as pl

from curate.core.schema import CHOSEN, REJECTED

SIDES = (CHOSEN, REJECTED)
# reasons that blame one side whatever the scores say
FIXED_SIDE = {
    "rejected_hostile": (REJECTED,),
    "rejected_too_supportive": (REJECTED,),
    "chosen_hostile": (CHOSEN,),
    "chosen_not_supportive": (CHOSEN,),
    "chosen_too_hard": (CHOSEN,),
    "chosen_too_hard_smog": (CHOSEN,),
}
# reasons that blame the variant(s) whose own columns show the problem
PER_VARIANT = ("facts_lost", "fact_drift", "meaning_drift")
# pair-margin reasons: one side is off, chosen by the rules above
MARGIN = ("tone_margin", "grade_margin")
UNREPAIRABLE = ("duplicate", "near_duplicate", "phi", "missing_text")
REPAIRABLE = (*FIXED_SIDE, *PER_VARIANT, *MARGIN)
# the rules above, as recorded in a redo manifest
RULES = {
    **{r: " and ".join(sides) for r, sides in FIXED_SIDE.items()},
    "facts_lost": "each variant whose facts_lost_<v> is non-empty (both when none is)",
    "fact_drift": "each variant whose facts_added_<v> is non-empty (both when none is)",
    "meaning_drift": "each variant whose meaning_sim_<v> is below min_meaning_similarity (both when none is)",
    "tone_margin": "rejected when tone_rejected > 0, else chosen (both when tone_rejected is missing)",
    "grade_margin": "chosen when fkgl_chosen > max_chosen_grade, else rejected (both when fkgl_chosen is missing)",
    **{r: "not repairable" for r in UNREPAIRABLE},
    "any other reason": "not repairable",
}
# FilterConfig's defaults, used only when neither a config nor a manifest records the threshold
_DEFAULTS = {"min_meaning_similarity": 0.6, "max_chosen_grade": 8.0}
_STR_LIST = pl.List(pl.Utf8)


def threshold(cfg_or_manifest, name: str) -> float:
    """Filter setting ``name`` of a ``FilterConfig``, a filter ``manifest.json`` dict, or its ``config`` dict."""
    if isinstance(cfg_or_manifest, dict):
        conf = cfg_or_manifest.get("config", cfg_or_manifest)
        value = conf.get(name) if isinstance(conf, dict) else None
    else:
        value = getattr(cfg_or_manifest, name, None)
    return float(value) if value is not None else _DEFAULTS[name]


def _has(df: pl.DataFrame, *cols: str) -> bool:
    return all(c in df.columns for c in cols)


def _blame(df: pl.DataFrame, reason: str, cfg_or_manifest) -> dict[str, pl.Expr]:
    """``{side: bool expr}``: the rows where ``reason`` blames that side (before the both-sides fallback)."""
    if reason in FIXED_SIDE:
        return {s: pl.lit(s in FIXED_SIDE[reason]) for s in SIDES}
    if reason in PER_VARIANT:
        cols = {"facts_lost": "facts_lost_{}", "fact_drift": "facts_added_{}", "meaning_drift": "meaning_sim_{}"}[reason]
        out = {}
        for s in SIDES:
            c = cols.format(s)
            if c not in df.columns:
                out[s] = pl.lit(False)
            elif reason == "meaning_drift":
                out[s] = (pl.col(c) < threshold(cfg_or_manifest, "min_meaning_similarity")).fill_null(False)
            else:
                out[s] = (pl.col(c).list.len() > 0).fill_null(False)
        return out
    if reason == "tone_margin":
        if not _has(df, f"tone_{REJECTED}"):
            return {s: pl.lit(False) for s in SIDES}
        rej = (pl.col(f"tone_{REJECTED}") > 0).fill_null(False)
        known = pl.col(f"tone_{REJECTED}").is_not_null()
        return {REJECTED: rej, CHOSEN: known & ~rej}
    if reason == "grade_margin":
        if not _has(df, f"fkgl_{CHOSEN}"):
            return {s: pl.lit(False) for s in SIDES}
        ch = (pl.col(f"fkgl_{CHOSEN}") > threshold(cfg_or_manifest, "max_chosen_grade")).fill_null(False)
        known = pl.col(f"fkgl_{CHOSEN}").is_not_null()
        return {CHOSEN: ch, REJECTED: known & ~ch}
    return {s: pl.lit(False) for s in SIDES}


def failed_sides(df: pl.DataFrame, cfg_or_manifest=None) -> pl.Series:
    """Per row, the sides (``["chosen"]``, ``["rejected"]``, ``["chosen", "rejected"]`` or ``[]``) that its
    repairable drop reasons blame, by the rules in this module's docstring.  Reads ``drop_reasons`` and the score
    columns; ``cfg_or_manifest``: a ``FilterConfig``, a filter manifest dict (its ``config``), or None."""
    reasons = pl.col("drop_reasons")
    side = {s: pl.lit(False) for s in SIDES}
    for reason in REPAIRABLE:
        has = reasons.list.contains(reason).fill_null(False)
        blame = _blame(df, reason, cfg_or_manifest)
        none = ~(blame[CHOSEN] | blame[REJECTED])  # the columns name no side: both are suspect
        for s in SIDES:
            side[s] = side[s] | (has & (blame[s] | none))
    out = df.select(
        pl.concat_list([pl.when(side[s]).then(pl.lit(s)).otherwise(None) for s in SIDES]).list.drop_nulls()
        .cast(_STR_LIST).alias("failed_sides")
    )
    return out["failed_sides"]


def unrepairable_reasons(df: pl.DataFrame) -> pl.Series:
    """Per row, its drop reasons (in the filter's order) that no rewrite fixes: ``UNREPAIRABLE`` ones and any
    reason not known here (a rewrite cannot be shown to fix what this module does not know)."""
    rows = df["drop_reasons"].fill_null([]).to_list()
    return pl.Series("unrepairable_reasons", [[r for r in rs if r not in REPAIRABLE] for rs in rows], dtype=_STR_LIST)
