"""Output validation: what a model said becomes a clean variant or a named quarantine reason.

Order of checks: backend error, empty, a repetition loop (the model repeated one block until it was stopped or hit
the token limit), truncated at the token limit, meta-text stripped ("Here is the rewritten answer:", "Sure!",
wrapping quotes, "I hope this helps"), echo of the instructions, copy of a few-shot example, echo of the question,
unchanged copy of the source, a near copy of the source (word-level similarity at or above ``max_copy_similarity``),
too short / too long against the source (in words).  A conversation row (``context``: its earlier turns) must also
answer its last user turn: an output that repeats an earlier turn or carries the request's turn labels
(``echo_context``), or that is closer to an earlier assistant turn than to the target it rewrites
(``answers_earlier_turn``), is quarantined.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from curate.core.schema import normalize_text

_LEAD = [
    r"(?:sure|certainly|of course|absolutely|okay|ok)\b[!,.]*\s*",
    r"(?:here(?:'s| is)|below is|following is)\b[^:\n]{0,100}:\s*",
    r"(?:(?:the |a )?(?:rewritten|revised|rephrased|supportive|prescriptive|new|updated)\s+(?:answer|version|response|text))\s*:\s*",
    r"(?:answer|response|output)\s*:\s*",
]
_LEAD_RX = re.compile(r"^\s*(?:" + "|".join(_LEAD) + r")", re.IGNORECASE)
_TRAIL_RX = re.compile(
    r"\s*(?:\n|^|(?<=[.!?]))\s*(?:i hope (?:this|that) helps|let me know if|feel free to ask"
    r"|note\s*:\s*(?:this|the|i)\b[^\n]*\b(?:version|rewrite|rewritten|revised|instructions?)\b"
    r"|(?:this|the) (?:rewritten|revised) (?:version|answer)\b)[^\n]*$",
    re.IGNORECASE,
)
_LABEL_RX = re.compile(r"(?m)^\s*(?:QUESTION|ANSWER)\s*:", re.IGNORECASE)
_AI_RX = re.compile(r"\bas an ai\b|\bi(?:'m| am) (?:an ai|a language model)\b|\bi cannot (?:help|rewrite)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_QUOTES = "\"'“”‘’`"


@dataclass
class Verdict:
    text: str | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.reason is None


def strip_meta(text: str) -> str:
    """Strip meta-text around the answer; never strips a part that carries a number (it may be a dose)."""
    out = text.strip()
    for _ in range(3):  # "Sure! Here is the rewritten answer:" has two layers
        m = _LEAD_RX.match(out)
        if not m or _DIGIT.search(m.group(0)):
            break
        out = out[m.end() :].strip()
    m = _TRAIL_RX.search(out)
    if m and not _DIGIT.search(m.group(0)):
        out = out[: m.start()].strip()
    if len(out) >= 2 and out[0] in _QUOTES and out[-1] in _QUOTES:
        out = out[1:-1].strip()
    return out


def _words(text: str) -> int:
    return len(text.split())


def _instruction_lines(instructions: str) -> list[str]:
    lines = [l.strip(" -*\t") for l in instructions.splitlines()]
    return [normalize_text(l) for l in lines if len(l.split()) >= 6 and "{" not in l]


def _trigrams(text: str) -> set[tuple[str, ...]]:
    w = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(w[i : i + 3]) for i in range(len(w) - 2)}


def copies_example(text: str, examples: list[str], threshold: float = 0.5) -> bool:
    """True when ``text`` reuses most of a few-shot example's output (weak models copy them verbatim)."""
    mine = _trigrams(text)
    for ex in examples:
        theirs = _trigrams(ex)
        if theirs and len(mine & theirs) / len(theirs) >= threshold:
            return True
    return False


_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def _norm_words(text: str) -> list[str]:
    return _WORD.findall(normalize_text(text))


def copy_similarity(text: str, source: str) -> float:
    """How much of ``text`` is ``source`` unchanged, in [0, 1]: difflib's ratio (2 * matching words / all words) over
    lower-cased words, punctuation ignored. 1.0 = the same words in the same order; a source with one sentence
    added or a few words swapped stays above 0.9; a real rewrite in another register is far below (~0.2 - 0.6)."""
    a, b = _norm_words(text), _norm_words(source)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def is_near_copy(text: str, source: str, threshold: float) -> bool:
    a, b = _norm_words(text), _norm_words(source)
    if not a or not b:
        return False
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # the cheap upper bounds first: most real rewrites are rejected without the full comparison
    return sm.real_quick_ratio() >= threshold and sm.quick_ratio() >= threshold and sm.ratio() >= threshold


