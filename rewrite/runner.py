"""``curate rewrite``: every source row becomes a (supportive, prescriptive) pair or a quarantined row.

read -> per-row input checks -> PHI guard -> per chunk: cached generation (resumable) -> validation -> outputs.
Each chunk is a function of a table and a config (no hidden state), so the same code can be mapped over batches
on a cluster; chunking also bounds memory on large inputs.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import polars as pl

from curate.core import conversations as conv
from curate.core import schema as S
from curate.core.errors import RuntimeFailure, UsageError
from curate.core.lang import LANG, row_langs
from curate.core.io import read_table, require_columns, staged_output_dir, write_json, write_table
from curate.core.manifest import MANIFEST, Timer, build_manifest, file_sha256, redact, secret_values
from filters import PhiDetector, kind_counts, phi_lists, redact_frame
from rewrite.backends.base import GenRequest, GenResult, LazyBackend
from rewrite.cache import GenerationCache, cache_key
from rewrite.config import RewriteConfig
from rewrite.styles import CONTEXT_VERSION, StyleSpec, get_style, load_styles, styles_for
from rewrite.tables import PAIRS, QUARANTINE
from rewrite.validate import validate_output

PROBLEM = "_input_problem"
LIMIT_REASON = "skipped_by_limit"
REDO_WITH_INPUT = ("--redo (rewrite.redo) reads a `curate filter` output dir instead of an input file: give one or "
                   "the other, not both")


def check_config(cfg: RewriteConfig) -> None:
    """Check a config again (``RewriteConfig.__post_init__`` checks every new one; this catches fields changed after)."""
    from curate.core.configlib import ConfigValueError

    try:
        cfg.__post_init__()
    except ConfigValueError as e:
        raise UsageError(f"rewrite.{e}") from None


def prepare_rows(df: pl.DataFrame, cfg: RewriteConfig, source: str) -> pl.DataFrame:
    """Normalize input columns, add ``id``, ``input_row`` and a problem column (null = fine to rewrite)."""
    qc, ac = cfg.question_col, cfg.answer_col
    for c in (qc, ac):
        dt = df.schema[c]
        if not (dt == pl.Utf8 or dt == pl.Null or dt.is_numeric()):
            raise UsageError(f"column {c!r} must hold text, but holds {dt}")
    reserved = {*S.PAIR_COLUMNS, *S.QUARANTINE_COLUMNS, PROBLEM}
    extra = [c for c in df.columns if c not in (qc, ac) and c not in reserved]
    out = df.with_row_index(S.INPUT_ROW).select(
        pl.col(qc).cast(pl.Utf8).str.strip_chars().fill_null("").alias(S.QUESTION),
        pl.col(ac).cast(pl.Utf8).str.strip_chars().fill_null("").alias(S.SOURCE_ANSWER),
        pl.col(S.INPUT_ROW).cast(pl.Int64),
        *[pl.col(c) for c in extra],
    ).with_columns(pl.lit(source).alias(S.SOURCE))
    out = S.add_ids(out)
    problem = (
        pl.when(pl.col(S.QUESTION) == "").then(pl.lit("empty_question"))
        .when(pl.col(S.SOURCE_ANSWER) == "").then(pl.lit("empty_answer"))
        .when(pl.col(S.SOURCE_ANSWER).str.len_chars() > cfg.max_input_chars).then(pl.lit("answer_too_long"))
        .when(pl.col(S.QUESTION).str.len_chars() > cfg.max_input_chars).then(pl.lit("question_too_long"))
        .when(~pl.col(S.ID).is_first_distinct()).then(pl.lit("duplicate_row"))
        .otherwise(None)
    )
    return out.with_columns(problem.alias(PROBLEM))


def conversation_column(df: pl.DataFrame, cfg: RewriteConfig) -> str | None:
    """The column conversations come in (``rewrite.conversation_col``, else ``messages`` / ``conversations`` when the
    table lacks the question / answer columns), or None for a single-turn table."""
    if cfg.conversation_col:
        return cfg.conversation_col if cfg.conversation_col in df.columns else None
    if cfg.question_col in df.columns and cfg.answer_col in df.columns:
        return None
    return next((c for c in conv.CONVERSATION_INPUT_COLUMNS if c in df.columns), None)


def prepare_conversations(df: pl.DataFrame, cfg: RewriteConfig, source: str, col: str) -> pl.DataFrame:
    """One row per target assistant turn (``rewrite.turns``) of every valid conversation, with ``question`` = the last
    user turn, ``source_answer`` = the target, ``context`` and ``turn``; a conversation that is not valid is one row
    whose problem column names why (``curate.core.conversations.PROBLEMS``).  Ids hash the context + target."""
    why = conv.turn_fields(df.schema[col])
    if why:
        raise UsageError(f"column {col!r} {why}")
    reserved = {*S.PAIR_COLUMNS, *S.QUARANTINE_COLUMNS, *S.CONVERSATION_SCHEMA, PROBLEM, cfg.question_col, cfg.answer_col}
    extra = [c for c in df.columns if c != col and c not in reserved]
    out: list[dict] = []
    for i, (value, *rest) in enumerate(df.select(col, *extra).iter_rows()):
        base = {S.INPUT_ROW: i, **dict(zip(extra, rest))}
        turns, problem = conv.parse_turns(value)
        if problem:
            raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            out.append({S.ID: S.make_id(str(raw), ""), S.QUESTION: "", S.SOURCE_ANSWER: "", S.CONTEXT: None,
                        S.TURN: None, PROBLEM: problem, **base})
            continue
        for t in conv.targets(turns, cfg.turns):
            out.append({S.ID: conv.make_conversation_id(t.context, t.question, t.answer), S.QUESTION: t.question,
                        S.SOURCE_ANSWER: t.answer, S.CONTEXT: conv.context_json(t.context), S.TURN: t.turn,
                        PROBLEM: None, **base})
    schema = {S.ID: pl.Utf8, S.QUESTION: pl.Utf8, S.SOURCE_ANSWER: pl.Utf8, **S.CONVERSATION_SCHEMA, PROBLEM: pl.Utf8,
              S.INPUT_ROW: pl.Int64, **{c: df.schema[c] for c in extra}}
    rows = pl.DataFrame(out, schema=schema).with_columns(pl.lit(source).alias(S.SOURCE))
    rows = rows.select(S.ID, S.QUESTION, S.SOURCE_ANSWER, S.INPUT_ROW, *S.CONVERSATION_SCHEMA, *extra, S.SOURCE, PROBLEM)
    context_chars = pl.col(S.CONTEXT).fill_null("").str.len_chars()
    problem = (
        pl.when(pl.col(PROBLEM).is_not_null()).then(pl.col(PROBLEM))
        .when(pl.col(S.SOURCE_ANSWER).str.len_chars() > cfg.max_input_chars).then(pl.lit("answer_too_long"))
        .when(pl.col(S.QUESTION).str.len_chars() > cfg.max_input_chars).then(pl.lit("question_too_long"))
        .when(context_chars > 4 * cfg.max_input_chars).then(pl.lit("context_too_long"))
        .when(~pl.col(S.ID).is_first_distinct()).then(pl.lit("duplicate_row"))
        .otherwise(None)
    )
    return rows.with_columns(problem.alias(PROBLEM))


def read_rows(input_path: Path, cfg: RewriteConfig) -> pl.DataFrame:
    """The input table as rows to rewrite: single-turn question / answer rows, or the targets of conversations."""
    df = with_lang_column(read_table(input_path), cfg)
    source = cfg.source_name or input_path.name
    col = conversation_column(df, cfg)
    if col is None:
        if cfg.conversation_col:
            require_columns(df, [cfg.conversation_col], input_path)
        require_columns(df, [cfg.question_col, cfg.answer_col], input_path,
                        hint="or a `messages` / `conversations` column of chat turns (rewrite.conversation_col)")
        return prepare_rows(df, cfg, source)
    why = conv.turn_fields(df.schema[col])
    if why:  # the whole column is wrong: nothing to quarantine row by row
        raise UsageError(f"{input_path}: column {col!r} {why}")
    return prepare_conversations(df, cfg, source, col)


def with_lang_column(df: pl.DataFrame, cfg: RewriteConfig) -> pl.DataFrame:
    """A Spanish run (``rewrite.lang: es``) gives every row a ``lang`` column, so the filter, review, publish and eval
    stages read the rows' language from the table; a ``lang`` column of the input is checked (one clear error for a
    language this tool does not know) and rides along.  An English run without one is left as it is."""
    lang = cfg.lang or "en"
    if LANG in df.columns:
        row_langs(df, lang)
        return df.with_columns(pl.col(LANG).cast(pl.Utf8).fill_null(lang))
    return df if lang == "en" else df.with_columns(pl.lit(lang).alias(LANG))


def language_groups(valid: pl.DataFrame, cfg: RewriteConfig, styles: dict, chosen: StyleSpec, rejected: StyleSpec):
    """``[(lang, chosen spec, rejected spec, rows)]``: one group of every row (with the configured specs) without a
    ``lang`` column, else one group per language in the order they first appear, each with its language's specs."""
    if LANG not in valid.columns or valid.height == 0:
        return [(cfg.lang or "en", chosen, rejected, valid)]
    langs = row_langs(valid, cfg.lang)
    out = []
    for lang in dict.fromkeys(langs.to_list()):
        c, r = (chosen, rejected) if lang == "en" else styles_for(styles, cfg.chosen_style, cfg.rejected_style, lang,
                                                                    cfg.register)
        out.append((lang, c, r, valid.filter(langs == lang)))
    return out


