"""The fast path of ``align dpo`` (``fast: true``): same DPO loss as TRL, less work per pair.

Plain TRL runs every pair as two padded rows, ``prompt + chosen`` and ``prompt + rejected``: the prompt is
computed twice, padding is computed too, and (without PEFT) a second model runs the reference forward every step.
Here:

* **shared prompt, packed, no padding** – a micro-batch is ONE row: for each pair
  ``prompt[:-1] | prompt[-1] chosen | prompt[-1]' rejected``.  A document/branch mask lets chosen tokens see the
  prompt and themselves, rejected tokens the prompt and themselves, never each other and never another pair.
  The last prompt token is duplicated (``prompt[-1]'``, same position id) so that both branches have a position
  whose next-token label is their first answer token; the duplicate sees exactly what the original sees, so its
  hidden state is the same.  Positions ids restart per pair, so RoPE sees what TRL's rows see.
* **mask kernels** – SDPA with a dense boolean mask (CPU, small batches), eager with the same mask made additive,
  or FlexAttention with a block-sparse ``BlockMask`` (GPU: work proportional to the tokens of each pair, not to the
  packed row squared).  Flash attention takes no custom mask: refused.
* **reference log-probs once** – computed before training with the same packed forward (adapter disabled for
  LoRA), stored as dataset columns (TRL's ``precompute_ref_log_probs``), so training runs one forward per step.
* **chunked log-softmax** – TRL's fused LM head scores only the answer positions, in tiles, never building the
  ``tokens x vocab`` logits.
* **length-grouped batches** – pairs of similar length share a micro-batch.

``tests/align/test_fast.py`` checks that the loss equals TRL's within 1e-4 and the gradients match.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from transformers.data.data_collator import DataCollatorMixin
from trl import DPOTrainer

# branch ids: 0 = shared prompt (all but its last token), 1 = last prompt token + chosen, 2 = its copy + rejected
PROMPT, CHOSEN, REJECTED = 0, 1, 2


@dataclass
class PackedPreferenceCollator(DataCollatorMixin):
    """Pairs -> one packed row with per-token pair index, branch id, position id and next-token label.

    Truncation matches TRL's ``DataCollatorForPreference`` (``keep_start``: ``prompt + answer`` cut at
    ``max_length``), so both paths score the same tokens.
    """

    max_length: int | None = None
    pad_to_multiple_of: int | None = None
    return_tensors: str = "pt"

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        ids, pos, seg, branch, labels = [], [], [], [], []
        for i, ex in enumerate(examples):
            p = list(ex["prompt_ids"])
            c, r = list(ex["chosen_ids"]), list(ex["rejected_ids"])
            if self.max_length is not None:
                p = p[: self.max_length]
                room = max(self.max_length - len(p), 0)
                c, r = c[:room], r[:room]
            n = len(p)
            # prompt[:-1]
            ids += p[:-1]
            pos += range(n - 1)
            seg += [i] * (n - 1)
            branch += [PROMPT] * (n - 1)
            labels += [-100] * (n - 1)
            # prompt[-1] + chosen, then prompt[-1]' + rejected: the label of each position is the next answer token
            for kind, ans in ((CHOSEN, c), (REJECTED, r)):
                ids += [p[-1], *ans]
                pos += range(n - 1, n + len(ans))
                seg += [i] * (len(ans) + 1)
                branch += [kind] * (len(ans) + 1)
                labels += [*ans, -100]
        if self.pad_to_multiple_of:
            extra = -len(ids) % self.pad_to_multiple_of
            ids += [0] * extra
            pos += [0] * extra
            seg += [len(examples)] * extra  # a dummy pair that nothing else sees
            branch += [PROMPT] * extra
            labels += [-100] * extra
        out = {
            "input_ids": torch.tensor([ids], dtype=torch.long),
            "position_ids": torch.tensor([pos], dtype=torch.long),
            "shift_labels": torch.tensor([labels], dtype=torch.long),
            "seg": torch.tensor(seg, dtype=torch.long),
            "branch": torch.tensor(branch, dtype=torch.long),
            "num_pairs": torch.tensor(len(examples)),
        }
        if "ref_chosen_logps" in examples[0]:
            out["ref_chosen_logps"] = torch.tensor([ex["ref_chosen_logps"] for ex in examples])
            out["ref_rejected_logps"] = torch.tensor([ex["ref_rejected_logps"] for ex in examples])
        return out


def dense_branch_mask(seg: torch.Tensor, branch: torch.Tensor) -> torch.Tensor:
    """[1, 1, T, T] boolean mask (True = attend) for SDPA (eager needs ``additive_branch_mask``)."""
    t = seg.numel()
    idx = torch.arange(t, device=seg.device)
    same = seg[:, None] == seg[None, :]
    causal = idx[None, :] <= idx[:, None]
    visible = (branch[None, :] == PROMPT) | (branch[None, :] == branch[:, None])
    return (same & causal & visible)[None, None]


def additive_branch_mask(seg: torch.Tensor, branch: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The same mask as an additive float mask (0 = attend, dtype min = masked), as eager attention adds it to the
    scores (a boolean mask would be added as 0/1 and mask nothing)."""
    visible = dense_branch_mask(seg, branch)
    return torch.zeros(visible.shape, dtype=dtype, device=seg.device).masked_fill_(~visible, torch.finfo(dtype).min)


