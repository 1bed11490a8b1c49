"""The rewrite stage: each source answer rewritten by an LLM into a supportive (chosen) and a prescriptive
(rejected) variant, cached, validated, with a PHI guard (``rewrite.runner``; ``rewrite.redo`` regenerates the side
the filter stage blamed).

Public API for other stages (imported on first use, so ``import rewrite`` stays light):

* ``builtin_style(name) -> StyleSpec | None`` -- a built-in style spec (``rewrite/styles/NAME.yaml``).
"""

from __future__ import annotations

import importlib

_LAZY = {"builtin_style": "rewrite.styles"}

__all__ = ["builtin_style"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
