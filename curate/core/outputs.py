"""One rule for every stage's output directory, checked before any work starts.

``-o DIR`` (``--to-dir DIR``, ``output_dir``) may be

* a path that does not exist yet, whose nearest existing parent is a writable directory: it is created;
* an empty directory (or one holding only this stage's resume state, e.g. the rewrite cache ``.cache/``);
* a directory holding an earlier output of this tool (a ``manifest.json`` written by a curate / align stage, or
  the ``pipeline.json`` of ``curate run``) -- only with ``--overwrite``: the earlier outputs are replaced, the resume
  state is kept.

Anything else is refused with one line (exit 2) and nothing is written: a file, an unwritable place, a folder of
the user's own files (even with ``--overwrite``), a non-empty output folder without ``--overwrite``, or a folder
that holds the stage's own input.

Use::

    plan = check_output_dir(out, overwrite=overwrite, flag="-o", inputs=[input_path])   # before any work
    with replacing(plan):                                                                # around the work
        run_stage(..., out)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from curate.core.errors import UsageError
from curate.core.manifest import MANIFEST, read_manifest

PIPELINE_STATE = "pipeline.json"
# hidden entries this tool makes while it works (staging dirs of curate.core.io / publish, the backup of a replace)
TEMP_PREFIXES = (".staging-", ".replaced-", ".curate-probe-")
RESUME_STATE = (".cache",)  # the rewrite stage's generation cache: kept by --overwrite, so a rerun resumes


@dataclass(frozen=True)
class OutputPlan:
    """What ``check_output_dir`` found: ``state`` is ``new`` (created on success), ``empty`` or ``replace`` (an earlier
    output of ``earlier`` -- a stage name -- that ``--overwrite`` replaces)."""

    path: Path
    flag: str
    state: str
    earlier: str | None = None
    keep: tuple[str, ...] = RESUME_STATE


def earlier_output(path: str | os.PathLike) -> str | None:
    """The stage whose earlier output ``path`` holds (``rewrite``, ``filter``, ``publish``, ``run`` ...), or None when
    it holds nothing this tool wrote."""
    p = Path(path)
    for name, stage_of in ((MANIFEST, lambda d: d.get("stage")), (PIPELINE_STATE, lambda d: "run")):
        f = p / name
        if not f.is_file():
            continue
        data = read_manifest(f)
        if data is None:
            continue
        if name == MANIFEST and not ("stage" in data and ("config" in data or "versions" in data)):
            continue  # somebody else's manifest.json
        stage = stage_of(data)
        if isinstance(stage, str) and stage:
            return stage
    return None


def _entries(path: Path, keep: Iterable[str]) -> list[Path]:
    keep = set(keep)
    return sorted(e for e in path.iterdir() if e.name not in keep and not e.name.startswith(TEMP_PREFIXES))


def _probe_writable(directory: Path) -> str | None:
    """None when a file can be created in ``directory`` (really tried: root passes every ``os.access`` check, and
    /proc or a read-only mount fail only when written to), else why not."""
    try:
        fd, name = tempfile.mkstemp(prefix=".curate-probe-", dir=directory)
    except OSError as e:
        return e.strerror or type(e).__name__
    os.close(fd)
    os.unlink(name)
    return None


def is_inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except (ValueError, OSError):
        return False


def check_output_dir(path: str | os.PathLike, *, overwrite: bool = False, flag: str = "-o",
                     inputs: Iterable[str | os.PathLike | None] = (), keep: tuple[str, ...] = RESUME_STATE,
                     resume: str | None = None) -> OutputPlan:
    """Check an output directory before any work starts; a refusal is a one-line ``UsageError`` naming ``flag``.

    ``inputs``: paths the stage reads -- an output dir that holds one of them is refused (replacing it would delete
    the input). ``keep``: entries that are resume state, not outputs (they neither make the folder non-empty nor are
    they removed by a replace). ``resume``: the stage whose earlier output is resumed in place without
    ``--overwrite`` (``curate run`` resumes its own ``output_dir``).
    """
    p = Path(path)
    shown = f"{flag} {p}"
    for inp in inputs:
        if inp is not None and Path(inp).exists() and p.exists() and is_inside(Path(inp), p):
            raise UsageError(f"{shown}: holds this command's input {inp}; write the output to another directory")
    if p.exists() and not p.is_dir():
        raise UsageError(f"{shown}: exists and is a file; give a directory (it is created when missing)")
    if not p.exists():
        _check_creatable(p, shown)
        return OutputPlan(p, flag, "new", keep=keep)
    why = _probe_writable(p)
    if why:
        raise UsageError(f"{shown}: not writable ({why})")
    entries = _entries(p, keep)
    if not entries:
        return OutputPlan(p, flag, "empty", keep=keep)
    stage = earlier_output(p)
    if stage is None:
        names = ", ".join(e.name for e in entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
        raise UsageError(f"{shown}: a non-empty folder that is not an output of this tool (it holds {names}); refusing "
                         "to overwrite it (--overwrite replaces only an earlier output of this tool): give a new or "
                         "empty directory")
    if resume is not None and stage == resume:
        return OutputPlan(p, flag, "empty", earlier=stage, keep=keep)
    if not overwrite:
        kept = f" (its {', '.join(keep)} is kept)" if any((p / k).exists() for k in keep) else ""
        raise UsageError(f"{shown}: holds an earlier `{_command(stage)}` output; pass --overwrite to replace it{kept}, "
                         "or give a new directory")
    return OutputPlan(p, flag, "replace", earlier=stage, keep=keep)


def _command(stage: str) -> str:
    if stage.startswith("align."):
        return "align " + stage.removeprefix("align.")
    return {"review": "curate review pull", "run": "curate run"}.get(stage, f"curate {stage}")


def check_output_file(path: str | os.PathLike, *, overwrite: bool = False, flag: str = "-o") -> Path:
    """An output file: refused when it is a directory, exists (without ``overwrite``) or cannot be created."""
    p = Path(path)
    shown = f"{flag} {p}"
    if p.is_dir():
        raise UsageError(f"{shown}: is a directory; give a file name")
    if p.exists() and not overwrite:
        raise UsageError(f"{shown}: exists; refusing to overwrite it")
    _check_creatable(p, shown)
    return p


def _check_creatable(p: Path, shown: str) -> None:
    """``p`` (missing) can be created: its nearest existing parent is a writable directory."""
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{shown}: cannot create it: {parent} is a file, not a directory")
    why = _probe_writable(parent)
    if why:
        raise UsageError(f"{shown}: cannot create it: {parent} is not writable ({why})")


@contextmanager
def replacing(plan: OutputPlan) -> Iterator[Path]:
    """Run a stage into ``plan.path``; with ``state == "replace"`` the earlier outputs are moved aside first (into a
    hidden backup inside the folder, same filesystem) and deleted only when the block succeeds. On failure they are
    put back: a failed rerun leaves the earlier results as they were. Resume state (``plan.keep``) stays in place."""
    if plan.state != "replace":
        yield plan.path
        return
    backup = Path(tempfile.mkdtemp(prefix=".replaced-", dir=plan.path))
    moved: list[str] = []
    try:
        for entry in _entries(plan.path, plan.keep):
            os.replace(entry, backup / entry.name)
            moved.append(entry.name)
        yield plan.path
    except BaseException:
        plan.path.mkdir(parents=True, exist_ok=True)
        for name in moved:
            target = plan.path / name
            if not target.exists() and (backup / name).exists():
                os.replace(backup / name, target)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def output_dir(path: str | os.PathLike, *, overwrite: bool = False, flag: str = "-o",
               inputs: Iterable[str | os.PathLike | None] = (), keep: tuple[str, ...] = RESUME_STATE,
               resume: str | None = None) -> Iterator[Path]:
    """``check_output_dir`` + ``replacing`` in one: for a command whose only slow work is inside the block."""
    plan = check_output_dir(path, overwrite=overwrite, flag=flag, inputs=inputs, keep=keep, resume=resume)
    with replacing(plan) as p:
        yield p
