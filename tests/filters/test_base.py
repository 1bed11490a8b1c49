"""The filter bases: a filter only says which rows it drops and why; the base marks and counts the drops; a global
filter sees every row."""

from collections import Counter

import polars as pl
import pytest

from filters import BatchFilter, FilterConfig, GlobalFilter, filter_frame
from filters.base import count_drops, declared_reasons, finish, mark
from tests.filters.helpers import frame, pair


class Short(BatchFilter):
    name = "short"
    reasons = {"too_short": "the question has fewer than 4 words"}
    columns = ("question_words",)

    def score(self, df, cfg, alive=None):
        return df.with_columns(pl.col("question").str.split(" ").list.len().alias("question_words"))

    def drops(self, cfg):
        return [("too_short", pl.col("question_words") < 4)]


class Undeclared(Short):
    reasons = {}


class SeesAll(GlobalFilter):
    """Drops every row but the one with the longest question of the whole input."""

    name = "longest"
    reasons = {"not_longest": "another row's question is longer"}
    needs = ("question",)
    seen: list = []

    def fit(self, rows, cfg):
        SeesAll.seen.append(rows.height)
        longest = rows["question"].str.len_chars().arg_max()

        class Pass:
            counts = {"rows_seen": rows.height}

            def resolve(self, batch, offset, dropped):
                at = pl.int_range(offset, offset + batch.height, eager=True)
                return batch.with_columns((at == longest).alias("longest"))

        return Pass()

    def drops(self, cfg):
        return [("not_longest", ~pl.col("longest"))]


def _df():
    return frame(pair(id="a", question="Short one?"), pair(id="b", question="A much longer question about the dose?"),
                 pair(id="c", question="Why?"))


def test_the_base_marks_and_counts_a_declared_reason():
    stats = Counter()
    out = filter_frame(_df(), FilterConfig(meaning_check=False), filters=[Short()], stats=stats)
    assert out["drop_reasons"].to_list() == [["too_short"], [], ["too_short"]]
    assert out["keep"].to_list() == [False, True, False]
    assert stats == Counter({"too_short": 2})
    assert count_drops(out) == stats
    assert out.columns[-2:] == ["drop_reasons", "keep"]


def test_mark_creates_then_appends_reasons_in_filter_order():
    df = Short().score(_df(), FilterConfig())
    once = mark(df, [Short()], FilterConfig())
    twice = finish(mark(once, [Short()], FilterConfig()))
    assert twice["drop_reasons"].to_list() == [["too_short", "too_short"], [], ["too_short", "too_short"]]
    assert mark(df, [], FilterConfig())["drop_reasons"].to_list() == [[], [], []]


def test_an_undeclared_reason_is_an_error():
    with pytest.raises(ValueError, match="does not declare"):
        filter_frame(_df(), FilterConfig(meaning_check=False), filters=[Undeclared()])


def test_a_reason_declared_twice_is_an_error():
    with pytest.raises(ValueError, match="declared by two filters"):
        declared_reasons([Short(), Short()])


def test_a_global_filter_sees_all_rows_and_runs_after_the_batch_filters():
    SeesAll.seen.clear()
    out = filter_frame(_df(), FilterConfig(meaning_check=False), filters=[SeesAll(), Short()])
    assert SeesAll.seen == [3]
    # batch filters first, whatever the list order: their reasons come first
    assert out["drop_reasons"].to_list() == [["too_short", "not_longest"], [], ["too_short", "not_longest"]]


def test_global_filter_score_is_fit_then_resolve():
    df = _df()
    assert SeesAll().score(df, FilterConfig())["longest"].to_list() == [False, True, False]


def test_the_stage_streams_global_filters_across_batches(tmp_path, monkeypatch):
    """run_filter_stage fits every global filter on all rows, then resolves the batches in order."""
    import filters.runner as runner
    from filters import run_filter_stage
    from filters.stage import default_filters

    monkeypatch.setattr(runner, "default_filters", lambda: [*default_filters(), SeesAll()])
    SeesAll.seen.clear()
    rows = [pair(id=f"r{i}", question=f"Question number {i} {'about the dose ' * (i == 4)}here?") for i in range(6)]
    path = tmp_path / "pairs.parquet"
    frame(*rows).write_parquet(path)
    m = run_filter_stage(path, tmp_path / "out", FilterConfig(meaning_check=False, batch_rows=2))
    assert SeesAll.seen == [6] and m["counts"]["rows_seen"] == 6
    kept = pl.read_parquet(tmp_path / "out" / "kept.parquet")
    dropped = pl.read_parquet(tmp_path / "out" / "dropped.parquet")
    assert dropped.filter(pl.col("id") != "r4")["drop_reasons"].list.contains("not_longest").all()
    assert "r4" not in dropped.filter(pl.col("drop_reasons").list.contains("not_longest"))["id"].to_list()
    assert m["counts"]["drops_by_reason"]["not_longest"] == 5
    assert kept.height + dropped.height == 6


def test_every_stage_filter_declares_its_reasons_settings_and_columns():
    from filters.stage import default_filters

    for f in default_filters():
        assert isinstance(f, (BatchFilter, GlobalFilter)) and f.name
        assert set(f.settings) <= set(f.reasons), f.name
        for cfg in (FilterConfig(), FilterConfig(phi_action="drop", max_chosen_smog=8.0)):
            assert {r for r, _ in f.drops(cfg)} <= set(f.reasons), f.name
