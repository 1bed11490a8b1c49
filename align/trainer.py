"""``align dpo``: model loading, the TRL ``DPOConfig`` built from ``DPOTrainConfig``, the trainer, and the run.

Every value of ``DPOTrainConfig`` reaches the trainer: the TRL arguments through ``to_dpo_config`` (every field
``trl.DPOConfig`` also has, by name: ``trainer_args``), the adapter through ``lora_config`` (TRL's
``get_peft_config``), the model options through ``load_model`` (QLoRA: TRL's ``get_quantization_config``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from align.builtin import BUILTIN, is_builtin, smoke_warning
from align.config import DPOTrainConfig
from align.metrics import MetricsCallback
from curate.core.errors import RuntimeFailure, UsageError
from curate.core.io import usual_mode

log = logging.getLogger("align")

# fields of DPOTrainConfig that trl.DPOConfig also has, but which do not pass through by name (and why)
NOT_TRAINER_ARGS = {
    "output_dir": "the run's folder; the trainer writes its checkpoints to OUT/checkpoints",
    "pad_token": "added to the tokenizer by align.data.prepare_tokenizer before the trainer is built",
}


@functools.lru_cache(maxsize=1)
def trainer_args() -> tuple[str, ...]:
    """The fields of ``DPOTrainConfig`` that ``trl.DPOConfig`` also has, which ``to_dpo_config`` passes through by
    name (less ``NOT_TRAINER_ARGS``); the test checks each value arrives in ``trainer.args``."""
    from trl import DPOConfig

    theirs = {f.name for f in dataclasses.fields(DPOConfig)}
    return tuple(f.name for f in dataclasses.fields(DPOTrainConfig) if f.name in theirs and f.name not in NOT_TRAINER_ARGS)


# fields used outside DPOConfig (and where): the test checks these too (with trainer_args() they are every field)
MODEL_ARGS = ("model", "method", "attn_implementation", "dtype", "chat_template", "pad_token")
ADAPTER_ARGS = ("lora_r", "lora_alpha", "lora_dropout", "lora_target_modules")
RUN_ARGS = ("data", "train_split", "eval_split", "output_dir", "system_prompt", "fast", "fast_compile", "merge",
            "collapse_window", "collapse_min_drop", "logprob_chunk_size")
CPU_LOGPROB_CHUNK = 4096  # vocabulary columns per LM-head tile on CPU (see set_logprob_chunk_size)
_TRL_LOGPROB_CHUNK: int | None = None  # TRL's own default, restored for a GPU run after a CPU run in one process


def has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def resolve_bf16(cfg: DPOTrainConfig) -> bool:
    if cfg.bf16 is not None:
        return cfg.bf16
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def resolve_dtype(name: str):
    import torch

    if name == "auto":
        return torch.bfloat16 if has_cuda() and torch.cuda.is_bf16_supported() else torch.float32
    return getattr(torch, name)


@functools.lru_cache(maxsize=1)
def _checkpointing_kwargs_name() -> str:
    """transformers 5 renamed ``gradient_checkpointing_kwargs`` (deprecated alias, warns) to ``activation_...``."""
    import dataclasses as dc

    from transformers import TrainingArguments

    names = {f.name for f in dc.fields(TrainingArguments)}
    return "activation_checkpointing_kwargs" if "activation_checkpointing_kwargs" in names else "gradient_checkpointing_kwargs"


def to_dpo_config(cfg: DPOTrainConfig, output_dir: str | Path, *, eval_enabled: bool = False):
    """The TRL ``DPOConfig``: every field of ``trainer_args()`` passed through by name, plus what the run needs."""
    from trl import DPOConfig

    kwargs: dict[str, Any] = {name: getattr(cfg, name) for name in trainer_args()}
    kwargs["bf16"] = resolve_bf16(cfg)
    kwargs["loss_type"] = [cfg.loss_type]
    kwargs["report_to"] = list(cfg.report_to) or "none"
    if not has_cuda():
        kwargs["use_cpu"] = True
    if cfg.fast:
        kwargs["precompute_ref_log_probs"] = True
        # the packed forward makes its own batches; reference log-probs are computed in one pass before training
        kwargs["train_sampling_strategy"] = "group_by_length"
    return DPOConfig(
        output_dir=str(output_dir),
        eval_strategy="steps" if eval_enabled else "no",
        save_strategy="steps",
        logging_strategy="steps",
        remove_unused_columns=False if cfg.fast else True,
        **{_checkpointing_kwargs_name(): {"use_reentrant": False} if cfg.gradient_checkpointing else None},
        dataset_num_proc=None,
        **kwargs,
    )


def set_logprob_chunk_size(cfg: DPOTrainConfig) -> int | None:
    """The tile width of TRL's chunked log-prob LM head (``trl.trainer.utils._CHUNKED_LOGPROB_CHUNK_SIZE``).

    On a GPU the tile is folded by one Triton kernel; elsewhere TRL folds it with plain torch ops, each making a
    tile-sized temporary (fp32 copy, exp, masks, products): with TRL's 32768 columns and 1,600 tokens that is ~1.4 GB
    at the peak of every forward, ~0.25 GB with 4096 (measured on SmolLM2-135M, a 49k vocabulary; same speed).
    Returns the width in use (None when this TRL has no such setting)."""
    global _TRL_LOGPROB_CHUNK
    try:
        import trl.trainer.utils as trl_utils
    except ImportError:
        return None
    if not hasattr(trl_utils, "_CHUNKED_LOGPROB_CHUNK_SIZE"):
        return None
    if _TRL_LOGPROB_CHUNK is None:
        _TRL_LOGPROB_CHUNK = trl_utils._CHUNKED_LOGPROB_CHUNK_SIZE
    size = cfg.logprob_chunk_size or (_TRL_LOGPROB_CHUNK if has_cuda() else CPU_LOGPROB_CHUNK)
    trl_utils._CHUNKED_LOGPROB_CHUNK_SIZE = int(size)
    return int(size)


def check_trainer_options(cfg: DPOTrainConfig) -> None:
    """Build the TRL config once before any work, so a bad scheduler / optimizer / loss name fails in one line."""
    import tempfile as _tf

    if cfg.fast and cfg.loss_type != "sigmoid":
        raise UsageError(f"the fast path supports loss_type 'sigmoid' only, got {cfg.loss_type!r}; set fast: false")
    try:
        to_dpo_config(cfg, _tf.gettempdir())
    except (ValueError, KeyError) as e:
        text = " ".join(str(e).split())
        for key in ("lr_scheduler_type", "optim", "loss_type"):
            value = getattr(cfg, key)
            if isinstance(value, str) and value in text:
                raise UsageError(f"align.dpo.{key}: {text}") from None
        raise UsageError(f"align.dpo: {text[:300]}") from None


def model_config(cfg: DPOTrainConfig):
    """TRL's ``ModelConfig`` of the adapter / quantization options (for ``get_peft_config`` / ``get_quantization_config``):
    LoRA for ``lora`` and ``qlora``; for ``qlora`` a 4-bit NF4 base with double quantization, computing in bf16 when
    training in bf16, else fp16."""
    from trl import ModelConfig

    qlora = cfg.method == "qlora"
    args = ModelConfig(
        use_peft=cfg.method in ("lora", "qlora"),
        lora_r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout, lora_task_type="CAUSAL_LM",
        load_in_4bit=qlora, bnb_4bit_quant_type="nf4", use_bnb_nested_quant=qlora,
        dtype=("bfloat16" if resolve_bf16(cfg) else "float16") if qlora else "float32")
    targets = cfg.lora_target_modules
    # set after __post_init__, which makes a one-entry list a string: PEFT reads a string as a regex of the whole
    # module name, so ["q_proj"] would match nothing; "all-linear" is PEFT's keyword
    args.lora_target_modules = "all-linear" if targets == ["all-linear"] else list(targets)
    return args


def lora_config(cfg: DPOTrainConfig):
    """The LoRA adapter (``None`` for full fine-tuning), built by TRL's ``get_peft_config``."""
    from trl import get_peft_config

    return get_peft_config(model_config(cfg))


