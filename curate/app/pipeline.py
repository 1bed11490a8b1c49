"""``curate run CONFIG``: rewrite -> filter -> (review, when ``review.dataset`` is set) -> publish from one YAML.

Each stage writes its folder under ``output_dir`` (``rewrite/``, ``filter/``, ``review/``; the dataset goes to
``publish.to_dir`` or ``output_dir/publish``).  The run is resumable stage by stage: ``output_dir/pipeline.json``
records a fingerprint of each finished stage (its effective config section + the hash of the table it read);
a stage whose outputs and manifest exist with the same fingerprint is skipped, anything downstream of a stage
that re-ran runs again.  The review stage pushes once and pulls on every run (people keep annotating), so a
rerun after more review publishes the new decisions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import typer

from curate.app.config import CurateConfig, load_config
from curate.core.configlib import to_dict
from curate.core.errors import UsageError
from curate.core.io import write_json
from curate.core.manifest import MANIFEST, file_sha256, read_manifest

STATE_FILE = "pipeline.json"


@dataclass
class Stage:
    name: str
    out_dir: Path
    outputs: tuple[str, ...]  # files that must exist for the stage to count as done
    input: Path | None  # the table it reads (hashed into the fingerprint)
    config: dict  # its effective config section
    run: Callable[[], dict]
    always: bool = False  # never skipped (review pull)

    def fingerprint(self) -> str:
        payload = {"config": self.config, "input": str(self.input) if self.input else None,
                   "input_sha256": _input_hash(self.input)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def done(self) -> bool:
        return all((self.out_dir / o).exists() for o in self.outputs)


def _input_hash(path: Path | None) -> str | None:
    if path is None:
        return None
    if path.is_file():
        return file_sha256(path)
    if path.is_dir():  # a datasets directory: hash its files
        h = hashlib.sha256()
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(path)).encode())
                h.update((file_sha256(p) or "").encode())
        return h.hexdigest()
    return None


def _load_state(path: Path) -> dict:
    """A JSON object file (pipeline state, a stage manifest), or {} when missing or unreadable."""
    return read_manifest(path) or {}


def plan(cfg: CurateConfig, progress: bool = True) -> list[Stage]:
    """The stages this config runs, in order, each knowing its input, outputs and how to run."""
    if not cfg.input:
        raise UsageError("config: `input` (the source QA file) is required for `curate run`")
    source = Path(cfg.input)
    if not source.exists():
        raise UsageError(f"input {source}: no such file or directory")
    from curate.publish import STAGE as PUBLISH
    from curate.review import STAGE as REVIEW
    from filters import STAGE as FILTER
    from rewrite import STAGE as REWRITE

    out = Path(cfg.output_dir)
    rewrite_dir, filter_dir, review_dir = out / "rewrite", out / "filter", out / "review"
    publish_dir = Path(cfg.publish.to_dir) if cfg.publish.to_dir else out / "publish"
    publish_cfg = type(cfg.publish)(**{**to_dict(cfg.publish), "to_dir": str(publish_dir)})

    def step(spec, out_dir: Path, input: Path, config, section, always: bool = False, reads: Path | None = None,
             run=None, **options) -> Stage:
        """``input``: the table hashed into the fingerprint; ``reads``: what the stage is given (default ``input``);
        ``run``: the runner (default ``spec.run``; the filter stage's engine, ``curate.engine``, when it is not local)."""
        given = reads or input
        runner = run or spec.run
        return Stage(spec.name, out_dir, spec.outputs(), input, to_dict(section),
                     lambda: runner(given, out_dir, config, **options), always)

    stages = [step(REWRITE, rewrite_dir, source, cfg.rewrite, cfg.rewrite, progress=progress)]
    from curate.engine import run_filter

    filter_run = run_filter if cfg.filter.engine != "local" else None  # filter.engine: ray -> curate.engine
    stages.append(step(FILTER, filter_dir, REWRITE.kept.path(rewrite_dir), cfg.filter, cfg.filter, run=filter_run))
    published_from, last = filter_dir, FILTER
    if cfg.review.dataset:
        # review pushes once and pulls on every run (never skipped); it takes the whole config (filter re-scores)
        stages.append(step(REVIEW, review_dir, FILTER.kept.path(filter_dir), cfg, cfg.review, always=True))
        published_from, last = review_dir, REVIEW
    stages.append(step(PUBLISH, publish_dir, last.kept.path(published_from), publish_cfg, publish_cfg,
                       reads=published_from))
    return stages


def run_pipeline(cfg: CurateConfig, *, force: tuple[str, ...] = (), progress: bool = True,
                 echo: Callable[[str], None] = print, overwrite: bool = False,
                 output_flag: str = "output_dir") -> dict:
    """Run (or resume) every stage; returns ``{stage: "ran" | "skipped"}`` and writes ``pipeline.json``.

    ``output_dir`` (and ``publish.to_dir`` when it lies outside it) follow the rule of :mod:`curate.core.outputs`, checked
    before any stage runs: an earlier ``curate run`` there is resumed; an earlier output of another command is
    replaced only with ``overwrite``; a file, an unwritable place or a folder of the user's own files is refused."""
    from contextlib import ExitStack

    from curate.core.outputs import check_output_dir, is_inside, replacing

    stages = plan(cfg, progress=progress)
    unknown = set(force) - {s.name for s in stages} - {"all"}
    if unknown:
        raise UsageError(f"--force: unknown stage {sorted(unknown)[0]!r}; stages: {', '.join(s.name for s in stages)}")
    out = Path(cfg.output_dir)
    plans = [check_output_dir(out, overwrite=overwrite, flag=output_flag, inputs=[cfg.input], resume="run")]
    publish_dir = stages[-1].out_dir
    if not is_inside(publish_dir, out):
        plans.append(check_output_dir(publish_dir, overwrite=overwrite, flag="publish.to_dir",
                                      inputs=[cfg.input, *(s.out_dir for s in stages[:-1])], resume="publish"))
    with ExitStack() as stack:
        for p in plans:
            stack.enter_context(replacing(p))
        return _run_stages(stages, out, force, echo)


def _run_stages(stages: list[Stage], out: Path, force: tuple[str, ...], echo: Callable[[str], None]) -> dict:
    state_path = out / STATE_FILE
    state = _load_state(state_path)
    if not state_path.exists():  # written first: a run that stops in its first stage is resumed as this run's output
        out.mkdir(parents=True, exist_ok=True)
        write_json(state, state_path)
    result: dict[str, str] = {}
    upstream_ran = False
    for stage in stages:
        fp = stage.fingerprint()  # computed before running: the input table exists by now
        recorded = state.get(stage.name, {}).get("fingerprint")
        if (not upstream_ran and not stage.always and stage.name not in force and "all" not in force
                and recorded == fp and stage.done()):
            result[stage.name] = "skipped"
            echo(f"{stage.name}: up to date in {stage.out_dir} (skipped)")
            continue
        _check_not_empty(stage)
        manifest = stage.run()
        counts = manifest.get("counts", {}) if isinstance(manifest, dict) else {}
        echo(f"{stage.name}: done -> {stage.out_dir} {json.dumps(_headline(counts))}")
        result[stage.name] = "ran"
        # review re-runs on every call; downstream only re-runs if what it reads changed (its fingerprint)
        upstream_ran = upstream_ran or not stage.always
        state[stage.name] = {"fingerprint": fp, "out_dir": str(stage.out_dir)}
        out.mkdir(parents=True, exist_ok=True)
        write_json(state, state_path)
    return result


def _check_not_empty(stage: Stage) -> None:
    """A stage whose input table has no rows stops the run with the upstream stage's reasons, not a bare "no rows"."""
    path = stage.input
    if path is None or path.suffix != ".parquet" or not path.is_file():
        return
    import polars as pl

    if pl.scan_parquet(path).select(pl.len()).collect().item() > 0:
        return
    upstream = _load_state(path.parent / MANIFEST)
    counts = upstream.get("counts", {})
    why = counts.get("quarantine_by_reason") or counts.get("drops_by_reason") or {}
    detail = f" ({', '.join(f'{k}: {v}' for k, v in why.items())})" if why else ""
    raise UsageError(f"nothing for {stage.name}: {path} has no rows; the {upstream.get('stage', 'previous')} stage "
                     f"set every row aside{detail}; see {path.parent}")


def _headline(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def run(
    config: Path = typer.Argument(..., help="The pipeline YAML (`curate config init` writes one with every default)"),
    output_dir: str = typer.Option(None, "--output-dir", help="Override `output_dir` of the config"),
    force: list[str] = typer.Option([], "--force", help="Re-run this stage even if it is up to date (repeatable; 'all' = every stage)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier output of another curate command in output_dir (an earlier `curate run` there is resumed; --force all redoes it)"),
) -> None:
    """Run the whole pipeline from one YAML: rewrite -> filter -> (review) -> publish; resumable stage by stage."""
    if not config.exists():
        raise UsageError(f"{config}: config file not found")
    cfg = load_config(config, {"output_dir": output_dir} if output_dir else None)
    result = run_pipeline(cfg, force=tuple(force), echo=typer.echo, overwrite=overwrite,
                          output_flag="--output-dir" if output_dir else "output_dir")
    typer.echo("pipeline: " + ", ".join(f"{k} {v}" for k, v in result.items()))


def register(app: typer.Typer) -> None:
    app.command("run")(run)
