"""The filter stage: the concrete filters and ``filter_frame`` (one batch); ``filters.runner.run_filter_stage`` streams a
file through them.

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

from dataclasses import dataclass

import polars as pl

from curate.core.errors import UsageError
from curate.core.schema import CHOSEN, ID, QUESTION, REJECTED, SOURCE_ANSWER, add_ids
from filters import dedup as _dedup
from filters import facts as _facts
from filters import readability as _read
from filters import tone as _tone
from filters.config import FilterConfig
from filters.hostility import HostilityFilter
from filters import hostility as _hostility
from filters.phi import detect_phi, phi_series, redact_frame

TEXT_COLS = (SOURCE_ANSWER, CHOSEN, REJECTED)
VARIANTS = (CHOSEN, REJECTED)
_STR_LIST = pl.List(pl.Utf8)


def _present(col: str) -> pl.Expr:
    return pl.col(col).is_not_null() & (pl.col(col).str.strip_chars().str.len_chars() > 0)


# ---------------------------------------------------------------- filters


@dataclass
class TextCheck:
    """Chosen and rejected must both be non-empty text."""

    name: str = "text"

    def score(self, df: pl.DataFrame, cfg: FilterConfig) -> pl.DataFrame:
        return df.with_columns(_present(SOURCE_ANSWER).alias("has_source"))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [("missing_text", ~_present(CHOSEN) | ~_present(REJECTED))]


@dataclass
class ReadabilityFilter:
    name: str = "readability"

    def score(self, df: pl.DataFrame, cfg: FilterConfig) -> pl.DataFrame:
        for c in TEXT_COLS:
            df = _read.readability_frame(df, c)
        return df.with_columns(
            pl.when(_present(SOURCE_ANSWER)).then(pl.col(f"{m}_{SOURCE_ANSWER}")).otherwise(None).alias(f"{m}_{SOURCE_ANSWER}")
            for m in ("fkgl", "smog", "flesch_reading_ease", "words_per_sentence")
        )

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        out = [
            ("chosen_too_hard", pl.col(f"fkgl_{CHOSEN}") > cfg.max_chosen_grade),
            ("grade_margin", (pl.col(f"fkgl_{REJECTED}") - pl.col(f"fkgl_{CHOSEN}")) < cfg.min_grade_margin),
        ]
        if cfg.max_chosen_smog is not None:
            out.append(("chosen_too_hard_smog", pl.col(f"smog_{CHOSEN}") > cfg.max_chosen_smog))
        return out


@dataclass
class ToneFilter:
    name: str = "tone"

    def score(self, df: pl.DataFrame, cfg: FilterConfig) -> pl.DataFrame:
        """The tone score needs each text's hostile cues: it adds ``hostility_<col>`` first (``HostilityFilter``
        then finds them and does not score again)."""
        for c in TEXT_COLS:
            raw = _hostility.raw_series(df, c)
            df = _hostility.hostility_frame(df, c, raw=raw)
            df = _tone.tone_frame(df, c, hostile_raw=raw.to_numpy())
        df = df.drop([f"tone_raw_{c}" for c in TEXT_COLS])
        return df.with_columns((pl.col(f"tone_{CHOSEN}") - pl.col(f"tone_{REJECTED}")).alias("tone_margin"))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [
            ("tone_margin", pl.col("tone_margin") < cfg.min_tone_margin),
            ("chosen_not_supportive", pl.col(f"tone_{CHOSEN}") < cfg.min_chosen_tone),
            ("rejected_too_supportive", pl.col(f"tone_{REJECTED}") > cfg.max_rejected_tone),
        ]


@dataclass
class FactsFilter:
    """Facts of each variant against the source; without a source, rejected against chosen."""

    name: str = "facts"

    def score(self, df: pl.DataFrame, cfg: FilterConfig) -> pl.DataFrame:
        if not cfg.check_facts:
            return df.with_columns(
                [pl.lit([], dtype=_STR_LIST).alias(f"facts_{k}_{v}") for v in VARIANTS for k in ("lost", "added")]
            )
        lex = cfg.extra_lexicon_dir
        tmp = df.select(pl.col("has_source"), *[pl.col(c) for c in TEXT_COLS])
        tmp = tmp.with_columns([_facts.facts_series(tmp[c], lex).alias(f"_f_{c}") for c in TEXT_COLS])
        src = pl.col(f"_f_{SOURCE_ANSWER}")
        ch, rj = pl.col(f"_f_{CHOSEN}"), pl.col(f"_f_{REJECTED}")
        empty = pl.lit([], dtype=_STR_LIST)
        cols = tmp.select(
            pl.when("has_source").then(src.list.set_difference(ch)).otherwise(empty).alias(f"facts_lost_{CHOSEN}"),
            pl.when("has_source").then(ch.list.set_difference(src)).otherwise(empty).alias(f"facts_added_{CHOSEN}"),
            pl.when("has_source").then(src.list.set_difference(rj)).otherwise(ch.list.set_difference(rj)).alias(f"facts_lost_{REJECTED}"),
            pl.when("has_source").then(rj.list.set_difference(src)).otherwise(rj.list.set_difference(ch)).alias(f"facts_added_{REJECTED}"),
        ).with_columns(pl.all().list.sort().cast(_STR_LIST))
        return df.with_columns(cols.get_columns())

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        out = []
        if cfg.check_facts and cfg.drop_on_lost_facts:
            out.append(("facts_lost", pl.any_horizontal([pl.col(f"facts_lost_{v}").list.len() > 0 for v in VARIANTS])))
        if cfg.check_facts and cfg.drop_on_added_facts:
            out.append(("fact_drift", pl.any_horizontal([pl.col(f"facts_added_{v}").list.len() > 0 for v in VARIANTS])))
        return out


@dataclass
class MeaningFilter:
    """Embedding similarity to the source. The slow part of the stage, so it only embeds rows that every
    per-row filter kept (``survivors_only``); rows already dropped get null similarities.  Duplicates are
    embedded too: dedup runs after this filter, and any row of a cluster may become the one kept."""

    name: str = "meaning"
    survivors_only: bool = True

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        if not cfg.meaning_check:
            return df
        from filters.meaning import options, similarities

        mask = alive if alive is not None else pl.Series([True] * df.height)
        mask = mask & df["has_source"] if "has_source" in df.columns else mask
        idx = mask.arg_true()
        src = df[SOURCE_ANSWER].gather(idx).to_list()
        sims, _ = similarities(src, {v: df[v].gather(idx).to_list() for v in VARIANTS}, **options(cfg))
        pos = {i: k for k, i in enumerate(idx.to_list())}
        cols = [pl.Series(f"meaning_sim_{v}", [sims[v][pos[i]] if i in pos else None for i in range(df.height)],
                          dtype=pl.Float64) for v in VARIANTS]
        return df.with_columns(cols)

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        if not cfg.meaning_check:
            return []
        low = [pl.col(f"meaning_sim_{v}").fill_null(1.0) < cfg.min_meaning_similarity for v in VARIANTS]
        return [("meaning_drift", pl.any_horizontal(low))]


@dataclass
class PhiFilter:
    name: str = "phi"

    def score(self, df: pl.DataFrame, cfg: FilterConfig) -> pl.DataFrame:
        """``phi``: ``"KIND: text"`` of every span found. With ``phi_action: redact`` the text columns are
        rewritten with typed placeholders first, ``phi_redacted`` lists one kind per replaced span, and ``phi``
        holds what is left (nothing, unless a placeholder's neighbour still reads as PHI)."""
        cols = phi_text_columns(df)
        if cfg.phi_action == "redact":
            df = redact_frame(df, cols, cfg.phi_allow)
        return df.with_columns(phi_series(df, cols, cfg.phi_allow))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [("phi", pl.col("phi").list.len() > 0)] if cfg.phi_action == "drop" else []


# columns the stages write themselves (ids, labels, parameters): never free text
_MACHINE_COLS = {ID, "source", "rewrite_model", "prompt_version", "generation_params", "chosen_style", "rejected_style",
                 "cluster_id", "dup_kind", "review_status", "review_drop_reason", "input_row"}


def phi_text_columns(df: pl.DataFrame) -> list[str]:
    """The columns PHI is looked for (and redacted) in: question, source answer, chosen, rejected, and any other
    text column a person or a model wrote."""
    cols = [c for c in (QUESTION, *TEXT_COLS) if c in df.columns]
    return cols + [c for c, t in df.schema.items() if t == pl.Utf8 and c not in cols and c not in _MACHINE_COLS]


@dataclass
class DedupFilter:
    """Exact + MinHash near-duplicate questions. Needs every row and runs after every other filter: a cluster
    keeps its first row (input order) that no other filter drops (see ``filters.dedup``).  ``filter_frame``
    clusters the batch it is given; ``run_filter_stage`` clusters the whole question column once and resolves
    the batches in order with one ``DuplicateResolver``."""

    name: str = "dedup"
    needs_all_rows: bool = True

    def score(self, df: pl.DataFrame, cfg: FilterConfig, other: pl.Series | None = None) -> pl.DataFrame:
        """Adds ``cluster_id`` and ``dup_kind``; ``other``: the row has a drop reason besides duplication."""
        groups = _dedup.cluster_frame(df, QUESTION, cfg.near_dup_threshold, cfg.minhash_num_perm, cfg.shingle_size,
                                      cfg.minhash_seed, near=cfg.dedup)
        if not cfg.dedup:
            return df.with_columns(groups["cluster_id"], pl.lit(None, dtype=pl.Utf8).alias("dup_kind"))
        resolver = _dedup.DuplicateResolver(groups["cluster_row"].to_numpy(), groups["exact_row"].to_numpy())
        other = other if other is not None else pl.Series([False] * df.height)
        return df.with_columns(groups["cluster_id"], resolver.resolve(0, other.fill_null(False).to_numpy()))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        if not cfg.dedup:
            return []
        return [("duplicate", pl.col("dup_kind") == "exact"), ("near_duplicate", pl.col("dup_kind") == "near")]


def default_filters() -> list:
    """In the order their reasons appear in ``drop_reasons``; dedup is last because it depends on the others."""
    return [TextCheck(), PhiFilter(), ReadabilityFilter(), ToneFilter(), HostilityFilter(), FactsFilter(), MeaningFilter(),
            DedupFilter()]


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
    missing = [c for c in (QUESTION, CHOSEN, REJECTED) if c not in df.columns]
    if missing:
        raise UsageError(f"input: missing column(s) {', '.join(repr(c) for c in missing)}; found {', '.join(df.columns)}")
    if SOURCE_ANSWER not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Utf8).alias(SOURCE_ANSWER))
    casts = [pl.col(c).cast(pl.Utf8) for c in (QUESTION, SOURCE_ANSWER, CHOSEN, REJECTED) if df.schema[c] != pl.Utf8]
    df = df.with_columns(casts) if casts else df
    return with_ids(df)  # before dedup: a cluster's id is the id of its first row


