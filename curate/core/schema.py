"""The one table schema that flows through every stage.

A pair row carries ``id`` (stable content hash of the normalized source question + answer), ``question``,
``source_answer``, ``chosen``, ``rejected`` and provenance; later stages add their own columns, named here once
(the filter's ``keep`` / ``drop_reasons`` / ``cluster_id``, a quarantined row's ``stage`` / ``reason``, the
review's ``review_*``), so no stage spells another stage's column as a literal.  "The same question" is
:func:`question_key` (and :func:`question_key_expr` for polars): the one normalizer the dedup filter and the
grouped split share.
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

# --- columns of a row made from a conversation (curate.core.conversations); a single-turn table has neither
CONTEXT = "context"  # JSON list of the {role, content} turns before the last user turn (a system turn included)
TURN = "turn"  # 0-based position of the rewritten assistant turn in its conversation

# --- columns a quarantined / set-aside row carries: where it stopped and why
STAGE = "stage"
REASON = "reason"
RAW_OUTPUT = "raw_output"

# --- columns the filter stage adds (every later stage may read them)
KEEP = "keep"  # bool: the row goes on
DROP_REASONS = "drop_reasons"  # list[str]: why it does not (empty when kept)
CLUSTER_ID = "cluster_id"  # near-duplicate cluster label (the publish split groups by it)
DUP_KIND = "dup_kind"  # "exact" | "near" | null
FILTER_COLUMNS = (KEEP, DROP_REASONS)  # a table with both went through the filter stage

# --- columns the review stage adds
REVIEW_STATUS = "review_status"  # one of REVIEW_STATUSES
REVIEW_DROP_REASON = "review_drop_reason"
REVIEW_DECISION = "review_decision"
REVIEW_FACTS_KEPT = "review_facts_kept"
REVIEW_N_SUBMITTED = "review_n_submitted"
REVIEW_VOTES = "review_votes"
REVIEW_ANNOTATORS = "review_annotators"
REVIEW_CORRECTED = "review_corrected"
REVIEW_NOTES = "review_notes"
CHOSEN_ORIGINAL = "chosen_original"  # the chosen text before a reviewer's correction
REVIEW_PREFIX = "review_"
ACCEPTED, DROPPED, DISPUTED, PENDING = "accepted", "dropped", "disputed", "pending"
REVIEW_STATUSES = (ACCEPTED, DROPPED, DISPUTED, PENDING)
REVIEW_GOES_ON = (ACCEPTED, PENDING)  # the statuses whose rows go forward (reviewed.parquet)

# the one default system message of a published dataset (the ``prompt`` every row starts with)
DEFAULT_SYSTEM_PROMPT = (
    "You are a supportive health assistant for family caregivers and patients. Answer warmly and politely, "
    "in plain language, acknowledge how the person may feel, and keep every medical fact accurate."
)

# its Spanish version, for a dataset whose rows are Spanish (``lang`` column ``es``)
DEFAULT_SYSTEM_PROMPT_ES = (
    "Usted es un asistente de salud que apoya a familiares cuidadores y a pacientes. Responda con calidez y "
    "cortesía, en lenguaje sencillo, reconozca cómo puede sentirse la persona y mantenga exactos todos los datos médicos."
)

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
QUARANTINE_COLUMNS = [ID, QUESTION, SOURCE_ANSWER, SOURCE, STAGE, REASON, RAW_OUTPUT, INPUT_ROW]

PAIR_SCHEMA = {c: pl.Int64 if c == INPUT_ROW else pl.Utf8 for c in PAIR_COLUMNS}
QUARANTINE_SCHEMA = {c: pl.Int64 if c == INPUT_ROW else pl.Utf8 for c in QUARANTINE_COLUMNS}
# what pairs and quarantine of a conversation input add after those columns
CONVERSATION_SCHEMA = {CONTEXT: pl.Utf8, TURN: pl.Int64}

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


# characters that never tell two questions apart: anything but letters, marks and digits (after NFKC)
_NOT_WORD = r"[^\p{L}\p{M}\p{N}]+"


def question_key_expr(col: str = QUESTION) -> pl.Expr:
    """"The same question", for polars: NFKC, lower case, every run of non-letters / non-digits (punctuation,
    whitespace, underscores) one space, stripped.  Exact duplicates (dedup) and split groups use it."""
    return (
        pl.col(col).cast(pl.Utf8).fill_null("").str.normalize("NFKC").str.to_lowercase()
        .str.replace_all(_NOT_WORD, " ").str.strip_chars()
    )


def question_key(text: str | None) -> str:
    """:func:`question_key_expr` of one string (the same result, in Python)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    out, gap = [], False
    for ch in text:
        if unicodedata.category(ch)[0] in "LMN":
            if gap and out:
                out.append(" ")
            out.append(ch)
            gap = False
        else:
            gap = True
    return "".join(out)
