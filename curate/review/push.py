"""``curate review push``: pairs -> an Argilla dataset (created or updated in place), reviewed blind by default.

Each pair becomes one record whose id is the pair id.  The two variants are shown as "Response A" / "Response B"
in a per-record random order.  Nothing annotators can read names the chosen side:

* the order (which side A shows) and the complete pushed row live in the *key dataset* of a workspace annotators
  are not members of (:mod:`curate.review.keys`), not in the record's metadata: Argilla hides metadata that is not
  ``visible_for_annotators`` from search results only, ``GET /api/v1/records/{id}`` returns all of it;
* blind review (``review.suggestions: false``, the default): no suggestions, and the only metadata on a record are
  columns that do not describe a side (``source``, ``cluster_id``, the source answer's scores ...): no
  ``tone_chosen``, ``fkgl_rejected``, margins, ``keep`` or drop reasons, whose values would give the order away;
* ``review.suggestions: true`` is a non-blind review by choice: the questions are pre-filled from the filter scores
  and every score column is filterable metadata;
* an empty field is not sent (imported pairs have no source answer; the field is left out of a dataset whose
  pairs have none);
* pairs made from conversations (a ``context`` column) show the earlier turns as a chat field ("Conversation so
  far") above the last user message and Response A / B; a single-turn pair of such a dataset leaves it empty.

Re-pushing is idempotent: a content hash of what annotators see (fields, metadata, suggestions) is stored in hidden
metadata and only new and changed pairs are sent; a pair keeps its A/B order across pushes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from typing import Any

import polars as pl

from curate.core import schema as S
from curate.core.errors import UsageError
from curate.review.config import ReviewConfig

# field / question / hidden-metadata names: the contract between push and pull
F_QUESTION, F_SOURCE, F_A, F_B = "question", "source_answer", "response_a", "response_b"
F_CONTEXT = "context"  # a chat field: the earlier turns of a conversation
Q_PREFERENCE, Q_FACTS, Q_CORRECTED, Q_NOTE = "preference", "facts_kept", "corrected_supportive", "note"
PREFERENCE_LABELS = {"A": "Response A", "B": "Response B", "tie": "Tie: equally good",
                     "both_unacceptable": "Both unacceptable"}
M_A_IS, M_HASH = "response_a_is", "content_hash"  # M_A_IS: only on records pushed before the key dataset existed
SUGGESTION_AGENT = "curate-filters"

# columns never turned into metadata (they are fields, provenance or review output)
_NOT_METADATA = {S.ID, S.QUESTION, S.CONTEXT, S.SOURCE_ANSWER, S.CHOSEN, S.REJECTED, S.REWRITE_MODEL, S.PROMPT_VERSION,
                 S.GENERATION_PARAMS, S.CHOSEN_STYLE, S.REJECTED_STYLE, S.INPUT_ROW, S.CHOSEN_ORIGINAL}
_TERMS_COLUMNS = {S.SOURCE, S.DROP_REASONS, S.KEEP}
# a column whose name has one of these words describes one side of the pair (or a decision that tells them apart)
SIDE_WORDS = {"chosen", "rejected", "supportive", "prescriptive", "margin", "side", "keep", "drop", "drops",
              "reason", "reasons", "redo", "winner", "preferred", "facts"}


def names_a_side(column: str) -> bool:
    """True for a column whose values could tell an annotator which response is the chosen one."""
    return bool(set(re.split(r"[^a-z0-9]+", column.lower())) & SIDE_WORDS)


def a_is_chosen(pair_id: str, seed: int | str) -> bool:
    """Deterministic coin per record: True = Response A shows the chosen (supportive) answer."""
    return hashlib.sha256(f"{seed}:{pair_id}".encode()).digest()[0] & 1 == 1


def metadata_name(column: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "_", column.lower()).strip("_") or "col"


def has_source(df: pl.DataFrame) -> bool:
    return S.SOURCE_ANSWER in df.columns and bool(
        df.select((pl.col(S.SOURCE_ANSWER).cast(pl.Utf8).fill_null("").str.strip_chars() != "").any()).item())


def has_context(df: pl.DataFrame) -> bool:
    """True when some pair has earlier turns (a conversation row whose ``context`` is not empty)."""
    if S.CONTEXT not in df.columns:
        return False
    return bool(df.select(~pl.col(S.CONTEXT).cast(pl.Utf8).fill_null("").str.strip_chars().is_in(["[]", ""])).to_series().any())


def chat_value(cell) -> list[dict]:
    """A ``context`` cell as the chat field's messages (``[]`` for none)."""
    from curate.core.conversations import context_turns

    return [{"role": t["role"], "content": t["content"]} for t in context_turns(cell)]


