"""Streaming runner of the filter stage: bounded memory on millions of rows.

1. The global filters (``filters.base.GlobalFilter``: dedup) need every row at once: only the columns they need
   are read (dedup: the question with ``id``, and ``source_answer`` when some row lacks an id: such rows get
   ``make_id`` of question + source answer, as in the rewrite stage; a batch at a time) and each filter is fit on
   them once (dedup: the clusters, a small table indexed by row number).
2. The text columns are read in batches of ``cfg.batch_rows`` (Parquet row groups via pyarrow; other formats
   via ``curate.core.io.read_table`` and slicing) and scored by ``filter_frame`` with every batch filter.  Each global filter's pass (dedup: a
   ``DuplicateResolver``) then decides, batch by batch in input order, which row of each cluster is kept: the
   first one no other filter dropped (it keeps one integer per row; the rule only looks at earlier rows, so no
   second pass is needed and the result equals ``filter_frame`` on all rows at once).  The batch is appended
   to ``kept.parquet`` / ``dropped.parquet`` through incremental Parquet writers -- in a staging dir, moved
   into OUT_DIR only when everything succeeded.
3. Counts, drops per reason and the few columns the report plots are accumulated per batch.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curate.core.errors import UsageError
from curate.core.io import read_table, staged_output_dir, write_json
from curate.core.manifest import Timer, build_manifest, file_sha256
from curate.core.schema import CHOSEN, ID, QUESTION, REASON, REJECTED, SOURCE_ANSWER
from curate.core.stage import MANIFEST
from filters.base import count_drops, dropped, finish, mark
from filters.columns import HAS_SOURCE_COL, KEEP_COL, PHI_COL, PHI_REDACTED_COL, REASONS_COL
from filters.config import FilterConfig
from filters.phi import kind_counts
from filters.report import PLOT_FILES, REPORT_FILE, check_status, write_report
from filters.stage import (DROPPED, KEPT, REQUIRED_COLUMNS, default_filters, filter_frame, missing_id_mask,
                           split_filters, with_ids)

SHOW_IDS = 10
# every file a finished run leaves in OUT_DIR (the manifest lists them; ``filters.STAGE.outputs()``)
OUTPUTS = (KEPT.file, DROPPED.file, MANIFEST, REPORT_FILE, *PLOT_FILES)
# the few score columns the report plots and summarizes (those a batch lacks, e.g. hostility when no such filter ran, are left out)
PLOT_COLS = [f"{m}_{v}" for m in ("fkgl", "smog", "tone", "hostility") for v in (CHOSEN, REJECTED)]


class _Source:
    """Row batches of the input with a global row offset."""

    def __init__(self, path: Path, batch_rows: int):
        self.path = path
        self.batch_rows = batch_rows
        self.is_parquet = path.is_file() and path.suffix.lower() in (".parquet", ".pq")
        self._df: pl.DataFrame | None = None
        if self.is_parquet:
            try:
                self._pf = pq.ParquetFile(path)
            except Exception as e:
                raise UsageError(f"{path}: cannot read as parquet: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
            self.columns = self._pf.schema_arrow.names
            self.num_rows = self._pf.metadata.num_rows
            if self.num_rows == 0:
                raise UsageError(f"{path}: no rows{_quarantine_hint(path)}")
        else:
            self._df = read_table(path)
            self.columns = self._df.columns
            self.num_rows = self._df.height

    def every_row(self, needs: tuple[str, ...]) -> tuple[pl.DataFrame, pl.Series | None, int]:
        """The ``needs`` columns of every row (what the global filters see: for dedup the question with every
        row's ``id``, for cluster ids); the ids to give rows that have none (no ``id`` column, or null / blank ids:
        ``make_id`` of question + source answer, as the rewrite stage does), or None when every row has one; and
        how many rows have none.  Read a batch at a time, those columns (and source answer, for ids) only."""
        needs = tuple(dict.fromkeys((*needs, QUESTION, ID)))
        cols = [c for c in dict.fromkeys((ID, QUESTION, SOURCE_ANSWER, *needs)) if c in self.columns]
        if self.is_parquet:
            parts = (pl.from_arrow(pa.Table.from_batches([rb])) for rb in self._pf.iter_batches(self.batch_rows, columns=cols))
        else:
            parts = (self._df.select(cols).slice(o, self.batch_rows) for o in range(0, self._df.height, self.batch_rows))
        out, n_missing = [], 0
        for part in parts:
            part = part.with_columns(pl.col(QUESTION).cast(pl.Utf8))
            mask = missing_id_mask(part)
            n_missing += 0 if mask is None else int(mask.sum())
            out.append(with_ids(part).select(pl.col(c).cast(pl.Utf8) if c == ID else pl.col(c) for c in needs))
        q = pl.concat(out) if out else pl.DataFrame(schema={c: pl.Utf8 for c in needs})
        return q, (q[ID] if n_missing else None), n_missing

    def batches(self):
        if self.is_parquet:
            for rb in self._pf.iter_batches(batch_size=self.batch_rows):
                yield pl.from_arrow(pa.Table.from_batches([rb]))
        else:
            for off in range(0, self._df.height, self.batch_rows):
                yield self._df.slice(off, self.batch_rows)


def _rewrite_tables():
    """(pairs, quarantine): the tables the rewrite stage declares (``rewrite.STAGE``).  Imported when first needed:
    ``rewrite`` reads ``filters.STAGE`` for ``--redo``, so neither package imports the other at import time."""
    import rewrite

    spec = rewrite.STAGE
    return spec.kept, next(t for t in spec.set_aside() if t.role == "quarantined")


def _quarantine_hint(pairs: Path) -> str:
    """Why a `curate rewrite` output has no pairs, when its quarantine.parquet says: `` (the rewrite stage
    quarantined all 3 rows, reasons: empty_answer 2, truncated 1; see DIR/quarantine.parquet)``, else ``""``."""
    pairs_table, quarantine = _rewrite_tables()
    qpath = quarantine.path(pairs.parent)
    if pairs.name != pairs_table.file or not qpath.is_file():
        return ""
    try:  # the reasons only (raw_output can be large)
        q = pl.read_parquet(qpath, columns=[c for c in pl.read_parquet_schema(qpath) if c == REASON])
        n = pl.scan_parquet(qpath).select(pl.len()).collect().item()
    except Exception:
        return ""
    if n == 0:
        return ""
    why = ""
    if REASON in q.columns:
        top = Counter(r for v in q[REASON].cast(pl.Utf8).drop_nulls().to_list() for r in v.split(";") if r)
        shown = ", ".join(f"{r} {n}" for r, n in top.most_common(3))
        why = f", reasons: {shown}{' ...' if len(top) > 3 else ''}" if top else ""
    rows = f"all {n} rows" if n > 1 else "its only row"
    return f" (the rewrite stage quarantined {rows}{why}; see {qpath})"


class _Writer:
    def __init__(self, path: Path):
        self.path = path
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.rows = 0

    def write(self, df: pl.DataFrame) -> None:
        table = df.to_arrow()
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        elif table.schema != self.schema:
            table = table.cast(self.schema)
        if table.num_rows:
            self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self, template: pl.DataFrame | None) -> None:
        if self.writer is None:  # nothing was written: an empty file with the right columns
            (template if template is not None else pl.DataFrame()).clear().write_parquet(self.path)
        else:
            self.writer.close()


class BatchScore:
    """The per-batch half of the stage, pure and picklable (an engine ships it to its workers): every batch filter
    of ``filter_frame`` over one batch -- score columns and their ``drop_reasons``, no ``keep`` yet; the global
    filters (dedup) are resolved afterwards, in input order, by ``FilterRun.execute``."""

    def __init__(self, cfg: FilterConfig):
        self.cfg = cfg

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        return filter_frame(batch, self.cfg, filters=split_filters(default_filters())[0])


class FilterRun:
    """One run of the filter stage, split so that an engine (``curate.engine``: local, Ray) decides where each
    part runs:

    * ``fit()``: the global filters (dedup) fitted on the ``needs`` columns of every row (the driver);
    * ``score`` (a ``BatchScore``): the pure per-batch scoring, mapped over batches anywhere;
    * ``execute(scored_batches, out_dir)``: the scored batches *in input order* -> each global filter's pass
      (dedup: the ``DuplicateResolver``), ``keep``, the kept / dropped writers in a staging dir, counts, report,
      manifest.  The local engine is ``execute(map(score, batches()))`` (``run``)."""

    def __init__(self, path: str | Path, cfg: FilterConfig):
        path = resolve_input(path)
        self.path, self.cfg = path, cfg
        self.timer = Timer()
        self.src = _Source(path, max(1, cfg.batch_rows))
        missing = [c for c in REQUIRED_COLUMNS if c not in self.src.columns]
        if missing:
            raise UsageError(f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; found {', '.join(self.src.columns)}")
        self.filters = default_filters()
        self.per_batch, self.whole = split_filters(self.filters)
        self.score = BatchScore(cfg)
        self.passes: list | None = None
        self.ids: pl.Series | None = None
        self.ids_made = 0

    @property
    def num_rows(self) -> int:
        return self.src.num_rows

    @property
    def is_parquet(self) -> bool:
        """The input is one Parquet file (an engine may read it itself, row groups in order)."""
        return self.src.is_parquet

    def frame(self) -> pl.DataFrame:
        """The whole input as read (csv / jsonl / a datasets dir: already in memory; Parquet: read now)."""
        return self.src._df if self.src._df is not None else pl.read_parquet(self.path)

    def fit(self) -> None:
        """Fit every global filter on the columns it needs, read from every row (a batch at a time)."""
        with self.timer("dedup"):
            rows, self.ids, self.ids_made = self.src.every_row(
                tuple(c for f in self.whole for c in (*f.needs, *(m for m in f.may_need if m in self.src.columns))))
            self.passes = [f.fit(rows, self.cfg) for f in self.whole]
            del rows

    def batches(self):
        """The input's batches in order, with the ids ``fit`` made for rows that have none."""
        offset = 0
        for batch in self.src.batches():
            n = batch.height
            if self.ids is not None:
                batch = with_ids(batch, self.ids.slice(offset, n))
            offset += n
            yield batch

    def run(self, out_dir: Path, progress: bool = False) -> dict:
        """The local engine: fit, then score and resolve the batches in this process, one after another."""
        self.fit()
        return self.execute(map(self.score, self.batches()), Path(out_dir), progress=progress)

    def execute(self, scored_batches, out_dir: Path, progress: bool = False, engine: dict | None = None,
                timings: dict | None = None) -> dict:
        """Resolve and write ``scored_batches`` (``score`` of each batch, in input order); returns the manifest.
        ``engine``: what ran the batches (name, workers, ...), for the manifest; ``timings``: the engine's own
        seconds (e.g. ``ray_start``), added to the manifest's ``timings_s``."""
        if self.passes is None:
            self.fit()
        cfg, timer, filters, whole, passes = self.cfg, self.timer, self.filters, self.whole, self.passes
        counts: Counter = Counter()
        kept_phi_ids: list = []  # the first SHOW_IDS kept rows flagged for PHI (ids only: never the matched text)
        phi_kinds: set[str] = set()
        phi_redactions: Counter = Counter()  # phi_action: redact -- spans replaced, per kind
        reasons: Counter = Counter()
        plots: list[pl.DataFrame] = []
        examples: dict[str, list[dict]] = {}
        offset = 0
        bar = None
        if progress:
            from rich.progress import Progress

            bar = Progress(transient=True)
            bar.start()
            task = bar.add_task("filter", total=self.src.num_rows)
        it = iter(scored_batches)
        try:
            with staged_output_dir(out_dir) as stage:
                kept_w, drop_w = _Writer(stage / KEPT.file), _Writer(stage / DROPPED.file)
                template = None
                while True:
                    with timer("score"):  # reading + scoring (on another engine: waiting for its workers)
                        scored = next(it, None)
                    if scored is None:
                        break
                    n = scored.height
                    with timer("dedup"):
                        for f, gp in zip(whole, passes):
                            scored = mark(gp.resolve(scored, offset, dropped(scored)), [f], cfg)
                        scored = finish(scored)
                    template = scored
                    with timer("write"):
                        kept_w.write(scored.filter(pl.col(KEEP_COL)))
                        dropped_rows = scored.filter(~pl.col(KEEP_COL))
                        drop_w.write(dropped_rows)
                    counts["input_rows"] += n
                    counts["rows_without_source"] += int((~scored[HAS_SOURCE_COL]).sum())
                    if f"meaning_sim_{CHOSEN}" in scored.columns:  # the rows the meaning check embedded
                        counts["rows_meaning_checked"] += int(scored[f"meaning_sim_{CHOSEN}"].is_not_null().sum())
                    counts["rows_with_phi"] += int((scored[PHI_COL].list.len() > 0).sum())
                    kept_phi = scored.filter(pl.col(KEEP_COL) & (pl.col(PHI_COL).list.len() > 0))
                    counts["kept_rows_with_phi"] += kept_phi.height
                    if len(kept_phi_ids) < SHOW_IDS:
                        kept_phi_ids += kept_phi[ID].cast(pl.Utf8).head(SHOW_IDS - len(kept_phi_ids)).to_list()
                    phi_kinds.update(kept_phi[PHI_COL].explode().drop_nulls().str.split(":").list.first().to_list())
                    if PHI_REDACTED_COL in scored.columns:  # phi_action: redact -- one kind per replaced span
                        counts["rows_redacted"] += int((scored[PHI_REDACTED_COL].list.len() > 0).sum())
                        phi_redactions.update(scored[PHI_REDACTED_COL].explode().drop_nulls().to_list())
                    count_drops(dropped_rows, reasons)
                    for r in dropped_rows[REASONS_COL].list.first().unique().drop_nulls().to_list():
                        ex = examples.setdefault(r, [])
                        if len(ex) < 3:
                            for row in dropped_rows.filter(pl.col(REASONS_COL).list.first() == r).head(3 - len(ex)).iter_rows(named=True):
                                ex.append(_example(row))
                    plots.append(scored.select([c for c in PLOT_COLS if c in scored.columns]))
                    offset += n
                    if bar is not None:
                        bar.update(task, advance=n)
                kept_w.close(template)
                drop_w.close(template)
                counts["kept"] = kept_w.rows
                counts["dropped"] = drop_w.rows
                for gp in passes:
                    counts.update(gp.counts)
                counts["ids_made"] = self.ids_made
                if counts["kept"] + counts["dropped"] != counts["input_rows"] or offset != self.src.num_rows:
                    raise RuntimeError("row accounting mismatch between kept, dropped and input")  # pragma: no cover
                checks = check_status(cfg, counts, [f.name for f in filters])
                manifest = build_manifest(
                    "filter", cfg,
                    inputs={"path": str(self.path), "sha256": file_sha256(self.path)},
                    counts={**{k: int(v) for k, v in counts.items()},
                            "drops_by_reason": {r: int(reasons[r]) for r in sorted(reasons, key=lambda k: -reasons[k])},
                            **({"phi_redactions": kind_counts(phi_redactions.elements())} if cfg.phi_action == "redact" else {})},
                    timings=timer.timings,
                    outputs=list(OUTPUTS),
                    notes=("rows without source_answer are scored on chosen vs rejected only (facts: rejected against "
                           "chosen; no meaning check)") if counts["rows_without_source"] else None,
                    input_columns=list(self.src.columns),
                    kept_phi=({"ids": kept_phi_ids, "kinds": sorted(phi_kinds)} if counts["kept_rows_with_phi"] else None),
                    checks=checks,
                    meaning_check_scope=("rows no lexical filter dropped, duplicates included (one may become its "
                                         "cluster's kept row); rows already dropped are not embedded"
                                         if checks.get("meaning", "").startswith("ran") else checks.get("meaning", "off")),
                    engine=engine or local_engine_info(),
                )
                with timer("report"):
                    plot_df = pl.concat(plots, how="diagonal_relaxed") if plots else pl.DataFrame({c: [] for c in PLOT_COLS})
                    write_report(stage, manifest, plot_df, examples)
                manifest["timings_s"] = {k: round(v, 3) for k, v in {**timer.timings, **(timings or {})}.items()}
                write_json(manifest, stage / MANIFEST)
        finally:
            if bar is not None:
                bar.stop()
        return manifest


