"""DPO training throughput: plain TRL defaults vs TRL without gradient checkpointing vs `align dpo`'s fast path.

All three run in the same process on the same synthetic data, one after the other; each prints one JSON line.

GPU setup (the default when CUDA is present): a 1.1B Llama from config (hidden 2048, 16 layers, 32 heads, 8 KV heads,
intermediate 8192, vocab 32000, random weights, bf16), 1024 synthetic pairs (prompt 40-160 tokens, chosen and
rejected 80-400 tokens each, uniform), batch 8, max length 1024, full fine-tuning (TRL's default, no PEFT).
``--tiny`` runs the same comparison on CPU with a tiny Llama in seconds (a smoke test of the script, not a claim).

Measured per method: steady-state pairs/s over ``--steps`` optimizer steps after ``--warmup`` steps, and MFU at
8·N FLOP per token (6N policy forward+backward + 2N reference forward; N = all parameters) over the tokens the method
actually processes: TRL feeds ``prompt+chosen`` and ``prompt+rejected`` (2P+C+R per pair), the fast path
``P+C+R+1`` (shared prompt).  The fast path's reference log-probs are computed once before training: that pass is
timed and amortized over one epoch of the data in ``pairs_per_s``; ``train_pairs_per_s`` is the steady state.
``mfu_trl_tokens`` counts the fast path's pairs at TRL's 2P+C+R tokens (work-equivalent to the baselines).

    python benchmarks/dpo_throughput.py            # GPU, 1.1B
    python benchmarks/dpo_throughput.py --tiny     # CPU smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

import torch  # noqa: E402

from benchmarks.common import LLAMA_1B, word_tokenizer  # noqa: E402

PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 125.0, "L4": 121.0}


def peak_flops(override: float | None) -> float | None:
    if override:
        return override * 1e12
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name(0)
    for key, tf in PEAK_BF16_TFLOPS.items():
        if key in name:
            return tf * 1e12
    return None


def make_pairs(n: int, vocab: int, prompt: tuple[int, int], answer: tuple[int, int], seed: int = 0):
    import datasets

    g = torch.Generator().manual_seed(seed)

    def seq(lo, hi):
        k = int(torch.randint(lo, hi + 1, (1,), generator=g))
        return torch.randint(3, vocab, (k,), generator=g).tolist()

    rows = [{"prompt_ids": [1, *seq(*prompt)], "chosen_ids": [*seq(*answer), 2], "rejected_ids": [*seq(*answer), 2]}
            for _ in range(n)]
    return datasets.Dataset.from_list(rows)


def make_model(args, attn: str):
    from transformers import LlamaConfig, LlamaForCausalLM

    if args.tiny:
        cfg = LlamaConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                          intermediate_size=128, vocab_size=args.vocab, max_position_embeddings=2048,
                          tie_word_embeddings=False)
    else:
        cfg = LlamaConfig(**LLAMA_1B)
    cfg._attn_implementation = attn
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    with torch.device(device):
        model = LlamaForCausalLM(cfg).to(dtype)
    model.config._attn_implementation = attn
    return model


class _Pretokenized:
    """Skips TRL's tokenization (the synthetic pairs are token ids already); times the reference precompute."""

    ref_precompute_s = 0.0

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        return dataset

    def _precompute_ref_logps(self, *a, **kw):
        t0 = time.perf_counter()
        out = super()._precompute_ref_logps(*a, **kw)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.ref_precompute_s += time.perf_counter() - t0
        return out


class _StepTimer:
    def __init__(self, warmup: int):
        from transformers import TrainerCallback

        timer = self

        class CB(TrainerCallback):
            def on_step_end(self, args, state, control, **kw):
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                timer.times.append(time.perf_counter())

        self.cb = CB()
        self.times: list[float] = []
        self.warmup = warmup

    def steady_seconds(self) -> tuple[float, int]:
        t = self.times[self.warmup - 1:] if self.warmup > 0 else self.times
        return t[-1] - t[0], len(t) - 1


def count_tokens(ds) -> tuple[float, float]:
    """Mean tokens per pair: (TRL rows: 2P+C+R, fast path: P+C+R+1)."""
    p = torch.tensor([len(x) for x in ds["prompt_ids"]], dtype=torch.float64)
    c = torch.tensor([len(x) for x in ds["chosen_ids"]], dtype=torch.float64)
    r = torch.tensor([len(x) for x in ds["rejected_ids"]], dtype=torch.float64)
    return float((2 * p + c + r).mean()), float((p + c + r + 1).mean())


