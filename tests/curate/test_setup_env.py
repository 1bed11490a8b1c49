"""The README's test command does its own set-up: collecting the review tests runs
scripts/setup_test_env.sh once; collecting only other tests does not; the script reports what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _collect(tmp_path: Path, *paths: str) -> tuple[subprocess.CompletedProcess, Path]:
    marker = tmp_path / "ran"
    fake = tmp_path / "fake_setup.sh"
    fake.write_text(f'echo "installing (fake)"; echo once >> "{marker}"\n')
    env = {**os.environ, "CURATE_TEST_SETUP_SCRIPT": str(fake)}
    env.pop("CURATE_TEST_SETUP", None)
    r = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return r, marker


def test_collecting_the_review_tests_runs_the_setup_once(tmp_path):
    r, marker = _collect(tmp_path, "tests/curate/review", "tests/rewrite/test_validate.py")
    assert r.returncode == 0, r.stdout + r.stderr
    assert marker.read_text() == "once\n"  # once per session, not per test
    assert "[setup_test_env] installing (fake)" in r.stderr


def test_other_tests_do_not_trigger_the_setup(tmp_path):
    r, marker = _collect(tmp_path, "tests/rewrite/test_validate.py")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not marker.exists()


def test_the_setup_script_names_what_is_missing(tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with bash and the basics but no redis-server
    bin_dir.mkdir()
    for tool in ("bash", "env", "dirname", "cat", "python3"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "CURATE_ARGILLA_VENV": str(tmp_path / "no-venv"), "HOME": str(tmp_path)}
    r = subprocess.run(["bash", str(ROOT / "scripts/setup_test_env.sh"), "--check"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stdout.strip() == f"test environment: missing redis-server {tmp_path / 'no-venv'} (run scripts/setup_test_env.sh)"
