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

All cues run as ONE alternation (one regex pass per column; where cues overlap, the first in priority order
wins, so each span of text counts once).  ``raw = sum(weight x count)`` is divided by ``sqrt(sentences)`` (so a long answer is not more extreme just
for being long) and squashed: ``tone = tanh(raw_per_sentence / TEMPERATURE)``.  ``explain(text)`` returns
every matched cue with its weight, so a reviewer sees why a text scored as it did.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

TEMPERATURE = 1.5

# Sentence / line / bullet starts are marked with \x01 before matching (Rust regex has no look-behind).
_MARK = "\x01"
_MARK_AT = r"(^|[.!?;:]['\")\]]?\s+|\n\s*(?:[-*•]\s*|\d+[.)]\s*)?)"
_START = _MARK

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
    "Enforce|Assign|Require|Confine|Restrain|Separate|Unplug|Disable|Hide|Secure|Just|Simply|Only|Submit|"
    "Enroll|Enrol|Screen|Refer|Recheck|Offer|Post|Book|Register|Sign|Hire|Find|Look|Buy|Learn|"
    "Join|Pay|Discuss|Explain|Show|Teach|Clear|Repeat|Open|Close|Shut|Order|Prescribe|Serve|Cook|Walk|Wake|Elevate|"
    "Massage|Soak|Dry|Cover|Wrap|Note|Pick|Choose|Decide|Add|Mix|Crush|Swallow|Chew|Inject|Insert|Flush|Taper|Wean|"
    "Come|Wait|Delegate|Request|Stick|Have|Help|Expect|Accept|Ignore|Force"  # not "Do": "Do not" is below
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
    Cue("normal to feel", "acknowledge", 1.0,
        r"(?i)\b(?:normal|natural|understandable|okay|ok|common|human|fine|alright|all right)\s+to\s+(?:feel|be|have|want|need|get|worry|struggle|grieve|cry|ask|take|not know|make mistakes)\b|\b(?:completely|perfectly|totally|entirely)\s+(?:normal|natural|understandable|okay|ok|valid|fine)\b"),
    Cue("your feelings", "acknowledge", 1.0,
        r"(?i)\b(?:what you(?:'re| are) (?:feeling|going through|experiencing|carrying|dealing with)|how you(?:'re| are)? feel(?:ing)?|you(?:'re| are) (?:feeling|going through|carrying|dealing with))\b"),
    Cue("reframing", "reassure", 1.5,
        r"(?i)\b(?:not (?:something (?:he|she|they) (?:does|is doing|do|are doing|can control) on purpose|on purpose|personal|aimed at you|a reflection (?:of|on) you|a sign (?:of|that) you(?:'re| are)? (?:failing|a bad))|part of the (?:illness|disease|condition)|the (?:illness|disease|condition) (?:talking|speaking)|doesn't make you a bad|does not make you a bad)\b"),
    Cue("right instinct", "reassure", 1.2,
        _w(r"the right (?:thing|questions?|call|choice|decision|step|idea)|exactly right|good instinct|good instincts|a wise|a smart (?:idea|move|choice)|good idea|well done|good for you")),
    Cue("self-care imperative", "reassure", 1.2,
        r"(?i)\b(?:take|taking)\s+(?:a\s+)?(?:deep\s+|little\s+)?(?:breath|breaths|moment|time for yourself|some time for yourself|it easy|things slowly|care of yourself|it one day)\b"),
    Cue("sympathy", "acknowledge", 1.5,
        r"(?i)\b(?:i'm|i am|we're|we are)\s+(?:so\s+|very\s+|truly\s+|really\s+)?(?:sorry|glad you|glad to|here (?:for|to))"),
    Cue("naming the difficulty", "acknowledge", 1.5,
        r"(?i)\b(?:that|this|it|caregiving|caring for \w+(?: \w+){0,3}|looking after \w+(?: \w+){0,3})\s+(?:sounds|must be|must feel|can be|can feel|may feel|may be|might feel|is often|is really|is so|feels|is incredibly|is very|is a lot|can get)\s+(?:\w+\s+)?(?:hard|difficult|tough|stressful|exhausting|frightening|scary|overwhelming|painful|upsetting|heartbreaking|worrying|confusing|lonely|draining|frustrating|challenging|distressing|emotional|a lot)\b"),
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
    Cue("negated imperative (reassuring)", "reassure", 2.0,
        r"(?i)\b(?:don't|do not|try not to|no need to|there's no need to|there is no need to)\s+(?:worry|panic|be (?:too |so )?hard on yourself|blame yourself|feel (?:guilty|bad|ashamed|selfish|embarrassed)|be afraid|hesitate|feel you have to|lose hope|give up hope|be discouraged|be alarmed|beat yourself up|be ashamed|be embarrassed)"),
    Cue("supportive should", "reassure", 2.0,
        r"(?i)\b(?:(?:you|we|they|he|she|i)\s+)?(?:should|must|ought to|deserve to)\s+(?:\w+\s+)?(?:feel|be)\s+(?:\w+\s+)?(?:proud|good about|confident|reassured|hopeful|comfortable|relieved|free to|okay|ok|at peace)\b"),
    Cue("supportive shouldn't", "reassure", 2.0,
        r"(?i)\b(?:(?:you|we|they|he|she|i)\s+)?(?:should|must|ought to)(?:n't| not)\s+(?:\w+\s+)?(?:feel|be)\s+(?:\w+\s+)?(?:guilty|ashamed|bad|embarrassed|selfish|alone|afraid|responsible for|like a failure)\b"),
    Cue("you don't have to", "reassure", 2.0,
        r"(?i)\byou\s+(?:don't|do not|shouldn't|should not|won't|will not|never)\s+(?:have|need) to\b|\bno need to (?:be perfect|have all|do (?:it|this|everything) alone)"),
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
        _w(r"it (?:can|may|might|could) (?:help|be helpful|be useful|be worth|make a difference)|(?:can|may|might|could|often|usually) (?:help|ease|lift|bring|soothe|comfort)|(?:can|may|might|could) be (?:helpful|useful|worth)|it's worth|it is worth|one option|another option|some (?:people|caregivers|families) find|many (?:people|caregivers|families) find|what works|a good idea|worth trying|worth a try|you're welcome to|you are welcome to|you're allowed to")),
    Cue("hedge", "hedge", 0.4,
        _w(r"might|perhaps|maybe|possibly|sometimes|often|usually|generally|typically|likely|probably|could|consider|try|trying|gently|gentle|slowly|a little|a bit")),
    Cue("may", "hedge", 0.2, _w(r"may")),
    Cue("personal suggestion", "hedge", 0.8,
        _w(r"i (?:think|suggest|recommend|would suggest|'d suggest|'d recommend|would recommend|wonder|hope|encourage you|'d encourage)|i'd|i would")),
    Cue("polite directive", "imperative", -0.3,
        _w(r"please (?:consult|contact|follow|comply|adhere|administer|ensure|report|refrain|notify|inform|schedule|complete|submit|attend|monitor|document|record|avoid|discontinue|stop|remove|bring|arrange|note|read|review|seek|refer|limit|restrict|maintain|keep|make sure|be advised|be aware|see|visit|call)")),
    Cue("politeness", "politeness", 1.0,
        _w(r"please|thank you|thanks|kindly|feel free|if it helps|i hope (?:this|that) helps|hope this helps|you're welcome|sorry to hear|take care|wishing you|best wishes|warmly")),
    Cue("together", "support", 1.0,
        _w(r"together|with you|for you|alongside you|by your side|on your side|here for you|here to help|we can|let's|let us|lean on|reach out|you can always|you can also|you're able to|you are able to|you can")),
    Cue("yourself", "support", 0.5, _w(r"yourself|your own")),
    Cue("loved one", "support", 0.5, _w(r"your loved one|your (?:mom|mum|mother|dad|father|husband|wife|partner|parent|parents|family|child|son|daughter|grandmother|grandfather|grandma|grandpa|spouse|relative|friend)|loved ones?")),
    Cue("warm word", "support", 0.3,
        _w(r"care|caring|love|loving|loves|compassion|patience|patient with|kindness|kind|comfort|comforting|dignity|connection|connected|reassurance|reassuring|support|supportive|supported|understanding|encourage|encouragement|celebrate|enjoy|enjoys|meaningful|calm|calming|safe|hope|hopeful|feelings|feel|moments?|joy|peace|peaceful|familiar|relief|relax|rest|tender|gentler|softly|warm|warmth|ease|easier|low-pressure|worry|worries|worried|together|happy|glad|grateful|thankful")),
    Cue("second person", "support", 0.15, _w(r"you|your|you're|you've|you'll|you'd")),
    Cue("first person", "support", 0.3, _w(r"i|i'm|i've|we|we're|us|our|let's")),
    Cue("contraction", "support", 0.2,
        r"(?i)\b(?:it|that|you|we|they|i|there|here|what|let|he|she|who|this|everyone|nobody)'(?:s|re|ve|ll|d|m)\b|\b(?:can|won|isn|aren|wasn|weren|doesn|didn|haven|hasn|wouldn|couldn|shouldn)'t\b"),
    # ------------------------------------------------------------------ prescriptive
    Cue("imperative at sentence start", "imperative", -1.0, _START + r"(?i:" + _IMPERATIVE_VERBS + r")\b"),
    Cue("negated imperative", "imperative", -1.5, _START + r"(?i:Do not|Don't|Never|Avoid|No)\b"),
    Cue("obligation", "obligation", -1.0,
        _w(r"must|should|shall|have to|has to|need to|needs to|needed to|required to|is required|are required|is necessary|are necessary|mandatory|obligatory|it is (?:essential|imperative|necessary|critical|vital|crucial|important|mandatory) (?:that|to)|ensure that|make sure|be sure to|it is advised|are advised|is advised|is recommended|are recommended|is indicated|are indicated|is contraindicated|are contraindicated|is expected to|are expected to|are to|is to be|are to be|you will need|you'll need|it is your (?:responsibility|duty)|responsibility|required|requirement|requirements|necessary|essential")),
    Cue("absolute", "absolute", -0.8,
        _w(r"immediately|at once|strictly|at all times|under no circumstances|without exception|without fail|no exceptions|non-negotiable|absolutely not|never|always|every single|all times|promptly|without delay|precisely|sole|solely|no more than|no less than|do not exceed|not exceed|at least|at most|maximum|minimum")),
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
    Cue("dismissive", "curt", -1.5,
        _w(r"nothing (?:can|you can|more can) (?:be )?do(?:ne)?|there is nothing (?:to|you can)|deal with it|get used to it|that's (?:just )?(?:how it is|life|the disease|expected)|it is what it is|not much (?:can|you can)|no point|accept it|you'll have to accept|you will have to accept|stop worrying|calm down|don't overthink|overreacting|not a big deal|no big deal|there's no cure|get over it|it's not complicated|obviously|as you should know|as already stated|as stated")),
    Cue("directive you", "obligation", -0.8,
        r"(?i)\byou\s+(?:will|are to|are required to|are expected to|need|must|should|have to|cannot|can't|may not|are not to|are not allowed|are not permitted)\b"),
]

