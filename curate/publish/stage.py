"""``run_publish``: gates -> TRL format -> grouped split -> card -> parquet files -> local dir and/or the Hub.

Everything is built in a staging directory first.  Only when the whole dataset (and the upload, when pushing)
succeeded is it moved onto ``to_dir``; a refusal or a failure leaves nothing behind, and a rerun replaces an
earlier publish in the same directory (never anything else).
"""

from __future__ import annotations

import math
import os
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import polars as pl

from curate.core.errors import UsageError
from curate.core.io import atomic_dir, atomic_path, write_json, write_text
from curate.core.manifest import MANIFEST, Timer, build_manifest, file_sha256
from curate.publish import card, gates, hub
from curate.publish.config import PublishConfig
from curate.publish.formatting import to_preference_format
from curate.publish.inputs import load_input
from curate.publish.split import CLUSTER_COL, grouped_split
from curate.publish.tables import CARD, DATA


def check_destination(to_dir: Path) -> None:
    """An existing ``to_dir`` must be empty or an earlier publish (never overwrite anything else)."""
    if not to_dir.exists():
        return
    if not to_dir.is_dir():
        raise UsageError(f"{to_dir}: exists and is not a directory")
    entries = [p for p in to_dir.iterdir() if not p.name.startswith(".")]
    if not entries:
        return
    manifest = to_dir / MANIFEST
    if manifest.exists() and '"stage": "publish"' in manifest.read_text("utf-8", errors="replace"):
        return
    raise UsageError(f"{to_dir}: exists and is not an earlier `curate publish` output; refusing to overwrite it")


def _write_split(df: pl.DataFrame, split: str, data_dir: Path, max_rows: int) -> list[str]:
    import pyarrow.parquet as pq

    n = max(1, math.ceil(df.height / max_rows))
    names = []
    for i in range(n):
        name = f"{split}-{i:05d}-of-{n:05d}.parquet"
        # plain (not large_) arrow string types: what `datasets` and most readers expect
        table = df.slice(i * max_rows, max_rows).to_arrow(compat_level=pl.CompatLevel.oldest())
        with atomic_path(data_dir / name) as tmp:  # curate.core.io: the same file mode as every other output
            pq.write_table(table, tmp)
        names.append(f"{DATA.file}/{name}")
    return names


def build_dataset(folder: Path, data, cfg: PublishConfig, pretty_name: str) -> dict:
    """Check the gates and write ``data/*.parquet`` + ``README.md`` + ``manifest.json`` into ``folder``."""
    timer = Timer()
    with timer("load"):
        inp = load_input(data, cfg.filter_manifest)
    cfg = for_languages(cfg, inp.df)
    with timer("gates"):
        gate_counts = gates.check(inp.df, from_review=inp.from_review, allow_unreviewed=cfg.allow_unreviewed,
                                  accepted_source=inp.filtered or inp.reviewed_by_pull,
                                  allow_unfiltered=cfg.allow_unfiltered, source=str(data), source_kind=inp.describe,
                                  phi_allow=gates.phi_allow_from(inp.manifests))
    with timer("format"):
        # split the table as it came (cluster_id, question present), then format each side, leaving out what the
        # user asked: dropping `cluster_id` must not let near-duplicates straddle train and test, and the formatter
        # never drops the message columns
        train, test = grouped_split(inp.df, cfg.test_size, cfg.seed)
        by_cluster = CLUSTER_COL in inp.df.columns  # what the split grouped by, said in the card
        train, test = (to_preference_format(part, cfg.system_prompt, cfg.drop_columns) for part in (train, test))
    with timer("write"):
        data_dir = DATA.path(folder)
        data_dir.mkdir(parents=True)
        files = _write_split(train, "train", data_dir, cfg.max_shard_rows)
        if test.height:
            files += _write_split(test, "test", data_dir, cfg.max_shard_rows)
        text = card.render(cfg=cfg, train=train, test=test, manifests=inp.manifests, gate_counts=gate_counts,
                           pretty_name=pretty_name, source_rows=inp.df.height, filtered=inp.filtered,
                           split_by_cluster=by_cluster, source_kind=inp.describe, original=inp.df)
        write_text(text, folder / CARD)
    counts = {"rows_in": inp.df.height, "train": train.height, "test": test.height,
              "unreviewed_published": gate_counts["unreviewed_published"]}
    manifest = build_manifest(
        "publish", cfg, inputs={"data": str(inp.path), "sha256": file_sha256(inp.path), "origin": inp.origin,
                                "filtered": inp.filtered},
        counts=counts, timings=timer.timings, files=[*files, CARD],
        upstream_stages=sorted(inp.manifests),
    )
    write_json(manifest, folder / MANIFEST)
    return manifest


