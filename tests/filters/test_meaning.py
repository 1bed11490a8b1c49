import numpy as np
import pytest

from filters import FilterConfig, filter_frame
from filters.meaning import (RECHECK_BAND, fast_dtype, load_model, meaning_frame, options, similarities,
                             similarity)
from tests.filters.helpers import frame, pair

# Team-written caregiver pairs: (source answer, variant). Supportive and prescriptive rewrites that keep the
# meaning, rewrites that drift (a different topic, a lost instruction), and three long answers (~150-200 word
# pieces, the length where reduced precision drifts most).
_LONG_SOURCE = (
    "Sundowning is increased confusion, restlessness or agitation in the late afternoon and evening in people "
    "with dementia. Keep a predictable daily routine with meals, walks and bedtime at the same times. Open the "
    "curtains in the morning so she gets daylight, and turn on lights before dusk so rooms are not full of "
    "shadows. Limit caffeine and sugar after lunch and keep naps short and early. Plan calm activities for the "
    "evening, such as folding towels or listening to familiar music, and avoid busy outings then. If she becomes "
    "upset, speak slowly, reassure her, and gently redirect her attention rather than arguing. Check for pain, "
    "hunger, thirst, a full bladder or constipation, since discomfort often shows up as agitation. Tell her "
    "doctor if the evenings get worse quickly, because an infection or a new medicine can be the cause.")
_LONG_SUPPORTIVE = (
    "It's so hard to watch someone you love become confused and restless as the day ends, and many caregivers "
    "notice this. It's often called sundowning. A steady routine can help a lot: meals, walks and bedtime at "
    "about the same times each day. Letting in morning daylight and switching on lamps before it gets dark can "
    "keep the rooms from feeling full of shadows. You might cut back on coffee and sweets after lunch and keep "
    "naps short and early. Gentle evening activities, like folding towels together or playing music she knows, "
    "tend to work better than busy outings. If she gets upset, it may help to speak slowly, reassure her and "
    "gently steer her toward something else instead of arguing. Pain, hunger, thirst, needing the bathroom or "
    "constipation can all show up as agitation, so those are worth checking. If the evenings get worse quickly, "
    "please let her doctor know, since an infection or a new medicine can sometimes be behind it.")
_LONG_PRESCRIPTIVE = (
    "Sundowning denotes late-day exacerbation of confusion and agitation in dementia. Maintain a fixed schedule "
    "for meals, ambulation and sleep. Ensure morning daylight exposure and adequate illumination before dusk. "
    "Restrict caffeine and sugar after noon; limit naps to brief early periods. Schedule low-stimulation evening "
    "tasks and avoid outings at that time. During agitation, use slow speech, reassurance and redirection; do "
    "not argue. Assess for pain, hunger, thirst, urinary retention and constipation. Report rapid worsening to "
    "the physician to exclude infection or adverse drug effects.")
_LONG_DRIFT = (
    "Caring for a parent at home is a big job, and it's important to look after yourself too. Try to find a "
    "support group in your area, either in person or online, where you can talk with others who understand. "
    "Ask family members to take turns so you get regular breaks, and look into adult day programs or respite "
    "care. Keep up with your own doctor visits, eat regular meals and try to get some exercise each week. It is "
    "normal to feel tired, sad or frustrated sometimes, and talking with a counselor can help.")

CAREGIVER_PAIRS = [
    ("Donepezil is usually started at 5 mg once daily at bedtime.",
     "Doctors usually start donepezil at 5 mg once a day, at bedtime."),
    ("Donepezil is usually started at 5 mg once daily at bedtime.",
     "Administer donepezil 5 mg once daily at bedtime."),
    ("Donepezil is usually started at 5 mg once daily at bedtime.",
     "Remove loose rugs and install grab bars in the bathroom to prevent falls."),
    ("Offer small meals and snacks throughout the day, and keep water within reach.",
     "You might try offering little snacks through the day, and keeping a glass of water close by can help."),
    ("Offer small meals and snacks throughout the day, and keep water within reach.",
     "Provide frequent small meals. Ensure fluids are accessible at all times."),
    ("Offer small meals and snacks throughout the day, and keep water within reach.",
     "Many caregivers feel worn out, and it's okay to ask family for help."),
    ("Check her blood pressure every morning and call the clinic if it is above 160 over 100.",
     "It may help to check her blood pressure each morning; if it reads above 160 over 100, please call the clinic."),
    ("Check her blood pressure every morning and call the clinic if it is above 160 over 100.",
     "Measure blood pressure daily. Contact the clinic for readings exceeding 160/100."),
    ("Check her blood pressure every morning and call the clinic if it is above 160 over 100.",
     "Blood pressure medicines can make some people dizzy when they stand up."),
    ("If he wanders at night, add door alarms and make sure he carries an ID bracelet.",
     "Night wandering is scary. Door alarms and an ID bracelet he always wears can give you some peace of mind."),
    ("If he wanders at night, add door alarms and make sure he carries an ID bracelet.",
     "Install door alarms. The patient must wear identification at all times."),
    ("If he wanders at night, add door alarms and make sure he carries an ID bracelet.",
     "A warm bath before bed and a dark, quiet room help many people sleep."),
    ("Metformin is often taken twice daily with meals to lower stomach upset.",
     "Metformin is often taken with breakfast and dinner, which can be easier on the stomach."),
    ("Metformin is often taken twice daily with meals to lower stomach upset.",
     "Take metformin twice daily with food."),
    (_LONG_SOURCE, _LONG_SUPPORTIVE),
    (_LONG_SOURCE, _LONG_PRESCRIPTIVE),
    (_LONG_SOURCE, _LONG_DRIFT),
]
FAST_TOLERANCE = 0.005  # |bf16 first pass - full model| on these pairs; half the re-check band
_SRC = [s for s, _ in CAREGIVER_PAIRS]
_VAR = [v for _, v in CAREGIVER_PAIRS]


