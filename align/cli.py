"""The ``align`` console script: DPO training and evaluation. Owned by issue 6.

``align dpo`` runs under ``accelerate launch`` unchanged (DDP / FSDP2 / DeepSpeed ZeRO-3 configs in
``align/accelerate/``)::

    accelerate launch --config_file align/accelerate/ddp.yaml -m align.cli dpo --data DIR --model ID -o OUT
    torchrun --nproc_per_node 2 -m align.cli dpo ...        # CPU (gloo), as in tests/align/test_distributed.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from curate.clikit import DebugOption, run_app, set_debug

app = typer.Typer(name="align", help="Train (DPO) and evaluate a model on a curated preference dataset.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)  # plain click help: wraps in narrow terminals instead of cutting words


@app.callback()
def _root(debug: bool = DebugOption) -> None:
    set_debug(debug)


def _load(config: Optional[Path], section: str, overrides: dict):
    """Defaults <- YAML (`align.<section>`) <- CLI flags that were given; validated by the dataclass."""
    from align.config import AlignConfig
    from curate.config import load_config
    from curate.configlib import from_dict, to_dict

    data = to_dict(load_config(config).align)
    data[section].update({k: v for k, v in overrides.items() if v is not None})
    return getattr(from_dict(AlignConfig, data, "config.align"), section)


@app.command()
def dpo(
    data: Optional[str] = typer.Option(None, "--data", help="Published dataset dir, parquet/jsonl file, or hub id (TRL conversational preference format)."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: hub id, local dir, or .gguf file."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output dir (adapter/model in OUT/final, checkpoints, metrics, manifest)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML config; its `align.dpo` section is used (CLI flags override)."),
    method: Optional[str] = typer.Option(None, "--method", help="lora (default) | qlora | full."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Stop after N optimizer steps."),
    fast: Optional[bool] = typer.Option(None, "--fast/--no-fast", help="Use the fast path (packed shared-prompt forward)."),
    merge: Optional[bool] = typer.Option(None, "--merge/--no-merge", help="Also save the merged model in OUT/merged."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the latest checkpoint in OUT/checkpoints."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Delete a non-empty OUT and start over."),
) -> None:
    """Train with TRL's DPOTrainer (LoRA by default) on a preference dataset."""
    from rich.console import Console

    from align.trainer import run_dpo

    cfg = _load(config, "dpo", {"data": data, "model": model, "output_dir": str(output) if output else None,
                                "method": method, "max_steps": max_steps, "fast": fast, "merge": merge})
    manifest = run_dpo(cfg, resume=resume, overwrite=overwrite)
    m = manifest.get("train_metrics", {})
    if os.environ.get("RANK", "0") != "0":
        return
    Console(stderr=True).print(
        f"trained {manifest['counts']['steps']} steps on {manifest['counts']['train_pairs']} pairs "
        f"(train_loss {m.get('train_loss', float('nan')):.4f}) -> {cfg.output_dir}/final", markup=False)


@app.command("eval")
def eval_cmd(
    model: Path = typer.Option(..., "--model", help="The aligned model: `align dpo`'s OUT (or OUT/final, or OUT/merged)."),
    questions: Optional[str] = typer.Option(None, "--questions", help="Held-out questions: csv/jsonl/parquet/datasets dir (question column, optional reference answer)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output dir: eval.md, eval.json, eval.png, answers.parquet."),
    base: Optional[str] = typer.Option(None, "--base", help="Base model id/path (default: the base recorded in the training manifest)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Evaluate the first N questions."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML config; its `align.eval` section is used."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", help="Tokens generated per answer."),
) -> None:
    """Answer held-out questions with the base and the aligned model; score both with the product's filters."""
    from rich.console import Console

    from align.evaluate import run_eval

    cfg = _load(config, "eval", {"questions": questions, "base": base, "limit": limit, "max_new_tokens": max_new_tokens})
    result = run_eval(cfg, model_dir=model, out_dir=output)
    Console(stderr=True).print(result["table_markdown"], markup=False)


def main(argv: list[str] | None = None) -> None:
    sys.exit(run_app(app, "align", argv))


if __name__ == "__main__":
    main()
