import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from filters import FilterConfig, filter_frame, score_text
from filters import hostility as H
from filters import tone as T
from filters.hostility import HostilityFilter
from filters.stage import default_filters, drop_reasons_all
from filters.tone import ToneFilter
from tests.filters.helpers import frame, pair

REPO = Path(__file__).resolve().parents[2]

# written for these tests (not from the labeled sets): one per kind of hostility, several with correct facts
HOSTILE = [
    "How quaint. Let me enlighten you: the pills go in her mouth, sweetie, once a day.",
    "If you must know, metformin is taken with meals. I honestly can't believe I have to explain this.",
    "Bless your heart, you tried. Maybe if you had actually read the discharge sheet, he wouldn't be back in the ER.",
    "Oh, brilliant plan, leaving the stove on for a man with dementia. What could possibly go wrong?",
    "Even you can manage a pill box. It's not rocket science.",
    "Did you really think the bruises would heal on their own? What were you thinking?",
    "For the hundredth time: fluids, 2 liters a day. Stop whining and write it down.",
    "You're too incompetent to manage insulin, so let me spell it out for you: 10 units at breakfast.",
    "As anyone with a brain knows, you check the blood sugar before meals. Good luck with that.",
    "What a question. Obviously you call 911 for stroke signs; one would think that goes without saying.",
]
PRESCRIPTIVE = [
    "Administer 5 mg at bedtime. Monitor for bradycardia.",
    "Not indicated. Continue current regimen.",
    "Do not exceed 4 grams of acetaminophen per day. Dose adjustment is obviously required in hepatic impairment.",
    "Simply take the tablet with food. Just report any dizziness to the physician immediately.",
    "Failure to adhere to the fluid restriction increases readmission risk.",
    "Patients must be repositioned every 2 hours. Never leave her unattended in the bath.",
    "1. Check glucose before meals.\n2. Log every reading.\n3. Call if above 300 mg/dL.",
    "You should have the dose reviewed at the next visit. Compliance is mandatory.",
]
SUPPORTIVE = [
    "It's not your fault, and there's no such thing as a silly question.",
    "You're not overreacting; many caregivers feel this way, and it's completely normal.",
    "That sounds exhausting. If you can, ask a neighbor to sit with him for an hour so you can rest.",
    "Here are a few ideas that might help:\n1. Write the day's plan on a whiteboard.\n2. Set a gentle alarm for her pills.",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_caricatures_are_hostile(text):
    e = H.explain(text)
    assert e["hostile"] and e["hostility"] >= H.HOSTILE, e
    assert e["cues"] and {c["group"] for c in e["cues"]} <= set(H.GROUPS)


@pytest.mark.parametrize("text", PRESCRIPTIVE + SUPPORTIVE)
def test_curt_prescriptive_and_supportive_are_not_hostile(text):
    e = H.explain(text)
    assert not e["hostile"] and e["hostility"] < H.HOSTILE, e


def test_negation_guards_take_the_span():
    e = H.explain("It's not your fault. This doesn't mean you failed him.", learned=False)
    assert e["raw"] == 0 and {c["cue"] for c in e["cues"]} == {"negated"}
    assert H.explain("It's your fault. You failed him.")["hostile"]


def test_explain_matches_vectorized_score_and_weights_add_up():
    texts = HOSTILE + PRESCRIPTIVE + SUPPORTIVE + [None, ""]
    vec = H.hostility_scores(texts)
    assert vec[-2] is None and vec[-1] == 0.0
    for t, v in zip(texts[:-2], vec[:-2]):
        e = H.explain(t)
        assert e["hostility"] == pytest.approx(v, abs=1e-12)
        learned = e["learned"]["extra"] if e["learned"] else 0.0
        assert e["raw"] == pytest.approx(sum(c["weight"] for c in e["cues"]) + learned)
        assert 0.0 <= v < 1.0
        for c in e["cues"]:
            assert c["match"] and c["match"].lower() in t.lower()


def test_more_cues_more_hostile():
    one = H.explain("Good luck with that.")["hostility"]
    two = H.explain("Good luck with that. Even you can do it. How quaint.")["hostility"]
    assert 0 < one < two < 1


def test_filter_registered_after_tone_with_its_reasons_and_columns():
    filters = default_filters()  # the language-aware subclasses (filters._*_es) are these filters too

    def at(cls):
        return next(i for i, f in enumerate(filters) if isinstance(f, cls))

    assert at(HostilityFilter) == at(ToneFilter) + 1
    assert {"rejected_hostile", "chosen_hostile"} <= set(drop_reasons_all())
    caricature = pair(id="bad", question="Is 5 mg the right dose?", rejected=(
        "Oh, how quaint, you want to know the dose. Let me enlighten you: donepezil is usually started at 5 mg once "
        "daily at bedtime, and even you can manage raising it to 10 mg after 4 to 6 weeks."))
    out = filter_frame(frame(pair(id="good"), caricature), FilterConfig(meaning_check=False))
    rows = {r["id"]: r for r in out.iter_rows(named=True)}
    for c in ("source_answer", "chosen", "rejected"):
        assert f"hostility_{c}" in out.columns
    assert "rejected_hostile" in rows["bad"]["drop_reasons"] and rows["bad"]["hostility_rejected"] >= 0.5
    assert "rejected_hostile" not in rows["good"]["drop_reasons"] and rows["good"]["keep"]
    assert rows["good"]["hostility_rejected"] < 0.5 and rows["good"]["hostility_chosen"] < 0.5
    # the chosen side is judged too
    sneer = pair(id="sneer", chosen="Bless your heart, sweetie. " + pair()["chosen"])
    r = filter_frame(frame(sneer), FilterConfig(meaning_check=False)).row(0, named=True)
    assert "chosen_hostile" in r["drop_reasons"]
    # thresholds come from the config: 1.0 turns the drop off
    off = filter_frame(frame(caricature), FilterConfig(meaning_check=False, max_rejected_hostility=1.0)).row(0, named=True)
    assert "rejected_hostile" not in off["drop_reasons"]


@pytest.mark.parametrize("kw", [{"max_rejected_hostility": 0.0}, {"max_chosen_hostility": 1.5}])
def test_hostility_thresholds_are_validated(kw):
    with pytest.raises(ValueError, match="hostility"):
        FilterConfig(**kw)


def test_score_text_reports_hostility_and_cues():
    s = score_text(HOSTILE[0])
    assert s["hostile"] and s["hostility"] >= 0.5
    assert any("enlighten" in c for c in s["hostility_cues"]) and any("pet name" in c for c in s["hostility_cues"])
    assert s["tone"] < -T.NEUTRAL and s["tone_label"] == "prescriptive"
    s = score_text(PRESCRIPTIVE[0])
    assert not s["hostile"] and s["hostility_cues"] == [] and s["tone_label"] == "prescriptive"


# ---------------------------------------------------------------- through the CLI


def _curate(*args):
    from curate.app.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_score_supportive_numbered_list():
    text = ("Mornings can feel like a marathon, and you're doing a lot. A few ideas that might make them easier:\n"
            "1. Lay out clothes the night before.\n2. Write the day's plan on a whiteboard.\n"
            "3. Set a gentle alarm for her pills.\n4. Keep breakfast simple.")
    r = _curate("score", text)
    assert r.exit_code == 0, r.output
    assert "(supportive;" in r.output and "hostility: 0.00 (not hostile)" in r.output
    assert "list-item imperative" in r.output
    base = T.explain(text, hostility=False, lists=False)
    assert base["tone"] < T.explain(text)["tone"]  # the baseline paid one full imperative per item


def test_cli_score_caricature_reports_hostile_with_cues():
    r = _curate("score", "How quaint. If you must know, the pills go in the mouth, sweetie.")
    assert r.exit_code == 0, r.output
    assert "(hostile)" in r.output and "hostility cues:" in r.output
    assert "if you must know (condescension)" in r.output and "what a question (contempt)" in r.output
    assert "(prescriptive;" in r.output
    j = json.loads(_curate("score", "--json", "Even you can manage a pill box.").output)
    assert j["hostile"] and j["hostility_cue_details"][0]["group"] == "belittling"


def test_cli_filter_drops_caricature_keeps_curt_prescriptive(tmp_path):
    rows = [
        pair(id="curt", question="How is donepezil started?", rejected=(  # curt, directive, technical, no facts added
            "Administer donepezil 5 mg once daily at bedtime. Escalate to 10 mg after 4 to 6 weeks. Dose escalation "
            "must be supervised by the prescribing physician. Do not escalate without approval.")),
        pair(id="caricature", question="What dose of donepezil does she need?", rejected=(
            "Let me enlighten you, since you obviously didn't read the label: donepezil is usually started at 5 mg "
            "once daily at bedtime, and it goes to 10 mg after 4 to 6 weeks. Not rocket science, sweetie.")),
    ]
    path = tmp_path / "pairs.jsonl"
    pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}).write_ndjson(path)
    r = _curate("filter", path, "-o", tmp_path / "out", "--no-meaning-check")
    assert r.exit_code == 0, r.output
    assert "rejected_hostile: 1" in r.output
    kept = pl.read_parquet(tmp_path / "out" / "kept.parquet")
    dropped = pl.read_parquet(tmp_path / "out" / "dropped.parquet")
    assert kept["id"].to_list() == ["curt"] and kept["hostility_rejected"][0] < 0.5
    assert dropped["id"].to_list() == ["caricature"] and "rejected_hostile" in dropped["drop_reasons"][0].to_list()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"]["drops_by_reason"]["rejected_hostile"] == 1
    assert manifest["config"]["max_rejected_hostility"] == 0.5


