"""The walkthrough notebook executes top to bottom on CPU (nbclient, a real kernel) and shows its plots inline."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_walkthrough_notebook_executes_on_cpu(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("WALKTHROUGH_DIR", str(tmp_path / "walk"))
    if "WALKTHROUGH_ROWS" not in os.environ:
        monkeypatch.setenv("WALKTHROUGH_ROWS", "1")  # questions the built-in model rewrites: the slow step
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # a cell that hangs fails the test (540 s per cell); how long the whole run takes depends on the machine's load,
    # so it is printed, not asserted (about 2-3 minutes on an idle 2-core CPU)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=540, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    print(f"walkthrough notebook: {time.perf_counter() - t0:.0f} s")
    nbformat.write(nb, tmp_path / "walkthrough.executed.ipynb")  # for a look when an assertion fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the filter scatter / drop bars and the DPO curves, inline
    text = "\n".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "steps; loss" in text and "DatasetDict" in text and "| setting | value |" in text
    walk = tmp_path / "walk"
    assert (walk / "dataset" / "README.md").exists() and list((walk / "dataset" / "data").glob("train-*.parquet"))
