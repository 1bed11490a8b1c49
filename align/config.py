"""Configuration of DPO training and evaluation (the ``align:`` section of the YAML). Owned by issue 6.

One dataclass per command, TRL style: ``DPOTrainConfig`` (``align dpo``) and ``EvalConfig`` (``align eval``),
composed into ``AlignConfig``.  Every option has a default and a help line (``curate config init`` prints it).
Fields are grouped: what is trained, the TRL ``DPOConfig`` arguments (each one reaches the trainer, see
``align.trainer.to_dpo_config`` and ``tests/align/test_trainer.py::test_every_config_value_reaches_the_trainer``),
the adapter, the fast path, and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from curate.configlib import field

DEFAULT_SYSTEM_PROMPT = (
    "You are a caring assistant for patients and caregivers. Answer accurately, warmly and in plain language."
)


@dataclass
class DPOTrainConfig:
    """``align dpo``: TRL ``DPOTrainer`` on a published preference dataset."""

    # > What is trained, on what
    model: str | None = field(None, help="Base model: hub id, local directory, or a .gguf file (dequantized on load)")
    data: str | None = field(None, help="Preference data: a published dataset dir (load_from_disk or parquet splits), a parquet/jsonl file, or a hub id")
    train_split: str = field("train", help="Split to train on")
    eval_split: str | None = field(None, help="Split to evaluate on every eval_steps (e.g. 'test'); null = no evaluation during training")
    output_dir: str = field("runs/align", help="Where the adapter/model, checkpoints, metrics.csv/png and manifest.json go")
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

    # > Outputs and diagnostics
    merge: bool = field(False, help="Also save the adapter merged into the base model (OUT/merged)")
    collapse_window: int = field(5, help="Warn when, over the last N logged steps, chosen answers lose likelihood against the reference while reward margins rise (DPO collapse)")
    collapse_min_drop: float = field(1.0, help="Minimum fall of the chosen log-ratio to the reference (nats, summed over the answer) that counts as collapse")


@dataclass
class EvalConfig:
    """``align eval``: generate answers from the base and the aligned model, score them with the product's filters."""

    questions: str | None = field(None, help="Held-out questions: a table (csv/jsonl/parquet/datasets dir) with a question column, optionally a reference answer")
    question_column: str = field("question", help="Column holding the question (TRL 'prompt' message lists are accepted too)")
    reference_column: str = field("source_answer", help="Column holding the reference answer (facts and similarity are scored against it when present)")
    base: str | None = field(None, help="Base model to compare against; null = the base recorded in the aligned model's manifest")
    limit: int | None = field(None, help="Evaluate only the first N questions")
    system_prompt: str | None = field(None, help="System prompt for generation; null = the one the model was trained with (from its manifest), else the default")
    max_new_tokens: int = field(200, help="Maximum tokens generated per answer")
    batch_size: int = field(8, help="Questions per generation batch")
    do_sample: bool = field(False, help="Sample instead of greedy decoding")
    temperature: float = field(0.7, help="Sampling temperature (only with do_sample)")
    seed: int = field(0, help="Seed for sampling")
    embedding_model: str = field("sentence-transformers/all-MiniLM-L6-v2", help="Sentence-embedding model for similarity to the reference answer")
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = field("auto", help="Weights dtype for generation")


@dataclass
class AlignConfig:
    dpo: DPOTrainConfig = field(default_factory=DPOTrainConfig, help="`align dpo`: DPO training")
    eval: EvalConfig = field(default_factory=EvalConfig, help="`align eval`: before/after comparison")
