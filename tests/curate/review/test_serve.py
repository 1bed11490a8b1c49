"""`curate review serve`: starts the whole stack on loopback, prints working credentials, stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app

REPO = Path(__file__).resolve().parents[3]


def _listeners(port: int) -> list[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            addr, hexport = parts[1].rsplit(":", 1)
            if parts[3] == "0A" and int(hexport, 16) == port:  # 0A = LISTEN
                found.append(addr)
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.mark.slow
def test_serve_starts_on_loopback_and_stops_cleanly(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "curate.app.cli", "review", "serve", "--port", "0"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        out = "".join(lines)
        m = re.search(r"ready at (http://127\.0\.0\.1:(\d+))", out)
        assert m, out + proc.stderr.read() if proc.poll() is not None else out
        url, port = m.group(1), int(m.group(2))
        key = re.search(r"api key:\s+(\S+)", out).group(1)
        password = re.search(r"password:\s+(\S+)", out).group(1)
        assert f"ARGILLA_API_KEY={key}" in out
        # the printed credentials work: API key and password login
        assert httpx.get(f"{url}/api/v1/me", headers={"X-Argilla-Api-Key": key}).json()["role"] == "owner"
        assert httpx.post(f"{url}/api/v1/token", data={"username": "owner", "password": password}).status_code == 201
        # loopback only: the server listens on 127.0.0.1 and nothing else
        addrs = _listeners(port)
        assert addrs and all(a == "0100007F" for a in addrs), addrs
        # the stack's temp dir (TMPDIR for the server's UI copies) exists while it runs
        stack_dirs = list(tmp_path.glob("curate-argilla-*"))
        assert len(stack_dirs) == 1
        children = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()]
        assert len(children) == 4  # redis, osmem, server, worker

        proc.send_signal(signal.SIGINT)  # Ctrl-C
        t0 = time.monotonic()
        rc = proc.wait(timeout=60)
        stop_s = time.monotonic() - t0
        err = proc.stderr.read()
        assert rc == 0, err
        assert stop_s < 2.0, f"Ctrl-C took {stop_s:.1f} s to stop the stack"
        assert "stopped" in err
        assert not any(_group_alive(c) for c in children)  # each child ran in its own group; all gone
        assert not list(tmp_path.glob("curate-argilla-*"))  # temp dir (db, UI copies, logs) removed
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url}/api/v1/me", timeout=2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_serve_refuses_a_non_loopback_host(capsys):
    assert run_app(app, "curate", ["review", "serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "loopback" in err


def test_serve_names_the_missing_server_venv(tmp_path, capsys):
    rc = run_app(app, "curate", ["review", "serve", "--server-venv", str(tmp_path / "nope")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    assert "scripts/setup_argilla.sh" in err and str(tmp_path / "nope") in err
