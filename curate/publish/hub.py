"""Pushing a built dataset folder to the Hugging Face Hub in ONE commit.

The token comes only from ``HF_TOKEN`` in the environment and is passed to ``huggingface_hub`` in memory; it is
never written to a file, a manifest, the card or a log line (errors are redacted).  ``HF_ENDPOINT`` points at
another Hub (a mirror, or a test server on loopback).  The commit adds every file of the folder and deletes stale
``data/*.parquet`` shards of an earlier publish, so the repo never mixes two versions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from curate.core.errors import RuntimeFailure, UsageError
from curate.core.manifest import redact, secret_values

TOKEN_ENV = "HF_TOKEN"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


def check_repo_id(repo_id: str) -> None:
    if not _REPO_ID.match(repo_id or "") or ".." in repo_id or "--" in repo_id:
        raise UsageError(f"--repo-id {repo_id!r}: expected ORG/NAME (letters, digits, '-', '_', '.')")


def token_from_env() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise UsageError(f"--repo-id needs a Hugging Face token in the {TOKEN_ENV} environment variable (it is never written anywhere)")
    return token


def push_folder(folder: Path, repo_id: str, *, token: str, private: bool, commit_message: str) -> str:
    """Create the dataset repo if needed and commit the folder's files; return the commit URL."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    api = HfApi(token=token)  # endpoint: HF_ENDPOINT or the public Hub
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    adds = [CommitOperationAdd(path_in_repo=p.relative_to(folder).as_posix(), path_or_fileobj=str(p)) for p in files]
    names = {op.path_in_repo for op in adds}
    try:
        api.create_repo(repo_id, repo_type="dataset", private=True if private else None, exist_ok=True)
        remote = api.list_repo_files(repo_id, repo_type="dataset")
        stale = [f for f in remote if f.startswith("data/") and f.endswith(".parquet") and f not in names]
        info = api.create_commit(
            repo_id, repo_type="dataset", operations=[*adds, *(CommitOperationDelete(path_in_repo=f) for f in stale)],
            commit_message=commit_message,
        )
    except Exception as e:  # network, auth, server errors: one redacted line, exit 1
        detail = " ".join(str(e).split())[:300]
        raise RuntimeFailure(redact(f"upload to {repo_id} failed: {type(e).__name__}: {detail}", [token, *secret_values()])) from None
    return str(info.commit_url)
