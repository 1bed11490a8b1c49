"""Style specs: versioned data (system prompt, instructions, few-shot examples) that become chat messages.

Built-in specs live in ``rewrite/styles/*.yaml``; a ``styles_dir`` adds styles or overrides built-in ones by
``name``.  Each spec's *prompt version* is ``name@version:hash`` where the hash covers the spec's content, so an
edit that forgets to bump ``version`` still regenerates exactly the outputs of that style.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from curate.core.errors import UsageError

BUILTIN_DIR = Path(__file__).parent / "styles"
REQUIRED = ("name", "version", "system", "instructions")


@dataclass(frozen=True)
class StyleSpec:
    name: str
    version: str
    system: str
    instructions: str
    few_shot: tuple = ()
    description: str = ""
    role: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def content_hash(self) -> str:
        payload = json.dumps([self.system, self.instructions, [dict(x) for x in self.few_shot]], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:8]

    @property
    def prompt_version(self) -> str:
        return f"{self.name}@{self.version}:{self.content_hash}"

    def messages(self, question: str, answer: str, context=None) -> list[dict]:
        """Chat messages: system, few-shot user/assistant turns, then this row's request.  ``context`` (a conversation
        row's earlier turns: a list of ``{role, content}`` or its JSON text) goes into the request, before the
        instructions (:func:`conversation_block`); without it the request is exactly the single-turn one."""
        msgs = [{"role": "system", "content": self.system.strip()}]
        for ex in self.few_shot:
            msgs.append({"role": "user", "content": self._fill(ex["question"], ex["answer"])})
            msgs.append({"role": "assistant", "content": " ".join(ex["output"].split())})
        request = self._fill(question, answer)
        block = conversation_block(context)
        msgs.append({"role": "user", "content": f"{block}\n\n{request}" if block else request})
        return msgs

    def _fill(self, question: str, answer: str) -> str:
        # str.replace, not str.format: source answers may contain braces
        text = self.instructions.strip()
        return text.replace("{question}", " ".join(question.split())).replace("{answer}", " ".join(answer.split()))


# how a conversation's earlier turns are shown to the rewrite model (its version is part of the prompt version of
# every row rewritten with a context: editing this text regenerates exactly those rows)
CONTEXT_HEADER = ("CONVERSATION SO FAR (earlier turns between the caregiver and the assistant, for context only; do "
                  "not rewrite or repeat them):")
CONTEXT_FOOTER = ("The ANSWER below is the assistant's reply to the caregiver's last message (the QUESTION). Rewrite "
                  "it as a reply to that last message, in the flow of this conversation.")
_LABELS = {"system": "SYSTEM", "user": "CAREGIVER", "assistant": "ASSISTANT"}
CONTEXT_VERSION = "dialogue@1:" + hashlib.sha256(json.dumps([CONTEXT_HEADER, CONTEXT_FOOTER, _LABELS]).encode()).hexdigest()[:8]


def conversation_block(context) -> str:
    """The earlier turns as the request shows them (one labeled line per turn), or "" without earlier turns."""
    from curate.core.conversations import context_turns

    turns = context_turns(context)
    if not turns:
        return ""
    lines = [f"{_LABELS.get(t['role'], t['role'].upper())}: {' '.join(t['content'].split())}" for t in turns]
    return "\n".join([CONTEXT_HEADER, *lines, "", CONTEXT_FOOTER])


def _load_file(path: Path) -> StyleSpec:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as e:
        raise UsageError(f"{path}: invalid style YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a style spec must be a mapping")
    missing = [k for k in REQUIRED if not data.get(k)]
    if missing:
        raise UsageError(f"{path}: style spec misses {', '.join(missing)}")
    if "{answer}" not in data["instructions"]:
        raise UsageError(f"{path}: `instructions` must contain the {{answer}} placeholder")
    shots = data.get("few_shot") or []
    for i, ex in enumerate(shots):
        if not isinstance(ex, dict) or not all(ex.get(k) for k in ("question", "answer", "output")):
            raise UsageError(f"{path}: few_shot[{i}] needs question, answer and output")
    known = {"name", "version", "system", "instructions", "few_shot", "description", "role"}
    return StyleSpec(
        name=str(data["name"]), version=str(data["version"]), system=data["system"], instructions=data["instructions"],
        few_shot=tuple(shots), description=" ".join(str(data.get("description", "")).split()), role=str(data.get("role", "")),
        path=str(path), extra={k: v for k, v in data.items() if k not in known},
    )


def load_styles(styles_dir: str | Path | None = None) -> dict[str, StyleSpec]:
    """Built-in styles, then those in ``styles_dir`` (same name = override)."""
    styles = {s.name: s for s in map(_load_file, sorted(BUILTIN_DIR.glob("*.yaml")))}
    if styles_dir:
        d = Path(styles_dir)
        if not d.is_dir():
            raise UsageError(f"{d}: styles_dir is not a directory")
        for p in sorted([*d.glob("*.yaml"), *d.glob("*.yml")]):
            spec = _load_file(p)
            styles[spec.name] = spec
    return styles


def builtin_style(name: str) -> StyleSpec | None:
    """The built-in style ``name`` (``rewrite/styles/NAME.yaml``), or None when there is no such file; a malformed
    file raises ``UsageError`` as ``load_styles`` does."""
    path = BUILTIN_DIR / f"{name}.yaml"
    return _load_file(path) if path.exists() else None


def get_style(styles: dict[str, StyleSpec], name: str) -> StyleSpec:
    if name not in styles:
        raise UsageError(f"unknown style {name!r}; available: {', '.join(sorted(styles))}")
    return styles[name]


def styles_for(styles: dict[str, StyleSpec], chosen: str, rejected: str, lang: str = "en",
               register: str = "usted") -> tuple[StyleSpec, StyleSpec]:
    """The (chosen, rejected) specs for rows in ``lang``: for a language other than English the variant
    ``<name>_<lang>`` (``<name>_<lang>_tu`` with ``register: tu``) where one exists, else the named spec itself (a
    user's own Spanish style)."""
    out = []
    for name in (chosen, rejected):
        if lang != "en":
            wanted = [f"{name}_{lang}_tu", f"{name}_{lang}"] if register == "tu" else [f"{name}_{lang}"]
            name = next((w for w in wanted if w in styles), name)
        out.append(get_style(styles, name))
    return out[0], out[1]
