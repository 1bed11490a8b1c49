#!/usr/bin/env bash
# Create .venv-argilla: a local Argilla server for `curate review serve` and the review tests.
# argilla-server pins typer 0.9.4 / click<8.2 / huggingface_hub<2, which clash with the toolkit's own
# dependencies, so it lives in its own virtualenv. The toolkit itself only needs the `argilla` SDK.
# Idempotent: a venv that already imports argilla_server 2.8.0 and has osmem-server is left alone.
# The venv: $ARGILLA_VENV, else $CURATE_ARGILLA_VENV (where `curate review serve` and the tests look), else .venv-argilla.
#   --check   exit 0 when the venv is complete, 1 when not; install nothing
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${ARGILLA_VENV:-${CURATE_ARGILLA_VENV:-.venv-argilla}}
if [ -x "$VENV/bin/python" ] \
   && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('argilla-server') != '2.8.0' or m.version('osmem-server') != '0.1.6')" 2>/dev/null; then
  echo "argilla server venv ok: $VENV"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then echo "argilla server venv missing or incomplete: $VENV"; exit 1; fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/python -m pip --disable-pip-version-check"
$PIP install -q --upgrade pip
$PIP install -q "argilla-server==2.8.0" "click<8.2" "huggingface_hub<2" "osmem-server==0.1.6"
echo "setup done: $VENV"
