"""Pull: fetch -> merge -> write ``reviewed.parquet`` / ``review_dropped.parquet`` / ``review_report.md`` / ``manifest.json``.

``reviewed.parquet`` holds what may go forward (``accepted`` and ``pending`` pairs: ``curate publish`` takes it,
and refuses pending ones unless told otherwise); ``review_dropped.parquet`` holds ``dropped`` (with
``review_drop_reason``) and ``disputed`` pairs.  Together they hold every pair, each exactly once.  All four
files are built in a staging dir and moved into OUT_DIR only when everything succeeded.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.io import read_table, staged_output_dir, write_json, write_table, write_text
from curate.manifest import Timer, build_manifest, file_sha256
from curate.review.connection import get_dataset
from curate.review.merge import fetch, merge
from curate.review.push import validate_pairs
from curate.review.report import render


def pull(client, cfg, out_dir: str | Path, data: str | Path | None = None) -> dict:
    """``cfg`` is the whole ``CurateConfig`` (the filter section is used to re-score corrections)."""
    rcfg = cfg.review
    timer = Timer()
    table_in = None
    data_path = None
    if data is not None:
        data_path = Path(data)
        if data_path.is_dir() and (data_path / "kept.parquet").exists():
            data_path = data_path / "kept.parquet"
        table_in = validate_pairs(read_table(data_path), str(data_path))
    ds = get_dataset(client, rcfg.dataset, rcfg.workspace)
    with timer("fetch"):
        records = fetch(ds, client)
    with timer("merge"):
        table, summary = merge(records, rcfg, data=table_in, filter_cfg=cfg.filter)
    forward = table.filter(pl.col("review_status").is_in(["accepted", "pending"]))
    aside = table.filter(~pl.col("review_status").is_in(["accepted", "pending"]))
    report = render(table, summary, ds.name, ds.workspace.name)
    manifest = build_manifest(
        "review", rcfg,
        inputs={"dataset": ds.name, "workspace": ds.workspace.name, "api_url": client.api_url,
                "data": str(data_path.resolve()) if data_path else None,
                "data_sha256": file_sha256(data_path) if data_path else None},
        counts={**summary["counts"], "reviewed_parquet": forward.height, "review_dropped_parquet": aside.height},
        timings=timer.timings,
        agreement=summary["agreement"],
        submitted_by_annotator=summary["submitted_by_annotator"],
        filter_config=_filter_config(cfg),
    )
    with staged_output_dir(out_dir) as stage:
        write_table(forward, stage / "reviewed.parquet")
        write_table(aside, stage / "review_dropped.parquet")
        write_text(report, stage / "review_report.md")
        write_json(manifest, stage / "manifest.json")
    return manifest


def _filter_config(cfg) -> dict:
    from curate.configlib import to_dict

    return to_dict(cfg.filter)
