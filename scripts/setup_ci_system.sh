#!/usr/bin/env bash
# System packages the tests need: redis-server (the Argilla server's worker queue). Idempotent and quiet.
#   --check   exit 0 when it is installed, 1 when not; install nothing
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "${1:-}" = "--check" ]; then exit 1; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
echo "installed redis-server: $(redis-server --version | cut -d' ' -f3)"