def local_engine_info() -> dict:
    """The manifest's ``engine`` of an in-process run: batch filters on polars' thread pool."""
    return {"name": "local", "workers": pl.thread_pool_size()}


def run(path: Path, out_dir: Path, cfg: FilterConfig, progress: bool = False) -> dict:
    """The local engine: read, score and resolve the batches in this process, one after another."""
    return FilterRun(path, cfg).run(out_dir, progress=progress)


def resolve_input(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        pairs = _rewrite_tables()[0].path(p)
        if pairs.exists():
            return pairs
        if not ((p / "dataset_info.json").exists() or (p / "dataset_dict.json").exists()):
            raise UsageError(f"{p}: a directory without pairs.parquet (expected a `curate rewrite` output dir or a pairs file)")
    if not p.exists():
        raise UsageError(f"{p}: no such file or directory")
    return p


def run_filter_stage(input: str | Path, out_dir: str | Path, cfg: FilterConfig | None = None, progress: bool = False) -> dict:
    """Filter a pairs file (or a ``curate rewrite`` output dir); write kept/dropped/manifest/report. Returns the manifest."""
    return run(resolve_input(input), Path(out_dir), cfg or FilterConfig(), progress=progress)


def _example(row: dict) -> dict:
    def cut(s, n=160):
        s = (s or "").replace("\n", " ")
        return s if len(s) <= n else s[: n - 1] + "…"

    return {
        "id": row.get("id"),
        "question": cut(row.get(QUESTION), 100),
        "reasons": row[REASONS_COL],
        "fkgl chosen / rejected": f"{row.get(f'fkgl_{CHOSEN}', 0):.1f} / {row.get(f'fkgl_{REJECTED}', 0):.1f}",
        "smog chosen / rejected": f"{row.get(f'smog_{CHOSEN}') or 0:.1f} / {row.get(f'smog_{REJECTED}') or 0:.1f}",
        "tone chosen / rejected": f"{row.get(f'tone_{CHOSEN}') or 0:+.2f} / {row.get(f'tone_{REJECTED}') or 0:+.2f}",
        "has_source": bool(row.get(HAS_SOURCE_COL)),
        # every fact list of both sides (each one can cause facts_lost / fact_drift), empty ones left out
        "facts": {f"{v} {k}": list(row.get(f"facts_{k}_{v}") or []) for v in (CHOSEN, REJECTED) for k in ("lost", "added")
                  if row.get(f"facts_{k}_{v}")},
        "source": cut(row.get(SOURCE_ANSWER)),
        "chosen": cut(row.get(CHOSEN)),
        "rejected": cut(row.get(REJECTED)),
    }

