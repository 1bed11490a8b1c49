"""What the review stage reads and writes (its :class:`~curate.core.stage.StageSpec` is ``curate.review.STAGE``)."""

from __future__ import annotations

import filters
import polars as pl

from curate.core import schema as S
from curate.core.stage import Table

# the columns the review stage adds to every row, with their types
REVIEW_COLUMNS = {
    S.REVIEW_STATUS: pl.Utf8, S.REVIEW_DROP_REASON: pl.Utf8, S.REVIEW_DECISION: pl.Utf8,
    S.REVIEW_FACTS_KEPT: pl.Boolean, S.REVIEW_N_SUBMITTED: pl.Int64, S.REVIEW_VOTES: pl.Utf8,
    S.REVIEW_ANNOTATORS: pl.List(pl.Utf8), S.REVIEW_CORRECTED: pl.Boolean, S.REVIEW_NOTES: pl.List(pl.Utf8),
}
ADDS = (*REVIEW_COLUMNS, S.CHOSEN_ORIGINAL, S.KEEP)

# what review reads: the filter stage's kept table (or any table with the pair columns)
READS = filters.STAGE.kept

_ROW = (S.ID, S.QUESTION, S.CHOSEN, S.REJECTED, *REVIEW_COLUMNS, S.CHOSEN_ORIGINAL, S.KEEP)
REVIEWED = Table("reviewed.parquet", _ROW, "kept", "accepted and pending pairs: what may go forward to publish")
REVIEW_DROPPED = Table("review_dropped.parquet", _ROW, "dropped",
                       "dropped (with review_drop_reason) and disputed pairs")
WRITES = (REVIEWED, REVIEW_DROPPED)
REPORT = "review_report.md"
UPSTREAM = "upstream"  # OUT/upstream/<stage>/manifest.json: the pushed table's makers, for publish's card
