#!/usr/bin/env bash
# Wheels the GPU machine lacks (it has torch, transformers, peft, accelerate, pyarrow; no trl/datasets and no
# network), downloaded here into .whl/ for Python 3.12 x86-64. benchmarks/gpu_checks.sh installs them there.
# Never add pyarrow: the machine's own pyarrow must stay (another version broke datasets' pickling there).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
mkdir -p .whl
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform any -d .whl \
  "trl==1.16.0" "datasets==5.2.0" "dill==0.4.1" "multiprocess==0.70.19"
ls -la .whl