def make_backend(cfg: RewriteConfig):
    gen = dict(max_new_tokens=cfg.max_new_tokens, temperature=cfg.temperature, top_p=cfg.top_p, seed=cfg.seed)
    if cfg.base_url:
        from rewrite.backends.http_backend import HTTPBackend

        return HTTPBackend(cfg.base_url, cfg.model, api_key_env=cfg.api_key_env, concurrency=cfg.concurrency,
                           timeout_s=cfg.timeout_s, max_retries=cfg.max_retries, **gen)
    from curate.core.builtin_model import MODEL_ID, builtin_model_path, is_builtin, smoke_warning
    from rewrite.backends.transformers_backend import TransformersBackend

    local = dict(batch_size=cfg.batch_size, device=cfg.device, dtype=cfg.dtype, compile=cfg.compile, decode=cfg.decode,
                 **gen)
    if cfg.model is None or is_builtin(cfg.model):
        from curate.core.clikit import err_console

        how = "--model builtin" if cfg.model else "no model given (--model / rewrite.model)"
        err_console.print(f"warning: {smoke_warning(how)}", markup=False)
        path, model_id = builtin_model_path(), MODEL_ID
    else:
        path = model_id = cfg.model
    # loaded on first use: a rerun whose generations are all cached does not load the model at all
    return LazyBackend(lambda: TransformersBackend(path, model_id=model_id, **local), model_id)


