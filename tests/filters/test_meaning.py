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


def test_meaning_drift_dropped_and_threshold_and_switch(embed_model):
    p = pair(rejected="Install grab bars in the bathroom. Remove loose rugs. Ensure adequate lighting in hallways at all times.")
    r = filter_frame(frame(p), FilterConfig()).row(0, named=True)
    assert r["meaning_sim_chosen"] > 0.6 > r["meaning_sim_rejected"]
    assert "meaning_drift" in r["drop_reasons"]
    assert "meaning_drift" not in filter_frame(frame(p), FilterConfig(min_meaning_similarity=0.0)).row(0, named=True)["drop_reasons"]
    off = filter_frame(frame(p), FilterConfig(meaning_check=False))
    assert "meaning_sim_rejected" not in off.columns and "meaning_drift" not in off["drop_reasons"][0]


def test_no_source_no_meaning_drop(embed_model):
    p = pair(source="")
    r = filter_frame(frame(p), FilterConfig()).row(0, named=True)
    assert r["meaning_sim_chosen"] is None and "meaning_drift" not in r["drop_reasons"]
