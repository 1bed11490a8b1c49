"""Quality of the fact-preservation check against hand-labeled rewrites, with a baseline measured in the same run.

Each line of ``filters/data/labeled/facts_<split>*.jsonl`` (every file of the split: ``facts_dev*.jsonl``,
``facts_heldout*.jsonl``) is ``{"source", "text", "lost", "added", "note"}``:
``lost`` / ``added`` are spans copied from source / text, one atomic fact each.  Every labeled span is
canonicalized with ``filters.facts.canonical`` (a span it cannot read keeps its lower-cased text, so it can only
count as a miss) and compared, as a set per line, with ``facts_diff(source, text)``.

Printed, one JSON line each: micro precision / recall of ``facts_lost`` and of ``facts_added`` and the number of
lines with a wrong answer, for the extractor (``system="facts"``) and for the same extractor without its
not-a-fact rules (``system="baseline_without_not_fact_rules"``: list markers, phone numbers, web addresses,
organization names, non-dosing "daily", idioms) and a naive diff of digit runs and lexicon words
(``system="baseline_naive_digits_and_lexicon"``), then the ratio of the extractor to the first baseline.  ``--show-errors`` lists the lines the
extractor gets wrong (development files only: it refuses the held-out split and the held-out file, however it is
named; the held-out lines are not for looking at).  ``--file PATH`` scores any labeled file instead of a split and is
reported as split ``"file:NAME"``.

    python benchmarks/fact_quality.py --split dev --show-errors
    python benchmarks/fact_quality.py --file filters/data/labeled/facts_dev3.jsonl --show-errors
    python benchmarks/fact_quality.py            # held-out
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELED = ROOT / "filters" / "data" / "labeled"
HELDOUT = "facts_heldout"  # every file whose name starts so is held out


def split_files(split: str) -> list[Path]:
    return sorted(LABELED.glob(f"facts_{split}*.jsonl"), key=lambda p: (len(p.name), p.name))
KEYS = ("source", "text", "lost", "added")


def emit(**kv) -> None:
    print(json.dumps(kv), flush=True)


def load(path: Path) -> list[dict]:
    rows = []
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{i}: not JSON ({e.msg})") from None
        if not isinstance(row, dict) or any(k not in row for k in KEYS):
            raise ValueError(f"{path}:{i}: needs the keys {', '.join(KEYS)}")
        if not all(isinstance(row[k], str) for k in ("source", "text")) or not all(
                isinstance(row[k], list) and all(isinstance(s, str) for s in row[k]) for k in ("lost", "added")):
            raise ValueError(f"{path}:{i}: source / text must be strings, lost / added lists of strings")
        rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no labeled lines")
    return rows


def gold(spans: list[str]) -> set[str]:
    from filters.facts import SEP, canonical

    out = set()
    for span in spans:
        c = canonical(span.strip())
        # a span that holds two facts ("1 in 4") counts as both, as the extractor reports them
        out.update(c.split(SEP) if c else [span.strip().lower()])  # an unreadable (or ignored) span: a sure miss
    return out


def naive_diff(source: str, text: str) -> tuple[list[str], list[str]]:
    """A digits-and-lexicon-words diff: every run of digits, every lexicon name (canonical), nothing else."""
    import re

    from filters.facts import lexicon

    lex = {**lexicon()["condition"], **lexicon()["drug"]}
    names = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(lex, key=len, reverse=True)) + r")\b")

    def facts(t: str) -> set[str]:
        t = t.lower().replace("’", "'")
        return set(re.findall(r"\d+(?:\.\d+)?", t.replace(",", ""))) | {lex[m] for m in names.findall(t)}

    fs, ft = facts(source), facts(text)
    return sorted(fs - ft), sorted(ft - fs)


def predict(rows: list[dict], system: str) -> list[tuple[list[str], list[str]]]:
    """``(lost, added)`` per line; the extractor reads all sources and all texts in one batch each, as the filter
    stage does (the same result as ``facts_diff`` line by line)."""
    import polars as pl

    from filters.facts import facts_series

    if system == "naive":
        return [naive_diff(r["source"], r["text"]) for r in rows]
    not_facts = system == "facts"
    src = facts_series(pl.Series([r["source"] for r in rows], dtype=pl.Utf8), not_facts=not_facts).to_list()
    txt = facts_series(pl.Series([r["text"] for r in rows], dtype=pl.Utf8), not_facts=not_facts).to_list()
    return [(sorted(set(a) - set(b)), sorted(set(b) - set(a))) for a, b in zip(src, txt)]


def score(rows: list[dict], system: str) -> tuple[dict, list[dict]]:
    tp = {"lost": 0, "added": 0}
    fp = dict(tp)
    fn = dict(tp)
    wrong = []
    for row, (pred_lost, pred_added) in zip(rows, predict(rows, system)):
        pred = {"lost": set(pred_lost), "added": set(pred_added)}
        want = {"lost": gold(row["lost"]), "added": gold(row["added"])}
        for k in tp:
            tp[k] += len(pred[k] & want[k])
            fp[k] += len(pred[k] - want[k])
            fn[k] += len(want[k] - pred[k])
        if pred != want:
            wrong.append({"row": row, "pred": pred, "want": want})

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 1.0

    metrics = {}
    for k in tp:
        metrics[f"{k}_precision"] = ratio(tp[k], tp[k] + fp[k])
        metrics[f"{k}_recall"] = ratio(tp[k], tp[k] + fn[k])
        metrics[f"{k}_labeled"] = tp[k] + fn[k]
    metrics["lines"] = len(rows)
    metrics["wrong_lines"] = len(wrong)
    return metrics, wrong


def is_heldout(path: Path) -> bool:
    """Whether ``path`` is a held-out file (by name, or the same file as one by any path: a link, a copy's name)."""
    if path.name.startswith(HELDOUT):
        return True
    try:
        return path.exists() and any(path.samefile(h) for h in split_files("heldout"))
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "heldout"], default="heldout")
    ap.add_argument("--file", type=Path, default=None,
                    help="a labeled JSONL file instead of the split's (reported as split 'file:NAME')")
    ap.add_argument("--show-errors", action="store_true", help="list the lines the extractor gets wrong (dev only)")
    args = ap.parse_args(argv)
    paths = [args.file] if args.file else split_files(args.split)
    if args.show_errors and (any(is_heldout(p) for p in paths) or (args.split == "heldout" and args.file is None)):
        print("error: --show-errors lists development lines only, never the held-out file's (pass --split dev or "
              "a development --file)", file=sys.stderr)
        return 2
    if not paths:
        print(f"error: no facts_{args.split}*.jsonl in {LABELED}", file=sys.stderr)
        return 2
    try:
        per_file = [(p, load(p)) for p in paths]
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rows = [r for _, rs in per_file for r in rs]

    def shown(p: Path) -> str:
        return str(p.resolve().relative_to(ROOT)) if p.resolve().is_relative_to(ROOT) else str(p)

    label = ",".join(shown(p) for p in paths)
    split = f"file:{args.file.name}" if args.file is not None else args.split
    ours, wrong = score(rows, "facts")
    base, _ = score(rows, "without_rules")
    naive, _ = score(rows, "naive")
    emit(measurement="fact_quality", split=split, file=label, system="facts", **ours)
    emit(measurement="fact_quality", split=split, file=label, system="baseline_without_not_fact_rules", **base)
    emit(measurement="fact_quality", split=split, file=label, system="baseline_naive_digits_and_lexicon", **naive)
    emit(measurement="fact_quality_vs_baseline", split=split,
         **{f"{k}_ratio": round(ours[k] / base[k], 3) if base[k] else None
            for k in ("lost_precision", "lost_recall", "added_precision", "added_recall")},
         wrong_lines=ours["wrong_lines"], wrong_lines_baseline=base["wrong_lines"], goal=0.95)
    if len(per_file) > 1:  # each author's file on its own too
        for p, rs in per_file:
            emit(measurement="fact_quality_per_file", split=split, file=shown(p), system="facts", **score(rs, "facts")[0])
    if args.show_errors:
        for w in wrong:
            r = w["row"]
            emit(error={"source": r["source"], "text": r["text"], "note": r.get("note", ""),
                        "lost_pred": sorted(w["pred"]["lost"]), "lost_gold": sorted(w["want"]["lost"]),
                        "added_pred": sorted(w["pred"]["added"]), "added_gold": sorted(w["want"]["added"])})
    return 0


if __name__ == "__main__":
    sys.exit(main())
