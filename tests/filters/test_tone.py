import json
from pathlib import Path

import polars as pl
import pytest

from filters import FilterConfig, filter_frame, score_text
from filters.tone import explain, tone_frame, tone_scores
from tests.filters.helpers import frame, pair

DATA = Path(__file__).resolve().parents[2] / "filters" / "data"


def _auc(pos, neg):
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


def _labeled():
    return [json.loads(l) for l in (DATA / "tone_labeled.jsonl").read_text().splitlines()]


def test_labeled_set_is_broad():
    rows = _labeled()
    assert len(rows) >= 150
    labels = {r["label"] for r in rows}
    assert labels == {"supportive", "prescriptive", "neutral"}
    assert len({r["topic"] for r in rows}) >= 10
    lengths = [len(r["text"].split()) for r in rows]
    assert min(lengths) <= 5 and max(lengths) >= 40


def test_auc_supportive_vs_prescriptive_on_labeled_set():
    rows = _labeled()
    scores = tone_scores([r["text"] for r in rows])
    sup = [s for s, r in zip(scores, rows) if r["label"] == "supportive"]
    pre = [s for s, r in zip(scores, rows) if r["label"] == "prescriptive"]
    neu = [s for s, r in zip(scores, rows) if r["label"] == "neutral"]
    assert _auc(sup, pre) >= 0.95
    # neutral sits in between
    assert _auc(sup, neu) >= 0.85 and _auc(neu, pre) >= 0.85
    assert all(-1 <= s <= 1 for s in scores)


def test_preference_pairs_ranked():
    """Team-written caregiver preference pairs (written after the cue lexicon, never used to tune it)."""
    rows = [json.loads(l) for l in (DATA / "tone_pairs.jsonl").read_text().splitlines()]
    assert len(rows) >= 30
    pref = tone_scores([r["preferred"] for r in rows])
    rej = tone_scores([r["rejected"] for r in rows])
    assert sum(p > r for p, r in zip(pref, rej)) / len(rows) >= 0.97


@pytest.mark.parametrize("text", [
    "Don't worry, this happens to a lot of families.",
    "You should feel proud of how you handled it.",
    "You shouldn't feel guilty for needing a break.",
    "Do not blame yourself; it's not your fault.",
    "Take a deep breath. What you're feeling is completely normal.",
    "It might help to try a short walk together after lunch, if she feels up to it.",
])
def test_tricky_supportive(text):
    assert explain(text)["tone"] > 0.2, explain(text)


@pytest.mark.parametrize("text", [
    "Don't skip doses.",
    "You should take the medication at 8 a.m. sharp.",
    "Do not exceed 4 grams per day.",
    "Patients should be monitored for bradycardia.",
    "Administration is contraindicated in hepatic impairment.",
    "Never leave her unattended.",
    "Nothing can be done about it. Deal with it.",
])
def test_tricky_prescriptive(text):
    assert explain(text)["tone"] < -0.2, explain(text)


def test_negated_imperative_direction_depends_on_verb():
    assert explain("Don't worry about it.")["tone"] > 0 > explain("Don't touch it.")["tone"]
    assert explain("You should feel proud.")["tone"] > 0 > explain("You should take it.")["tone"]


def test_explain_is_transparent_and_matches_vectorized_score():
    rows = _labeled()[:60]
    vec = tone_frame(pl.DataFrame({"t": [r["text"] for r in rows]}), "t")
    for r, v, raw in zip(rows, vec["tone_t"], vec["tone_raw_t"]):
        e = explain(r["text"])
        assert e["tone"] == pytest.approx(v, abs=1e-9)
        assert sum(h["weight"] for h in e["cues"]) == pytest.approx(raw)
        for h in e["cues"]:
            assert h["match"] and h["match"].lower() in r["text"].lower().replace("’", "'")
    s = score_text("Please don't hesitate to ask. Administer 5 mg immediately.")
    cues = " ".join(s["cues"])
    assert "politeness" in cues and "imperative at sentence start" in cues and "absolute" in cues


def test_null_and_empty_text():
    df = tone_frame(pl.DataFrame({"t": [None, "", "ok"]}, schema={"t": pl.Utf8}), "t")
    assert df["tone_t"][0] is None and df["tone_t"][1] == 0.0


def test_tone_filter_keeps_good_pair_and_drops_reversed_or_flat():
    cfg = FilterConfig(meaning_check=False)
    good = filter_frame(frame(pair()), cfg).row(0, named=True)
    assert good["tone_chosen"] > good["tone_rejected"] + 0.2
    assert not {"tone_margin", "chosen_not_supportive"} & set(good["drop_reasons"])
    p = pair()
    reversed_ = pair(chosen=p["rejected"], rejected=p["chosen"])
    r = filter_frame(frame(reversed_), cfg).row(0, named=True)
    assert "tone_margin" in r["drop_reasons"] and "chosen_not_supportive" in r["drop_reasons"] and not r["keep"]
    flat = pair(rejected=p["chosen"])
    r = filter_frame(frame(flat), cfg).row(0, named=True)
    assert r["tone_margin"] == pytest.approx(0) and "tone_margin" in r["drop_reasons"]


