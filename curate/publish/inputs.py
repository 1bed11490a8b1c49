"""Reading what ``curate publish`` is given, and the manifests of the stages that made it.

DATA is a ``curate filter`` output dir (``kept.parquet`` + ``manifest.json``), a ``curate review pull`` output dir
(``reviewed.parquet`` + ``manifest.json``), or a table file (a ``manifest.json`` next to it is used when present).
The manifests of earlier stages are found by following each manifest's ``inputs`` paths upstream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from curate.core import schema as S
from curate.core.errors import UsageError
from curate.core.io import read_table
from curate.core.manifest import MANIFEST, file_sha256, read_manifest, upstream_manifests
from curate.publish.tables import UPSTREAM

# {table file: stage}, nearest stage first, from the stages' declarations (``STAGE.kept``)
STAGE_TABLES = UPSTREAM
# the filter stage's decision columns: a table that has both went through `curate filter` (an export of kept.parquet)
FILTER_COLUMNS = S.FILTER_COLUMNS


@dataclass
class PublishInput:
    df: pl.DataFrame
    path: Path  # the table actually read
    origin: str  # "review", "filter", "rewrite" or "table"
    manifests: dict[str, dict] = field(default_factory=dict)  # stage -> manifest, this one and upstream
    own_stage: str | None = None  # the stage whose manifest.json beside the table wrote it

    @property
    def from_review(self) -> bool:
        return self.origin == "review" or S.REVIEW_STATUS in self.df.columns

    @property
    def filtered(self) -> bool:
        """Did `curate filter` decide about these rows?  Its manifest wrote the table (or is upstream of the review
        manifest that did), or the table carries the filter's keep / drop_reasons columns.  A manifest that merely
        sits beside a table it did not write is no evidence, nor is a ``filter_manifest`` named in the config (it
        feeds the card, it does not filter anything)."""
        return (self.own_stage == "filter" or (self.own_stage == "review" and "filter" in self.manifests)
                or all(c in self.df.columns for c in FILTER_COLUMNS))

    @property
    def reviewed_by_pull(self) -> bool:
        return self.own_stage == "review"

    @property
    def describe(self) -> str:
        """What the table is, for the card and the refusal: "a `curate rewrite` output", "a table file"."""
        return {"rewrite": "a `curate rewrite` output (pairs.parquet)", "filter": "a `curate filter` output",
                "review": "a `curate review pull` output"}.get(self.own_stage or "", "a table file")


def collect_manifests(first: Path | None, base: Path | None = None) -> dict[str, dict]:
    """``{stage: manifest}`` starting at ``first`` and walking ``inputs`` upstream (nearest stage wins)."""
    return upstream_manifests(first)


def load_input(data: str | Path, filter_manifest: str | Path | None = None) -> PublishInput:
    data = Path(data)
    if not data.exists():
        raise UsageError(f"{data}: no such file or directory")
    if data.is_dir():
        table = next((data / name for name in STAGE_TABLES if (data / name).exists()), None)
        if table is None:
            raise UsageError(
                f"{data}: not a stage output dir (no {', '.join(STAGE_TABLES)}); pass a `curate filter` or "
                "`curate review pull` output dir, or a table file"
            )
        origin = STAGE_TABLES[table.name]
    else:
        table = data
        origin = STAGE_TABLES.get(data.name, "table")
    df = read_table(table)
    manifest_path = table.parent / MANIFEST
    manifests = collect_manifests(manifest_path if manifest_path.exists() else None)
    own_stage = None
    own = next(iter(manifests.values()), None)  # collect_manifests read the manifest beside the table first
    if own is not None and str(own.get(S.STAGE)) in STAGE_TABLES.values():
        stage = str(own[S.STAGE])
        # the manifest beside the table counts only if it wrote this very file (a stage table of its own stage,
        # or a file its outputs name)
        if STAGE_TABLES.get(table.name) == stage or (table.name not in STAGE_TABLES and _manifest_names(own, table)):
            own_stage = stage
    if origin == "table" and own_stage is not None:
        origin = own_stage
    if filter_manifest is not None:
        fm = Path(filter_manifest)
        m = read_manifest(fm) if fm.is_file() else None
        if m is None:
            raise UsageError(f"{fm}: not a readable {MANIFEST}")
        manifests["filter"] = m
        for stage, up in collect_manifests(fm).items():
            manifests.setdefault(stage, up)
    return PublishInput(df=df, path=table, origin=origin, manifests=manifests, own_stage=own_stage)


def _manifest_names(manifest: dict, table: Path) -> bool:
    outputs = json.dumps(manifest.get("outputs", manifest.get("files", {})), default=str)
    return table.name in outputs


def input_fingerprint(path: Path) -> str | None:
    return file_sha256(path)
