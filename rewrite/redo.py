"""``curate rewrite --redo FILTER_OUT_DIR -o OUT``: repair the pairs the filter dropped instead of discarding them.

Reads the filter's ``kept.parquet``, ``dropped.parquet`` and ``manifest.json``.  Which side of a dropped pair
failed comes from the filter's own rules (``filters.failed_sides``; reasons no rewrite fixes, like ``duplicate``
or ``phi``, from ``filters.unrepairable_reasons``).  Only the failed side is regenerated: from the source answer
with the row's style, plus a short repair note per drop reason (``rewrite/repair_notes.yaml``); the other side
is kept byte-identical.  A row without a source answer regenerates its rejected side from its chosen answer (and
a failed chosen side from the rejected answer); when both sides of such a row failed there is nothing sound to
rewrite from, and the row is not repaired.

``OUT`` looks like a rewrite output dir: ``pairs.parquet`` (the kept rows unchanged, then the repaired rows;
``redo_side`` null | chosen | rejected | both, ``redo_reasons`` the drop reasons repaired), ``quarantine.parquet``
(rows not repaired, reason ``not_repairable:<drop reason>``, and repaired outputs that fail validation, with the
usual ``<side>:<reason>``) and ``manifest.json``.  The filter's score columns are not carried over (the pairs go
through ``curate filter`` again); every other column is.  Every row of kept + dropped ends exactly once in
pairs or quarantine.

A redo generation's cache key adds, to the usual (row id, style, prompt version, model, generation parameters),
the repair notes' version and a hash of the failed text, the note and the text it was rewritten from: the
original cached output never answers it, and rerunning the same redo sends nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import yaml

from curate.core import schema as S
from curate.core.errors import RuntimeFailure, UsageError
from curate.core.io import require_columns
from curate.core.manifest import MANIFEST, Timer, build_manifest, file_sha256, redact, secret_values
from filters import REPAIR_RULES, detect_phi, failed_sides, unrepairable_reasons
from rewrite.backends.base import GenRequest, GenResult, LazyBackend
from rewrite.cache import GenerationCache, cache_key
from rewrite.config import RewriteConfig
from rewrite.runner import _progress, check_config, make_backend, public_url, write_outputs
from rewrite.styles import StyleSpec, get_style, load_styles
from rewrite.tables import FILTER_DROPPED, FILTER_KEPT
from rewrite.validate import validate_output

REPAIR_NOTES = Path(__file__).parent / "repair_notes.yaml"
REDO_SIDE, REDO_REASONS = "redo_side", "redo_reasons"
SIDES = (S.CHOSEN, S.REJECTED)
NO_SOURCE_BOTH = "no_source_both_sides"
SAME_AS_FAILED = "same_as_failed"
NO_SOURCE_RULE = ("rows without a source answer: the rejected side is regenerated from the chosen answer, a failed "
                  "chosen side from the rejected answer; when both sides failed the row is not repaired "
                  f"(not_repairable:{NO_SOURCE_BOTH})")
_ROW = "__redo_row"
_STR_LIST = pl.List(pl.Utf8)
NEEDED = [S.ID, S.QUESTION, S.CHOSEN, S.REJECTED]


@dataclasses.dataclass(frozen=True)
class RepairNotes:
    version: str
    preface: str
    notes: dict  # side -> {drop reason -> note}
    path: str = ""

    @property
    def prompt_version(self) -> str:
        payload = json.dumps([self.preface, self.notes], sort_keys=True)
        return f"repair@{self.version}:{hashlib.sha256(payload.encode()).hexdigest()[:8]}"

    def note(self, side: str, reasons: list[str], lost: list[str], added: list[str]) -> str:
        """The preface and one line per drop reason that has a note for ``side`` (in the filter's order)."""
        lines = [self.preface.strip()] if self.preface.strip() else []
        for r in dict.fromkeys(reasons):
            text = self.notes.get(side, {}).get(r)
            if text:
                lines.append(" ".join(text.replace("{lost}", ", ".join(lost) or "some").replace(
                    "{added}", ", ".join(added) or "some").split()))
        return "\n".join(lines)


def load_repair_notes(path: str | Path = REPAIR_NOTES) -> RepairNotes:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise UsageError(f"{path}: cannot read repair notes: {str(e).splitlines()[0]}") from None
    notes = data.get("notes") if isinstance(data, dict) else None
    if not isinstance(notes, dict) or not data.get("version") or not all(
            isinstance(v, dict) and all(isinstance(t, str) for t in v.values()) for v in notes.values()):
        raise UsageError(f"{path}: repair notes need `version` and `notes: {{side: {{drop reason: text}}}}`")
    return RepairNotes(str(data["version"]), str(data.get("preface") or ""), notes, str(path))


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except Exception as e:  # a truncated or foreign file: one line, exit 2
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"{path}: cannot read as parquet: {msg}") from None


