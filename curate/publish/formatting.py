"""Pair rows -> TRL's conversational preference format.

``prompt`` = ``[system, user]`` messages, ``chosen`` / ``rejected`` = one ``assistant`` message each; the system
prompt is the same on every row (and recorded in the card).  A row made from a conversation (a ``context`` column:
its earlier turns) has them in ``prompt`` between the system message and the last user turn; a conversation that
brought its own system turn keeps it as the row's system message (the card counts those rows).  Every other column (scores, provenance, review
fields) rides along unchanged, except the ones the config leaves out.  Whole-column polars expressions, no loops.
"""

from __future__ import annotations

import polars as pl

from curate.core.schema import CHOSEN, CONTEXT, QUESTION, REJECTED

MESSAGE_COLUMNS = ("prompt", CHOSEN, REJECTED)
# names TRL's DPOTrainer reads with a special meaning: a pass-through column with one of these names would change training
RESERVED = ("prompt", "tools", "chat_template_kwargs", "images", "image", "prompt_ids", "chosen_ids", "rejected_ids")


TURN_DTYPE = pl.List(pl.Struct({"role": pl.Utf8, "content": pl.Utf8}))


def _message(role: str, content: pl.Expr) -> pl.Expr:
    return pl.struct(pl.lit(role).alias("role"), content.alias("content"))


def to_preference_format(df: pl.DataFrame, system_prompt: str, drop_columns: list[str] | tuple[str, ...] = ()) -> pl.DataFrame:
    """Return ``prompt``, ``chosen``, ``rejected`` as message lists, followed by the pass-through columns."""
    extra = [c for c in df.columns if c not in (CHOSEN, REJECTED, CONTEXT, *RESERVED) and c not in drop_columns]
    prompt_parts = [_message("user", pl.col(QUESTION).cast(pl.Utf8))]
    if system_prompt:
        prompt_parts.insert(0, _message("system", pl.lit(system_prompt)))
    prompt = pl.concat_list(prompt_parts)
    if CONTEXT in df.columns:  # the earlier turns of a conversation (null / "[]" for a single-turn row)
        earlier = pl.col(CONTEXT).cast(pl.Utf8).fill_null("[]").str.json_decode(TURN_DTYPE)
        user = _message("user", pl.col(QUESTION).cast(pl.Utf8))
        own_system = earlier.list.first().struct.field("role").fill_null("") == "system"
        default = pl.concat_list([_message("system", pl.lit(system_prompt)), earlier, user]) if system_prompt else \
            pl.concat_list([earlier, user])
        prompt = pl.when(own_system).then(pl.concat_list([earlier, user])).otherwise(default)
    return df.select(
        prompt.alias("prompt"),
        pl.concat_list([_message("assistant", pl.col(CHOSEN).cast(pl.Utf8))]).alias(CHOSEN),
        pl.concat_list([_message("assistant", pl.col(REJECTED).cast(pl.Utf8))]).alias(REJECTED),
        *[pl.col(c) for c in extra],
    )
