#!/usr/bin/env bash
# What the test suite needs beyond .venv (scripts/setup.sh): redis-server (apt, scripts/setup_ci_system.sh) and the
# Argilla server's own virtualenv .venv-argilla (pip, scripts/setup_argilla.sh), both for the review tests.
# Idempotent, and quick when everything is there; a lock keeps two test runs from installing at the same time.
# The README's test command runs it by itself when the review tests are collected (tests/conftest.py); so does .ci/run.
#   --check   report what is missing (exit 1 if anything is), install nothing
set -euo pipefail
cd "$(dirname "$0")/.."

missing() {
  local m=()
  bash scripts/setup_ci_system.sh --check >/dev/null 2>&1 || m+=("redis-server")
  bash scripts/setup_argilla.sh --check >/dev/null 2>&1 || m+=("${ARGILLA_VENV:-${CURATE_ARGILLA_VENV:-.venv-argilla}}")
  echo "${m[*]:-}"
}

need=$(missing)
if [ "${1:-}" = "--check" ]; then
  if [ -n "$need" ]; then echo "test environment: missing $need (run scripts/setup_test_env.sh)"; exit 1; fi
  echo "test environment ok"
  exit 0
fi
if [ -z "$need" ]; then echo "test environment ok"; exit 0; fi

mkdir -p .pytest_cache
exec 9>.pytest_cache/setup_test_env.lock
if command -v flock >/dev/null 2>&1; then flock 9; fi   # another run may be installing: wait for it, then re-check
need=$(missing)
if [ -z "$need" ]; then echo "test environment ok"; exit 0; fi
echo "test environment: installing $need (once; later runs find it)"
bash scripts/setup_ci_system.sh
bash scripts/setup_argilla.sh
need=$(missing)
if [ -n "$need" ]; then echo "test environment: still missing $need after set-up" >&2; exit 1; fi
echo "test environment ok"