def run_method(name: str, args, ds, tok, peak) -> dict:
    from trl import DPOConfig, DPOTrainer

    from align.fast import FastDPOTrainer

    fast = name == "align_fast"
    attn = args.fast_attn if fast else "sdpa"
    cuda = torch.cuda.is_available()
    model = make_model(args, attn)
    n_params = sum(p.numel() for p in model.parameters())
    timer = _StepTimer(args.warmup)
    out = tempfile.mkdtemp(prefix=f"dpo-bench-{name}-")
    batch = args.fast_batch if fast else args.batch
    conf = DPOConfig(
        output_dir=out, max_steps=args.warmup + args.steps, per_device_train_batch_size=batch,
        gradient_checkpointing=(name == "trl_defaults"), bf16=cuda, use_cpu=not cuda, max_length=args.max_length,
        logging_steps=10_000, save_strategy="no", report_to="none", disable_tqdm=True, dataloader_num_workers=0,
        precompute_ref_log_probs=fast, remove_unused_columns=not fast,
    )
    cls = type("Bench" + ("Fast" if fast else "TRL"), (_Pretokenized, FastDPOTrainer if fast else DPOTrainer), {})
    # TRL's default without PEFT: a frozen copy of the initial policy as the reference (the fast path precomputes)
    kwargs = {"fast_options": {"compile": args.compile}} if fast else {"ref_model": make_model(args, attn)}
    t0 = time.perf_counter()
    trainer = cls(model=model, args=conf, train_dataset=ds, processing_class=tok, callbacks=[timer.cb], **kwargs)
    if cuda:
        torch.cuda.synchronize()
    setup_s = time.perf_counter() - t0
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)  # stdout carries only the JSON lines
    trainer.remove_callback(ProgressCallback)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    secs, steps = timer.steady_seconds()
    trl_tok, fast_tok = count_tokens(ds)
    tokens_per_pair = fast_tok if fast else trl_tok
    train_pps = steps * batch / secs
    row = {"bench": "dpo_throughput", "method": name, "device": torch.cuda.get_device_name(0) if cuda else "cpu",
           "model_params": n_params, "pairs": len(ds), "batch": batch, "steps_timed": steps,
           "gradient_checkpointing": name == "trl_defaults", "attn": attn,
           "setup_s": round(setup_s, 2), "train_pairs_per_s": round(train_pps, 3), "tokens_per_pair": round(tokens_per_pair, 1)}
    if fast:
        ref_s = trainer.ref_precompute_s  # one reference pass over the whole dataset
        epoch_s = ref_s + len(ds) / train_pps
        row["ref_precompute_s"] = round(ref_s, 2)
        row["pairs_per_s"] = round(len(ds) / epoch_s, 3)
    else:
        row["pairs_per_s"] = round(train_pps, 3)
    if peak:
        row["mfu"] = round(8 * n_params * tokens_per_pair * row["pairs_per_s"] / peak, 4)
        row["mfu_trl_tokens"] = round(8 * n_params * trl_tok * row["pairs_per_s"] / peak, 4)
    if cuda:
        row["peak_mem_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    del trainer, model
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="tiny Llama on CPU (smoke run)")
    ap.add_argument("--pairs", type=int, default=None)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--fast-batch", type=int, default=None, help="micro-batch of the fast path (default: --batch)")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--max-length", type=int, default=1024)
    ap.add_argument("--fast-attn", default=None, help="fast path attention: flex_attention (GPU default) or sdpa")
    ap.add_argument("--compile", action="store_true", help="torch.compile the decoder layers in the fast path")
    ap.add_argument("--methods", default="trl_defaults,trl_no_gc,align_fast")
    ap.add_argument("--peak-tflops", type=float, default=None, help="override the device's bf16 dense peak")
    args = ap.parse_args()
    cuda = torch.cuda.is_available()
    if args.tiny:
        args.vocab, prompt, answer = 512, (8, 32), (16, 80)
        args.pairs, args.steps, args.warmup = args.pairs or 48, args.steps or 4, args.warmup or 1
    else:
        args.vocab, prompt, answer = 32000, (40, 160), (80, 400)
        args.pairs, args.steps, args.warmup = args.pairs or 1024, args.steps or 20, args.warmup or 3
        if not cuda:
            print(json.dumps({"bench": "dpo_throughput", "error": "the 1.1B setup needs a GPU; use --tiny on CPU"}))
            sys.exit(2)
    args.fast_batch = args.fast_batch or args.batch
    args.fast_attn = args.fast_attn or ("flex_attention" if cuda else "sdpa")
    tok = word_tokenizer(args.vocab)
    ds = make_pairs(args.pairs, args.vocab, prompt, answer)
    peak = peak_flops(args.peak_tflops)
    rows = {}
    for name in args.methods.split(","):
        try:
            rows[name] = run_method(name, args, ds, tok, peak)
        except Exception as e:  # noqa: BLE001 - report and keep measuring the others
            rows[name] = {"bench": "dpo_throughput", "method": name, "error": f"{type(e).__name__}: {str(e)[:300]}"}
            gc.collect()
            if cuda:
                torch.cuda.empty_cache()
        base = rows.get("trl_no_gc", {}).get("pairs_per_s")
        if base and "pairs_per_s" in rows[name]:
            rows[name]["ratio_vs_trl_no_gc"] = round(rows[name]["pairs_per_s"] / base, 3)
        print(json.dumps(rows[name]), flush=True)


if __name__ == "__main__":
    main()
