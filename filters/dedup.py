"""Dedup: exact and near-duplicate questions (MinHash + LSH banding), one ``cluster_id`` per group.

* exact: questions equal after NFKC-free normalization (lower case, punctuation stripped, whitespace collapsed).
* near: MinHash signatures of word n-gram shingles, computed for the whole column at once with numpy using
  datasketch's own permutations and its default ``affine32`` scheme (``tests/filters/test_dedup.py`` checks
  that the signatures equal ``datasketch.MinHash.update_batch``); candidates come from LSH banding with the
  band / row split datasketch's ``MinHashLSH`` would choose for the threshold, and a candidate joins a
  cluster only if its estimated Jaccard similarity reaches the threshold.  Clusters are the connected
  components (scipy).  The first row of each cluster (input order) is kept; ``cluster_id`` is a stable hash of
  that row's normalized question, so the publish stage can split train / test by it without leakage.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

_MASK32 = np.uint64(0xFFFFFFFF)
_CHUNK = 100_000


def normalized_question_expr(col: str) -> pl.Expr:
    return (
        pl.col(col).fill_null("").str.to_lowercase().str.replace_all(r"[’‘]", "'")
        .str.replace_all(r"[^\w\s]", " ").str.replace_all(r"\s+", " ").str.strip_chars()
    )


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


def dedup_frame(df: pl.DataFrame, question_col: str, threshold: float = 0.8, num_perm: int = 128,
                shingle_size: int = 2, seed: int = 1, near: bool = True, id_col: str = "id") -> pl.DataFrame:
    """``cluster_id`` (str), ``duplicate_of`` (row index of the kept row or null), ``dup_kind`` (exact / near / null).

    ``cluster_id`` is the ``id`` of the cluster's kept row when the frame has an ``id`` column (the content hash
    of the pair schema: stable across runs), else a SHA-1 of its normalized question.  Memory: 2 bytes per
    permutation per distinct question (16-bit signature slices for verification) plus one u64 per LSH band.
    """
    n = df.height
    norm = df.select(normalized_question_expr(question_col).alias("q"))["q"]
    # exact: first occurrence of each normalized question
    exact_first = (
        pl.DataFrame({"q": norm, "i": pl.int_range(0, n, eager=True)})
        .select(pl.col("i").min().over("q"))["i"].to_numpy()
    )
    parent = exact_first
    kind = np.where(exact_first != np.arange(n), "exact", "")
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
        # representative of each component = smallest row index
        comp_first = pl.DataFrame({"l": labels, "r": reps}).select(pl.col("r").min().over("l"))["r"].to_numpy()
        near_parent = np.empty(n, dtype=np.int64)
        near_parent[reps] = comp_first
        new_parent = near_parent[exact_first]
        kind = np.where((new_parent != np.arange(n)) & (kind == ""), "near", kind)
        parent = new_parent
    if id_col in df.columns and df[id_col].null_count() == 0:
        ids = df[id_col].cast(pl.Utf8).gather(parent)
    else:
        keys_q = norm.gather(parent)
        uniq = keys_q.unique().to_list()
        cmap = {q: "c" + hashlib.sha1(q.encode("utf-8")).hexdigest()[:15] for q in uniq}
        ids = keys_q.replace_strict(cmap, return_dtype=pl.Utf8)
    dup_of = pl.Series(np.where(parent != np.arange(n), parent, -1)).replace(-1, None)
    return pl.DataFrame({"cluster_id": ids.alias("cluster_id"), "duplicate_of": dup_of, "dup_kind": pl.Series(kind).replace("", None)})