_MIN_ROWS_PER_WORKER = 5_000


def _reason_exprs(filters: list, cfg: FilterConfig) -> list[pl.Expr]:
    return [pl.when(cond.fill_null(False)).then(pl.lit(reason)).otherwise(None) for f in filters for reason, cond in f.drops(cfg)]


def _finish(df: pl.DataFrame, conds: list[pl.Expr]) -> pl.DataFrame:
    reasons = pl.concat_list(conds).list.drop_nulls() if conds else pl.lit([], dtype=_STR_LIST)
    return df.with_columns(reasons.cast(_STR_LIST).alias("drop_reasons"))


def _score_rows(df: pl.DataFrame, cfg: FilterConfig, filters: list) -> pl.DataFrame:
    for f in filters:
        df = f.score(df, cfg)
    return _finish(df, _reason_exprs(filters, cfg))


def filter_frame(df: pl.DataFrame, cfg: FilterConfig | None = None, filters: list | None = None,
                 workers: int | None = None) -> pl.DataFrame:
    """Score one batch: every score column, ``keep`` and ``drop_reasons`` (list[str], in filter order).

    The per-row filters run on ``workers`` row slices in parallel threads (polars releases the GIL; default:
    polars' thread-pool size); filters marked ``survivors_only`` (the embedding meaning check) then run only on
    rows no per-row filter dropped; filters that need every row (dedup) run last over the whole batch, told
    which rows the others dropped: a duplicate cluster keeps its first row that passes every other filter.
    ``run_filter_stage`` applies the same rule across batches, so its result equals one call on all rows.
    """
    cfg = cfg or FilterConfig()
    df = _prepare(df)
    filters = default_filters() if filters is None else filters
    whole = [f for f in filters if getattr(f, "needs_all_rows", False)]
    df = _score_per_row(df, cfg, [f for f in filters if not getattr(f, "needs_all_rows", False)], workers)
    for f in whole:
        df = f.score(df, cfg, df["drop_reasons"].list.len() > 0)
        df = append_reasons(df, [f], cfg)
    return finish(df)


