"""The dataset card claims only what the data holds: imported pairs (no source answer, no rewrite provenance) are
described as imported; skipped filter checks are shown as skipped; the review's agreement is a table with its
sample sizes; SMOG is reported next to the Flesch-Kincaid grade."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from curate.review.agreement import agreement_summary
from filters import FilterConfig, run_filter_stage
from filters.readability import readability_frame
from tests.curate.publish.conftest import make_pairs, write_stage_dir
from tests.curate.publish.test_provenance import _stats_rows
from tests.filters.helpers import pair

QUESTIONS = ["How much donepezil should my mom take?", "When in the day is donepezil usually given?",
             "Does the donepezil dose change after a month?", "What dose of donepezil do doctors start with?"]


def _imported_filter_dir(tmp_path: Path) -> Path:
    """Pairs imported without a source answer or rewrite provenance, through the real filter stage."""
    rows = [pair(id=f"imp{i}", question=q) for i, q in enumerate(QUESTIONS)]
    path = tmp_path / "imported.parquet"
    pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}).drop("source_answer").write_parquet(path)
    out = tmp_path / "filtered"
    m = run_filter_stage(path, out, FilterConfig())  # the meaning check is on, but no row has a source answer
    assert m["counts"]["kept"] == len(rows)
    return out


def test_imported_pairs_are_described_as_imported(tmp_path, curate_cli):
    filtered = _imported_filter_dir(tmp_path)
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", filtered, "--to-dir", out, "--test-size", "0")
    assert code == 0, err
    card = (out / "README.md").read_text()
    # true now
    assert "imported as given: the data has no source answer and no rewrite provenance" in card
    assert "### Origin: imported pairs" in card
    assert "compared the rejected answer's facts" in card and "the meaning check could not run" in card
    assert "| `meaning` | skipped: no source answers |" in card
    assert "| `meaning_check` | true (skipped: no source answers) |" in card
    assert "| `min_meaning_similarity` | 0.6 (skipped: no source answers) | `meaning_drift` | 0 |" in card
    assert "rejected answer with the chosen one only" in card
    # false claims gone
    for gone in ("rewritten from the same clinical source answer", "same clinical source answer", "Styles:", "= ?",
                 "Rewrite model(s)", "machine rewrites of a source answer", "rewrite model's biases",
                 "restate the source material", "(question, source answer,"):
        assert gone not in card, gone
    # SMOG: the filter stage's own column, so not marked as computed here
    kept = pl.read_parquet(filtered / "kept.parquet")
    cells = _stats_rows(card)["train"]
    mean = round(float(kept["smog_chosen"].mean()), 2)
    assert cells["SMOG chosen"] == f"{mean} ({round(float(kept['smog_chosen'].median()), 2)})"
    assert cells["grade chosen"].startswith(f"{round(float(kept['fkgl_chosen'].mean()), 2)} (")


def test_rewritten_pairs_keep_their_rewrite_description(tmp_path, curate_cli, pairs):
    out = tmp_path / "ds"
    assert curate_cli("publish", write_stage_dir(tmp_path / "f", pairs), "--to-dir", out)[0] == 0
    card = (out / "README.md").read_text()
    assert "both rewritten from the same clinical source answer" in card
    assert "- Styles: chosen = supportive, rejected = prescriptive" in card
    assert "imported" not in card and "= ?" not in card
    # the fixture has no smog_* columns: computed at publish time and marked
    cells = _stats_rows(card)["train"]
    train = pl.read_parquet(out / "data/train-00000-of-00001.parquet")
    texts = pl.DataFrame({"t": [m[0]["content"] for m in train["chosen"].to_list()]})
    smog = readability_frame(texts, "t")["smog_t"]
    assert cells["SMOG chosen"] == f"{round(float(smog.mean()), 2)} ({round(float(smog.median()), 2)})*"


def test_pairs_with_a_source_but_no_rewrite_provenance_say_so(tmp_path, curate_cli, pairs):
    bare = pairs.drop("rewrite_model", "prompt_version", "chosen_style", "rejected_style", "generation_params")
    bare = bare.with_columns(source_answer=pl.when(pl.int_range(pl.len()) < 4).then(None).otherwise(pl.col("source_answer")))
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", write_stage_dir(tmp_path / "f", bare), "--to-dir", out)
    assert code == 0, err
    card = (out / "README.md").read_text()
    assert "both written from the same clinical source answer" in card
    assert "no rewrite model or style is recorded" in card and "- Styles: not recorded" in card
    assert "4 of 24 pairs have no source answer" in card
    assert "rewritten from" not in card and "= ?" not in card and "imported" not in card


def _ratings() -> tuple[list[dict], list[dict]]:
    pref = [{"ann_a": "supportive", "ann_b": "supportive", "ann_c": "supportive"},
            {"ann_a": "supportive", "ann_b": "tie", "ann_c": "supportive"},
            {"ann_a": "prescriptive", "ann_b": "prescriptive"},
            {"ann_a": "supportive", "ann_b": "supportive", "ann_c": "tie"},
            {"ann_a": "tie", "ann_b": "tie", "ann_c": "tie"},
            {"ann_c": "supportive"}]  # one rating only: not part of any statistic's sample
    facts = [{"ann_a": "yes", "ann_b": "yes"}, {"ann_a": "yes", "ann_b": "no"}, {"ann_a": "no", "ann_b": "no"}]
    return pref, facts


def test_review_agreement_is_a_table_with_its_sample_size(tmp_path, curate_cli, pairs):
    filter_dir = write_stage_dir(tmp_path / "f", pairs)
    pref, facts = _ratings()
    agreement = {"preference": agreement_summary(pref), "facts_kept": agreement_summary(facts)}
    rv = {"stage": "review", "inputs": {"data": str(filter_dir / "kept.parquet")},
          "counts": {"accepted": pairs.height, "corrected": 1}, "agreement": agreement,
          "submitted_by_annotator": {"ann_a": 5, "ann_b": 5, "ann_c": 5}}
    reviewed = pairs.with_columns(review_status=pl.lit("accepted"))
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", write_stage_dir(tmp_path / "r", reviewed, "reviewed.parquet", rv), "--to-dir", out)
    assert code == 0, err
    card = (out / "README.md").read_text()
    p, f = agreement["preference"], agreement["facts_kept"]
    assert p["items_with_2plus_ratings"] == 5 and f["items_with_2plus_ratings"] == 3
    assert ("| question | annotators | pairs rated by ≥ 2 | % agreement | Krippendorff's alpha | Fleiss' kappa "
            "| Cohen's kappa |") in card
    assert (f"| preference | 3 | 5 | {100 * p['percent_agreement']:.1f}% | {p['krippendorff_alpha']:.3f} | "
            f"{p['fleiss_kappa']:.3f} (n = {p['fleiss_items']}) | n/a (not 2 annotators) |") in card
    assert (f"| facts_kept | 2 | 3 | {100 * f['percent_agreement']:.1f}% | {f['krippendorff_alpha']:.3f} | "
            f"{f['fleiss_kappa']:.3f} (n = 3) | {f['cohen_kappa']:.3f} (n = 3) |") in card
    assert p["fleiss_items"] == 4  # Fleiss uses the items with the most common rater count (3): the n says so
    # the flattened dump of the same numbers is gone
    assert "agreement.preference" not in card and "krippendorff_alpha =" not in card
    assert "Annotators: submitted_by_annotator.ann_a = 5" in card and "corrected = 1" in card
