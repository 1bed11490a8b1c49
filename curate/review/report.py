"""``review_report.md``: what the reviewers decided, how much they agreed, what changed."""

from __future__ import annotations

import polars as pl

from curate.core import schema as S


# below this many pairs rated by two or more annotators, agreement statistics are too noisy to read as more than a hint
SMALL_SAMPLE = 30


def _fmt(x) -> str:
    return "n/a" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _with_n(x, n) -> str:
    return "n/a" if x is None else f"{_fmt(x)} (n = {n})"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 pair``, ``2 pairs``; ``plural(1, "answer was", "answers were")``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _short(text: str | None, n: int = 90) -> str:
    t = " ".join((text or "").split()).replace("|", "\\|")
    return t if len(t) <= n else t[: n - 1] + "…"


def render(table: pl.DataFrame, summary: dict, dataset: str, workspace: str) -> str:
    c = summary["counts"]
    lines = [f"# Review report: `{dataset}` (workspace `{workspace}`)", "",
             f"{plural(c['pairs'], 'pair')} ({plural(c['records_in_dataset'], 'record')} in the dataset): "
             f"**{c['accepted']} accepted**, {c['dropped']} dropped, {c['disputed']} disputed, {c['pending']} pending "
             f"(not yet reviewed by enough annotators). {plural(c['corrected'], 'supportive answer was', 'supportive answers were')} "
             f"corrected by a reviewer and {c['rescored']} re-scored by the filters.", "",
             "## Decisions", "", "| review_status | pairs |", "|---|---:|"]
    lines += [f"| {s} | {c[s]} |" for s in S.REVIEW_STATUSES]
    lines += ["", "## Drops by reason", ""]
    if c["drops_by_reason"]:
        lines += ["| reason | pairs |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(c["drops_by_reason"].items(), key=lambda kv: -kv[1])]
    else:
        lines.append("None.")
    lines += ["", "## Agreement", "",
              "Computed on the pairs with at least two submitted responses; labels are in pair space "
              "(supportive / prescriptive / tie / both_unacceptable), so the A/B order does not matter. "
              "n = the pairs each statistic used.", "",
              "| question | annotators | pairs rated by ≥ 2 | % agreement | Krippendorff's alpha | Fleiss' kappa | Cohen's kappa |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    small = []
    for q, a in summary["agreement"].items():
        n = a["items_with_2plus_ratings"]
        cohen = _with_n(a.get("cohen_kappa"), a.get("cohen_items")) if "cohen_kappa" in a else "n/a (not 2 annotators)"
        lines.append(f"| {q} | {a['annotators']} | {n} | {_pct(a['percent_agreement'])} | "
                     f"{_with_n(a['krippendorff_alpha'], n)} | {_with_n(a['fleiss_kappa'], a.get('fleiss_items'))} | {cohen} |")
        if 0 < n < SMALL_SAMPLE:
            small.append(f"{q} (n = {n})")
    if small:
        lines += ["", f"**Small sample:** agreement for {', '.join(small)} rests on fewer than {SMALL_SAMPLE} pairs "
                      "rated by two or more annotators; at this size kappa and alpha have wide confidence intervals "
                      "(one disagreement more or less moves them a lot), so read them as a rough hint, not an estimate."]
    lines += ["", "## Annotators", "", "| annotator | records submitted |", "|---|---:|"]
    lines += [f"| {u} | {n} |" for u, n in summary["submitted_by_annotator"].items()] or ["| (none) | 0 |"]
    corrected = table.filter(pl.col(S.REVIEW_CORRECTED))
    if corrected.height:
        lines += ["", "## Corrections", "", "| id | status | original chosen | corrected chosen |", "|---|---|---|---|"]
        for row in corrected.select(S.ID, S.REVIEW_STATUS, S.CHOSEN_ORIGINAL, S.CHOSEN).iter_rows():
            lines.append(f"| {row[0]} | {row[1]} | {_short(row[2])} | {_short(row[3])} |")
    disputed = table.filter(pl.col(S.REVIEW_STATUS) == S.DISPUTED)
    if disputed.height:
        lines += ["", "## Disputed (no majority; review again)", "", "| id | votes | question |", "|---|---|---|"]
        lines += [f"| {r[0]} | {r[1]} | {_short(r[2])} |" for r in disputed.select(S.ID, S.REVIEW_VOTES, S.QUESTION).iter_rows()]
    notes = table.filter(pl.col(S.REVIEW_NOTES).list.len() > 0)
    if notes.height:
        lines += ["", "## Reviewer notes", ""]
        for pid, ns in notes.select(S.ID, S.REVIEW_NOTES).iter_rows():
            lines += [f"- `{pid}`: {_short(n, 200)}" for n in ns]
    return "\n".join(lines) + "\n"
