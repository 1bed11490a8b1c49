"""`curate filter --engine ray` gives what `--engine local` gives: the same kept and dropped rows (every column:
ids, scores, drop reasons, clusters) and the same counts, on 5,000 pairs with exact and near-duplicate questions
across batches and rows without an id -- on a local Ray started by the CLI, and on an external cluster
(`ray start --head`) through `--ray-address`."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from curate.app.cli import app
from curate.core.clikit import run_app

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                                    reason="ray is not installed (pip install 'empathy-curate[ray]')")]
SAME = ("kept.parquet", "dropped.parquet")


def _make_pairs(n: int) -> pl.DataFrame:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from filter_throughput import make_pairs
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    df = make_pairs(n, seed=7)
    i = pl.int_range(0, df.height)
    # near duplicates a few batches apart (one word added) and rows without an id (the stage makes theirs)
    near = pl.col("question").shift(1500).fill_null(pl.col("question")) + " please"
    return df.with_columns(pl.when(i % 97 == 5).then(near).otherwise(pl.col("question")).alias("question"),
                           pl.when(i % 50 == 3).then(None).otherwise(pl.col("id")).alias("id"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ray") / "pairs.parquet"
    _make_pairs(5000).write_parquet(path, row_group_size=1000)
    return path


@pytest.fixture(scope="module")
def local_out(pairs) -> Path:
    out = pairs.parent / "local"
    assert run_app(app, "curate", ["filter", str(pairs), "-o", str(out), "--no-meaning-check", "--batch-rows", "1000"]) == 0
    return out


def _same(local: Path, ray: Path) -> dict:
    for f in SAME:
        want, got = pl.read_parquet(local / f), pl.read_parquet(ray / f)
        assert_frame_equal(got, want, check_exact=True)
    want, got = (json.loads((d / "manifest.json").read_text()) for d in (local, ray))
    assert got["counts"] == want["counts"]
    assert set(got["timings_s"]) >= {"dedup", "score", "write", "report", "ray_start"}
    assert sorted(p.name for p in ray.iterdir()) == sorted(p.name for p in local.iterdir())
    return got


def test_ray_engine_equals_local_on_a_local_ray(pairs, local_out):
    counts = json.loads((local_out / "manifest.json").read_text())["counts"]
    # the input exercises what must agree: every kind of duplicate, rows without ids, other drops
    assert counts["drops_by_reason"].get("duplicate") and counts["drops_by_reason"].get("near_duplicate")
    assert counts["ids_made"] == 100 and counts["kept"] and len(counts["drops_by_reason"]) > 2
    out = pairs.parent / "ray"
    assert run_app(app, "curate", ["filter", str(pairs), "-o", str(out), "--no-meaning-check", "--batch-rows", "1000",
                                   "--engine", "ray"]) == 0
    m = _same(local_out, out)
    assert m["engine"]["name"] == "ray" and m["engine"]["address"] == "local" and m["engine"]["workers"] >= 1
    assert m["config"]["engine"] == "ray"


def test_ray_engine_on_an_external_cluster_through_ray_address(pairs, local_out, tmp_path, monkeypatch):
    ray_bin = Path(sys.executable).parent / "ray"
    if not ray_bin.exists():
        pytest.skip("no `ray` console script next to this Python")
    # a throwaway cluster of this test only: Ray 2.60's token auth (on by default) is off for it and this driver
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    ray_tmp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # Ray's socket paths must stay under 108 bytes
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with socket.socket() as s:  # a free port for the head's GCS
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    start = subprocess.run([str(ray_bin), "start", "--head", "--num-cpus", "2", "--port", port, "--include-dashboard",
                            "false", "--disable-usage-stats", "--temp-dir", ray_tmp], env=env, capture_output=True,
                           text=True, timeout=180)
    try:
        assert start.returncode == 0, start.stderr[-2000:]
        cfg = tmp_path / "curate.yaml"  # the engine from the YAML this time, the address from the flag
        cfg.write_text("filter:\n  engine: ray\n  meaning_check: false\n  batch_rows: 1000\n")
        out = tmp_path / "ray"
        # in a fresh process: Ray Data keeps per-process state of the cluster it last ran on (a second cluster in
        # the process of the local-Ray test hangs)
        res = subprocess.run([sys.executable, "-m", "curate.app.cli", "filter", str(pairs), "-o", str(out), "--config",
                              str(cfg), "--ray-address", f"127.0.0.1:{port}"], env=env, capture_output=True, text=True,
                             timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        m = _same(local_out, out)
        assert m["engine"]["address"] == f"127.0.0.1:{port}" and m["engine"]["workers"] == 2
    finally:
        subprocess.run([str(ray_bin), "stop", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(ray_tmp, ignore_errors=True)
