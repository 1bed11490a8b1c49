"""benchmarks/rewrite_throughput.py still runs (tiny model on CPU) and prints one JSON line per measurement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rewrite_throughput_benchmark_runs_tiny():
    r = subprocess.run([sys.executable, "benchmarks/rewrite_throughput.py", "--prompts", "4", "--prompt-len", "16",
                        "--new-tokens", "4", "--batch", "2", "--per-row-sample", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    assert [l["measurement"] for l in lines] == ["per_row", "generate_batch2", "backend"]
    assert all(l["tokens_per_s"] > 0 for l in lines) and lines[-1]["x_per_row"] > 0