def phi_rows(valid: pl.DataFrame, allow: list[str] | None = None) -> list[str]:
    """Ids of rows with PHI in exactly the text that would be sent (whitespace collapsed, as the prompts do), by
    the detector the filter stage and the publish gate use."""
    _phi_detector(allow)
    sent = [pl.col(c).fill_null("").str.replace_all(r"\s+", " ").str.strip_chars() for c in (S.QUESTION, S.SOURCE_ANSWER)]
    texts = valid.select(*sent)
    hits = [bool(q or a) for q, a in zip(phi_lists(texts[S.QUESTION], allow), phi_lists(texts[S.SOURCE_ANSWER], allow))]
    if S.CONTEXT in valid.columns:  # a conversation's earlier turns are sent too
        turns = _context_frame(valid)
        flagged = set(turns.filter(pl.Series(phi_lists(turns["content"], allow)).list.len() > 0)["_row"].to_list())
        hits = [h or i in flagged for i, h in enumerate(hits)]
    return [rid for rid, hit in zip(valid[S.ID].to_list(), hits) if hit]


def _context_frame(valid: pl.DataFrame) -> pl.DataFrame:
    """Every earlier turn of every row: ``_row`` (row position), ``_turn``, ``role``, ``content`` (whitespace
    collapsed, as the request shows it)."""
    rows = [(i, j, t["role"], " ".join(t["content"].split()))
            for i, cell in enumerate(valid[S.CONTEXT].to_list()) for j, t in enumerate(conv.context_turns(cell))]
    return pl.DataFrame(rows, schema={"_row": pl.Int64, "_turn": pl.Int64, "role": pl.Utf8, "content": pl.Utf8},
                        orient="row")


def _phi_detector(allow: list[str] | None) -> PhiDetector:
    try:
        return PhiDetector(allow)
    except ValueError as e:
        raise UsageError(f"rewrite.{e}") from None


def redact_rows(valid: pl.DataFrame, allow: list[str] | None = None) -> tuple[pl.DataFrame, dict[str, int]]:
    """``phi: redact``: question and source answer with each PHI span replaced by its typed placeholder (whitespace
    collapsed first, as the prompts do, so the spans are those of the text sent); spans replaced per kind."""
    _phi_detector(allow)
    cols = [S.QUESTION, S.SOURCE_ANSWER]
    collapsed = valid.with_columns(pl.col(c).str.replace_all(r"\s+", " ").str.strip_chars() for c in cols)
    red = redact_frame(collapsed, cols, allow)
    changed = red["phi_redacted"].list.len() > 0
    out = valid.with_columns(pl.when(changed).then(red[c]).otherwise(pl.col(c)).alias(c) for c in cols)
    kinds = red["phi_redacted"].explode().drop_nulls().to_list()
    if S.CONTEXT in valid.columns:  # the earlier turns of a conversation are redacted the same way
        turns = _context_frame(valid)
        if turns.height:
            rt = redact_frame(turns, ["content"], allow)
            kinds += rt["phi_redacted"].explode().drop_nulls().to_list()
            turns = turns.with_columns(pl.when(rt["phi_redacted"].list.len() > 0).then(rt["content"])
                                       .otherwise(pl.col("content")).alias("content"))
            cells = list(out[S.CONTEXT].to_list())
            for i, part in turns.group_by("_row", maintain_order=True):
                cells[i[0]] = conv.context_json(part.sort("_turn").select("role", "content").to_dicts())
            out = out.with_columns(pl.Series(S.CONTEXT, cells, dtype=pl.Utf8))
    return out, kind_counts(kinds)