SUPPORTIVE_GROUPS = ("acknowledge", "reassure", "hedge", "politeness", "support")

# Priority: where several cues could match at the same place, the first in this order wins (one cue per span,
# so "don't worry" is reassurance, not a negated imperative, and "you should feel proud" is not an obligation).
_GENERIC = ["hedge", "may", "yourself", "loved one", "clinical subject", "clinical register", "medical term",
            "long word", "warm word", "second person", "first person", "contraction"]
ORDERED: list[Cue] = [c for c in CUES if c.name not in _GENERIC] + [c for n in _GENERIC for c in CUES if c.name == n]


def _lowered(pattern: str) -> str:
    """The pattern for lower-cased text: no ``(?i)`` (case folding defeats the literal prefilters), literals
    lower-cased (escapes such as ``\\b`` kept)."""
    p = pattern.replace("(?i)", "").replace("(?i:", "(?:")
    return re.sub(r"(\\.)|([A-Z])", lambda m: m.group(1) or m.group(2).lower(), p)


_LOWER = [_lowered(c.pattern) for c in ORDERED]
# One pass: all cues in one alternation (leftmost-first, same semantics in Python ``re`` and Rust ``regex``);
# each cue may start at a sentence mark so that cues compete on equal terms at sentence starts.
_COMBINED = "|".join(f"(?:{_MARK}?(?:{p}))" for p in _LOWER)
_COMBINED_RUST = _COMBINED.replace(r"\b", r"(?-u:\b)")  # ASCII word boundaries: faster, identical on ASCII
_COMBINED_PY = re.compile(_COMBINED)
_FULL = [(c, re.compile(f"{_MARK}?(?:{p})")) for c, p in zip(ORDERED, _LOWER)]
_SENT_END = r"[.!?]+(?:\s|$)"
_CLASSIFIED: dict[str, Cue | None] = {}