def _score_per_row(df: pl.DataFrame, cfg: FilterConfig, filters: list, workers: int | None = None) -> pl.DataFrame:
    """``filters`` (none of them ``needs_all_rows``) over a prepared batch: their columns and ``drop_reasons``."""
    row_filters = [f for f in filters if not getattr(f, "survivors_only", False)]
    post = [f for f in filters if getattr(f, "survivors_only", False)]
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
        df = f.score(df, cfg, df["drop_reasons"].list.len() == 0)
        df = append_reasons(df, [f], cfg)
    return df


def append_reasons(df: pl.DataFrame, filters: list, cfg: FilterConfig) -> pl.DataFrame:
    extra = _reason_exprs(filters, cfg)
    if not extra:
        return df
    return df.with_columns(pl.concat_list([pl.col("drop_reasons"), *extra]).list.drop_nulls().cast(_STR_LIST).alias("drop_reasons"))


def finish(df: pl.DataFrame) -> pl.DataFrame:
    """``keep`` from ``drop_reasons``; both go last."""
    return df.select(pl.exclude("drop_reasons", "keep"), "drop_reasons",
                     (pl.col("drop_reasons").list.len() == 0).alias("keep"))


def drop_reasons_all(cfg: FilterConfig | None = None) -> list[str]:
    cfg = cfg or FilterConfig()
    return [r for f in default_filters() for r, _ in f.drops(cfg)]


def score_text(text: str) -> dict:
    """Readability, tone and hostility (each with every matched cue), facts and PHI of one text."""
    df = pl.DataFrame({"t": [text]}, schema={"t": pl.Utf8})
    r = _read.readability_frame(df, "t").row(0, named=True)
    ex = _tone.explain(text or "")
    hx = _hostility.explain(text or "")
    return {
        "fkgl": r["fkgl_t"],
        "smog": r["smog_t"],
        "flesch_reading_ease": r["flesch_reading_ease_t"],
        "words_per_sentence": r["words_per_sentence_t"],
        "words": r["words_t"],
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
        "facts": _facts.extract_facts(text),
        "phi": detect_phi(text),
    }
