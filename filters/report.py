"""``report.md`` + PNG plots that a person reads instead of the tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.schema import CHOSEN, REJECTED


def _plots(stage: Path, df: pl.DataFrame, reasons: dict) -> None:
    from curate.plots import figure, save_png

    for metric, fname, title, xlabel, rng in (
        ("fkgl", "grade_hist.png", "Flesch-Kincaid grade", "grade", None),
        ("tone", "tone_hist.png", "Tone (supportive > 0 > prescriptive)", "tone", (-1, 1)),
    ):
        fig, ax = figure(figsize=(6, 3.5))
        for col, label, color in ((CHOSEN, "chosen", "tab:green"), (REJECTED, "rejected", "tab:red")):
            vals = df[f"{metric}_{col}"].drop_nulls().to_numpy()
            if len(vals):
                ax.hist(vals, bins=40, range=rng, alpha=0.55, label=label, color=color)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("pairs")
        ax.legend()
        save_png(fig, stage / fname)
    fig, ax = figure(figsize=(6, max(2.2, 0.9 + 0.35 * len(reasons))))
    names = list(reasons)[::-1]
    ax.barh(names or ["(none)"], [reasons[n] for n in names] or [0], color="tab:gray")
    ax.set_title("Drops by reason (a row can have several)")
    ax.set_xlabel("rows")
    save_png(fig, stage / "drops_by_reason.png")


def _q(df: pl.DataFrame, col: str) -> str:
    s = df[col].drop_nulls()
    if not len(s):
        return "-"
    return f"{s.median():.2f} (p10 {s.quantile(0.1):.2f}, p90 {s.quantile(0.9):.2f})"


def write_report(stage: Path, manifest: dict, df: pl.DataFrame, examples: dict) -> None:
    c = manifest["counts"]
    reasons = c.get("drops_by_reason", {})
    _plots(stage, df, reasons)
    cfg = manifest["config"]
    n = max(c.get("input_rows", 0), 1)
    lines = [
        "# Filter report",
        "",
        f"Input: `{manifest['inputs'].get('path')}` — **{c.get('input_rows', 0)}** pairs: "
        f"**{c.get('kept', 0)} kept** ({100 * c.get('kept', 0) / n:.1f}%), **{c.get('dropped', 0)} dropped**. "
        f"{c.get('clusters', 0)} question clusters; {c.get('rows_without_source', 0)} rows without a source answer "
        f"(scored on chosen vs rejected only); {c.get('rows_with_phi', 0)} rows with possible PHI (see the `phi` column).",
        "",
        "## Drops by reason",
        "",
        "A row can be dropped for several reasons; each is counted.",
        "",
        "| reason | rows | what it means |",
        "|---|---:|---|",
    ]
    meaning = {
        "missing_text": "chosen or rejected is empty",
        "duplicate": "repeats an earlier question of its cluster (each cluster keeps its first row that passes every other filter)",
        "near_duplicate": f"MinHash Jaccard ≥ {cfg.get('near_dup_threshold')} with an earlier question of its cluster (same rule)",
        "phi": "possible PHI found (drop_phi: true)",
        "chosen_too_hard": f"chosen grade > {cfg.get('max_chosen_grade')}",
        "grade_margin": f"chosen not ≥ {cfg.get('min_grade_margin')} grade easier than rejected",
        "tone_margin": f"tone(chosen) − tone(rejected) < {cfg.get('min_tone_margin')}",
        "chosen_not_supportive": f"tone(chosen) < {cfg.get('min_chosen_tone')}",
        "rejected_too_supportive": f"tone(rejected) > {cfg.get('max_rejected_tone')}",
        "facts_lost": "a variant lost a number / dose / frequency / drug / condition of the source",
        "fact_drift": "a variant added a number / dose / drug / condition the source lacks",
        "meaning_drift": f"embedding similarity to the source < {cfg.get('min_meaning_similarity')}",
    }
    for r, k in reasons.items():
        lines.append(f"| `{r}` | {k} | {meaning.get(r, '')} |")
    if not reasons:
        lines.append("| (none) | 0 | |")
    lines += [
        "",
        "![drops by reason](drops_by_reason.png)",
        "",
        "## Readability and tone, chosen vs rejected (all input rows)",
        "",
        "| score | chosen: median (p10, p90) | rejected: median (p10, p90) |",
        "|---|---|---|",
        f"| Flesch-Kincaid grade | {_q(df, f'fkgl_{CHOSEN}')} | {_q(df, f'fkgl_{REJECTED}')} |",
        f"| tone [-1, 1] | {_q(df, f'tone_{CHOSEN}')} | {_q(df, f'tone_{REJECTED}')} |",
        "",
        "![grade histogram](grade_hist.png)",
        "",
        "![tone histogram](tone_hist.png)",
        "",
        "Tone explains itself: `curate score \"some text\"` lists every cue that moved the score.",
        "",
    ]
    if examples:
        lines += ["## Examples of dropped pairs (first reason)", ""]
        for r, exs in examples.items():
            lines.append(f"### `{r}`")
            lines.append("")
            for e in exs:
                lines.append(f"- **{e['question']}** — reasons: {', '.join(e['reasons'])}; grade {e['fkgl chosen / rejected']}; "
                             f"tone {e['tone chosen / rejected']}")
                if e["facts added (rejected)"] or e["facts lost (chosen)"]:
                    lines.append(f"  - facts added by rejected: {e['facts added (rejected)']}; lost by chosen: {e['facts lost (chosen)']}")
                lines.append(f"  - chosen: {e['chosen']}")
                lines.append(f"  - rejected: {e['rejected']}")
            lines.append("")
    lines += ["## Thresholds", "", "```yaml"]
    lines += [f"{k}: {v}" for k, v in cfg.items()]
    lines += ["```", ""]
    (stage / "report.md").write_text("\n".join(lines), encoding="utf-8")
