"""One real Argilla stack (redis + osmem-server + argilla-server 2.8 + worker) for the whole test session.

Started by the same launcher as `curate review serve`; needs .venv-argilla (scripts/setup_argilla.sh) and
redis-server (scripts/setup_ci_system.sh).  Nothing is skipped when they are missing: the fixture fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time

import httpx
import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.review.launcher import ReviewStack
from tests.curate.review.helpers import make_pairs


@pytest.fixture(scope="session")
def argilla_stack():
    stack = ReviewStack(port=0, startup_timeout_s=180)
    t0 = time.monotonic()
    info = stack.start()
    startup = time.monotonic() - t0
    try:
        yield stack, info
    finally:
        rss = stack.rss_mb()
        print(f"\n[argilla stack] startup {startup:.1f} s, RSS MB at teardown: {rss}", file=sys.stderr)
        stack.stop()


@pytest.fixture(scope="session")
def argilla(argilla_stack):
    return argilla_stack[1]


@pytest.fixture(scope="session")
def owner_client(argilla):
    from curate.review.connection import connect

    return connect(argilla.url, argilla.api_key)


def add_user(info, name: str, role: str = "annotator", workspace: str | None = None) -> dict:
    """`curate review users add NAME --role ROLE --json` with the owner's key: the printed credentials."""
    argv = ["review", "users", "add", name, "--role", role, "--json", "--api-url", info.url, "--api-key", info.api_key]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = run_app(app, "curate", argv + (["--workspace", workspace] if workspace else []))
    assert rc == 0, out.getvalue()
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="session")
def annotators(argilla, owner_client):
    """Two annotator accounts made by `curate review users add`; {username: the API key it printed}."""
    keys = {}
    for name in ("ann-ada", "ann-bo"):
        creds = add_user(argilla, name)
        me = httpx.get(f"{argilla.url}/api/v1/me", headers={"X-Argilla-Api-Key": creds["api_key"]}).json()
        assert me["role"] == "annotator" and me["username"] == name
        keys[name] = creds["api_key"]
    return keys


@pytest.fixture()
def pairs() -> pl.DataFrame:
    return make_pairs(20)


@pytest.fixture()
def cli_env(argilla, monkeypatch):
    monkeypatch.setenv("ARGILLA_API_URL", argilla.url)
    monkeypatch.setenv("ARGILLA_API_KEY", argilla.api_key)
    return argilla