def redact_spanish_rows(valid: pl.DataFrame, cfg: RewriteConfig, counts: dict[str, int]) -> tuple[pl.DataFrame, dict[str, int]]:
    """``phi: redact`` on Spanish rows: the spans the Spanish rules find too (after ``redact_rows``), counted per kind."""
    from filters import redact_es

    es = (row_langs(valid, cfg.lang) == "es").to_list()
    counts = Counter(counts)
    cols = {c: valid[c].to_list() for c in (S.QUESTION, S.SOURCE_ANSWER)}
    for i, spanish in enumerate(es):
        if not spanish:
            continue
        for c, values in cols.items():
            text = " ".join((values[i] or "").split())
            red, kinds = redact_es(text, cfg.phi_allow)
            if kinds:
                values[i] = red
                counts.update(kinds)
    out = valid.with_columns(pl.Series(c, v, dtype=pl.Utf8) for c, v in cols.items())
    return out, {k: counts[k] for k in kind_counts(list(counts.elements()))}


def public_url(url: str | None) -> str | None:
    """An endpoint URL without user info, query or fragment (where credentials sometimes hide)."""
    if not url:
        return url
    u = urlparse(url)
    return urlunparse((u.scheme, u.hostname + (f":{u.port}" if u.port else "") if u.hostname else "", u.path, "", "", ""))


