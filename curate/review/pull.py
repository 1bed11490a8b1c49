"""Pull: fetch -> merge -> write ``reviewed.parquet`` / ``review_dropped.parquet`` / ``review_report.md`` / ``manifest.json``.

``reviewed.parquet`` holds what may go forward (``accepted`` and ``pending`` pairs: ``curate publish`` takes it,
and refuses pending ones unless told otherwise); ``review_dropped.parquet`` holds ``dropped`` (with
``review_drop_reason``) and ``disputed`` pairs.  Together they hold every pair, each exactly once.  All files are
built in a staging dir and moved into OUT_DIR only when everything succeeded.

The A/B order comes from the review key (:mod:`curate.review.keys`).  Without ``--data`` the rows are the ones
pushed, from the key: every column the pushed table had (provenance, scores, ``keep``, ``drop_reasons``), and the
manifests of the stages that made it are written to ``OUT_DIR/upstream/<stage>/manifest.json`` and named in this
stage's manifest, so ``curate publish OUT_DIR`` finds them for the card.  A dataset whose key holds no rows (pushed
by an older version) is refused without ``--data``, with one line saying so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from curate.core.errors import UsageError
from curate.core.io import read_table, staged_output_dir, write_json, write_table, write_text
from curate.core import schema as S
from curate.core.manifest import MANIFEST, Timer, build_manifest, file_sha256
from curate.review import keys
from curate.review.connection import get_dataset
from curate.review.merge import fetch, merge
from curate.review.push import M_A_IS, validate_pairs
from curate.review.report import render
from curate.review.tables import READS, REPORT, REVIEW_DROPPED, REVIEWED, UPSTREAM


def push_and_pull(data: str | Path, out_dir: str | Path, cfg, client=None) -> dict:
    """The stage runner behind ``curate.review.run``: push ``data``, then :func:`pull` with it as ``--data``."""
    from curate.core.io import read_table
    from curate.review.connection import connect
    from curate.review.push import push

    table = _table_of(Path(data))
    client = client if client is not None else connect(cfg.review.api_url, None)
    push(validate_pairs(read_table(table), str(table)), client, cfg.review, cfg.review.dataset, cfg.review.workspace)
    return pull(client, cfg, out_dir, data=table)


def _table_of(data: Path) -> Path:
    """A filter output dir -> its kept table; a table file as it is."""
    return READS.path(data) if data.is_dir() and READS.path(data).exists() else data


def pull(client, cfg, out_dir: str | Path, data: str | Path | None = None) -> dict:
    """``cfg`` is the whole ``CurateConfig`` (the filter section is used to re-score corrections)."""
    rcfg = cfg.review
    timer = Timer()
    out_dir = Path(out_dir)
    table_in = None
    data_path = None
    if data is not None:
        data_path = _table_of(Path(data))
        table_in = validate_pairs(read_table(data_path), str(data_path))
    ds = get_dataset(client, rcfg.dataset, rcfg.workspace, exclude=rcfg.key_workspace)
    with timer("fetch"):
        try:
            records = fetch(ds, client)
        except Exception as e:  # noqa: BLE001 - the SDK's ForbiddenError: an annotator's key
            if "Forbidden" not in type(e).__name__:
                raise
            me = client.me
            raise UsageError(f"this API key ({getattr(me.role, 'value', me.role)} {me.username!r}) may not read every "
                             f"annotator's responses in {ds.name!r}: pull with the owner's API key or an admin of "
                             f"workspace {ds.workspace.name!r}") from None
        key_ds, unreadable = keys.readable_key(client, rcfg.key_workspace, ds.workspace.name, ds.name)
        meta, entries = (keys.read_key(key_ds)[:2]) if key_ds is not None else (keys.KeyMeta(), {})
    where = f"{rcfg.key_workspace}/{keys.key_dataset_name(ds.workspace.name, ds.name)}"
    unmapped = []
    for r in records:
        e = entries.get(r.id)
        if e is not None:
            r.metadata[M_A_IS] = e.a_is
        elif r.metadata.get(M_A_IS) not in ("chosen", "rejected"):  # records pushed before the key existed carry it
            unmapped.append(r.id)
    if unmapped:
        if unreadable:
            raise UsageError(unreadable)
        raise UsageError(f"{len(unmapped)} record(s) of {ds.name!r} (e.g. {unmapped[0]}) have no A/B order in the "
                         f"review key {where}: push the same table again (`curate review push`) to restore it")
    pushed = None
    if table_in is None:
        mine = {r.id: entries[r.id] for r in records if r.id in entries and entries[r.id].row is not None}
        if len(mine) < len(records):
            missing = len(records) - len(mine)
            raise UsageError(f"{missing} of {len(records)} record(s) of {ds.name!r} have no pushed row in the review "
                             f"key{' (pushed by an older curate)' if not mine else ''}: their filter columns "
                             f"(keep, scores, provenance) cannot be rebuilt from Argilla; pass --data TABLE, the table "
                             f"that was pushed (e.g. the filter's kept.parquet)")
        pushed = keys.decode_rows(mine, meta)
    with timer("merge"):
        table, summary = merge(records, rcfg, data=table_in, filter_cfg=cfg.filter, pushed=pushed)
    goes_on = pl.col(S.REVIEW_STATUS).is_in(list(S.REVIEW_GOES_ON))
    forward, aside = table.filter(goes_on), table.filter(~goes_on)
    report = render(table, summary, ds.name, ds.workspace.name)
    upstream = meta.manifests if table_in is None else {}
    final = out_dir.resolve()
    inputs = {"dataset": ds.name, "workspace": ds.workspace.name, "api_url": client.api_url,
              "data": str(data_path.resolve()) if data_path else None,
              "data_sha256": file_sha256(data_path) if data_path else None}
    if table_in is None:
        inputs.update({"rows_from": f"review key {where}", "pushed_from": meta.source,
                       "upstream_manifests": {s: str(final / UPSTREAM / _safe(s) / MANIFEST) for s in upstream}})
    manifest = build_manifest(
        "review", rcfg,
        inputs=inputs,
        counts={**summary["counts"], "reviewed_parquet": forward.height, "review_dropped_parquet": aside.height},
        timings=timer.timings,
        agreement=summary["agreement"],
        submitted_by_annotator=summary["submitted_by_annotator"],
        filter_config=_filter_config(cfg),
    )
    with staged_output_dir(out_dir) as stage:
        write_table(forward, REVIEWED.path(stage))
        write_table(aside, REVIEW_DROPPED.path(stage))
        write_text(report, stage / REPORT)
        for s, m in upstream.items():
            write_json(m, stage / UPSTREAM / _safe(s) / MANIFEST)
        write_json(manifest, stage / MANIFEST)
        _remove_earlier_upstream(out_dir)  # moving a folder needs its place free; an earlier pull's copies go
    return manifest


def _safe(stage: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stage) or "stage"


def _remove_earlier_upstream(out_dir: Path) -> None:
    """``OUT/upstream`` of an earlier pull (only manifest copies), so this pull's copies (or none) replace it."""
    old = out_dir / UPSTREAM
    if not old.is_dir():
        return
    files = [p for p in old.rglob("*") if p.is_file()]
    if all(p.name == MANIFEST and p.parent.parent == old for p in files):
        shutil.rmtree(old)


def _filter_config(cfg) -> dict:
    from curate.core.configlib import to_dict

    return to_dict(cfg.filter)
