"""PHI detection shared by the rewrite guard and the filter stage.

Transparent regular expressions (valid in both Python ``re`` and polars' Rust regex engine), one per kind:
emails, phone numbers, dates of birth and full dates, record / member / social-security numbers, street
addresses, and person names introduced by a title or a label ("Mr. John Smith", "patient: Jane Doe").
Over-flagging is the safe side here: a flagged row is only held back from remote endpoints and from publishing
unflagged, never deleted.
"""

from __future__ import annotations

import re

import polars as pl

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = (
    r"(?:\d{1,2}/\d{1,2}/(?:19|20)?\d{2}"          # 4/12/41, 04/12/1941
    r"|\d{1,2}[.-]\d{1,2}[.-](?:19|20)\d{2}"       # 04-12-1941 (a 4-digit year: "2.5-5-10 mg" is a dose range)
    r"|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    rf"|{_MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}\.?,? (?:19|20)\d{{2}})"
)
# a capitalized word, Latin-1 letters included (Émile, O'Brien, McDonald)
_WORD = r"(?:Mc|Mac|O')?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+"
_NAME = rf"{_WORD}(?:[ -]{_WORD}){{0,2}}"
_NAME2 = rf"{_WORD}(?:[ -]{_WORD}){{1,2}}"  # at least two words: "Name: Lewy body" is not a name

PATTERNS: dict[str, str] = {
    "email": r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b",
    "phone": r"(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b|(?i:\b(?:phone|tel|cell|mobile|call)\b)[:#. ]*\d{10}\b",
    "date_of_birth": rf"(?i)\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born(?: on)?)\s*[:#-]?\s*{_DATE}|\bborn in (?:19|20)\d{{2}}\b",
    "date": rf"(?i)\b{_DATE}\b",
    "age_over_89": r"(?i)\b(?:aged?|age of)\s*(?:9\d|1[01]\d)\b|\b(?:9\d|1[01]\d)[- ]years?[- ]old\b",
    "record_number": r"(?i:\b(?:mrn|medical record(?: number| no\.?| #)?|record (?:number|no\.?|#)|patient id|member id|account (?:number|no\.?)|chart (?:number|no\.?|#)))\s*[:#]?\s*[A-Z]{0,4}-?\d[0-9A-Z-]{2,}\b",
    "ssn": r"\b\d{3}-\d{2}-\d{4}\b",
    "street_address": r"\b\d{1,5} (?:[A-Za-z]+ ){1,3}(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|circle|parkway|pkwy)\b\.?",
    "person_name": rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.? {_NAME}|(?i:\b(?:patient|resident|client|name)\s*:\s*){_NAME2}|{_NAME} \((?i:dob|born|age \d)",
}

_COMPILED = {kind: re.compile(p) for kind, p in PATTERNS.items()}


def detect_phi(text: str | None) -> list[str]:
    """``["kind: matched text", ...]`` for one text (empty list = nothing found)."""
    if not text:
        return []
    found: list[str] = []
    for kind, rx in _COMPILED.items():
        for m in rx.finditer(text):
            item = f"{kind}: {m.group(0).strip()}"
            if item not in found:
                found.append(item)
    return found


def phi_expr(column: str) -> pl.Expr:
    """A polars expression: list of ``"kind: match"`` strings found in ``column`` (vectorized, Rust regex)."""
    parts = [
        pl.col(column).fill_null("").str.extract_all(p).list.eval(pl.lit(f"{kind}: ") + pl.element().str.strip_chars())
        for kind, p in PATTERNS.items()
    ]
    return pl.concat_list(parts).list.unique(maintain_order=True)


# ---------------------------------------------------------------- one-pass variant for the filter stage

_COMBINED = "|".join(f"(?:{p})" for p in PATTERNS.values())
_KIND_CACHE: dict[str, str] = {}


def _kind(span: str) -> str:
    kind = _KIND_CACHE.get(span)
    if kind is None:
        kind = next((k for k, rx in _COMPILED.items() if rx.fullmatch(span)), None)
        if kind is None:  # matched in context only (word boundaries at the edges): search instead
            kind = next((k for k, rx in _COMPILED.items() if rx.search(span)), "phi")
        if len(_KIND_CACHE) < 200_000:
            _KIND_CACHE[span] = kind
    return kind


def phi_series(df: pl.DataFrame, columns: list[str]) -> pl.Series:
    """``phi`` per row over several text columns in ONE regex pass (all kinds in one alternation;
    where kinds overlap, the first in ``PATTERNS`` order is reported). Same output format as ``phi_expr``."""
    n = df.height
    text = pl.concat_str([pl.col(c).fill_null("") for c in columns], separator="\n")
    found = df.select(text.str.extract_all(_COMBINED).alias("_m"))["_m"]
    ex = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32), "_m": found}).explode("_m").drop_nulls("_m")
    if ex.height == 0:
        return pl.Series("phi", [[] for _ in range(n)], dtype=pl.List(pl.Utf8))
    mapping = {u: f"{_kind(u)}: {u.strip()}" for u in ex["_m"].unique().to_list()}
    ex = ex.with_columns(pl.col("_m").replace_strict(mapping, return_dtype=pl.Utf8))
    agg = ex.group_by("_row", maintain_order=True).agg(pl.col("_m").unique(maintain_order=True))
    out = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32)}).join(agg, on="_row", how="left").sort("_row")
    return out["_m"].fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).cast(pl.List(pl.Utf8)).alias("phi")
