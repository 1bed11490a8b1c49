"""Conversations (multi-turn chats) as rows of the one table: parsing, validation, ids and keys.

A conversation comes in as a ``messages`` column (OpenAI / TRL: ``[{role, content}, ...]``) or a ShareGPT
``conversations`` column (``[{from, value}, ...]``, ``human`` / ``gpt``), optionally opened by one system turn.
A row of the pair table made from it carries:

* ``question``: the last user turn (so every filter that reads the question keeps working on it);
* ``source_answer``: the assistant turn that is rewritten (the *target*; facts are checked against it);
* ``context``: the earlier turns, as a JSON list of ``{role, content}`` (system turn included, the last user turn
  not), ``"[]"`` for a conversation of one exchange;
* ``turn``: the position of the target in the conversation's turns (0-based).

The prompt of a published row is ``context`` + ``[{"role": "user", "content": question}]``.  A single-turn table has
neither column; every helper here treats a missing or null ``context`` as "no earlier turns".

Validation names the first problem of a conversation (the reasons a row is quarantined with): ``not_a_list``,
``bad_turn`` (a turn that is not a ``{role, content}`` / ``{from, value}`` object), ``unknown_role``,
``empty_content``, ``roles_out_of_order`` (a system turn after the first turn, or user / assistant not alternating
from a user turn on), ``no_assistant_turn``, ``ends_with_user_turn`` (the last turn has no answer to rewrite).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import polars as pl

from curate.core.schema import CONTEXT, QUESTION, normalize_text

# the columns a conversation may come in, in the order they are looked for
CONVERSATION_INPUT_COLUMNS = ("messages", "conversations")
ROLES = ("system", "user", "assistant")
# ShareGPT's speaker names (and a few spellings seen in the wild) -> OpenAI roles
ROLE_ALIASES = {"system": "system", "user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant",
                "bot": "assistant", "model": "assistant"}
TURNS = ("last", "all")  # rewrite.turns: which assistant turns become targets

PROBLEMS = {
    "not_a_list": "the conversation is not a list of turns",
    "bad_turn": "a turn is not a {role, content} (or ShareGPT {from, value}) object",
    "unknown_role": "a turn's role is not system, user or assistant (ShareGPT: system, human, gpt)",
    "empty_content": "a turn has no text",
    "roles_out_of_order": "a system turn after the first turn, or user and assistant turns that do not alternate "
                          "starting with a user turn",
    "no_assistant_turn": "the conversation has no assistant turn",
    "ends_with_user_turn": "the last turn is a user turn: it has no answer to rewrite",
    "no_user_turn": "the conversation has no user turn to answer",
}


@dataclass(frozen=True)
class Target:
    """One assistant turn to rewrite: its position, the turns before the last user turn, that user turn, itself."""

    turn: int
    context: list[dict]
    question: str
    answer: str


def turn_fields(dtype: pl.DataType) -> str | None:
    """None when a column of ``dtype`` can hold conversations, else why not (a whole file that is wrong: one line,
    exit 2).  A text column may hold JSON lists (checked per row)."""
    if dtype == pl.Utf8 or dtype == pl.Null:
        return None
    if not isinstance(dtype, (pl.List, pl.Array)):
        return f"holds {dtype}, not lists of chat turns"
    inner = dtype.inner
    if inner == pl.Null or inner == pl.Utf8:  # all-empty lists; a list of strings is refused per row (bad_turn)
        return None
    if not isinstance(inner, pl.Struct):
        return f"holds lists of {inner}, not lists of chat turns"
    names = {f.name for f in inner.fields}
    if not ({"role", "content"} <= names or {"from", "value"} <= names):
        return (f"holds turns with fields {', '.join(sorted(names))}; expected role/content (OpenAI, TRL) or "
                "from/value (ShareGPT)")
    return None


def parse_turns(value, open_end: bool = False) -> tuple[list[dict] | None, str | None]:
    """``(turns, None)`` with every turn as ``{"role", "content"}`` (roles mapped, text stripped), or
    ``(None, problem)`` naming the first problem (:data:`PROBLEMS`).  ``open_end``: a conversation may end with a
    user turn (one to answer, as ``align eval`` does) and need not have an assistant turn."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None, "not_a_list"
    if not isinstance(value, (list, tuple)):
        return None, "not_a_list"
    turns: list[dict] = []
    for t in value:
        if not isinstance(t, dict):
            return None, "bad_turn"
        if "role" in t or "content" in t:
            role, content = t.get("role"), t.get("content")
        elif "from" in t or "value" in t:
            role, content = t.get("from"), t.get("value")
        else:
            return None, "bad_turn"
        if not isinstance(role, str) or role.strip().lower() not in ROLE_ALIASES:
            return None, "unknown_role"
        if content is not None and not isinstance(content, (str, int, float)):
            return None, "bad_turn"
        text = "" if content is None else str(content).strip()
        if not text:
            return None, "empty_content"
        turns.append({"role": ROLE_ALIASES[role.strip().lower()], "content": text})
    problem = order_problem(turns, open_end)
    return (None, problem) if problem else (turns, None)


