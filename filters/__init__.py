"""The filter stage: readability, tone, fact preservation, dedup, PHI and pair margins over polars batches.

Public API (other stages call only these):

* ``filter_frame(df, cfg=None) -> pl.DataFrame`` -- score one batch; adds every score column, ``keep`` and
  ``drop_reasons``.
* ``score_text(text) -> dict`` -- ``fkgl``, ``flesch_reading_ease``, ``words_per_sentence``, ``tone`` and the
  ``cues`` behind it, plus ``facts`` and ``phi``.
* ``facts_diff(source, text) -> (lost, added)`` -- canonical facts lost / added by a rewrite.
* ``run_filter_stage(input, out_dir, cfg) -> dict`` -- the stage on a file or a ``curate rewrite`` output dir;
  writes ``kept.parquet``, ``dropped.parquet``, ``manifest.json``, ``report.md`` and PNG plots
  (``filters.runner``, imported on first use).  ``FilterRun(input, cfg)`` -- the same run split for an engine
  (``curate.engine``): ``fit()`` the global filters, ``score`` (pure, picklable) each batch anywhere,
  ``execute(scored batches in input order, out_dir)`` resolves dedup and writes the outputs.
* ``failed_sides(dropped, cfg_or_manifest) -> pl.Series`` (list[str]) -- the side(s) of each dropped pair its
  drop reasons blame; ``unrepairable_reasons(dropped)`` -- the reasons no rewrite fixes; ``REPAIR_RULES`` -- the
  rules, as text (``filters.repair``).
* The PHI detector the rewrite guard and the publish gate share (``filters.phi``): ``PhiDetector``,
  ``detect_phi``, ``redact_frame``, ``phi_lists``, ``kind_counts``.
* Spanish rows (``filter.lang: es`` or a ``lang`` column): ``detect_phi_es(text)`` / ``redact_es(text)`` -- the PHI
  detector plus its Spanish rules (``filters._phi_es``); ``facts_diff_es(source, text)``; ``score_text(text,
  lang="es")``.
* The single scorers, for tables the filter stage did not score: ``readability_frame(df, col)`` and
  ``tone_frame(df, col)``; ``similarity(a, b)`` -- the meaning check's embedding similarity (``filters.meaning``,
  imported on first use).
* ``SETTINGS_OF`` -- the check each filter setting belongs to (``filters.report``, imported on first use).
* ``STAGE`` -- the stage's ``curate.core.stage.StageSpec`` (``filters.spec``, imported on first use).
* ``DROP_REASONS`` -- ``{drop reason: what it means}``, every reason the stage can give, in ``drop_reasons``
  order, as the filters declare them; ``REASON_SETTINGS`` -- ``{drop reason: (the settings that switch it on or
  set its threshold, ...)}``; ``SCORE_COLUMNS`` -- every column the filters add; ``KEEP_COL`` / ``REASONS_COL``
  -- the names of the ``keep`` and ``drop_reasons`` columns.
* ``BatchFilter`` / ``GlobalFilter`` -- the bases of the filters (``filters.base``).
"""

from __future__ import annotations

from curate.core.lazy import lazy_exports


from filters.base import BatchFilter, GlobalFilter
from filters.columns import KEEP_COL, REASONS_COL
from filters.config import FilterConfig
from filters.facts import facts_diff
from filters.phi import PhiDetector, detect_phi, kind_counts, phi_lists, redact_frame
from filters.readability import readability_frame
from filters.repair import RULES as REPAIR_RULES
from filters.repair import failed_sides, unrepairable_reasons
from filters.stage import DROP_REASONS, REASON_SETTINGS, SCORE_COLUMNS, filter_batch, filter_frame, score_text
from filters.tone import tone_frame

# names whose modules load heavier dependencies (pyarrow's Parquet writer, the embedding model's stack, plots):
# imported when first asked for, so `import filters` stays as light as the batch scorers
_LAZY = {"run_filter_stage": "filters.runner", "FilterRun": "filters.runner", "similarity": "filters.meaning", "SETTINGS_OF": "filters.report",
         "STAGE": "filters.spec", "detect_phi_es": "filters._phi_es", "redact_es": "filters._phi_es",
         "facts_diff_es": "filters._facts_es"}

__all__ = ["FilterConfig", "filter_frame", "score_text", "facts_diff", "run_filter_stage", "failed_sides",
           "unrepairable_reasons", "REPAIR_RULES", "PhiDetector", "detect_phi", "redact_frame", "phi_lists",
           "kind_counts", "readability_frame", "tone_frame", "similarity", "SETTINGS_OF", "STAGE", "DROP_REASONS",
           "REASON_SETTINGS", "SCORE_COLUMNS", "KEEP_COL", "REASONS_COL", "filter_batch", "BatchFilter", "GlobalFilter",
           "FilterRun", "detect_phi_es", "redact_es", "facts_diff_es"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
