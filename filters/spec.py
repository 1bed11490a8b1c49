"""``STAGE``: the filter stage's declaration (``curate.core.stage.StageSpec``).

Reads the rewrite stage's pairs (``filters.stage.PAIRS``: question, chosen, rejected; id and source answer
optional); writes ``kept.parquet`` (role ``kept``) and ``dropped.parquet`` (role ``dropped``), both with every
score column the config gives, ``drop_reasons`` and ``keep``; plus the report and its plots.  ``adds``: every
score column a filter can add (``filters.SCORE_COLUMNS``; ``meaning_sim_<v>`` only with the meaning check,
``phi_redacted`` only with ``phi_action: redact``).  ``batch``: ``filter_batch`` (dedup within the batch);
``run``: ``run_filter_stage`` (dedup across the whole input, streaming the rest), so the stage is not a global
step: it never holds more than the question column and one batch.
"""

from __future__ import annotations

from curate.core.stage import MANIFEST, StageSpec
from filters.report import PLOT_FILES, REPORT_FILE
from filters.runner import run_filter_stage
from filters.stage import DROPPED, KEPT, PAIRS, SCORE_COLUMNS, filter_batch

STAGE = StageSpec(
    name="filter",
    reads=PAIRS,
    writes=(KEPT, DROPPED),
    run=run_filter_stage,
    adds=SCORE_COLUMNS,
    global_step=False,
    batch=filter_batch,
    extra_files=(MANIFEST, REPORT_FILE, *PLOT_FILES),
)
