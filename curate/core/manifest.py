"""The small JSON manifest every stage writes: effective config, versions, counts, timings. No secrets."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import sys
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

MANIFEST = "manifest.json"

from curate.core.configlib import to_dict

SECRET_ENV_VARS = ("OPENAI_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "ARGILLA_API_KEY")
_PACKAGES = ("empathy-curate", "polars", "pyarrow", "torch", "transformers", "trl", "peft", "datasets", "argilla", "textstat", "datasketch", "sentence-transformers")


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def file_sha256(path: str | os.PathLike) -> str | None:
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def secret_values(extra_env: tuple[str, ...] = ()) -> list[str]:
    vals = [os.environ.get(k, "") for k in (*SECRET_ENV_VARS, *extra_env)]
    return [v for v in vals if len(v) >= 6]


def redact(obj: Any, secrets: list[str] | None = None) -> Any:
    """Replace any secret value from the environment wherever it appears in ``obj``."""
    secrets = secret_values() if secrets is None else secrets
    if isinstance(obj, str):
        for s in secrets:
            obj = obj.replace(s, "***")
        return obj
    if isinstance(obj, dict):
        return {k: redact(v, secrets) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact(v, secrets) for v in obj]
    return obj


def build_manifest(stage: str, config: Any, *, inputs: dict | None = None, counts: dict | None = None,
                   timings: dict | None = None, extra_env: tuple[str, ...] = (), **extra: Any) -> dict:
    manifest = {
        "stage": stage,
        "created_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "config": to_dict(config),
        "inputs": inputs or {},
        "counts": counts or {},
        "timings_s": {k: round(v, 3) for k, v in (timings or {}).items()},
        "versions": versions(),
        **extra,
    }
    return redact(manifest, secret_values(extra_env))


class Timer:
    """Collects wall-clock seconds per named step: ``with timer("generate"): ...``."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0


# ---------------------------------------------------------------- reading manifests


def read_manifest(path: str | os.PathLike) -> dict | None:
    """The JSON object in ``path`` (a manifest, the pipeline state), or None when missing, unreadable or not an
    object."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_beside(path: str | os.PathLike) -> Path:
    """The ``manifest.json`` of a stage folder, or of the folder a table lies in."""
    p = Path(path)
    return (p if p.is_dir() else p.parent) / MANIFEST


def paths_in(obj: Any) -> Iterator[Path]:
    """Every string anywhere in ``obj`` (dicts, lists) that names an existing file or directory."""
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
            yield from paths_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from paths_in(v)


def upstream_manifests(first: str | os.PathLike | None, limit: int = 16) -> dict[str, dict]:
    """``{stage: manifest}`` starting at the manifest file ``first`` and following every path in each manifest's
    ``inputs`` upstream (the nearest manifest of a stage wins; at most ``limit`` manifests are read)."""
    found: dict[str, dict] = {}
    queue = [Path(first)] if first else []
    seen: set[Path] = set()
    while queue and len(seen) < limit:
        try:
            path = queue.pop(0).resolve()
            if path in seen or not path.is_file():
                continue
        except OSError:
            continue
        seen.add(path)
        manifest = read_manifest(path)
        if manifest is None:
            continue
        found.setdefault(str(manifest.get("stage", "unknown")), manifest)
        for p in paths_in(manifest.get("inputs", {})):
            candidate = manifest_beside(p)
            if candidate.exists():
                queue.append(candidate)
    return found