# ---------------------------------------------------------------- hostility and lists

CARICATURES = [
    "How quaint. Let me enlighten you: you give the pills with food, honey.",
    "If you must know, I'll spell it out for you: you're too incompetent to run a pill box, so ask for help.",
    "Oh, great, another caregiver who thinks you can just guess insulin doses. Thanks for asking, I guess.",
]


@pytest.mark.parametrize("text", CARICATURES)
def test_hostile_text_is_never_supportive_or_neutral(text):
    from filters.tone import NEUTRAL, label

    e = explain(text)
    assert e["tone"] < -NEUTRAL and label(e["tone"]) == "prescriptive" and e["capped"], e
    # the same text under the baseline score reads neutral or better: the cap is what moved it
    assert explain(text, hostility=False, lists=False)["tone"] > e["tone"]


def test_hostile_spans_earn_no_supportive_points():
    e = explain("I'll spell it out for you, sweetie.")
    supportive = [h for h in e["cues"] if h["weight"] > 0]
    assert not any("for you" in h["match"].lower() for h in supportive), e["cues"]
    assert any(h["cue"] == "hostile: spell it out" and "for you" in h["match"] for h in e["cues"])
    # ... while "for you" outside a hostile span still counts
    assert any(h["cue"] == "together" for h in explain("A short note for you.")["cues"])


LIST_SUPPORTIVE = ("It's a lot to carry, and you're doing well. A few ideas that might help:\n"
                   "1. Write the day's plan on a whiteboard.\n2. Set a gentle alarm for her pills.\n"
                   "3. Keep a notebook of questions for the doctor.\n4. Ask a neighbor to sit with her on Tuesdays.")
LIST_BULLETS = ("Bathing can be stressful for both of you. Some gentle tips, if they help:\n"
                "- Warm the bathroom first.\n- Use a hand-held shower.\n- Let her hold the washcloth.")
LIST_COMMANDS = "1. Take metformin with meals.\n2. Check glucose before breakfast.\n3. Record every reading.\n4. Report values over 300 mg/dL."
BULLET_COMMANDS = "Instructions:\n- Install grab bars.\n- Remove throw rugs.\n- Keep the hallway lit at night."


def test_supportive_lists_are_judged_by_framing_not_per_item():
    from filters.tone import LIST_SOFT, NEUTRAL

    for text in (LIST_SUPPORTIVE, LIST_BULLETS):
        e = explain(text)
        assert e["tone"] > NEUTRAL and e["list"] == "supportive framing", e
        items = [h for h in e["cues"] if h["group"] == "list imperative"]
        assert items and all(h["weight"] == pytest.approx(-1.0 * LIST_SOFT) for h in items)
        assert sum(h["weight"] for h in e["cues"]) == pytest.approx(e["raw"])
    assert explain(LIST_SUPPORTIVE, hostility=False, lists=False)["tone"] < explain(LIST_SUPPORTIVE)["tone"]


def test_bare_lists_of_commands_stay_prescriptive():
    from filters.tone import NEUTRAL

    for text in (LIST_COMMANDS, BULLET_COMMANDS):
        e = explain(text)
        assert e["tone"] < -NEUTRAL and e["list"] == "commands", e
        assert all(h["weight"] <= -1.0 for h in e["cues"] if h["group"] == "list imperative")
    # the baseline marking missed bullets after a colon; the list-aware marking counts every item
    assert explain(BULLET_COMMANDS)["tone"] < explain(BULLET_COMMANDS, hostility=False, lists=False)["tone"]


def test_list_and_hostility_handling_match_vectorized_score():
    texts = [LIST_SUPPORTIVE, LIST_BULLETS, LIST_COMMANDS, BULLET_COMMANDS, *CARICATURES]
    vec = tone_frame(pl.DataFrame({"t": texts}), "t")
    base = tone_scores(texts, hostility=False, lists=False)
    for t, v, raw, b in zip(texts, vec["tone_t"], vec["tone_raw_t"], base):
        e = explain(t)
        assert e["tone"] == pytest.approx(v, abs=1e-9) and e["raw"] == pytest.approx(raw)
        assert explain(t, hostility=False, lists=False)["tone"] == pytest.approx(b, abs=1e-9)


def test_inline_numbered_list_reads_as_a_list():
    """A how-to list written on one line ("You might try: 1. ... 2. ...") is judged by its framing like the same
    list on separate lines; without list handling its leading verbs each count as a full imperative."""
    inline = ("Getting her to drink enough can be tricky. You might try: 1. Offer small cups often. 2. Keep a "
              "favorite drink within reach. 3. Have a drink together, so it feels social.")
    lines = inline.replace(": 1.", ":\n1.").replace(". 2.", ".\n2.").replace(". 3.", ".\n3.")
    a, b = tone_scores([inline, lines])
    assert a == pytest.approx(b, abs=0.05) and a > 0.2
    assert tone_scores([inline], lists=False)[0] < a - 0.2
    assert "Offer" in inline and explain(inline)["tone"] == pytest.approx(a)


