"""What the rewrite stage reads and writes (its :class:`~curate.core.stage.StageSpec` is ``rewrite.STAGE``)."""

from __future__ import annotations

import filters

from curate.core import schema as S
from curate.core.stage import Table

# the user's question / answer table: any supported format, any file name; the columns are rewrite.question_col /
# rewrite.answer_col (defaults below)
QA_INPUT = Table("", ("question", "answer"), "kept", "the user's QA table (CSV, JSONL, Parquet or a datasets dir)")
PAIRS = Table("pairs.parquet", tuple(S.PAIR_COLUMNS), "kept", "one (chosen, rejected) pair per rewritten row")
QUARANTINE = Table("quarantine.parquet", tuple(S.QUARANTINE_COLUMNS), "quarantined",
                   "every row not rewritten: where it stopped (stage), why (reason), what the model said (raw_output)")
WRITES = (PAIRS, QUARANTINE)
ADDS = tuple(c for c in S.PAIR_COLUMNS if c not in (S.QUESTION, S.SOURCE_ANSWER))

# what --redo reads: the filter stage's output dir (its declaration: ``filters.STAGE``)
FILTER_KEPT = filters.STAGE.kept
FILTER_DROPPED = filters.STAGE.set_aside()[0]
