"""The learned part of the hostility score: the vectorized n-gram logits equal the one-text explanation, the model
only adds hostility above its threshold, and the shipped weights were trained on the development pool only."""

import json

import numpy as np
import polars as pl
import pytest

from filters import _hostility_ngrams as G
from filters import hostility as H

TEXTS = [
    "Oh, how quaint. You really thought that would work?",
    "Give 5 mg at bedtime. Monitor for dizziness.",
    "It's understandable to feel worn out. You might try a short walk together after lunch.",
    "",
    None,
    "Wow. Just wow. Maybe read the label next time, genius.",
]


def _model(tmp_path, weights, intercept=-2.0, k=1.0, t=0.0, n=2):
    p = tmp_path / "w.json"
    p.write_text(json.dumps({"n": n, "intercept": intercept, "k": k, "t": t, "weights": weights}))
    return G.load(str(p))


def test_ngrams_are_distinct_and_bounded():
    assert G.ngrams("\nhow quaint. how quaint?", 2) == ["how", "quaint", "?", "how quaint", "quaint how", "quaint ?"]
    assert all(g.count(" ") < 3 for g in G.ngrams(H.norm(TEXTS[0]), 3))


def test_vectorized_logits_equal_explain(tmp_path):
    m = _model(tmp_path, {"quaint": 1.5, "how quaint": 1.0, "genius": 2.5, "read the": 0.7, "might": -1.2, "?": 0.3})
    normed = pl.DataFrame({"t": TEXTS}, schema={"t": pl.Utf8}).select(H.prepared("t"))["literal"]
    vec = G.logits(normed, m)
    one = [G.explain(H.norm(t or ""), m)["logit"] for t in TEXTS]
    assert np.allclose(vec, one)
    assert vec[0] == pytest.approx(-2.0 + 1.5 + 1.0 + 0.3)  # each n-gram counted once (binary)


def test_model_adds_only_above_its_threshold(tmp_path):
    m = _model(tmp_path, {"genius": 3.0, "might": -5.0}, intercept=-1.0, k=1.0, t=1.0)
    assert m.extra(-4.0) == 0.0  # far below t: nothing
    assert m.extra(1.0) == pytest.approx(G.LN2)  # at t: hostile by itself
    df = pl.DataFrame({"t": TEXTS}, schema={"t": pl.Utf8})
    cues = H.cue_raw_series(df, "t").to_numpy()
    normed = df.select(H.prepared("t"))["literal"]
    total = cues + m.extra(G.logits(normed, m))
    assert (total >= cues).all()
    assert total[5] > cues[5]  # "genius" pushed the last text up
    assert total[2] == cues[2]  # a supportive text with "might" gets nothing


def test_raw_series_without_weights_is_the_cues(monkeypatch, tmp_path):
    monkeypatch.setattr(G, "WEIGHTS", tmp_path / "absent.json")
    G.load.cache_clear()
    try:
        df = pl.DataFrame({"t": TEXTS}, schema={"t": pl.Utf8})
        assert H.raw_series(df, "t").to_list() == H.cue_raw_series(df, "t").to_list()
        assert H.explain(TEXTS[0])["learned"] is None
    finally:
        G.load.cache_clear()


@pytest.mark.skipif(not G.WEIGHTS.exists(), reason="no shipped weights")
def test_shipped_weights_explain_adds_up_and_never_saw_the_heldout_file():
    m = G.load()
    meta = json.loads(G.WEIGHTS.read_text())
    assert meta["trained_on"] and not any("heldout" in f for f in meta["trained_on"])
    for t in TEXTS[:3] + TEXTS[5:]:
        e = H.explain(t)
        assert e["raw"] == pytest.approx(sum(c["weight"] for c in e["cues"]) + e["learned"]["extra"])
        df = pl.DataFrame({"t": [t]})
        assert H.raw_series(df, "t")[0] == pytest.approx(e["raw"])
    assert m.n in (1, 2, 3)


def test_kind_wording_holds_the_learned_part_back(tmp_path, monkeypatch):
    """``kind_weight`` lowers the logit by the text's acknowledging / reassuring cues (``filters._tone_cues.kindness``, also ``filters.tone.kindness``),
    computed only for the rows the model would add to; vectorized and one-text scores agree."""
    from filters import tone as T

    weights = {"sound": 2.5, "tired": 1.0, "genius": 3.0}
    m = _model(tmp_path, weights, intercept=-1.0, k=1.0, t=1.0)
    held = G.NgramModel(n=m.n, intercept=m.intercept, k=m.k, t=m.t, weights=m.weights, kind_weight=2.0)
    kind_text = "You sound really tired, and that's completely understandable."
    sneer = "You sound tired, genius."
    texts = [kind_text, sneer, "Give 5 mg at bedtime.", None]
    assert T.kindness(pl.Series([kind_text]))[0] >= 1.5 and T.kindness(pl.Series([sneer]))[0] == 0
    seen = []
    real = T.kindness
    from filters import hostility as H

    monkeypatch.setattr(H, "kindness", lambda s: seen.append(s.to_list()) or real(s))
    df = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
    plain, kind = H.learned_extra(df, "t", m), H.learned_extra(df, "t", held)
    assert plain[0] > 0 and kind[0] == 0.0  # the kind text: nothing added once held back
    assert kind[1] == pytest.approx(plain[1]) and kind[1] >= G.LN2  # the sneer: no kind wording, flagged all the same
    assert kind[2] == plain[2] == 0.0 and kind[3] == 0.0
    assert seen == [[kind_text, sneer]]  # kindness ran on the two rows the model would add to, not the others
    monkeypatch.setattr(G, "load", lambda path=None: held)
    for t, v in zip(texts[:3], H.raw_series(df, "t").to_list()[:3]):
        e = H.explain(t)
        assert e["raw"] == pytest.approx(v)
        assert e["raw"] == pytest.approx(sum(c["weight"] for c in e["cues"]) + e["learned"]["extra"])
    assert H.explain(kind_text)["learned"]["kindness"] >= 1.5


def test_raw_parts_add_up_to_raw_series():
    df = pl.DataFrame({"t": TEXTS}, schema={"t": pl.Utf8})
    cues, extra = H.raw_parts(df, "t")
    assert np.allclose(cues + extra, H.raw_series(df, "t").to_numpy())
    assert np.allclose(cues, H.cue_raw_series(df, "t").to_numpy()) and (extra >= 0).all()
    assert (H.raw_parts(df, "t", learned=False)[1] == 0).all()


@pytest.mark.skipif(not G.WEIGHTS.exists(), reason="no shipped weights")
def test_shipped_settings_were_chosen_with_every_author_file():
    meta = json.loads(G.WEIGHTS.read_text())
    assert meta["kind_weight"] == meta["settings"]["kind_weight"] >= 0
    assert {"tone_dev.jsonl", "tone_dev3.jsonl", "tone_dev4.jsonl", "tone_dev5.jsonl"} <= set(meta["trained_on"])
    assert G.load().kind_weight == meta["kind_weight"]
