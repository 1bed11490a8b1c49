"""The filter stage's one orchestrator: ``default_filters`` (each filter lives beside its logic: ``filters.text``,
``filters.phi``, ``filters.readability``, ``filters.tone``, ``filters.hostility``, ``filters.facts``,
``filters.meaning``, ``filters.dedup``; the bases in ``filters.base``) and ``filter_frame`` (one batch);
``filters.runner.run_filter_stage`` streams a file through them (I/O only).  ``DROP_REASONS`` /
``REASON_SETTINGS`` / ``SCORE_COLUMNS``: what the filters declare, collected.

Columns added (``<col>`` in source_answer, chosen, rejected):
``fkgl_<col>``, ``smog_<col>``, ``flesch_reading_ease_<col>``, ``words_per_sentence_<col>``, ``words_<col>``, ``tone_<col>``,
``hostility_<col>``;
``facts_lost_<v>``, ``facts_added_<v>`` (list[str]) and, with the meaning check, ``meaning_sim_<v>`` for
``<v>`` in chosen, rejected; ``has_source``; ``phi`` (list[str], ``"KIND: text"``; with ``phi_action: redact`` the
text columns carry typed placeholders instead and ``phi_redacted`` lists the kinds replaced); ``cluster_id``, ``dup_kind``;
``drop_reasons`` (list[str], in ``default_filters`` order: dedup last, since which row of a duplicate cluster is
kept depends on the other filters) and ``keep`` (bool).  Rows without an ``id`` (no column, null or blank) get
``curate.core.schema.make_id`` of question + source answer, the id the rewrite stage gives a pair, before dedup (a
cluster's id is its first row's id) -- so the kept table can go to ``curate review push``.
"""

from __future__ import annotations

from collections import Counter

import polars as pl

from curate.core.errors import UsageError
from curate.core.schema import CHOSEN, ID, QUESTION, REJECTED, SOURCE_ANSWER, add_ids
from curate.core.stage import Table
from filters import facts as _facts
from filters import hostility as _hostility
from filters import readability as _read
from filters import tone as _tone
from filters.base import BatchFilter, Filter, GlobalFilter, count_drops, declared_reasons, dropped, finish, mark
from filters.columns import KEEP_COL, REASONS_COL
from filters.config import FilterConfig
from filters.dedup import DedupFilter
from filters.meaning import MeaningFilter
from filters.phi import detect_phi
from filters.text import TextCheck


def default_filters() -> list[Filter]:
    """In the order their reasons appear in ``drop_reasons``; dedup is last because it depends on the others.  The
    PHI, readability, tone, hostility and facts filters are their language-aware versions (``filters._*_es``): rows
    in Spanish (``filter.lang: es`` or a ``lang`` column) get the Spanish rules, an English batch exactly the English
    filters' scores and columns."""
    from filters._facts_es import FactsFilterEs
    from filters._phi_es import PhiFilterEs
    from filters._readability_es import ReadabilityFilterEs
    from filters._tone_es import HostilityFilterEs, ToneFilterEs

    return [TextCheck(), PhiFilterEs(), ReadabilityFilterEs(), ToneFilterEs(), HostilityFilterEs(), FactsFilterEs(),
            MeaningFilter(), DedupFilter()]


def split_filters(filters: list[Filter]) -> tuple[list[BatchFilter], list[GlobalFilter]]:
    """(batch filters, global filters), each in the given order."""
    for f in filters:
        if not isinstance(f, (BatchFilter, GlobalFilter)):
            raise TypeError(f"{f!r} is neither a BatchFilter nor a GlobalFilter")
    return [f for f in filters if isinstance(f, BatchFilter)], [f for f in filters if isinstance(f, GlobalFilter)]


# every drop reason the stage can give -> what it means, in ``drop_reasons`` order; and the settings behind each
DROP_REASONS: dict[str, str] = declared_reasons(default_filters())
REASON_SETTINGS: dict[str, tuple[str, ...]] = {r: f.settings.get(r, ()) for f in default_filters() for r in f.reasons}
# every column the filters add (those only some settings add last), before ``drop_reasons`` and ``keep``
SCORE_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(
    [c for f in default_filters() for c in f.columns] + [c for f in default_filters() for c in f.optional_columns]))
