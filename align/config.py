"""Configuration of DPO training and evaluation (the ``align:`` section of the YAML).

One dataclass per command, TRL style: ``DPOTrainConfig`` (``align dpo``) and ``EvalConfig`` (``align eval``),
composed into ``AlignConfig``.  Every option has a default and a help line (``curate config init`` prints it).
Fields are grouped: what is trained, the TRL ``DPOConfig`` arguments (each one reaches the trainer, see
``align.trainer.to_dpo_config`` and ``tests/align/test_trainer.py::test_every_config_value_reaches_the_trainer``),
the adapter, the fast path, and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from curate.core.configlib import check, field, finite


_DTYPES = ("auto", "bfloat16", "float16", "float32")
# the losses TRL's DPOTrainer implements (trl.trainer.dpo_trainer); sigmoid = the DPO paper's loss
DPO_LOSS_TYPES = ("sigmoid", "sigmoid_norm", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard",
                  "aot", "aot_unpaired", "apo_zero", "apo_down", "discopop", "sft")


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _positive(x) -> bool:
    return finite(x) and x > 0


def _at_least(obj, name: str, low: int) -> None:
    value = getattr(obj, name)
    check(_is_int(value) and value >= low, name, f"must be >= {low}, got {value!r}")


@dataclass
class DPOTrainConfig:
    """``align dpo``: TRL ``DPOTrainer`` on a published preference dataset."""

    # > What is trained, on what
    model: str | None = field(None, help="Base model: hub id, local directory, a .gguf file (dequantized once into the cache), or 'builtin' = the built-in SmolLM2-135M-Instruct (smoke runs only); null = builtin")
    data: str | None = field(None, help="Preference data: a published dataset dir (load_from_disk or parquet splits), a parquet/jsonl file, or a hub id")
    train_split: str = field("train", help="Split to train on")
    eval_split: str | None = field(None, help="Split to evaluate on every eval_steps (e.g. 'test'); null = no evaluation during training")
    output_dir: str = field("runs/align", flag="-o", help="Where the adapter/model, checkpoints, metrics.csv/png and manifest.json go")
    method: Literal["lora", "qlora", "full"] = field("lora", help="lora (default), qlora (4-bit base; needs CUDA + bitsandbytes) or full fine-tuning")
    system_prompt: str | None = field(None, help="Used only for rows whose prompt has no system message (the published data carries its own)")
    chat_template: str | None = field(None, help="Jinja chat template for models without one; 'chatml' = built-in ChatML (adds <|im_start|>/<|im_end|>)")
    pad_token: str = field("<|pad|>", help="Pad token added when the tokenizer has none or pads with EOS (an existing unused special token is preferred)")
    attn_implementation: str = field("sdpa", help="Attention kernel: sdpa (default), eager, flex_attention")
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = field("auto", help="Weights dtype: auto = bfloat16 on a bf16-capable GPU, float32 on CPU")

    # > TRL DPOConfig: optimisation (each value is passed to the trainer)
    learning_rate: float = field(5e-5, help="Peak learning rate (LoRA: 5e-6..1e-4; full fine-tuning: 5e-7..1e-6)")
    num_train_epochs: float = field(1.0, help="Epochs over the train split (ignored when max_steps > 0)")
    max_steps: int = field(-1, help="Stop after this many optimizer steps (-1 = use num_train_epochs)")
    per_device_train_batch_size: int = field(4, help="Pairs per device per micro-batch")
    per_device_eval_batch_size: int = field(4, help="Pairs per device per eval batch")
    gradient_accumulation_steps: int = field(1, help="Micro-batches per optimizer step")
    warmup_steps: float = field(0.1, help="Warm-up: a fraction of the total steps if < 1, else a number of steps")
    lr_scheduler_type: str = field("cosine", help="Learning-rate schedule (transformers names: linear, cosine, constant, ...)")
    weight_decay: float = field(0.0, help="AdamW weight decay")
    max_grad_norm: float = field(1.0, help="Gradient clipping norm")
    optim: str = field("adamw_torch", help="Optimizer (transformers names: adamw_torch, adamw_torch_fused, paged_adamw_8bit, ...)")
    seed: int = field(42, help="Seed for data order and adapter initialisation")
    gradient_checkpointing: bool = field(True, help="Recompute activations in backward (less memory, ~30% slower); TRL's default")
    bf16: bool | None = field(None, help="Mixed precision bf16; null = on when a bf16-capable GPU is present")

    # > TRL DPOConfig: the DPO objective
    beta: float = field(0.1, help="DPO beta: higher keeps the model closer to the reference")
    loss_type: str = field("sigmoid", help="TRL loss type (sigmoid = standard DPO, ipo, hinge, robust, ...); the fast path supports sigmoid")
    label_smoothing: float = field(0.0, help="Label smoothing for robust DPO / EXO")
    max_length: int = field(1024, help="Maximum tokens of prompt + completion; longer sequences are truncated at the end")
    precompute_ref_log_probs: bool = field(False, help="Compute reference log-probs once before training (the fast path always does)")
    disable_dropout: bool = field(True, help="Disable dropout in policy and reference")

    # > TRL DPOConfig: logging, checkpoints, evaluation
    logging_steps: int = field(1, help="Log metrics (to metrics.csv) every N steps")
    save_steps: int = field(50, help="Write a checkpoint every N steps (for --resume)")
    save_total_limit: int = field(2, help="Keep at most this many checkpoints")
    eval_steps: int = field(50, help="Evaluate on eval_split every N steps (when eval_split is set)")
    dataloader_num_workers: int = field(0, help="DataLoader worker processes")
    report_to: list[str] = field(default_factory=list, help="Trackers (wandb, tensorboard, ...); empty = none")

    # > Adapter (LoRA / QLoRA)
    lora_r: int = field(16, help="LoRA rank")
    lora_alpha: int = field(32, help="LoRA alpha (scale = alpha / r)")
    lora_dropout: float = field(0.05, help="LoRA dropout")
    lora_target_modules: list[str] = field(default_factory=lambda: ["all-linear"], help="Modules that get adapters ('all-linear' = every linear layer but the head)")

    # > Fast path (align/fast.py)
    fast: bool = field(False, help="Fast path: packed shared-prompt forward (prompt once for chosen+rejected), no padding, length-grouped batches, reference log-probs precomputed once; log-probs via TRL's chunked fused LM head")
    fast_compile: bool = field(False, help="Fast path: torch.compile the decoder layers (GPU)")

    # > Memory
    logprob_chunk_size: int | None = field(None, help="Vocabulary columns per tile of TRL's chunked log-prob LM head; null = 4096 on CPU (TRL's 32768-column tiles, computed with plain torch ops there, cost ~1.3 GB more RAM for a 49k vocabulary), TRL's own default on GPU")

    # > Outputs and diagnostics
    merge: bool = field(False, help="Also save the adapter merged into the base model (OUT/merged)")
    collapse_window: int = field(5, help="Warn when, over the last N logged steps, chosen answers lose likelihood against the reference while reward margins rise (DPO collapse)")
    collapse_min_drop: float = field(1.0, help="Minimum fall of the chosen log-ratio to the reference (nats, summed over the answer) that counts as collapse")

    def __post_init__(self) -> None:
        """Every option checked before any work starts (one line each; ``align dpo`` names the flag that set it)."""
        check(self.method in ("lora", "qlora", "full"), "method", f"must be lora, qlora or full, got {self.method!r}")
        check(self.dtype in _DTYPES, "dtype", f"must be {', '.join(_DTYPES)}, got {self.dtype!r}")
        check(_positive(self.learning_rate), "learning_rate", f"must be a number > 0, got {self.learning_rate}")
        check(_positive(self.num_train_epochs), "num_train_epochs", f"must be a number > 0, got {self.num_train_epochs}")
        check(self.max_steps == -1 or self.max_steps >= 1, "max_steps",
              f"must be >= 1 (or -1 = train for num_train_epochs), got {self.max_steps}")
        for name in ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps",
                     "max_length", "logging_steps", "save_steps", "save_total_limit", "eval_steps", "lora_r", "lora_alpha"):
            _at_least(self, name, 1)
        for name in ("seed", "dataloader_num_workers"):
            _at_least(self, name, 0)
        w = self.warmup_steps
        check(finite(w) and w >= 0 and (w < 1 or float(w).is_integer()), "warmup_steps",
              f"must be a fraction of the steps in [0, 1) or a whole number of steps, got {w}")
        for name in ("weight_decay", "max_grad_norm", "collapse_min_drop"):
            value = getattr(self, name)
            check(finite(value) and value >= 0, name, f"must be a number >= 0, got {value}")
        check(_positive(self.beta), "beta", f"must be a number > 0, got {self.beta}")
        check(self.loss_type in DPO_LOSS_TYPES, "loss_type",
              f"must be one of {', '.join(DPO_LOSS_TYPES)} (TRL's DPO losses), got {self.loss_type!r}")
        check(finite(self.label_smoothing) and 0 <= self.label_smoothing < 0.5, "label_smoothing",
              f"must be in [0, 0.5), got {self.label_smoothing}")
        check(finite(self.lora_dropout) and 0 <= self.lora_dropout < 1, "lora_dropout",
              f"must be in [0, 1), got {self.lora_dropout}")
        check(bool(self.lora_target_modules), "lora_target_modules", "must name at least one module (or 'all-linear')")
        _at_least(self, "collapse_window", 2)
        check(self.logprob_chunk_size is None or (_is_int(self.logprob_chunk_size) and self.logprob_chunk_size >= 256),
              "logprob_chunk_size", f"must be >= 256 (or null = automatic), got {self.logprob_chunk_size}")
        check(bool(str(self.pad_token).strip()), "pad_token", "must be a token string")
        check(bool(str(self.train_split).strip()), "train_split", "must name a split")
        check(bool(str(self.output_dir).strip()), "output_dir", "must be a directory path")


@dataclass
class EvalConfig:
    """``align eval``: generate answers from the base and the aligned model, score them with the product's filters."""

    questions: str | None = field(None, help="Held-out questions: a table (csv/jsonl/parquet/datasets dir) with a question column, optionally a reference answer")
    question_column: str = field("question", help="Column holding the question (TRL 'prompt' message lists are accepted too)")
    reference_column: str = field("source_answer", help="Column holding the reference answer (facts and similarity are scored against it when present)")
    base: str | None = field(None, help="Base model to compare against (hub id, local dir, .gguf, or 'builtin'); null = the base recorded in the aligned model's manifest")
    limit: int | None = field(None, help="Evaluate only the first N questions")
    system_prompt: str | None = field(None, help="System prompt for generation; null = the one the model was trained with (from its manifest), else the default")
    max_new_tokens: int = field(200, help="Maximum tokens generated per answer")
    batch_size: int = field(8, help="Questions per generation batch")
    do_sample: bool = field(False, help="Sample instead of greedy decoding")
    temperature: float = field(0.7, help="Sampling temperature (only with do_sample)")
    seed: int = field(0, help="Seed for sampling")
    examples: int = field(3, help="Example questions shown with both answers in eval.md (0 = none)")
    embedding_model: str = field("sentence-transformers/all-MiniLM-L6-v2", help="Sentence-embedding model for similarity to the reference answer")
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = field("auto", help="Weights dtype for generation")
    lang: str | None = field(None, help="Language of the questions: en or es (Spanish answers are scored with the Spanish readability, tone and fact rules); null = the questions' `lang` column, else en")

    def __post_init__(self) -> None:
        """Every option checked before any work starts (``align eval`` names the flag that set it)."""
        if self.lang is not None:
            from curate.core import lang as _lang

            try:
                self.lang = _lang.check(self.lang)
            except ValueError as e:
                check(False, "lang", str(e))
        check(self.limit is None or (_is_int(self.limit) and self.limit >= 1), "limit", f"must be >= 1, got {self.limit}")
        for name in ("max_new_tokens", "batch_size"):
            _at_least(self, name, 1)
        _at_least(self, "seed", 0)
        _at_least(self, "examples", 0)
        check(_positive(self.temperature), "temperature", f"must be a number > 0, got {self.temperature}")
        check(self.dtype in _DTYPES, "dtype", f"must be {', '.join(_DTYPES)}, got {self.dtype!r}")
        for name in ("question_column", "reference_column"):
            check(bool(str(getattr(self, name)).strip()), name, "must name a column")


@dataclass
class AlignConfig:
    dpo: DPOTrainConfig = field(default_factory=DPOTrainConfig, help="`align dpo`: DPO training")
    eval: EvalConfig = field(default_factory=EvalConfig, help="`align eval`: before/after comparison")
