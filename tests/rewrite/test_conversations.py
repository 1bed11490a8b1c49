"""Conversations through `curate rewrite` (real HTTP server on loopback): the request carries every earlier turn,
`rewrite.turns`, ids over context + target, bad conversations quarantined per row (or one line, exit 2, for a
file that cannot hold conversations), every conversation ending exactly once, also after kill -9 and a rerun."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import main
from curate.core.conversations import make_conversation_id, parse_turns, targets
from curate.core.schema import make_id
from rewrite.validate import context_problem, validate_output
from tests.rewrite.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[2]
DIALOGUES = ROOT / "examples" / "caregiver_dialogues.jsonl"


def dialogues(n: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in DIALOGUES.read_text("utf-8").splitlines() if line.strip()]
    return rows[:n] if n else rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def rewrite(src, out, url, *extra) -> int:
    try:
        main(["rewrite", str(src), "-o", str(out), "--base-url", url, "--model", "loopback-llm", *map(str, extra)])
    except SystemExit as e:
        return e.code
    return 0


BAD = {
    "no_assistant_turn": [{"role": "user", "content": "Is this normal?"}],
    "roles_out_of_order": [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Hello?"},
                           {"role": "assistant", "content": "Yes."}],
    "empty_content": [{"role": "user", "content": "Why?"}, {"role": "assistant", "content": "   "}],
    "unknown_role": [{"role": "user", "content": "Why?"}, {"role": "tool", "content": "{}"}],
    "not_a_list": "My mother keeps asking the same question.",
    "ends_with_user_turn": [{"role": "user", "content": "Q1?"}, {"role": "assistant", "content": "A1."},
                            {"role": "user", "content": "And then?"}],
}


def test_request_carries_every_earlier_turn_and_pairs_keep_the_context(tmp_path):
    rows = dialogues(6)
    src = write_jsonl(tmp_path / "d.jsonl", rows)
    with LLMServer() as server:
        assert rewrite(src, tmp_path / "rw", server.url) == 0
        bodies = dict(server.bodies)
    pairs = pl.read_parquet(tmp_path / "rw" / "pairs.parquet")
    quarantine = pl.read_parquet(tmp_path / "rw" / "quarantine.parquet")
    assert sorted(pairs["input_row"].to_list() + quarantine["input_row"].to_list()) == list(range(6))
    assert pairs.height >= 4, quarantine.select("input_row", "reason")
    for row in pairs.iter_rows(named=True):
        turns, _ = parse_turns(rows[row["input_row"]]["messages"])
        last = targets(turns)[0]
        assert row["question"] == last.question and row["source_answer"] == last.answer and row["turn"] == len(turns) - 1
        assert json.loads(row["context"]) == last.context and len(last.context) >= 2
        assert row["id"] == make_conversation_id(last.context, last.question, last.answer)
        assert row["topic"] == rows[row["input_row"]]["topic"]  # extra input columns ride along
        assert row["prompt_version"].endswith(row["prompt_version"].split("+")[-1]) and "dialogue@" in row["prompt_version"]
        for style in ("supportive", "prescriptive"):
            request = bodies[f"{row['id']}/{style}"][-1]["content"]
            # every earlier turn, in order, and the last user turn and the target as QUESTION / ANSWER
            at = [request.index(" ".join(t["content"].split())) for t in last.context]
            assert at == sorted(at), style
            assert request.index("QUESTION: " + last.question) > at[-1]
            assert "ANSWER: " + " ".join(last.answer.split()) in request
    # a system turn in the conversation reaches the request too
    with_system = [r for r in pairs.iter_rows(named=True) if json.loads(r["context"])[0]["role"] == "system"]
    assert with_system and "SYSTEM: " in bodies[f"{with_system[0]['id']}/supportive"][-1]["content"]
    manifest = json.loads((tmp_path / "rw" / "manifest.json").read_text())
    assert manifest["counts"]["conversations"] == 6


def test_turns_all_targets_every_assistant_turn_and_single_turn_requests_are_unchanged(tmp_path):
    convo = dialogues()[3]  # three exchanges
    assert len(convo["messages"]) == 6
    src = write_jsonl(tmp_path / "d.jsonl", [convo])
    with LLMServer() as server:
        assert rewrite(src, tmp_path / "rw", server.url, "--turns", "all") == 0
        bodies = dict(server.bodies)
    out = pl.concat([pl.read_parquet(tmp_path / "rw" / "pairs.parquet").select("id", "turn", "context", "question"),
                     pl.read_parquet(tmp_path / "rw" / "quarantine.parquet").select("id", "turn", "context", "question")])
    assert sorted(out["turn"].to_list()) == [1, 3, 5]
    first = out.filter(pl.col("turn") == 1).row(0, named=True)
    assert json.loads(first["context"]) == [] and first["question"] == convo["messages"][0]["content"]
    # the first exchange has no earlier turns: its request is exactly the single-turn request
    # (and so is its id: a conversation of one exchange is the same row as the question / answer pair)
    m = convo["messages"]
    assert first["id"] == make_id(m[0]["content"], m[1]["content"])
    from rewrite.styles import load_styles

    spec = load_styles()["supportive"]
    if f"{first['id']}/supportive" in bodies:
        assert bodies[f"{first['id']}/supportive"] == spec.messages(m[0]["content"], m[1]["content"])


def test_sharegpt_parquet_and_datasets_dir(tmp_path):
    import datasets

    share = [{"conversations": [{"from": "human" if t["role"] == "user" else "gpt", "value": t["content"]}
                                for t in r["messages"] if t["role"] != "system"], "topic": r["topic"]} for r in dialogues(4)]
    pl.DataFrame(share).write_parquet(tmp_path / "share.parquet")
    datasets.Dataset.from_list(share).save_to_disk(str(tmp_path / "hfdir"))
    with LLMServer() as server:
        for name in ("share.parquet", "hfdir"):
            assert rewrite(tmp_path / name, tmp_path / f"rw-{name}", server.url) == 0
    a = pl.read_parquet(tmp_path / "rw-share.parquet" / "pairs.parquet")
    b = pl.read_parquet(tmp_path / "rw-hfdir" / "pairs.parquet")
    assert a.height >= 3 and a["id"].to_list() == b["id"].to_list()
    assert all(t["role"] in ("user", "assistant") for c in a["context"].to_list() for t in json.loads(c))


def test_bad_conversations_are_quarantined_per_row_with_a_reason(tmp_path):
    good = dialogues(2)
    rows = [*good, *({"messages": v, "topic": k} for k, v in BAD.items())]
    src = write_jsonl(tmp_path / "mixed.jsonl", rows)
    with LLMServer() as server:
        assert rewrite(src, tmp_path / "rw", server.url) == 0
    pairs = pl.read_parquet(tmp_path / "rw" / "pairs.parquet")
    q = pl.read_parquet(tmp_path / "rw" / "quarantine.parquet")
    bad = q.filter(pl.col("stage") == "input")
    assert dict(zip(bad["topic"], bad["reason"])) == {k: k for k in BAD}
    assert sorted(pairs["input_row"].to_list() + q["input_row"].to_list()) == list(range(len(rows)))
    assert q["id"].n_unique() == q.height


@pytest.mark.parametrize("content, message", [
    ('{"messages": 5}\n{"messages": 7}\n', "bad.jsonl: column 'messages' holds Int64, not lists of chat turns"),
    ('{"messages": [{"speaker": "a", "text": "b"}]}\n', "expected role/content (OpenAI, TRL) or from/value (ShareGPT)"),
    ('{"dialog": [{"role": "user", "content": "q"}]}\n', "or a `messages` / `conversations` column of chat turns"),
])
def test_a_file_that_cannot_hold_conversations_is_one_line_exit_2(tmp_path, capsys, content, message):
    src = tmp_path / "bad.jsonl"
    src.write_text(content)
    with pytest.raises(SystemExit) as e:
        main(["rewrite", str(src), "-o", str(tmp_path / "out"), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not (tmp_path / "out").exists()


def test_outputs_that_do_not_answer_the_last_user_turn_are_quarantined():
    context = [{"role": "user", "content": "What is donepezil for?"},
               {"role": "assistant", "content": "Donepezil is a cholinesterase inhibitor used for Alzheimer's disease. "
                                                "It may help memory and thinking for a time but does not stop the disease."}]
    target = ("The usual starting dose is 5 mg once daily at bedtime. After 4 to 6 weeks the dose may be raised to "
              "10 mg once daily.")
    answers_first = ("It is so good that you asked. Donepezil is a cholinesterase inhibitor used for Alzheimer's "
                     "disease, and it may help memory and thinking for a time, but it does not stop the disease.")
    good = "You are doing a lot for her. She will usually start at 5 mg once a day at bedtime, and after 4 to 6 weeks the doctor may raise it to 10 mg once a day."
    assert context_problem(answers_first, target, context, 0.9) == "answers_earlier_turn"
    assert context_problem("CAREGIVER: What is donepezil for?\n" + good, target, context, 0.9) == "echo_context"
    assert context_problem(context[1]["content"], target, context, 0.9) == "echo_context"
    assert context_problem(good, target, context, 0.9) is None
    kw = dict(finish_reason="stop", error=None, question="How much should she take?", source_answer=target,
              instructions="Rewrite the ANSWER.\n\nQUESTION: {question}\n\nANSWER: {answer}", min_length_ratio=0.3,
              max_length_ratio=3.0, max_copy_similarity=0.9)
    assert validate_output(answers_first, context=json.dumps(context), **kw).reason == "answers_earlier_turn"
    assert validate_output(answers_first, **kw).ok  # single-turn validation is unchanged
    assert validate_output(good, context=json.dumps(context), **kw).ok


def _finished(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM outputs").fetchone()[0]
    finally:
        con.close()


def test_every_conversation_ends_once_after_kill_9_and_rerun(tmp_path):
    rows = [*dialogues(), *({"messages": v, "topic": k} for k, v in BAD.items())]
    src = write_jsonl(tmp_path / "d.jsonl", rows)
    out = tmp_path / "out"
    db = out / ".cache" / "rewrite.sqlite"
    cmd = [sys.executable, "-m", "curate.app.cli", "rewrite", str(src), "-o", str(out), "--model", "loopback-llm",
           "--concurrency", "2", "--turns", "all"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with LLMServer(delay_s=0.03) as server:
        proc = subprocess.Popen([*cmd, "--base-url", server.url], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if db.exists() and _finished(db) >= 40:
                    break
            except sqlite3.OperationalError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert not (out / "pairs.parquet").exists()
        done = subprocess.run([*cmd, "--base-url", server.url], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
    pairs, q = pl.read_parquet(out / "pairs.parquet"), pl.read_parquet(out / "quarantine.parquet")
    both = pl.concat([pairs.select("input_row", "turn", "id"), q.select("input_row", "turn", "id")])
    # every target of every conversation exactly once, every bad conversation exactly once
    expected = []
    for i, r in enumerate(rows):
        turns, problem = parse_turns(r["messages"])
        expected += [(i, None)] if problem else [(i, t.turn) for t in targets(turns, "all")]
    got = sorted(both.select("input_row", "turn").iter_rows(), key=lambda x: (x[0], -1 if x[1] is None else x[1]))
    assert got == sorted(expected, key=lambda x: (x[0], -1 if x[1] is None else x[1]))
    assert both["id"].n_unique() == both.height
    assert "from cache" in done.stdout