def resolve_model_path(model_id: str) -> str:
    """What ``from_pretrained`` loads for a model name: ``builtin`` and ``.gguf`` files -> their converted HF dir."""
    from align.builtin import resolve_model

    if not model_id or not str(model_id).strip():
        raise UsageError("no model: pass --model ID_OR_PATH (or --model builtin)")
    return resolve_model(model_id)


def load_tokenizer(model_id: str):
    from transformers import AutoTokenizer

    path = resolve_model_path(model_id)
    try:
        return AutoTokenizer.from_pretrained(path)
    except OSError as e:
        raise UsageError(f"{model_id}: cannot load the tokenizer: {' '.join(str(e).split())[:200]}") from None


def check_qlora_available() -> None:
    import importlib.util

    if not has_cuda():
        raise UsageError("--method qlora needs a CUDA GPU (4-bit bitsandbytes); use --method lora on this machine")
    if importlib.util.find_spec("bitsandbytes") is None:
        raise UsageError("--method qlora needs bitsandbytes: pip install 'empathy-curate[qlora]'")


def load_model(cfg: DPOTrainConfig, model_id: str | None = None):
    """The policy model as configured: dtype, attention kernel, 4-bit base for QLoRA."""
    from transformers import AutoModelForCausalLM

    model_id = model_id or cfg.model or BUILTIN
    kwargs: dict[str, Any] = {"dtype": resolve_dtype(cfg.dtype), "attn_implementation": cfg.attn_implementation}
    if cfg.method == "qlora":
        check_qlora_available()
        from trl import get_quantization_config

        kwargs["quantization_config"] = get_quantization_config(model_config(cfg))
    path = resolve_model_path(model_id)
    try:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except OSError as e:
        raise UsageError(f"{model_id}: cannot load the model: {' '.join(str(e).split())[:200]}") from None
    if cfg.method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=cfg.gradient_checkpointing)
    return model


