"""The filter protocol: a filter scores a whole polars batch and names its drop conditions.

``score(df, cfg)`` returns the batch with the filter's score columns added; ``drops(cfg)`` returns
``[(reason, condition_expr), ...]`` over those columns.  The runner (``filters.stage``) applies the filters in
order, turns every true condition into an entry of ``drop_reasons`` and counts drops per reason -- the
datatrove idea, with no per-row Python on the hot path and no hidden global state (a batch in, a batch out),
so the same code maps over Ray Data / Spark partitions.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import polars as pl

from filters.config import FilterConfig


@runtime_checkable
class Filter(Protocol):
    name: str

    def score(self, df: pl.DataFrame, cfg: FilterConfig) -> pl.DataFrame:
        """Add this filter's score columns to the batch."""
        ...

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        """``(reason, boolean expression)`` pairs: the row is dropped for ``reason`` where the expression is true."""
        ...
