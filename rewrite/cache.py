"""Persistent generation cache: what makes ``curate rewrite`` resumable after a crash or ``kill -9``.

One SQLite row per finished generation, committed as soon as it arrives (WAL journal), keyed by
(row id, style, style prompt version, model, generation parameters).  A new prompt version of one style changes
only that style's keys, so only its outputs are regenerated.  Failed requests are never cached: a rerun retries them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path


def cache_key(row_id: str, style: str, prompt_version: str, model: str, gen_params: dict) -> str:
    payload = json.dumps([row_id, style, prompt_version, model, gen_params], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class GenerationCache:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: the HTTP backend may report results from its event-loop thread (one writer at a time)
        self.db = sqlite3.connect(self.path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, row_id TEXT, style TEXT, prompt_version TEXT,"
            " model TEXT, text TEXT, finish_reason TEXT, completion_tokens INTEGER, created REAL)"
        )
        self.db.commit()

    def get_many(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key, text, finish_reason FROM outputs WHERE key IN ({','.join('?' * len(chunk))})"
            out.update({k: (t, f) for k, t, f in self.db.execute(q, chunk)})
        return out

    def put(self, key: str, row_id: str, style: str, prompt_version: str, model: str, text: str,
            finish_reason: str | None, completion_tokens: int | None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO outputs VALUES (?,?,?,?,?,?,?,?,?)",
            (key, row_id, style, prompt_version, model, text, finish_reason, completion_tokens, time.time()),
        )
        self.db.commit()

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM outputs").fetchone()[0]

    def close(self) -> None:
        self.db.close()
