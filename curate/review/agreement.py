"""Inter-annotator agreement on nominal labels: Krippendorff's alpha, Fleiss' kappa, Cohen's kappa.

Input everywhere: ``ratings`` = one dict per item, ``{annotator: label}`` (an annotator who did not rate an item
is simply absent).  Items with fewer than two ratings carry no agreement information and are skipped.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np


def krippendorff_alpha(ratings: list[dict]) -> float | None:
    """Krippendorff's alpha (nominal), any number of raters, missing ratings allowed. None if undefined."""
    units = [list(r.values()) for r in ratings if len(r) >= 2]
    if not units:
        return None
    labels = sorted({v for u in units for v in u}, key=str)
    idx = {lab: i for i, lab in enumerate(labels)}
    o = np.zeros((len(labels), len(labels)))  # coincidence matrix
    for u in units:
        m = len(u)
        counts = Counter(u)
        for a, na in counts.items():
            for b, nb in counts.items():
                pairs = na * (nb - 1) if a == b else na * nb
                o[idx[a], idx[b]] += pairs / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = o.sum() - np.trace(o)
    d_e = (n * n - (n_c ** 2).sum()) / (n - 1)
    if d_e == 0:
        return 1.0 if d_o == 0 else None
    return float(1.0 - d_o / d_e)


def fleiss_kappa(ratings: list[dict]) -> tuple[float | None, int]:
    """Fleiss' kappa over the items rated by the most common number (>= 2) of raters; returns (kappa, items used)."""
    sizes = Counter(len(r) for r in ratings if len(r) >= 2)
    if not sizes:
        return None, 0
    n_raters = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    units = [list(r.values()) for r in ratings if len(r) == n_raters]
    labels = sorted({v for u in units for v in u}, key=str)
    table = np.array([[Counter(u)[lab] for lab in labels] for u in units], dtype=float)
    n_items = table.shape[0]
    p_j = table.sum(axis=0) / (n_items * n_raters)
    p_i = ((table ** 2).sum(axis=1) - n_raters) / (n_raters * (n_raters - 1))
    p_bar, p_e = p_i.mean(), (p_j ** 2).sum()
    if p_e == 1:
        return (1.0 if p_bar == 1 else None), n_items
    return float((p_bar - p_e) / (1 - p_e)), n_items


def cohen_kappa(ratings: list[dict], a: str, b: str) -> tuple[float | None, int]:
    """Cohen's kappa between annotators ``a`` and ``b`` over the items both rated; returns (kappa, items used)."""
    both = [(r[a], r[b]) for r in ratings if a in r and b in r]
    if not both:
        return None, 0
    n = len(both)
    p_o = sum(x == y for x, y in both) / n
    ca, cb = Counter(x for x, _ in both), Counter(y for _, y in both)
    p_e = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if p_e == 1:
        return (1.0 if p_o == 1 else None), n
    return float((p_o - p_e) / (1 - p_e)), n


def percent_agreement(ratings: list[dict]) -> float | None:
    """Share of annotator pairs (within an item) that gave the same label."""
    agree = total = 0
    for r in ratings:
        for x, y in combinations(r.values(), 2):
            total += 1
            agree += x == y
    return agree / total if total else None


def agreement_summary(ratings: list[dict]) -> dict:
    """Every statistic that applies: alpha always, Fleiss for >= 2 raters per item, Cohen when exactly 2 annotators."""
    annotators = sorted({a for r in ratings for a in r})
    multi = [r for r in ratings if len(r) >= 2]
    out: dict = {"annotators": len(annotators), "items_with_2plus_ratings": len(multi),
                 "percent_agreement": _round(percent_agreement(multi)),
                 "krippendorff_alpha": _round(krippendorff_alpha(multi))}
    kappa, used = fleiss_kappa(multi)
    out["fleiss_kappa"], out["fleiss_items"] = _round(kappa), used
    if len(annotators) == 2:
        kappa, used = cohen_kappa(multi, *annotators)
        out["cohen_kappa"], out["cohen_items"] = _round(kappa), used
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
