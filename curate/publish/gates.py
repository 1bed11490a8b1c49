"""Gates: what ``curate publish`` refuses to publish. Each refusal is one line, exit 2, and nothing is written.

0. data that never went through ``curate filter`` or ``curate review pull`` (unless ``allow_unfiltered``);
1. rows flagged for PHI: a non-empty ``phi`` column from the filter stage, or PHI found now in any published
   free-text column (the pair texts, reviewer corrections and notes, ...);
2. rows the filters dropped (``keep`` is false);
3. rows discarded in review (``review_status == "dropped"``);
4. rows still pending review, when the data came from ``curate review pull`` (unless ``allow_unreviewed``);
5. rows with an empty question, chosen or rejected answer (nothing to train on).
"""

from __future__ import annotations

import json

import polars as pl

from curate.core import schema as S
from curate.core.errors import UsageError
from curate.core.schema import CHOSEN, ID, INPUT_ROW, QUESTION, REJECTED, SOURCE_ANSWER
from filters import kind_counts, phi_lists

PHI_COL = "phi"
REDACTED_COL = "phi_redacted"  # phi_action: redact -- one kind per replaced span
KEEP_COL = S.KEEP
REVIEW_STATUS = S.REVIEW_STATUS
TEXT_COLUMNS = (QUESTION, SOURCE_ANSWER, CHOSEN, REJECTED)
SHOW_ROWS = 10


def _ids(df: pl.DataFrame, mask: pl.Expr | pl.Series, n: int = SHOW_ROWS) -> str:
    """The refused rows as the user can find them again: ``ids a, b and 3 more`` (the pair ids); where the table
    has no id for them, ``input_row 4, 9`` (the row in the user's input file), else their 0-based positions."""
    rows = df.with_row_index("_row").filter(mask)  # mask: an expression or a boolean Series
    shown = rows.head(n)
    if ID in rows.columns and shown[ID].null_count() == 0:
        label, values = "ids", shown[ID].cast(pl.Utf8).to_list()
    elif INPUT_ROW in rows.columns and shown[INPUT_ROW].null_count() == 0:
        label, values = INPUT_ROW, shown[INPUT_ROW].cast(pl.Utf8).to_list()
    else:
        label, values = "0-based rows", [str(i) for i in shown["_row"].to_list()]
    more = f" and {rows.height - n} more" if rows.height > n else ""
    return f"{label} " + ", ".join(" ".join(v.split()) for v in values) + more


def _as_bool(df: pl.DataFrame, col: str) -> pl.Expr:
    """A keep-like column as booleans: true / false as written by a CSV export too ("true", "1", "yes")."""
    t = df.schema[col]
    if t == pl.Boolean:
        return pl.col(col)
    if t.is_numeric():
        return pl.col(col) != 0
    return pl.col(col).cast(pl.Utf8).str.strip_chars().str.to_lowercase().is_in(["true", "1", "yes", "t", "y"])


def unfiltered_refusal(source: str, what: str) -> str:
    return (f"refusing to publish: {source} is {what}, not a `curate filter` or `curate review pull` output (no filter "
            "or review manifest.json beside it, no keep/drop_reasons columns), so its pairs were never filtered; run "
            "`curate filter DATA -o DIR` and publish DIR, or pass --allow-unfiltered (config: publish.allow_unfiltered) "
            "to publish them unfiltered (the card says so)")


# machine-written columns: ids, hashes, JSON parameters, labels, and facts extracted from texts scanned anyway
NOT_FREE_TEXT = {ID, S.CLUSTER_ID, S.DUP_KIND, S.GENERATION_PARAMS, S.PROMPT_VERSION, S.REWRITE_MODEL, S.SOURCE,
                 S.CHOSEN_STYLE, S.REJECTED_STYLE, S.REVIEW_STATUS, S.REVIEW_DROP_REASON, PHI_COL, REDACTED_COL,
                 S.DROP_REASONS}


def _is_plain_value(t: pl.DataType) -> bool:
    """Numbers, booleans, dates: no room for free text."""
    return t.is_numeric() or t == pl.Boolean or t.is_temporal() or t == pl.Null


def free_text_columns(df: pl.DataFrame) -> list[str]:
    """Every column a person or a model could have written text into: the pair texts, corrections, reviewer notes,
    and any column of a type that can hold text (categoricals, structs, lists), so nothing passes unscanned."""
    out = [c for c in TEXT_COLUMNS if c in df.columns]
    for c, t in df.schema.items():
        if c in out or c in NOT_FREE_TEXT or c.startswith("facts_"):
            continue
        inner = t
        while isinstance(inner, (pl.List, pl.Array)):
            inner = inner.inner
        if not _is_plain_value(inner):
            out.append(c)
    return out


