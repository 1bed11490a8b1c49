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


@pytest.mark.slow
def test_benchmark_meaning_check_and_per_row_baseline_lines():
    r = subprocess.run([sys.executable, "benchmarks/filter_throughput.py", "--n", "200", "--baseline-n", "2",
                        "--readability-repeats", "0", "--fair-baseline-n", "40", "--embed-n", "30",
                        "--embed-baseline-n", "10"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, r.stderr
    by = {l["measurement"]: l for l in (json.loads(x) for x in r.stdout.splitlines() if x.startswith("{"))}
    fair = by["per_row_python_baseline"]
    assert fair["pairs"] == 40 and fair["pairs_per_s"] > 0 and fair["keep_agreement_with_lexical_suite"] >= 0.9
    assert by["speedup_vs_per_row_python"]["lexical_vs_per_row"] > 1
    base, full, new = by["meaning_check_baseline"], by["meaning_check_full_precision"], by["meaning_check_embeddings"]
    assert base["pairs"] == 10 and full["pairs"] == new["pairs"] == 30
    assert full["max_abs_sim_diff_vs_baseline"] < 1e-5  # the reference is the old model's output
    assert new["pairs_per_s"] > 0 and new["decision_agreement"] == 1.0 and new["max_abs_sim_diff"] < new["band"]
    assert 0 <= new["rechecked_share"] <= 1 and new["distinct_texts"] == 90
