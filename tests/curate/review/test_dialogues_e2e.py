"""Multi-turn caregiver dialogues end to end, through the CLIs: conversations -> rewrite (a real HTTP server on
loopback: each request carries every earlier turn) -> filter -> review push / pull (the real Argilla server: the
context is a chat field above Response A / B) -> publish -> ``datasets.load_dataset`` (prompt lists with the earlier
turns, ending with the last user turn) -> ``align dpo`` (3 steps) and ``align eval`` on conversations, tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import polars as pl

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.conversations import parse_turns, targets
from curate.core.io import read_table
from tests.align.align_fixtures import make_model, run_align, train_tokenizer, write_cfg
from tests.curate.review.conftest import add_user
from tests.rewrite.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[3]
DIALOGUES = ROOT / "examples" / "caregiver_dialogues.jsonl"
CONFIG = ROOT / "examples" / "pipeline_dialogues.yaml"  # its smoke thresholds; rewrite.limit: 6


def curate(*argv) -> int:
    return run_app(app, "curate", [str(a) for a in argv])


def test_dialogues_from_source_to_trained_model(cli_env, owner_client, tmp_path, capsys):
    rows = [json.loads(line) for line in DIALOGUES.read_text("utf-8").splitlines()][:8]
    src = tmp_path / "dialogues.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))

    # --- rewrite: the last assistant turn of each conversation, every earlier turn in the request
    with LLMServer() as server:
        assert curate("rewrite", src, "-o", tmp_path / "rw", "--config", CONFIG, "--base-url", server.url,
                      "--model", "loopback-llm") == 0
        bodies = dict(server.bodies)
    pairs = read_table(tmp_path / "rw" / "pairs.parquet")
    assert pairs.height >= 4
    for row in pairs.iter_rows(named=True):
        context = json.loads(row["context"])
        request = bodies[f"{row['id']}/supportive"][-1]["content"]
        assert context and all(" ".join(t["content"].split()) in request for t in context)

    # --- filter: scores the target turn, dedup keys on the whole conversation
    assert curate("filter", tmp_path / "rw", "-o", tmp_path / "f", "--config", CONFIG) == 0
    kept = read_table(tmp_path / "f" / "kept.parquet")
    assert kept.height >= 3 and "context" in kept.columns
    capsys.readouterr()

    # --- review: the context as a chat field above Response A / B; one annotator accepts every pair
    ann = add_user(cli_env, "dlg-ann")
    assert curate("review", "push", tmp_path / "f", "--dataset", "dialogues", "--min-submitted", "1") == 0
    ds = owner_client.datasets(name="dialogues")
    names = [f.name for f in ds.settings.fields]
    assert names[:2] == ["context", "question"] and names.index("context") < names.index("response_a")
    assert type(ds.settings.fields[0]).__name__ == "ChatField"
    h = {"X-Argilla-Api-Key": ann["api_key"]}
    items = httpx.post(f"{cli_env.url}/api/v1/me/datasets/{ds.id}/records/search?limit=500", json={}, headers=h).json()["items"]
    assert len(items) == kept.height
    chosen = dict(zip(kept["id"], kept["chosen"]))
    by_id = {r["id"]: r for r in kept.iter_rows(named=True)}
    for item in items:
        rec = item["record"]
        shown = [{"role": m["role"], "content": m["content"]} for m in rec["fields"]["context"]]
        assert shown == json.loads(by_id[rec["external_id"]]["context"])
        assert rec["fields"]["question"] == by_id[rec["external_id"]]["question"]
        pick = "A" if rec["fields"]["response_a"] == chosen[rec["external_id"]] else "B"
        body = {"values": {"preference": {"value": pick}, "facts_kept": {"value": "yes"}}, "status": "submitted"}
        assert httpx.post(f"{cli_env.url}/api/v1/records/{rec['id']}/responses", json=body, headers=h).status_code == 201
    # a re-push changes nothing and reopens nothing (the chat field compares equal)
    capsys.readouterr()
    assert curate("review", "push", tmp_path / "f", "--dataset", "dialogues", "--min-submitted", "1") == 0
    assert ": 0 created, 0 updated" in capsys.readouterr().out
    assert curate("review", "pull", "--dataset", "dialogues", "-o", tmp_path / "rv") == 0
    reviewed = read_table(tmp_path / "rv" / "reviewed.parquet")
    assert reviewed.height == kept.height and set(reviewed["review_status"]) == {"accepted"}
    assert reviewed.sort("id")["context"].to_list() == kept.sort("id")["context"].to_list()

    # --- publish: TRL conversational preference format with the earlier turns in `prompt`
    assert curate("publish", tmp_path / "rv", "--to-dir", tmp_path / "ds", "--test-size", "0") == 0
    import datasets

    published = datasets.load_dataset(str(tmp_path / "ds"), cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert len(published) == kept.height
    for row in published:
        source = rows[row["input_row"]]
        last = targets(parse_turns(source["messages"])[0])[0]
        prompt = row["prompt"]
        assert prompt[-1] == {"role": "user", "content": last.question}
        assert prompt[:-1][-len(last.context):] == last.context  # the earlier turns, in order
        assert prompt[0]["role"] == "system" and len(prompt) >= 4
        assert row["chosen"][0]["role"] == row["rejected"][0]["role"] == "assistant"
    card = (tmp_path / "ds" / "README.md").read_text()
    assert f"{len(published)} of {len(published)} rows are multi-turn" in card
    assert "| turns (up to and including the answer) | rows |" in card

    # --- align dpo: 3 steps on the multi-turn prompts (the chat template over the whole context)
    model_dir = tmp_path / "tiny"
    make_model(train_tokenizer(model_dir), model_dir)
    cfg = write_cfg(tmp_path / "align.yaml", max_length=480, per_device_train_batch_size=2)
    assert run_align(["dpo", "--data", tmp_path / "ds", "--model", model_dir, "-o", tmp_path / "al", "--config", cfg,
                      "--max-steps", 3]) == 0
    manifest = json.loads((tmp_path / "al" / "manifest.json").read_text())
    assert manifest["counts"]["train_pairs"] == len(published)
    metrics = pl.read_csv(tmp_path / "al" / "metrics.csv")
    assert metrics["step"].max() == 3
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tmp_path / "al" / "final"))
    text = tok.apply_chat_template(published[0]["prompt"], tokenize=False, add_generation_prompt=True)
    assert all(m["content"] in text for m in published[0]["prompt"])

    # --- align eval on conversations: each answered at its last user turn, after the turns before it
    open_ended = [{"messages": [t for t in r["messages"][:-1]]} for r in rows[:3]]  # end with the user turn
    questions = tmp_path / "eval_dialogues.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in open_ended))
    assert run_align(["eval", "--model", tmp_path / "al", "--questions", questions, "-o", tmp_path / "ev",
                      "--max-new-tokens", 8]) == 0
    answers = pl.read_parquet(tmp_path / "ev" / "answers.parquet")
    assert answers["question"].to_list() == [r["messages"][-1]["content"] for r in open_ended]
    assert [len(json.loads(c)) for c in answers["context"].to_list()] == [len(r["messages"]) - 1 for r in open_ended]
    assert json.loads((tmp_path / "ev" / "eval.json").read_text())["counts"]["multi_turn"] == 3