def guidelines_for(cfg: ReviewConfig, with_source: bool, lang: str = "en") -> str:
    from curate.review.config import (DEFAULT_GUIDELINES, DEFAULT_GUIDELINES_ES, GUIDELINES_WITHOUT_SOURCE,
                                      GUIDELINES_WITHOUT_SOURCE_ES)

    if lang == "es":
        return cfg.guidelines or (DEFAULT_GUIDELINES_ES if with_source else GUIDELINES_WITHOUT_SOURCE_ES)
    return cfg.guidelines or (DEFAULT_GUIDELINES if with_source else GUIDELINES_WITHOUT_SOURCE)


# what the reviewers read, per language (the names behind them are the same: pull reads names, not titles)
TEXTS = {
    "en": {"question": "Caregiver's question", "source": "Source answer (clinician)", "a": "Response A", "b": "Response B",
           "facts_source": "Does the supportive response keep every fact of the source (nothing lost, nothing added)?",
           "facts_no_source": "Do both responses state the same facts (nothing lost, nothing added)?",
           "preference": "Which response is better for a caregiver?", "yes": "Yes", "no": "No",
           "corrected": "Corrected supportive response (optional: replaces it)", "note": "Note (optional)",
           "labels": PREFERENCE_LABELS},
    "es": {"question": "Pregunta del cuidador", "source": "Respuesta original (clínico)", "a": "Respuesta A",
           "b": "Respuesta B",
           "facts_source": "¿Conserva la respuesta cálida todos los datos del original (sin perder ni añadir nada)?",
           "facts_no_source": "¿Dicen ambas respuestas los mismos datos (sin perder ni añadir nada)?",
           "preference": "¿Qué respuesta es mejor para un cuidador?", "yes": "Sí", "no": "No",
           "corrected": "Respuesta cálida corregida (opcional: la sustituye)", "note": "Nota (opcional)",
           "labels": {"A": "Respuesta A", "B": "Respuesta B", "tie": "Empate: igual de buenas",
                      "both_unacceptable": "Ninguna es aceptable"}},
}


def review_lang(df: pl.DataFrame) -> str:
    """The language the review is shown in: the rows' most common ``lang`` (English without the column)."""
    from curate.core.lang import LANG, dominant

    return dominant(df)[0] if LANG in df.columns else "en"


