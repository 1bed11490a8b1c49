import json
from pathlib import Path

import polars as pl
import pytest

from filters import FilterConfig, filter_frame, score_text
from filters.readability import readability_frame, textstat_scores, use_offline_cmudict

from tests.filters.helpers import frame, pair

DATA = Path(__file__).resolve().parents[2] / "filters" / "data"


def _texts():
    texts = [json.loads(l)["text"] for l in (DATA / "tone_labeled.jsonl").read_text().splitlines()]
    for l in (DATA / "tone_pairs.jsonl").read_text().splitlines():
        r = json.loads(l)
        texts += [r["preferred"], r["rejected"]]
    texts += [  # messy punctuation, abbreviations, numbers, bullets, unicode
        "Hi. OK. The patient's family's concerns—e.g., agitation—should be documented. Patients' rights matter.",
        "Dose: 5–10 mg q.d.\n- Take with food\n- Avoid alcohol!!\nCall 555-123-4567 if dizzy?",
        "Mrs. Smith (age 82) takes 2.5 mg... then 5 mg; she's fine—mostly.",
        "Café au lait spots aren't dangerous… usually.",
        "",
        "Yes.",
    ]
    return texts


def test_textstat_runs_offline_without_nltk_download(monkeypatch):
    import nltk

    def no_download(*a, **k):
        raise AssertionError("tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", no_download)
    use_offline_cmudict()
    r = textstat_scores("The cat sat on the mat. It was happy.")
    assert 0 < r["flesch_reading_ease"] and r["fkgl"] < 3


def test_vectorized_fkgl_agrees_with_textstat():
    texts = _texts()
    assert len(texts) >= 200
    ours = readability_frame(pl.DataFrame({"t": texts}), "t")
    close = 0
    for t, g, e, w in zip(texts, ours["fkgl_t"], ours["flesch_reading_ease_t"], ours["words_per_sentence_t"]):
        ref = textstat_scores(t)
        close += abs(g - ref["fkgl"]) <= 0.5
    assert close / len(texts) >= 0.95, f"{close}/{len(texts)} within 0.5 grade"
    # and in practice it is exact: same tokenization, same dictionary, same fallback
    assert close == len(texts)


def test_score_text_keys_and_plain_vs_technical():
    plain = score_text("Take one pill in the morning. Drink a glass of water with it.")
    hard = score_text("Pharmacological administration necessitates comprehensive evaluation of contraindications "
                      "and concomitant medications prior to initiation.")
    for r in (plain, hard):
        assert {"fkgl", "flesch_reading_ease", "words_per_sentence", "tone", "cues"} <= set(r)
    assert plain["fkgl"] < 4 < 15 < hard["fkgl"]
    assert plain["flesch_reading_ease"] > hard["flesch_reading_ease"]


def test_readability_pass_and_drop_cases():
    cfg = FilterConfig(meaning_check=False)
    ok = filter_frame(frame(pair()), cfg).row(0, named=True)
    assert ok["fkgl_chosen"] <= 8 and ok["fkgl_rejected"] - ok["fkgl_chosen"] >= 1
    assert "chosen_too_hard" not in ok["drop_reasons"] and "grade_margin" not in ok["drop_reasons"]

    hard_chosen = pair(chosen="It's understandable to worry. Pharmacological administration of donepezil necessitates "
                              "comprehensive evaluation of gastrointestinal tolerability, beginning with 5 mg once daily "
                              "at bedtime and escalating to 10 mg after 4 to 6 weeks.")
    r = filter_frame(frame(hard_chosen), cfg).row(0, named=True)
    assert r["fkgl_chosen"] > 8 and "chosen_too_hard" in r["drop_reasons"] and not r["keep"]

    # chosen easy, but the rejected one is just as easy: no readability margin
    same = pair(rejected="Give donepezil 5 mg once a day at bedtime. After 4 to 6 weeks, raise it to 10 mg. Do it now.")
    r = filter_frame(frame(same), cfg).row(0, named=True)
    assert r["fkgl_rejected"] - r["fkgl_chosen"] < 1 and "grade_margin" in r["drop_reasons"]


def test_thresholds_come_from_config():
    row = pair()
    strict = filter_frame(frame(row), FilterConfig(meaning_check=False, max_chosen_grade=2.0)).row(0, named=True)
    assert "chosen_too_hard" in strict["drop_reasons"]
    loose = filter_frame(frame(row), FilterConfig(meaning_check=False, min_grade_margin=-30)).row(0, named=True)
    assert "grade_margin" not in loose["drop_reasons"]


def test_vectorized_smog_agrees_with_textstat():
    import textstat

    use_offline_cmudict()
    labeled = [json.loads(l)["text"] for l in (DATA / "tone_labeled.jsonl").read_text().splitlines()]
    texts = labeled + _texts()[-6:]  # the labeled set, plus messy punctuation, empty and one-word texts
    ours = readability_frame(pl.DataFrame({"t": texts}), "t")["smog_t"].to_list()
    diffs = [abs(s - textstat.smog_index(t)) for t, s in zip(texts, ours)]
    assert max(diffs) <= 0.1, max(diffs)
    assert ours[texts.index("")] == 0.0 and ours[texts.index("Yes.")] == pytest.approx(3.1291)
    # a different formula from FKGL (polysyllables per sentence, not syllables per word), not a copy of it
    fk = readability_frame(pl.DataFrame({"t": labeled}), "t")
    assert (fk["smog_t"] - fk["fkgl_t"]).abs().max() > 1.0


def test_smog_is_optional_in_the_frame_and_shown_by_score_text():
    df = pl.DataFrame({"t": ["Take one pill in the morning.", "Pharmacological administration necessitates evaluation."]})
    without = readability_frame(df, "t", smog=False)
    assert "smog_t" not in without.columns
    assert without["fkgl_t"].to_list() == readability_frame(df, "t")["fkgl_t"].to_list()
    plain, hard = (score_text(t) for t in df["t"])
    # no polysyllable in one sentence; four (of 3+ syllables: 6, 5, 4, 5) in one sentence
    assert plain["smog"] == pytest.approx(3.1291)
    assert hard["smog"] == pytest.approx(1.043 * (4 * 30 / 1) ** 0.5 + 3.1291)
