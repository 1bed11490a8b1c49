"""`curate filter`'s report.md, plots and manifest say what the data holds: facts from the side that lost or added
them and what they were compared with, skipped checks as skipped (and why), thresholds drawn on the plots."""

import json

import polars as pl
import pytest

from filters import FilterConfig, run_filter_stage
from filters.readability import readability_frame
from filters.report import check_status, report_figures
from tests.filters.helpers import pair

P = pair()
# the rejected answer changes the dose and adds a drug: facts_lost (5 mg) and fact_drift (7 mg, warfarin) on rejected
DRIFT = P["rejected"].replace("5 mg", "7 mg") + " Add warfarin."


def _write(tmp_path, rows, drop_source=False):
    df = pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]})
    if drop_source:
        df = df.drop("source_answer")
    path = tmp_path / "pairs.parquet"
    df.write_parquet(path)
    return path


def _run(tmp_path, rows, cfg, drop_source=False):
    out = tmp_path / "out"
    m = run_filter_stage(_write(tmp_path, rows, drop_source), out, cfg)
    return m, (out / "report.md").read_text(), json.loads((out / "manifest.json").read_text()), out


def _example(report: str, question: str) -> str:
    """The report's example block of one question (its bullet and sub-bullets)."""
    block = report.split(f"- **{question}**", 1)[1]
    return block.split("\n- **", 1)[0].split("\n### ", 1)[0].split("\n## ", 1)[0]


def test_without_source_the_facts_come_from_the_rejected_side_compared_with_chosen(tmp_path):
    rows = [pair(id="ok"), pair(id="drift", question="Is warfarin added later?", rejected=DRIFT)]
    m, report, disk, _ = _run(tmp_path, rows, FilterConfig(), drop_source=True)  # meaning_check stays on
    ex = _example(report, "Is warfarin added later?")
    assert "facts compared with the chosen answer (the row has no source answer): rejected lost: 5 mg; rejected added: 7 mg, warfarin" in ex
    assert "lost by chosen" not in report and "facts added by rejected" not in report
    assert "chosen lost" not in ex and "chosen added" not in ex  # chosen is the reference here: nothing lost
    assert "source:" not in ex
    # the reasons table does not speak of a source that is not there
    line = next(l for l in report.splitlines() if l.startswith("| `facts_lost` |"))
    assert "of the chosen answer" in line and "of the source" not in line
    # the meaning check never ran: listed as skipped, in the report and in the manifest
    assert disk["checks"]["meaning"] == m["checks"]["meaning"] == "skipped: no source answers"
    assert disk["checks"]["facts"] == "ran on every row (no source answers: the rejected answer compared with the chosen answer)"
    assert "| `meaning` | skipped: no source answers |" in report
    assert "meaning_check: true  # skipped: no source answers" in report
    assert "meaning_check: True" not in report
    assert disk["meaning_check_scope"] == "skipped: no source answers"


def test_with_source_the_facts_are_compared_with_the_source_and_named_per_side(tmp_path):
    both = pair(id="both", question="What if both change?", chosen=P["chosen"].replace("10 mg", "20 mg"), rejected=DRIFT)
    rows = [pair(id="ok"), pair(id="drift", question="Is warfarin added later?", rejected=DRIFT), both]
    m, report, disk, _ = _run(tmp_path, rows, FilterConfig(meaning_check=False))
    ex = _example(report, "Is warfarin added later?")
    assert "facts compared with the source answer: rejected lost: 5 mg; rejected added: 7 mg, warfarin" in ex
    assert "  - source: Donepezil is usually started at 5 mg" in ex
    ex = _example(report, "What if both change?")
    assert "chosen lost: 10 mg; chosen added: 20 mg; rejected lost: 5 mg; rejected added: 7 mg, warfarin" in ex
    line = next(l for l in report.splitlines() if l.startswith("| `facts_lost` |"))
    assert "of the source answer" in line and "chosen answer" not in line
    assert disk["checks"]["meaning"] == "skipped: disabled in the config (meaning_check: false)"
    assert disk["checks"]["facts"] == "ran on every row (against the source answer)"
    assert "meaning_check: false  # skipped: disabled in the config (meaning_check: false)" in report
    assert disk["meaning_check_scope"].startswith("skipped: disabled")


def test_mixed_sources_say_both_comparisons(tmp_path):
    rows = [pair(id="a"), pair(id="b", question="Can she take it in the morning?", source="")]
    _, report, disk, _ = _run(tmp_path, rows, FilterConfig(meaning_check=False))
    assert disk["checks"]["facts"] == ("ran on every row (1 against the source answer; 1 without one: the rejected "
                                       "answer compared with the chosen answer)")
    counts = disk["counts"]
    assert counts["rows_without_source"] == 1 and counts["input_rows"] == 2


def test_meaning_check_no_row_reached_it(tmp_path):
    # every row with a source answer is dropped before the meaning check (tone margin impossible to meet): the
    # embedding model is never loaded, and the report must not claim the check ran
    rows = [pair(id="a"), pair(id="b", question="When should she take it?")]
    m, report, disk, _ = _run(tmp_path, rows, FilterConfig(min_tone_margin=2.0))
    assert disk["counts"]["rows_meaning_checked"] == 0
    assert disk["checks"]["meaning"].startswith("skipped: no row reached it")
    assert "| `meaning` | skipped: no row reached it" in report