def _needs_fast_path():
    if fast_dtype(load_model(None).device) is None:
        pytest.skip("no native bf16 on this machine: the meaning check runs the full model only")


def test_similarity_paraphrase_high_unrelated_low(embed_model):
    src = "Donepezil is usually started at 5 mg once daily at bedtime."
    para = "Doctors usually start donepezil at 5 mg once a day, at bedtime."
    other = "Remove loose rugs and install grab bars in the bathroom to prevent falls."
    s = similarity([src, src, None], [para, other, para])
    assert s[0] > 0.8 > 0.3 > s[1] and s[2] is None


def test_full_path_is_the_sentence_transformer_model(embed_model):
    """The reference: batching, threads and distinct-text reuse change nothing the model computes."""
    e_src = embed_model.encode(_SRC, normalize_embeddings=True)
    e_var = embed_model.encode(_VAR, normalize_embeddings=True)
    want = (e_src * e_var).sum(axis=1)
    sims, stats = similarities(_SRC, {"v": _VAR}, precision="full")
    assert np.abs(np.array(sims["v"]) - want).max() < 1e-5
    assert stats["precision"] == "float32" and stats["texts"] == len(set(_SRC + _VAR)) < 2 * len(_SRC)
    one_worker, _ = similarities(_SRC, {"v": _VAR}, precision="full", threads=1)
    assert np.abs(np.array(one_worker["v"]) - want).max() < 1e-5


def test_fast_pass_matches_full_model_within_tolerance(embed_model):
    _needs_fast_path()
    full, _ = similarities(_SRC, {"v": _VAR}, precision="full")
    fast, stats = similarities(_SRC, {"v": _VAR}, threshold=0.6, band=0.0)  # band 0: bf16 values as they are
    diff = np.abs(np.array(fast["v"]) - np.array(full["v"]))
    assert stats["precision"].startswith("bfloat16") and stats["rechecked"] == 0
    assert diff.max() <= FAST_TOLERANCE < RECHECK_BAND
    assert diff.max() > 0  # the first pass really ran in reduced precision


def test_decisions_near_the_threshold_come_from_the_full_model(embed_model):
    _needs_fast_path()
    full = np.array(similarities(_SRC, {"v": _VAR}, precision="full")[0]["v"])
    fast = np.array(similarities(_SRC, {"v": _VAR}, threshold=0.6, band=0.0)[0]["v"])
    k = int(np.argmax(np.abs(fast - full)))
    thr = float(fast[k] + full[k]) / 2  # the two precisions fall on opposite sides of this threshold
    assert (fast[k] < thr) != (full[k] < thr)
    got, stats = similarities(_SRC, {"v": _VAR}, threshold=thr, band=RECHECK_BAND)
    got = np.array(got["v"])
    near = np.abs(fast - thr) <= RECHECK_BAND
    assert near[k] and stats["rechecked"] == int(near.sum()) < len(_SRC)
    assert np.abs(got[near] - full[near]).max() < 1e-6  # the full model's values...
    assert ((got < thr) == (full < thr)).all()  # ...so every decision is the full model's
    assert np.abs(got[~near] - fast[~near]).max() < 1e-6  # far from the threshold the first pass stands


def test_filter_config_reaches_the_meaning_check(embed_model):
    cfg = FilterConfig(embedding_precision="full", embedding_threads=1, embedding_batch_size=4)
    kw = options(cfg)
    assert kw["threshold"] == 0.6 and kw["precision"] == "full" and kw["threads"] == 1 and kw["batch_size"] == 4
    df = frame(pair(id="a"), pair(id="b", rejected="Install grab bars in the bathroom. Remove loose rugs."))
    out = meaning_frame(df, "source_answer", ["chosen", "rejected"], cfg=cfg)
    plain = meaning_frame(df, "source_answer", ["chosen", "rejected"])
    assert np.allclose(out["meaning_sim_rejected"].to_numpy(), plain["meaning_sim_rejected"].to_numpy(), atol=1e-5)
    assert out["meaning_sim_rejected"][1] < 0.6 < out["meaning_sim_rejected"][0]


def test_worker_threads_leave_torch_threads_as_they_were(embed_model):
    import torch

    before = torch.get_num_threads()
    similarities(_SRC * 3, {"v": _VAR * 3}, precision="full", threads=2, batch_size=2)
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("kw, msg", [
    ({"embedding_precision": "half"}, "embedding_precision"),
    ({"embedding_recheck_band": -0.01}, "embedding_recheck_band"),
    ({"embedding_recheck_band": float("nan")}, "embedding_recheck_band"),
    ({"embedding_threads": 0}, "embedding_threads"),
    ({"embedding_batch_size": 0}, "embedding_batch_size"),
])
def test_meaning_options_are_validated(kw, msg):
    with pytest.raises(ValueError, match=msg):
        FilterConfig(**kw)


def _all_rows_filters():
    from filters.meaning import MeaningFilter
    from filters.stage import default_filters

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
