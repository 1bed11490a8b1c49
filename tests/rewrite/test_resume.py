"""kill -9 half-way, rerun: every input id ends exactly once, finished rows are not sent again (counted at the server)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from curate.core.schema import make_id
from tests.rewrite.conftest import example_rows, write_qa
from tests.rewrite.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[2]


def _cmd(src: Path, out: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "curate.app.cli", "rewrite", str(src), "-o", str(out), "--base-url", url,
            "--model", "loopback-llm", "--concurrency", "2"]


def _finished_tags(db: Path) -> set[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {f"{r}/{s}" for r, s in con.execute("SELECT row_id, style FROM outputs")}
    finally:
        con.close()


def test_sigkill_half_way_then_resume(tmp_path):
    rows = example_rows(40)
    src = write_qa(tmp_path / "qa.csv", rows)
    out = tmp_path / "out"
    db = out / ".cache" / "rewrite.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with LLMServer(delay_s=0.05) as server:
        proc = subprocess.Popen(_cmd(src, out, server.url), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 120
        while time.time() < deadline:
            if db.exists():
                try:
                    if len(_finished_tags(db)) >= 30:
                        break
                except sqlite3.OperationalError:
                    pass
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert not (out / "pairs.parquet").exists()  # killed before the end: no final outputs yet
        finished = _finished_tags(db)
        assert 30 <= len(finished) < 80
        n_before = len(server.log)

        done = subprocess.run(_cmd(src, out, server.url), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        resent = [tag for tag, _ in server.log[n_before:] if tag in finished]
    assert resent == []  # finished rows were not sent to the model again
    ids = pl.read_parquet(out / "pairs.parquet")["id"].to_list() + pl.read_parquet(out / "quarantine.parquet")["id"].to_list()
    expected = [make_id(q, a) for q, a in rows]
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)) == 40
    assert "from cache" in done.stdout and f"{len(finished)} from cache" in done.stdout