def build_settings(df: pl.DataFrame, cfg: ReviewConfig):
    """The dataset settings: the fields, 4 questions, metadata properties for the shown columns, distribution."""
    import argilla as rg

    with_source = has_source(df)
    lang = review_lang(df)
    t = TEXTS[lang]
    fields = []
    if has_context(df):  # conversations: the earlier turns first, as a chat
        fields.append(rg.ChatField(name=F_CONTEXT, title="Conversation so far (earlier turns)", required=False))
    fields.append(rg.TextField(name=F_QUESTION, title=t["question"] if not fields else
                               "Caregiver's last message (the one both responses answer)"))
    if with_source:  # not required: a pair without a source answer leaves the field out instead of showing it empty
        fields.append(rg.TextField(name=F_SOURCE, title=t["source"], required=False))
    fields += [rg.TextField(name=F_A, title=t["a"]), rg.TextField(name=F_B, title=t["b"])]
    facts_title = t["facts_source"] if with_source else t["facts_no_source"]
    questions = [
        rg.LabelQuestion(name=Q_PREFERENCE, labels=t["labels"], title=t["preference"]),
        rg.LabelQuestion(name=Q_FACTS, labels={"yes": t["yes"], "no": t["no"]}, title=facts_title),
        rg.TextQuestion(name=Q_CORRECTED, title=t["corrected"], required=False),
        rg.TextQuestion(name=Q_NOTE, title=t["note"], required=False),
    ]
    metadata = [rg.TermsMetadataProperty(name=M_HASH, visible_for_annotators=False)]
    for name, kind, options in metadata_plan(df, cfg):
        if kind == "int":
            metadata.append(rg.IntegerMetadataProperty(name=name))
        elif kind == "float":
            metadata.append(rg.FloatMetadataProperty(name=name))
        else:
            metadata.append(rg.TermsMetadataProperty(name=name, options=options))
    return rg.Settings(guidelines=guidelines_for(cfg, with_source, lang), fields=fields, questions=questions,
                       metadata=metadata, distribution=rg.TaskDistribution(min_submitted=cfg.min_submitted))


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
    """(metadata name, kind int|float|terms, terms options) for every column shown as metadata.

    Blind review (no suggestions): only columns that describe no side (:func:`names_a_side`); naming one in
    ``review.metadata_columns`` is refused."""
    plan: list[tuple[str, str, list | None]] = []
    columns = cfg.metadata_columns if cfg.metadata_columns is not None else list(df.columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UsageError(f"review.metadata_columns: column {missing[0]!r} not in the data")
    if cfg.metadata_columns is not None and not cfg.suggestions:
        leaking = [c for c in columns if names_a_side(c)]
        if leaking:
            raise UsageError(f"review.metadata_columns: {leaking[0]!r} describes one side of the pair, so annotators "
                             f"could tell which response is the chosen one; leave it out (blind review), or set "
                             f"review.suggestions: true for a non-blind review")
    for col in columns:
        if cfg.metadata_columns is None and (col in _NOT_METADATA or col.startswith(S.REVIEW_PREFIX)):
            continue
        if not cfg.suggestions and names_a_side(col):
            continue
        dtype = df.schema[col]
        name = metadata_name(col)
        if name in (M_HASH, M_A_IS):
            continue
        if dtype == pl.Boolean:
            plan.append((name, "terms", ["true", "false"]))
        elif dtype.is_integer():
            plan.append((name, "int", None))
        elif dtype.is_float():
            plan.append((name, "float", None))
        elif isinstance(dtype, pl.List):
            if not cfg.suggestions and names_a_side(f"{name}_n"):
                continue
            plan.append((f"{name}_n", "int", None))
            if col in _TERMS_COLUMNS or "reason" in col:
                plan.append((name, "terms", None))
        elif dtype == pl.Utf8 and (col in _TERMS_COLUMNS or cfg.metadata_columns is not None):
            # no fixed list of terms: a re-push with a new value (another source file) must not be refused
            plan.append((name, "terms", None))
    if cfg.suggestions and "facts_lost_n" not in {p[0] for p in plan}:
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


def new_order(pair_id: str, cfg: ReviewConfig) -> bool:
    """The A/B coin of a pair pushed for the first time: seeded (reproducible) or, by default, random."""
    if cfg.seed is None:
        return secrets.randbits(1) == 1
    return a_is_chosen(pair_id, cfg.seed)


def build_records(df: pl.DataFrame, cfg: ReviewConfig, order: dict[str, bool] | None = None,
                  fields_in_dataset: dict[str, bool] | None = None) -> list[dict]:
    """One plain dict per pair: ``id``, ``fields``, ``metadata`` (incl. the content hash), ``suggestions`` -- what
    the annotators' dataset gets -- and ``a_is`` (``chosen`` / ``rejected``: what Response A shows), which goes
    to the key dataset only.  ``order``: the A/B coin of pairs pushed before (True = A shows the chosen one);
    ``fields_in_dataset``: ``{field: required}`` of an existing dataset (a field it lacks is not sent; an empty
    source answer is sent as "" only where an older dataset made that field required)."""
    plan = metadata_plan(df, cfg)
    facts = _facts_counts(df) if cfg.suggestions and "facts_lost_n" not in df.columns else None
    work = df.hstack(facts) if facts is not None else df
    name_to_col = {metadata_name(c): c for c in work.columns}
    with_source = has_source(df) if fields_in_dataset is None else F_SOURCE in fields_in_dataset
    with_context = has_context(df) if fields_in_dataset is None else F_CONTEXT in fields_in_dataset
    source_required = bool(fields_in_dataset and fields_in_dataset.get(F_SOURCE))
    has_keep = S.KEEP in df.columns and df.schema[S.KEEP] == pl.Boolean
    out = []
    for row in work.to_dicts():
        pid = str(row[S.ID])
        a_chosen = order[pid] if order is not None and pid in order else new_order(pid, cfg)
        chosen, rejected = row[S.CHOSEN] or "", row[S.REJECTED] or ""
        fields = {}
        chat = chat_value(row.get(S.CONTEXT)) if with_context else []
        if chat:
            fields[F_CONTEXT] = chat
        fields[F_QUESTION] = row[S.QUESTION] or ""
        source = (row.get(S.SOURCE_ANSWER) or "").strip()
        if with_source and (source or source_required):
            fields[F_SOURCE] = row[S.SOURCE_ANSWER] or ""
        fields.update({F_A: chosen if a_chosen else rejected, F_B: rejected if a_chosen else chosen})
        metadata: dict[str, Any] = {}
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
        if cfg.suggestions:  # a non-blind review, by the user's choice
            score = (1.0 if row[S.KEEP] else 0.5) if has_keep and row.get(S.KEEP) is not None else None
            suggestions.append({"question_name": Q_PREFERENCE, "value": "A" if a_chosen else "B", "score": score})
            if "facts_lost_n" in metadata and "facts_added_n" in metadata:
                ok = metadata["facts_lost_n"] == 0 and metadata["facts_added_n"] == 0
                suggestions.append({"question_name": Q_FACTS, "value": "yes" if ok else "no", "score": None})
        payload = {"fields": fields, "metadata": metadata, "suggestions": suggestions}
        metadata[M_HASH] = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]
        out.append({"id": pid, **payload, "a_is": "chosen" if a_chosen else "rejected"})
    return out