class RewriteProgress:
    """Progress of the generations: a rich bar on a terminal, plain lines in a log or pipe, nothing when disabled.

    Moves with every finished generation (the transformers backend hands each row over the moment it stops, the
    HTTP backend as each answer arrives) and shows rows done / total and tokens/s. In a log it prints a line for the
    first finished generation, for every further tenth of the run, for the last one, and at least every ``every_s``
    seconds while generations finish or a long batch is still decoding (a heartbeat with the tokens/s so far). ``advance(task, n)`` keeps the signature of ``rich.progress.Progress``.
    """

    def __init__(self, total: int, enabled: bool = True, tty: bool = False, every_s: float = 15.0,
                 rows_total: int | None = None, label: str = "rewrite"):
        self.total, self.enabled, self.tty, self.every_s, self.label = total, enabled and total > 0, tty, every_s, label
        self.rows_total = rows_total
        self.done = self.rows_done = self.tokens = self.step_tokens = self.done_shown = 0
        self.t0 = self.last = time.monotonic()
        self.printed = False
        self._bar = None
        self._task = None

    # --- the rich.progress.Progress surface the runners use
    def __enter__(self):
        if self.enabled and self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            from curate.core.clikit import err_console

            self._bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=False)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=self.total, info="")
        self.t0 = self.last = time.monotonic()
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False

    def add_task(self, name: str, total: int):
        return 0

    def advance(self, task=None, n: int = 1, *, tokens: int = 0, rows_done: int | None = None) -> None:
        """``n`` generations finished (``tokens``: the tokens they generated this run; ``rows_done``: rows with both
        variants finished so far)."""
        self.done += n
        self.tokens += tokens
        if rows_done is not None:
            self.rows_done = rows_done
        if n:
            # a line for the first finished generation, the last one, and every further tenth of the run
            tenth = self.done - self.done_shown >= max(1, self.total // 10)
            self._show(force=not self.printed or self.done >= self.total or tenth)

    def batch(self, index: int, batches: int, prompts: int, prompt_tokens: int) -> None:
        """A local model starts a batch (its prompt pass comes first and can take a minute on a CPU)."""
        if not self.enabled:
            return
        text = f"batch {index}/{batches}: {prompts} prompts, {prompt_tokens:,} prompt tokens"
        if self._bar is not None:
            self._bar.update(self._task, info=text)
            return
        now = time.monotonic()
        if index == 1 or now - self.last >= self.every_s:
            from curate.core.clikit import err_console

            self.last = now
            err_console.print(f"{self.label}: {self.done}/{self.total} generations, {text}", markup=False)

    def step(self, tokens: int) -> None:
        """Tokens generated in one decoding step (a heartbeat while a batch decodes)."""
        self.step_tokens += tokens
        self._show(force=False)

    # --- rendering
    def rate(self) -> float:
        elapsed = max(time.monotonic() - self.t0, 1e-9)
        return max(self.tokens, self.step_tokens) / elapsed

    def line(self) -> str:
        rows = f", {self.rows_done}/{self.rows_total} rows" if self.rows_total is not None else ""
        pct = 100 * self.done / self.total if self.total else 100.0
        return (f"{self.label}: {self.done}/{self.total} generations ({pct:.0f}%){rows}, {self.rate():.1f} tok/s, "
                f"{time.monotonic() - self.t0:.0f} s elapsed")

    def _show(self, force: bool) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            rows = f"{self.rows_done}/{self.rows_total} rows " if self.rows_total is not None else ""
            self._bar.update(self._task, completed=self.done, info=f"{rows}{self.rate():.1f} tok/s")
            return
        now = time.monotonic()
        if force or now - self.last >= self.every_s:
            from curate.core.clikit import err_console

            self.last, self.printed, self.done_shown = now, True, self.done
            err_console.print(self.line(), markup=False)


def _progress(total: int, enabled: bool, tty: bool, rows_total: int | None = None) -> RewriteProgress:
    """A progress bar on a terminal, lines in a log, nothing when disabled (``rewrite.redo`` uses it too)."""
    return RewriteProgress(total, enabled, tty, rows_total=rows_total)


@dataclasses.dataclass
class _Run:
    """What every chunk needs: the styles, the backend, the cache and the running counts."""

    cfg: RewriteConfig
    chosen: StyleSpec
    rejected: StyleSpec
    backend: object
    cache: GenerationCache | None
    gen_params: dict
    secrets: list[str]
    requests: int = 0
    generated: int = 0
    from_cache: int = 0
    failed: int = 0
    first_error: str | None = None
    finished: Counter = dataclasses.field(default_factory=Counter)  # row id -> generations finished (2 = row done)
    rows_done: int = 0

    def finish(self, row_id: str, n: int = 1) -> None:
        before = self.finished[row_id]
        self.finished[row_id] = before + n
        if before < 2 <= before + n:
            self.rows_done += 1

    def roles(self):
        return (("chosen", self.chosen), ("rejected", self.rejected))

    def prompt_version(self, dialogue: bool = False) -> str:
        """The pair's prompt version: both styles' (and, for a conversation row, how its context is shown)."""
        pv = f"{self.chosen.prompt_version}+{self.rejected.prompt_version}"
        return f"{pv}+{CONTEXT_VERSION}" if dialogue else pv

    def keys(self, rows: pl.DataFrame) -> list[tuple[str, str, str]]:
        """``(row id, style, cache key)`` of every generation ``rows`` need (a conversation row's prompt version
        includes how its earlier turns are shown: ``rewrite.styles.CONTEXT_VERSION``)."""
        dialogue = S.CONTEXT in rows.columns
        return [(rid, spec.name, cache_key(rid, spec.name, f"{spec.prompt_version}+{CONTEXT_VERSION}" if dialogue
                                           else spec.prompt_version, self.backend.model_id, self.gen_params))
                for rid in rows[S.ID].to_list() for _, spec in self.roles()]

    def uncached(self, rows: pl.DataFrame, cache_path: Path) -> bool:
        """True when some generation of ``rows`` is not in the cache at ``cache_path`` yet."""
        cache = GenerationCache(cache_path)
        try:
            keys = [k for _, _, k in self.keys(rows)]
            return len(cache.get_many(keys)) < len(set(keys))
        finally:
            cache.close()

    def chunk(self, rows: pl.DataFrame, bar, task) -> tuple[list[dict], list[dict]]:
        keys = {(rid, style): key for rid, style, key in self.keys(rows)}
        requests = []
        contexts = rows[S.CONTEXT].to_list() if S.CONTEXT in rows.columns else [None] * rows.height
        for (rid, q, a), ctx in zip(rows.select(S.ID, S.QUESTION, S.SOURCE_ANSWER).iter_rows(), contexts):
            for _, spec in self.roles():
                requests.append(GenRequest(keys[(rid, spec.name)], rid, spec.name, spec.messages(q, a, ctx)))
        cached = self.cache.get_many([r.key for r in requests])
        todo = [r for r in requests if r.key not in cached]
        self.requests += len(requests)
        self.from_cache += len(requests) - len(todo)
        for r in requests:
            if r.key in cached:
                self.finish(r.row_id)
        bar.advance(task, len(requests) - len(todo), rows_done=self.rows_done)
        errors: dict[str, str] = {}
        dialogue = S.CONTEXT in rows.columns
        pv = {s.name: f"{s.prompt_version}+{CONTEXT_VERSION}" if dialogue else s.prompt_version for _, s in self.roles()}

        def on_result(req: GenRequest, res: GenResult) -> None:
            if res.text is not None:
                self.cache.put(req.key, req.row_id, req.style, pv[req.style], self.backend.model_id, res.text,
                               res.finish_reason, res.completion_tokens)
                self.generated += 1
            else:
                errors[req.key] = redact(res.error or "unknown error", self.secrets)
                self.failed += 1
                self.first_error = self.first_error or errors[req.key]
            self.finish(req.row_id)
            bar.advance(task, tokens=(res.completion_tokens or 0) if res.text is not None else 0, rows_done=self.rows_done)

        if todo:
            self.backend.generate(todo, on_result)
        if getattr(self.backend, "fatal", None):
            raise UsageError(redact(self.backend.fatal, self.secrets))
        outputs = self.cache.get_many([r.key for r in requests])
        return self.validate(rows, keys, outputs, errors)

    def validate(self, rows: pl.DataFrame, keys: dict, outputs: dict, errors: dict) -> tuple[list[dict], list[dict]]:
        cfg = self.cfg
        pairs, quarantine = [], []
        extra_cols = _extra_columns(rows.columns)
        for row in rows.iter_rows(named=True):
            verdicts, raw = {}, {}
            for role, spec in self.roles():
                key = keys[(row[S.ID], spec.name)]
                text, finish = outputs.get(key, (None, None))
                raw[role] = text
                if key in errors:
                    raw[f"{role}_error"] = errors[key]
                verdicts[role] = validate_output(
                    text, finish_reason=finish, error=errors.get(key) if text is None else None,
                    question=row[S.QUESTION], source_answer=row[S.SOURCE_ANSWER], instructions=spec.instructions,
                    min_length_ratio=cfg.min_length_ratio, max_length_ratio=cfg.max_length_ratio,
                    examples=[ex["output"] for ex in spec.few_shot], max_copy_similarity=cfg.max_copy_similarity,
                    context=row.get(S.CONTEXT))
            bad = [f"{role}:{v.reason}" for role, v in verdicts.items() if not v.ok]
            if bad:
                quarantine.append(_quarantine_row(row, "rewrite", ";".join(bad),
                                                  json.dumps({k: v for k, v in raw.items() if v is not None}, ensure_ascii=False)))
                continue
            pairs.append({S.ID: row[S.ID], S.QUESTION: row[S.QUESTION], S.SOURCE_ANSWER: row[S.SOURCE_ANSWER],
                          S.CHOSEN: verdicts["chosen"].text, S.REJECTED: verdicts["rejected"].text, S.SOURCE: row[S.SOURCE],
                          S.REWRITE_MODEL: self.backend.model_id,
                          S.PROMPT_VERSION: self.prompt_version(S.CONTEXT in row),
                          S.GENERATION_PARAMS: json.dumps(self.gen_params, sort_keys=True), S.CHOSEN_STYLE: self.chosen.name,
                          S.REJECTED_STYLE: self.rejected.name, S.INPUT_ROW: row[S.INPUT_ROW],
                          **{c: row[c] for c in extra_cols}})
        return pairs, quarantine


def _extra_columns(columns) -> list[str]:
    """The user's own input columns that ride along into pairs and quarantine (``prepare_rows`` kept them)."""
    return [c for c in columns if c not in (*S.PAIR_COLUMNS, PROBLEM)]


def _quarantine_row(row: dict, stage: str, reason: str, raw_output: str | None) -> dict:
    """The row as it came in (extra input columns included), where it stopped and why."""
    return {S.ID: row[S.ID], S.QUESTION: row[S.QUESTION], S.SOURCE_ANSWER: row[S.SOURCE_ANSWER], S.SOURCE: row[S.SOURCE],
            S.STAGE: stage, S.REASON: reason, S.RAW_OUTPUT: raw_output, S.INPUT_ROW: row[S.INPUT_ROW],
            **{c: row[c] for c in _extra_columns(row)}}


def run_rewrite(input_path: str | Path, out_dir: str | Path, cfg: RewriteConfig, *, backend=None,
                progress: bool = True) -> dict:
    """Run the rewrite stage; returns the manifest (also written to ``out_dir/manifest.json``)."""
    timer = Timer()
    input_path, out_dir = Path(input_path), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a directory")
    check_config(cfg)
    if cfg.redo:
        raise UsageError(REDO_WITH_INPUT)
    with timer("read"):
        rows = read_rows(input_path, cfg)
    styles = load_styles(cfg.styles_dir)
    chosen, rejected = get_style(styles, cfg.chosen_style), get_style(styles, cfg.rejected_style)
    if chosen.name == rejected.name:
        raise UsageError("chosen_style and rejected_style must differ")

    valid = rows.filter(pl.col(PROBLEM).is_null())
    beyond_limit = valid.head(0)
    if cfg.limit is not None and valid.height > cfg.limit:
        beyond_limit = valid.slice(cfg.limit)
        valid = valid.head(cfg.limit)
    skipped_by_limit = beyond_limit.height

    backend = backend or make_backend(cfg)  # a local model is loaded below, only when something is not cached

    # PHI guard: nothing leaves this machine for a row with PHI unless the user says so; phi: redact sends (and
    # writes) only the redacted text
    phi_redactions: dict[str, int] = {}
    if cfg.phi == "redact":
        valid, phi_redactions = redact_rows(valid, cfg.phi_allow)
        if LANG in valid.columns:
            valid, phi_redactions = redact_spanish_rows(valid, cfg, phi_redactions)
    phi_ids = phi_rows(valid, cfg.phi_allow)
    if LANG in valid.columns and valid.height:  # Spanish rows: the Spanish PHI rules too
        from filters import detect_phi_es

        es = row_langs(valid, cfg.lang) == "es"
        sent = valid.filter(es).select(S.ID, *[pl.col(c).fill_null("").str.replace_all(r"\s+", " ").str.strip_chars()
                                              for c in (S.QUESTION, S.SOURCE_ANSWER)])
        extra = [rid for rid, q, a in sent.iter_rows() if detect_phi_es(q, cfg.phi_allow) or detect_phi_es(a, cfg.phi_allow)]
        phi_ids = [rid for rid in valid[S.ID].to_list() if rid in set(phi_ids) | set(extra)]
    if phi_ids and backend.remote and not (cfg.allow_phi or cfg.phi == "allow"):
        shown = ", ".join(phi_ids[:10]) + (f" and {len(phi_ids) - 10} more" if len(phi_ids) > 10 else "")
        raise UsageError(f"{len(phi_ids)} row(s) contain PHI and the endpoint is not on this machine; refusing to send "
                         f"rows {shown} (remove the PHI, use a local/loopback model, pass --phi redact to send them "
                         "with typed placeholders, or --allow-phi)")

    gen_params = {"max_new_tokens": cfg.max_new_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p, "seed": cfg.seed}
    cache_path = Path(cfg.cache_path) if cfg.cache_path else out_dir / ".cache" / "rewrite.sqlite"
    secrets = secret_values((cfg.api_key_env,))
    groups = language_groups(valid, cfg, styles, chosen, rejected)  # one group (all rows) unless rows are Spanish
    runs = [_Run(cfg, c, r, backend, None, gen_params, secrets) for _, c, r, _ in groups]
    run = runs[0]
    if isinstance(backend, LazyBackend) and valid.height and (
            not cache_path.exists() or any(r.uncached(g, cache_path) for r, (_, _, _, g) in zip(runs, groups) if g.height)):
        with timer("load_model"):  # before anything is written: a model that cannot load leaves no output behind
            backend.load()
    cache = GenerationCache(cache_path)
    for r in runs:
        r.cache = cache
    pairs: list[dict] = []
    quarantine: list[dict] = []
    try:
        with timer("generate"), _progress(2 * valid.height, progress, sys.stderr.isatty(), rows_total=valid.height) as bar:
            task = bar.add_task("rewrite", total=2 * valid.height)
            if isinstance(backend, LazyBackend) or hasattr(backend, "on_tokens"):
                backend.on_tokens = bar.step  # a local model reports every decoding step: tokens/s while a batch runs
                backend.on_batch = bar.batch
            for r, (_, _, _, group) in zip(runs, groups):
                for chunk in group.iter_slices(cfg.chunk_rows):
                    p, q = r.chunk(chunk, bar, task)
                    pairs += p
                    quarantine += q
    finally:
        cache.close()
    if len(runs) > 1:  # rows of several languages: the counts of every group, the pairs back in input order
        for r in runs[1:]:
            for k in ("requests", "generated", "from_cache", "failed"):
                setattr(run, k, getattr(run, k) + getattr(r, k))
            run.first_error = run.first_error or r.first_error
        pairs.sort(key=lambda row: row[S.INPUT_ROW])
    if run.failed and run.generated == 0 and run.from_cache == 0:
        raise RuntimeFailure(f"every request to the model failed ({run.failed}); first error: {run.first_error}")
    for row in rows.filter(pl.col(PROBLEM).is_not_null()).iter_rows(named=True):
        quarantine.append(_quarantine_row(row, "input", row[PROBLEM], None))
    reasons = Counter(r for q in quarantine for r in q[S.REASON].split(";"))
    n_quarantined = len(quarantine)
    # rows beyond --limit are not lost either: they are listed (not rewritten) with their own reason
    for row in beyond_limit.iter_rows(named=True):
        quarantine.append(_quarantine_row(row, "input", LIMIT_REASON, None))

    extra_schema = {c: valid.schema[c] for c in _extra_columns(valid.columns)}
    pairs_df = pl.DataFrame(pairs, schema={**S.PAIR_SCHEMA, **extra_schema})
    order = [S.INPUT_ROW, *([S.TURN] if S.TURN in extra_schema else [])]
    quarantine_df = pl.DataFrame(quarantine, schema={**S.QUARANTINE_SCHEMA, **extra_schema}).sort(order, nulls_last=False)
    counts = {
        "input_rows": rows.height, "pairs": pairs_df.height, "quarantined": n_quarantined,
        "skipped_by_limit": skipped_by_limit, "quarantine_by_reason": dict(reasons.most_common()),
        "requests": run.requests, "generated_this_run": run.generated, "from_cache": run.from_cache,
        "failed_this_run": run.failed, "phi_rows": len(phi_ids),
        **({"conversations": rows[S.INPUT_ROW].n_unique(), "targets_per": cfg.turns} if S.CONTEXT in rows.columns else {}),
        **({"phi_redactions": phi_redactions} if cfg.phi == "redact" else {}),
    }
    manifest = build_manifest(
        "rewrite", dataclasses.replace(cfg, base_url=public_url(cfg.base_url)),
        inputs={"path": str(input_path), "sha256": file_sha256(input_path)}, counts=counts,
        timings=timer.timings, extra_env=(cfg.api_key_env,), model=backend.model_id, remote_endpoint=bool(backend.remote),
        prompt_version="; ".join(r.prompt_version(S.CONTEXT in rows.columns) for r in runs),
        styles={s.name: {"prompt_version": s.prompt_version, "role": role, "description": s.description, "path": s.path,
                         "system": s.system, "instructions": s.instructions}
                for r in runs for role, s in r.roles()},
        **({"languages": {lg: g.height for lg, _, _, g in groups}} if LANG in valid.columns else {}),
        backend_stats=getattr(backend, "stats", {}),
    )
    write_outputs(out_dir, pairs_df, quarantine_df, manifest)
    return manifest


def write_outputs(out_dir: str | Path, pairs_df: pl.DataFrame, quarantine_df: pl.DataFrame, manifest: dict) -> None:
    """``pairs.parquet``, ``quarantine.parquet`` and ``manifest.json``, moved into ``out_dir`` together or not at all."""
    with staged_output_dir(out_dir) as stage:
        write_table(pairs_df, PAIRS.path(stage))
        write_table(quarantine_df, QUARANTINE.path(stage))
        write_json(manifest, stage / MANIFEST)


def summary_line(manifest: dict, out_dir: str | Path) -> str:
    c = manifest["counts"]
    why = ", ".join(f"{k}: {v}" for k, v in c["quarantine_by_reason"].items())
    skipped = (f", {c['skipped_by_limit']} not rewritten (beyond --limit; listed in {QUARANTINE.file} as "
               f"{LIMIT_REASON})" if c["skipped_by_limit"] else "")
    secs = sum(manifest["timings_s"].values())
    hint = (f"; no pairs: see {QUARANTINE.path(out_dir)} (reason and raw_output per row)"
            if c["pairs"] == 0 and c["quarantined"] else "")
    return (f"rewrite: {c['input_rows']} rows -> {c['pairs']} pairs, {c['quarantined']} quarantined"
            f"{f' ({why})' if why else ''}{skipped}; {c['generated_this_run']} generated, {c['from_cache']} from cache; "
            f"{secs:.1f} s -> {out_dir}{hint}")


def http_summary_line(manifest: dict) -> str | None:
    """One line on what the HTTP backend went through (requests, retries by reason, timeouts, give-ups), or None
    for a local model."""
    st = manifest.get("backend_stats") or {}
    if "retries" not in st:
        return None
    why = ", ".join(f"{k}: {v}" for k, v in sorted((st.get("retry_reasons") or {}).items(), key=lambda kv: -kv[1]))
    timeouts = st.get("timeouts", 0)
    hint = (f"; a timeout re-sends a request the server may still be working on: raise rewrite.timeout_s (--timeout, "
            f"now {st.get('timeout_s'):g} s) for a slow server" if timeouts and st.get("timeout_s") else "")
    return (f"rewrite: HTTP: {st.get('requests', 0)} requests, {st['retries']} retried{f' ({why})' if why else ''}, "
            f"{timeouts} timed out, {st.get('failed', 0)} gave up after {st.get('max_retries', 0)} retries{hint}")
