import pytest

from filters import FilterConfig, filter_frame
from filters.meaning import similarity
from tests.filters.helpers import frame, pair


def test_similarity_paraphrase_high_unrelated_low(embed_model):
    src = "Donepezil is usually started at 5 mg once daily at bedtime."
    para = "Doctors usually start donepezil at 5 mg once a day, at bedtime."
    other = "Remove loose rugs and install grab bars in the bathroom to prevent falls."
    s = similarity([src, src, None], [para, other, para])
    assert s[0] > 0.8 > 0.3 > s[1] and s[2] is None


def _all_rows_filters():
    from filters.stage import MeaningFilter, default_filters

    return [f for f in default_filters() if f.name != "meaning"] + [MeaningFilter(survivors_only=False)]


def test_meaning_drift_dropped_and_threshold_and_switch(embed_model):
    p = pair(rejected="Install grab bars in the bathroom. Remove loose rugs. Ensure adequate lighting in hallways at all times.")
    r = filter_frame(frame(p), FilterConfig(), filters=_all_rows_filters()).row(0, named=True)
    assert r["meaning_sim_chosen"] > 0.6 > r["meaning_sim_rejected"]
    assert "meaning_drift" in r["drop_reasons"]
    loose = filter_frame(frame(p), FilterConfig(min_meaning_similarity=0.0), filters=_all_rows_filters())
    assert "meaning_drift" not in loose.row(0, named=True)["drop_reasons"]
    off = filter_frame(frame(p), FilterConfig(meaning_check=False))
    assert "meaning_sim_rejected" not in off.columns and "meaning_drift" not in off["drop_reasons"][0]


def test_only_rows_kept_by_the_lexical_filters_are_embedded(embed_model):
    good = pair(id="a")
    bad = pair(id="b", question="Another question?", rejected="Install grab bars in the bathroom. Remove loose rugs.")
    out = filter_frame(frame(good, bad), FilterConfig())
    assert out["meaning_sim_chosen"][0] > 0.6 and out["keep"][0]
    assert out["meaning_sim_chosen"][1] is None and not out["keep"][1]


def test_no_source_no_meaning_drop(embed_model):
    p = pair(source="")
    r = filter_frame(frame(p), FilterConfig()).row(0, named=True)
    assert r["meaning_sim_chosen"] is None and "meaning_drift" not in r["drop_reasons"]
