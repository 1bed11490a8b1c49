"""What the publish stage reads and writes (its :class:`~curate.core.stage.StageSpec` is ``curate.publish.STAGE``),
and the upstream stage tables it recognizes, from those stages' own declarations."""

from __future__ import annotations

import filters
import rewrite
import curate.review as review
from curate.core import schema as S
from curate.core.stage import Table

# a stage output dir (the first of UPSTREAM that it holds) or a table file
READS = Table("", (S.QUESTION, S.CHOSEN, S.REJECTED), "kept",
              "a `curate review pull` / `curate filter` / `curate rewrite` output dir, or a table file")
DATA = Table("data", ("prompt", S.CHOSEN, S.REJECTED), "kept",
             "data/{split}-NNNNN-of-NNNNN.parquet: TRL's conversational preference format, grouped train/test")
CARD = "README.md"
WRITES = (DATA,)

# the tables publish takes, nearest stage first: {file name: stage}
UPSTREAM = {spec.kept.file: spec.name for spec in (review.STAGE, filters.STAGE, rewrite.STAGE)}