def flex_branch_mask(seg: torch.Tensor, branch: torch.Tensor, compile: bool | None = None):
    """The same mask as a block-sparse FlexAttention ``BlockMask`` (fully masked blocks are skipped).

    Built once per forward (shared by all layers).  ``compile`` (default: off CPU) builds it with a compiled
    ``create_block_mask``, as transformers does for its own flex masks: the eager builder vmaps ``mask_mod`` into
    several [T, T] int64 intermediates (GBs at T = 8k) every step.  Lengths padded to 128 + automatic dynamic
    shapes: two compilations, then none.
    """
    import warnings

    from torch.nn.attention.flex_attention import create_block_mask

    def mask_mod(b, h, q, kv):
        return (seg[q] == seg[kv]) & (kv <= q) & ((branch[kv] == PROMPT) | (branch[kv] == branch[q]))

    t = seg.numel()
    if compile is None:
        compile = seg.device.type != "cpu"
    with warnings.catch_warnings():  # torch >= 2.12 deprecates `_compile` (it still works)
        warnings.simplefilter("ignore", DeprecationWarning)
        return create_block_mask(mask_mod, B=None, H=None, Q_LEN=t, KV_LEN=t, device=seg.device, _compile=compile)


# attention implementations the packed forward can mask; flash attention takes no custom mask
MASKABLE = ("sdpa", "eager", "flex_attention")


def attn_implementation(model) -> str:
    """The attention kernel of ``model``, looking through DDP / DeepSpeed / ``torch.compile`` wrappers (which have
    no ``config``: reading it from the wrapper would silently fall back to a dense mask under a flex model)."""
    from accelerate.utils import extract_model_from_parallel

    config = getattr(extract_model_from_parallel(model, keep_torch_compile=False), "config", None)
    return getattr(config, "_attn_implementation", None) or "sdpa"


def branch_mask(model, seg: torch.Tensor, branch: torch.Tensor):
    """The packed batch's attention mask in the form ``model``'s attention kernel takes."""
    attn = attn_implementation(model)
    if attn == "flex_attention":
        return flex_branch_mask(seg, branch)
    if attn == "sdpa":
        return dense_branch_mask(seg, branch)
    if attn == "eager":
        dtype = next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)
        return additive_branch_mask(seg, branch, dtype)
    raise _unmaskable(attn)


def _unmaskable(attn: str) -> ValueError:
    return ValueError(f"the fast path needs attn_implementation in {MASKABLE} (a custom 4D mask), got {attn!r}")