def for_languages(cfg: PublishConfig, df) -> PublishConfig:
    """``cfg`` with the data's languages filled in: ``language: null`` = the rows' languages (``lang`` column, most
    rows first; ``en`` without one); a default system prompt becomes the Spanish one when most rows are Spanish."""
    import dataclasses

    from curate.core.lang import LANG, dominant
    from curate.core.schema import DEFAULT_SYSTEM_PROMPT, DEFAULT_SYSTEM_PROMPT_ES

    langs = dominant(df) if LANG in df.columns else ["en"]
    changes = {}
    if cfg.language is None:
        changes["language"] = langs
    if langs[0] == "es" and cfg.system_prompt == DEFAULT_SYSTEM_PROMPT:
        changes["system_prompt"] = DEFAULT_SYSTEM_PROMPT_ES
    return dataclasses.replace(cfg, **changes) if changes else cfg


def run_publish(data: str | os.PathLike, cfg: PublishConfig) -> dict:
    """Publish DATA to ``cfg.to_dir`` and/or ``cfg.repo_id``; return the manifest."""
    if not cfg.to_dir and not cfg.repo_id:
        raise UsageError("nothing to publish to: give --to-dir DIR or --repo-id ORG/NAME")
    to_dir = Path(cfg.to_dir) if cfg.to_dir else None
    token = None
    if cfg.repo_id:
        hub.check_repo_id(cfg.repo_id)
        token = hub.token_from_env()
    if to_dir is not None:
        check_destination(to_dir)
    pretty_name = cfg.pretty_name or (cfg.repo_id or (to_dir.resolve().name if to_dir else "dataset"))

    # built next to the destination (same filesystem: the final move is a rename), else in the temp dir: nothing is
    # created next to the destination before the gates have passed
    with _building(to_dir) as folder:
        manifest = build_dataset(folder, data, cfg, pretty_name)
        if cfg.repo_id:
            manifest["hub"] = {"repo_id": cfg.repo_id, "commit_url": hub.push_folder(
                folder, cfg.repo_id, token=token, private=cfg.private, commit_message=cfg.commit_message)}
        if to_dir is not None:
            manifest["to_dir"] = str(to_dir)
            write_json(manifest, folder / MANIFEST)
    return manifest


@contextmanager
def _building(to_dir: Path | None):
    """The folder the dataset is built in: it replaces ``to_dir`` (an earlier publish) only when the block succeeds;
    a scratch dir, deleted after, when there is no ``to_dir`` (a Hub push only)."""
    if to_dir is None:
        with tempfile.TemporaryDirectory(prefix="curate-publish-") as tmp:
            folder = Path(tmp) / "dataset"
            folder.mkdir()
            yield folder
        return
    with atomic_dir(to_dir, near=to_dir.parent.is_dir()) as folder:
        yield folder


def run(input: str | os.PathLike, out_dir: str | os.PathLike | None, cfg: PublishConfig) -> dict:
    """The stage runner (``curate.publish.STAGE.run``): :func:`run_publish` with ``out_dir`` as ``to_dir``."""
    return run_publish(input, replace(cfg, to_dir=str(out_dir) if out_dir is not None else cfg.to_dir))


def effective_config(base: PublishConfig, **overrides) -> PublishConfig:
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})
