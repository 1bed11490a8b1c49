"""Dedup: exact and near-duplicate questions (MinHash + LSH banding), one ``cluster_id`` per group.

* exact: questions equal after ``curate.core.schema.question_key_expr`` (NFKC, lower case, every run of characters
  other than letters, marks and digits one space, stripped).
* near: MinHash signatures of word n-gram shingles, computed for the whole column at once with numpy using
  datasketch's own permutations and its default ``affine32`` scheme (``tests/filters/test_dedup.py`` checks
  that the signatures equal ``datasketch.MinHash.update_batch``); candidates come from LSH banding with the
  band / row split datasketch's ``MinHashLSH`` would choose for the threshold, and a candidate joins a
  cluster only if its estimated Jaccard similarity reaches the threshold.  Clusters are the connected
  components (scipy).

What is kept (decided by the filter stage with ``DuplicateResolver``, after every other filter has scored the
rows): per cluster, the first row in input order that no other filter drops -- the cluster's *representative*.
If every row of a cluster is dropped for other reasons, the cluster keeps nothing.  ``dup_kind`` (and so the
drop reasons ``duplicate`` / ``near_duplicate``) is null for the representative and for the cluster's first row
(the first occurrence of a question is never a duplicate; when it fails another filter it is dropped with
only its own reasons); every other row is ``exact`` when its normalized question equals that of its *anchor*,
else ``near``.  The anchor is the representative for rows after it, and the cluster's first row for rows
before it (or when the cluster keeps nothing).  The rule only looks backwards in input order, so streaming
the rows in batches gives exactly what one call over all rows gives.

``cluster_id`` is a label of the whole cluster, not of the row kept: the ``id`` of the cluster's first row
(or a hash of its normalized question), so it depends on the questions only -- not on thresholds of other
filters -- and the publish stage splits train / test by it without leakage.  ``dedup_frame`` is the
question-only view (before other filters): its ``duplicate_of`` / ``dup_kind`` are relative to the cluster's
first row.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from curate.core.conversations import with_dialogue_text
from curate.core.schema import CONTEXT, ID, QUESTION, question_key_expr
from filters.base import GlobalFilter
from filters.columns import CLUSTER_ID_COL, DUP_KIND_COL
from filters.config import FilterConfig

_MASK32 = np.uint64(0xFFFFFFFF)
_CHUNK = 100_000


def _fmix32(hv: np.ndarray) -> np.ndarray:
    try:  # datasketch >= 2.0 pre-mixes inputs with the MurmurHash3 finalizer
        from datasketch.minhash import _fmix

        return _fmix(hv, 32)
    except ImportError:  # pragma: no cover - older datasketch: legacy scheme has no pre-mix
        return hv


def shingle_hashes(norm: pl.Series, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row index, uint32 shingle hash) for every word k-gram (a question shorter than k is one shingle)."""
    words = pl.DataFrame({"_row": pl.int_range(0, len(norm), eager=True), "_w": norm.str.split(" ")})
    words = words.with_columns(pl.col("_w").list.len().alias("_n")).explode("_w")
    parts = [pl.col("_w")]
    same = pl.lit(True)
    for j in range(1, max(k, 1)):
        parts.append(pl.col("_w").shift(-j))
        same = same & (pl.col("_row").shift(-j) == pl.col("_row"))
    frame = words.select(
        "_row",
        pl.when(pl.col("_n") < k).then(None).when(same).then(pl.concat_str(parts, separator=" ")).alias("_sh"),
        "_n",
    )
    short = norm.to_frame("_sh").with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    short = short.filter(norm.str.split(" ").list.len() < k)
    frame = pl.concat([frame.drop_nulls("_sh").select("_row", "_sh"), short.select("_row", "_sh")], how="vertical_relaxed")
    hv = frame["_sh"].hash(seed=0).to_numpy() & _MASK32
    return frame["_row"].to_numpy().astype(np.int64), hv.astype(np.uint32)


