"""The small JSON manifest every stage writes: effective config, versions, counts, timings. No secrets."""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import platform
import sys
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

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
