"""``align dpo``: model loading, the TRL ``DPOConfig`` built from ``DPOTrainConfig``, the trainer, and the run.

Every value of ``DPOTrainConfig`` reaches the trainer: the TRL arguments through ``to_dpo_config`` (the
``TRAINER_ARGS`` table), the adapter through ``lora_config``, the model options through ``load_model``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from align.config import DPOTrainConfig
from align.metrics import MetricsCallback
from curate.errors import RuntimeFailure, UsageError
from curate.io import usual_mode

log = logging.getLogger("align")

# DPOTrainConfig field -> trl.DPOConfig field; the test checks each one arrives in ``trainer.args``.
TRAINER_ARGS = {
    "learning_rate": "learning_rate",
    "num_train_epochs": "num_train_epochs",
    "max_steps": "max_steps",
    "per_device_train_batch_size": "per_device_train_batch_size",
    "per_device_eval_batch_size": "per_device_eval_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "warmup_steps": "warmup_steps",
    "lr_scheduler_type": "lr_scheduler_type",
    "weight_decay": "weight_decay",
    "max_grad_norm": "max_grad_norm",
    "optim": "optim",
    "seed": "seed",
    "gradient_checkpointing": "gradient_checkpointing",
    "bf16": "bf16",
    "beta": "beta",
    "loss_type": "loss_type",
    "label_smoothing": "label_smoothing",
    "max_length": "max_length",
    "precompute_ref_log_probs": "precompute_ref_log_probs",
    "disable_dropout": "disable_dropout",
    "logging_steps": "logging_steps",
    "save_steps": "save_steps",
    "save_total_limit": "save_total_limit",
    "eval_steps": "eval_steps",
    "dataloader_num_workers": "dataloader_num_workers",
    "report_to": "report_to",
}
# fields used outside DPOConfig (and where): the test checks these too
MODEL_ARGS = ("model", "method", "attn_implementation", "dtype", "chat_template", "pad_token")
ADAPTER_ARGS = ("lora_r", "lora_alpha", "lora_dropout", "lora_target_modules")
RUN_ARGS = ("data", "train_split", "eval_split", "output_dir", "system_prompt", "fast", "fast_compile", "merge",
            "collapse_window", "collapse_min_drop")


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


def to_dpo_config(cfg: DPOTrainConfig, output_dir: str | Path, *, eval_enabled: bool = False):
    """The TRL ``DPOConfig``: every entry of ``TRAINER_ARGS`` copied over, plus what the run needs."""
    from trl import DPOConfig

    kwargs: dict[str, Any] = {theirs: getattr(cfg, ours) for ours, theirs in TRAINER_ARGS.items()}
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
        gradient_checkpointing_kwargs={"use_reentrant": False} if cfg.gradient_checkpointing else None,
        dataset_num_proc=None,
        **kwargs,
    )


def lora_config(cfg: DPOTrainConfig):
    from peft import LoraConfig

    targets = cfg.lora_target_modules
    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules="all-linear" if targets == ["all-linear"] else list(targets),
        task_type="CAUSAL_LM",
    )


def _split_gguf(model_id: str) -> tuple[str, dict]:
    p = Path(model_id)
    if p.suffix == ".gguf" and p.is_file():
        return str(p.parent), {"gguf_file": p.name}
    return model_id, {}


def load_tokenizer(model_id: str):
    from transformers import AutoTokenizer

    path, extra = _split_gguf(model_id)
    try:
        return AutoTokenizer.from_pretrained(path, **extra)
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

    model_id = model_id or cfg.model
    if not model_id:
        raise UsageError("no model: pass --model ID_OR_PATH (or align.dpo.model in the config)")
    kwargs: dict[str, Any] = {"dtype": resolve_dtype(cfg.dtype), "attn_implementation": cfg.attn_implementation}
    if cfg.method == "qlora":
        check_qlora_available()
        import torch
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if resolve_bf16(cfg) else torch.float16)
    path, extra = _split_gguf(model_id)
    try:
        model = AutoModelForCausalLM.from_pretrained(path, **extra, **kwargs)
    except OSError as e:
        raise UsageError(f"{model_id}: cannot load the model: {' '.join(str(e).split())[:200]}") from None
    if extra.get("gguf_file"):
        _forget_gguf_quantization(model)
    if cfg.method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=cfg.gradient_checkpointing)
    return model


def _forget_gguf_quantization(model) -> None:
    """GGUF weights are dequantized on load (plain float tensors); drop the marker that blocks training/saving."""
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None and hasattr(quantizer, "remove_quantization_config"):
        quantizer.remove_quantization_config(model)
    model.hf_quantizer = None
    model.is_quantized = False
    for module in model.modules():
        conf = getattr(module, "config", None)
        if conf is not None and getattr(conf, "_is_quantized", False):
            conf._is_quantized = False
        if conf is not None and hasattr(conf, "quantization_config"):
            try:
                del conf.quantization_config
            except AttributeError:
                pass


def build_trainer(cfg: DPOTrainConfig, model, tokenizer, train_ds, eval_ds=None, *, output_dir: str | Path,
                  callbacks: list | None = None, ref_model=None):
    """A ``trl.DPOTrainer`` (or the fast path's subclass) wired from ``cfg``."""
    from trl import DPOTrainer

    args = to_dpo_config(cfg, output_dir, eval_enabled=eval_ds is not None)
    peft_config = lora_config(cfg) if cfg.method in ("lora", "qlora") else None
    trainer_cls = DPOTrainer
    extra: dict[str, Any] = {}
    if cfg.fast:
        from align.fast import FastDPOTrainer

        if cfg.loss_type != "sigmoid":
            raise UsageError(f"the fast path supports loss_type 'sigmoid' only, got {cfg.loss_type!r}; set fast: false")
        trainer_cls = FastDPOTrainer
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
    from curate.io import write_json
    from curate.manifest import Timer, build_manifest

    if not cfg.data:
        raise UsageError("no data: pass --data DIR_OR_REPO (or align.dpo.data in the config)")
    if cfg.method == "qlora":
        check_qlora_available()
    if cfg.model and Path(cfg.model).exists():  # recorded absolute, so `align eval` finds the base from anywhere
        cfg = dataclasses.replace(cfg, model=str(Path(cfg.model).resolve()))
    out = Path(cfg.output_dir)
    ckpt_dir = out / "checkpoints"
    state = PartialState()
    if out.exists() and any(out.iterdir()) and not resume:
        if not overwrite:
            raise UsageError(f"{out}: output directory is not empty; pass --resume to continue or --overwrite to start over")
        if state.is_main_process:
            shutil.rmtree(out)
        state.wait_for_everyone()
    if resume and _latest_checkpoint(ckpt_dir) is None:
        raise UsageError(f"{out}: --resume given but no checkpoint in {ckpt_dir}")
    timer = Timer()
    with timer("load"):
        train_ds = ensure_system_prompt(load_preference_dataset(cfg.data, cfg.train_split), cfg.system_prompt)
        eval_ds = (ensure_system_prompt(load_preference_dataset(cfg.data, cfg.eval_split), cfg.system_prompt)
                   if cfg.eval_split else None)
        tokenizer = load_tokenizer(cfg.model or "")
        model = load_model(cfg)
        if prepare_tokenizer(tokenizer, cfg.chat_template, cfg.pad_token):
            model.resize_token_embeddings(len(tokenizer))
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
    )
    if trainer.accelerator.is_main_process:
        metrics_cb.finish()
        write_json(manifest, out / "manifest.json")
    return manifest


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