def _to_rg_record(rec: dict):
    import argilla as rg

    suggestions = [rg.Suggestion(question_name=s["question_name"], value=s["value"], score=s["score"],
                                 agent=SUGGESTION_AGENT) for s in rec["suggestions"]]
    return rg.Record(id=rec["id"], fields=rec["fields"], metadata=rec["metadata"], suggestions=suggestions)


def validate_pairs(df: pl.DataFrame, path: str = "data") -> pl.DataFrame:
    from curate.core.io import require_columns

    require_columns(df, [S.ID, S.QUESTION, S.CHOSEN, S.REJECTED], path)
    if S.SOURCE_ANSWER not in df.columns:  # imported pairs: no source answer (the field is left out)
        df = df.with_columns(pl.lit(None, pl.Utf8).alias(S.SOURCE_ANSWER))
    if df.schema[S.ID] != pl.Utf8:
        df = df.with_columns(pl.col(S.ID).cast(pl.Utf8))
    if df[S.ID].null_count():
        raise UsageError(f"{path}: {df[S.ID].null_count()} row(s) have no pair id")
    dup = df.filter(pl.col(S.ID).is_duplicated())[S.ID].unique().to_list()
    if dup:
        raise UsageError(f"{path}: duplicate pair id {dup[0]!r} ({len(dup)} ids repeat); ids must be unique per pair")
    return df