def packed_logps(model, inputs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Summed answer log-probs per pair: (chosen [B], rejected [B], per-token log-probs [T]) from one forward."""
    seg, branch = inputs["seg"], inputs["branch"]
    mask = branch_mask(model, seg, branch)
    out = model(input_ids=inputs["input_ids"], position_ids=inputs["position_ids"], attention_mask=mask,
                shift_labels=inputs["shift_labels"], fused_lm_head=True, use_cache=False)
    per_token = out.log_probs[0]  # zeros where there is no label
    n = int(inputs["num_pairs"])
    bins = torch.where(inputs["shift_labels"][0] != -100, seg, torch.full_like(seg, n))
    chosen = per_token.new_zeros(n + 1).index_add(0, torch.where(branch == CHOSEN, bins, n), per_token)[:n]
    rejected = per_token.new_zeros(n + 1).index_add(0, torch.where(branch == REJECTED, bins, n), per_token)[:n]
    return chosen, rejected, per_token


class FastDPOTrainer(DPOTrainer):
    """``trl.DPOTrainer`` with the packed shared-prompt forward (sigmoid loss; reference log-probs precomputed)."""

    def __init__(self, *args, fast_options: dict | None = None, **kwargs):
        opts = fast_options or {}
        a = kwargs.get("args")
        if a is None or not a.precompute_ref_log_probs:
            raise ValueError("the fast path precomputes reference log-probs: set precompute_ref_log_probs=True")
        if list(a.loss_type) != ["sigmoid"] or a.ld_alpha is not None or a.use_weighting or a.f_divergence_type != "reverse_kl":
            raise ValueError("the fast path implements the standard (sigmoid, reverse-KL) DPO loss only")
        model = kwargs.get("model", args[0] if args else None)
        attn = attn_implementation(model) if isinstance(model, torch.nn.Module) else None
        if attn is not None and attn not in MASKABLE:  # fail before the reference pass, not after it
            raise _unmaskable(attn)
        flex = attn == "flex_attention"
        # FlexAttention: rows padded to whole 128-token blocks (fewer distinct shapes to compile, aligned BlockMask)
        kwargs.setdefault("data_collator", PackedPreferenceCollator(max_length=a.max_length,
                                                                    pad_to_multiple_of=128 if flex else None))
        super().__init__(*args, **kwargs)
        if opts.get("compile"):
            self._compile_layers()

    def _compile_layers(self) -> None:
        base = self.accelerator.unwrap_model(self.model)
        base = base.get_base_model() if hasattr(base, "get_base_model") else base
        backbone = getattr(base, base.base_model_prefix, base)
        for layer in getattr(backbone, "layers", []):
            layer.compile(dynamic=True)

    # -- length-grouped batches (works on transformers versions with and without `train_sampling_strategy`)
    def _get_train_sampler(self, train_dataset=None):
        from transformers.trainer_pt_utils import LengthGroupedSampler

        ds = train_dataset if train_dataset is not None else self.train_dataset
        lengths = [len(p) + len(c) + len(r) + 1 for p, c, r in zip(ds["prompt_ids"], ds["chosen_ids"], ds["rejected_ids"])]
        return LengthGroupedSampler(self.args.train_batch_size * self.args.gradient_accumulation_steps,
                                    dataset=ds, lengths=lengths)

    def compute_ref_log_probs(self, model, inputs):
        from trl.models.utils import disable_gradient_checkpointing
        from trl.trainer.utils import use_adapter

        ctx = contextlib.nullcontext()
        if self.ref_model is None and hasattr(self.accelerator.unwrap_model(self.model), "peft_config"):
            unwrapped = self.accelerator.unwrap_model(self.model)
            ctx = use_adapter(unwrapped, adapter_name="ref" if "ref" in unwrapped.peft_config else None)
        with torch.no_grad(), disable_gradient_checkpointing(self.model, self.args.gradient_checkpointing_kwargs), \
                ctx, self.accelerator.autocast():
            chosen, rejected, _ = packed_logps(model, inputs)
        return chosen, rejected

    def _compute_loss(self, model, inputs, return_outputs):
        mode = "train" if self.model.training else "eval"
        chosen_logps, rejected_logps, _ = packed_logps(model, inputs)
        chosen_logratios = chosen_logps - inputs["ref_chosen_logps"]
        rejected_logratios = rejected_logps - inputs["ref_rejected_logps"]
        loss = -F.logsigmoid(self.beta * (chosen_logratios - rejected_logratios)).mean()

        gather = self.accelerator.gather_for_metrics
        chosen_rewards = self.beta * chosen_logratios.detach()
        rejected_rewards = self.beta * rejected_logratios.detach()
        m = self._metrics[mode]
        if mode == "train":
            n_tokens = gather((inputs["seg"] < inputs["num_pairs"]).sum()).sum().item()
            self._total_train_tokens += n_tokens // self._tp_size
        m["num_tokens"] = [self._total_train_tokens]
        m["rewards/chosen"].append(gather(chosen_rewards).mean().item())
        m["rewards/rejected"].append(gather(rejected_rewards).mean().item())
        m["rewards/accuracies"].append(gather((chosen_rewards > rejected_rewards).float()).mean().item())
        m["rewards/margins"].append(gather(chosen_rewards - rejected_rewards).mean().item())
        m["logps/chosen"].append(gather(chosen_logps.detach()).mean().item())
        m["logps/rejected"].append(gather(rejected_logps.detach()).mean().item())
        return (loss, None) if return_outputs else loss

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        inputs = self._prepare_inputs(inputs)
        with torch.no_grad(), self.compute_loss_context_manager():
            loss = self.compute_loss(model, inputs, return_outputs=False)
        return loss.detach(), None, None
