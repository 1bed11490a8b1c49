"""Output validation: what a model said becomes a clean variant or a named quarantine reason.

Order of checks: backend error, empty, truncated at the token limit, meta-text stripped ("Here is the
rewritten answer:", "Sure!", wrapping quotes, "I hope this helps"), echo of the instructions, copy of a
few-shot example, echo of the question, unchanged copy of the source, too short / too long against the source (in words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curate.schema import normalize_text

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


def validate_output(raw: str | None, *, finish_reason: str | None, error: str | None, question: str,
                    source_answer: str, instructions: str, min_length_ratio: float,
                    max_length_ratio: float, examples: list[str] = ()) -> Verdict:
    if error:
        return Verdict(None, "backend_error")
    if raw is None or not raw.strip():
        return Verdict(None, "empty_output")
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
    n_src = max(1, _words(source_answer))
    ratio = _words(text) / n_src
    if ratio < min_length_ratio:
        return Verdict(None, "too_short")
    if ratio > max_length_ratio:
        return Verdict(None, "too_long")
    return Verdict(text, None)
