"""Quality of the tone and hostility judges on a labeled split, with the baseline measured in the same run.

Splits (JSONL rows ``{"text", "label": supportive|prescriptive|hostile|neutral, ...}``):

* ``dev`` -- ``filters/data/tone_labeled.jsonl`` + every ``filters/data/labeled/tone_dev*.jsonl``: the
  development pool (the learned part of the judge is trained and chosen by cross-validation over it:
  benchmarks/hostility_cv.py).
* ``heldout`` (default) -- every ``filters/data/labeled/tone_heldout*.jsonl``, written independently and never used
  for tuning.

Systems:

* ``current`` -- ``filters.hostility`` (hostile at ``hostility >= HOSTILE``; cues + the shipped n-gram model) and
  ``filters.tone`` with its hostility cap and list handling.
* ``cues`` -- the same with the n-gram model off (the hand-written cues alone).
* ``baseline`` -- the tone score without hostility and list handling (``tone_frame(..., hostility=False,
  lists=False)``); as a hostility detector it can only say "tone below the neutral band".

One JSON line per measurement:

* ``hostility``: precision and recall of "hostile" vs every other kind (goal >= 0.95 each) and the share of
  prescriptive texts flagged hostile (goal <= 0.03);
* ``tone_hostile``: share of hostile texts whose tone is supportive or neutral (``tone >= -NEUTRAL``; goal 0);
* ``tone_ranking``: for each other kind, the share of (supportive, other) pairs of the split where the
  supportive text has the higher tone (ties count one half; goal >= 0.97 each);
* ``goals``: whether the current system meets every goal, and the ratio current / baseline.

``--file PATH`` scores any labeled JSONL file instead of a split.

``--lang es``: the Spanish judges (``filters._tone_es``: the Spanish cues of ``filters._tone_cues_es``) on the
Spanish splits -- ``dev`` = ``filters/data/labeled/tone_es_dev.jsonl`` (the cues were tuned on it), ``heldout`` =
every ``filters/data/labeled/tone_es_heldout*.jsonl`` (``tone_es_heldout.jsonl`` written before any Spanish cue by
the cues' author, ``tone_es_heldout2.jsonl`` by an independent author with only the labeling guide; never tuned on).  Systems:
``current`` (the Spanish judges) and ``baseline`` (the English judges on the same Spanish texts: what a Spanish row
got before).  Goals for Spanish: hostility precision and recall >= 0.9, supportive ranked above prescriptive >= 0.95.

    python benchmarks/tone_quality.py --lang es --split dev
    python benchmarks/tone_quality.py --lang es    # held-out

    python benchmarks/tone_quality.py --split dev
    python benchmarks/tone_quality.py --file filters/data/labeled/tone_dev_extra.jsonl
    python benchmarks/tone_quality.py              # held-out
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "filters" / "data"
SPLITS = {
    "dev": [DATA / "tone_labeled.jsonl", *sorted((DATA / "labeled").glob("tone_dev*.jsonl"))],
    "heldout": sorted((DATA / "labeled").glob("tone_heldout*.jsonl")),
}
SPLITS_ES = {
    "dev": [DATA / "labeled" / "tone_es_dev.jsonl"],
    "heldout": sorted((DATA / "labeled").glob("tone_es_heldout*.jsonl")),
}
GOALS_ES = {"precision": 0.9, "recall": 0.9, "prescriptive_flagged": 0.03, "hostile_supportive_or_neutral": 0.0,
            "ranking": 0.95}
KINDS = ("supportive", "prescriptive", "hostile", "neutral")
GOALS = {"precision": 0.95, "recall": 0.95, "prescriptive_flagged": 0.03, "hostile_supportive_or_neutral": 0.0,
         "ranking": 0.97}


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load(split: str | None = None, files: list[Path] | None = None, lang: str = "en") -> list[dict]:
    """The labeled rows of a split (or of ``files``); each row gets ``_file``, the file it came from."""
    rows = []
    for path in (files if files is not None else (SPLITS_ES if lang == "es" else SPLITS)[split]):
        if not path.exists() or not path.is_file():
            raise SystemExit(f"error: {_shown(path)}: no such file" + (f" (split {split!r})" if files is None else ""))
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"error: {_shown(path)}:{i}: not JSON ({e.msg})")
            if not isinstance(r, dict) or r.get("label") not in KINDS or not isinstance(r.get("text"), str):
                raise SystemExit(f"error: {_shown(path)}:{i}: needs a text and a label in {KINDS}")
            r["_file"] = path.name
            rows.append(r)
    return rows


def _rank(sup: np.ndarray, other: np.ndarray) -> float | None:
    if not len(sup) or not len(other):
        return None
    d = sup[:, None] - other[None, :]
    return float(((d > 0).sum() + 0.5 * (d == 0).sum()) / d.size)


def measure(rows: list[dict], system: str, lang: str = "en") -> dict:
    """``lang == "es"``: ``current`` is the Spanish judges, ``baseline`` the English ones on the same texts."""
    from filters import tone
    from filters.hostility import HOSTILE, hostility_scores

    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows])
    t0 = time.perf_counter()
    english = "current" if lang == "es" and system == "baseline" else system
    if lang == "es" and system == "current":
        import polars as pl

        from filters._tone_es import tone_hostility
        from filters.hostility import squash

        tones, _, h_raw = tone_hostility(pl.Series(texts, dtype=pl.Utf8))
        flagged = squash(h_raw) >= HOSTILE
    elif english in ("current", "cues"):
        import polars as pl

        from filters.hostility import raw_series

        df = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
        raw = raw_series(df, "t", learned=english == "current").to_numpy()
        tones = np.array(tone.tone_frame(df, "t", hostile_raw=raw)["tone_t"].to_list(), dtype=float)
        flagged = np.array(hostility_scores(texts, learned=english == "current"), dtype=float) >= HOSTILE
    else:
        tones = np.array(tone.tone_scores(texts, hostility=False, lists=False), dtype=float)
        flagged = tones < -tone.NEUTRAL
    seconds = time.perf_counter() - t0
    hostile = labels == "hostile"
    tp = int((flagged & hostile).sum())
    out = {
        "precision": tp / int(flagged.sum()) if flagged.any() else None,
        "recall": tp / int(hostile.sum()) if hostile.any() else None,
        "prescriptive_flagged": float(flagged[labels == "prescriptive"].mean()) if (labels == "prescriptive").any() else None,
        "hostile_supportive_or_neutral": float((tones[hostile] >= -tone.NEUTRAL).mean()) if hostile.any() else None,
        "ranking": {k: _rank(tones[labels == "supportive"], tones[labels == k]) for k in KINDS if k != "supportive"},
        "seconds": round(seconds, 3),
        "_flagged": flagged, "_tones": tones,
    }
    return out


def _r(x):
    return None if x is None else round(x, 4)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=sorted(SPLITS), default="heldout", help="labeled split (default: heldout)")
    ap.add_argument("--file", type=Path, default=None,
                    help="score this labeled JSONL file instead of a split (reported as split 'file:NAME')")
    ap.add_argument("--show-errors", action="store_true", help="dev only: print each misjudged text to stderr")
    ap.add_argument("--lang", choices=("en", "es"), default="en",
                    help="en (default) or es: the Spanish judges on the Spanish splits, the English judges as baseline")
    args = ap.parse_args(argv)
    heldout = {p.resolve() for p in SPLITS["heldout"] + SPLITS_ES["heldout"]}
    if args.file is not None and args.file.resolve() in heldout and args.show_errors:
        raise SystemExit("error: --show-errors is not for the held-out file (the held-out texts are not for tuning)")
    if args.show_errors and args.file is None and args.split != "dev":
        raise SystemExit("error: --show-errors is for the dev split only (the held-out texts are not for tuning)")
    rows = load(files=[args.file]) if args.file is not None else load(args.split, lang=args.lang)
    goals = GOALS_ES if args.lang == "es" else GOALS
    systems = ("current", "baseline") if args.lang == "es" else ("current", "cues", "baseline")
    if args.file is not None:
        args.split = f"file:{args.file.name}"
    counts = {k: sum(r["label"] == k for r in rows) for k in KINDS}
    print(json.dumps({"measurement": "data", "split": args.split, "lang": args.lang, "rows": len(rows), **counts}), flush=True)
    res = {s: measure(rows, s, args.lang) for s in systems}
    GOALS_RUN = goals
    for s, m in res.items():
        print(json.dumps({"measurement": "hostility", "split": args.split, "lang": args.lang, "system": s, "precision": _r(m["precision"]),
                          "recall": _r(m["recall"]), "prescriptive_flagged": _r(m["prescriptive_flagged"]),
                          "goal_precision": GOALS_RUN["precision"], "goal_recall": GOALS_RUN["recall"],
                          "goal_prescriptive_flagged": GOALS_RUN["prescriptive_flagged"]}), flush=True)
        print(json.dumps({"measurement": "tone_hostile", "split": args.split, "lang": args.lang, "system": s,
                          "hostile_supportive_or_neutral": _r(m["hostile_supportive_or_neutral"]),
                          "goal": GOALS_RUN["hostile_supportive_or_neutral"]}), flush=True)
        print(json.dumps({"measurement": "tone_ranking", "split": args.split, "lang": args.lang, "system": s,
                          **{f"supportive_above_{k}": _r(v) for k, v in m["ranking"].items()},
                          "goal": GOALS_RUN["ranking"], "seconds": m["seconds"]}), flush=True)
    files = sorted({r["_file"] for r in rows})
    if len(files) > 1:  # each author's file on its own too: a pooled figure can hide one author's misses
        for name in files:
            m = measure([r for r in rows if r["_file"] == name], "current", args.lang)
            print(json.dumps({"measurement": "per_file", "split": args.split, "file": name, "system": "current",
                              "precision": _r(m["precision"]), "recall": _r(m["recall"]),
                              "prescriptive_flagged": _r(m["prescriptive_flagged"]),
                              "hostile_supportive_or_neutral": _r(m["hostile_supportive_or_neutral"]),
                              **{f"supportive_above_{k}": _r(v) for k, v in m["ranking"].items()}}), flush=True)
    cur, base = res["current"], res["baseline"]
    met = {
        "precision": cur["precision"] is not None and cur["precision"] >= GOALS_RUN["precision"],
        "recall": cur["recall"] is not None and cur["recall"] >= GOALS_RUN["recall"],
        "prescriptive_flagged": cur["prescriptive_flagged"] is not None and cur["prescriptive_flagged"] <= GOALS_RUN["prescriptive_flagged"],
        "hostile_supportive_or_neutral": cur["hostile_supportive_or_neutral"] is not None
        and cur["hostile_supportive_or_neutral"] <= GOALS_RUN["hostile_supportive_or_neutral"],
        **{f"ranking_{k}": v is not None and v >= GOALS_RUN["ranking"] for k, v in cur["ranking"].items()},
    }
    ratio = {f"ranking_{k}": _r(v / base["ranking"][k]) if v is not None and base["ranking"][k] else None
             for k, v in cur["ranking"].items()}
    ratio["recall"] = _r(cur["recall"] / base["recall"]) if cur["recall"] is not None and base["recall"] else None
    ratio["precision"] = _r(cur["precision"] / base["precision"]) if cur["precision"] is not None and base["precision"] else None
    print(json.dumps({"measurement": "goals", "split": args.split, "lang": args.lang, "all_met": all(met.values()), "met": met,
                      "current_over_baseline": ratio}), flush=True)
    if args.show_errors:
        from filters import tone

        for i, r in enumerate(rows):
            h, t = bool(cur["_flagged"][i]), float(cur["_tones"][i])
            wrong = (h != (r["label"] == "hostile")) or (r["label"] == "hostile" and t >= -tone.NEUTRAL) \
                or (r["label"] == "supportive" and t <= tone.NEUTRAL)
            if wrong:
                print(f"[{r['label']}/{r.get('style')}] hostile={h} tone={t:+.2f}: {r['text']}", file=sys.stderr)


if __name__ == "__main__":
    main()