def push(df: pl.DataFrame, client, cfg: ReviewConfig, dataset: str, workspace: str | None = None,
         source=None) -> dict:
    """Create the dataset (and its key) if needed, then log new and changed records. Returns counts.

    ``source``: the path the table was read from; the manifests of the stages that made it are kept with the key
    (``curate publish`` of a pull without ``--data`` puts them in the card)."""
    import warnings

    import argilla as rg

    from curate.review import keys
    from curate.review.connection import get_workspace

    if cfg.min_submitted < 1:
        raise UsageError("--min-submitted must be at least 1")
    target = workspace if workspace is not None else cfg.workspace
    if target is not None and target == cfg.key_workspace:
        raise UsageError(f"workspace {cfg.key_workspace!r} is the review key workspace (review.key_workspace): "
                         f"annotators must not see it; push to another --workspace")
    ws = get_workspace(client, target, create=True, exclude=cfg.key_workspace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = client.datasets(name=dataset, workspace=ws)
    created_dataset = ds is None
    if not created_dataset:
        names = {q.name for q in ds.settings.questions}
        if not {Q_PREFERENCE, Q_FACTS, Q_CORRECTED}.issubset(names):
            raise UsageError(f"Argilla dataset {dataset!r} exists but was not created by `curate review push` "
                             f"(questions: {', '.join(sorted(names))}); pick another --dataset name")
    key_ds = keys.open_key_dataset(client, cfg.key_workspace, ws.name, dataset, create=True)
    meta, key_entries, key_texts = keys.read_key(key_ds)

    existing: dict[str, str | None] = {}
    answered: dict[str, tuple[str, dict]] = {}  # pair id -> (record uuid, fields) of records that have responses
    order = {pid: e.a_is == "chosen" for pid, e in key_entries.items()}
    fields_in_dataset = None
    if not created_dataset:
        fields_in_dataset = {f.name: bool(getattr(f, "required", True)) for f in ds.settings.fields}
        for r in ds.records(with_responses=True, with_suggestions=False, with_vectors=False):
            md = r.metadata or {}
            existing[str(r.id)] = md.get(M_HASH)
            if str(r.id) not in order and md.get(M_A_IS) in ("chosen", "rejected"):  # pushed before the key existed
                order[str(r.id)] = md[M_A_IS] == "chosen"
            if len(r.responses):
                answered[str(r.id)] = (str(r._server_id), dict(r.fields))
    records = build_records(df, cfg, order, fields_in_dataset)

    # the key first: a record annotators can answer always has its key
    schema_hash, schema_b64, lines = keys.encode_rows(df)
    meta.schemas.setdefault(schema_hash, schema_b64)
    meta.manifests, meta.source = keys.upstream_manifests(source), str(source) if source is not None else None
    entries = {rec["id"]: keys.KeyEntry(a_is=rec["a_is"], schema=schema_hash, row=line)
               for rec, line in zip(records, lines)}
    changed_keys = {pid: e for pid, e in entries.items() if key_texts.get(pid) != e.dumps()}
    keys.write_key(key_ds, changed_keys, meta, cfg.batch_size)

    if created_dataset:
        ds = rg.Dataset(name=dataset, workspace=ws, settings=build_settings(df, cfg), client=client).create()
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
            "records_in_dataset": len(existing) + len(new), "reopened": len(stale), "responses_discarded": discarded,
            "key": f"{cfg.key_workspace}/{key_ds.name}", "blind": not cfg.suggestions}


def discard_responses(client, record_uuid: str) -> int:
    """Delete every response of one record (owner/admin key); returns how many were deleted."""
    http = client.api.http_client
    r = http.get(f"/api/v1/records/{record_uuid}")
    r.raise_for_status()
    ids = [resp["id"] for resp in r.json().get("responses") or []]
    for rid in ids:
        http.delete(f"/api/v1/responses/{rid}").raise_for_status()
    return len(ids)
