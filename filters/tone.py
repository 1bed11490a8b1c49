"""Tone: a transparent supportive-vs-prescriptive score in [-1, 1].

Every cue is a named regular expression with a weight (positive = supportive, negative = prescriptive),
valid both in Python ``re`` (to explain one text) and in polars' Rust regex (to score millions):

* supportive: acknowledging feelings, reassurance (incl. negated imperatives such as "don't worry" and
  "you should feel proud", which *offset* the imperative / modal cue they also match), hedges and
  invitations, politeness, second-person support and warm first-person engagement, contractions.
* prescriptive: imperatives at the start of a sentence or bullet, obligation modals (must / should /
  need to / it is essential that), absolutes (immediately, strictly, never), impersonal clinical phrasing
  ("patients should", "the patient"), clinical passive voice ("is administered", "is contraindicated"),
  clinical register and jargon (medical suffixes, very long words), threats of consequences.

``raw = sum(weight x count)`` is divided by ``sqrt(sentences)`` (so a long answer is not more extreme just
for being long) and squashed: ``tone = tanh(raw_per_sentence / TEMPERATURE)``.  ``explain(text)`` returns
every matched cue with its weight, so a reviewer sees why a text scored as it did.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import polars as pl

TEMPERATURE = 1.5

_START = r"(?:^|[.!?;:]['\")\]]?\s+|\n\s*(?:[-*•]\s*|\d+[.)]\s*)?)"  # start of a sentence / line / bullet

_IMPERATIVE_VERBS = (
    "Take|Give|Avoid|Stop|Start|Begin|Ensure|Make|Monitor|Check|Call|Contact|Consult|Seek|Limit|Reduce|Increase|"
    "Decrease|Keep|Maintain|Follow|Use|Apply|Administer|Discontinue|Report|Record|Document|Schedule|Remove|Restrict|"
    "Eat|Drink|Exercise|Wash|Store|Get|Go|Tell|Inform|Notify|Bring|Write|Watch|Observe|Assess|Evaluate|Provide|"
    "Perform|Implement|Establish|Supervise|Lock|Install|Put|Set|Place|Move|Read|Lower|Raise|Measure|Test|Weigh|"
    "Wear|Rinse|Clean|Dispose|Return|Continue|Complete|Adhere|Comply|Refrain|Minimize|Eliminate|Prevent|Obtain|"
    "Verify|Review|Confirm|Reassess|Redirect|Withhold|Titrate|Hold|Skip|Prohibit|Arrange|Attend|Cut|Switch|Replace|"
    "Track|Log|Count|Double-check|Label|Organize|Organise|Plan|Prepare|Prioritize|Remind|Restart|Resume|Inspect|"
    "Escalate|Check-in|Update|Visit|Sit|Stand|Lie|Turn|Push|Pull|Lift|Drive|Quit|Cease|Abstain|Be|Stay|Leave|"
    "Let|Allow|Bathe|Dress|Feed|Change|Empty|Fill|Send|Ask|Speak|Talk|Answer|Respond|Correct|Instruct|Demand|Insist|"
    "Enforce|Assign|Require|Confine|Restrain|Separate|Unplug|Disable|Hide|Secure"  # not "Do": "Do not" is below
)


@dataclass(frozen=True)
class Cue:
    name: str
    group: str  # acknowledge | reassure | hedge | politeness | support | imperative | obligation | ...
    weight: float
    pattern: str


def _w(words: str) -> str:
    return r"(?i)\b(?:" + words + r")\b"


CUES: list[Cue] = [
    # ------------------------------------------------------------------ supportive
    Cue("validation", "acknowledge", 1.5,
        r"(?i)\b(?:it's|it is|that's|that is|this is|it's also|it is also)\s+(?:completely\s+|perfectly\s+|totally\s+|very\s+|so\s+|quite\s+|entirely\s+|really\s+|only\s+|also\s+|absolutely\s+)?(?:understandable|normal|natural|okay|ok|common|valid|human|alright|all right|expected)\b"),
    Cue("sympathy", "acknowledge", 1.5,
        r"(?i)\b(?:i'm|i am|we're|we are)\s+(?:so\s+|very\s+|truly\s+|really\s+)?(?:sorry|glad you|glad to|here (?:for|to))"),
    Cue("naming the difficulty", "acknowledge", 1.5,
        r"(?i)\b(?:that|this|it|caregiving|caring for \w+(?: \w+)?)\s+(?:sounds|must be|must feel|can be|can feel|may feel|may be|might feel|is often|is really|is so|feels|is incredibly|is very|is a lot|can get)\s+(?:\w+\s+)?(?:hard|difficult|tough|stressful|exhausting|frightening|scary|overwhelming|painful|upsetting|heartbreaking|worrying|confusing|lonely|draining|frustrating|challenging|distressing|emotional|a lot)\b"),
    Cue("understanding", "acknowledge", 1.2,
        r"(?i)\b(?:i|we)\s+(?:can\s+|completely\s+|really\s+|truly\s+)?(?:understand|hear you|see how|see why|imagine|know how|know it|know this|get it)\b"),
    Cue("not alone", "acknowledge", 1.5,
        r"(?i)\b(?:you(?:'re| are)\s+not\s+alone|not the only one|many others)\b"),
    Cue("shared experience", "acknowledge", 1.2,
        r"(?i)\b(?:many|most|lots of|a lot of|other|some)\s+(?:caregivers|people|families|family members|carers|parents|others|children|spouses|partners)\s+(?:\w+\s+)?(?:feel|find|experience|struggle|go through|have felt|worry|face|notice|share|feel the same)\b"),
    Cue("feelings are valid", "acknowledge", 1.2,
        r"(?i)\byour\s+(?:feelings|concerns?|worries|frustration|fears?|love|care|questions?|grief|sadness|reaction)\s+(?:are|is)\s+(?:\w+\s+)?(?:valid|understandable|natural|normal|important|completely|real|okay|ok)\b"),
    Cue("naming a feeling", "acknowledge", 0.8,
        r"(?i)\b(?:feel|feeling|felt|feels)\s+(?:so\s+|very\s+|a bit\s+|a little\s+|really\s+)?(?:overwhelmed|tired|frustrated|sad|guilty|worried|anxious|scared|alone|lonely|stressed|exhausted|angry|helpless|hopeless|afraid|uncertain|nervous|upset|heartbroken|burned out|burnt out|drained|torn|confused)\b"),
    Cue("appreciating the question", "acknowledge", 1.0,
        r"(?i)\b(?:great|good|important|thoughtful|very good|excellent|common|really good|understandable)\s+question\b|\bthank(?:s| you) for (?:asking|sharing|reaching out|your question)"),
    Cue("recognizing care", "acknowledge", 1.2,
        r"(?i)\b(?:how much you|clearly|really|obviously|you)\s+(?:care|love)\b|\bit's clear (?:that )?you\b"),
    Cue("praise", "reassure", 1.5,
        r"(?i)\byou(?:'re| are|'ve| have)\s+(?:already\s+|clearly\s+|really\s+)?(?:been\s+)?(?:doing|handling|done|making)\s+(?:a\s+|an\s+|so\s+|really\s+|such\s+a\s+|such\s+)?(?:great|good|wonderful|amazing|fantastic|excellent|fine|brilliant|the right thing|your best|everything you can|well|important|so much|a lot|a difference|real)\b"),
    Cue("negated imperative (reassuring)", "reassure", 2.5,
        r"(?i)\b(?:don't|do not|try not to|no need to|there's no need to|there is no need to)\s+(?:worry|panic|be (?:too |so )?hard on yourself|blame yourself|feel (?:guilty|bad|ashamed|selfish|embarrassed)|be afraid|hesitate|feel you have to|lose hope|give up hope|be discouraged|be alarmed|beat yourself up|be ashamed|be embarrassed)"),
    Cue("supportive should", "reassure", 3.0,
        r"(?i)\b(?:should|must|ought to|deserve to)\s+(?:\w+\s+)?(?:feel|be)\s+(?:\w+\s+)?(?:proud|good about|confident|reassured|hopeful|comfortable|relieved|free to|okay|ok|at peace)\b"),
    Cue("supportive shouldn't", "reassure", 3.0,
        r"(?i)\b(?:should|must|ought to)(?:n't| not)\s+(?:\w+\s+)?(?:feel|be)\s+(?:\w+\s+)?(?:guilty|ashamed|bad|embarrassed|selfish|alone|afraid|responsible for|like a failure)\b"),
    Cue("you don't have to", "reassure", 2.0,
        r"(?i)\byou\s+(?:don't|do not|shouldn't|should not)\s+(?:have|need) to\s+(?:do (?:this|it|everything)|be perfect|have all|handle|carry|go through|face|feel|figure)"),
    Cue("not your fault", "reassure", 2.0,
        r"(?i)\b(?:it's|it is|this is|that's|that is)\s+not\s+(?:your|anyone's)\s+fault\b|\bnothing to (?:be ashamed|feel guilty|feel bad|worry)"),
    Cue("help is available", "reassure", 1.2,
        r"(?i)\b(?:help|support|resources?|people)\s+(?:is|are)\s+(?:\w+\s+)?(?:available|out there|there|here|ready)\b|\bthere (?:is|are|'s)\s+(?:\w+\s+)?(?:help|support|hope|options|ways to|things you can do|people who can help)\b"),
    Cue("things get better", "reassure", 1.2,
        r"(?i)\b(?:things|it|this|life)\s+(?:can|will|may|often|usually|does)\s+(?:\w+\s+)?(?:get|become|feel)\s+(?:\w+\s+)?(?:easier|better|more manageable|lighter)\b"),
    Cue("reassuring word", "reassure", 1.0,
        _w(r"rest assured|the good news|good news|encouraging|reassuring|fortunately|thankfully|luckily|hopefully|you've got this|you can do this|that's okay|that is okay|it's okay|it is okay|it's ok|it's fine|it's alright")),
    Cue("self-care", "reassure", 1.2,
        r"(?i)\b(?:be gentle with|be kind to|take care of|look after|make time for|care for|take a break for|be patient with|forgive)\s+yourself\b|\byour (?:own )?(?:health|wellbeing|well-being|needs|feelings|rest|self-care) (?:matters?|(?:is|are) (?:just as |also )?important)\b"),
    Cue("with time", "reassure", 0.5,
        _w(r"with time|in time|over time|with patience|one day at a time|step by step|one step at a time|at your own pace|little by little|bit by bit")),
    Cue("invitation", "hedge", 1.0,
        r"(?i)\b(?:you|we)\s+(?:might|may|could|can)\s+(?:also\s+)?(?:want to|wish to|like to|find|try|consider|think about|explore|ask|talk|start|look into)\b"),
    Cue("conditional offer", "hedge", 1.0,
        r"(?i)\bif (?:you|it) (?:can|like|want|wish|feel|prefer|'d like|would like|are able|'re able|have time|helps|seems|works|feels right)\b|\b(?:when|whenever) you(?:'re| are| feel)\s+ready\b"),
    Cue("soft suggestion", "hedge", 1.0,
        _w(r"it (?:can|may|might|could) (?:help|be helpful|be useful|be worth|make a difference)|(?:can|may|might|could) help|(?:can|may|might|could) be (?:helpful|useful|worth)|it's worth|it is worth|one option|another option|some (?:people|caregivers|families) find|many (?:people|caregivers|families) find|what works|a good idea|worth trying|worth a try|you're welcome to|you are welcome to|you're allowed to")),
    Cue("hedge", "hedge", 0.4,
        _w(r"might|perhaps|maybe|possibly|sometimes|often|usually|generally|typically|likely|probably|could|consider|try|trying|gently|gentle|slowly|a little|a bit")),
    Cue("personal suggestion", "hedge", 0.8,
        _w(r"i (?:think|suggest|recommend|would suggest|'d suggest|'d recommend|would recommend|wonder|hope|encourage you|'d encourage)|i'd|i would")),
    Cue("politeness", "politeness", 1.0,
        _w(r"please|thank you|thanks|kindly|feel free|if it helps|i hope (?:this|that) helps|hope this helps|you're welcome|sorry to hear|take care|wishing you|best wishes|warmly")),
    Cue("together", "support", 1.0,
        _w(r"together|with you|for you|alongside you|by your side|on your side|here for you|here to help|we can|let's|let us|lean on|reach out|you can always|you can also|you're able to|you are able to|you can")),
    Cue("yourself", "support", 0.5, _w(r"yourself|your own")),
    Cue("loved one", "support", 0.5, _w(r"your loved one|your (?:mom|mum|mother|dad|father|husband|wife|partner|parent|parents|family|child|son|daughter|grandmother|grandfather|grandma|grandpa|spouse|relative|friend)|loved ones?")),
    Cue("warm word", "support", 0.3,
        _w(r"care|caring|love|loving|compassion|patience|patient with|kindness|kind|comfort|comforting|dignity|connection|connected|reassurance|support|supportive|supported|understanding|encourage|encouragement|celebrate|enjoy|meaningful|calm|calming|safe|hope|hopeful|feelings|feel|moments?|joy|peace|peaceful|familiar|relief|relax|rest")),
    Cue("second person", "support", 0.15, _w(r"you|your|you're|you've|you'll|you'd")),
    Cue("first person", "support", 0.3, _w(r"i|i'm|i've|we|we're|us|our|let's")),
    Cue("contraction", "support", 0.2,
        r"(?i)\b(?:it|that|you|we|they|i|there|here|what|let|he|she|who|this|everyone|nobody)'(?:s|re|ve|ll|d|m)\b|\b(?:can|won|isn|aren|wasn|weren|doesn|didn|haven|hasn|wouldn|couldn|shouldn)'t\b"),
    # ------------------------------------------------------------------ prescriptive
    Cue("imperative at sentence start", "imperative", -1.0, _START + r"(?:" + _IMPERATIVE_VERBS + r")\b"),
    Cue("negated imperative", "imperative", -1.5, _START + r"(?:Do not|Don't|DO NOT|Never|NEVER|Avoid|No)\b"),
    Cue("obligation", "obligation", -1.0,
        _w(r"must|should|shall|have to|has to|need to|needs to|needed to|required to|is required|are required|is necessary|are necessary|mandatory|obligatory|it is (?:essential|imperative|necessary|critical|vital|crucial|important|mandatory) (?:that|to)|ensure that|make sure|be sure to|it is advised|are advised|is advised|is recommended|are recommended|is indicated|are indicated|is contraindicated|are contraindicated|is expected to|are expected to|are to|is to be|are to be|you will need|you'll need|it is your (?:responsibility|duty)|responsibility|required|requirement|requirements|necessary|essential")),
    Cue("absolute", "absolute", -0.8,
        _w(r"immediately|at once|strictly|at all times|under no circumstances|without exception|without fail|no exceptions|non-negotiable|absolutely not|never|always|every single|all times|promptly|without delay|exactly|precisely|only|sole|solely|no more than|no less than|do not exceed|not exceed|at least|at most|maximum|minimum")),
    Cue("impersonal clinical subject", "clinical", -1.2,
        r"(?i)\b(?:the\s+)?(?:patient|patients|individual|individuals|subject|subjects|client|clients|resident|residents|caregiver|caregivers|carers?|the person|persons|family members|the family|staff|users?)\s+(?:should|must|shall|is required|are required|needs? to|is advised|are advised|may require|requires?|will require|is expected|are expected|is instructed|are instructed|is to|are to|ought to)\b"),
    Cue("clinical subject", "clinical", -0.6, _w(r"the patient|patients|patient's|the individual|the client|the resident|the caregiver|the care recipient|care recipients?|the elderly|geriatric")),
    Cue("clinical passive", "clinical", -1.0,
        r"(?i)\b(?:is|are|be|been|being|was|were)\s+(?:\w+ly\s+)?(?:administered|indicated|contraindicated|required|advised|recommended|prescribed|monitored|performed|observed|documented|discontinued|initiated|titrated|assessed|evaluated|implemented|mandated|warranted|necessitated|obtained|reported|instituted|maintained|restricted|prohibited|managed|utilized|achieved|undertaken|instructed|directed|expected|mandatory|noted|addressed|confirmed|limited|avoided|withheld|enforced|considered|determined)\b"),
    Cue("clinical register", "jargon", -0.5,
        _w(r"administer|administered|administration|dosage|dosing|regimen|regimens|adherence|compliance|noncompliance|non-compliance|non-adherence|noncompliant|contraindicated|contraindication|contraindications|adverse|efficacy|efficacious|prophylaxis|prophylactic|etiology|aetiology|comorbid|comorbidity|comorbidities|sequelae|prognosis|prognostic|titrate|titration|pharmacological|pharmacologic|pharmacotherapy|non-pharmacological|nonpharmacological|intervention|interventions|protocol|protocols|assessment|clinician|clinicians|physician|practitioner|practitioners|symptomatology|pathology|pathophysiology|manifestation|manifestations|utilize|utilization|utilise|therapeutic|modality|modalities|indicated|monitoring|evaluation|diagnostic|management|discontinue|discontinuation|initiate|initiation|prn|bid|tid|qid|qd|acute|onset|deficit|deficits|impairment|impairments|behavioral disturbances|behavioural disturbances|neuropsychiatric|ambulation|ambulatory|adls?|iadls?|incidence|prevalence|risk factors?|clinically|clinical|significant|significantly|subsequently|prior to|in order to|thereby|therefore|thus|hence|furthermore|moreover|additionally|respectively|aforementioned|per day|per os|po|iv|im|sc|q\d+h|mg/kg|symptoms|symptom|treatment|treatments|therapy|therapies|medication|medications|pharmacist|physician's|etiologies|cessation|exacerbation|exacerbations|mitigate|mitigation|optimal|optimize|optimise|facilitate|necessitate|necessitates|cognitive decline|functional decline|patient education|care plan|regimen")),
    Cue("medical term", "jargon", -0.6,
        r"(?i)\b\w+(?:itis|osis|oses|emia|aemia|ectomy|otomy|ostomy|oscopy|ology|ologic|ological|ologist|opathy|opathic|algia|plasia|trophy|iatric|esterase|inhibitors?|receptors?|agonists?|antagonists?|ergic|kinesia|phagia|uria|penia|cytosis|genesis)\b"),
    Cue("long word", "jargon", -0.5, r"\b[A-Za-z]{15,}\b"),
    Cue("consequence warning", "threat", -0.8,
        _w(r"failure to|failing to|otherwise|or else|will result in|can result in|may result in|could result in|result in|leads? to|lead to|risk of|at risk|complications|non-adherence|dangerous|hazardous|serious harm|harmful|fatal|death")),
    Cue("curt", "curt", -1.0,
        r"(?i)\b(?:no exceptions|no excuses|that's it|period\.|end of story|just (?:do|give|take|tell|stop|ignore|follow)|simply (?:do|give|take|tell|stop|ignore|follow)|as directed|as instructed|as prescribed|as ordered|comply|follow the (?:instructions|protocol|plan|schedule|directions))\b"),
    Cue("directive you", "obligation", -0.8,
        r"(?i)\byou\s+(?:will|are to|are required to|are expected to|need|must|should|have to|cannot|can't|may not|are not to|are not allowed|are not permitted)\b"),
]

SUPPORTIVE_GROUPS = ("acknowledge", "reassure", "hedge", "politeness", "support")

_COMPILED = [(c, re.compile(c.pattern)) for c in CUES]
_SENT_END = r"[.!?]+(?:\s|$)"


def _norm(text: str) -> str:
    return (text or "").replace("’", "'").replace("‘", "'")


def _norm_expr(col: str) -> pl.Expr:
    return pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'")


def tone_raw_expr(col: str) -> pl.Expr:
    """Sum of weighted cue counts (before normalization)."""
    t = _norm_expr(col)
    return pl.sum_horizontal([t.str.count_matches(c.pattern) * c.weight for c in CUES])


def sentences_expr(col: str) -> pl.Expr:
    t = _norm_expr(col)
    return pl.max_horizontal(t.str.strip_chars().str.count_matches(_SENT_END), pl.lit(1))


def tone_expr(col: str) -> pl.Expr:
    """``tone_<col>`` in [-1, 1]; null text -> null."""
    raw = tone_raw_expr(col)
    score = (raw / sentences_expr(col).cast(pl.Float64).sqrt() / TEMPERATURE).tanh()
    return pl.when(pl.col(col).is_null()).then(None).otherwise(score)


def _squash(raw: float, sentences: int) -> float:
    return math.tanh(raw / math.sqrt(max(sentences, 1)) / TEMPERATURE)


def explain(text: str) -> dict:
    """Tone of one text with every matched cue: ``{"tone", "raw", "sentences", "cues": [...]}``.

    Each cue is ``{"cue", "group", "weight", "match"}``; the list is ordered by position in the text.
    """
    t = _norm(text)
    hits = []
    for cue, rx in _COMPILED:
        for m in rx.finditer(t):
            hits.append({"cue": cue.name, "group": cue.group, "weight": cue.weight,
                         "match": m.group(0).strip(" \n.!?;:*-•"), "start": m.start()})
    hits.sort(key=lambda h: h["start"])
    for h in hits:
        h.pop("start")
    raw = sum(h["weight"] for h in hits)
    sentences = max(len(re.findall(_SENT_END, t.strip())), 1)
    return {"tone": _squash(raw, sentences), "raw": raw, "sentences": sentences, "cues": hits}


def format_cue(h: dict) -> str:
    return f"{h['weight']:+.2f} {h['cue']}: {h['match']!r}"
