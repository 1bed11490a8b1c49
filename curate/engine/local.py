"""The local engine: a stage job's batches read, scored and resolved in this process, one after another."""

from __future__ import annotations

from pathlib import Path


class LocalEngine:
    name = "local"

    def run(self, job, out_dir: Path, progress: bool = False) -> dict:
        return job.run(Path(out_dir), progress=progress)