def start_warmup_above_zero(scheduler, warmup_steps: int) -> None:
    """transformers' warm-up is ``step / warmup_steps``: the first optimizer step runs at learning rate 0 (a wasted
    step, and ``metrics.csv`` starts at lr 0). Shift the warm-up by one: step ``s < W`` gets ``(s + 1) / (W + 1)`` of the
    rate the schedule reaches at the end of the warm-up, so it still rises linearly to the peak and reaches it at step
    ``W``. Schedules without warm-up (``constant``, or ``warmup_steps`` 0) are left alone."""
    from torch.optim.lr_scheduler import LambdaLR

    if warmup_steps <= 0 or not isinstance(scheduler, LambdaLR):
        return
    lambdas = list(scheduler.lr_lambdas)
    if not any(f(0) == 0 for f in lambdas):
        return

    def shifted(f):
        peak = f(warmup_steps)

        def lr_lambda(step: int) -> float:
            return peak * (step + 1) / (warmup_steps + 1) if step < warmup_steps else f(step)

        return lr_lambda

    scheduler.lr_lambdas = [shifted(f) if f(0) == 0 else f for f in lambdas]
    lrs = [base * f(scheduler.last_epoch) for base, f in zip(scheduler.base_lrs, scheduler.lr_lambdas)]
    for group, lr in zip(scheduler.optimizer.param_groups, lrs):
        group["lr"] = lr
    scheduler._last_lr = lrs


class _WarmupFromFirstStep:
    """Trainer mixin: the learning-rate schedule of ``start_warmup_above_zero``."""

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        created = self.lr_scheduler is None
        scheduler = super().create_scheduler(num_training_steps, optimizer)
        if created:
            start_warmup_above_zero(scheduler, self.args.get_warmup_steps(num_training_steps))
        return scheduler


def trainer_class(fast: bool):
    """``AlignDPOTrainer`` (TRL's DPOTrainer) or ``AlignFastDPOTrainer`` (the fast path), with the warm-up fix."""
    global AlignDPOTrainer, AlignFastDPOTrainer
    if fast:
        if AlignFastDPOTrainer is None:
            from align.fast import FastDPOTrainer

            AlignFastDPOTrainer = type("AlignFastDPOTrainer", (_WarmupFromFirstStep, FastDPOTrainer), {})
        return AlignFastDPOTrainer
    if AlignDPOTrainer is None:
        from trl import DPOTrainer

        AlignDPOTrainer = type("AlignDPOTrainer", (_WarmupFromFirstStep, DPOTrainer), {})
    return AlignDPOTrainer


