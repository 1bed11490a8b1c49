"""``review_report.md``: what the reviewers decided, how much they agreed, what changed."""

from __future__ import annotations

import polars as pl

from curate import schema as S


def _fmt(x) -> str:
    return "n/a" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))


def _short(text: str | None, n: int = 90) -> str:
    t = " ".join((text or "").split()).replace("|", "\\|")
    return t if len(t) <= n else t[: n - 1] + "…"


def render(table: pl.DataFrame, summary: dict, dataset: str, workspace: str) -> str:
    c = summary["counts"]
    lines = [f"# Review report: `{dataset}` (workspace `{workspace}`)", "",
             f"{c['pairs']} pairs ({c['records_in_dataset']} records in the dataset): "
             f"**{c['accepted']} accepted**, {c['dropped']} dropped, {c['disputed']} disputed, {c['pending']} pending "
             f"(not yet reviewed by enough annotators). {c['corrected']} supportive answers were corrected by a "
             f"reviewer and {c['rescored']} re-scored by the filters.", "",
             "## Decisions", "", "| review_status | pairs |", "|---|---:|"]
    lines += [f"| {s} | {c[s]} |" for s in ("accepted", "dropped", "disputed", "pending")]
    lines += ["", "## Drops by reason", ""]
    if c["drops_by_reason"]:
        lines += ["| reason | pairs |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(c["drops_by_reason"].items(), key=lambda kv: -kv[1])]
    else:
        lines.append("None.")
    lines += ["", "## Agreement", "",
              "Computed on the pairs with at least two submitted responses; labels are in pair space "
              "(supportive / prescriptive / tie / both_unacceptable), so the A/B order does not matter.", "",
              "| question | annotators | items | % agreement | Krippendorff's alpha | Fleiss' kappa | Cohen's kappa |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for q, a in summary["agreement"].items():
        lines.append(f"| {q} | {a['annotators']} | {a['items_with_2plus_ratings']} | {_fmt(a['percent_agreement'])} | "
                     f"{_fmt(a['krippendorff_alpha'])} | {_fmt(a['fleiss_kappa'])} | {_fmt(a.get('cohen_kappa'))} |")
    lines += ["", "## Annotators", "", "| annotator | records submitted |", "|---|---:|"]
    lines += [f"| {u} | {n} |" for u, n in summary["submitted_by_annotator"].items()] or ["| (none) | 0 |"]
    corrected = table.filter(pl.col("review_corrected"))
    if corrected.height:
        lines += ["", "## Corrections", "", "| id | status | original chosen | corrected chosen |", "|---|---|---|---|"]
        for row in corrected.select(S.ID, "review_status", "chosen_original", S.CHOSEN).iter_rows():
            lines.append(f"| {row[0]} | {row[1]} | {_short(row[2])} | {_short(row[3])} |")
    disputed = table.filter(pl.col("review_status") == "disputed")
    if disputed.height:
        lines += ["", "## Disputed (no majority; review again)", "", "| id | votes | question |", "|---|---|---|"]
        lines += [f"| {r[0]} | {r[1]} | {_short(r[2])} |" for r in disputed.select(S.ID, "review_votes", S.QUESTION).iter_rows()]
    notes = table.filter(pl.col("review_notes").list.len() > 0)
    if notes.height:
        lines += ["", "## Reviewer notes", ""]
        for pid, ns in notes.select(S.ID, "review_notes").iter_rows():
            lines += [f"- `{pid}`: {_short(n, 200)}" for n in ns]
    return "\n".join(lines) + "\n"