def classify(match: str) -> Cue | None:
    """The cue a matched span belongs to: the first cue (in priority order) matching the whole span."""
    if match in _CLASSIFIED:
        return _CLASSIFIED[match]
    cue = next((c for c, rx in _FULL if rx.fullmatch(match)), None)
    if len(_CLASSIFIED) < 200_000:
        _CLASSIFIED[match] = cue
    return cue


def _norm(text: str) -> str:
    return (text or "").replace("’", "'").replace("‘", "'")


def _mark(text: str) -> str:
    return re.sub(_MARK_AT, lambda m: m.group(1) + _MARK, text)


def _prepared(col: str) -> pl.Expr:
    return (pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'").str.to_lowercase()
            .str.replace_all(_MARK_AT, "${1}" + _MARK))


def sentences_expr(col: str) -> pl.Expr:
    t = pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'")
    return pl.max_horizontal(t.str.strip_chars().str.count_matches(_SENT_END), pl.lit(1))


def tone_frame(df: pl.DataFrame, col: str) -> pl.DataFrame:
    """Add ``tone_<col>`` (in [-1, 1]; null where the text is null) and ``tone_raw_<col>``."""
    out = f"tone_{col}"
    n = df.height
    tmp = df.select(_prepared(col).str.extract_all(_COMBINED_RUST).alias("_m"), sentences_expr(col).alias("_s"),
                    pl.col(col).is_null().alias("_null"))
    ex = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32), "_m": tmp["_m"]}).explode("_m").drop_nulls("_m")
    uniq = ex["_m"].unique().to_list()
    weights = {m: (classify(m).weight if classify(m) else 0.0) for m in uniq}
    ex = ex.with_columns(
        (pl.col("_m").replace_strict(weights, return_dtype=pl.Float64) if weights else pl.lit(0.0, dtype=pl.Float64)).alias("_m")
    ).rename({"_m": "_w"})
    raw_s = pl.Series(np.bincount(ex["_row"].to_numpy(), weights=ex["_w"].to_numpy(), minlength=n), dtype=pl.Float64)
    score = (raw_s / tmp["_s"].cast(pl.Float64).sqrt() / TEMPERATURE).tanh()
    return df.with_columns(
        pl.Series(out, score).set(tmp["_null"], None) if tmp["_null"].any() else pl.Series(out, score),
        pl.Series(f"tone_raw_{col}", raw_s),
    )


