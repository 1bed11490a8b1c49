"""Connecting to Argilla: flags or ``ARGILLA_API_URL`` / ``ARGILLA_API_KEY``; every failure is one line, exit 2."""

from __future__ import annotations

import os
import warnings

from curate.core.errors import UsageError

DEFAULT_URL = "http://localhost:6900"


def resolve(api_url: str | None = None, api_key: str | None = None) -> tuple[str, str]:
    url = api_url or os.environ.get("ARGILLA_API_URL") or DEFAULT_URL
    key = api_key or os.environ.get("ARGILLA_API_KEY")
    if not key:
        raise UsageError("no Argilla API key: set ARGILLA_API_KEY (or pass --api-key)")
    return url.rstrip("/"), key


def connect(api_url: str | None = None, api_key: str | None = None, timeout: float = 30.0):
    """An ``argilla.Argilla`` client, checked: server down / wrong key raise ``UsageError`` (one line)."""
    import argilla as rg
    import httpx

    url, key = resolve(api_url, api_key)
    # one plain request first: fails fast (the SDK retries a refused connection with backoff) and names the cause
    try:
        r = httpx.get(f"{url}/api/v1/me", headers={"X-Argilla-Api-Key": key}, timeout=timeout)
    except httpx.HTTPError as e:
        raise UsageError(f"cannot reach the Argilla server at {url}: {type(e).__name__}: {' '.join(str(e).split())}; "
                         f"is it running? (`curate review serve` starts a local one)") from None
    if r.status_code in (401, 403):
        raise UsageError(f"the Argilla server at {url} rejected the API key (check ARGILLA_API_KEY / --api-key)")
    if r.status_code != 200:
        raise UsageError(f"{url} does not answer like an Argilla server (GET /api/v1/me: HTTP {r.status_code})")
    try:
        client = rg.Argilla(api_url=url, api_key=key, timeout=int(timeout))
    except httpx.HTTPError as e:
        raise UsageError(f"cannot reach the Argilla server at {url}: {type(e).__name__}: {e}; "
                         f"is it running? (`curate review serve` starts a local one)") from None
    except Exception as e:  # argilla's credential / API errors
        name = type(e).__name__
        if "Credentials" in name or "Unauthorized" in name or "Forbidden" in name:
            raise UsageError(f"the Argilla server at {url} rejected the API key (check ARGILLA_API_KEY / --api-key)") from None
        cause = e.__cause__ or e.__context__
        if isinstance(cause, httpx.HTTPError):
            raise UsageError(f"cannot reach the Argilla server at {url}: {type(cause).__name__}: {cause}") from None
        raise UsageError(f"cannot connect to the Argilla server at {url}: {name}: {' '.join(str(e).split())}") from None
    return client


def get_workspace(client, name: str | None, create: bool = False, exclude: str | None = None):
    """The workspace ``name``; without a name the key's first workspace other than ``exclude`` (the review key
    workspace, never one to review in)."""
    import argilla as rg

    if name is None:
        spaces = [w for w in client.workspaces if w.name != exclude]
        if not spaces:
            raise UsageError("this Argilla user has no workspace; pass --workspace NAME")
        return spaces[0]
    ws = client.workspaces(name=name)
    if ws is None:
        if not create:
            raise UsageError(f"Argilla workspace {name!r} not found")
        ws = rg.Workspace(name=name, client=client).create()
    return ws


def get_dataset(client, name: str, workspace: str | None, exclude: str | None = None):
    """The dataset ``name`` or a one-line ``UsageError`` naming what exists."""
    ws = get_workspace(client, workspace, exclude=exclude)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = client.datasets(name=name, workspace=ws)
    if ds is None:
        names = sorted(d.name for d in ws.datasets)
        known = f"; datasets there: {', '.join(names[:10])}" if names else "; it has no datasets"
        raise UsageError(f"Argilla dataset {name!r} not found in workspace {ws.name!r}{known}")
    return ds
