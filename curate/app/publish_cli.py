"""``curate publish DATA (--to-dir DIR | --repo-id ORG/NAME)``: a Hugging Face dataset with a card."""

from __future__ import annotations

from pathlib import Path

import typer

from curate.core.errors import UsageError


def publish(
    data: Path = typer.Argument(..., help="A `curate filter` output dir (kept.parquet), a `curate review pull` output dir (reviewed.parquet), or a table file"),
    to_dir: Path = typer.Option(None, "--to-dir", help="Write the dataset here (data/*.parquet + README.md + manifest.json); an earlier publish there is replaced"),
    repo_id: str = typer.Option(None, "--repo-id", help="Push to this Hub dataset repo (ORG/NAME) with HF_TOKEN from the environment"),
    private: bool = typer.Option(None, "--private", help="Create the Hub repo as private", show_default=False),
    test_size: float = typer.Option(None, "--test-size", help="Fraction of rows in the test split (grouped by near-duplicate cluster); 0 = train only (default 0.2)", show_default=False),
    license: str = typer.Option(None, "--license", help="License id in the card metadata, e.g. cc-by-4.0 (default: unknown)", show_default=False),
    allow_unreviewed: bool = typer.Option(None, "--allow-unreviewed", help="Publish rows still pending review (the card says how many)", show_default=False),
    allow_unfiltered: bool = typer.Option(None, "--allow-unfiltered", help="Publish DATA that did not come from `curate filter` or `curate review pull` (the card says the pairs were NOT filtered)", show_default=False),
    config: Path = typer.Option(None, "--config", help="YAML config; its `publish:` section is the base, flags override it"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier output of this tool in --to-dir (never a folder of your own files)"),
) -> None:
    """Publish reviewed / filtered pairs as a DPO-ready dataset: train/test split, dataset card, gates.

    An existing --to-dir must be empty, or an earlier output of this tool with --overwrite.
    Refuses (exit 2, writes nothing) data that never went through `curate filter` or `curate review pull` unless
    --allow-unfiltered, rows flagged for PHI, rows the filters dropped, rows discarded in review, and rows still
    pending review unless --allow-unreviewed.
    """
    params = dict(locals())  # the flags, named like the fields of curate.publish.config.PublishConfig
    from curate.app.config import load_section
    from curate.publish.stage import run_publish

    if to_dir is not None and repo_id is not None:
        raise UsageError("give either --to-dir or --repo-id, not both")
    cfg = load_section(config, "publish", params)
    if to_dir is None and repo_id is None and config is None:
        raise UsageError("give --to-dir DIR or --repo-id ORG/NAME")
    if to_dir is not None:
        cfg.repo_id = None
    elif repo_id is not None:
        cfg.to_dir = None
    from curate.core.outputs import OutputPlan, check_output_dir, replacing

    plan = OutputPlan(Path("."), "", "new")  # pushing to the Hub only: no local folder
    if cfg.to_dir:
        if not Path(data).exists():
            raise UsageError(f"{data}: no such file or directory")
        plan = check_output_dir(cfg.to_dir, overwrite=overwrite, flag="--to-dir" if to_dir is not None else "publish.to_dir",
                                inputs=[data], keep=())
    with replacing(plan):
        manifest = run_publish(data, cfg)
    c = manifest["counts"]
    where = [f"{cfg.to_dir}" if cfg.to_dir else None, manifest.get("hub", {}).get("commit_url")]
    typer.echo(f"published {c['train']} train + {c['test']} test rows to {' and '.join(w for w in where if w)}")


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
