"""The one table schema that flows through every stage.

A pair row carries ``id`` (stable content hash of the normalized source question + answer), ``question``,
``source_answer``, ``chosen``, ``rejected`` and provenance; later stages add their own columns.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import polars as pl

ID = "id"
QUESTION = "question"
SOURCE_ANSWER = "source_answer"
CHOSEN = "chosen"
REJECTED = "rejected"
SOURCE = "source"
REWRITE_MODEL = "rewrite_model"
PROMPT_VERSION = "prompt_version"
GENERATION_PARAMS = "generation_params"  # JSON string of the generation parameters
CHOSEN_STYLE = "chosen_style"
REJECTED_STYLE = "rejected_style"
INPUT_ROW = "input_row"  # 0-based position of the row in the user's input file: unique even where ids repeat

# the rewrite stage's output contract, in order
PAIR_COLUMNS = [
    ID,
    QUESTION,
    SOURCE_ANSWER,
    CHOSEN,
    REJECTED,
    SOURCE,
    REWRITE_MODEL,
    PROMPT_VERSION,
    GENERATION_PARAMS,
    CHOSEN_STYLE,
    REJECTED_STYLE,
    INPUT_ROW,
]

# a quarantined row: what came in, why it stopped, and what the model said (if anything)
QUARANTINE_COLUMNS = [ID, QUESTION, SOURCE_ANSWER, SOURCE, "stage", "reason", "raw_output", INPUT_ROW]

PAIR_SCHEMA = {c: pl.Int64 if c == INPUT_ROW else pl.Utf8 for c in PAIR_COLUMNS}
QUARANTINE_SCHEMA = {c: pl.Int64 if c == INPUT_ROW else pl.Utf8 for c in QUARANTINE_COLUMNS}

_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFKC, lower case, collapsed whitespace: what the row id is computed over."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def make_id(question: str, answer: str) -> str:
    """Stable 16-hex-digit id of a (question, answer) pair; insensitive to case and whitespace."""
    payload = normalize_text(question) + "\x1f" + normalize_text(answer)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def add_ids(df: pl.DataFrame, question_col: str = QUESTION, answer_col: str = SOURCE_ANSWER) -> pl.DataFrame:
    ids = [make_id(q or "", a or "") for q, a in zip(df[question_col].to_list(), df[answer_col].to_list())]
    return df.with_columns(pl.Series(ID, ids, dtype=pl.Utf8))