def _as_text(df: pl.DataFrame, c: str) -> pl.Series:
    t = df.schema[c]
    if t == pl.Utf8 or isinstance(t, (pl.Categorical, pl.Enum)):
        return df[c].cast(pl.Utf8)
    if isinstance(t, pl.List) and t.inner == pl.Utf8:
        return df[c].list.join("\n")
    # structs, nested lists, objects: scan their JSON text
    return pl.Series(c, [None if v is None else json.dumps(v, default=str, ensure_ascii=False) for v in df[c].to_list()],
                     dtype=pl.Utf8)


def phi_mask(df: pl.DataFrame, allow: list[str] | None = None) -> tuple[pl.Series, list[str]]:
    """Rows with PHI (flagged upstream or detected now in any free-text column, by the same detector as the
    filter stage and the rewrite guard, with the same allowed patterns) and the kinds found (never the matched
    text itself)."""
    cols = free_text_columns(df)
    # every free-text column as text (lists joined, structs as JSON)
    found_rows: list[list[str]] = [[] for _ in range(df.height)]
    for c in cols:
        for i, labels in enumerate(phi_lists(_as_text(df, c), allow)):
            found_rows[i].extend(labels)
    found = pl.Series("f", found_rows, dtype=pl.List(pl.Utf8))
    flagged = found.list.len().fill_null(0) > 0
    if PHI_COL in df.columns:
        t = df.schema[PHI_COL]
        if isinstance(t, pl.List):
            upstream = df[PHI_COL].list.len().fill_null(0) > 0
        elif t == pl.Boolean:
            upstream = df[PHI_COL].fill_null(False)
        else:  # a joined string
            upstream = df[PHI_COL].cast(pl.Utf8).fill_null("").str.strip_chars() != ""
        flagged = flagged | upstream
    kinds = found.explode().drop_nulls().str.split(":").list.first().unique().sort().to_list()
    return flagged, kinds


def phi_allow_from(manifests: dict | None) -> list[str]:
    """The allowed-PHI patterns the filter stage ran with (``filter.phi_allow`` in its manifest's config), so the
    gate judges the table as the filter did."""
    cfg = ((manifests or {}).get("filter") or {}).get("config") or {}
    allow = cfg.get("phi_allow") or []
    return [str(a) for a in allow] if isinstance(allow, list) else []


def redaction_counts(df: pl.DataFrame) -> dict[str, int]:
    """Spans the filter stage replaced (``phi_action: redact``), per kind, over the rows being published."""
    if REDACTED_COL not in df.columns or not isinstance(df.schema[REDACTED_COL], pl.List):
        return {}
    return kind_counts(df[REDACTED_COL].explode().drop_nulls().cast(pl.Utf8).to_list())


def check(df: pl.DataFrame, *, from_review: bool, allow_unreviewed: bool, accepted_source: bool = True,
          allow_unfiltered: bool = False, source: str = "DATA", source_kind: str = "a table file",
          phi_allow: list[str] | None = None) -> dict:
    """Raise ``UsageError`` for the first gate that fails; return counts for the card otherwise.

    ``accepted_source``: the data came from ``curate filter`` or ``curate review pull``; otherwise it is refused
    unless ``allow_unfiltered``."""
    for col in (QUESTION, CHOSEN, REJECTED):
        if col not in df.columns:
            raise UsageError(f"refusing to publish: the data has no {col!r} column (found {', '.join(df.columns)})")
    if not accepted_source and not allow_unfiltered:
        raise UsageError(unfiltered_refusal(source, source_kind))
    mask, kinds = phi_mask(df, phi_allow)
    n = int(mask.sum())
    if n:
        what = f"; kinds: {', '.join(kinds)}" if kinds else " (flagged by the filter stage)"
        raise UsageError(f"refusing to publish: {n} row(s) flagged for PHI ({_ids(df, mask)}){what}; remove or de-identify them first")
    if KEEP_COL in df.columns:
        dropped = ~_as_bool(df, KEEP_COL).fill_null(False)
        n = df.select(dropped.sum()).item()
        if n:
            raise UsageError(
                f"refusing to publish: {n} row(s) were dropped by the filters (keep=false: {_ids(df, dropped)}); "
                "publish the filter stage's kept table instead"
            )
    unreviewed = 0
    if REVIEW_STATUS in df.columns or from_review:
        if REVIEW_STATUS not in df.columns:
            raise UsageError(f"refusing to publish: the data came from review but has no {REVIEW_STATUS!r} column")
        status = pl.col(REVIEW_STATUS).cast(pl.Utf8).fill_null(S.PENDING)
        dropped = ~status.is_in(list(S.REVIEW_GOES_ON))
        n = df.select(dropped.sum()).item()
        if n:
            raise UsageError(
                f"refusing to publish: {n} row(s) were discarded in review ({_ids(df, dropped)}); "
                "publish only accepted rows"
            )
        pending = status == S.PENDING
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
    red = redaction_counts(df)
    return {"rows": df.height, "unreviewed_published": unreviewed, "phi_rows": 0, "phi_redactions": red,
            "rows_redacted": int((df[REDACTED_COL].list.len() > 0).sum()) if red else 0}
