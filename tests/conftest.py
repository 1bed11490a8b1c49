"""The test command sets up what it needs by itself.

`.venv/bin/python -m pytest -q` on a fresh machine: when the collected tests include the review tests (they use the
real Argilla stack: redis-server and the separate .venv-argilla), ``scripts/setup_test_env.sh`` runs once before
any test -- idempotent, quick when everything is there, locked against a second run installing at the same time.
``CURATE_TEST_SETUP=0`` turns it off (the review tests then fail with the launcher's one-line reason);
``CURATE_TEST_SETUP_SCRIPT`` runs another script instead (the test of this hook uses it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP = ROOT / "scripts" / "setup_test_env.sh"
NEEDS_SETUP = "argilla_stack"  # the session fixture of tests/curate/review that starts redis + Argilla


def needs_test_env(items) -> bool:
    return any(NEEDS_SETUP in getattr(item, "fixturenames", ()) for item in items)


def ensure_test_env(config=None) -> tuple[bool, str]:
    """Run ``scripts/setup_test_env.sh`` with pytest's output capture suspended, its lines passed through as they come
    (an install takes minutes: the user sees what it does); returns (ok, its last lines)."""
    capture = config.pluginmanager.getplugin("capturemanager") if config is not None else None
    if capture is not None:
        capture.suspend_global_capture(in_=True)
    lines: list[str] = []
    try:
        script = os.environ.get("CURATE_TEST_SETUP_SCRIPT") or str(SETUP)
        proc = subprocess.Popen(["bash", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            line = line.rstrip()
            lines.append(line)
            if line != "test environment ok":  # the usual case says nothing
                print(f"[setup_test_env] {line}", file=sys.stderr, flush=True)
        proc.wait(timeout=3600)
        return proc.returncode == 0, "\n".join(lines[-5:])
    finally:
        if capture is not None:
            capture.resume_global_capture()


def pytest_collection_modifyitems(session, config, items):
    if os.environ.get("CURATE_TEST_SETUP", "1").lower() in ("0", "false", "no", "off"):
        return
    if not needs_test_env(items):
        return
    ok, tail = ensure_test_env(config)
    if not ok:  # not fatal for the other tests: the review tests fail with the launcher's reason
        print(f"\n[setup_test_env] set-up failed; the review tests will fail:\n{tail}", file=sys.stderr)
