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

from curate.errors import UsageError
from curate.io import read_table
from curate.manifest import file_sha256

STAGE_TABLES = {"reviewed.parquet": "review", "kept.parquet": "filter", "pairs.parquet": "rewrite"}


@dataclass
class PublishInput:
    df: pl.DataFrame
    path: Path  # the table actually read
    origin: str  # "review", "filter", "rewrite" or "table"
    manifests: dict[str, dict] = field(default_factory=dict)  # stage -> manifest, this one and upstream

    @property
    def from_review(self) -> bool:
        return self.origin == "review" or "review_status" in self.df.columns


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
    if origin == "table" and manifests:
        # a bare table next to a manifest: trust the manifest's stage only if it wrote this very file
        own = next(iter(manifests.values()))
        if str(own.get("stage")) in ("filter", "review", "rewrite") and _manifest_names(own, table):
            origin = str(own["stage"])
    if filter_manifest is not None:
        fm = Path(filter_manifest)
        m = _read_manifest(fm) if fm.is_file() else None
        if m is None:
            raise UsageError(f"{fm}: not a readable manifest.json")
        manifests["filter"] = m
        for stage, up in collect_manifests(fm).items():
            manifests.setdefault(stage, up)
    return PublishInput(df=df, path=table, origin=origin, manifests=manifests)


def _manifest_names(manifest: dict, table: Path) -> bool:
    outputs = json.dumps(manifest.get("outputs", manifest.get("files", {})), default=str)
    return table.name in outputs or table.name in STAGE_TABLES


def input_fingerprint(path: Path) -> str | None:
    return file_sha256(path)