AlignDPOTrainer = AlignFastDPOTrainer = None  # built on first use (importing trl is slow)


def build_trainer(cfg: DPOTrainConfig, model, tokenizer, train_ds, eval_ds=None, *, output_dir: str | Path,
                  callbacks: list | None = None, ref_model=None):
    """A ``trl.DPOTrainer`` (or the fast path's subclass) wired from ``cfg``."""
    args = to_dpo_config(cfg, output_dir, eval_enabled=eval_ds is not None)
    set_logprob_chunk_size(cfg)
    peft_config = lora_config(cfg)
    trainer_cls = trainer_class(cfg.fast)
    extra: dict[str, Any] = {}
    if cfg.fast:
        if cfg.loss_type != "sigmoid":
            raise UsageError(f"the fast path supports loss_type 'sigmoid' only, got {cfg.loss_type!r}; set fast: false")
        extra["fast_options"] = {"compile": cfg.fast_compile}
    return trainer_cls(model=model, ref_model=ref_model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                       processing_class=tokenizer, peft_config=peft_config, callbacks=callbacks or [], **extra)


def _latest_checkpoint(ckpt_dir: Path) -> str | None:
    cks = sorted(ckpt_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]) if p.name.split("-")[-1].isdigit() else -1)
    return str(cks[-1]) if cks else None


