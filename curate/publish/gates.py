"""Gates: what ``curate publish`` refuses to publish. Each refusal is one line, exit 2, and nothing is written.

1. rows flagged for PHI: a non-empty ``phi`` column from the filter stage, or PHI found now in any published text;
2. rows the filters dropped (``keep`` is false);
3. rows discarded in review (``review_status == "dropped"``);
4. rows still pending review, when the data came from ``curate review pull`` (unless ``allow_unreviewed``);
5. rows with an empty question, chosen or rejected answer (nothing to train on).
"""

from __future__ import annotations

import polars as pl

from curate.errors import UsageError
from curate.schema import CHOSEN, ID, QUESTION, REJECTED, SOURCE_ANSWER
from filters.phi import phi_expr

PHI_COL = "phi"
KEEP_COL = "keep"
REVIEW_STATUS = "review_status"
TEXT_COLUMNS = (QUESTION, SOURCE_ANSWER, CHOSEN, REJECTED)


def _ids(df: pl.DataFrame, mask: pl.Expr, n: int = 3) -> str:
    col = ID if ID in df.columns else None
    rows = df.with_row_index("_row").filter(mask)
    shown = rows[col].head(n).to_list() if col else [f"row {i}" for i in rows["_row"].head(n).to_list()]
    more = f" and {rows.height - n} more" if rows.height > n else ""
    return ", ".join(map(str, shown)) + more


def phi_mask(df: pl.DataFrame) -> tuple[pl.Expr, list[str]]:
    """Rows with PHI (flagged upstream or detected now) and the kinds found (never the matched text itself)."""
    texts = [c for c in TEXT_COLUMNS if c in df.columns]
    found = pl.concat_list([phi_expr(c) for c in texts]) if texts else pl.lit([], dtype=pl.List(pl.Utf8))
    flagged = found.list.len() > 0
    if PHI_COL in df.columns:
        upstream = pl.col(PHI_COL)
        if isinstance(df.schema[PHI_COL], pl.List):
            upstream = upstream.list.len().fill_null(0) > 0
        elif df.schema[PHI_COL] == pl.Boolean:
            upstream = upstream.fill_null(False)
        else:  # a joined string
            upstream = upstream.cast(pl.Utf8).fill_null("").str.strip_chars() != ""
        flagged = flagged | upstream
    kinds = df.select(found.alias("f")).explode("f")["f"].drop_nulls().str.split(":").list.first().unique().sort().to_list()
    return flagged, kinds


def check(df: pl.DataFrame, *, from_review: bool, allow_unreviewed: bool) -> dict:
    """Raise ``UsageError`` for the first gate that fails; return counts for the card otherwise."""
    for col in (QUESTION, CHOSEN, REJECTED):
        if col not in df.columns:
            raise UsageError(f"refusing to publish: the data has no {col!r} column (found {', '.join(df.columns)})")
    mask, kinds = phi_mask(df)
    n = df.select(mask.sum()).item()
    if n:
        what = f"; kinds: {', '.join(kinds)}" if kinds else " (flagged by the filter stage)"
        raise UsageError(f"refusing to publish: {n} row(s) flagged for PHI ({_ids(df, mask)}){what}; remove or de-identify them first")
    if KEEP_COL in df.columns:
        dropped = ~pl.col(KEEP_COL).fill_null(False)
        n = df.select(dropped.sum()).item()
        if n:
            raise UsageError(
                f"refusing to publish: {n} row(s) were dropped by the filters (keep=false: {_ids(df, dropped)}); "
                "publish the filter stage's kept table instead"
            )
    unreviewed = 0
    if REVIEW_STATUS in df.columns or from_review:
        if REVIEW_STATUS not in df.columns:
            raise UsageError("refusing to publish: the data came from review but has no 'review_status' column")
        status = pl.col(REVIEW_STATUS).cast(pl.Utf8).fill_null("pending")
        dropped = ~status.is_in(["accepted", "pending"])
        n = df.select(dropped.sum()).item()
        if n:
            raise UsageError(
                f"refusing to publish: {n} row(s) were discarded in review ({_ids(df, dropped)}); "
                "publish only accepted rows"
            )
        pending = status == "pending"
        unreviewed = df.select(pending.sum()).item()
        if unreviewed and not allow_unreviewed:
            raise UsageError(
                f"refusing to publish: {unreviewed} of {df.height} row(s) are not reviewed yet ({_ids(df, pending)}); "
                "finish the review and pull again, or pass --allow-unreviewed"
            )
    empty = pl.any_horizontal([pl.col(c).cast(pl.Utf8).fill_null("").str.strip_chars() == "" for c in (QUESTION, CHOSEN, REJECTED)])
    n = df.select(empty.sum()).item()
    if n:
        raise UsageError(f"refusing to publish: {n} row(s) have an empty question, chosen or rejected text ({_ids(df, empty)})")
    return {"rows": df.height, "unreviewed_published": unreviewed, "phi_rows": 0}
