"""One real Argilla stack (redis + osmem-server + argilla-server 2.8 + worker) for the whole test session.

Started by the same launcher as `curate review serve`; needs .venv-argilla (scripts/setup_argilla.sh) and
redis-server (scripts/setup_ci_system.sh).  Nothing is skipped when they are missing: the fixture fails.
"""

from __future__ import annotations

import sys
import time
import uuid

import httpx
import polars as pl
import pytest

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


@pytest.fixture(scope="session")
def annotators(argilla, owner_client):
    """Two annotator accounts in the workspace; each logs in like the UI does and reads its API key from /me."""
    import argilla as rg

    ws = owner_client.workspaces(name=argilla.workspace)
    keys = {}
    for name in ("ann-ada", "ann-bo"):
        password = uuid.uuid4().hex
        user = rg.User(username=name, password=password, role="annotator", client=owner_client).create()
        user.add_to_workspace(ws)
        token = httpx.post(f"{argilla.url}/api/v1/token", data={"username": name, "password": password}).json()["access_token"]
        me = httpx.get(f"{argilla.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["role"] == "annotator"
        keys[name] = me["api_key"]
    return keys


@pytest.fixture()
def pairs() -> pl.DataFrame:
    return make_pairs(20)


@pytest.fixture()
def cli_env(argilla, monkeypatch):
    monkeypatch.setenv("ARGILLA_API_URL", argilla.url)
    monkeypatch.setenv("ARGILLA_API_KEY", argilla.api_key)
    return argilla
