"""Cues alone vs a small learned hostility model, on the development split only (5-fold cross-validation).

The learned model: scikit-learn logistic regression (balanced classes) over binary word 1-2-grams (min_df 2) plus
the counts of each ``filters.hostility`` cue, fitted on 4 folds and scored on the fifth; "hostile" at p >= 0.5.
The cues: ``filters.hostility`` as shipped (hostile at ``hostility >= HOSTILE``), no fitting.

Read with care: the cues were extended after a first measurement on this same split, so their figures here are
in-sample; the learned model's are out-of-fold.  The decision for cues was taken on the first measurement
(untuned cues vs the cross-validated model); the held-out split (benchmarks/tone_quality.py) is the fair test.
scikit-learn is not a dependency of the product: this script needs it installed (it is, with sentence-transformers).

    python benchmarks/hostility_cues_vs_learned.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _scores(pred: np.ndarray, y: np.ndarray, labels: np.ndarray) -> dict:
    tp = int((pred & y).sum())
    return {"precision": round(tp / max(int(pred.sum()), 1), 4), "recall": round(tp / max(int(y.sum()), 1), 4),
            "prescriptive_flagged": round(float(pred[labels == "prescriptive"].mean()), 4),
            "supportive_flagged": round(float(pred[labels == "supportive"].mean()), 4)}


def main() -> None:
    try:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
    except ImportError as e:
        raise SystemExit(f"error: this comparison needs scikit-learn and scipy ({e})")
    from filters import hostility as H
    from tone_quality import load

    rows = load("dev")
    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows])
    y = labels == "hostile"
    names = [c.name for c in H.ORDERED]
    counts = np.zeros((len(texts), len(names)))
    for i, t in enumerate(texts):
        for h in H.explain(t)["cues"]:
            counts[i, names.index(h["cue"])] += 1
    cues = csr_matrix(counts)
    prob = np.zeros(len(texts))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels):
        vec = CountVectorizer(ngram_range=(1, 2), min_df=2, binary=True, token_pattern=r"[a-z']+")
        a = hstack([vec.fit_transform([texts[i].lower() for i in train]), cues[train] * 2]).tocsr()
        b = hstack([vec.transform([texts[i].lower() for i in test]), cues[test] * 2]).tocsr()
        model = LogisticRegression(C=1.0, solver="liblinear", class_weight="balanced").fit(a, y[train])
        prob[test] = model.predict_proba(b)[:, 1]
    print(json.dumps({"measurement": "hostility_learned_cv", "split": "dev", "rows": len(texts),
                      "model": "logistic regression, word 1-2-grams + cue counts, 5-fold",
                      **_scores(prob >= 0.5, y, labels)}), flush=True)
    shipped = np.array(H.hostility_scores(texts)) >= H.HOSTILE
    print(json.dumps({"measurement": "hostility_cues", "split": "dev", "rows": len(texts), "in_sample": True,
                      **_scores(shipped, y, labels)}), flush=True)


if __name__ == "__main__":
    main()