def test_check_status_when_the_meaning_check_ran_and_for_disabled_checks():
    cfg = FilterConfig(check_facts=False, dedup=False, drop_phi=True)
    st = check_status(cfg, {"input_rows": 10, "rows_without_source": 3, "rows_meaning_checked": 4})
    assert st["meaning"] == "ran on 4 of 10 rows (those with a source answer that no other filter dropped)"
    assert st["facts"] == "skipped: disabled in the config (check_facts: false)"
    assert st["dedup"] == "skipped: disabled in the config (dedup: false)"
    assert st["phi"] == "ran on every row"
    st = check_status(FilterConfig(drop_on_lost_facts=False), {"input_rows": 2, "rows_without_source": 0})
    assert st["facts"].endswith("scored only for drop_on_lost_facts: false") and "flag" in st["phi"]


def test_smog_median_in_report_and_plots_show_thresholds_and_counts(tmp_path):
    rows = [pair(id="ok"), pair(id="drift", question="Is warfarin added later?", rejected=DRIFT),
            pair(id="ok2", question="When should she take it?")]
    cfg = FilterConfig(meaning_check=False, max_chosen_grade=7.5, min_tone_margin=0.3, max_rejected_tone=0.5)
    m, report, _, out = _run(tmp_path, rows, cfg)
    every = pl.concat([pl.read_parquet(out / "kept.parquet"), pl.read_parquet(out / "dropped.parquet")], how="diagonal_relaxed")
    expect = readability_frame(every.select("chosen"), "chosen")["smog_chosen"].median()
    assert every["smog_chosen"].median() == pytest.approx(expect)
    line = next(l for l in report.splitlines() if l.startswith("| SMOG index |"))
    assert line.split("|")[2].strip().startswith(f"{expect:.2f} (")
    assert "SMOG is reported, not thresholded (`max_chosen_smog: null`)" in report

    plot_df = every.select("fkgl_chosen", "fkgl_rejected", "smog_chosen", "smog_rejected", "tone_chosen", "tone_rejected")
    figs = report_figures(plot_df, m["counts"]["drops_by_reason"], m["config"])
    assert set(figs) == {"grade_hist.png", "tone_hist.png", "drops_by_reason.png"}

    def lines_and_labels(ax):
        xs = sorted({float(l.get_xdata()[0]) for l in ax.get_lines()})
        return xs, [t.get_text() for t in ax.get_legend().get_texts()]

    grade, margin = figs["grade_hist.png"].axes
    xs, labels = lines_and_labels(grade)
    assert xs == [7.5] and "max_chosen_grade = 7.5" in labels
    assert "chosen (n=3)" in labels and "rejected (n=3)" in labels
    xs, labels = lines_and_labels(margin)
    assert xs == [1.0] and "min_grade_margin = 1.0" in labels and "pairs (n=3)" in labels
    tone, tmargin = figs["tone_hist.png"].axes
    xs, labels = lines_and_labels(tone)
    assert xs == [0.0, 0.5] and "max_rejected_tone = 0.5" in labels and "min_chosen_tone = 0.0" in labels
    xs, labels = lines_and_labels(tmargin)
    assert xs == [0.3] and "min_tone_margin = 0.3" in labels

    # with hostility scores and thresholds, a third panel draws them
    hostile = plot_df.with_columns(hostility_chosen=pl.lit(0.1), hostility_rejected=pl.lit(0.2))
    figs = report_figures(hostile, {}, {**m["config"], "max_rejected_hostility": 0.5, "max_chosen_hostility": 0.3})
    hx = figs["tone_hist.png"].axes[2]
    xs, labels = lines_and_labels(hx)
    assert xs == [0.3, 0.5] and "max_rejected_hostility = 0.5" in labels and "rejected (n=3)" in labels
    # without the default 1.0 "off" value drawn as a line
    figs = report_figures(plot_df, {}, FilterConfig().__dict__)
    assert sorted({float(l.get_xdata()[0]) for l in figs["tone_hist.png"].axes[0].get_lines()}) == [0.0]


def test_optional_smog_threshold_drops_with_its_own_reason(tmp_path):
    from filters.stage import drop_reasons_all

    assert "chosen_too_hard_smog" not in drop_reasons_all(FilterConfig())
    assert "chosen_too_hard_smog" in drop_reasons_all(FilterConfig(max_chosen_smog=8.0))
    rows = [pair(id="a")]  # the chosen answer's SMOG is 8.84; its FKGL (6.3) passes max_chosen_grade
    m, report, _, out = _run(tmp_path, rows, FilterConfig(meaning_check=False, max_chosen_smog=8.0))
    dropped = pl.read_parquet(out / "dropped.parquet")
    assert dropped["drop_reasons"].to_list() == [["chosen_too_hard_smog"]]
    assert m["counts"]["drops_by_reason"] == {"chosen_too_hard_smog": 1}
    assert "| `chosen_too_hard_smog` | 1 | chosen SMOG index > 8.0 |" in report
    assert "SMOG is thresholded too (`max_chosen_smog: 8.0`)" in report
    m, _, _, _ = _run(tmp_path, rows, FilterConfig(meaning_check=False, max_chosen_smog=9.0))
    assert m["counts"]["kept"] == 1