# a row "loops" when its last tokens are the same block of 1..LOOP_MAX_PERIOD tokens repeated at least
# LOOP_MIN_REPEATS times and spanning at least LOOP_MIN_SPAN tokens (real prose never does that)
LOOP_MAX_PERIOD, LOOP_MIN_REPEATS, LOOP_MIN_SPAN = 64, 3, 24


def ends_in_loop(seq, max_period: int = LOOP_MAX_PERIOD, min_repeats: int = LOOP_MIN_REPEATS,
                 min_span: int = LOOP_MIN_SPAN) -> bool:
    """True when ``seq`` (token ids or words) ends with one block repeated ``min_repeats``+ times over ``min_span``+ items."""
    n = len(seq)
    for period in range(1, min(max_period, n // min_repeats) + 1):
        span = max(min_repeats * period, -(-min_span // period) * period)
        if span > n:
            continue
        last = n - 1
        if all(seq[last - j] == seq[last - j - period] for j in range(span - period)):
            return True
    return False


def loop_end(seq) -> int | None:
    """The first length ``t`` at which ``seq[:t]`` ends in a loop (where a step-by-step watch stops the row), or None."""
    for t in range(LOOP_MIN_SPAN, len(seq) + 1):
        if ends_in_loop(seq[:t]):
            return t
    return None


def loops_at_end(text: str) -> bool:
    """True when ``text`` ends with one block of words repeated 3+ times (a weak model's loop)."""
    return ends_in_loop(text.split(), min_span=18)


_TURN_LABEL_RX = re.compile(r"(?m)^\s*(?:CAREGIVER|ASSISTANT|USER|SYSTEM)\s*:")


def context_problem(text: str, source_answer: str, context, threshold: float | None) -> str | None:
    """Why ``text`` does not answer the last user turn of its conversation, or None: ``echo_context`` (it carries the
    request's turn labels, or is a copy / near copy of an earlier turn), ``answers_earlier_turn`` (it is more like an
    earlier assistant turn than the target answer it rewrites, by :func:`copy_similarity`)."""
    from curate.core.conversations import context_turns

    turns = context_turns(context)
    if not turns:
        return None
    if _TURN_LABEL_RX.search(text):
        return "echo_context"
    norm = normalize_text(text)
    for t in turns:
        if t["role"] == "system":
            continue
        if norm == normalize_text(t["content"]) or is_near_copy(text, t["content"], threshold or 0.9):
            return "echo_context"
    own = copy_similarity(text, source_answer)
    if any(copy_similarity(text, t["content"]) > own for t in turns if t["role"] == "assistant"):
        return "answers_earlier_turn"
    return None


def validate_output(raw: str | None, *, finish_reason: str | None, error: str | None, question: str,
                    source_answer: str, instructions: str, min_length_ratio: float,
                    max_length_ratio: float, examples: list[str] = (),
                    max_copy_similarity: float | None = None, context=None) -> Verdict:
    """``max_copy_similarity``: quarantine a near copy of the source as ``near_copy`` (None = only exact copies);
    ``context``: a conversation row's earlier turns (:func:`context_problem`)."""
    if error:
        return Verdict(None, "backend_error")
    if raw is None or not raw.strip():
        return Verdict(None, "empty_output")
    if finish_reason == "repetition" or (finish_reason == "length" and loops_at_end(raw)):
        return Verdict(None, "repetition")
    if finish_reason == "length":
        return Verdict(None, "truncated")
    text = strip_meta(raw)
    if not text:
        return Verdict(None, "meta_text_only")
    if _AI_RX.search(text):
        return Verdict(None, "meta_text")
    norm = normalize_text(text)
    if _LABEL_RX.search(text) or any(line in norm for line in _instruction_lines(instructions)):
        return Verdict(None, "echo_instructions")
    if examples and copies_example(text, list(examples)):
        return Verdict(None, "echo_example")
    q = normalize_text(question)
    if norm == q or (norm.startswith(q) and _words(norm) - _words(q) < 5):
        return Verdict(None, "echo_question")
    if norm == normalize_text(source_answer):
        return Verdict(None, "unchanged_source")
    if max_copy_similarity is not None and is_near_copy(text, source_answer, max_copy_similarity):
        return Verdict(None, "near_copy")
    if context is not None:
        why = context_problem(text, source_answer, context, max_copy_similarity)
        if why:
            return Verdict(None, why)
    n_src = max(1, _words(source_answer))
    ratio = _words(text) / n_src
    if ratio < min_length_ratio:
        return Verdict(None, "too_short")
    if ratio > max_length_ratio:
        return Verdict(None, "too_long")
    return Verdict(text, None)
