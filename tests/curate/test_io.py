from __future__ import annotations

import polars as pl
import pytest

from curate.core.io import staged_output_dir, write_table
from curate.core.schema import make_id


def test_ids_are_stable_and_normalized():
    assert make_id("What is X?", "Take 5 mg.") == make_id("  what is   x? ", "take 5 MG.")
    assert make_id("What is X?", "Take 5 mg.") != make_id("What is X?", "Take 10 mg.")
    assert len(make_id("a", "b")) == 16


def test_staged_output_dir_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with staged_output_dir(out) as stage:
            write_table(pl.DataFrame({"a": [1]}), stage / "kept.parquet")
            raise RuntimeError("boom")
    assert not out.exists()
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    with pytest.raises(RuntimeError):
        with staged_output_dir(out) as stage:
            write_table(pl.DataFrame({"a": [1]}), stage / "kept.parquet")
            raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    with staged_output_dir(out) as stage:
        write_table(pl.DataFrame({"a": [1], "l": [["x", "y"]]}), stage / "kept.csv")
    assert (out / "kept.csv").read_text().splitlines() == ["a,l", "1,x; y"]


def test_outputs_get_the_umask_mode_not_tempfiles_0600(tmp_path):
    import os
    import stat

    from curate.core.io import write_json
    from curate.core.plots import figure, save_png

    mask = os.umask(0o022)
    os.umask(mask)
    with staged_output_dir(tmp_path / "out") as stage:
        write_table(pl.DataFrame({"a": [1]}), stage / "t.parquet")
        write_json({"x": 1}, stage / "manifest.json")
        fig, ax = figure()
        ax.plot([0, 1], [0, 1])
        save_png(fig, stage / "p.png")
    for name in ("t.parquet", "manifest.json", "p.png"):
        mode = stat.S_IMODE((tmp_path / "out" / name).stat().st_mode)
        assert mode == 0o666 & ~mask, (name, oct(mode))
