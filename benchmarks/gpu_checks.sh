#!/usr/bin/env bash
# Every GPU check and benchmark of the project in one run (a device lease is short: one call, then give it back).
#
#   here, once:        bash scripts/fetch_device_wheels.sh      # trl, datasets, dill, multiprocess -> .whl/
#   on the GPU box:    bash benchmarks/gpu_checks.sh            # carry .whl; results as JSON lines in $OUT
#   CPU dry run:       TINY=1 OUT=/tmp/gpu-out bash benchmarks/gpu_checks.sh
#
# Steps (each under its own timeout, so one failure does not eat the rest):
#   1. env.json              GPU name, torch/transformers versions
#   2. static_decoder.log    tests/rewrite/test_static_decoder.py on CUDA (CUDA-graph replay == eager == generate)
#      align_fast.log        tests/align/test_fast.py's CUDA checks (flex vs SDPA in bf16, fwd+bwd; no recompiles)
#   3. rewrite.jsonl         benchmarks/rewrite_throughput.py, 1.1B Llama: per-row, generate@256, backend (static decoder)
#   4. dpo.jsonl             benchmarks/dpo_throughput.py, 1.1B Llama: TRL defaults, TRL no-GC, align fast path
#   EXTRA=1 adds: the fast path with --compile, with SDPA at micro-batch 16, and the static decoder at batch 512
# Budget: steps 1-4 take about 5-7 minutes on an H100/H200 (one device call of 600 s; keep the rest for a rerun).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false TQDM_DISABLE=1
PY=${PYTHON:-python3}
if ! "$PY" -c "import trl, datasets" 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "wheel install failed"; exit 1; }
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
step() { local name=$1 limit=$2; shift 2; echo "== $name (limit ${limit}s): $*"; local t0=$SECONDS
  timeout "$limit" "$@"; echo "== $name: rc=$? in $((SECONDS - t0))s"; }

step env 60 "$PY" -c "import json, torch, transformers; print(json.dumps({'gpu': torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, 'torch': torch.__version__, 'transformers': transformers.__version__}))" | tee "$OUT/env.json"
step static_decoder 180 "$PY" -m pytest -q -p no:cacheprovider tests/rewrite/test_static_decoder.py 2>&1 | tee "$OUT/static_decoder.log"
step align_fast 180 "$PY" -m pytest -q -p no:cacheprovider tests/align/test_fast.py -k "cuda or eager_and_flex or compiled_block" 2>&1 | tee "$OUT/align_fast.log"
if [ -n "${TINY:-}" ]; then
  step rewrite 300 "$PY" benchmarks/rewrite_throughput.py --preset tiny --prompts 8 --prompt-len 32 --new-tokens 8 --batch 4 --per-row-sample 1 --decode static | tee "$OUT/rewrite.jsonl"
  step dpo 300 "$PY" benchmarks/dpo_throughput.py --tiny | tee "$OUT/dpo.jsonl"
else
  step rewrite 240 "$PY" benchmarks/rewrite_throughput.py --preset llama-1b --per-row-sample 2 | tee "$OUT/rewrite.jsonl"
  step dpo 300 "$PY" benchmarks/dpo_throughput.py | tee "$OUT/dpo.jsonl"
  if [ -n "${EXTRA:-}" ]; then  # second run, if the lease has time: the fast path's alternatives
    step dpo_compile 240 "$PY" benchmarks/dpo_throughput.py --methods align_fast --compile | tee "$OUT/dpo_variants.jsonl"
    step dpo_sdpa16 240 "$PY" benchmarks/dpo_throughput.py --methods align_fast --fast-attn sdpa --fast-batch 16 | tee -a "$OUT/dpo_variants.jsonl"
    step rewrite_batch512 120 "$PY" benchmarks/rewrite_throughput.py --preset llama-1b --skip-baselines --backend-batch 512 | tee "$OUT/rewrite_batch512.jsonl"
  fi
fi