def read_filter_dir(redo_dir: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """``kept``, ``dropped`` and the manifest of a ``curate filter`` output dir; bad input is one ``UsageError``."""
    d = Path(redo_dir)
    kept_t, dropped_t = FILTER_KEPT, FILTER_DROPPED
    what = (f"--redo (rewrite.redo) needs a `curate filter` output dir with {kept_t.file}, {dropped_t.file} and "
            f"{MANIFEST}")
    if not d.is_dir():
        raise UsageError(f"{d}: not a directory; {what}")
    for name in (dropped_t.file, kept_t.file, MANIFEST):
        if not (d / name).is_file():
            raise UsageError(f"{d}: no {name}; {what}")
    try:
        manifest = json.loads((d / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"{d / MANIFEST}: cannot read: {e}") from None
    if not isinstance(manifest, dict) or manifest.get(S.STAGE) != "filter":
        raise UsageError(f"{d / MANIFEST}: not a `curate filter` manifest; {what}")
    kept, dropped = _read_parquet(kept_t.path(d)), _read_parquet(dropped_t.path(d))
    for t, df, cols in ((kept_t, kept, NEEDED), (dropped_t, dropped, [*NEEDED, S.DROP_REASONS])):
        require_columns(df, cols, t.path(d), show_found=False)
    if dropped.schema[S.DROP_REASONS] != _STR_LIST:
        raise UsageError(f"{dropped_t.path(d)}: drop_reasons must be a list of strings, got {dropped.schema[S.DROP_REASONS]}")
    return kept, dropped, manifest


def output_columns(kept: pl.DataFrame, dropped: pl.DataFrame, manifest: dict) -> list[str]:
    """The pair columns written out: the filter's input columns (its score columns are left behind), the pair
    contract first; every column when the manifest does not record the filter's input columns."""
    present = [c for c in kept.columns if c in dropped.columns]
    given = manifest.get("input_columns")
    base = [c for c in present if c in given or c in S.PAIR_COLUMNS] if isinstance(given, list) else present
    if S.SOURCE_ANSWER in present and S.SOURCE_ANSWER not in base:
        base.append(S.SOURCE_ANSWER)
    ordered = [c for c in S.PAIR_COLUMNS if c in base] + [c for c in base if c not in S.PAIR_COLUMNS]
    return [c for c in ordered if c not in (REDO_SIDE, REDO_REASONS)]


def _context_text(df: pl.DataFrame, i: int) -> str:
    """The earlier turns of row ``i`` of a conversation table as one text ("" for a single-turn table)."""
    from curate.core.conversations import context_turns

    if S.CONTEXT not in df.columns:
        return ""
    return " ".join(t["content"] for t in context_turns(df[S.CONTEXT][i]))


def _has_text(text) -> bool:
    return isinstance(text, str) and bool(text.strip())


def _merge_provenance(original, new, regenerated: list[str]):
    """One provenance value when both sides share it, else ``chosen: A; rejected: B``."""
    if len(regenerated) == 2 or original is None or original == new:
        return new
    vals = {s: (new if s in regenerated else original) for s in SIDES}
    return f"{S.CHOSEN}: {vals[S.CHOSEN]}; {S.REJECTED}: {vals[S.REJECTED]}"


@dataclasses.dataclass
class _Job:
    row: int            # position in kept + dropped
    side: str
    spec: StyleSpec
    base: str           # what it is rewritten from: the source answer, or the other side without one
    failed: str
    note: str
    request: GenRequest


def run_redo(redo_dir: str | Path, out_dir: str | Path, cfg: RewriteConfig, *, backend=None,
             progress: bool = True) -> dict:
    """Repair a filter output dir's dropped pairs into ``out_dir``; returns the manifest (also written there)."""
    timer = Timer()
    redo_dir, out_dir = Path(redo_dir), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a directory")
    if out_dir.resolve() == redo_dir.resolve():
        raise UsageError(f"{out_dir}: the output dir must not be the --redo dir it reads")
    check_config(cfg)
    if cfg.limit is not None:
        raise UsageError("--limit (rewrite.limit) does not apply to --redo: it repairs every dropped row")
    with timer("read"):
        kept, dropped, fmanifest = read_filter_dir(redo_dir)
        cols = output_columns(kept, dropped, fmanifest)
        sides_all = failed_sides(dropped, fmanifest).to_list()
        blockers_all = unrepairable_reasons(dropped).to_list()
    styles = load_styles(cfg.styles_dir)
    notes = load_repair_notes()
    backend = backend or make_backend(cfg)
    gen_params = {"max_new_tokens": cfg.max_new_tokens, "temperature": cfg.temperature, "top_p": cfg.top_p, "seed": cfg.seed}

    # ---- plan: every dropped row is either not repairable (with its reasons) or one or two jobs
    n_kept = kept.height
    extras = [c for c in cols if c not in S.PAIR_COLUMNS]
    not_repaired: list[tuple[dict, str]] = []
    jobs: dict[int, list[_Job]] = {}
    no_source_rows = 0
    for i, row in enumerate(dropped.iter_rows(named=True)):
        pos = n_kept + i
        reasons = list(row[S.DROP_REASONS] or [])
        sides, blockers = sides_all[i], blockers_all[i]
        if blockers or not sides:
            why = blockers or ["no_failed_side"]
            not_repaired.append((row, ";".join(f"not_repairable:{r}" for r in why)))
            continue
        source = row.get(S.SOURCE_ANSWER)
        has_source = _has_text(source)
        if not has_source and len(sides) == 2:
            not_repaired.append((row, f"not_repairable:{NO_SOURCE_BOTH}"))
            continue
        no_source_rows += not has_source
        row_jobs = []
        for side in sides:
            other = S.REJECTED if side == S.CHOSEN else S.CHOSEN
            base = source if has_source else row[other]
            style = row.get(f"{side}_style") or (cfg.chosen_style if side == S.CHOSEN else cfg.rejected_style)
            spec = get_style(styles, style)
            note = notes.note(side, reasons, list(row.get(f"facts_lost_{side}") or []),
                              list(row.get(f"facts_added_{side}") or []))
            msgs = spec.messages(row[S.QUESTION] or "", base, row.get(S.CONTEXT))  # a conversation's earlier turns too
            msgs[-1] = {**msgs[-1], "content": f"{note}\n\n{msgs[-1]['content']}"}
            pv = f"{spec.prompt_version}/{notes.prompt_version}"
            what = hashlib.sha256(json.dumps([row[side], note, base]).encode()).hexdigest()[:16]
            key = cache_key(row[S.ID], spec.name, pv, backend.model_id, {**gen_params, "redo": what})
            row_jobs.append(_Job(pos, side, spec, base, row[side] or "", note, GenRequest(key, row[S.ID], spec.name, msgs)))
        jobs[pos] = row_jobs

    # ---- PHI guard: the rewrite's rule, over exactly what a redo sends (question + the text it rewrites from).
    # A redo does not redact: pairs from a `phi: redact` rewrite are redacted already, and anything still
    # detected is refused unless PHI is allowed.
    allow = getattr(cfg, "phi_allow", None) or None
    has_phi = (lambda t: detect_phi(t, allow)) if allow else detect_phi
    sent = lambda t: " ".join((t or "").split())  # noqa: E731
    phi_ids = sorted({j.request.row_id for js in jobs.values() for j in js
                      if has_phi(sent(dropped[S.QUESTION][j.row - n_kept])) or has_phi(sent(j.base))
                      or has_phi(sent(_context_text(dropped, j.row - n_kept)))})
    if phi_ids and backend.remote and not (cfg.allow_phi or getattr(cfg, "phi", None) == "allow"):
        shown = ", ".join(phi_ids[:10]) + (f" and {len(phi_ids) - 10} more" if len(phi_ids) > 10 else "")
        raise UsageError(f"{len(phi_ids)} row(s) to repair contain PHI and the endpoint is not on this machine; "
                         f"refusing to send rows {shown} (remove the PHI, use a local/loopback model, or pass --allow-phi)")

    # ---- generate (cached, resumable)
    all_jobs = [j for js in jobs.values() for j in js]
    keys = list(dict.fromkeys(j.request.key for j in all_jobs))
    cache_path = Path(cfg.cache_path) if cfg.cache_path else out_dir / ".cache" / "rewrite.sqlite"
    if isinstance(backend, LazyBackend) and keys:
        missing = True
        if cache_path.exists():
            probe = GenerationCache(cache_path)
            try:
                missing = len(probe.get_many(keys)) < len(keys)
            finally:
                probe.close()
        if missing:
            with timer("load_model"):  # before anything is written: a model that cannot load leaves no output
                backend.load()
    secrets = secret_values((cfg.api_key_env,))
    stats = Counter()
    errors: dict[str, str] = {}
    first_error: list[str] = []
    by_key = {j.request.key: j for j in all_jobs}
    cache = GenerationCache(cache_path)
    try:
        with timer("generate"), _progress(len(keys), progress, sys.stderr.isatty()) as bar:
            task = bar.add_task("rewrite", total=len(keys))
            for start in range(0, len(keys), cfg.chunk_rows):
                chunk = keys[start:start + cfg.chunk_rows]
                cached = cache.get_many(chunk)
                todo = [by_key[k].request for k in chunk if k not in cached]
                stats["from_cache"] += len(chunk) - len(todo)
                bar.advance(task, len(chunk) - len(todo))

                def on_result(req: GenRequest, res: GenResult) -> None:
                    if res.text is not None:
                        cache.put(req.key, req.row_id, req.style, f"{by_key[req.key].spec.prompt_version}/"
                                  f"{notes.prompt_version}", backend.model_id, res.text, res.finish_reason,
                                  res.completion_tokens)
                        stats["generated"] += 1
                    else:
                        errors[req.key] = redact(res.error or "unknown error", secrets)
                        stats["failed"] += 1
                        first_error.append(errors[req.key])
                    bar.advance(task)

                if todo:
                    backend.generate(todo, on_result)
                if getattr(backend, "fatal", None):
                    raise UsageError(redact(backend.fatal, secrets))
        outputs = cache.get_many(keys)
    finally:
        cache.close()
    if stats["failed"] and not stats["generated"] and not stats["from_cache"]:
        raise RuntimeFailure(f"every request to the model failed ({stats['failed']}); first error: {first_error[0]}")

    # ---- validate and assemble
    pairs: list[dict] = []
    quarantine: list[dict] = []
    placed: list[int] = list(range(n_kept))  # kept rows go to pairs unchanged
    by_side = Counter()
    qcols = [S.ID, S.QUESTION, S.SOURCE_ANSWER, S.SOURCE, S.INPUT_ROW, *extras]

    def q_row(row: dict, reason: str, raw: dict, side: str | None) -> dict:
        return {**{c: row.get(c) for c in qcols}, S.STAGE: "redo", S.REASON: reason,
                S.RAW_OUTPUT: json.dumps(raw, ensure_ascii=False), REDO_SIDE: side,
                REDO_REASONS: list(row[S.DROP_REASONS] or [])}

    for row, reason in not_repaired:
        quarantine.append(q_row(row, reason, {s: row[s] for s in SIDES if row[s] is not None}, None))
    dropped_rows = dropped.to_dicts()
    placed += [n_kept + i for i, r in enumerate(dropped_rows) if (n_kept + i) not in jobs]
    for pos, row_jobs in jobs.items():
        row = dropped_rows[pos - n_kept]
        new, bad, raw = {}, [], {s: row[s] for s in SIDES if row[s] is not None}
        for j in row_jobs:
            text, finish = outputs.get(j.request.key, (None, None))
            err = errors.get(j.request.key) if text is None else None
            raw[j.side] = text
            if err:
                raw[f"{j.side}_error"] = err
            raw[f"{j.side}_failed"] = j.failed
            v = validate_output(text, finish_reason=finish, error=err, question=row[S.QUESTION] or "",
                                source_answer=j.base, instructions=f"{j.note}\n{j.spec.instructions}",
                                min_length_ratio=cfg.min_length_ratio, max_length_ratio=cfg.max_length_ratio,
                                examples=[ex["output"] for ex in j.spec.few_shot],
                                max_copy_similarity=cfg.max_copy_similarity, context=row.get(S.CONTEXT))
            if v.ok and S.normalize_text(v.text) == S.normalize_text(j.failed):
                v = dataclasses.replace(v, text=None, reason=SAME_AS_FAILED)
            if v.ok:
                new[j.side] = v.text
            else:
                bad.append(f"{j.side}:{v.reason}")
        regenerated = [j.side for j in row_jobs]
        side = "both" if len(regenerated) == 2 else regenerated[0]
        placed.append(pos)
        if bad:
            quarantine.append(q_row(row, ";".join(bad), raw, side))
            continue
        by_side[side] += 1
        out = {c: row.get(c) for c in cols}
        out.update(new)
        if S.REWRITE_MODEL in cols:
            out[S.REWRITE_MODEL] = _merge_provenance(row.get(S.REWRITE_MODEL), backend.model_id, regenerated)
        if S.GENERATION_PARAMS in cols:
            out[S.GENERATION_PARAMS] = _merge_provenance(row.get(S.GENERATION_PARAMS),
                                                         json.dumps(gen_params, sort_keys=True), regenerated)
        if S.PROMPT_VERSION in cols:
            parts = (row.get(S.PROMPT_VERSION) or "").split("+")
            parts = parts if len(parts) == 2 else ["unknown", "unknown"]
            for j in row_jobs:
                parts[SIDES.index(j.side)] = f"{j.spec.prompt_version}/{notes.prompt_version}"
            out[S.PROMPT_VERSION] = "+".join(parts)
        out[REDO_SIDE], out[REDO_REASONS] = side, list(row[S.DROP_REASONS] or [])
        pairs.append(out)
    # every row of kept + dropped ends exactly once in pairs or quarantine
    if sorted(placed) != list(range(n_kept + dropped.height)) or n_kept + len(pairs) + len(quarantine) != len(placed):
        raise RuntimeError("redo row accounting mismatch: a row of kept + dropped is missing or placed twice")

    both = pl.concat([kept.select(cols), dropped.select(cols)], how="vertical_relaxed")
    schema = {**both.schema, REDO_SIDE: pl.Utf8, REDO_REASONS: _STR_LIST}
    kept_out = kept.select(cols).with_columns(
        (kept[REDO_SIDE].cast(pl.Utf8) if REDO_SIDE in kept.columns else pl.lit(None, dtype=pl.Utf8)).alias(REDO_SIDE),
        (kept[REDO_REASONS].cast(_STR_LIST) if REDO_REASONS in kept.columns else pl.lit(None, dtype=_STR_LIST)).alias(REDO_REASONS),
    ).cast(schema)
    pairs_df = pl.concat([kept_out, pl.DataFrame(pairs, schema=schema)], how="vertical")
    qschema = {**S.QUARANTINE_SCHEMA, **{c: both.schema[c] for c in extras}, REDO_SIDE: pl.Utf8, REDO_REASONS: _STR_LIST}
    quarantine_df = pl.DataFrame(quarantine, schema=qschema).select(list(qschema))
    if S.INPUT_ROW in quarantine_df.columns:
        quarantine_df = quarantine_df.sort(S.INPUT_ROW, nulls_last=True, maintain_order=True)

    reasons = Counter(r for q in quarantine for r in q[S.REASON].split(";"))
    counts = {
        "input_rows": n_kept + dropped.height, "kept_unchanged": n_kept, "dropped": dropped.height,
        "pairs": pairs_df.height, "repaired": len(pairs), "repaired_by_side": dict(by_side.most_common()),
        "not_repairable": len(not_repaired), "quarantined": len(quarantine),
        "quarantine_by_reason": dict(reasons.most_common()), "repaired_without_source": no_source_rows,
        "requests": len(keys), "generated_this_run": stats["generated"], "from_cache": stats["from_cache"],
        "failed_this_run": stats["failed"], "phi_rows": len(phi_ids), "skipped_by_limit": 0,
    }
    used = {j.spec.name: j.spec for j in all_jobs}
    manifest = build_manifest(
        "rewrite", dataclasses.replace(cfg, base_url=public_url(cfg.base_url)),
        inputs={"redo": str(redo_dir), "kept_sha256": file_sha256(FILTER_KEPT.path(redo_dir)),
                "dropped_sha256": file_sha256(redo_dir / "dropped.parquet"),
                "filter_manifest_sha256": file_sha256(redo_dir / MANIFEST)},
        counts=counts, timings=timer.timings, extra_env=(cfg.api_key_env,), model=backend.model_id,
        remote_endpoint=bool(backend.remote),
        redo={"from": str(redo_dir), "side_rules": REPAIR_RULES, "no_source": NO_SOURCE_RULE,
              "filter_thresholds": {k: (fmanifest.get("config") or {}).get(k)
                                    for k in ("min_meaning_similarity", "max_chosen_grade")},
              "repair_notes": {"prompt_version": notes.prompt_version, "path": notes.path},
              "columns_left_behind": [c for c in dropped.columns if c not in cols and c not in (REDO_SIDE, REDO_REASONS)]},
        styles={name: {"prompt_version": s.prompt_version, "redo_prompt_version": f"{s.prompt_version}/{notes.prompt_version}",
                       "role": s.role, "description": s.description, "path": s.path} for name, s in used.items()},
        backend_stats=getattr(backend, "stats", {}),
    )
    write_outputs(out_dir, pairs_df, quarantine_df, manifest)
    return manifest


def redo_summary_line(manifest: dict, out_dir: str | Path) -> str:
    c = manifest["counts"]
    sides = ", ".join(f"{k}: {v}" for k, v in c["repaired_by_side"].items())
    why = ", ".join(f"{k}: {v}" for k, v in c["quarantine_by_reason"].items())
    secs = sum(manifest["timings_s"].values())
    return (f"rewrite --redo: {c['input_rows']} rows ({c['kept_unchanged']} kept, {c['dropped']} dropped) -> "
            f"{c['pairs']} pairs ({c['repaired']} repaired{f': {sides}' if sides else ''}), "
            f"{c['quarantined']} quarantined{f' ({why})' if why else ''}; {c['generated_this_run']} generated, "
            f"{c['from_cache']} from cache; {secs:.1f} s -> {out_dir}")
