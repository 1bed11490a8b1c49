from __future__ import annotations

import pytest

from rewrite.styles import load_styles
from rewrite.validate import strip_meta, validate_output

SRC = "Donepezil is usually started at 5 mg once daily at bedtime and may be increased to 10 mg after 4 to 6 weeks."
Q = "What dose of donepezil is used?"
INSTR = load_styles()["supportive"].instructions


def v(text, finish="stop", error=None):
    return validate_output(text, finish_reason=finish, error=error, question=Q, source_answer=SRC, instructions=INSTR,
                           min_length_ratio=0.35, max_length_ratio=3.0)


GOOD = "It is normal to have questions. Donepezil usually starts at 5 mg once a day at bedtime, and may go up to 10 mg after 4 to 6 weeks."


@pytest.mark.parametrize("raw", [
    GOOD,
    "Sure! Here is the rewritten answer: " + GOOD,
    "Here's a more supportive version:\n\n" + GOOD,
    "Rewritten answer: " + GOOD + "\n\nI hope this helps!",
    '"' + GOOD + '"',
])
def test_good_outputs_pass_with_meta_text_stripped(raw):
    out = v(raw)
    assert out.ok and out.text == GOOD


@pytest.mark.parametrize("raw,finish,error,reason", [
    ("", "stop", None, "empty_output"),
    ("   \n ", "stop", None, "empty_output"),
    (GOOD, "length", None, "truncated"),
    (None, None, "HTTP 500", "backend_error"),
    ("Here is the rewritten answer:", "stop", None, "meta_text_only"),
    ("As an AI language model, I cannot give medical advice. " + GOOD, "stop", None, "meta_text"),
    ("QUESTION: " + Q + "\nANSWER: " + SRC, "stop", None, "echo_instructions"),
    ("Rewrite the ANSWER so it is supportive and easy to read for a tired, worried family caregiver. " + GOOD, "stop", None, "echo_instructions"),
    (Q, "stop", None, "echo_question"),
    (SRC.upper(), "stop", None, "unchanged_source"),
    ("Take 5 mg.", "stop", None, "too_short"),
    (" ".join([GOOD] * 5), "stop", None, "too_long"),
])
def test_bad_outputs_get_a_named_reason(raw, finish, error, reason):
    out = v(raw, finish, error)
    assert not out.ok and out.reason == reason and out.text is None


def test_copy_of_a_few_shot_example_is_rejected():
    spec = load_styles()["supportive"]
    examples = [ex["output"] for ex in spec.few_shot]
    copied = " ".join(examples[1].split())
    out = validate_output(copied, finish_reason="stop", error=None, question=Q, source_answer=SRC, instructions=INSTR,
                          min_length_ratio=0.35, max_length_ratio=3.0, examples=examples)
    assert out.reason == "echo_example"
    fine = validate_output(GOOD, finish_reason="stop", error=None, question=Q, source_answer=SRC, instructions=INSTR,
                           min_length_ratio=0.35, max_length_ratio=3.0, examples=examples)
    assert fine.ok


@pytest.mark.parametrize("text", [
    "Here in the early stage, most people keep living at home. Answer calls calmly.",
    "Memantine starts at 5 mg.\nNote: do not exceed 28 mg daily.",             # a clinical note is content
    "Note: memantine starts at 5 mg once daily and rises weekly.",
    "Here is a schedule for 10 mg: take it with breakfast every day.",         # lead part carries a dose
    "Take it with food. Let me know if the dose of 10 mg causes nausea, your doctor may adjust it.",
])
def test_strip_meta_never_removes_content(text):
    assert strip_meta(text) == text


def test_strip_meta_removes_notes_about_the_rewrite():
    assert strip_meta("Keep water nearby and offer it often.\n\nNote: this version uses simpler words.") == \
        "Keep water nearby and offer it often."