def test_empathy_is_not_obligation():
    t = "Watching him change from hour to hour must be so hard. You need rest too."
    e = explain(t)
    assert {c["cue"] for c in e["cues"]} >= {"empathic must", "what you need"} and e["tone"] > 0.2
    assert explain("You must give 5 mg at bedtime.")["tone"] < 0


# ---------------------------------------------------------------- supportive vs neutral, and the learned part


@pytest.mark.parametrize("text", [  # written for these tests: supportive moves the earlier cues missed
    "It makes sense that you're nervous before the scan. Bringing a friend along can make it feel less daunting.",
    "You're right to ask about his feet. A podiatrist can check them and trim his nails safely.",
    "Hearing the word hospice can be a shock. Take your time; nothing has to be decided today.",
    "These small changes might make bath time calmer:\n- Warm the room first.\n- Let her hold the sponge.",
    "When she repeats the same question, you could:\n1. Answer calmly.\n2. Write the answer on a card.",
    "It's not selfish to want a night off. Would it help to ask her sister to cover one evening?",
    "His good and bad days sound really hard to plan around. A simple diary might help the neurologist.",
])
def test_supportive_moves_read_supportive(text):
    assert explain(text)["tone"] > 0.2, explain(text)


@pytest.mark.parametrize("text", [  # definitions: "care" as a service and words of frequency are not warmth
    "Respite care offers short-term relief for the usual carer and typically lasts a few hours to a few weeks.",
    "Hospice care focuses on comfort for people with a life-limiting illness and is often provided at home.",
    "Older adults often sleep more lightly and wake more during the night.",
])
def test_definitions_rank_below_supportive_answers(text):
    from filters.tone import CUES

    e = explain(text)
    assert not any(c["cue"] == "warm word" and c["match"].lower() == "care" for c in e["cues"]), e
    weight = {c.name: c.weight for c in CUES}
    assert weight["care service"] == 0 and weight["frequency"] < weight["hedge"]
    supportive = "That sounds exhausting, and it's completely understandable to feel worn out."
    assert e["tone"] < 0.45 and e["tone"] < explain(supportive)["tone"] - 0.3, e


def test_doses_is_not_a_medical_term():
    assert not any(c["cue"] == "medical term" for c in explain("Keep a note of the doses he takes.")["cues"])


def test_kindness_sums_acknowledging_and_reassuring_cues():
    from filters.tone import KIND_GROUPS, kindness

    texts = ["That's completely understandable, and it's not your fault.", "Give 5 mg at bedtime.", "", None,
             "I can hear how worried you are. Would it help to call the nurse line?"]
    k = kindness(pl.Series(texts, dtype=pl.Utf8))
    for t, v in zip(texts, k):
        e = explain(t or "", hostility=False)
        assert v == pytest.approx(sum(c["weight"] for c in e["cues"] if c["group"] in KIND_GROUPS))
    assert k[0] >= 3 and k[1] == k[2] == k[3] == 0 and k[4] > 0


def test_learned_part_acts_on_tone_only_through_the_cap(tmp_path, monkeypatch):
    """Below the hostility threshold the learned n-gram part takes nothing off the tone (a kind answer that shares a
    few n-grams with sneers stays supportive); a text it makes hostile is capped below the neutral band."""
    from filters import _hostility_ngrams as G
    from filters import hostility as H
    from filters.tone import NEUTRAL

    p = tmp_path / "w.json"
    p.write_text(json.dumps({"n": 1, "intercept": 0.0, "k": 1.0, "t": 1.0, "weights": {"sting": 0.5, "genius": 3.0}}))
    monkeypatch.setattr(G, "load", lambda path=None, _m=G.load(str(p)): _m)
    kind = "Hearing him call you by his sister's name must sting. It's not something he does on purpose."
    sneer = "Well done, genius. The pills go in his mouth, not the bin."
    df = pl.DataFrame({"t": [kind, sneer]})
    cues, extra = H.raw_parts(df, "t")
    assert cues[0] == 0 and 0 < extra[0] < G.LN2  # something added to the kind text, but not enough to flag it
    with_learned = tone_frame(df, "t")["tone_t"].to_list()
    # the stage passes the full raw score; the tone takes the cue part off, the learned part only caps
    from_stage = tone_frame(df, "t", hostile_raw=cues + extra)["tone_t"].to_list()
    without = tone_frame(df, "t", hostile_raw=cues)["tone_t"].to_list()
    assert with_learned == pytest.approx(from_stage) and with_learned[0] == pytest.approx(without[0])
    assert with_learned[0] > NEUTRAL
    assert H.squash(cues[1] + extra[1]) >= H.HOSTILE and with_learned[1] < -NEUTRAL
    for t, v in zip([kind, sneer], with_learned):
        e = explain(t)
        assert e["tone"] == pytest.approx(v, abs=1e-9) and sum(h["weight"] for h in e["cues"]) == pytest.approx(e["raw"])