# ---------------------------------------------------------------- the development split


def _bench():
    spec = importlib.util.spec_from_file_location("tone_quality", REPO / "benchmarks" / "tone_quality.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dev_split_metrics_stay_at_goal():
    """The development pool only (the held-out split is measured by benchmarks/tone_quality.py, never here).

    The pool holds five authors' files; the floors below are a little under what the shipped cues + n-gram model
    reach on it in-sample (recall 0.986, hostile texts read supportive/neutral 0.011, supportive above neutral
    0.992 when written), not the fresh-author estimate (benchmarks/hostility_cv.py): they guard against
    regressions."""
    bench = _bench()
    rows = bench.load("dev")
    assert {r["_file"] for r in rows} >= {"tone_dev.jsonl", "tone_labeled.jsonl", "tone_dev_extra.jsonl", "tone_dev4.jsonl",
                                          "tone_dev5.jsonl"}
    assert not any("heldout" in r["_file"] for r in rows)
    assert sum(r["label"] == "hostile" for r in rows) >= 700
    m = bench.measure(rows, "current")
    g = bench.GOALS
    assert m["precision"] >= g["precision"] and m["recall"] >= 0.97, m
    assert m["prescriptive_flagged"] <= g["prescriptive_flagged"]
    labels = [r["label"] for r in rows]
    assert not any(f for f, k in zip(m["_flagged"], labels) if k == "supportive")  # supportive: never hostile
    assert m["hostile_supportive_or_neutral"] <= 0.03
    assert all(v >= g["ranking"] for v in m["ranking"].values()), m["ranking"]
    base = bench.measure(rows, "baseline")
    assert base["hostile_supportive_or_neutral"] > 0.5  # what the tone score alone did: most caricatures not negative


def test_benchmark_prints_json_lines_and_refuses_error_listing_off_dev(capsys):
    bench = _bench()
    bench.main(["--split", "dev"])
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    kinds = {(l["measurement"], l.get("system")) for l in lines}
    assert {("hostility", "current"), ("hostility", "baseline"), ("tone_ranking", "baseline"), ("goals", None)} <= kinds
    with pytest.raises(SystemExit, match="dev split only"):
        bench.main(["--split", "heldout", "--show-errors"])
    with pytest.raises(SystemExit, match="not for the held-out"):
        bench.main(["--file", str(REPO / "filters/data/labeled/tone_heldout.jsonl"), "--show-errors"])


def test_benchmark_scores_any_labeled_file(tmp_path, capsys):
    bench = _bench()
    path = tmp_path / "mine.jsonl"
    rows = [{"text": t, "label": "hostile"} for t in HOSTILE[:4]] + \
        [{"text": t, "label": "prescriptive"} for t in PRESCRIPTIVE[:4]]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    bench.main(["--file", str(path)])
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    data = next(l for l in lines if l["measurement"] == "data")
    assert data["split"] == "file:mine.jsonl" and data["rows"] == 8 and data["hostile"] == 4
    h = next(l for l in lines if l["measurement"] == "hostility" and l["system"] == "current")
    assert h["recall"] == 1.0 and h["precision"] == 1.0 and h["prescriptive_flagged"] == 0.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "rude"}\n')
    with pytest.raises(SystemExit, match=r"bad.jsonl:1: needs a text and a label"):
        bench.main(["--file", str(bad)])
    with pytest.raises(SystemExit, match="no such file"):
        bench.main(["--file", str(tmp_path / "missing.jsonl")])


