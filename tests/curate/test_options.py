"""Every option is checked before any work starts, and a bad one is named as the user wrote it:
the flag for a flag (``--batch-rows must be >= 1``), the file and key for a YAML value."""

from __future__ import annotations

import dataclasses
import math
import typing

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.app.config import load_config
from curate.core.errors import UsageError
from curate.publish.config import PublishConfig
from filters.config import FilterConfig
from rewrite.config import RewriteConfig
from tests.curate.pipeline_data import ROWS


def curate(capsys, *args) -> tuple[int, str, str]:
    code = run_app(app, "curate", [str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err.strip()


@pytest.fixture
def pairs_file(tmp_path):
    path = tmp_path / "pairs.parquet"
    pl.DataFrame([{"id": f"p{i}", "question": q, "source_answer": a, "chosen": c, "rejected": r}
                  for i, (q, a, c, r) in enumerate(ROWS)]).write_parquet(path)
    return path


@pytest.mark.parametrize("args, message", [
    (["--max-chosen-grade", "-3"], "error: --max-chosen-grade must be a positive grade level (health-literacy target: 8), got -3.0"),
    (["--batch-rows", "0"], "error: --batch-rows must be >= 1"),
    (["--min-tone-margin", "5"], "error: --min-tone-margin must be in [-2, 2] (tone is in [-1, 1])"),
])
def test_filter_flags_are_checked_and_named_as_typed(tmp_path, capsys, pairs_file, args, message):
    out = tmp_path / "out"
    code, _, err = curate(capsys, "filter", pairs_file, "-o", out, *args)
    assert (code, err) == (2, message)
    assert not out.exists()


def test_a_bad_yaml_value_names_the_file_and_the_key_and_a_flag_can_fix_it(tmp_path, capsys, pairs_file):
    cfg = tmp_path / "my.yaml"
    cfg.write_text("filter:\n  batch_rows: 0\n  meaning_check: false\n")
    code, _, err = curate(capsys, "filter", pairs_file, "-o", tmp_path / "out", "--config", cfg)
    assert (code, err) == (2, f"error: {cfg}: filter.batch_rows: must be >= 1")
    assert not (tmp_path / "out").exists()
    code, _, err = curate(capsys, "filter", pairs_file, "-o", tmp_path / "out", "--config", cfg, "--batch-rows", "2")
    assert code == 0, err  # the flag overrides the file's bad value: the value checked is the one that runs


@pytest.mark.parametrize("args, message", [
    (["--max-new-tokens", "0"], "error: --max-new-tokens must be >= 1, got 0"),
    (["--batch-size", "-2"], "error: --batch-size must be >= 1, got -2"),
    (["--concurrency", "0"], "error: --concurrency must be >= 1, got 0"),
    (["--timeout", "0"], "error: --timeout must be a positive number of seconds, got 0.0"),
    (["--max-retries", "-1"], "error: --max-retries must be >= 0, got -1"),
    (["--limit", "-1"], "error: --limit must be >= 1, got -1"),
    (["--phi", "maybe"], "error: --phi must be one of 'refuse', 'allow', 'redact', got 'maybe'"),
    (["--device", "gpu"], "error: --device must be auto, cpu, mps, cuda or cuda:N, got 'gpu'"),
])
def test_rewrite_flags_fail_before_any_work(tmp_path, capsys, args, message):
    # the input does not exist and the model would not load: the option is what is reported, first
    out = tmp_path / "out"
    code, _, err = curate(capsys, "rewrite", tmp_path / "missing.csv", "-o", out, "--model", tmp_path / "none.gguf", *args)
    assert (code, err) == (2, message)
    assert not out.exists()


def test_publish_flags_are_checked_first(tmp_path, capsys):
    code, _, err = curate(capsys, "publish", tmp_path / "missing", "--to-dir", tmp_path / "ds", "--test-size", "1.5")
    assert (code, err) == (2, "error: --test-size must be in [0, 1) (a fraction of the rows; 0 = no test split), got 1.5")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("publish:\n  max_shard_rows: 0\n")
    code, _, err = curate(capsys, "publish", tmp_path / "missing", "--to-dir", tmp_path / "ds", "--config", cfg)
    assert (code, err) == (2, f"error: {cfg}: publish.max_shard_rows: must be >= 1, got 0")
    assert not (tmp_path / "ds").exists()


def _numeric_fields(cls) -> list[tuple[str, type]]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        args = [a for a in typing.get_args(hints[f.name]) if a is not type(None)] or [hints[f.name]]
        tp = args[0]
        if tp in (int, float):
            out.append((f.name, tp))
    return out


SECTIONS = {"rewrite": RewriteConfig, "filter": FilterConfig, "publish": PublishConfig}
NUMERIC = [(section, name, tp) for section, cls in SECTIONS.items() for name, tp in _numeric_fields(cls)]


def test_the_sweep_covers_every_numeric_option():
    names = {f"{s}.{n}" for s, n, _ in NUMERIC}
    assert {"filter.max_chosen_grade", "filter.batch_rows", "rewrite.max_new_tokens", "rewrite.max_copy_similarity",
            "rewrite.timeout_s", "publish.test_size", "publish.max_shard_rows"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("section, name, tp", NUMERIC, ids=[f"{s}.{n}" for s, n, _ in NUMERIC])
def test_every_numeric_option_rejects_nonsense_with_its_key(tmp_path, section, name, tp):
    """A huge negative number is nonsense for every numeric option of every curate stage, and so is NaN."""
    cfg = tmp_path / "c.yaml"
    bad = [-10**9] if tp is int else [-1e9, ".nan"]
    for value in bad:
        cfg.write_text(f"{section}:\n  {name}: {value}\n")
        with pytest.raises(UsageError) as e:
            load_config(cfg)
        assert str(e.value).startswith(f"{cfg}: {section}.{name}"), str(e.value)
        # and as a flag: named by the flag
        with pytest.raises(UsageError) as e:
            load_config(None, {section: {name: math.nan if value == ".nan" else value}})
        assert str(e.value).startswith(f"--{name.replace('_', '-')}"), str(e.value)
