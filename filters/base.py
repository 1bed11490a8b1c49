"""The two kinds of filter, and the one place drop conditions become ``drop_reasons``.

A filter only says which rows it drops and why: ``drops(cfg) -> [(reason, condition_expr), ...]`` over its own
score columns, every ``reason`` one of those it declares in ``reasons`` (reason -> what it means).  The base
turns the true conditions into entries of ``drop_reasons`` (``mark``: in filter order, a row can have several),
derives ``keep`` (``finish``) and counts drops per reason (``count_drops``) -- the datatrove idea, with no per-row
Python on the hot path and no hidden global state (a batch in, a batch out), so the same code maps over Ray Data /
Spark partitions.

* ``BatchFilter``: ``score(df, cfg, alive=None) -> df`` adds its score columns to one batch; a row's scores
  depend on that row only.  ``survivors_only`` filters (the embedding meaning check) run after the others and
  are given ``alive``: the rows no other batch filter dropped.
* ``GlobalFilter``: a step that needs every row (dedup).  ``fit(rows, cfg)`` sees the ``needs`` columns of every
  row once and returns a ``GlobalPass``; its ``resolve(batch, offset, dropped)`` adds the filter's columns to the
  batch that starts at row ``offset``, told which of its rows another filter dropped.  ``score(df, cfg, dropped)``
  is both on one frame.  Global filters run after every batch filter.
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar, Protocol

import polars as pl

from filters.columns import KEEP_COL, REASONS_COL
from filters.config import FilterConfig

STR_LIST = pl.List(pl.Utf8)


def present(col: str) -> pl.Expr:
    """The column holds non-blank text."""
    return pl.col(col).is_not_null() & (pl.col(col).str.strip_chars().str.len_chars() > 0)


class Filter:
    """What every filter declares: ``name``; ``reasons`` (drop reason -> what it means); ``settings`` (drop reason
    -> the ``FilterConfig`` settings that switch it on or set its threshold); ``columns`` (the score columns it
    always adds) and ``optional_columns`` (those only some settings add)."""

    name: ClassVar[str] = ""
    reasons: ClassVar[dict[str, str]] = {}
    settings: ClassVar[dict[str, tuple[str, ...]]] = {}
    columns: ClassVar[tuple[str, ...]] = ()
    optional_columns: ClassVar[tuple[str, ...]] = ()

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        """``(reason, boolean expression)`` pairs: the row is dropped for ``reason`` where the expression is true
        (null counts as false).  Only the reasons this config can produce."""
        return []

    def drops_for(self, cfg: FilterConfig, columns) -> list[tuple[str, pl.Expr]]:
        """``drops(cfg)`` for a batch with these ``columns``: a filter whose score columns depend on the batch
        (the readability formulas of Spanish rows) adds the conditions on them here."""
        return self.drops(cfg)

    def reason_exprs(self, cfg: FilterConfig, columns=None) -> list[pl.Expr]:
        """One expression per drop condition: the reason where it holds, else null (``columns``: the batch's)."""
        out = []
        for reason, cond in (self.drops(cfg) if columns is None else self.drops_for(cfg, columns)):
            if reason not in self.reasons:
                raise ValueError(f"filter {self.name!r} drops for {reason!r}, which it does not declare in `reasons`")
            out.append(pl.when(cond.fill_null(False)).then(pl.lit(reason)).otherwise(None))
        return out


class BatchFilter(Filter):
    """A filter whose scores of a row depend on that row only (see the module docstring)."""

    survivors_only: bool = False

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        """The batch with this filter's score columns added.  ``alive`` (only for ``survivors_only`` filters): the
        rows no other batch filter dropped."""
        return df


class GlobalPass(Protocol):
    counts: dict[str, int]  # what the pass found over all rows, for the manifest (e.g. ``clusters``)

    def resolve(self, batch: pl.DataFrame, offset: int, dropped: pl.Series) -> pl.DataFrame:
        """``batch`` (rows ``offset`` .. ``offset + height`` of the input, in order) with the filter's columns."""
        ...


class GlobalFilter(Filter):
    """A step that needs every row (see the module docstring); batches must be resolved in input order."""

    needs: ClassVar[tuple[str, ...]] = ()  # the columns ``fit`` reads from every row
    may_need: ClassVar[tuple[str, ...]] = ()  # columns ``fit`` also reads when the table has them

    def fit(self, rows: pl.DataFrame, cfg: FilterConfig) -> GlobalPass:
        raise NotImplementedError

    def score(self, df: pl.DataFrame, cfg: FilterConfig, dropped: pl.Series | None = None) -> pl.DataFrame:
        """``fit`` and ``resolve`` on one frame; ``dropped``: the rows another filter dropped (default: none)."""
        dropped = dropped if dropped is not None else pl.Series([False] * df.height)
        return self.fit(df.select(*self.needs, *[c for c in self.may_need if c in df.columns]), cfg).resolve(df, 0, dropped)


def mark(df: pl.DataFrame, filters: list[Filter], cfg: FilterConfig) -> pl.DataFrame:
    """Add the drop reasons of ``filters`` to ``drop_reasons`` (created, as an empty list where none holds, when the
    batch has none yet)."""
    conds = [e for f in filters for e in f.reason_exprs(cfg, df.columns)]
    if REASONS_COL not in df.columns:
        reasons = pl.concat_list(conds).list.drop_nulls() if conds else pl.lit([], dtype=STR_LIST)
        return df.with_columns(reasons.cast(STR_LIST).alias(REASONS_COL))
    if not conds:
        return df
    return df.with_columns(pl.concat_list([pl.col(REASONS_COL), *conds]).list.drop_nulls().cast(STR_LIST).alias(REASONS_COL))


def dropped(df: pl.DataFrame) -> pl.Series:
    """The rows that have a drop reason so far."""
    return df[REASONS_COL].list.len() > 0


def finish(df: pl.DataFrame) -> pl.DataFrame:
    """``keep`` from ``drop_reasons``; both go last."""
    return df.select(pl.exclude(REASONS_COL, KEEP_COL), REASONS_COL, (pl.col(REASONS_COL).list.len() == 0).alias(KEEP_COL))


def count_drops(df: pl.DataFrame, into: Counter | None = None) -> Counter:
    """Rows dropped per reason (a row with several reasons counts for each), added to ``into``."""
    into = Counter() if into is None else into
    for r, c in df.select(pl.col(REASONS_COL).explode().value_counts()).unnest(REASONS_COL).iter_rows():
        if r is not None:
            into[r] += c
    return into


def declared_reasons(filters: list[Filter]) -> dict[str, str]:
    """Every reason ``filters`` declare -> its meaning, in filter order; a reason declared twice is an error."""
    out: dict[str, str] = {}
    for f in filters:
        for r, meaning in f.reasons.items():
            if r in out:
                raise ValueError(f"drop reason {r!r} declared by two filters")
            out[r] = meaning
    return out
