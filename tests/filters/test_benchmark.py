import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_runs_tiny_and_prints_json_lines(tmp_path):
    r = subprocess.run([sys.executable, "benchmarks/filter_throughput.py", "--n", "400", "--baseline-n", "3",
                        "--stream-n", "600", "--batch-rows", "250"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    by = {l["measurement"]: l for l in lines}
    assert by["lexical_suite"]["pairs"] == 400 and by["lexical_suite"]["pairs_per_s"] > 0
    assert by["naive_loop_baseline"]["pairs"] == 3 and by["speedup"]["lexical_vs_naive"] > 1
    s = by["streaming"]
    assert s["pairs"] == 600 and s["kept"] + s["dropped"] == 600 and s["peak_rss_gib"] < 2
