"""``curate rewrite``: CLI over ``rewrite.runner.run_rewrite``."""

from __future__ import annotations

from typing import Optional

import typer


def rewrite(
    input: Optional[str] = typer.Argument(None, help="Source QA file or conversations (a messages column): .csv, .tsv, .jsonl, .json, .parquet, or a datasets directory (not with --redo)."),
    output: str = typer.Option(..., "-o", "--output", help="Output directory (pairs.parquet, quarantine.parquet, manifest.json)."),
    model: Optional[str] = typer.Option(None, "--model", help="Hub id, local path, .gguf file or `builtin` (SmolLM2-135M-Instruct, smoke runs; the default)."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1."),
    question_col: Optional[str] = typer.Option(None, "--question-col", help="Question column (default: question)."),
    answer_col: Optional[str] = typer.Option(None, "--answer-col", help="Answer column (default: answer)."),
    conversation_col: Optional[str] = typer.Option(None, "--conversation-col", help="Conversation column (chat turns: OpenAI / TRL messages or ShareGPT conversations; default: messages or conversations when there is no question / answer column)."),
    turns: Optional[str] = typer.Option(None, "--turns", help="Conversations: rewrite the last assistant turn (last, the default) or every one (all), each with the earlier turns in the prompt."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only rewrite the first N valid rows."),
    allow_phi: Optional[bool] = typer.Option(None, "--allow-phi", help="Allow rows with PHI to go to a non-loopback endpoint (= --phi allow)."),
    phi: Optional[str] = typer.Option(None, "--phi", help="Rows with PHI: refuse (default: not to a non-loopback endpoint), allow, or redact (typed placeholders; only redacted text leaves the machine)."),
    config: Optional[str] = typer.Option(None, "--config", "-c", help="YAML config (see `curate config init`); flags override it."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", help="Token budget per generation."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="transformers backend: prompts per batch."),
    concurrency: Optional[int] = typer.Option(None, "--concurrency", help="HTTP backend: requests in flight."),
    timeout_s: Optional[float] = typer.Option(None, "--timeout", help="HTTP backend: seconds to wait for an answer before the request is retried (rewrite.timeout_s; raise it for a slow server)."),
    max_retries: Optional[int] = typer.Option(None, "--max-retries", help="HTTP backend: retries per request (rewrite.max_retries)."),
    styles_dir: Optional[str] = typer.Option(None, "--styles-dir", help="Directory with extra or overriding style specs."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the rows: en or es (Spanish style specs; the pairs carry a `lang` column). A `lang` input column overrides it per row."),
    register: Optional[str] = typer.Option(None, "--register", help="Spanish rows: usted (default) or tu."),
    device: Optional[str] = typer.Option(None, "--device", help="transformers backend: auto, cpu, cuda, cuda:N."),
    redo: Optional[str] = typer.Option(None, "--redo", help="A `curate filter` output dir: regenerate only the failed side(s) of its dropped pairs (no input file)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier output of this tool in OUTPUT (its generation cache is kept, so only what changed is regenerated)."),
) -> None:
    """Rewrite each source answer into a supportive (chosen) and a prescriptive (rejected) variant.

    With --redo FILTER_OUT_DIR: repair the pairs `curate filter` dropped (only their failed side is regenerated).
    """
    from curate.app.config import load_section
    from curate.core.errors import UsageError
    from curate.core.outputs import check_output_dir, replacing
    from rewrite.runner import REDO_WITH_INPUT, http_summary_line, run_rewrite, summary_line

    params = dict(locals())  # the flags, named like the fields of rewrite.config.RewriteConfig
    # every option is checked here, before the output dir, the input or a model is touched
    cfg = load_section(config, "rewrite", params)
    if cfg.redo and input is not None:
        raise UsageError(REDO_WITH_INPUT)
    if not cfg.redo and input is None:
        raise UsageError("rewrite: missing the input file (or --redo FILTER_OUT_DIR)")
    plan = check_output_dir(output, overwrite=overwrite, flag="-o", inputs=[input, cfg.redo])
    with replacing(plan):
        if cfg.redo:
            from rewrite.redo import redo_summary_line, run_redo

            manifest = run_redo(cfg.redo, output, cfg)
            typer.echo(redo_summary_line(manifest, output))
        else:
            manifest = run_rewrite(input, output, cfg)
            typer.echo(summary_line(manifest, output))
    line = http_summary_line(manifest)
    if line:
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command("rewrite")(rewrite)
