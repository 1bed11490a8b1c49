import polars as pl
import pytest

from curate.core.errors import UsageError
from curate.publish.split import grouped_split, split_groups
from tests.curate.publish.conftest import make_pairs


def _straddling(train: pl.DataFrame, test: pl.DataFrame, key) -> set:
    return set(train.select(key).to_series().drop_nulls()) & set(test.select(key).to_series().drop_nulls())


@pytest.mark.parametrize("seed", range(5))
def test_planted_near_duplicates_never_straddle(seed):
    # 12 topics x 3 phrasings: two share a cluster_id, the third has no cluster_id but the same normalized
    # question as... nothing; so add exact duplicates (case / punctuation) of every first phrasing too
    df = make_pairs(dupes_per_topic=3)
    dup = df.filter(pl.col("cluster_id").is_not_null()).group_by("cluster_id").first().with_columns(
        pl.col("question").str.to_uppercase().str.replace(r"\?$", " ?!"), pl.lit(None, pl.Utf8).alias("cluster_id"))
    df = pl.concat([df, dup.select(df.columns)])
    train, test = grouped_split(df, 0.25, seed=seed)
    assert train.height + test.height == df.height and train.height and test.height
    assert not _straddling(train, test, "cluster_id")
    norm = pl.col("question").str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    assert not _straddling(train, test, norm)
    # the exact duplicate (no cluster_id) follows its cluster through the normalized question
    for cid in test["cluster_id"].drop_nulls().unique():
        q = df.filter(pl.col("cluster_id") == cid)["question"][0].upper().replace("?", " ?!")
        assert q in test["question"].to_list()


def test_groups_are_connected_components():
    df = pl.DataFrame({"question": ["A?", "a", "B", "C", "D"], "cluster_id": [None, "x", "x", "y", None]})
    g = split_groups(df).to_list()
    # A? ~ a (same normalized question), a ~ B (same cluster) => one group; C and D alone
    assert g[0] == g[1] == g[2] and len({g[0], g[3], g[4]}) == 3


def test_split_is_deterministic_and_near_target_size():
    df = make_pairs(dupes_per_topic=2)  # 24 rows, 12 groups of 2
    a = grouped_split(df, 0.25, seed=3)
    b = grouped_split(df.reverse(), 0.25, seed=3)
    assert set(a[1]["id"]) == set(b[1]["id"])  # independent of row order
    assert a[1].height == 6
    assert set(grouped_split(df, 0.25, seed=4)[1]["id"]) != set(a[1]["id"])


def test_test_size_zero_and_single_group():
    df = make_pairs(n_topics=1)
    train, test = grouped_split(df, 0.0)
    assert train.height == df.height and test.height == 0
    with pytest.raises(UsageError, match="one near-duplicate group"):
        grouped_split(df, 0.2)
    with pytest.raises(UsageError, match="test_size"):
        grouped_split(df, 1.0)


def _groups_frame(sizes: list[int]) -> pl.DataFrame:
    """One cluster per entry of ``sizes``, each row a distinct question."""
    rows = [{"id": f"g{g}r{r}", "question": f"Question {g} phrasing {r}?", "cluster_id": f"c{g}"}
            for g, n in enumerate(sizes) for r in range(n)]
    return pl.DataFrame(rows)


@pytest.mark.parametrize("seed", range(10))
def test_large_groups_are_skipped_instead_of_overshooting(seed, caplog):
    # 6 groups of 8 rows and 6 single rows: 54 rows, test_size 1/9 -> 6 rows. Whatever the hashed order, a group
    # of 8 never fits: the test split is exactly the 6 singles (the old greedy took a first group of 8 whole,
    # which happens for about half of the seeds)
    df = _groups_frame([8] * 6 + [1] * 6)
    with caplog.at_level("WARNING", logger="curate.publish.split"):
        train, test = grouped_split(df, 1 / 9, seed=seed)
    assert test.height == 6 and set(test["cluster_id"]) == {f"c{g}" for g in range(6, 12)}
    assert train.height == 48 and not caplog.records
    again = grouped_split(df.reverse(), 1 / 9, seed=seed)[1]
    assert set(again["id"]) == set(test["id"])


def test_when_no_group_fits_the_smallest_is_taken_with_a_warning(caplog):
    # 28 rows, test_size 0.1 -> 3 rows requested; every group is larger: the smallest (5 rows) is the test split
    df = _groups_frame([6, 8, 5, 9])
    with caplog.at_level("WARNING", logger="curate.publish.split"):
        train, test = grouped_split(df, 0.1, seed=0)
    assert set(test["cluster_id"]) == {"c2"} and train.height == 23
    assert len(caplog.records) == 1 and "5 of 28 rows" in caplog.records[0].getMessage()
    # off by no more than max(2 rows, 10 %): no warning (6 groups of 2 and one of 3, 15 rows, 0.2 -> 3 requested)
    caplog.clear()
    with caplog.at_level("WARNING", logger="curate.publish.split"):
        _, test = grouped_split(_groups_frame([2, 2, 2, 2, 2, 2, 3]), 0.2, seed=0)
    assert test.height in (2, 3) and not caplog.records
