"""``curate review push``: pairs -> an Argilla dataset (created or updated in place).

Each pair becomes one record whose id is the pair id.  The two variants are shown as "Response A" / "Response B"
in a per-record random order (seeded by ``seed`` and the pair id, so a re-push keeps the order); which one is
the chosen answer is stored in metadata hidden from annotators (``response_a_is``), so pull can undo it and
position cannot leak into the labels.  A content hash of everything pushed (fields, metadata, suggestions) is
stored too: a re-push sends only new and changed pairs, so pushing twice creates no duplicates and a changed
pair updates its record.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

import polars as pl

from curate import schema as S
from curate.errors import UsageError
from curate.review.config import ReviewConfig

# field / question / hidden-metadata names: the contract between push and pull
F_QUESTION, F_SOURCE, F_A, F_B = "question", "source_answer", "response_a", "response_b"
Q_PREFERENCE, Q_FACTS, Q_CORRECTED, Q_NOTE = "preference", "facts_kept", "corrected_supportive", "note"
PREFERENCE_LABELS = {"A": "Response A", "B": "Response B", "tie": "Tie: equally good",
                     "both_unacceptable": "Both unacceptable"}
M_A_IS, M_HASH = "response_a_is", "content_hash"
SUGGESTION_AGENT = "curate-filters"

# columns never turned into metadata (they are fields, provenance or review output)
_NOT_METADATA = {S.ID, S.QUESTION, S.SOURCE_ANSWER, S.CHOSEN, S.REJECTED, S.REWRITE_MODEL, S.PROMPT_VERSION,
                 S.GENERATION_PARAMS, S.CHOSEN_STYLE, S.REJECTED_STYLE, "chosen_original"}
_TERMS_COLUMNS = {S.SOURCE, "drop_reasons", "keep"}


def a_is_chosen(pair_id: str, seed: int) -> bool:
    """Deterministic coin per record: True = Response A shows the chosen (supportive) answer."""
    return hashlib.sha256(f"{seed}:{pair_id}".encode()).digest()[0] & 1 == 1


def metadata_name(column: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "_", column.lower()).strip("_") or "col"


def build_settings(df: pl.DataFrame, cfg: ReviewConfig):
    """The dataset settings: 4 fields, 4 questions, metadata properties for the score columns, distribution."""
    import argilla as rg

    fields = [
        rg.TextField(name=F_QUESTION, title="Caregiver's question"),
        rg.TextField(name=F_SOURCE, title="Source answer (clinician)"),
        rg.TextField(name=F_A, title="Response A"),
        rg.TextField(name=F_B, title="Response B"),
    ]
    questions = [
        rg.LabelQuestion(name=Q_PREFERENCE, labels=PREFERENCE_LABELS, title="Which response is better for a caregiver?"),
        rg.LabelQuestion(name=Q_FACTS, labels={"yes": "Yes", "no": "No"},
                         title="Does the supportive response keep every fact of the source (nothing lost, nothing added)?"),
        rg.TextQuestion(name=Q_CORRECTED, title="Corrected supportive response (optional: replaces it)", required=False),
        rg.TextQuestion(name=Q_NOTE, title="Note (optional)", required=False),
    ]
    metadata = [
        rg.TermsMetadataProperty(name=M_A_IS, options=["chosen", "rejected"], visible_for_annotators=False),
        rg.TermsMetadataProperty(name=M_HASH, visible_for_annotators=False),
    ]
    for name, kind, options in metadata_plan(df, cfg):
        if kind == "int":
            metadata.append(rg.IntegerMetadataProperty(name=name))
        elif kind == "float":
            metadata.append(rg.FloatMetadataProperty(name=name))
        else:
            metadata.append(rg.TermsMetadataProperty(name=name, options=options))
    from curate.review.config import DEFAULT_GUIDELINES

    return rg.Settings(guidelines=cfg.guidelines or DEFAULT_GUIDELINES, fields=fields, questions=questions, metadata=metadata,
                       distribution=rg.TaskDistribution(min_submitted=cfg.min_submitted))


def _facts_counts(df: pl.DataFrame) -> pl.DataFrame | None:
    """``facts_lost_n`` / ``facts_added_n`` of the chosen answer vs the source: the filter stage's
    ``facts_lost_chosen`` / ``facts_added_chosen`` columns when present, else ``filters.facts_diff``."""
    if all(isinstance(df.schema.get(c), pl.List) for c in ("facts_lost_chosen", "facts_added_chosen")):
        return df.select(pl.col("facts_lost_chosen").list.len().fill_null(0).cast(pl.Int64).alias("facts_lost_n"),
                         pl.col("facts_added_chosen").list.len().fill_null(0).cast(pl.Int64).alias("facts_added_n"))
    try:
        from filters import facts_diff
    except ImportError:
        return None
    lost, added = [], []
    for src, chosen in zip(df[S.SOURCE_ANSWER].to_list(), df[S.CHOSEN].to_list()):
        lo, ad = facts_diff(src or "", chosen or "")
        lost.append(len(lo))
        added.append(len(ad))
    return pl.DataFrame({"facts_lost_n": lost, "facts_added_n": added}, schema={"facts_lost_n": pl.Int64, "facts_added_n": pl.Int64})


def metadata_plan(df: pl.DataFrame, cfg: ReviewConfig) -> list[tuple[str, str, list | None]]:
    """(metadata name, kind int|float|terms, terms options) for every column shown as metadata."""
    plan: list[tuple[str, str, list | None]] = []
    columns = cfg.metadata_columns if cfg.metadata_columns is not None else list(df.columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UsageError(f"review.metadata_columns: column {missing[0]!r} not in the data")
    for col in columns:
        if cfg.metadata_columns is None and (col in _NOT_METADATA or col.startswith("review_")):
            continue
        dtype = df.schema[col]
        name = metadata_name(col)
        if dtype == pl.Boolean:
            plan.append((name, "terms", ["true", "false"]))
        elif dtype.is_integer():
            plan.append((name, "int", None))
        elif dtype.is_float():
            plan.append((name, "float", None))
        elif isinstance(dtype, pl.List):
            plan.append((f"{name}_n", "int", None))
            if col in _TERMS_COLUMNS or "reason" in col:
                values = sorted({v for vs in df[col].drop_nulls().to_list() for v in vs if v is not None})
                plan.append((name, "terms", values[:250] or None))
        elif dtype == pl.Utf8 and (col in _TERMS_COLUMNS or cfg.metadata_columns is not None):
            values = sorted(v for v in df[col].drop_nulls().unique().to_list())
            plan.append((name, "terms", values[:250] if 0 < len(values) <= 250 else None))
    if "facts_lost_n" not in {p[0] for p in plan}:
        plan += [("facts_lost_n", "int", None), ("facts_added_n", "int", None)]
    return plan


def _metadata_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "float":
        return None if isinstance(value, float) and not math.isfinite(value) else float(value)
    if kind == "int":
        return int(value)
    return value


def build_records(df: pl.DataFrame, cfg: ReviewConfig) -> list[dict]:
    """One plain dict per pair: id, fields, metadata (incl. hidden order + content hash), suggestions."""
    plan = metadata_plan(df, cfg)
    facts = _facts_counts(df) if "facts_lost_n" not in df.columns else None
    work = df.hstack(facts) if facts is not None else df
    name_to_col = {metadata_name(c): c for c in work.columns}
    rows = work.to_dicts()
    has_keep = "keep" in df.columns and df.schema["keep"] == pl.Boolean
    out = []
    for row in rows:
        pid = str(row[S.ID])
        a_chosen = a_is_chosen(pid, cfg.seed)
        chosen, rejected = row[S.CHOSEN] or "", row[S.REJECTED] or ""
        fields = {F_QUESTION: row[S.QUESTION] or "", F_SOURCE: row[S.SOURCE_ANSWER] or "",
                  F_A: chosen if a_chosen else rejected, F_B: rejected if a_chosen else chosen}
        metadata: dict[str, Any] = {M_A_IS: "chosen" if a_chosen else "rejected"}
        for name, kind, _ in plan:
            if name.endswith("_n") and name[:-2] in name_to_col and isinstance(row.get(name_to_col[name[:-2]]), list):
                value = len(row[name_to_col[name[:-2]]])
            elif name in name_to_col:
                value = row[name_to_col[name]]
                if isinstance(value, bool):
                    value = "true" if value else "false"
            else:
                continue
            value = _metadata_value(value, kind)
            if value is not None and value != []:
                metadata[name] = value
        suggestions = []
        if cfg.suggestions:
            score = (1.0 if row["keep"] else 0.5) if has_keep and row.get("keep") is not None else None
            suggestions.append({"question_name": Q_PREFERENCE, "value": "A" if a_chosen else "B", "score": score})
            if "facts_lost_n" in metadata and "facts_added_n" in metadata:
                ok = metadata["facts_lost_n"] == 0 and metadata["facts_added_n"] == 0
                suggestions.append({"question_name": Q_FACTS, "value": "yes" if ok else "no", "score": None})
        payload = {"fields": fields, "metadata": metadata, "suggestions": suggestions}
        metadata[M_HASH] = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]
        out.append({"id": pid, **payload})
    return out


def _to_rg_record(rec: dict):
    import argilla as rg

    suggestions = [rg.Suggestion(question_name=s["question_name"], value=s["value"], score=s["score"],
                                 agent=SUGGESTION_AGENT) for s in rec["suggestions"]]
    return rg.Record(id=rec["id"], fields=rec["fields"], metadata=rec["metadata"], suggestions=suggestions)


def validate_pairs(df: pl.DataFrame, path: str = "data") -> pl.DataFrame:
    from curate.io import require_columns

    require_columns(df, [S.ID, S.QUESTION, S.SOURCE_ANSWER, S.CHOSEN, S.REJECTED], path)
    dup = df.filter(pl.col(S.ID).is_duplicated())[S.ID].unique().to_list()
    if dup:
        raise UsageError(f"{path}: duplicate pair id {dup[0]!r} ({len(dup)} ids repeat); ids must be unique per pair")
    return df


def push(df: pl.DataFrame, client, cfg: ReviewConfig, dataset: str, workspace: str | None = None) -> dict:
    """Create the dataset if needed, then log new and changed records. Returns counts."""
    import argilla as rg

    from curate.review.connection import get_workspace

    if cfg.min_submitted < 1:
        raise UsageError("--min-submitted must be at least 1")
    ws = get_workspace(client, workspace if workspace is not None else cfg.workspace, create=True)
    records = build_records(df, cfg)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = client.datasets(name=dataset, workspace=ws)
    created_dataset = ds is None
    existing: dict[str, str | None] = {}
    answered: dict[str, tuple[str, dict]] = {}  # pair id -> (record uuid, fields) of records that have responses
    if created_dataset:
        ds = rg.Dataset(name=dataset, workspace=ws, settings=build_settings(df, cfg), client=client).create()
    else:
        names = {q.name for q in ds.settings.questions}
        if not {Q_PREFERENCE, Q_FACTS, Q_CORRECTED}.issubset(names):
            raise UsageError(f"Argilla dataset {dataset!r} exists but was not created by `curate review push` "
                             f"(questions: {', '.join(sorted(names))}); pick another --dataset name")
        for r in ds.records(with_responses=True, with_suggestions=False, with_vectors=False):
            existing[str(r.id)] = (r.metadata or {}).get(M_HASH)
            if len(r.responses):
                answered[str(r.id)] = (str(r._server_id), dict(r.fields))
    new = [r for r in records if r["id"] not in existing]
    changed = [r for r in records if r["id"] in existing and existing[r["id"]] != r["metadata"][M_HASH]]
    todo = new + changed
    if todo:
        ds.records.log([_to_rg_record(r) for r in todo], batch_size=cfg.batch_size)
    # responses to a text that changed judged the old text: discard them so the pair is reviewed again
    stale = [answered[r["id"]][0] for r in changed if r["id"] in answered and answered[r["id"]][1] != r["fields"]]
    discarded = sum(discard_responses(client, rid) for rid in stale)
    return {"dataset": dataset, "workspace": ws.name, "dataset_created": created_dataset, "pairs": len(records),
            "created": len(new), "updated": len(changed), "unchanged": len(records) - len(todo),
            "records_in_dataset": len(existing) + len(new), "reopened": len(stale), "responses_discarded": discarded}


def discard_responses(client, record_uuid: str) -> int:
    """Delete every response of one record (owner/admin key); returns how many were deleted."""
    http = client.api.http_client
    r = http.get(f"/api/v1/records/{record_uuid}")
    r.raise_for_status()
    ids = [resp["id"] for resp in r.json().get("responses") or []]
    for rid in ids:
        http.delete(f"/api/v1/responses/{rid}").raise_for_status()
    return len(ids)
