"""``curate review serve / push / status / pull``: human review of the pairs in Argilla."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Optional

import typer

review_app = typer.Typer(help="Human review in Argilla: serve, users, push, status, pull.", no_args_is_help=True,
                         rich_markup_mode=None)
users_app = typer.Typer(help="Reviewer accounts on the Argilla server (owner's API key): add, list.",
                        no_args_is_help=True, rich_markup_mode=None)
review_app.add_typer(users_app, name="users")

_URL_HELP = "Argilla URL (default: $ARGILLA_API_URL, else http://localhost:6900)"
_KEY_HELP = "Argilla API key (default: $ARGILLA_API_KEY; prefer the environment, flags end up in shell history)"
_WS_HELP = "Argilla workspace (default: review.workspace, else the key's first workspace)"
_CFG_HELP = "YAML config (see `curate config init`); its `review:` section is the base, flags override it"


def _config(config: Optional[Path], params: dict, *, dataset: bool = False):
    """The config with a command's flags (its arguments named like the fields of ``ReviewConfig``) over the
    ``review:`` section. ``--api-url`` only picks the server to connect to (``_client``): it is not config.
    ``dataset``: the command works on one dataset, so ``--dataset`` (or ``review.dataset``) must be given."""
    from curate.app.config import CurateConfig, load_config
    from curate.core.configlib import cli_overrides
    from curate.core.errors import UsageError

    overrides, flags = cli_overrides(CurateConfig, "review", {k: v for k, v in params.items() if k != "api_url"})
    cfg = load_config(config, overrides, flags)
    if dataset and not cfg.review.dataset:
        raise UsageError("give --dataset NAME (or review.dataset in the config)")
    return cfg


def _client(cfg, api_url: Optional[str], api_key: Optional[str]):
    from curate.review.connection import connect

    return connect(api_url or cfg.review.api_url, api_key)


def _quiet_sdk() -> None:
    import logging

    logging.getLogger("argilla.sdk").setLevel(logging.ERROR)


@review_app.command("push")
def push_cmd(
    data: Path = typer.Argument(..., help="Pairs to review: a `curate filter` output dir (kept.parquet) or a table file"),
    dataset: Optional[str] = typer.Option(None, "--dataset", "-d", help="Argilla dataset name (created if missing, updated if it exists)"),
    workspace: Optional[str] = typer.Option(None, "--workspace", "-w", help=_WS_HELP),
    min_submitted: Optional[int] = typer.Option(None, "--min-submitted", help="Task distribution: annotators needed per record (default 1)"),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the per-record A/B order (default: random; a known seed lets anyone with the record ids recompute the order)"),
    suggestions: Optional[bool] = typer.Option(None, "--suggestions/--no-suggestions", show_default=False,
                                               help="Non-blind review: pre-fill the answers from the filter scores and show every score as metadata (tells reviewers which response is chosen). Default: blind (review.suggestions: false)"),
    api_url: Optional[str] = typer.Option(None, "--api-url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help=_CFG_HELP),
) -> None:
    """Create or update an Argilla dataset with one record per pair (record id = pair id; re-push = no duplicates)."""
    params = dict(locals())  # before any other name is bound
    from curate.core.io import read_table
    from curate.review.push import push, validate_pairs

    cfg = _config(config, params, dataset=True)
    path = data / "kept.parquet" if data.is_dir() and (data / "kept.parquet").exists() else data
    df = validate_pairs(read_table(path), str(path))
    _quiet_sdk()
    client = _client(cfg, api_url, api_key)
    out = push(df, client, cfg.review, cfg.review.dataset, cfg.review.workspace, source=path)
    typer.echo(f"{out['dataset']} (workspace {out['workspace']}): {out['created']} created, {out['updated']} updated, "
               f"{out['unchanged']} unchanged; {out['records_in_dataset']} records in the dataset")
    typer.echo("blind review: no suggestions, no metadata that describes a side; " if out["blind"] else
               "NON-BLIND review (review.suggestions: true): the suggestions tell reviewers which response is chosen; ",
               nl=False)
    typer.echo(f"the A/B order and the pushed rows are in {out['key']} (keep annotators out of that workspace)")
    if out["reopened"]:
        typer.echo(f"{out['reopened']} updated pair(s) had responses to the old text: {out['responses_discarded']} "
                   f"response(s) discarded, the pairs are open for review again")


@review_app.command("status")
def status_cmd(
    dataset: Optional[str] = typer.Option(None, "--dataset", "-d", help="Argilla dataset name"),
    workspace: Optional[str] = typer.Option(None, "--workspace", "-w", help=_WS_HELP),
    api_url: Optional[str] = typer.Option(None, "--api-url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the progress as one JSON object"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help=_CFG_HELP),
) -> None:
    """Review progress: records completed / pending overall, and submitted / draft / discarded per annotator."""
    params = dict(locals())  # before any other name is bound
    import json

    from curate.review.connection import get_dataset

    cfg = _config(config, params, dataset=True)
    _quiet_sdk()
    client = _client(cfg, api_url, api_key)
    ds = get_dataset(client, cfg.review.dataset, cfg.review.workspace, exclude=cfg.review.key_workspace)
    progress = ds.progress(with_users_distribution=True)
    if as_json:
        typer.echo(json.dumps(progress, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    total, done = progress.get("total", 0), progress.get("completed", 0)
    pct = 100.0 * done / total if total else 0.0
    console = Console(highlight=False)
    console.print(f"{ds.name}: {done}/{total} records completed ({pct:.0f}%), {progress.get('pending', 0)} pending; "
                  f"{ds.settings.distribution.min_submitted} submission(s) needed per record")
    table = Table("annotator", "submitted", "draft", "discarded")
    for user, p in sorted((progress.get("users") or {}).items()):
        s = {k: p.get("completed", {}).get(k, 0) + p.get("pending", {}).get(k, 0) for k in ("submitted", "draft", "discarded")}
        table.add_row(user, str(s["submitted"]), str(s["draft"]), str(s["discarded"]))
    if table.row_count:
        console.print(table)
    else:
        console.print("no responses yet")


@review_app.command("pull")
def pull_cmd(
    output: Path = typer.Option(..., "-o", "--output", help="Output dir: reviewed.parquet, review_dropped.parquet, review_report.md, manifest.json"),
    dataset: Optional[str] = typer.Option(None, "--dataset", "-d", help="Argilla dataset name"),
    workspace: Optional[str] = typer.Option(None, "--workspace", "-w", help=_WS_HELP),
    data: Optional[Path] = typer.Option(None, "--data", help="The table to merge the review into (default: the rows as they were pushed, from the review key: every column, ready for `curate publish`)"),
    min_votes: Optional[int] = typer.Option(None, "--min-votes", help="Submitted responses a record needs to be decided (default 1)"),
    api_url: Optional[str] = typer.Option(None, "--api-url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help=_CFG_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier `curate review pull` (or other curate) output in OUT"),
) -> None:
    """Merge submitted responses: majority vote, agreement, corrections re-scored, discarded pairs dropped with a reason."""
    params = dict(locals())  # before any other name is bound
    from curate.core.errors import UsageError
    from curate.core.outputs import check_output_dir, replacing
    from curate.review.pull import pull

    cfg = _config(config, params, dataset=True)
    if data is not None and not data.exists():
        raise UsageError(f"--data {data}: no such file or directory")
    plan = check_output_dir(output, overwrite=overwrite, flag="-o", inputs=[data])
    _quiet_sdk()
    client = _client(cfg, api_url, api_key)
    with replacing(plan):
        manifest = pull(client, cfg, output, data=data)
    c = manifest["counts"]
    typer.echo(f"{output}: {c['accepted']} accepted, {c['dropped']} dropped, {c['disputed']} disputed, "
               f"{c['pending']} pending ({c['corrected']} corrected); see {output / 'review_report.md'}")


_USERNAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
ROLES = ("annotator", "admin")


def _require_owner(client, what: str) -> None:
    from curate.core.errors import UsageError

    me = client.me
    role = str(getattr(me.role, "value", me.role))
    if role != "owner":
        raise UsageError(f"only the Argilla owner can {what} (this API key belongs to {role} {me.username!r}); use the "
                         f"owner's key, which `curate review serve` prints")


@users_app.command("add")
def users_add_cmd(
    name: str = typer.Argument(..., help="Username of the new account: letters, digits, '.', '_', '-'"),
    role: str = typer.Option("annotator", "--role", help="annotator (answers the review questions) or admin (also manages the workspace's datasets)"),
    workspace: Optional[str] = typer.Option(None, "--workspace", "-w", help="Workspace the account may review in (default: review.workspace, else the key's first workspace; created if missing)"),
    as_json: bool = typer.Option(False, "--json", help="Print the credentials as one JSON object"),
    api_url: Optional[str] = typer.Option(None, "--api-url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP + "; must be the owner's"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help=_CFG_HELP),
) -> None:
    """Create a reviewer account, add it to the workspace and print its username, password and API key (once)."""
    params = dict(locals())  # before any other name is bound
    import json
    import re
    import secrets

    import httpx

    from curate.core.errors import RuntimeFailure, UsageError
    from curate.review.connection import get_workspace

    if not re.fullmatch(_USERNAME, name):
        raise UsageError(f"user name {name!r}: use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit")
    if role not in ROLES:
        raise UsageError(f"--role {role!r}: must be one of {', '.join(ROLES)}")
    cfg = _config(config, params)
    if (cfg.review.workspace or "") == cfg.review.key_workspace:
        raise UsageError(f"workspace {cfg.review.key_workspace!r} is the review key workspace: reviewers must not be members")
    _quiet_sdk()
    client = _client(cfg, api_url, api_key)
    _require_owner(client, "create accounts")
    import argilla as rg

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDK warns when the name is free
        taken = client.users(username=name) is not None
    if taken:
        raise UsageError(f"user {name!r} already exists on {client.api_url}; pick another name (a password is shown "
                         f"only when the account is created)")
    ws = get_workspace(client, cfg.review.workspace, create=True, exclude=cfg.review.key_workspace)
    password = secrets.token_urlsafe(12)
    user = rg.User(username=name, password=password, role=role, client=client).create()
    user.add_to_workspace(ws)
    url = client.api_url.rstrip("/")
    try:  # the new account's API key: log in as it, the way the UI does
        token = httpx.post(f"{url}/api/v1/token", data={"username": name, "password": password}, timeout=30)
        token.raise_for_status()
        me = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=30)
        me.raise_for_status()
        key = me.json()["api_key"]
    except (httpx.HTTPError, KeyError, ValueError) as e:
        raise RuntimeFailure(f"created user {name!r}, but logging in as it failed ({type(e).__name__}); its password "
                             f"is {password}") from None
    if as_json:
        typer.echo(json.dumps({"url": url, "username": name, "password": password, "api_key": key, "role": role,
                               "workspace": ws.name}))
        return
    typer.echo(f"created {role} {name!r} in workspace {ws.name!r} at {url}\n"
               f"  username: {name}\n  password: {password}\n  api key:  {key}\n"
               f"Give these to the reviewer: they log in at {url} with the username and password (the API key is for "
               f"scripts). They are shown only now.")


@users_app.command("list")
def users_list_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the accounts as JSON"),
    api_url: Optional[str] = typer.Option(None, "--api-url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP + "; must be the owner's"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help=_CFG_HELP),
) -> None:
    """The accounts on the server: username, role, workspaces (never passwords or keys)."""
    params = dict(locals())  # before any other name is bound
    import json

    cfg = _config(config, params)
    _quiet_sdk()
    client = _client(cfg, api_url, api_key)
    _require_owner(client, "list accounts")
    http = client.api.http_client
    rows = []
    for u in client.users:
        r = http.get(f"/api/v1/users/{u.id}/workspaces")
        names = sorted(w["name"] for w in r.json().get("items", [])) if r.status_code == 200 else []
        rows.append({"username": u.username, "role": str(getattr(u.role, "value", u.role)), "workspaces": names})
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for r in sorted(rows, key=lambda r: r["username"]):
        typer.echo(f"{r['username']:<24} {r['role']:<10} {', '.join(r['workspaces']) or '-'}")


@review_app.command("serve")
def serve_cmd(
    port: Optional[int] = typer.Option(None, "--port", help="Port of the Argilla server (default 6900; 0 = any free port)"),
    host: Optional[str] = typer.Option(None, "--host", help="Loopback address to bind (default 127.0.0.1; other addresses are refused)"),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Keep the database (and the owner's credentials) here across restarts; default: a temp dir removed on exit"),
    server_venv: Optional[Path] = typer.Option(None, "--server-venv", help="Virtualenv with argilla-server (default: $CURATE_ARGILLA_VENV, else .venv-argilla; scripts/setup_argilla.sh builds it)"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help=_CFG_HELP),
) -> None:
    """Start a local Argilla (server, worker, search, redis) on loopback; print URL and credentials; Ctrl-C stops it."""
    params = dict(locals())  # before any other name is bound
    import os

    from curate.review.launcher import VENV_ENV, ReviewStack

    cfg = _config(config, params).review
    venv = str(server_venv) if server_venv else (os.environ.get(VENV_ENV) or cfg.server_venv)
    stack = ReviewStack(venv=venv, host=cfg.host, port=cfg.port, data_dir=cfg.data_dir,
                        username=cfg.owner_username, startup_timeout_s=cfg.startup_timeout_s)

    def _on_term(signum, frame):  # SIGTERM stops as cleanly as Ctrl-C
        raise KeyboardInterrupt

    stack.check()
    previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        typer.echo("starting redis, osmem-server, argilla-server and its worker ...", err=True)
        t0 = time.monotonic()
        info = stack.start()
        typer.echo(f"Argilla is ready at {info.url} ({time.monotonic() - t0:.0f} s)\n"
                   f"  username: {info.username}\n  password: {info.password}\n  api key:  {info.api_key}\n"
                   f"  workspace: {info.workspace}\n"
                   f"For the CLI:  export ARGILLA_API_URL={info.url} ARGILLA_API_KEY={info.api_key}\n"
                   f"Press Ctrl-C to stop.", err=False)
        import sys

        sys.stdout.flush()
        while True:
            for name, p in stack.procs.items():
                if p.poll() is not None:
                    from curate.core.errors import RuntimeFailure

                    raise RuntimeFailure(f"{name} exited unexpectedly with code {p.returncode}")
            time.sleep(0.5)
    except KeyboardInterrupt:
        typer.echo("stopping ...", err=True)
    finally:
        # a second Ctrl-C while stopping must not leave processes behind
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            stack.stop()
        finally:
            signal.signal(signal.SIGINT, old_int)
            signal.signal(signal.SIGTERM, previous)
    typer.echo("stopped", err=True)