def minhash_signatures(rows: np.ndarray, hv: np.ndarray, n_rows: int, num_perm: int, seed: int) -> np.ndarray:
    """(n_rows, num_perm) uint32 signatures, identical to datasketch ``MinHash(num_perm, seed)`` over ``hv``."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    a = a.astype(np.uint32)
    b = b.astype(np.uint32)
    sig = np.full((n_rows, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    if len(hv) == 0:
        return sig
    order = np.argsort(rows, kind="stable")
    rows, hv = rows[order], _fmix32(hv[order].astype(np.uint32))
    chunk = max(1, 2_000_000 // num_perm)
    with np.errstate(over="ignore"):
        for s in range(0, len(hv), chunk):
            r = rows[s : s + chunk]
            phv = hv[s : s + chunk, None] * a[None, :] + b[None, :]  # uint32 arithmetic wraps, as datasketch's
            starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
            mins = np.minimum.reduceat(phv, starts, axis=0)
            ur = r[starts]
            sig[ur] = np.minimum(sig[ur], mins)
    return sig


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def _components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if len(src) == 0:
        return np.arange(n)
    g = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    return labels


def _cluster_rows(df: pl.DataFrame, question_col: str, threshold: float, num_perm: int, shingle_size: int,
                  seed: int, near: bool) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    """(normalized questions, first row with the same normalized question, first row of the cluster) per row.

    Memory: 2 bytes per permutation per distinct question (16-bit signature slices for verification) plus one
    u64 per LSH band.
    """
    n = df.height
    norm = df.select(question_key_expr(question_col).alias("q"))["q"]
    # exact: first occurrence of each normalized question
    exact_first = (
        pl.DataFrame({"q": norm, "i": pl.int_range(0, n, eager=True)})
        .select(pl.col("i").min().over("q"))["i"].to_numpy()
    )
    parent = exact_first
    if near and n > 1:
        reps = np.flatnonzero(exact_first == np.arange(n))  # one row per exact group
        m = len(reps)
        b, r = lsh_params(threshold, num_perm)
        rep_q = norm.gather(reps)
        sig16 = np.empty((m, num_perm), dtype=np.uint16)
        keys = np.empty((b, m), dtype=np.uint64)
        for s in range(0, m, _CHUNK):  # chunks bound the memory of the exploded shingles and full signatures
            part = rep_q.slice(s, _CHUNK)
            rows, hv = shingle_hashes(part, shingle_size)
            sig = minhash_signatures(rows, hv, len(part), num_perm, seed)
            for band in range(b):
                keys[band, s : s + len(part)] = pl.DataFrame(sig[:, band * r : (band + 1) * r]).hash_rows(seed=band).to_numpy()
            sig16[s : s + len(part)] = (sig & 0xFFFF).astype(np.uint16)
            del sig, rows, hv
        del rep_q
        src_l, dst_l = [], []
        idx = pl.int_range(0, m, eager=True)
        for band in range(b):
            first = pl.DataFrame({"k": keys[band], "i": idx}).select(pl.col("i").min().over("k"))["i"].to_numpy()
            cand = np.flatnonzero(first != np.arange(m))
            if len(cand):
                sim = (sig16[cand] == sig16[first[cand]]).mean(axis=1)
                ok = cand[sim >= threshold]
                src_l.append(ok)
                dst_l.append(first[ok])
        del sig16, keys
        src = np.concatenate(src_l) if src_l else np.array([], dtype=np.int64)
        dst = np.concatenate(dst_l) if dst_l else np.array([], dtype=np.int64)
        labels = _components(m, src, dst)
        # first row of each component = smallest row index
        comp_first = pl.DataFrame({"l": labels, "r": reps}).select(pl.col("r").min().over("l"))["r"].to_numpy()
        near_parent = np.empty(n, dtype=np.int64)
        near_parent[reps] = comp_first
        parent = near_parent[exact_first]
    return norm, exact_first, parent


def _cluster_ids(df: pl.DataFrame, norm: pl.Series, parent: np.ndarray, id_col: str) -> pl.Series:
    if id_col in df.columns and df[id_col].null_count() == 0:
        return df[id_col].cast(pl.Utf8).gather(parent).alias("cluster_id")
    keys_q = norm.gather(parent)
    uniq = keys_q.unique().to_list()
    cmap = {q: "c" + hashlib.sha1(q.encode("utf-8")).hexdigest()[:15] for q in uniq}
    return keys_q.replace_strict(cmap, return_dtype=pl.Utf8).alias("cluster_id")


def _index_dtype(n: int):
    return np.int32 if n < np.iinfo(np.int32).max else np.int64


def cluster_frame(df: pl.DataFrame, question_col: str, threshold: float = 0.8, num_perm: int = 128,
                  shingle_size: int = 2, seed: int = 1, near: bool = True, id_col: str = "id") -> pl.DataFrame:
    """``cluster_id`` (str), ``cluster_row`` (row index of the cluster's first row) and ``exact_row`` (row index
    of the first row with the same normalized question) -- what ``DuplicateResolver`` needs.

    ``cluster_id`` is the ``id`` of the cluster's first row when the frame has an ``id`` column (the content hash
    of the pair schema: stable across runs), else a SHA-1 of its normalized question.
    """
    norm, exact_first, parent = _cluster_rows(df, question_col, threshold, num_perm, shingle_size, seed, near)
    dt = _index_dtype(df.height)
    return pl.DataFrame({"cluster_id": _cluster_ids(df, norm, parent, id_col),
                         "cluster_row": parent.astype(dt), "exact_row": exact_first.astype(dt)})


def dedup_frame(df: pl.DataFrame, question_col: str, threshold: float = 0.8, num_perm: int = 128,
                shingle_size: int = 2, seed: int = 1, near: bool = True, id_col: str = "id") -> pl.DataFrame:
    """The question-only view: ``cluster_id`` (str), ``duplicate_of`` (row index of the cluster's first row, null
    for that row) and ``dup_kind`` (exact / near relative to the first row, null for it).

    This is what the filter stage keeps when no other filter drops anything; with other drops the stage keeps
    the first row of each cluster that passes them (see the module docstring and ``DuplicateResolver``).
    """
    norm, exact_first, parent = _cluster_rows(df, question_col, threshold, num_perm, shingle_size, seed, near)
    n = df.height
    rows = np.arange(n)
    kind = np.where(parent == rows, "", np.where(exact_first == parent, "exact", "near"))
    dup_of = pl.Series(np.where(parent != rows, parent, -1)).replace(-1, None)
    return pl.DataFrame({"cluster_id": _cluster_ids(df, norm, parent, id_col), "duplicate_of": dup_of,
                         "dup_kind": pl.Series(kind).replace("", None)})


class DuplicateResolver:
    """Decides, batch by batch in input order, which row of each cluster is kept and each row's ``dup_kind``.

    Built from the whole ``cluster_row`` / ``exact_row`` columns of ``cluster_frame`` (one integer pair per row);
    ``resolve(offset, other)`` takes the next batch's ``other`` mask (the row has a drop reason other than
    duplication) and returns its ``dup_kind``.  The representative of a cluster is its first row with no other
    drop reason; see the module docstring for the labels.  Every decision looks only at earlier rows, so any
    batching gives the same result.  State: one integer per row (the representative found so far of the
    cluster whose first row that is), all numpy, no Python loop over rows.
    """

    def __init__(self, cluster_row, exact_row):
        self.cluster = np.asarray(cluster_row)
        self.exact = np.asarray(exact_row)
        n = len(self.cluster)
        self.rep = np.full(n, -1, dtype=_index_dtype(n))  # indexed by cluster label (its first row)
        self._next = 0

    def resolve(self, offset: int, other) -> pl.Series:
        other = np.asarray(other, dtype=bool)
        n = len(other)
        if offset != self._next or offset + n > len(self.cluster):
            raise ValueError(f"DuplicateResolver: batches must come in input order (expected row {self._next}, got {offset})")
        self._next = offset + n
        rows = np.arange(offset, offset + n, dtype=self.rep.dtype)
        cl = self.cluster[offset : offset + n]
        passing = ~other
        # first passing row of each cluster in this batch; it becomes the representative unless one came earlier
        pcl = cl[passing]
        uniq, first = np.unique(pcl, return_index=True)
        cand = rows[passing][first]
        fresh = self.rep[uniq] < 0
        self.rep[uniq[fresh]] = cand[fresh]
        rep = self.rep[cl]
        anchor = np.where((rep >= 0) & (rep < rows), rep, cl)
        dup = (rows != rep) & (rows != cl)
        kind = np.where(dup, np.where(self.exact[offset : offset + n] == self.exact[anchor], "exact", "near"), "")
        return pl.Series("dup_kind", kind, dtype=pl.Utf8).replace("", None)


# ---------------------------------------------------------------- the filter


class DedupPass:
    """One dedup pass over the whole input: the clusters of every question, and (with ``dedup`` on) the
    ``DuplicateResolver`` that decides each batch's ``dup_kind`` in input order."""

    def __init__(self, groups: pl.DataFrame, on: bool):
        self.cluster_ids = groups[CLUSTER_ID_COL]
        self.counts = {"clusters": self.cluster_ids.n_unique()}
        self.resolver = DuplicateResolver(groups["cluster_row"].to_numpy(), groups["exact_row"].to_numpy()) if on else None

    def resolve(self, batch: pl.DataFrame, offset: int, dropped: pl.Series) -> pl.DataFrame:
        n = batch.height
        if self.resolver is not None:
            kind = self.resolver.resolve(offset, dropped.fill_null(False).to_numpy())
        else:
            kind = pl.Series(DUP_KIND_COL, [None] * n, dtype=pl.Utf8)
        return batch.with_columns(self.cluster_ids.slice(offset, n), kind)