ALWAYS_COLUMNS: tuple[str, ...] = tuple(c for f in default_filters() for c in f.columns)

# the tables of the stage (``filters.STAGE``): what it reads, and the two it writes (every input row in one of them)
REQUIRED_COLUMNS = (QUESTION, CHOSEN, REJECTED)
PAIRS = Table("pairs.parquet", REQUIRED_COLUMNS, "kept",
              "pairs to filter: a `curate rewrite` output (its kept table) or any file with these columns "
              "(id and source_answer optional: rows without an id get the rewrite stage's content hash)")
_WRITTEN = (ID, QUESTION, SOURCE_ANSWER, CHOSEN, REJECTED, *ALWAYS_COLUMNS, REASONS_COL, KEEP_COL)
KEPT = Table("kept.parquet", _WRITTEN, "kept", "the pairs every filter kept, with every score column")
DROPPED = Table("dropped.parquet", _WRITTEN, "dropped", "the pairs some filter dropped; drop_reasons says which and why")


# ---------------------------------------------------------------- batch API


def missing_id_mask(df: pl.DataFrame) -> pl.Series | None:
    """Rows whose ``id`` is missing (no column, null or blank), or None when every row has one."""
    if ID not in df.columns:
        return pl.Series(ID, [True] * df.height, dtype=pl.Boolean)
    col = df[ID]
    mask = col.is_null() | (col.cast(pl.Utf8).str.strip_chars() == "")
    return mask if mask.any() else None


def made_ids(df: pl.DataFrame) -> pl.Series:
    """``curate.core.schema.add_ids`` of each row's question + source answer: the id the rewrite stage gives a pair."""
    answer = pl.col(SOURCE_ANSWER) if SOURCE_ANSWER in df.columns else pl.lit(None)
    return add_ids(df.select(pl.col(QUESTION).cast(pl.Utf8), answer.cast(pl.Utf8).alias(SOURCE_ANSWER)))[ID]


def with_ids(df: pl.DataFrame, ids: pl.Series | None = None) -> pl.DataFrame:
    """Give every row an ``id``: rows without one (no column, null or blank) get ``made_ids`` (or ``ids``, when
    given: the runner computes them once for the whole input, before dedup).  The column goes first when added."""
    mask = missing_id_mask(df)
    if mask is None:
        return df
    ids = made_ids(df) if ids is None else ids.alias(ID).cast(pl.Utf8)
    if ID not in df.columns:
        return df.insert_column(0, ids)
    return df.with_columns(pl.when(mask).then(ids).otherwise(pl.col(ID).cast(pl.Utf8)).alias(ID))


def _prepare(df: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise UsageError(f"input: missing column(s) {', '.join(repr(c) for c in missing)}; found {', '.join(df.columns)}")
    if SOURCE_ANSWER not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Utf8).alias(SOURCE_ANSWER))
    casts = [pl.col(c).cast(pl.Utf8) for c in (QUESTION, SOURCE_ANSWER, CHOSEN, REJECTED) if df.schema[c] != pl.Utf8]
    df = df.with_columns(casts) if casts else df
    return with_ids(df)  # before dedup: a cluster's id is the id of its first row


_MIN_ROWS_PER_WORKER = 5_000


def _score_rows(df: pl.DataFrame, cfg: FilterConfig, filters: list[BatchFilter]) -> pl.DataFrame:
    for f in filters:
        df = f.score(df, cfg)
    return mark(df, filters, cfg)


def filter_frame(df: pl.DataFrame, cfg: FilterConfig | None = None, filters: list[Filter] | None = None,
                 workers: int | None = None, stats: Counter | None = None) -> pl.DataFrame:
    """Score one batch: every score column, ``keep`` and ``drop_reasons`` (list[str], in filter order).

    The batch filters run on ``workers`` row slices in parallel threads (polars releases the GIL; default:
    polars' thread-pool size); ``survivors_only`` filters (the embedding meaning check) then run only on rows no
    other batch filter dropped; global filters (dedup) run last over the whole batch, told which rows the others
    dropped: a duplicate cluster keeps its first row that passes every other filter.  ``run_filter_stage``
    applies the same rule across batches, so its result equals one call on all rows.  ``stats``: rows dropped
    per reason are added to it.
    """
    cfg = cfg or FilterConfig()
    df = _prepare(df)
    batch, whole = split_filters(default_filters() if filters is None else filters)
    df = score_batch(df, cfg, batch, workers)
    for f in whole:
        df = mark(f.score(df, cfg, dropped(df)), [f], cfg)
    df = finish(df)
    if stats is not None:
        count_drops(df, stats)
    return df


