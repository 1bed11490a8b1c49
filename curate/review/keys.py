"""The review key: what annotators must not see, kept in a dataset of a workspace they are not members of.

Argilla filters metadata that is not ``visible_for_annotators`` out of its search results, but any member of a
workspace can still read a whole record, hidden metadata included, with ``GET /api/v1/records/{id}``.  So nothing
that names the chosen side is stored on the records annotators review.  It goes into a *key dataset* instead:

* workspace ``review.key_workspace`` (default ``curate-keys``), which only the owner and admins may join (push
  refuses to write to it while an annotator is a member), dataset ``<workspace>--<dataset>``;
* one record per pair (record id = pair id) whose text field holds JSON: which side Response A shows (``a_is``),
  and the complete pair row as pushed (every provenance, score, ``keep`` and ``drop_reasons`` column), so
  ``curate review pull`` can rebuild publishable rows without ``--data``;
* one record ``__curate_key__`` with the schemas of those rows (an empty Arrow IPC table each, so lists, booleans
  and integers come back with their types; NaN / inf floats come back as null) and the manifests of the stages
  that made the pushed table (filter, rewrite), which pull writes next to its output for ``curate publish``'s card.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import warnings
from dataclasses import dataclass, field

import polars as pl

from curate.core.errors import UsageError
from curate.core.manifest import manifest_beside
from curate.core.manifest import upstream_manifests as _upstream

META_ID = "__curate_key__"
F_ROW = "row"
Q_UNUSED = "unused"
FORMAT = 1


def key_dataset_name(workspace: str, dataset: str) -> str:
    return f"{workspace}--{dataset}"


@dataclass
class KeyEntry:
    a_is: str  # "chosen" | "rejected": what Response A shows
    schema: str | None = None  # hash of the row's schema (a key of KeyMeta.schemas)
    row: str | None = None  # the pair row as one polars NDJSON line

    def dumps(self) -> str:
        return json.dumps({"a_is": self.a_is, "schema": self.schema, "row": self.row}, sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> "KeyEntry":
        d = json.loads(text)
        return cls(a_is=d["a_is"], schema=d.get("schema"), row=d.get("row"))


@dataclass
class KeyMeta:
    schemas: dict[str, str] = field(default_factory=dict)  # hash -> base64 Arrow IPC of an empty table
    manifests: dict[str, dict] = field(default_factory=dict)  # stage -> manifest of the pushed table's makers
    source: str | None = None  # the pushed table's path, as the pusher gave it

    def dumps(self) -> str:
        return json.dumps({"format": FORMAT, "schemas": self.schemas, "manifests": self.manifests,
                           "source": self.source}, sort_keys=True, default=str)

    @classmethod
    def loads(cls, text: str) -> "KeyMeta":
        d = json.loads(text)
        return cls(schemas=dict(d.get("schemas") or {}), manifests=dict(d.get("manifests") or {}), source=d.get("source"))


def encode_rows(df: pl.DataFrame) -> tuple[str, str, list[str]]:
    """-> (schema hash, schema as base64 Arrow IPC, one NDJSON line per row)."""
    buf = io.BytesIO()
    df.head(0).write_ipc(buf)
    schema_b64 = base64.b64encode(buf.getvalue()).decode()
    schema_hash = hashlib.sha256(schema_b64.encode()).hexdigest()[:16]
    text = df.write_ndjson() if df.height else ""
    lines = text.rstrip("\n").split("\n") if text else []  # JSON escapes newlines inside strings
    return schema_hash, schema_b64, lines


def decode_rows(entries: dict[str, KeyEntry], meta: KeyMeta) -> pl.DataFrame | None:
    """The pushed rows of ``entries`` (those that carry one), their own types restored; None if none does."""
    groups: dict[str, list[str]] = {}
    for e in entries.values():
        if e.row is not None and e.schema in meta.schemas:
            groups.setdefault(e.schema, []).append(e.row)
    frames = []
    for h, lines in groups.items():
        schema = pl.read_ipc(io.BytesIO(base64.b64decode(meta.schemas[h]))).schema
        frames.append(pl.read_ndjson(io.BytesIO("\n".join(lines).encode()), schema=schema))
    if not frames:
        return None
    return pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]


def upstream_manifests(table_path) -> dict[str, dict]:
    """``{stage: manifest}``: the manifest beside the pushed table and those its ``inputs`` lead to (nearest wins)."""
    if table_path is None:
        return {}
    return _upstream(manifest_beside(table_path))


# ---------------------------------------------------------------------------------------------- the Argilla side
def _settings(dataset: str, workspace: str):
    import argilla as rg

    return rg.Settings(
        guidelines=(f"Internal to `curate review`: the A/B key and the pushed pair rows of dataset {dataset!r} in "
                    f"workspace {workspace!r}. Not for annotation; never add annotators to this workspace."),
        fields=[rg.TextField(name=F_ROW, title="key (JSON)", use_markdown=False)],
        questions=[rg.TextQuestion(name=Q_UNUSED, title="not for annotation")],
        allow_extra_metadata=False,
    )


def key_workspace(client, name: str, *, create: bool):
    """The key workspace, created by an owner key if missing; refuses one an annotator is a member of."""
    import argilla as rg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDK warns when it does not exist yet
        ws = client.workspaces(name=name)
    if ws is None:
        if not create:
            return None
        me = client.me
        role = str(getattr(me.role, "value", me.role))
        if role != "owner":
            raise UsageError(f"the review key workspace {name!r} is not visible to this API key ({role} "
                             f"{me.username!r}): the owner must create it (a push with the owner's key does, `curate "
                             f"review serve` prints that key) and add this admin to it, or set review.key_workspace "
                             f"to a workspace without annotators that this admin belongs to")
        ws = rg.Workspace(name=name, client=client).create()
    annotators = sorted(u.username for u in ws.users if str(getattr(u.role, "value", u.role)) == "annotator")
    if annotators:
        raise UsageError(f"review key workspace {name!r} has annotator member(s) ({', '.join(annotators[:5])}): they "
                         f"could read which response is the chosen one; remove them from it or set review.key_workspace "
                         f"to another workspace")
    return ws


def open_key_dataset(client, key_ws_name: str, workspace: str, dataset: str, *, create: bool):
    """The key dataset of ``workspace``/``dataset`` (created when ``create``), or None when it does not exist."""
    import argilla as rg

    ws = key_workspace(client, key_ws_name, create=create)
    if ws is None:
        return None
    name = key_dataset_name(workspace, dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = client.datasets(name=name, workspace=ws)
    if ds is None and create:
        ds = rg.Dataset(name=name, workspace=ws, settings=_settings(dataset, workspace), client=client).create()
    return ds


def read_key(ds) -> tuple[KeyMeta, dict[str, KeyEntry], dict[str, str]]:
    """-> (meta, {pair id: entry}, {pair id: the stored text}) of a key dataset."""
    meta, entries, texts = KeyMeta(), {}, {}
    for r in ds.records(with_responses=False, with_suggestions=False, with_vectors=False):
        rid, text = str(r.id), r.fields.get(F_ROW) or ""
        if rid == META_ID:
            meta = KeyMeta.loads(text)
        else:
            entries[rid] = KeyEntry.loads(text)
            texts[rid] = text
    return meta, entries, texts


def write_key(ds, entries: dict[str, KeyEntry], meta: KeyMeta | None, batch_size: int) -> None:
    import argilla as rg

    records = [rg.Record(id=pid, fields={F_ROW: e.dumps()}) for pid, e in entries.items()]
    if meta is not None:
        records.append(rg.Record(id=META_ID, fields={F_ROW: meta.dumps()}))
    if records:
        ds.records.log(records, batch_size=batch_size)


def readable_key(client, key_ws_name: str, workspace: str, dataset: str):
    """-> (the key dataset or None, why it cannot be read or None).  (None, None): there is no key dataset (a
    dataset pushed before the key existed); (None, reason): this API key may not read the key workspace."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ws = client.workspaces(name=key_ws_name)
        except Exception:  # noqa: BLE001 - an annotator key may not even list workspaces
            ws = None
        me = client.me
        role = str(getattr(me.role, "value", me.role))
        if ws is None:
            if role == "owner":
                return None, None
            return None, (f"this API key ({role} {me.username!r}) cannot read the review key workspace "
                          f"{key_ws_name!r}, which holds the hidden A/B order and the pushed rows: pull with the "
                          f"owner's API key or an admin who is a member of {key_ws_name!r}")
        return client.datasets(name=key_dataset_name(workspace, dataset), workspace=ws), None
