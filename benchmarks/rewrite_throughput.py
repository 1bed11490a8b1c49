"""Generated tokens/s of the rewrite stage's transformers backend vs per-row and plain batched ``generate``.

All three run in the same process on the same random-weight model, so the result is a ratio:
  per_row        : ``model.generate`` one prompt at a time (what a naive loop does)
  generate_batch : one plain ``model.generate`` call per batch of ``--batch`` prompts
  backend        : ``TransformersBackend.generate_ids``, the path ``curate rewrite`` uses: bf16 on GPU and, with
                   ``--decode auto`` (the default) on CUDA or ``--decode static``, the static-cache decoder whose
                   decode step is one CUDA-graph replay per token; ``--decode generate --compile`` measures
                   ``generate()`` with a static cache and torch.compile instead
Every row is forced to generate exactly ``--new-tokens`` tokens (random weights would stop at random places).

GPU setup of the issue:  python benchmarks/rewrite_throughput.py --preset llama-1b
CPU smoke run (tiny):    python benchmarks/rewrite_throughput.py
Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import LLAMA_1B, word_tokenizer  # noqa: E402


def build_model(preset: str, out_dir: str):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if preset == "llama-1b":
        cfg = LlamaConfig(**LLAMA_1B)
    else:
        cfg = LlamaConfig(vocab_size=32000, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048)
    cfg.bos_token_id, cfg.eos_token_id, cfg.pad_token_id = 1, 2, 0
    torch.manual_seed(0)
    LlamaForCausalLM(cfg).save_pretrained(out_dir)
    word_tokenizer(cfg.vocab_size, chat_template="{% for m in messages %}{{ m['content'] }}{% endfor %}").save_pretrained(out_dir)
    return cfg


def main() -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=["tiny", "llama-1b"], default="llama-1b" if torch.cuda.is_available() else "tiny")
    ap.add_argument("--prompts", type=int, default=None, help="default: 512 on GPU, 32 on CPU")
    ap.add_argument("--prompt-len", type=int, default=256)
    ap.add_argument("--new-tokens", type=int, default=None, help="default: 256 on GPU, 32 on CPU")
    ap.add_argument("--batch", type=int, default=None, help="default: 256 on GPU, 16 on CPU")
    ap.add_argument("--per-row-sample", type=int, default=4, help="prompts timed one by one (tok/s extrapolates)")
    ap.add_argument("--decode", choices=["auto", "static", "generate"], default="auto",
                    help="backend decoder (auto: static on CUDA, generate on CPU)")
    ap.add_argument("--backend-batch", type=int, default=None, help="backend's batch size (default: --batch)")
    ap.add_argument("--compile", action="store_true", help="generate() path: static KV cache + torch.compile (CUDA only)")
    ap.add_argument("--skip-baselines", action="store_true", help="only the backend (when the baselines were measured)")
    args = ap.parse_args()
    gpu = torch.cuda.is_available()
    n = args.prompts or (512 if gpu else 32)
    new = args.new_tokens or (256 if gpu else 32)
    batch = args.batch or (256 if gpu else 16)
    bbatch = args.backend_batch or batch

    from rewrite.backends.transformers_backend import TransformersBackend

    with tempfile.TemporaryDirectory() as d:
        build_model(args.preset, d)
        backend = TransformersBackend(d, max_new_tokens=new, temperature=0.0, batch_size=bbatch, compile=args.compile,
                                      decode=args.decode)
    lm = backend.lm
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, 32000, (n, args.prompt_len), generator=g)
    mask = torch.ones_like(ids)
    device = str(lm.device)
    meta = {"preset": args.preset, "device": device, "gpu": torch.cuda.get_device_name(0) if gpu else None,
            "dtype": str(lm.dtype), "prompts": n, "prompt_len": args.prompt_len, "new_tokens": new, "batch": batch,
            "torch": torch.__version__}

    def sync():
        if gpu:
            torch.cuda.synchronize()

    def plain(i0: int, i1: int):
        with torch.inference_mode():
            return lm.generate(input_ids=ids[i0:i1].to(lm.device), attention_mask=mask[i0:i1].to(lm.device),
                               max_new_tokens=new, min_new_tokens=new, do_sample=False, pad_token_id=0)

    results = {}
    if not args.skip_baselines:
        plain(0, 1)  # warm-up
        k = min(args.per_row_sample, n)
        sync(); t0 = time.perf_counter()
        for i in range(k):
            plain(i, i + 1)
        sync(); dt = time.perf_counter() - t0
        results["per_row"] = k * new / dt
        print(json.dumps({"measurement": "per_row", "tokens_per_s": round(results["per_row"], 1), "rows_timed": k,
                          **meta}), flush=True)

        sync(); t0 = time.perf_counter()
        for i in range(0, n, batch):
            plain(i, i + batch)
        sync(); dt = time.perf_counter() - t0
        results["generate_batch"] = n * new / dt
        print(json.dumps({"measurement": f"generate_batch{batch}", "tokens_per_s": round(results["generate_batch"], 1),
                          **meta}), flush=True)

    sync(); t0 = time.perf_counter()
    backend.generate_ids(ids[:bbatch], mask[:bbatch], min_new_tokens=new)  # warm-up: graph capture / compilation
    sync(); warm = time.perf_counter() - t0
    sync(); t0 = time.perf_counter()
    produced = 0
    for i in range(0, n, bbatch):
        out = backend.generate_ids(ids[i : i + bbatch], mask[i : i + bbatch], min_new_tokens=new)
        produced += sum(len(o) for o in out)
    sync(); dt = time.perf_counter() - t0
    results["backend"] = produced / dt
    ratios = {f"x_{k}": round(results["backend"] / v, 2) for k, v in results.items() if k != "backend"}
    print(json.dumps({"measurement": "backend", "decoder": "static" if backend.decoder is not None else "generate",
                      "cuda_graph": bool(backend.decoder is not None and backend.decoder.use_graph),
                      "compile": args.compile, "backend_batch": bbatch, "tokens_per_s": round(results["backend"], 1),
                      "tokens": produced, "warmup_s": round(warm, 2), **ratios, **meta}), flush=True)


if __name__ == "__main__":
    main()
