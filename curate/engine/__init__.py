"""Engines: where a stage's batches run, kept apart from what the stage does (the datatrove split).

A stage hands an engine a *job* (``filters.FilterRun``): ``fit()`` its global steps on the driver, a pure,
picklable ``score`` per batch, and ``execute(scored batches in input order, out_dir)``, which resolves the global
steps (dedup), writes the outputs through the stage's staging folder and returns the manifest.  An engine only
decides where ``score`` runs:

* ``local`` (``curate.engine.local``): in this process, batch after batch (polars threads) -- ``curate filter``'s
  default and what ``filters.run_filter_stage`` does;
* ``ray`` (``curate.engine.ray_engine``): Ray Data reads the input and maps ``score`` over it with
  ``map_batches`` on a Ray cluster (an existing one at ``ray_address``, or a local one started for the run); the
  driver fits dedup on the question column and resolves / writes the batches as they come back, in order.

Both give the same kept / dropped rows, drop reasons and clusters; the manifest's ``engine`` says which ran.
"""

from __future__ import annotations

from pathlib import Path

from curate.core.errors import UsageError

ENGINES = ("local", "ray")

__all__ = ["ENGINES", "engine_for", "run_filter"]


def engine_for(name: str = "local", address: str | None = None, num_cpus: int | None = None):
    """The engine called ``name`` (``local`` or ``ray``); ``address`` / ``num_cpus``: the Ray cluster to use (the
    local engine ignores them, so ``--engine local`` overrides a YAML's ``engine: ray`` with its address)."""
    if name == "local":
        from curate.engine.local import LocalEngine

        return LocalEngine()
    if name == "ray":
        from curate.engine.ray_engine import RayEngine

        return RayEngine(address=address, num_cpus=num_cpus)
    raise UsageError(f"unknown engine {name!r}; engines: {', '.join(ENGINES)}")


def run_filter(input: str | Path, out_dir: str | Path, cfg=None, progress: bool = False, num_cpus: int | None = None) -> dict:
    """The filter stage on the engine ``cfg.engine`` names (``cfg.ray_address``: its cluster); the manifest."""
    from filters import FilterConfig, FilterRun

    cfg = cfg or FilterConfig()
    engine = engine_for(cfg.engine, cfg.ray_address, num_cpus)
    return engine.run(FilterRun(input, cfg), Path(out_dir), progress=progress)
