"""The filter stage: readability, tone, fact preservation, dedup, PHI and pair margins over polars batches.

Public API (other stages call only these):

* ``filter_frame(df, cfg=None) -> pl.DataFrame`` -- score one batch; adds every score column, ``keep`` and
  ``drop_reasons``.
* ``score_text(text) -> dict`` -- ``fkgl``, ``flesch_reading_ease``, ``words_per_sentence``, ``tone`` and the
  ``cues`` behind it, plus ``facts`` and ``phi``.
* ``facts_diff(source, text) -> (lost, added)`` -- canonical facts lost / added by a rewrite.
* ``run_filter_stage(input, out_dir, cfg) -> dict`` -- the stage on a file or a ``curate rewrite`` output dir;
  writes ``kept.parquet``, ``dropped.parquet``, ``manifest.json``, ``report.md`` and PNG plots.
* ``failed_sides(dropped, cfg_or_manifest) -> pl.Series`` (list[str]) -- the side(s) of each dropped pair its
  drop reasons blame; ``unrepairable_reasons(dropped)`` -- the reasons no rewrite fixes; ``REPAIR_RULES`` -- the
  rules, as text (``filters.repair``).
"""

from filters.config import FilterConfig
from filters.facts import facts_diff
from filters.repair import RULES as REPAIR_RULES
from filters.repair import failed_sides, unrepairable_reasons
from filters.stage import filter_frame, run_filter_stage, score_text

__all__ = ["FilterConfig", "filter_frame", "score_text", "facts_diff", "run_filter_stage", "failed_sides",
           "unrepairable_reasons", "REPAIR_RULES"]
