"""Conversation rows in the core, the filter and publish: validation reasons, ids, dedup and the split keyed on the
whole context (near-duplicate conversations never straddle train and test), the TRL prompt with the earlier turns,
the card's multi-turn counts, and the team's example dialogues."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from curate.core import conversations as C
from curate.core.schema import make_id
from curate.publish.formatting import to_preference_format
from curate.publish.split import grouped_split
from filters.dedup import DedupFilter
from filters.config import FilterConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, reason", [
    (None, "not_a_list"), ("plain text", "not_a_list"), (5, "not_a_list"), ([], "no_assistant_turn"),
    ([{"role": "user", "content": "q"}], "no_assistant_turn"),
    ([{"role": "assistant", "content": "a"}], "roles_out_of_order"),
    ([{"role": "user", "content": "q"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}],
     "roles_out_of_order"),
    ([{"role": "user", "content": "q"}, {"role": "critic", "content": "a"}], "unknown_role"),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": ""}], "empty_content"),
    ([{"role": "user", "content": "q"}, "a"], "bad_turn"),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": "q2"}],
     "ends_with_user_turn"),
])
def test_each_bad_conversation_has_its_reason(value, reason):
    turns, problem = C.parse_turns(value)
    assert turns is None and problem == reason and reason in C.PROBLEMS


def test_sharegpt_and_json_text_parse_to_the_same_turns():
    openai = [{"role": "system", "content": "S"}, {"role": "user", "content": " q1 "}, {"role": "assistant", "content": "a1"},
              {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]
    share = [{"from": "system", "value": "S"}, {"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"},
             {"from": "human", "value": "q2"}, {"from": "gpt", "value": "a2"}]
    a, b, c = C.parse_turns(openai)[0], C.parse_turns(share)[0], C.parse_turns(json.dumps(openai))[0]
    assert a == b == c and a[1]["content"] == "q1"
    last, = C.targets(a)
    assert (last.turn, last.question, last.answer, len(last.context)) == (4, "q2", "a2", 3)
    assert [t.turn for t in C.targets(a, "all")] == [2, 4]
    # open_end (align eval): a conversation may end with the user turn to answer
    assert C.parse_turns(openai[:4], open_end=True)[1] is None and C.parse_turns(openai[:4])[1] == "ends_with_user_turn"


def test_ids_hash_context_and_target():
    ctx = [{"role": "user", "content": "What is donepezil?"}, {"role": "assistant", "content": "A medicine."}]
    a = C.make_conversation_id(ctx, "How much?", "5 mg at bedtime.")
    assert a == C.make_conversation_id([{**t, "content": t["content"].upper() + "  "} for t in ctx], "HOW MUCH?", "5 mg at bedtime.")
    assert a != C.make_conversation_id(ctx[:1] + [{"role": "assistant", "content": "A pill."}], "How much?", "5 mg at bedtime.")
    assert a != C.make_conversation_id(ctx, "How much?", "10 mg at bedtime.")
    assert C.make_conversation_id([], "q", "a") == make_id("q", "a")


def _row(i, context, question, answer="Keep a routine.", **extra):
    return {"id": f"r{i}", "question": question, "source_answer": answer, "chosen": "c", "rejected": "r",
            "context": C.context_json(context), **extra}


def test_dedup_keys_on_the_whole_conversation():
    ask_a = [{"role": "user", "content": "My mother will not sleep at night."}, {"role": "assistant", "content": "Keep a routine."}]
    ask_b = [{"role": "user", "content": "My husband refuses his medicine."}, {"role": "assistant", "content": "Offer it calmly."}]
    rows = pl.DataFrame([
        _row(0, ask_a, "What else can I try?"),
        _row(1, ask_b, "What else can I try?"),          # same last user turn, another conversation: kept
        _row(2, ask_a, "What else can I try?"),          # the same conversation: duplicate
        _row(3, [], "What else can I try?"),             # no context: a question of its own
    ])
    f = DedupFilter()
    out = f.fit(rows.select("question", "id", "context"), FilterConfig()).resolve(rows, 0, pl.Series([False] * 4))
    assert out["dup_kind"].to_list() == [None, None, "exact", None]
    assert out["cluster_id"].to_list() == ["r0", "r1", "r0", "r3"]
    # the filter's one-frame path (base.GlobalFilter.score) reads the context too
    assert f.score(rows, FilterConfig())["dup_kind"].to_list() == [None, None, "exact", None]


def test_near_duplicate_conversations_never_straddle_the_split():
    rows = []
    for i in range(20):
        ctx = [{"role": "user", "content": f"My father has dementia and trouble with topic number {i} at home."},
               {"role": "assistant", "content": f"Topic {i} is common; keep a calm routine."}]
        rows.append(_row(2 * i, ctx, "Thank you. What else can I do?", cluster_id=f"c{i}"))
        near = [{**ctx[0], "content": ctx[0]["content"] + " Please help."}, ctx[1]]
        rows.append(_row(2 * i + 1, near, "Thank you. What else can I do?", cluster_id=f"c{i}"))
    df = pl.DataFrame(rows)
    train, test = grouped_split(df, 0.25, seed=3)
    assert test.height and train.height and train.height + test.height == df.height
    assert set(train["cluster_id"]).isdisjoint(set(test["cluster_id"]))
    assert train.columns == df.columns  # the split's helper columns do not leak out
    # every row ends with the same user turn: keyed on the question alone they would all be one group
    assert test.height < df.height / 2


def test_published_prompt_holds_the_earlier_turns_then_the_last_user_turn():
    ctx = [{"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}]
    own = [{"role": "system", "content": "own system"}, *ctx]
    df = pl.DataFrame([_row(0, ctx, "u2", turn=3), _row(1, [], "q", turn=1), _row(2, own, "u2", turn=3)])
    out = to_preference_format(df, "SYS")
    p = out["prompt"].to_list()
    assert p[0] == [{"role": "system", "content": "SYS"}, *ctx, {"role": "user", "content": "u2"}]
    assert p[1] == [{"role": "system", "content": "SYS"}, {"role": "user", "content": "q"}]
    assert p[2] == [*own, {"role": "user", "content": "u2"}]
    assert "context" not in out.columns and out["turn"].to_list() == [3, 1, 3]


def test_example_dialogues_are_valid_multi_turn_and_free_of_phi():
    from filters import detect_phi

    rows = [json.loads(line) for line in (ROOT / "examples" / "caregiver_dialogues.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) >= 40
    for r in rows:
        turns, problem = C.parse_turns(r["messages"])
        assert problem is None, r["topic"]
        body = [t for t in turns if t["role"] != "system"]
        assert 4 <= len(body) <= 6, r["topic"]  # 2-3 exchanges
        assert not any(detect_phi(t["content"]) for t in turns), r["topic"]
    assert len({r["topic"] for r in rows}) == len(rows)
    # the answers carry the numbers real answers carry (doses, limits, phone lines)
    targets = [C.targets(C.parse_turns(r["messages"])[0])[0].answer for r in rows]
    assert sum(any(ch.isdigit() for ch in t) for t in targets) >= 35


def test_pipeline_dialogues_config_loads():
    from curate.app.config import load_config

    cfg = load_config(ROOT / "examples" / "pipeline_dialogues.yaml")
    assert cfg.rewrite.turns == "last" and cfg.input.endswith("caregiver_dialogues.jsonl")
