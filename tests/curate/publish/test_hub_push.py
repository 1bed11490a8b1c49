"""`curate publish --repo-id`: a real huggingface_hub client talking to a Hub stand-in on loopback (HF_ENDPOINT).

The stand-in implements the endpoints one publish uses (create repo, validate YAML, list files, preupload,
commit) and stores committed files in memory, so the test checks what actually arrived.  A second server
fails the commit: the CLI exits 1 with one line, the token appears nowhere, nothing is left locally.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polars as pl
import pytest

from curate.publish.card import parse_metadata
from tests.curate.publish.conftest import make_pairs, tree, write_stage_dir

TOKEN = "hf_testtoken_0123456789abcdef"


class FakeHub:
    def __init__(self, fail_commit: bool = False):
        self.fail_commit = fail_commit
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, str]] = []  # method, path, authorization
        self.created: list[dict] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _reply(self, code: int, obj) -> None:
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def do_GET(self):
                hub.requests.append(("GET", self.path, self.headers.get("Authorization", "")))
                if "/tree/" in self.path:
                    return self._reply(200, [{"type": "file", "path": p, "size": len(b), "oid": "0" * 40}
                                             for p, b in sorted(hub.files.items())])
                self._reply(404, {"error": "not found"})

            def do_POST(self):
                hub.requests.append(("POST", self.path, self.headers.get("Authorization", "")))
                body = self._body()
                if self.path == "/api/repos/create":
                    hub.created.append(json.loads(body))
                    return self._reply(200, {"url": f"{hub.url}/datasets/org/name", "name": "org/name"})
                if self.path == "/api/validate-yaml":
                    return self._reply(200, {})
                if "/preupload/" in self.path:
                    files = json.loads(body)["files"]
                    return self._reply(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                                                       for f in files]})
                if "/commit/" in self.path:
                    if hub.fail_commit:
                        return self._reply(500, {"error": f"internal error while committing (token {TOKEN})"})
                    for line in body.decode().splitlines():
                        item = json.loads(line)
                        if item["key"] == "file":
                            hub.files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
                        elif item["key"] == "deletedFile":
                            hub.files.pop(item["value"]["path"], None)
                    return self._reply(200, {"commitUrl": f"{hub.url}/datasets/org/name/commit/abc123",
                                             "commitOid": "abc123" + "0" * 34})
                self._reply(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_hub():
    hubs = []

    def start(**kw) -> FakeHub:
        hubs.append(FakeHub(**kw))
        return hubs[-1]
    yield start
    for h in hubs:
        h.close()


def run_cli(tmp_path: Path, hub: FakeHub, *args) -> subprocess.CompletedProcess:
    """The real console entry point in a fresh process: huggingface_hub reads HF_ENDPOINT at import."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(HF_ENDPOINT=hub.url, HF_TOKEN=TOKEN, HF_HOME=str(tmp_path / "hf-home"), TMPDIR=str(tmp_path / "tmp"),
               HF_HUB_DISABLE_TELEMETRY="1", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "curate.app.cli", *map(str, args)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def all_local_text(root: Path) -> str:
    out = []
    for p in root.rglob("*"):
        if p.is_file():
            out.append(p.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(out)


def test_push_uploads_the_dataset_in_one_commit_with_the_token_from_env(tmp_path, fake_hub):
    hub = fake_hub()
    hub.files["data/train-00000-of-00003.parquet"] = b"stale shard of an earlier publish"
    data = write_stage_dir(tmp_path / "filter", make_pairs())
    r = run_cli(tmp_path, hub, "publish", data, "--repo-id", "org/name", "--private", "--license", "cc-by-4.0")
    assert r.returncode == 0, r.stderr
    assert f"published 20 train + 4 test rows to {hub.url}/datasets/org/name/commit/abc123" in " ".join(r.stdout.split())
    assert hub.created == [{"name": "name", "organization": "org", "visibility": "private", "type": "dataset"}]
    commits = [p for m, p, _ in hub.requests if "/commit/" in p]
    assert commits == ["/api/datasets/org/name/commit/main"]  # one commit
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in hub.requests)
    assert sorted(hub.files) == ["README.md", "data/test-00000-of-00001.parquet", "data/train-00000-of-00001.parquet",
                                 "manifest.json"]  # the stale shard was deleted in the same commit
    train = pl.read_parquet(io.BytesIO(hub.files["data/train-00000-of-00001.parquet"]))
    assert train.columns[:3] == ["prompt", "chosen", "rejected"] and train.height == 20
    card = hub.files["README.md"].decode()
    assert parse_metadata(card)["license"] == "cc-by-4.0"
    # the token is nowhere: not in what was uploaded, not in the output, not in any local file
    assert TOKEN not in card and TOKEN.encode() not in hub.files["manifest.json"]
    assert TOKEN not in r.stdout + r.stderr and TOKEN not in all_local_text(tmp_path)
    assert tree(tmp_path / "tmp") == []  # the staging folder is gone


def test_failed_upload_exits_1_and_leaves_nothing(tmp_path, fake_hub):
    hub = fake_hub(fail_commit=True)
    data = write_stage_dir(tmp_path / "filter", make_pairs())
    (tmp_path / "tmp").mkdir()
    before = tree(tmp_path)
    r = run_cli(tmp_path, hub, "publish", data, "--repo-id", "org/name")
    assert r.returncode == 1
    err = " ".join(r.stderr.split())
    assert err.startswith("error: upload to org/name failed") and r.stderr.count("error:") == 1
    assert TOKEN not in r.stdout + r.stderr and TOKEN not in all_local_text(tmp_path)
    assert hub.files == {}  # nothing committed
    assert tree(tmp_path / "tmp") == [] and tree(tmp_path) == before  # nothing half-published locally


def test_push_refused_by_a_gate_never_contacts_the_hub(tmp_path, fake_hub):
    hub = fake_hub()
    df = make_pairs().with_columns(keep=pl.int_range(pl.len()) != 0)
    r = run_cli(tmp_path, hub, "publish", write_stage_dir(tmp_path / "filter", df), "--repo-id", "org/name")
    assert r.returncode == 2 and "dropped by the filters" in r.stderr
    assert hub.requests == []


def test_failed_upload_with_a_local_copy_configured_writes_no_local_copy(tmp_path, fake_hub):
    hub = fake_hub(fail_commit=True)
    data = write_stage_dir(tmp_path / "filter", make_pairs())
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"publish:\n  to_dir: {tmp_path / 'local'}\n  repo_id: org/name\n")
    r = run_cli(tmp_path, hub, "publish", data, "--config", cfg)
    assert r.returncode == 1 and "upload to org/name failed" in " ".join(r.stderr.split())
    assert not (tmp_path / "local").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging next to it either
    # the same config with a working Hub: both the local copy and the Hub get the same files
    ok = fake_hub()
    r = run_cli(tmp_path, ok, "publish", data, "--config", cfg)
    assert r.returncode == 0, r.stderr
    local = {p: (tmp_path / "local" / p).read_bytes() for p in tree(tmp_path / "local") if (tmp_path / "local" / p).is_file()}
    assert set(local) == set(ok.files)
    assert all(local[p] == ok.files[p] for p in local if p != "manifest.json")
