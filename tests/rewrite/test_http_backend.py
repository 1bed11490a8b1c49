"""The HTTP backend against a real loopback server: happy path, faults, PHI guard, secrets, prompt versions."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from curate.core.errors import RuntimeFailure, UsageError
from curate.core.schema import make_id
from rewrite.config import RewriteConfig
from rewrite.runner import run_rewrite
from tests.rewrite.conftest import example_rows, write_qa
from tests.rewrite.llm_server import PREFACE, LLMServer


def _ids(out: Path) -> list[str]:
    return pl.read_parquet(out / "pairs.parquet")["id"].to_list() + pl.read_parquet(out / "quarantine.parquet")["id"].to_list()


def _cfg(server: LLMServer, **kw) -> RewriteConfig:
    return RewriteConfig(**{"base_url": server.url, "model": "loopback-llm", "concurrency": 4, "timeout_s": 5.0,
                            "max_retries": 3, **kw})


def test_limit_lists_the_rows_it_skips_and_quarantine_keeps_extra_columns(tmp_path):
    rows = example_rows(6)
    rows[1] = (rows[1][0], "   ")  # an empty answer: quarantined as an input problem
    src = tmp_path / "qa.csv"
    pl.DataFrame({"question": [q for q, _ in rows], "answer": [a for _, a in rows],
                  "topic": [f"t{i}" for i in range(6)]}).write_csv(src)
    with LLMServer() as server:
        m = run_rewrite(src, tmp_path / "out", _cfg(server, limit=2), progress=False)
        assert server.requests == 4  # 2 rows x 2 styles: nothing beyond the limit was sent
    pairs = pl.read_parquet(tmp_path / "out" / "pairs.parquet")
    q = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    c = m["counts"]
    assert (c["pairs"], c["quarantined"], c["skipped_by_limit"]) == (2, 1, 3)
    assert pairs.height + q.height == 6 and sorted(pairs["input_row"].to_list() + q["input_row"].to_list()) == list(range(6))
    assert q.filter(pl.col("reason") == "skipped_by_limit")["input_row"].to_list() == [3, 4, 5]
    assert "skipped_by_limit" not in c["quarantine_by_reason"]
    assert q.sort("input_row")["topic"].to_list() == ["t1", "t3", "t4", "t5"]  # extra input columns survive


def test_http_rewrite_happy_path(tmp_path):
    src = write_qa(tmp_path / "qa.csv", example_rows(8))
    with LLMServer() as server:
        m = run_rewrite(src, tmp_path / "out", _cfg(server), progress=False)
    pairs = pl.read_parquet(tmp_path / "out" / "pairs.parquet")
    assert pairs.height == 8 and m["counts"]["quarantined"] == 0
    assert all(c.startswith(PREFACE["supportive"].strip()) for c in pairs["chosen"])
    assert all(r.startswith(PREFACE["prescriptive"].strip()) for r in pairs["rejected"])
    assert set(pairs["rewrite_model"]) == {"loopback-llm"}
    assert pairs["prompt_version"][0].startswith("supportive@1.0:") and "+prescriptive@1.0:" in pairs["prompt_version"][0]
    assert m["remote_endpoint"] is False
    # model discovery through GET /models when --model is not given
    with LLMServer(model="served-name") as server:
        m2 = run_rewrite(src, tmp_path / "out2", RewriteConfig(base_url=server.url), progress=False)
    assert m2["model"] == "served-name"


def test_faulty_server_every_row_ends_somewhere_and_retries_are_bounded(tmp_path):
    rows = example_rows(30)
    src = write_qa(tmp_path / "qa.csv", rows)
    with LLMServer(fail_rate=0.3, garbage_rate=0.1, hang_s=2.5, seed=7) as server:
        m = run_rewrite(src, tmp_path / "out", _cfg(server, timeout_s=1.0, max_retries=2, concurrency=8), progress=False)
        log = list(server.log)
    out = tmp_path / "out"
    ids = _ids(out)
    assert sorted(ids) == sorted(make_id(q, a) for q, a in rows) and len(set(ids)) == 30
    outcomes = {o for _, o in log}
    assert {"429", "500", "hang", "garbage"} <= outcomes  # every fault kind really happened
    per_tag: dict[str, int] = {}
    for tag, _ in log:
        per_tag[tag] = per_tag.get(tag, 0) + 1
    assert max(per_tag.values()) <= 3  # 1 try + max_retries=2
    q = pl.read_parquet(out / "quarantine.parquet")
    for reason in q["reason"]:
        for part in reason.split(";"):
            role, why = part.split(":")
            assert role in ("chosen", "rejected") and why in ("backend_error", "too_short", "empty_output")
    assert m["backend_stats"]["retries"] > 0
    assert m["counts"]["pairs"] + m["counts"]["quarantined"] == 30
    raw = [json.loads(r) for r in q["raw_output"]]
    assert all(r for r in raw)  # the raw output or the backend error is kept for every quarantined row


def test_phi_guard_refuses_remote_and_allows_with_flag(tmp_path, monkeypatch):
    rows = example_rows(3) + [("Can you review Mr. John Carter's chart?", "Mr. John Carter, DOB 04/12/1941, phone 555-201-3344, takes donepezil 10 mg daily."),
                              ("Where should the nurse visit?", "Visit Mrs.\nAnn Lee at 42 Elm\nStreet on Tuesday.")]  # PHI split across lines
    src = write_qa(tmp_path / "qa.csv", rows)
    secret = "sk-test-DO-NOT-LEAK-123456"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    with LLMServer() as server:
        # a "remote" host, routed to the loopback server through an HTTP proxy: no traffic leaves the machine
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        remote = RewriteConfig(base_url="http://clinic-llm.example.com/v1", model="m", max_retries=0)
        with pytest.raises(UsageError, match=r"2 row\(s\) contain PHI .* refusing to send rows [0-9a-f]{16}, [0-9a-f]{16} "):
            run_rewrite(src, tmp_path / "refused", remote, progress=False)
        assert not (tmp_path / "refused").exists()  # nothing written
        assert server.log == []  # nothing sent
        allowed = RewriteConfig(base_url="http://clinic-llm.example.com/v1", model="m", allow_phi=True, max_retries=0)
        m = run_rewrite(src, tmp_path / "allowed", allowed, progress=False)
        assert m["counts"]["pairs"] == 5 and m["remote_endpoint"] is True and m["counts"]["phi_rows"] == 2
        assert len(server.log) == 10
        assert set(server.auth_headers) == {f"Bearer {secret}"}  # the key was used ...
    for f in (tmp_path / "allowed").rglob("*"):  # ... and never written anywhere
        if f.is_file():
            assert secret.encode() not in f.read_bytes(), f


def test_loopback_is_not_blocked_by_phi_guard(tmp_path):
    src = write_qa(tmp_path / "qa.csv", [("Note for Mrs. Ann Lee?", "Mrs. Ann Lee takes memantine 10 mg twice daily for Alzheimer's disease.")])
    with LLMServer() as server:
        m = run_rewrite(src, tmp_path / "out", _cfg(server), progress=False)
    assert m["counts"]["pairs"] == 1 and m["counts"]["phi_rows"] == 1


def test_new_prompt_version_regenerates_only_that_style(tmp_path):
    src = write_qa(tmp_path / "qa.csv", example_rows(6))
    styles = tmp_path / "styles"
    styles.mkdir()
    base = (Path(__file__).resolve().parents[2] / "rewrite" / "styles" / "prescriptive.yaml").read_text()
    with LLMServer() as server:
        run_rewrite(src, tmp_path / "out", _cfg(server), progress=False)
        assert len(server.log) == 12
        again = run_rewrite(src, tmp_path / "out", _cfg(server), progress=False)
        assert len(server.log) == 12 and again["counts"]["from_cache"] == 12  # idempotent rerun: nothing sent
        (styles / "prescriptive.yaml").write_text(base.replace('version: "1.0"', 'version: "1.1"'))
        m = run_rewrite(src, tmp_path / "out", _cfg(server, styles_dir=str(styles)), progress=False)
        new = server.log[12:]
    assert len(new) == 6 and all(tag.endswith("/prescriptive") for tag, _ in new)
    assert m["counts"]["from_cache"] == 6 and "prescriptive@1.1:" in m["prompt_version"]


def test_dead_endpoint_is_a_runtime_failure_with_nothing_written(tmp_path):
    src = write_qa(tmp_path / "qa.csv", example_rows(2))
    with LLMServer() as server:
        port = server.port
    cfg = RewriteConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", max_retries=1, timeout_s=2.0)
    with pytest.raises(RuntimeFailure, match=r"every request to the model failed \(4\); first error: gave up after 2 attempts"):
        run_rewrite(src, tmp_path / "out", cfg, progress=False)
    assert not (tmp_path / "out" / "pairs.parquet").exists() and not (tmp_path / "out" / "manifest.json").exists()


def test_rejected_key_stops_the_run_with_exit_2(tmp_path, monkeypatch, capsys):
    from curate.app.cli import main

    src = write_qa(tmp_path / "qa.csv", example_rows(5))
    secret = "sk-wrong-key-0000000"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    with LLMServer(always_status=401) as server:
        with pytest.raises(SystemExit) as e:
            main(["--debug", "rewrite", str(src), "-o", str(tmp_path / "out"), "--base-url", server.url, "--model", "m",
                  "--concurrency", "1"])
        sent = len(server.log)
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert "HTTP 401: the endpoint rejected the API key" in err
    assert secret not in out + err  # not even in the --debug traceback
    assert sent < 10  # stopped early instead of sending every row
    assert not (tmp_path / "out" / "pairs.parquet").exists()


def test_environment_proxy_is_never_used_for_loopback(tmp_path, monkeypatch):
    src = write_qa(tmp_path / "qa.csv", [("Note for Mrs. Ann Lee?", "Mrs. Ann Lee takes memantine 10 mg twice daily.")])
    with LLMServer() as dead:
        dead_port = dead.port
    with LLMServer() as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        cfg = RewriteConfig(base_url=f"http://127.0.0.1:{dead_port}/v1", model="m", max_retries=0, timeout_s=2.0)
        with pytest.raises(RuntimeFailure):
            run_rewrite(src, tmp_path / "out", cfg, progress=False)
        assert proxy.log == []  # the PHI text did not travel through the proxy


def test_progress_without_a_terminal_prints_plain_lines(capsys):
    from rewrite.runner import RewriteProgress, _progress

    p = _progress(10, True, tty=False, rows_total=5)
    assert isinstance(p, RewriteProgress)
    p.every_s = 0.0
    with p:
        task = p.add_task("rewrite", total=10)
        for i in range(3):
            p.advance(task, 2, tokens=40, rows_done=i + 1)
        p.step(7)  # a decoding step of a running batch: a heartbeat line with the tokens so far
        p.advance(task, 4, tokens=80, rows_done=5)
    lines = [l for l in capsys.readouterr().err.splitlines() if l.startswith("rewrite:")]
    assert [l.split(" generations")[0] for l in lines] == ["rewrite: 2/10", "rewrite: 4/10", "rewrite: 6/10",
                                                          "rewrite: 6/10", "rewrite: 10/10"]
    assert "5/5 rows" in lines[-1] and "3/5 rows" in lines[2] and all(" tok/s" in l for l in lines)
    quiet = _progress(10, False, tty=False)
    with quiet:
        quiet.advance(None, 10)
    assert capsys.readouterr().err == ""
