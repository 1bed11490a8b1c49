"""``report.md`` + PNG plots that a person reads instead of the tables, and ``check_status``: what each check
did on this input (ran, on which rows and against what; or skipped, and why), for the report and the manifest.

The report says only what the data holds: facts are named from the side that lost or added them and against
what they were compared (the source answer, or the chosen answer for rows without one); a check that never ran
is listed as skipped, not by its config switch alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from curate.core.schema import CHOSEN, REJECTED

EVERY_ROW = "ran on every row"
REPORT_FILE = "report.md"
PLOT_FILES = ("grade_hist.png", "tone_hist.png", "drops_by_reason.png")  # what ``plots`` draws, in order
# settings that belong to one check: the report's config listing marks them when that check was skipped
SETTINGS_OF = {
    "check_facts": "facts", "drop_on_lost_facts": "facts", "drop_on_added_facts": "facts", "extra_lexicon_dir": "facts",
    "meaning_check": "meaning", "min_meaning_similarity": "meaning", "embedding_model": "meaning",
    "embedding_batch_size": "meaning", "embedding_precision": "meaning", "embedding_recheck_band": "meaning",
    "embedding_threads": "meaning",
    "dedup": "dedup", "near_dup_threshold": "dedup", "minhash_num_perm": "dedup", "shingle_size": "dedup",
    "minhash_seed": "dedup",
}
_FACT_KINDS = "number / dose / frequency / drug / condition"


def _get(cfg, name: str, default=None):
    return cfg.get(name, default) if isinstance(cfg, dict) else getattr(cfg, name, default)


def check_status(cfg, counts: dict, names: list[str] | None = None) -> dict[str, str]:
    """``{check: status}`` for the filters ``names`` (default: the stage's filters): ``"ran ..."`` (on which rows,
    against what) or ``"skipped: <why>"`` -- disabled in the config, no row had a source answer, or no row reached
    it.  ``cfg``: a ``FilterConfig`` or its dict; ``counts``: the runner's counts (``input_rows``,
    ``rows_without_source``, ``rows_meaning_checked``)."""
    if names is None:
        from filters.stage import default_filters

        names = [f.name for f in default_filters()]
    n = int(counts.get("input_rows", 0))
    without = int(counts.get("rows_without_source", 0))
    with_source = n - without
    out: dict[str, str] = {}
    for name in names:
        if name == "facts":
            if not _get(cfg, "check_facts", True):
                out[name] = "skipped: disabled in the config (check_facts: false)"
                continue
            if without == 0:
                against = "against the source answer"
            elif with_source == 0:
                against = "no source answers: the rejected answer compared with the chosen answer"
            else:
                against = (f"{with_source} against the source answer; {without} without one: the rejected answer "
                           "compared with the chosen answer")
            drops = []
            if not _get(cfg, "drop_on_lost_facts", True):
                drops.append("drop_on_lost_facts")
            if not _get(cfg, "drop_on_added_facts", True):
                drops.append("drop_on_added_facts")
            note = f"; scored only for {' and '.join(drops)}: false" if drops else ""
            out[name] = f"{EVERY_ROW} ({against}){note}"
        elif name == "meaning":
            checked = int(counts.get("rows_meaning_checked", 0))
            if not _get(cfg, "meaning_check", True):
                out[name] = "skipped: disabled in the config (meaning_check: false)"
            elif with_source == 0:
                out[name] = "skipped: no source answers"
            elif checked == 0:
                out[name] = "skipped: no row reached it (every row with a source answer was dropped by an earlier filter)"
            else:
                out[name] = f"ran on {checked} of {n} rows (those with a source answer that no other filter dropped)"
        elif name == "dedup":
            out[name] = EVERY_ROW if _get(cfg, "dedup", True) else "skipped: disabled in the config (dedup: false)"
        elif name == "phi":
            action = _get(cfg, "phi_action", "drop" if _get(cfg, "drop_phi", False) else "flag")
            out[name] = EVERY_ROW + {"drop": "", "redact": " (phi_action: redact: spans replaced by typed placeholders)"}.get(
                action, " (flags only: phi_action is flag)")
        else:
            out[name] = EVERY_ROW
    return out


def _values(df: pl.DataFrame, col: str) -> np.ndarray:
    return df[col].drop_nulls().to_numpy() if col in df.columns else np.array([])


def _vline(ax, x, label: str, color: str = "black") -> None:
    ax.axvline(float(x), color=color, linestyle="--", linewidth=1.2, label=label)


def _threshold(ax, cfg: dict, key: str, color: str = "black") -> None:
    """The config setting ``key`` as a labeled line, when it is set."""
    if cfg.get(key) is not None:
        _vline(ax, cfg[key], f"{key} = {cfg[key]}", color)


def _span(arrays: list[np.ndarray], marks: list) -> tuple[float, float]:
    """A histogram range holding every value and threshold, never of zero width (one value: one visible bar)."""
    pts = [float(x) for a in arrays if len(a) for x in (a.min(), a.max())] + [float(m) for m in marks if m is not None]
    lo, hi = (min(pts), max(pts)) if pts else (0.0, 1.0)
    pad = max(hi - lo, 1.0) * 0.05
    return lo - pad, hi + pad


def _side_hist(ax, df: pl.DataFrame, metric: str, rng=None, marks: tuple = ()) -> None:
    sides = [(_values(df, f"{metric}_{col}"), label, color)
             for col, label, color in ((CHOSEN, "chosen", "tab:green"), (REJECTED, "rejected", "tab:red"))]
    rng = rng or _span([v for v, _, _ in sides], list(marks))
    for vals, label, color in sides:
        if len(vals):
            ax.hist(vals, bins=40, range=rng, histtype="stepfilled", alpha=0.55, label=f"{label} (n={len(vals)})", color=color)


def _margin_hist(ax, df: pl.DataFrame, metric: str, first: str, second: str, mark=None) -> None:
    a, b = f"{metric}_{first}", f"{metric}_{second}"
    if a in df.columns and b in df.columns:
        vals = df.select((pl.col(a) - pl.col(b)).alias("m"))["m"].drop_nulls().to_numpy()
        if len(vals):
            ax.hist(vals, bins=40, range=_span([vals], [mark]), histtype="stepfilled", alpha=0.7, color="tab:blue", label=f"pairs (n={len(vals)})")


def _finish_ax(ax, title: str, xlabel: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pairs")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)


def hostility_columns(df: pl.DataFrame) -> list[str]:
    return [c for c in (f"hostility_{CHOSEN}", f"hostility_{REJECTED}") if c in df.columns]


def report_figures(df: pl.DataFrame, reasons: dict, cfg: dict) -> dict:
    """``{file name: matplotlib Figure}`` of the report's plots; thresholds of ``cfg`` drawn as dashed lines, and the
    number of scored pairs per side in each legend."""
    from curate.core.plots import figure

    figs = {}

    # grade: per side with the chosen grade limit; the pair margin with its minimum
    fig, (ax, mx) = figure(1, 2, figsize=(10, 3.5))
    _side_hist(ax, df, "fkgl", marks=(cfg.get("max_chosen_grade"),))
    _threshold(ax, cfg, "max_chosen_grade", "tab:green")
    _finish_ax(ax, "Flesch-Kincaid grade", "grade")
    _margin_hist(mx, df, "fkgl", REJECTED, CHOSEN, cfg.get("min_grade_margin"))
    _threshold(mx, cfg, "min_grade_margin")
    _finish_ax(mx, "Grade margin: rejected − chosen", "grades")
    figs[PLOT_FILES[0]] = fig

    # tone: per side with the chosen minimum / rejected maximum; the margin with its minimum; hostility (when scored)
    hostile = hostility_columns(df)
    fig, axes = figure(1, 3 if hostile else 2, figsize=(15 if hostile else 10, 3.5))
    ax, mx = axes[0], axes[1]
    _side_hist(ax, df, "tone", (-1, 1))
    _threshold(ax, cfg, "min_chosen_tone", "tab:green")
    if cfg.get("max_rejected_tone") is not None and cfg["max_rejected_tone"] < 1.0:  # 1.0 = off
        _vline(ax, cfg["max_rejected_tone"], f"max_rejected_tone = {cfg['max_rejected_tone']}", "tab:red")
    _finish_ax(ax, "Tone (supportive > 0 > prescriptive)", "tone")
    _margin_hist(mx, df, "tone", CHOSEN, REJECTED, cfg.get("min_tone_margin"))
    _threshold(mx, cfg, "min_tone_margin")
    _finish_ax(mx, "Tone margin: chosen − rejected", "tone")
    if hostile:
        hx = axes[2]
        marks = {k: v for k, v in cfg.items()  # every numeric hostility threshold of the config
                 if "hostil" in k and isinstance(v, (int, float)) and not isinstance(v, bool)}
        _side_hist(hx, df, "hostility", marks=tuple(marks.values()))
        for k, v in marks.items():
            _vline(hx, v, f"{k} = {v}", "tab:green" if "chosen" in k else "tab:red" if "rejected" in k else "black")
        _finish_ax(hx, "Hostility (sarcasm, contempt, blame)", "hostility")
    figs[PLOT_FILES[1]] = fig

    fig, ax = figure(figsize=(6, max(2.2, 0.9 + 0.35 * len(reasons))))
    names = list(reasons)[::-1]
    ax.barh(names or ["(none)"], [reasons[n] for n in names] or [0], color="tab:gray")
    ax.set_title("Drops by reason (a row can have several)")
    ax.set_xlabel("rows")
    figs[PLOT_FILES[2]] = fig
    return figs


def _plots(stage: Path, df: pl.DataFrame, reasons: dict, cfg: dict) -> None:
    from curate.core.plots import save_png

    for name, fig in report_figures(df, reasons, cfg).items():
        save_png(fig, stage / name)


def _q(df: pl.DataFrame, col: str) -> str:
    s = df[col].drop_nulls() if col in df.columns else pl.Series([], dtype=pl.Float64)
    if not len(s):
        return "-"
    return f"{s.median():.2f} (p10 {s.quantile(0.1):.2f}, p90 {s.quantile(0.9):.2f})"


def fact_meanings(counts: dict) -> dict[str, str]:
    """What ``facts_lost`` / ``fact_drift`` mean for this input: compared with the source answer, with the chosen
    answer (no row has a source answer), or both (some rows have one)."""
    n = int(counts.get("input_rows", 0))
    without = int(counts.get("rows_without_source", 0))
    lost_src = f"a variant lost a {_FACT_KINDS} of the source answer"
    added_src = f"a variant added a {_FACT_KINDS} the source answer lacks"
    lost_ch = f"the rejected answer lost a {_FACT_KINDS} of the chosen answer"
    added_ch = f"the rejected answer added a {_FACT_KINDS} the chosen answer lacks"
    if without == 0:
        return {"facts_lost": lost_src, "fact_drift": added_src}
    if without >= n:
        note = " (no row has a source answer: facts are compared with the chosen answer)"
        return {"facts_lost": lost_ch + note, "fact_drift": added_ch + note}
    rows = f"in the {without} row{'s' if without != 1 else ''} without one"
    return {"facts_lost": f"{lost_src}; {rows}, {lost_ch}", "fact_drift": f"{added_src}; {rows}, {added_ch}"}


def facts_line(example: dict) -> str | None:
    """``facts compared with the source answer: rejected lost: 5 mg; rejected added: warfarin`` (None: no facts)."""
    facts = example.get("facts") or {}
    if not facts:
        return None
    against = ("compared with the source answer" if example.get("has_source")
               else "compared with the chosen answer (the row has no source answer)")
    return f"facts {against}: " + "; ".join(f"{side}: {', '.join(map(str, vals))}" for side, vals in facts.items())


def write_report(stage: Path, manifest: dict, df: pl.DataFrame, examples: dict) -> None:
    c = manifest["counts"]
    reasons = c.get("drops_by_reason", {})
    cfg = manifest["config"]
    _plots(stage, df, reasons, cfg)
    checks = manifest.get("checks") or check_status(cfg, c)
    n = max(c.get("input_rows", 0), 1)
    lines = [
        "# Filter report",
        "",
        f"Input: `{manifest['inputs'].get('path')}` — **{c.get('input_rows', 0)}** pairs: "
        f"**{c.get('kept', 0)} kept** ({100 * c.get('kept', 0) / n:.1f}%), **{c.get('dropped', 0)} dropped**. "
        f"{c.get('clusters', 0)} question clusters; {c.get('rows_without_source', 0)} rows without a source answer "
        f"(scored on chosen vs rejected only); {c.get('rows_with_phi', 0)} rows with possible PHI (see the `phi` column)"
        + (f"; PHI redacted in {c.get('rows_redacted', 0)} rows, spans per kind: "
           + (", ".join(f"{k} {v}" for k, v in c["phi_redactions"].items()) or "none") if "phi_redactions" in c else "") + ".",
        "",
        "## Checks",
        "",
        "What each check did on this input; a skipped check decided nothing about any row.",
        "",
        "| check | status |",
        "|---|---|",
        *[f"| `{name}` | {status} |" for name, status in checks.items()],
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
        "phi": "possible PHI found (phi_action: drop)",
        "chosen_too_hard": f"chosen Flesch-Kincaid grade > {cfg.get('max_chosen_grade')}",
        "chosen_too_hard_smog": f"chosen SMOG index > {cfg.get('max_chosen_smog')}",
        "grade_margin": f"chosen not ≥ {cfg.get('min_grade_margin')} grade easier than rejected",
        "tone_margin": f"tone(chosen) − tone(rejected) < {cfg.get('min_tone_margin')}",
        "chosen_not_supportive": f"tone(chosen) < {cfg.get('min_chosen_tone')}",
        "rejected_too_supportive": f"tone(rejected) > {cfg.get('max_rejected_tone')}",
        **fact_meanings(c),
        "meaning_drift": f"embedding similarity of a variant to the source answer < {cfg.get('min_meaning_similarity')}",
        "rejected_hostile": f"hostility(rejected) ≥ {cfg.get('max_rejected_hostility')} (a caricature, not a prescriptive answer)",
        "chosen_hostile": f"hostility(chosen) ≥ {cfg.get('max_chosen_hostility')}",
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
        *([f"| Fernández-Huerta (Spanish rows) | {_q(df, f'fernandez_huerta_{CHOSEN}')} | {_q(df, f'fernandez_huerta_{REJECTED}')} |"]
          if f"fernandez_huerta_{CHOSEN}" in df.columns else []),
        f"| SMOG index | {_q(df, f'smog_{CHOSEN}')} | {_q(df, f'smog_{REJECTED}')} |",
        f"| tone [-1, 1] | {_q(df, f'tone_{CHOSEN}')} | {_q(df, f'tone_{REJECTED}')} |",
        *[f"| hostility | {_q(df, f'hostility_{CHOSEN}')} | {_q(df, f'hostility_{REJECTED}')} |" for _ in hostility_columns(df)[:1]],
        "",
        "The grade threshold is Flesch-Kincaid (`max_chosen_grade`); SMOG is "
        + (f"thresholded too (`max_chosen_smog: {cfg['max_chosen_smog']}`)." if cfg.get("max_chosen_smog") is not None
           else "reported, not thresholded (`max_chosen_smog: null`)."),
        "",
        "![grade histogram](grade_hist.png)",
        "",
        "![tone histogram](tone_hist.png)",
        "",
        "Dashed lines: the config's thresholds; n: the pairs with a score on that side.",
        "Tone explains itself: `curate score \"some text\"` lists every cue that moved the score.",
        "",
    ]
    if examples:
        lines += ["## Examples of dropped pairs (first reason)", ""]
        for r, exs in examples.items():
            lines.append(f"### `{r}`")
            lines.append("")
            for e in exs:
                smog = f"; SMOG {e['smog chosen / rejected']}" if e.get("smog chosen / rejected") else ""
                lines.append(f"- **{e['question']}** — reasons: {', '.join(e['reasons'])}; grade {e['fkgl chosen / rejected']}"
                             f"{smog}; tone {e['tone chosen / rejected']}")
                facts = facts_line(e)
                if facts:
                    lines.append(f"  - {facts}")
                if e.get("has_source"):
                    lines.append(f"  - source: {e['source']}")
                lines.append(f"  - chosen: {e['chosen']}")
                lines.append(f"  - rejected: {e['rejected']}")
            lines.append("")
    lines += ["## Thresholds", "", "Settings of a skipped check are marked; they decided nothing.", "", "```yaml"]
    for k, v in cfg.items():
        status = checks.get(SETTINGS_OF.get(k, ""), "")
        shown = json.dumps(v) if v is None or isinstance(v, (bool, list, dict)) else v  # YAML spelling: true, null
        lines.append(f"{k}: {shown}" + (f"  # {status}" if status.startswith("skipped") else ""))
    lines += ["```", ""]
    (stage / REPORT_FILE).write_text("\n".join(lines), encoding="utf-8")
