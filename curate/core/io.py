"""Reading input tables and writing outputs atomically.

Inputs: CSV, JSONL (or a JSON array), Parquet, or a directory written by ``datasets.save_to_disk``.
Outputs: Parquet (default), JSONL or CSV, always written to a temp file in the same directory and renamed,
so a crash never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import polars as pl

from curate.core.errors import UsageError
from curate.core.manifest import MANIFEST

FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}


def detect_format(path: Path) -> str:
    if path.is_dir():
        if (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists() or (path / "state.json").exists():
            return "hf_dataset"
        raise UsageError(f"{path}: a directory, but not a `datasets.save_to_disk` directory (no dataset_info.json / dataset_dict.json)")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: unknown format {path.suffix or '(no extension)'!r}; use .csv, .tsv, .jsonl, .json, .parquet or a datasets directory")
    return fmt


def _check_utf8(path: Path) -> None:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise UsageError(f"{path}: invalid UTF-8 at byte {e.start} (line {line}); re-encode the file as UTF-8") from None


def read_table(path: str | os.PathLike) -> pl.DataFrame:
    """Read any supported input into a DataFrame; bad input raises ``UsageError`` with one clear line."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    fmt = detect_format(path)
    if fmt != "hf_dataset" and path.stat().st_size == 0:
        raise UsageError(f"{path}: the file is empty")
    try:
        if fmt in ("csv", "tsv"):
            _check_utf8(path)
            df = pl.read_csv(path, separator="\t" if fmt == "tsv" else ",", infer_schema_length=0, encoding="utf8")
        elif fmt == "jsonl":
            _check_utf8(path)
            df = pl.read_ndjson(path, infer_schema_length=None)
        elif fmt == "json":
            _check_utf8(path)
            obj = json.loads(path.read_text("utf-8"))
            if isinstance(obj, dict):
                obj = obj.get("data", obj.get("rows", [obj]))
            df = pl.DataFrame(obj)
        elif fmt == "parquet":
            df = pl.read_parquet(path)
        else:
            df = _read_hf_dataset(path)
    except UsageError:
        raise
    except Exception as e:  # polars / pyarrow / json parse errors: one line, exit 2
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"{path}: cannot read as {fmt}: {msg}") from None
    if df.height == 0:
        raise UsageError(f"{path}: no rows")
    return df


def _read_hf_dataset(path: Path) -> pl.DataFrame:
    import datasets

    ds = datasets.load_from_disk(str(path))
    if isinstance(ds, datasets.DatasetDict):
        frames = []
        for split, part in ds.items():
            frames.append(pl.from_arrow(part.data.table).with_columns(pl.lit(split).alias("split")))
        return pl.concat(frames, how="diagonal_relaxed")
    return pl.from_arrow(ds.data.table)


def missing_columns_error(where: str | os.PathLike, missing, found=None, hint: str = "") -> UsageError:
    """The one "missing column(s)" error: ``WHERE: missing column(s) 'a', 'b'; found x, y[; HINT]``."""
    msg = f"{where}: missing column(s) {', '.join(repr(c) for c in missing)}"
    if found is not None:
        msg += f"; found {', '.join(found)}"
    return UsageError(msg + (f"; {hint}" if hint else ""))


def require_columns(df: pl.DataFrame, columns, path: str | os.PathLike = "input", *, show_found: bool = True,
                    hint: str = "") -> None:
    """Raise :func:`missing_columns_error` when ``df`` lacks any of ``columns``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise missing_columns_error(path, missing, df.columns if show_found else None, hint)


# ---------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def usual_mode(path: str | os.PathLike) -> None:
    """Give a file or directory made by ``tempfile`` (0600 / 0700) the mode a plain ``open`` / ``mkdir`` would
    give it under the user's umask, so outputs are as readable as any other file the user writes."""
    p = Path(path)
    p.chmod((0o777 if p.is_dir() else 0o666) & ~_UMASK)


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path next to ``target``; rename it onto ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        usual_mode(tmp_path)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_table(df: pl.DataFrame, target: str | os.PathLike) -> Path:
    """Write a table atomically; the format follows the extension (.parquet, .jsonl, .csv)."""
    target = Path(target)
    fmt = FORMATS.get(target.suffix.lower(), "parquet")
    with atomic_path(target) as tmp:
        if fmt == "parquet":
            df.write_parquet(tmp)
        elif fmt == "jsonl":
            df.write_ndjson(tmp)
        elif fmt in ("csv", "tsv"):
            flat = df.with_columns(
                [pl.col(c).cast(pl.List(pl.Utf8)).list.join("; ") for c, t in df.schema.items() if isinstance(t, pl.List)]
            )
            flat.write_csv(tmp, separator="\t" if fmt == "tsv" else ",")
        else:
            raise UsageError(f"{target}: cannot write format {target.suffix!r}")
    return target


def write_text(text: str, target: str | os.PathLike) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_json(obj, target: str | os.PathLike) -> Path:
    return write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n", target)


@contextmanager
def atomic_dir(target: str | os.PathLike, *, near: bool = True) -> Iterator[Path]:
    """Build a whole directory elsewhere; it replaces ``target`` only when the block succeeds.

    An existing ``target`` is swapped out by rename, then deleted (restored if the swap fails); on failure nothing
    at ``target`` changes.  ``near``: build it next to ``target`` (same filesystem, so the move is a rename; creates
    ``target``'s parent); else in the system temp dir, so nothing is created near ``target`` before the block
    succeeded.  The directory gets the mode a plain ``mkdir`` would give it.
    """
    target = Path(target)
    if near:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    else:
        scratch = Path(tempfile.mkdtemp(prefix="curate-"))
    new = scratch / "new"
    new.mkdir()
    try:
        yield new
        usual_mode(new)
        if target.exists():
            old = scratch / "previous"
            os.replace(target, old)
            try:
                os.replace(new, target)
            except BaseException:
                os.replace(old, target)
                raise
        else:  # the parent may be created only now; the scratch dir may sit on another filesystem
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(new), str(target))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def staged_output_dir(out_dir: str | os.PathLike, keep: tuple[str, ...] = ()) -> Iterator[Path]:
    """Build a stage's outputs in a hidden staging dir, then move them into ``out_dir`` on success.

    On failure nothing in ``out_dir`` changes (files named in ``keep``, like a resume cache, live in
    ``out_dir`` itself and are untouched either way).  A missing ``out_dir`` that ends up empty is removed.
    """
    out_dir = Path(out_dir)
    existed = out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        yield stage
        # the manifest goes last: a reader that finds it knows the tables beside it are complete
        for item in sorted(stage.iterdir(), key=lambda p: p.name == MANIFEST):
            os.replace(item, out_dir / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not existed and not any(out_dir.iterdir()):
            out_dir.rmdir()
