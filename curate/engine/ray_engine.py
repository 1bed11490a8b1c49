"""The Ray engine: Ray Data reads the input and maps the stage's own per-batch function over it.

What runs where:

* Ray workers: reading the input (``ray.data.read_parquet``; other formats are read on the driver and handed to
  Ray as Arrow) and the job's ``score`` -- for the filter stage every batch filter of ``filters.filter_frame``
  (text check, PHI, readability, tone, hostility, facts, the meaning check) -- in ``map_batches`` of
  ``batch_rows`` rows.  The function is the job's own; there is no second implementation of a filter.
* the driver: the global steps' fit on the columns they need (dedup: MinHash clusters of the question column,
  ``GlobalFilter.fit``), then each scored batch as it comes back *in input order* (Ray Data's
  ``preserve_order``): the dedup pass (one integer per row), ``keep``, the kept / dropped Parquet writers in the
  stage's staging folder, counts, report and manifest -- the same code as the local engine, so the outputs are
  the same.

``address``: an existing cluster (``ray://head:10001``, ``auto``, ``HOST:PORT``); none = a local Ray started
for the run (``num_cpus``: default all) and shut down after it.  A Ray already initialized in this process is
used as it is.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from curate.core.errors import RuntimeFailure, UsageError


def import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:
        raise UsageError(f"engine ray needs Ray Data: pip install 'empathy-curate[ray]' ({e})") from None
    return ray


def score_arrow(table, score):
    """One Ray Data batch (Arrow) through the job's ``score`` (polars), back to Arrow."""
    return score(pl.from_arrow(table)).to_arrow()


class RayEngine:
    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None):
        self.address, self.num_cpus = address, num_cpus

    def _init(self, ray) -> bool:
        """Connect (or start a local Ray); True when this call started it, so the run shuts it down."""
        if ray.is_initialized():
            return False
        kw = dict(include_dashboard=False, log_to_driver=False, logging_level="warning")
        try:
            if self.address:
                ray.init(address=self.address, **kw)
            else:
                ray.init(num_cpus=self.num_cpus, **kw)
        except ConnectionError as e:
            raise UsageError(f"ray_address {self.address}: cannot connect ({str(e).splitlines()[0]})") from None
        except Exception as e:  # pragma: no cover - environment-specific start-up failures
            raise RuntimeFailure(f"ray: cannot start ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
        return True

    def run(self, job, out_dir: Path, progress: bool = False) -> dict:
        ray = import_ray()
        t0 = time.perf_counter()
        started = self._init(ray)
        start_s = time.perf_counter() - t0
        try:
            ctx = ray.data.DataContext.get_current()
            ctx.execution_options.preserve_order = True  # execute resolves dedup in input order
            ctx.enable_progress_bars = False
            if job.is_parquet:
                ds = ray.data.read_parquet(str(job.path))
            else:
                ds = ray.data.from_arrow(job.frame().to_arrow())
            scored = ds.map_batches(score_arrow, fn_kwargs={"score": job.score}, batch_size=job.cfg.batch_rows,
                                    batch_format="pyarrow")
            job.fit()  # dedup on the driver: the question column (and ids) of every row
            batches = (pl.from_arrow(b) for b in scored.iter_batches(batch_size=None, batch_format="pyarrow")
                       if b.num_rows)
            resources = ray.cluster_resources()
            info = {"name": "ray", "ray": ray.__version__, "address": self.address or "local",
                    "workers": int(resources.get("CPU", 0)), "nodes": len([n for n in ray.nodes() if n.get("Alive")]),
                    "batch_rows": job.cfg.batch_rows, "dedup": "fitted on the driver"}
            return job.execute(batches, Path(out_dir), progress=progress, engine=info, timings={"ray_start": start_s})
        finally:
            if started:
                ray.shutdown()