class DedupFilter(GlobalFilter):
    """Exact + MinHash near-duplicate questions. Needs every row and runs after every other filter: a cluster
    keeps its first row (input order) that no other filter drops (see the module docstring).  ``filter_frame``
    clusters the batch it is given; ``run_filter_stage`` clusters the whole question column once (``fit``) and
    resolves the batches in order."""

    name = "dedup"
    reasons = {
        "duplicate": "the question, normalized, equals that of an earlier row of its cluster (the row kept, or the cluster's first)",
        "near_duplicate": ("the question is a near-duplicate (MinHash Jaccard of word shingles >= near_dup_threshold) "
                           "of an earlier row of its cluster (the row kept, or the cluster's first)"),
    }
    settings = {"duplicate": ("dedup",), "near_duplicate": ("dedup",)}
    columns = (CLUSTER_ID_COL, DUP_KIND_COL)
    needs = (QUESTION, ID)
    may_need = (CONTEXT,)

    def fit(self, rows: pl.DataFrame, cfg: FilterConfig) -> DedupPass:
        """Cluster the questions of every row (``id``: the cluster ids); rows made from conversations (a ``context``
        column) are clustered on the whole conversation up to the target, not on the last user turn alone."""
        rows, question = with_dialogue_text(rows)
        groups = cluster_frame(rows, question, cfg.near_dup_threshold, cfg.minhash_num_perm, cfg.shingle_size,
                               cfg.minhash_seed, near=cfg.dedup)
        return DedupPass(groups, cfg.dedup)

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        if not cfg.dedup:
            return []
        return [("duplicate", pl.col(DUP_KIND_COL) == "exact"), ("near_duplicate", pl.col(DUP_KIND_COL) == "near")]
