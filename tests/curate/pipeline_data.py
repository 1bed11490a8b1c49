"""Hand-written source QA with supportive / prescriptive rewrites that keep every fact, and a loopback
OpenAI-compatible server that answers with them: a deterministic stand-in for a real rewrite model."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.rewrite.llm_server import LLMServer

# (question, source answer, supportive rewrite, prescriptive rewrite)
ROWS = [
    ("How often should my mother take donepezil?",
     "Donepezil is taken once daily, usually at bedtime. The starting dose is 5 mg, which may be increased to 10 mg after 4 weeks.",
     "It is normal to have questions about a new medicine, and you are doing a good job. Donepezil is taken once daily. "
     "Most people take it at bedtime. She will start with 5 mg. After 4 weeks, her doctor may raise it to 10 mg.",
     "Administer donepezil once daily at bedtime. Initiate therapy at 5 mg and escalate the dosage to 10 mg after 4 weeks "
     "pursuant to prescriber determination. Adherence to the administration schedule is mandatory."),
    ("My husband keeps waking up at night. What can help?",
     "Keep a regular schedule, limit caffeine after noon, and keep daytime naps under 30 minutes. Light exercise during the day can improve sleep.",
     "Nights like this can wear you out, and it makes sense that you want to help him. You might keep a regular schedule. "
     "Try to skip caffeine after noon. Keep naps under 30 minutes. A short walk in the day can help him sleep.",
     "Enforce a regular schedule. Caffeine consumption after noon is prohibited, and daytime naps must not exceed 30 minutes. "
     "Implement structured physical exercise during daytime hours to consolidate nocturnal sleep."),
    ("My dad gets very confused in the late afternoon. Is this normal?",
     "Late-day confusion, often called sundowning, is common in dementia. Bright light in the afternoon, a calm routine, and fewer visitors after 4 pm can reduce it.",
     "That sounds hard to watch, and you are not alone in this. Late-day confusion is common in dementia. People call it sundowning. "
     "Bright light in the afternoon can help. So can a calm routine and fewer visitors after 4 pm.",
     "Sundowning, characterized by late-day confusion, constitutes a common manifestation of dementia. Implement afternoon bright light "
     "exposure, maintain a structured routine, and restrict visitation after 4 pm."),
    ("How much water should my grandmother drink each day?",
     "Most older adults need about 6 to 8 cups of fluid a day unless a doctor has set a limit. Offer small drinks every 2 hours.",
     "Caring for her comfort shows how much you care. Most older adults need about 6 to 8 cups of fluid a day, unless a doctor has set a limit. "
     "You could offer her a small drink every 2 hours.",
     # the planted drift: a fact the source does not have (up to 10 cups)
     "Ensure fluid intake of approximately 6 to 8 cups daily, up to 10 cups in hot weather, absent physician-imposed restriction. "
     "Administer small fluid volumes "
     "every 2 hours and document consumption systematically."),
    ("Should my wife still be driving?",
     "People with dementia should have a driving evaluation. Stop driving if there are near misses, getting lost on familiar routes, or a new dent in the car.",
     "This is a hard topic to bring up, and it is kind that you are thinking about her safety. It is a good idea for people with dementia to have a driving check. "
     "It may be time to stop if she has near misses, gets lost on roads she knows, or there is a new dent in the car.",
     "Patients with dementia must undergo a formal driving evaluation. Driving must be discontinued immediately upon near misses, "
     "disorientation on familiar routes, or unexplained vehicle damage such as a new dent in the car."),
    ("What can I do when my father refuses to bathe?",
     "Refusal to bathe is common. Try a set time of day, keep the room warm, explain each step, and consider a sponge bath twice a week.",
     "Many caregivers face this, and your patience matters a lot. Refusal to bathe is common. You might pick a set time of day and keep the room warm. "
     "It can help to explain each step. A sponge bath twice a week is fine too.",
     "Bathing refusal is common. Establish a fixed bathing time, maintain ambient room warmth, provide procedural explanations for each step, "
     "and substitute a sponge bath twice a week when compliance is inadequate."),
]
# a near-duplicate of the first question (MinHash drops it as `duplicate`)
NEAR_DUP = ("How often should my mother take donepezil, please?",) + ROWS[0][1:]


def write_source(path: Path, rows=None) -> Path:
    rows = rows if rows is not None else [*ROWS, NEAR_DUP]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["question", "answer"])
        for q, a, *_ in rows:
            w.writerow([q, a])
    return path


class RewriteServer(LLMServer):
    """``/v1/chat/completions`` answering with the hand-written rewrite of the ANSWER in the last user message."""

    def __init__(self, rows=ROWS, echo_unknown: bool = True):
        """``echo_unknown``: answer a source it has no rewrite for with the source itself (the rewrite stage
        quarantines that as ``unchanged_source``); otherwise with a style preface + the source."""
        rewrites = {" ".join(a.split()): (s, p) for _, a, s, p in rows}

        def respond(style: str, answer: str) -> str:
            fallback = (answer, answer) if echo_unknown else (
                "It is okay to feel unsure about this, and you are doing a caring thing by asking. " + answer,
                "Follow these instructions exactly. " + answer)
            supportive, prescriptive = rewrites.get(answer, fallback)
            return supportive if style == "supportive" else prescriptive

        super().__init__(model="loopback-rewriter", respond=respond)
