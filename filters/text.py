"""The text check: chosen and rejected must both be non-empty text; ``has_source`` says whether a row has a source
answer (rows without one are scored on chosen vs rejected only)."""

from __future__ import annotations

import polars as pl

from curate.core.schema import CHOSEN, REJECTED, SOURCE_ANSWER
from filters.base import BatchFilter, present
from filters.columns import HAS_SOURCE_COL
from filters.config import FilterConfig


class TextCheck(BatchFilter):
    """Chosen and rejected must both be non-empty text."""

    name = "text"
    reasons = {"missing_text": "the chosen or the rejected answer is empty (missing, null or blank)"}
    columns = (HAS_SOURCE_COL,)

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        return df.with_columns(present(SOURCE_ANSWER).alias(HAS_SOURCE_COL))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [("missing_text", ~present(CHOSEN) | ~present(REJECTED))]