def filter_batch(df: pl.DataFrame, cfg: FilterConfig | None = None) -> dict[str, pl.DataFrame]:
    """The stage's batch function (``STAGE.batch``): ``filter_frame`` split into its ``kept`` and ``dropped``
    tables.  Dedup here sees this batch only; ``run_filter_stage`` dedups across the whole input."""
    out = filter_frame(df, cfg)
    return {"kept": out.filter(pl.col(KEEP_COL)), "dropped": out.filter(~pl.col(KEEP_COL))}


def score_batch(df: pl.DataFrame, cfg: FilterConfig, filters: list[BatchFilter], workers: int | None = None) -> pl.DataFrame:
    """Batch ``filters`` over a prepared batch: their columns and ``drop_reasons`` (no ``keep`` yet)."""
    row_filters = [f for f in filters if not f.survivors_only]
    post = [f for f in filters if f.survivors_only]
    workers = pl.thread_pool_size() if workers is None else max(1, workers)
    workers = min(workers, df.height // _MIN_ROWS_PER_WORKER)
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        step = -(-df.height // workers)
        parts = [df.slice(o, step) for o in range(0, df.height, step)]
        with ThreadPoolExecutor(workers) as pool:
            df = pl.concat(list(pool.map(lambda part: _score_rows(part, cfg, row_filters), parts)), how="vertical_relaxed")
    else:
        df = _score_rows(df, cfg, row_filters)
    for f in post:
        df = mark(f.score(df, cfg, ~dropped(df)), [f], cfg)
    return df


def drop_reasons_all(cfg: FilterConfig | None = None) -> list[str]:
    """The drop reasons ``cfg`` can produce, in ``drop_reasons`` order (``DROP_REASONS``: every one there is)."""
    cfg = cfg or FilterConfig()
    return [r for f in default_filters() for r, _ in f.drops(cfg)]


def score_text(text: str, lang: str = "en") -> dict:
    """Readability, tone and hostility (each with every matched cue), facts and PHI of one text (``lang``: ``en``
    or ``es``; Spanish rows get the Spanish rules, ``filters._score_es.score_parts_es``)."""
    from curate.core.lang import normalize

    if normalize(lang) == "es":
        from filters._score_es import score_parts_es

        readability, ex, hx, facts, phi = score_parts_es(text)
    else:
        df = pl.DataFrame({"t": [text]}, schema={"t": pl.Utf8})
        r = _read.readability_frame(df, "t").row(0, named=True)
        readability = {"fkgl": r["fkgl_t"], "smog": r["smog_t"], "flesch_reading_ease": r["flesch_reading_ease_t"],
                       "words_per_sentence": r["words_per_sentence_t"], "words": r["words_t"]}
        ex, hx = _tone.explain(text or ""), _hostility.explain(text or "")
        facts, phi = _facts.extract_facts(text), detect_phi(text)
    return {
        **readability,
        "tone": ex["tone"],
        "tone_raw": ex["raw"],
        "sentences": ex["sentences"],
        "cues": [_tone.format_cue(h) for h in ex["cues"]],
        "cue_details": ex["cues"],
        "tone_label": ex["label"],
        "hostility": hx["hostility"],
        "hostile": hx["hostile"],
        "hostility_cues": [_hostility.format_cue(h) for h in hx["cues"]],
        "hostility_cue_details": hx["cues"],
        "hostility_learned": hx["learned"] and {
            "logit": round(hx["learned"]["logit"], 4), "added": round(hx["learned"]["extra"], 4),
            "ngrams": [{"ngram": g, "weight": round(w, 4)} for g, w in hx["learned"]["ngrams"]]},
        "facts": facts,
        "phi": phi,
    }