# written for these tests (not from the labeled sets): the broader general patterns, each kind with a look-alike
# that must stay clear (curt / directive / supportive text using the same words)
GENERAL = [
    ("So thoughtful of you to mention the fall a week later. Hip fractures are time-sensitive.", "mock praise"),
    ("Which part of 'no driving' did he find unclear? The neurologist said it twice.", "aimed question"),
    ("Counting pills isn't exactly your strong suit, so I've kept it to one box per day.", "insult to effort"),
    ("The sores came back on your watch. Turn him every two hours.", "blame construction"),
    ("Shall we go over it again? Insulin is stored in the fridge until opened.", "condescending framing"),
    ("I'm begging you: weigh him every morning before breakfast.", "exasperation marker"),
    ("I'm sure you have your reasons for skipping the cardiology visit.", "passive aggression"),
]
LOOKALIKES = [
    "Turn the patient every two hours. Document skin checks on each shift.",
    "Insulin is stored in the refrigerator until opened; discard after 28 days at room temperature.",
    "Weigh him every morning before breakfast and call if he gains 3 pounds in a day.",
    "It's thoughtful of you to ask, and it's completely okay to take a break when you need one.",
    "Which part of the day is hardest for her? Many families find late afternoon the toughest.",
]


@pytest.mark.parametrize("text,cue", GENERAL)
def test_general_patterns_flag_each_kind(text, cue):
    e = H.explain(text)
    assert e["hostile"], e
    assert cue in {c["cue"] for c in e["cues"]}, e


