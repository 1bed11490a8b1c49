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
from curate.core.manifest import file_sha256

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
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def plan(cfg: CurateConfig, progress: bool = True) -> list[Stage]:
    """The stages this config runs, in order, each knowing its input, outputs and how to run."""
    if not cfg.input:
        raise UsageError("config: `input` (the source QA file) is required for `curate run`")
    source = Path(cfg.input)
    if not source.exists():
        raise UsageError(f"input {source}: no such file or directory")
    out = Path(cfg.output_dir)
    rewrite_dir, filter_dir, review_dir = out / "rewrite", out / "filter", out / "review"
    publish_dir = Path(cfg.publish.to_dir) if cfg.publish.to_dir else out / "publish"

    def run_rewrite() -> dict:
        from rewrite.runner import run_rewrite

        return run_rewrite(source, rewrite_dir, cfg.rewrite, progress=progress)

    def run_filter() -> dict:
        from filters import run_filter_stage

        return run_filter_stage(rewrite_dir / "pairs.parquet", filter_dir, cfg.filter)

    def run_review() -> dict:
        return _review_stage(filter_dir / "kept.parquet", review_dir, cfg)

    publish_cfg = type(cfg.publish)(**{**to_dict(cfg.publish), "to_dir": str(publish_dir)})

    def run_publish() -> dict:
        from curate.publish.stage import run_publish

        return run_publish(published_from, publish_cfg)

    stages = [
        Stage("rewrite", rewrite_dir, ("pairs.parquet", "quarantine.parquet", "manifest.json"), source,
              to_dict(cfg.rewrite), run_rewrite),
        Stage("filter", filter_dir, ("kept.parquet", "manifest.json"), rewrite_dir / "pairs.parquet",
              to_dict(cfg.filter), run_filter),
    ]
    published_from = filter_dir
    if cfg.review.dataset:
        stages.append(Stage("review", review_dir, ("reviewed.parquet", "manifest.json"), filter_dir / "kept.parquet",
                            to_dict(cfg.review), run_review, always=True))
        published_from = review_dir
    stages.append(Stage("publish", publish_dir, ("README.md", "manifest.json"),
                        published_from / ("reviewed.parquet" if cfg.review.dataset else "kept.parquet"),
                        to_dict(publish_cfg), run_publish))
    return stages


def _review_stage(kept: Path, review_dir: Path, cfg: CurateConfig) -> dict:
    """Push the kept pairs to Argilla (an upsert: unchanged records stay as they are, annotations are kept), then
    pull the current annotations into ``review_dir``.  The server and key: ``review.api_url`` / ``ARGILLA_API_KEY``."""
    from curate.core.io import read_table
    from curate.review.connection import connect
    from curate.review.pull import pull
    from curate.review.push import push, validate_pairs

    client = connect(cfg.review.api_url, None)
    push(validate_pairs(read_table(kept), str(kept)), client, cfg.review, cfg.review.dataset, cfg.review.workspace)
    return pull(client, cfg, review_dir, data=kept)


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
    upstream = _load_state(path.parent / "manifest.json")
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