def run_dpo(cfg: DPOTrainConfig, *, resume: bool = False, overwrite: bool = False) -> dict:
    """Train, save adapter/model + tokenizer, metrics.csv/png and manifest.json into ``cfg.output_dir``."""
    from accelerate import PartialState

    from align.data import ensure_system_prompt, load_preference_dataset, prepare_tokenizer, system_prompt_of
    from curate.core.io import write_json
    from curate.core.manifest import Timer, build_manifest

    if not cfg.data:
        raise UsageError("no data: pass --data DIR_OR_REPO (or align.dpo.data in the config)")
    if cfg.method == "qlora":
        check_qlora_available()
    check_trainer_options(cfg)
    state = PartialState()
    smoke = None
    if not cfg.model or is_builtin(cfg.model):
        smoke = smoke_warning("--model builtin" if cfg.model else "no model given (--model / align.dpo.model)")
        cfg = dataclasses.replace(cfg, model=BUILTIN)  # recorded as `builtin`: `align eval` resolves it anywhere
    elif Path(cfg.model).exists():  # recorded absolute, so `align eval` finds the base from anywhere
        cfg = dataclasses.replace(cfg, model=str(Path(cfg.model).resolve()))
    out = Path(cfg.output_dir)
    ckpt_dir = out / "checkpoints"
    replace = False  # an earlier `align dpo` output is replaced (checked below, removed after loading)
    if resume:
        if _latest_checkpoint(ckpt_dir) is None:
            raise UsageError(f"-o {out}: --resume given but no checkpoint in {ckpt_dir}")
    else:
        from curate.core.outputs import check_output_dir

        local = [p for p in (cfg.data, cfg.model) if p and Path(p).exists()]
        replace = check_output_dir(out, overwrite=overwrite, flag="-o", inputs=local, keep=()).state == "replace"
    if smoke and state.is_main_process:  # after the checks: a refused run prints only its error line
        from curate.core.clikit import err_console

        err_console.print(f"warning: {smoke}", markup=False)
    timer = Timer()
    with timer("load"):
        train_ds = ensure_system_prompt(load_preference_dataset(cfg.data, cfg.train_split), cfg.system_prompt)
        eval_ds = (ensure_system_prompt(load_preference_dataset(cfg.data, cfg.eval_split), cfg.system_prompt)
                   if cfg.eval_split else None)
        tokenizer = load_tokenizer(cfg.model or "")
        model = load_model(cfg)
        if prepare_tokenizer(tokenizer, cfg.chat_template, cfg.pad_token):
            model.resize_token_embeddings(len(tokenizer))
    if not resume and state.is_main_process:
        # once the model and data loaded: an earlier run is removed whole (a later --resume must not find its
        # checkpoints), and the folder is marked as this command's output before training writes to it, so a run
        # that stops mid-way is resumed, or replaced with --overwrite
        for entry in list(out.iterdir()) if replace else []:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        out.mkdir(parents=True, exist_ok=True)
        write_json(build_manifest("align.dpo", cfg, status="running"), out / "manifest.json")
    state.wait_for_everyone()
    metrics_cb = MetricsCallback(out, window=cfg.collapse_window, min_drop=cfg.collapse_min_drop, resume=resume,
                                 beta=cfg.beta)
    with timer("setup"):
        trainer = build_trainer(cfg, model, tokenizer, train_ds, eval_ds, output_dir=ckpt_dir, callbacks=[metrics_cb])
    with timer("train"):
        try:
            result = trainer.train(resume_from_checkpoint=_latest_checkpoint(ckpt_dir) if resume else None)
        except (RuntimeError, ValueError) as e:
            raise RuntimeFailure(f"training failed: {' '.join(str(e).split())[:300]}") from e
    with timer("save"):
        final, partial = out / "final", out / ".final-partial"  # every rank saves (FSDP), rank 0 renames
        trainer.save_model(str(partial))
        if trainer.accelerator.is_main_process:
            tokenizer.save_pretrained(str(partial))
            if final.exists():
                shutil.rmtree(final)
            os.replace(partial, final)
        trainer.accelerator.wait_for_everyone()
        if cfg.merge and trainer.accelerator.is_main_process:
            save_merged(trainer, tokenizer, out / "merged", cfg)
    trainer.accelerator.wait_for_everyone()
    manifest = build_manifest(
        "align.dpo", cfg,
        inputs={"data": cfg.data, "model": cfg.model},
        counts={"train_pairs": len(train_ds), "eval_pairs": len(eval_ds) if eval_ds is not None else 0,
                "steps": trainer.state.global_step},
        timings=timer.timings if hasattr(timer, "timings") else {},
        system_prompt=system_prompt_of(train_ds),
        train_metrics=result.metrics,
        final_dir="final", merged_dir="merged" if cfg.merge else None,
        warnings=metrics_cb.warnings,
        num_processes=trainer.accelerator.num_processes,
        logprob_chunk_size=set_logprob_chunk_size(cfg),
        peak_rss_mb=peak_rss_mb(),
    )
    if trainer.accelerator.is_main_process:
        metrics_cb.finish()
        write_json(manifest, out / "manifest.json")
    return manifest


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far (MB), recorded in the manifest."""
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)
    except (ImportError, OSError):
        return None


def save_merged(trainer, tokenizer, target: Path, cfg: DPOTrainConfig) -> None:
    """Merge the LoRA adapter into a full-precision copy of the base and save it (full fine-tuning: a plain copy)."""
    from peft import PeftModel

    model = trainer.accelerator.unwrap_model(trainer.model)
    with atomic_dir(target) as tmp:
        if isinstance(model, PeftModel):
            if cfg.method == "qlora":  # merge into an unquantized base, never into 4-bit weights
                base = load_model(dataclasses.replace(cfg, method="full"))
                if base.get_input_embeddings().num_embeddings != len(tokenizer):  # a pad token was added for training
                    base.resize_token_embeddings(len(tokenizer))
                merged = PeftModel.from_pretrained(base, str(target.parent / "final")).merge_and_unload()
            else:
                merged = model.merge_and_unload()
        else:
            merged = model
        merged.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Build a directory next to ``target``; it replaces ``target`` only when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        usual_mode(tmp)  # mkdtemp makes it 0700
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_manifest(model_dir: str | Path) -> dict:
    """The training manifest next to a trained model (``OUT`` or ``OUT/final``), or {}."""
    p = Path(model_dir)
    for cand in (p / "manifest.json", p.parent / "manifest.json"):
        if cand.is_file():
            try:
                return json.loads(cand.read_text("utf-8"))
            except json.JSONDecodeError:
                return {}
    return {}


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
