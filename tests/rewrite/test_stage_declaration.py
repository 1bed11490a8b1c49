"""``rewrite.STAGE`` declares what ``run`` really writes."""

from __future__ import annotations

import polars as pl

import rewrite
from curate.core.stage import StageSpec
from rewrite.config import RewriteConfig
from tests.rewrite.conftest import example_rows, write_qa
from tests.rewrite.llm_server import LLMServer


def test_rewrite_stage_declares_what_run_writes(tmp_path):
    spec = rewrite.STAGE
    assert isinstance(spec, StageSpec) and "STAGE" in rewrite.__all__ and spec.name == "rewrite"
    assert [t.role for t in spec.writes] == ["kept", "quarantined"] and spec.kept.file == "pairs.parquet"
    src = write_qa(tmp_path / "qa.csv", example_rows(4) + [("Empty answer?", "")])
    out = tmp_path / "out"
    with LLMServer() as server:
        manifest = spec.run(src, out, RewriteConfig(base_url=server.url, model="x"), progress=False)
    assert manifest["stage"] == "rewrite"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(spec.outputs())
    rows = 0
    for table in spec.writes:
        df = pl.read_parquet(table.path(out))
        assert set(table.columns) <= set(df.columns), table.file
        rows += df.height if table.role != "side" else 0
    assert rows == 5  # every row it was given, in exactly one of kept / quarantined
    assert set(spec.adds) <= set(pl.read_parquet(spec.kept.path(out)).columns)