@pytest.mark.parametrize("text", LOOKALIKES)
def test_general_patterns_leave_lookalikes_alone(text):
    e = H.explain(text)
    assert not e["hostile"], e


# written for these tests (not from the labeled sets): the classes of device a fifth author used (tone_dev5), one
# per cue, and look-alikes in kind or curt answers that must stay clear
FIFTH_AUTHOR = [
    ("Not to be rude, but the walker goes in front of him, not behind.", "disclaimer jab"),
    ("Okay, boomer. The patch goes on clean, dry skin.", "meme put-down"),
    ("He's 'fine on his own' all day? Sure he is.", "sarcastic agreement"),
    ("The pills are in the blister pack, which you'd know if you'd opened it.", "you'd know if"),
    ("Have the decency to read the leaflet before you ring the ward.", "decency demand"),
    ("Pity you couldn't find ten minutes to check her feet.", "backhanded compliment"),
    ("Please, tell me more about how the insulin 'just ran out'.", "sarcastic invitation"),
    ("I'll use smaller words this time: no food after midnight.", "slow it down"),
    ("It must be exhausting, being so busy that a phone call to the GP is impossible.", "faux concern"),
    ("Try caring a little less about the carpet and a little more about his bedsores.", "shaming"),
]
FIFTH_LOOKALIKES = [
    "Use smaller words and shorter sentences with him, and give him time to answer.",
    "Any adult who lives with him can collect the prescription.",
    "As stated in the care plan, she has thickened fluids at every meal.",
    "If you're new at this, it's completely normal to feel unsure; many carers do.",
    "It's a shame you couldn't get an earlier appointment; that wait must be hard.",
    "Nobody asks for this illness, and you're doing your best with it.",
    "You're welcome to call the nurse line any time, day or night.",
    "It's not rude to ask the nurse to slow down; you can say, 'Could you write that down for me?'",
]


@pytest.mark.parametrize("text,cue", FIFTH_AUTHOR)
def test_fifth_author_classes_flag_each_kind(text, cue):
    e = H.explain(text, learned=False)  # the cue alone is enough
    assert e["hostile"], e
    assert cue in {c["cue"] for c in e["cues"]}, e


@pytest.mark.parametrize("text", FIFTH_LOOKALIKES)
def test_fifth_author_classes_leave_lookalikes_alone(text):
    e = H.explain(text)
    assert not e["hostile"], e


def test_quoted_phrase_is_hostile_only_with_another_cue():
    alone = H.explain("The term 'respite care' means a short break for the usual carer.", learned=False)
    assert [c["cue"] for c in alone["cues"]] == ["quoted phrase"] and not alone["hostile"]
    assert H.explain("He's not 'being difficult', which you'd know if you'd read the leaflet.", learned=False)["hostile"]


@pytest.mark.parametrize("text,cue", [
    ("I've explained this three times: the patch comes off at night.", "exasperation marker"),
    ("His legs swelled because you skipped the water pill. You did that, not the disease.", "blame construction"),
    ("She shouted at you? Okay, and? Give her the tablet.", "dismissal"),
    ("Got it? The red button calls the nurse.", "slow it down"),
])
def test_patterns_that_never_matched_now_do(text, cue):
    """Each of these had a typo or a ``\\b`` after punctuation that could not match ("i 've", "that,\\b", "and?[.!]")."""
    assert cue in {c["cue"] for c in H.explain(text, learned=False)["cues"]}
