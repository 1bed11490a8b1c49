"""A local Argilla review stack on loopback: redis + osmem-server + argilla-server (+ worker), SQLite.

``curate review serve`` and the test suite's session fixture both use :class:`ReviewStack`.  The server runs
from its own virtualenv (``scripts/setup_argilla.sh`` builds ``.venv-argilla``) because argilla-server pins
typer / click / huggingface_hub versions the toolkit cannot share.  Everything binds 127.0.0.1, every port
is picked free, every process gets its own session so it can be stopped as a group, and ``TMPDIR`` points
into the stack's own folder (argilla-server copies its 14 MB UI into a fresh temp dir on every import and
never removes it), which is deleted on stop.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from curate.core.errors import RuntimeFailure, UsageError
from curate.core.net import free_port, is_loopback_host

VENV_ENV = "CURATE_ARGILLA_VENV"
HOOK_DIR = Path(__file__).parent / "server_hook"
ENGINE_NAME = "opensearch-osmem"
REPO_ROOT = Path(__file__).resolve().parents[2]


def find_server_venv(venv: str | os.PathLike | None = None) -> Path:
    """The argilla-server virtualenv: ``venv`` / $CURATE_ARGILLA_VENV / ``.venv-argilla`` (cwd, then repo root)."""
    given = venv or os.environ.get(VENV_ENV) or ".venv-argilla"
    p = Path(given).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, REPO_ROOT / p]
    for c in candidates:
        if (c / "bin" / "python").exists():
            return c
    raise UsageError(f"argilla server virtualenv not found at {candidates[0]}; run scripts/setup_argilla.sh "
                     f"or set ${VENV_ENV} / --server-venv")


def find_osmem(venv: Path) -> Path:
    """The osmem-server binary: $OSMEM_SERVER_BIN, else the one bundled in the venv's ``osmem_server`` package."""
    env = os.environ.get("OSMEM_SERVER_BIN")
    if env:
        return Path(env)
    found = sorted(venv.glob("lib/python3*/site-packages/osmem_server/bin/osmem-server"))
    if not found:
        raise UsageError(f"{venv}: osmem-server is not installed in this virtualenv; run scripts/setup_argilla.sh")
    return found[0]


def process_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total = 0
    todo = [pid]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return round(total / 1024, 1)


@dataclass
class StackInfo:
    url: str
    username: str
    password: str
    api_key: str
    workspace: str


