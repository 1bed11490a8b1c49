"""The stage contract: what every stage declares and the one signature it runs by.

A stage (``rewrite``, ``filter``, ``review``, ``publish``) is described by a :class:`StageSpec` that its package
exports as ``STAGE``:

* ``reads``: the table it takes (a :class:`Table`: file name and the columns it needs);
* ``writes``: the tables it writes, each with its file name, the columns it always has and its ``role``: the rows
  that go on (``kept``), the rows set aside with a reason (``dropped`` / ``quarantined``), or a side table;
* ``adds``: the columns the stage adds to the rows it passes on (every later stage may read them);
* ``global_step``: True when the stage needs all rows at once (dedup-like steps, review) rather than a batch;
* ``run(input, out_dir, cfg) -> manifest``: the one runner signature (input: a file or an upstream output dir);
* ``batch``: for per-batch stages, the pure function ``DataFrame -> {table name: DataFrame}`` that ``run`` maps over
  the input (no I/O, no global state), so another executor can map it too.

The pipeline, publish's input detection, the gates and the dataset card read these declarations instead of
file-name literals.  Every row a stage was given ends in exactly one of its ``kept`` / ``dropped`` / ``quarantined``
tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import polars as pl

from curate.core.manifest import MANIFEST

Role = Literal["kept", "dropped", "quarantined", "side"]


@dataclass(frozen=True)
class Table:
    """One Parquet table of a stage folder: ``file`` (e.g. ``kept.parquet``), the columns it always has, its role."""

    file: str
    columns: tuple[str, ...] = ()
    role: Role = "kept"
    help: str = ""

    @property
    def name(self) -> str:
        return self.file.removesuffix(".parquet")

    def path(self, out_dir: str | Path) -> Path:
        return Path(out_dir) / self.file


@dataclass(frozen=True)
class StageSpec:
    name: str
    reads: Table
    writes: tuple[Table, ...]
    run: Callable[..., dict]
    adds: tuple[str, ...] = ()
    global_step: bool = False
    batch: Callable[[pl.DataFrame, Any], dict[str, pl.DataFrame]] | None = None
    extra_files: tuple[str, ...] = field(default=(MANIFEST,))

    @property
    def kept(self) -> Table:
        """The table whose rows go on to the next stage."""
        return next(t for t in self.writes if t.role == "kept")

    def set_aside(self) -> tuple[Table, ...]:
        """The tables of rows this stage did not pass on, each row with its reason."""
        return tuple(t for t in self.writes if t.role in ("dropped", "quarantined"))

    def outputs(self) -> tuple[str, ...]:
        """Every file a finished run of this stage leaves in its folder (the manifest last)."""
        return tuple(t.file for t in self.writes) + self.extra_files