def order_problem(turns: list[dict], open_end: bool = False) -> str | None:
    """The order rules: one optional system turn first, then user / assistant alternating from a user turn, at least
    one assistant turn, ending with an assistant turn (``open_end``: at least one user turn, any last turn)."""
    body = turns[1:] if turns and turns[0]["role"] == "system" else turns
    if not body:
        return "no_assistant_turn" if not open_end else "no_user_turn"
    for i, t in enumerate(body):
        if t["role"] != ("user" if i % 2 == 0 else "assistant"):
            return "roles_out_of_order"
    if open_end:
        return None
    if len(body) < 2:
        return "no_assistant_turn"
    if body[-1]["role"] != "assistant":
        return "ends_with_user_turn"
    return None


def targets(turns: list[dict], which: str = "last") -> list[Target]:
    """The assistant turns to rewrite (``which``: ``last`` = the final one, ``all`` = every one), each with the turns
    before its user turn as context.  ``turns`` must be valid (:func:`parse_turns`)."""
    if which not in TURNS:
        raise ValueError(f"turns must be one of {', '.join(TURNS)}, got {which!r}")
    positions = [i for i, t in enumerate(turns) if t["role"] == "assistant"]
    if which == "last":
        positions = positions[-1:]
    return [Target(i, [dict(t) for t in turns[: i - 1]], turns[i - 1]["content"], turns[i]["content"]) for i in positions]


def context_json(context: list[dict]) -> str:
    """The ``context`` cell: a JSON list of ``{role, content}``."""
    return json.dumps([{"role": t["role"], "content": t["content"]} for t in context], ensure_ascii=False)


def context_turns(cell: str | list | None) -> list[dict]:
    """A ``context`` cell (JSON text, a list, or null) as a list of ``{role, content}``."""
    if cell is None:
        return []
    if isinstance(cell, str):
        cell = json.loads(cell) if cell.strip() else []
    return [{"role": t["role"], "content": t["content"]} for t in cell]


def prompt_messages(context: str | list | None, question: str) -> list[dict]:
    """The conversation up to the target: the earlier turns, then the last user turn."""
    return [*context_turns(context), {"role": "user", "content": question}]


def make_conversation_id(context: list[dict], question: str, answer: str) -> str:
    """Stable 16-hex id of a target turn in its conversation: a hash of the normalized earlier turns (role and text),
    the last user turn and the target.  Without earlier turns it is ``schema.make_id(question, answer)``: a
    conversation of one exchange has the id of the same single-turn row."""
    from curate.core.schema import make_id

    if not context:
        return make_id(question, answer)
    turns = "\x1e".join(f"{t['role']}\x1d{normalize_text(t['content'])}" for t in context)
    payload = turns + "\x1e" + normalize_text(question) + "\x1f" + normalize_text(answer)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


_TURN_DTYPE = pl.List(pl.Struct({"role": pl.Utf8, "content": pl.Utf8}))


def n_turns_expr(col: str = CONTEXT) -> pl.Expr:
    """Turns of the conversation up to and including the target (context + user turn + target; system not counted)."""
    decoded = pl.col(col).cast(pl.Utf8).fill_null("[]").str.json_decode(_TURN_DTYPE)
    earlier = decoded.list.eval(pl.element().struct.field("role").ne("system").cast(pl.Int64)).list.sum()
    return (earlier.fill_null(0) + 2).cast(pl.Int64)


def dialogue_text_expr(columns, question_col: str = QUESTION) -> pl.Expr:
    """The text that makes a row "the same conversation": the earlier turns' text (each prefixed with its role), then
    the question; just the question for a table without ``context``."""
    q = pl.col(question_col).cast(pl.Utf8).fill_null("")
    if CONTEXT not in columns:
        return q
    decoded = pl.col(CONTEXT).cast(pl.Utf8).fill_null("[]").str.json_decode(_TURN_DTYPE)
    earlier = decoded.list.eval(pl.concat_str(pl.element().struct.field("role"), pl.lit(": "),
                                              pl.element().struct.field("content"))).list.join(" \n ")
    return pl.when(earlier.fill_null("") == "").then(q).otherwise(earlier + pl.lit(" \n user: ") + q)


DIALOGUE_KEY = "_dialogue_text"


def with_dialogue_text(df: pl.DataFrame, question_col: str = QUESTION) -> tuple[pl.DataFrame, str]:
    """``(df, column)``: the column to key "the same question" on -- ``question_col`` itself for a single-turn table
    (nothing added), else an added ``_dialogue_text`` column with the whole context + question."""
    if CONTEXT not in df.columns:
        return df, question_col
    return df.with_columns(dialogue_text_expr(df.columns, question_col).alias(DIALOGUE_KEY)), DIALOGUE_KEY


def is_multi_turn_expr(col: str = CONTEXT) -> pl.Expr:
    """True for a row whose prompt holds earlier turns (a system turn alone does not make it multi-turn)."""
    return n_turns_expr(col) > 2
