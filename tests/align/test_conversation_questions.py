"""`align eval` questions from conversations: the last user turn, asked after the turns before it."""

from __future__ import annotations

import json

import pytest

from align.config import EvalConfig
from align.evaluate import REFERENCE_TURN, chat_messages, load_questions
from curate.core.errors import UsageError

TURNS = [{"role": "user", "content": "My mother takes donepezil."},
         {"role": "assistant", "content": "Donepezil is usually taken at bedtime."},
         {"role": "user", "content": "She has vivid dreams. What can we do?"}]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_conversations_are_answered_at_their_last_user_turn(tmp_path):
    answered = [*TURNS, {"role": "assistant", "content": "Moving the dose to the morning may help."}]
    q, ref_col = load_questions(EvalConfig(questions=_jsonl(tmp_path / "c.jsonl", [{"messages": TURNS},
                                                                                  {"messages": answered}])))
    assert q["question"].to_list() == [TURNS[-1]["content"]] * 2
    assert [json.loads(c) for c in q["context"]] == [TURNS[:-1]] * 2
    assert q["reference"].to_list() == [None, answered[-1]["content"]] and ref_col == REFERENCE_TURN
    msgs = chat_messages(q["question"][0], "SYS", q["context"][0])
    assert msgs == [{"role": "system", "content": "SYS"}, *TURNS]
    own = [{"role": "system", "content": "own"}, *TURNS[:-1]]
    assert chat_messages("q", "SYS", json.dumps(own))[0] == {"role": "system", "content": "own"}
    assert chat_messages("q", "SYS") == [{"role": "system", "content": "SYS"}, {"role": "user", "content": "q"}]


def test_published_prompt_lists_keep_their_earlier_turns(tmp_path):
    rows = [{"prompt": [{"role": "system", "content": "S"}, *TURNS], "source_answer": "ref"},
            {"prompt": [{"role": "system", "content": "S"}, {"role": "user", "content": "single?"}], "source_answer": "r2"}]
    q, _ = load_questions(EvalConfig(questions=_jsonl(tmp_path / "p.jsonl", rows)))
    assert q["question"].to_list() == [TURNS[-1]["content"], "single?"]
    # the earlier turns; the system message stays the eval's own, as for a single-turn prompt (no context)
    assert json.loads(q["context"][0]) == TURNS[:-1] and q["context"][1] is None


def test_a_bad_conversation_is_one_line_naming_the_row(tmp_path):
    bad = [{"messages": TURNS}, {"messages": [{"role": "assistant", "content": "a"}]}]
    with pytest.raises(UsageError, match=r"row 1: roles_out_of_order"):
        load_questions(EvalConfig(questions=_jsonl(tmp_path / "b.jsonl", bad)))
