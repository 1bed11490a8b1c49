"""``filters.STAGE`` and ``filters.DROP_REASONS`` say what the stage really reads, writes and drops for."""

import dataclasses

import polars as pl
import pytest

import filters
from curate.core.stage import StageSpec
from filters import DROP_REASONS, REASON_SETTINGS, SCORE_COLUMNS, STAGE, FilterConfig, run_filter_stage
from filters.stage import drop_reasons_all
from tests.filters.helpers import frame, pair


def _input(tmp_path):
    p = pair()
    rows = [pair(id="good"), pair(id="dup", question="How much donepezil should my mom take??"),
            pair(id="flat", question="Should I worry?", rejected=p["chosen"]),
            pair(id="empty", question="Side effects?", chosen=""),
            {**pair(id="nosrc", question="Morning?"), "source_answer": None}]
    path = tmp_path / "pairs.parquet"
    frame(*rows).write_parquet(path)
    return path


def test_exported():
    for name in ("STAGE", "DROP_REASONS", "REASON_SETTINGS", "SCORE_COLUMNS", "KEEP_COL", "REASONS_COL", "BatchFilter",
                 "GlobalFilter", "filter_batch"):
        assert name in filters.__all__ and getattr(filters, name) is not None
    assert isinstance(STAGE, StageSpec) and STAGE.name == "filter"
    assert STAGE.kept.file == "kept.parquet" and [t.file for t in STAGE.set_aside()] == ["dropped.parquet"]
    assert STAGE.set_aside()[0].role == "dropped" and not STAGE.global_step
    assert STAGE.run is run_filter_stage and STAGE.batch is filters.filter_batch


def test_reads_the_rewrite_stages_pairs():
    import rewrite

    assert STAGE.reads.file == rewrite.STAGE.kept.file
    assert set(STAGE.reads.columns) <= set(rewrite.STAGE.kept.columns)


@pytest.mark.parametrize("cfg", [FilterConfig(meaning_check=False), FilterConfig(meaning_check=False, phi_action="redact"),
                                 FilterConfig(check_facts=False, dedup=False, meaning_check=False, phi_action="drop")])
def test_declared_tables_match_what_the_runner_writes(tmp_path, cfg):
    out = tmp_path / "out"
    m = run_filter_stage(_input(tmp_path), out, cfg)
    assert sorted(p.name for p in out.iterdir()) == sorted(STAGE.outputs())
    assert m["outputs"] == list(STAGE.outputs())
    inputs = set(pl.read_parquet_schema(tmp_path / "pairs.parquet"))
    for table in STAGE.writes:
        cols = list(pl.read_parquet_schema(table.path(out)))
        assert set(table.columns) <= set(cols), (table.file, set(table.columns) - set(cols))
        assert set(cols) <= inputs | set(STAGE.adds) | {filters.KEEP_COL, filters.REASONS_COL}
        assert cols[-2:] == [filters.REASONS_COL, filters.KEEP_COL]
    assert set(m["counts"]["drops_by_reason"]) <= set(DROP_REASONS)


def test_meaning_columns_are_declared(tmp_path, embed_model):
    out = tmp_path / "out"
    run_filter_stage(_input(tmp_path), out, FilterConfig())
    cols = set(pl.read_parquet_schema(STAGE.kept.path(out)))
    assert {"meaning_sim_chosen", "meaning_sim_rejected"} <= cols <= set(STAGE.adds) | cols


def test_batch_splits_kept_and_dropped():
    tables = STAGE.batch(frame(pair(id="a"), pair(id="b", chosen="")), FilterConfig(meaning_check=False))
    assert set(tables) == {t.name for t in STAGE.writes}
    assert tables["kept"]["id"].to_list() == ["a"] and tables["dropped"]["id"].to_list() == ["b"]


def test_drop_reasons_are_every_reason_the_filters_give_with_a_meaning():
    every = drop_reasons_all(FilterConfig(phi_action="drop", max_chosen_smog=8.0))
    assert list(DROP_REASONS) == every
    assert all(isinstance(v, str) and v for v in DROP_REASONS.values())
    assert set(REASON_SETTINGS) == set(DROP_REASONS)
    names = {f.name for f in dataclasses.fields(FilterConfig)}
    assert all(set(s) <= names for s in REASON_SETTINGS.values())
    # the settings each reason names are those whose help text says they drop for it
    for reason, settings in REASON_SETTINGS.items():
        for s in settings:
            help_text = next(f for f in dataclasses.fields(FilterConfig) if f.name == s).metadata["help"]
            assert f"`{reason}`" in help_text, (reason, s)


def test_score_columns_are_declared_once():
    assert len(SCORE_COLUMNS) == len(set(SCORE_COLUMNS))
    assert set(STAGE.adds) == set(SCORE_COLUMNS)
