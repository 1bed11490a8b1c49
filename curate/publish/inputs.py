"""Reading what ``curate publish`` is given, and the manifests of the stages that made it.

DATA is a ``curate filter`` output dir (``kept.parquet`` + ``manifest.json``), a ``curate review pull`` output dir
(``reviewed.parquet`` + ``manifest.json``), or a table file (a ``manifest.json`` next to it is used when present).
The manifests of earlier stages are found by following each manifest's ``inputs`` paths upstream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import polars as pl

from curate.core.errors import UsageError
from curate.core.io import read_table
from curate.core.manifest import file_sha256

STAGE_TABLES = {"reviewed.parquet": "review", "kept.parquet": "filter", "pairs.parquet": "rewrite"}
# the filter stage's decision columns: a table that has both went through `curate filter` (an export of kept.parquet)
FILTER_COLUMNS = ("keep", "drop_reasons")


@dataclass
class PublishInput:
    df: pl.DataFrame
    path: Path  # the table actually read
    origin: str  # "review", "filter", "rewrite" or "table"
    manifests: dict[str, dict] = field(default_factory=dict)  # stage -> manifest, this one and upstream
    own_stage: str | None = None  # the stage whose manifest.json beside the table wrote it

    @property
    def from_review(self) -> bool:
        return self.origin == "review" or "review_status" in self.df.columns

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


def _read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _paths_in(obj: Any) -> Iterator[Path]:
    """Every string in a manifest's ``inputs`` that names an existing file or directory."""
    if isinstance(obj, str):
        if len(obj) < 4096 and obj.strip():
            p = Path(obj)
            try:
                if p.exists():
                    yield p
            except OSError:
                return
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _paths_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _paths_in(v)


def collect_manifests(first: Path | None, base: Path | None = None) -> dict[str, dict]:
    """``{stage: manifest}`` starting at ``first`` and walking ``inputs`` upstream (nearest stage wins)."""
    found: dict[str, dict] = {}
    queue = [first] if first else []
    seen: set[Path] = set()
    while queue and len(seen) < 16:
        path = queue.pop(0).resolve()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        manifest = _read_manifest(path)
        if manifest is None:
            continue
        stage = str(manifest.get("stage", "unknown"))
        found.setdefault(stage, manifest)
        for p in _paths_in(manifest.get("inputs", {})):
            candidate = (p if p.is_dir() else p.parent) / "manifest.json"
            if candidate.exists():
                queue.append(candidate)
    return found


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
    manifest_path = table.parent / "manifest.json"
    manifests = collect_manifests(manifest_path if manifest_path.exists() else None)
    own_stage = None
    own = next(iter(manifests.values()), None)  # collect_manifests read the manifest beside the table first
    if own is not None and str(own.get("stage")) in ("filter", "review", "rewrite"):
        stage = str(own["stage"])
        # the manifest beside the table counts only if it wrote this very file (a stage table of its own stage,
        # or a file its outputs name)
        if STAGE_TABLES.get(table.name) == stage or (table.name not in STAGE_TABLES and _manifest_names(own, table)):
            own_stage = stage
    if origin == "table" and own_stage is not None:
        origin = own_stage
    if filter_manifest is not None:
        fm = Path(filter_manifest)
        m = _read_manifest(fm) if fm.is_file() else None
        if m is None:
            raise UsageError(f"{fm}: not a readable manifest.json")
        manifests["filter"] = m
        for stage, up in collect_manifests(fm).items():
            manifests.setdefault(stage, up)
    return PublishInput(df=df, path=table, origin=origin, manifests=manifests, own_stage=own_stage)


def _manifest_names(manifest: dict, table: Path) -> bool:
    outputs = json.dumps(manifest.get("outputs", manifest.get("files", {})), default=str)
    return table.name in outputs


def input_fingerprint(path: Path) -> str | None:
    return file_sha256(path)