@dataclass
class ReviewStack:
    """Start with ``start()`` (or ``with ReviewStack() as info:``), stop with ``stop()``."""

    venv: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    data_dir: str | None = None
    username: str = "owner"
    workspace: str = "argilla"
    startup_timeout_s: float = 120.0
    quiet: bool = True
    procs: dict = field(default_factory=dict)
    info: StackInfo | None = None
    _root: Path | None = None

    # ------------------------------------------------------------------ lifecycle
    def check(self) -> tuple[Path, Path, str]:
        """Everything the stack needs, or a one-line ``UsageError``: (server venv, osmem binary, redis-server)."""
        if not is_loopback_host(self.host):
            raise UsageError(f"--host {self.host}: the local review stack binds loopback addresses only (127.0.0.1, ::1, localhost)")
        venv = find_server_venv(self.venv)
        osmem = find_osmem(venv)
        redis_bin = shutil.which("redis-server")
        if redis_bin is None:
            raise UsageError("redis-server not found on PATH; install it (apt-get install redis-server, or scripts/setup_ci_system.sh)")
        return venv, osmem, redis_bin

    def start(self) -> StackInfo:
        venv, osmem, redis_bin = self.check()
        self._root = Path(tempfile.mkdtemp(prefix="curate-argilla-"))
        try:
            self._start(venv, osmem, redis_bin)
        except BaseException:
            self.stop()
            raise
        return self.info

    def _start(self, venv: Path, osmem: Path, redis_bin: str) -> None:
        root = self._root
        tmp = root / "tmp"
        home = root / "home"
        logs = root / "logs"
        for d in (tmp, home, logs):
            d.mkdir()
        data = Path(self.data_dir).expanduser().resolve() if self.data_dir else root / "data"
        data.mkdir(parents=True, exist_ok=True)
        host = "127.0.0.1" if self.host == "localhost" else self.host
        redis_port, os_port = free_port(), free_port()
        port = self.port or free_port()
        if _port_in_use(host, port):
            raise UsageError(f"port {port} on {host} is already in use; pick another with --port (0 = any free port)")

        self._spawn("redis", [redis_bin, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no", "--dir", str(root)], logs)
        self._spawn("osmem", [str(osmem), "-addr", f"127.0.0.1:{os_port}",
                              "-no-stdin-watch", "-no-ja"], logs)
        self._wait(lambda: _port_in_use("127.0.0.1", redis_port), "redis")
        self._wait(lambda: _http_ok(f"http://127.0.0.1:{os_port}/"), "osmem-server")

        env = {k: v for k, v in os.environ.items() if not k.startswith("ARGILLA_")}
        env.update({
            "TMPDIR": str(tmp),
            "PYTHONPATH": str(HOOK_DIR),
            "ARGILLA_HOME_PATH": str(home),
            "ARGILLA_DATABASE_URL": f"sqlite+aiosqlite:///{data / 'argilla.db'}?check_same_thread=False",
            "ARGILLA_ELASTICSEARCH": f"http://127.0.0.1:{os_port}",
            "ARGILLA_SEARCH_ENGINE": ENGINE_NAME,
            "ARGILLA_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "ARGILLA_AUTH_SECRET_KEY": secrets.token_hex(32),
            "ARGILLA_ENABLE_TELEMETRY": "0",
            "HF_HUB_OFFLINE": "1",
        })
        py = str(venv / "bin" / "python")
        hook = [py, "-m", "curate_argilla_hook"]
        # the worker needs only redis to start: it boots while the server process migrates and creates the owner
        self._spawn("worker", hook + ["curate-worker"], logs, env)

        creds_file = data / "credentials.json"
        server_env = dict(env)
        if creds_file.exists():  # a persistent --data-dir: the owner already exists
            creds = json.loads(creds_file.read_text())
        else:
            creds = {"username": self.username, "password": secrets.token_urlsafe(12),
                     "api_key": "curate.apikey." + secrets.token_urlsafe(24), "workspace": self.workspace}
            server_env.update({"CURATE_OWNER_USERNAME": creds["username"], "CURATE_OWNER_PASSWORD": creds["password"],
                               "CURATE_OWNER_API_KEY": creds["api_key"], "CURATE_OWNER_WORKSPACE": creds["workspace"]})
        self._spawn("server", hook + ["curate-start", host, str(port)], logs, server_env)
        url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self._wait(lambda: _http_ok(f"{url}/api/v1/me", creds["api_key"]), "argilla server")
        if not creds_file.exists():
            fd = os.open(creds_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(creds, f)
        self.info = StackInfo(url=url, **creds)

    def stop(self, grace_s: float = 1.0) -> None:
        """Stop every process (worker, server, search, redis) at once: SIGTERM to each process group, SIGKILL to
        what is still running after ``grace_s`` seconds; then remove the temp folder.  Redis and the search index
        keep nothing on disk and SQLite commits are atomic, so a kill loses nothing: stopping takes ~1 s, not the
        sum of each process's own graceful shutdown."""
        procs = [self.procs.pop(name) for name in ("worker", "server", "osmem", "redis") if name in self.procs]
        procs += [self.procs.pop(name) for name in list(self.procs)]
        _stop_groups(procs, grace_s)
        for f in getattr(self, "_logfiles", []):
            f.close()
        self._logfiles = []
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> StackInfo:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ helpers
    def rss_mb(self) -> dict[str, float]:
        return {name: process_rss_mb(p.pid) for name, p in self.procs.items() if p.poll() is None}

    def log_tail(self, name: str, lines: int = 20) -> str:
        if self._root is None:
            return ""
        path = self._root / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _spawn(self, name: str, cmd: list[str], logs: Path, env: dict | None = None) -> None:
        log = open(logs / f"{name}.log", "wb")
        self._logfiles = [*getattr(self, "_logfiles", []), log]
        self.procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, cwd=str(self._root), start_new_session=True)

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            for name, p in self.procs.items():
                if p.poll() is not None:
                    tail = self.log_tail(name, 5).replace("\n", " | ")
                    raise RuntimeFailure(f"{name} exited with code {p.returncode} while starting: {tail[-300:]}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeFailure(f"{what} not ready after {self.startup_timeout_s:.0f} s")


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _http_ok(url: str, api_key: str | None = None) -> bool:
    try:
        headers = {"X-Argilla-Api-Key": api_key} if api_key else {}
        return httpx.get(url, headers=headers, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _stop_groups(procs: list[subprocess.Popen], grace_s: float = 1.0) -> None:
    """SIGTERM the process groups we started (each in its own session) all at once, SIGKILL the ones still alive
    after ``grace_s``, and leave no member of any group behind (the rq worker may have forked)."""
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace_s
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _stop_group(p: subprocess.Popen, timeout: float = 15.0) -> None:
    """One process group: see :func:`_stop_groups`."""
    _stop_groups([p], timeout)