def tone_scores(texts: list[str | None]) -> list[float | None]:
    df = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
    return tone_frame(df, "t")["tone_t"].to_list()


def _squash(raw: float, sentences: int) -> float:
    return math.tanh(raw / math.sqrt(max(sentences, 1)) / TEMPERATURE)


def explain(text: str) -> dict:
    """Tone of one text with every matched cue: ``{"tone", "raw", "sentences", "cues": [...]}``.

    Each cue is ``{"cue", "group", "weight", "match"}``, in text order; the same matching as the vectorized
    score (one alternation, leftmost-first), so the weights add up to ``raw`` exactly.
    """
    t = _norm(text)
    marked = _mark(t)
    low = _mark(t.lower())
    shown = marked if len(marked) == len(low) else low
    hits = []
    for m in _COMBINED_PY.finditer(low):
        cue = classify(m.group(0))
        if cue is None:
            continue
        hits.append({"cue": cue.name, "group": cue.group, "weight": cue.weight,
                     "match": shown[m.start():m.end()].replace(_MARK, "").strip(" \n.!?;:*-•")})
    raw = sum(h["weight"] for h in hits)
    sentences = max(len(re.findall(_SENT_END, t.strip())), 1)
    return {"tone": _squash(raw, sentences), "raw": raw, "sentences": sentences, "cues": hits}


def format_cue(h: dict) -> str:
    return f"{h['weight']:+.2f} {h['cue']}: {h['match']!r}"
