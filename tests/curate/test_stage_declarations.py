"""``curate.publish.STAGE`` and ``curate.review.STAGE`` declare what their runs write; ``question_key`` is one
normalizer in Python and polars."""

from __future__ import annotations

import polars as pl

import curate.publish
import curate.review
from curate.core.schema import question_key, question_key_expr
from curate.core.stage import StageSpec
from curate.publish.config import PublishConfig
from curate.publish.inputs import STAGE_TABLES
from curate.review.merge import REVIEW_COLUMNS
from tests.curate.publish.conftest import make_pairs, write_stage_dir


def test_publish_stage_declares_what_run_writes(tmp_path):
    spec = curate.publish.STAGE
    assert isinstance(spec, StageSpec) and "STAGE" in curate.publish.__all__
    src = write_stage_dir(tmp_path / "filter", make_pairs())
    out = tmp_path / "dataset"
    manifest = spec.run(src, out, PublishConfig(test_size=0.25))
    assert manifest["stage"] == "publish"
    assert sorted(p.name for p in out.iterdir()) == sorted(spec.outputs())
    data = spec.kept.path(out)
    shards = sorted(data.glob("*.parquet"))
    assert shards and all(set(spec.kept.columns) <= set(pl.read_parquet(s).columns) for s in shards)
    assert sorted(f"{data.name}/{s.name}" for s in shards) == sorted(f for f in manifest["files"] if f != "README.md")


def test_review_stage_declaration():
    spec = curate.review.STAGE
    assert isinstance(spec, StageSpec) and "STAGE" in curate.review.__all__ and spec.global_step
    assert spec.kept.file == "reviewed.parquet" and [t.file for t in spec.set_aside()] == ["review_dropped.parquet"]
    assert spec.outputs() == ("reviewed.parquet", "review_dropped.parquet", "review_report.md", "manifest.json")
    assert set(REVIEW_COLUMNS) <= set(spec.adds) and set(REVIEW_COLUMNS) <= set(spec.kept.columns)
    # publish recognizes the stages' kept tables, nearest stage first
    assert list(STAGE_TABLES) == ["reviewed.parquet", "kept.parquet", "pairs.parquet"]


def test_question_key_python_equals_polars():
    texts = ["  How do I help?? ", "HOW do I  help", "Ｆｕｌｌ－width!", "what's_up", "नमस्ते, दुनिया", None, "",
             "e\u0301te\u0301 — été", "a\tb\nc"]
    expr = pl.DataFrame({"q": texts}, schema={"q": pl.Utf8}).select(question_key_expr("q"))["q"].to_list()
    assert expr == [question_key(t) for t in texts]
    assert question_key("  How do I help?? ") == question_key("HOW do I  help") == "how do i help"
