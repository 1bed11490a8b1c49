"""No behaviour change without a golden-file diff: the pipeline's decisions (kept / dropped ids, reasons, the
published rows) on fixed inputs equal tests/golden/pipeline.json (how it is made and regenerated:
tests/golden/make_golden.py)."""

from __future__ import annotations

import json

from tests.golden.make_golden import GOLDEN, compute


def test_decisions_and_published_rows_match_the_golden_file(tmp_path):
    want = json.loads(GOLDEN.read_text("utf-8"))
    got = json.loads(json.dumps(compute(tmp_path), sort_keys=True, ensure_ascii=False, default=str))
    for section in want:
        assert got[section] == want[section], f"{section} differs from {GOLDEN.name} (regenerate it only for an intended change)"
    assert set(got) == set(want)
