"""The grouped train/test split: no question and none of its near-duplicates on both sides.

Groups are the connected components of "same ``cluster_id``" (the filter stage's MinHash near-duplicate
clusters) and "same question" (``curate.core.schema.question_key_expr``, so exact duplicates stay together even without a ``cluster_id``;
for rows made from conversations, the whole conversation up to the target: ``curate.core.conversations``).
Whole groups are assigned to the test split in a seeded, content-hashed order, each one only if it still fits
``test_size`` of the rows (groups larger than what is left are skipped); when no group fits at all, the smallest
one is the test split.  The same data and seed always give the same split.  A test split whose size differs
from the requested one by more than max(2 rows, 10 %) is logged as a warning.
"""

from __future__ import annotations

import logging

import polars as pl

from curate.core.conversations import with_dialogue_text
from curate.core.errors import UsageError
from curate.core.schema import CLUSTER_ID, question_key_expr

log = logging.getLogger(__name__)

CLUSTER_COL = CLUSTER_ID
GROUP_COL = "split_group"


def split_groups(df: pl.DataFrame) -> pl.Series:
    """One integer label per row; rows sharing a label must land in the same split."""
    df, question = with_dialogue_text(df)
    keys = [question_key_expr(question)]
    if CLUSTER_COL in df.columns:
        # a missing cluster id joins nothing: give it a key of its own
        keys.append(pl.when(pl.col(CLUSTER_COL).is_null()).then(pl.lit("\x00row") + pl.int_range(pl.len()).cast(pl.Utf8))
                    .otherwise(pl.col(CLUSTER_COL).cast(pl.Utf8)))
    frame = df.select([k.alias(f"k{i}") for i, k in enumerate(keys)]).with_columns(pl.int_range(pl.len()).alias("g"))
    # connected components by min-label propagation over each key until nothing changes (few rounds in practice)
    while True:
        before = frame["g"]
        for i in range(len(keys)):
            frame = frame.with_columns(pl.col("g").min().over(f"k{i}"))
        if frame["g"].equals(before):
            return frame["g"].rename(GROUP_COL)


def grouped_split(df: pl.DataFrame, test_size: float, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(train, test)``; ``test_size`` in [0, 1). Rows keep their input order inside each split."""
    if not 0 <= test_size < 1:
        raise UsageError(f"test_size must be in [0, 1), got {test_size}")
    groups = split_groups(df)
    framed, question = with_dialogue_text(df.with_columns(groups))
    helpers = [GROUP_COL, *([question] if question not in df.columns else [])]  # columns only the split uses
    if test_size == 0:
        return framed.drop(helpers), framed.head(0).drop(helpers)
    sizes = (
        framed.group_by(GROUP_COL)
        .agg(pl.len().alias("n"), question_key_expr(question).min().alias("key"))
        # order groups by a seeded hash of their content, not their position: stable under row reordering
        .with_columns(pl.col("key").hash(seed=seed).alias("order"))
        .sort("order", "key")
    )
    if sizes.height < 2:
        raise UsageError(f"cannot make a grouped test split: all {df.height} rows are one near-duplicate group; use --test-size 0")
    requested = test_size * df.height
    target = max(1, round(requested))
    # greedy over groups in hashed order: take a group when it still fits the target, skip one that does not
    test_groups, n_test = [], 0
    for group, n in zip(sizes[GROUP_COL].to_list(), sizes["n"].to_list()):
        if n_test + n <= target:
            test_groups.append(group)
            n_test += n
            if n_test == target:
                break
    if not test_groups:  # every group is larger than the target: the smallest one (first in hashed order on ties)
        smallest = sizes.with_row_index("_pos").sort("n", "_pos").row(0, named=True)
        test_groups, n_test = [smallest[GROUP_COL]], smallest["n"]
    if len(test_groups) == sizes.height:  # never all groups (possible only when the target rounds to every row)
        n_test -= int(sizes.filter(pl.col(GROUP_COL) == test_groups.pop())["n"][0])
    if abs(n_test - requested) > max(2.0, 0.1 * requested):
        log.warning("grouped split: the test split holds %d of %d rows (%.1f%%), not the requested %.1f%%: "
                    "near-duplicate groups cannot be split (%d groups, the largest has %d rows)",
                    n_test, df.height, 100 * n_test / df.height, 100 * test_size, sizes.height, int(sizes["n"].max()))
    test_groups = pl.Series(test_groups, dtype=sizes[GROUP_COL].dtype)
    is_test = pl.col(GROUP_COL).is_in(test_groups.implode())
    return framed.filter(~is_test).drop(helpers), framed.filter(is_test).drop(helpers)
