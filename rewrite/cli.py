"""``curate rewrite``: CLI over ``rewrite.runner.run_rewrite``."""

from __future__ import annotations

from typing import Optional

import typer


def rewrite(
    input: str = typer.Argument(..., help="Source QA file: .csv, .tsv, .jsonl, .json, .parquet, or a datasets directory."),
    output: str = typer.Option(..., "-o", "--output", help="Output directory (pairs.parquet, quarantine.parquet, manifest.json)."),
    model: Optional[str] = typer.Option(None, "--model", help="Hub id, local path or .gguf file; default: built-in SmolLM2-135M (smoke runs)."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1."),
    question_col: Optional[str] = typer.Option(None, "--question-col", help="Question column (default: question)."),
    answer_col: Optional[str] = typer.Option(None, "--answer-col", help="Answer column (default: answer)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only rewrite the first N valid rows."),
    allow_phi: Optional[bool] = typer.Option(None, "--allow-phi", help="Allow rows with PHI to go to a non-loopback endpoint."),
    config: Optional[str] = typer.Option(None, "--config", "-c", help="YAML config (see `curate config init`); flags override it."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", help="Token budget per generation."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="transformers backend: prompts per batch."),
    concurrency: Optional[int] = typer.Option(None, "--concurrency", help="HTTP backend: requests in flight."),
    styles_dir: Optional[str] = typer.Option(None, "--styles-dir", help="Directory with extra or overriding style specs."),
    device: Optional[str] = typer.Option(None, "--device", help="transformers backend: auto, cpu, cuda, cuda:N."),
) -> None:
    """Rewrite each source answer into a supportive (chosen) and a prescriptive (rejected) variant."""
    from curate.config import load_config
    from rewrite.runner import run_rewrite, summary_line

    overrides = dict(model=model, base_url=base_url, question_col=question_col, answer_col=answer_col, limit=limit,
                     allow_phi=allow_phi, max_new_tokens=max_new_tokens, batch_size=batch_size, concurrency=concurrency,
                     styles_dir=styles_dir, device=device)
    cfg = load_config(config, {"rewrite": overrides}).rewrite
    manifest = run_rewrite(input, output, cfg)
    typer.echo(summary_line(manifest, output))


def register(app: typer.Typer) -> None:
    app.command("rewrite")(rewrite)
