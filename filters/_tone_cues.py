"""The tone cue engine: every cue of ``filters.tone`` as one named, weighted regular expression, the alternation they
run as (Python ``re`` to explain one text, polars' Rust regex to score columns), sentence counting, and ``kindness``
(the summed acknowledging / reassuring cues of each text).  ``filters.tone`` scores with it; ``filters.hostility``
holds its learned part back by ``kindness``.  It imports neither of them."""

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
        r"(?i)\b(?:it's|it is|that's|that is|this is|it's also|it is also)\s+(?:completely\s+|perfectly\s+|totally\s+|very\s+|so\s+|quite\s+|entirely\s+|really\s+|only\s+|also\s+|absolutely\s+)?(?:understandable|normal|natural|okay|ok|common|valid|human|alright|all right|expected)\b|\b(?:it|that|this)\s+makes\s+(?:total\s+|complete\s+|perfect\s+|a lot of\s+)?sense\b|\byou(?:'re| are)\s+(?:right|not wrong)\s+to\b|\byou(?:'re| are)\s+not\s+imagining\b|\b(?:anyone|anybody|most people)\s+would\s+(?:be|feel|struggle)\b"),
    Cue("normal to feel", "acknowledge", 1.0,
        r"(?i)\b(?:normal|natural|understandable|okay|ok|common|human|fine|alright|all right)\s+to\s+(?:feel|be|have|want|need|get|worry|struggle|grieve|cry|ask|take|not know|make mistakes)\b|\b(?:completely|perfectly|totally|entirely)\s+(?:normal|natural|understandable|okay|ok|valid|fine)\b"),
    Cue("your feelings", "acknowledge", 1.0,
        r"(?i)\b(?:what you(?:'re| are) (?:feeling|going through|experiencing|carrying|dealing with)|how you(?:'re| are)? feel(?:ing)?|you(?:'re| are) (?:feeling|going through|carrying|dealing with))\b"),
    Cue("reframing", "reassure", 1.5,
        r"(?i)\b(?:not (?:something (?:he|she|they) (?:does|is doing|do|are doing|can control) on purpose|on purpose|personal|aimed at you|a reflection (?:of|on) you|a sign (?:of|that) you(?:'re| are)? (?:failing|a bad))|part of the (?:illness|disease|condition)|the (?:illness|disease|condition) (?:talking|speaking)|doesn't make you a bad|does not make you a bad|you(?:'re| are) not a bad (?:daughter|son|wife|husband|partner|mother|father|mum|mom|dad|parent|person|caregiver|carer|friend))\b"),
    Cue("right instinct", "reassure", 1.2,
        _w(r"the right (?:thing|questions?|call|choice|decision|step|idea)|your (?:instinct|instincts|idea|question|plan|thinking) (?:to [a-z]+ )?(?:is|was|are) (?:a )?(?:good|right|sound|wise)|exactly right|good instinct|good instincts|a wise|a smart (?:idea|move|choice)|good idea|well done|good for you")),
    Cue("self-care imperative", "reassure", 1.2,
        r"(?i)\b(?:take|taking)\s+(?:a\s+)?(?:deep\s+|little\s+)?(?:breath|breaths|moment|time for yourself|some time for yourself|it easy|things slowly|care of yourself|it one day|your time)\b"),
    Cue("sympathy", "acknowledge", 1.5,
        r"(?i)\b(?:i'm|i am|we're|we are)\s+(?:so\s+|very\s+|truly\s+|really\s+)?(?:sorry|glad you|glad to|here (?:for|to))"),
    Cue("naming the difficulty", "acknowledge", 1.5,
        r"(?i)\b(?:that|this|it|caregiving|caring for \w+(?: \w+){0,3}|looking after \w+(?: \w+){0,3})\s+(?:sounds|must be|must feel|can be|can feel|may feel|may be|might feel|is often|is really|is so|feels|is incredibly|is very|is a lot|can get)\s+(?:\w+\s+)?(?:hard|difficult|tough|stressful|exhausting|frightening|scary|overwhelming|painful|upsetting|heartbreaking|worrying|confusing|lonely|draining|frustrating|challenging|distressing|emotional|a lot|a shock)\b|\b(?:sound|sounds)\s+(?:really\s+|so\s+|very\s+|incredibly\s+)?(?:hard|difficult|exhausting|frightening|scary|overwhelming|painful|upsetting|heartbreaking|lonely|draining|frustrating|distressing)\b"),
    Cue("empathic must", "acknowledge", 1.2,
        r"(?i)\bmust (?:be|feel|have been|have felt|get)\s+(?:so\s+|really\s+|very\s+|incredibly\s+|such\s+|pretty\s+)?(?:hard|difficult|tough|stressful|exhausting|frightening|scary|overwhelming|painful|upsetting|heartbreaking|worrying|lonely|draining|frustrating|confusing|distressing|a lot|awful|terrifying)\b"),
    Cue("what you need", "reassure", 0.8,
        r"(?i)\byou (?:need|deserve|need and deserve) (?:a break|breaks|rest|some rest|time|space|support|help|sleep|to rest|time off|time for yourself|care too|to be looked after|someone to talk to|a hand|backup)\b"),
    Cue("it's hard", "acknowledge", 1.2,
        r"(?i)\b(?:it's|it is|that's|that is|this is|it can be|it must be|can feel like)\s+(?:so\s+|really\s+|very\s+|incredibly\s+|understandably\s+|such\s+)?(?:hard|difficult|tough|stressful|exhausting|frightening|scary|overwhelming|painful|upsetting|heartbreaking|worrying|a lot|lonely|draining|frustrating|distressing|a marathon|a big adjustment)\b|\ba (?:lot|great deal) to (?:carry|handle|take in|manage|juggle|deal with)\b|\ba lot on your plate\b|\b(?:a )?heavy (?:load|burden)\b"),
    Cue("offering ideas", "hedge", 1.0,
        r"(?i)\b(?:a few|some|here are (?:a few|some)|here's a|a couple of)\s+(?:\w+\s+)?(?:ideas|suggestions|tips|steps you|ways|options|strategies|routines?|approaches|things that)\b"),
    Cue("understanding", "acknowledge", 1.2,
        r"(?i)\b(?:i|we)\s+(?:can\s+|completely\s+|really\s+|truly\s+)?(?:understand|hear you|hear how|see how|see why|imagine|know how|know it|know this|get it)\b"),
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
        r"(?i)\byou\s+(?:don't|do not|shouldn't|should not|won't|will not|never)\s+(?:have|need) to\b|\bno need to (?:be perfect|have all|do (?:it|this|everything) alone)|\bnothing (?:has|needs) to be (?:decided|done|settled|sorted)\b|\bthere(?:'s| is) no rush\b|\bas many questions as you (?:need|like|want)\b"),
    Cue("not your fault", "reassure", 2.0,
        r"(?i)\b(?:it's|it is|this is|that's|that is)\s+not\s+(?:your|anyone's)\s+fault\b|\bnothing to (?:be ashamed|feel guilty|feel bad|worry)|\b(?:it's|it is|that's|that is)\s+(?:not|never)\s+(?:rude|wrong|selfish|silly|weak|a bother|unreasonable|too much)\s+to\b"),
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
        r"(?i)\b(?:you|we)\s+(?:might|may|could|can)\s+(?:also\s+)?(?:want to|wish to|like to|find|try|consider|think about|explore|ask|talk|start|look into)\b|\b(?:you|we)\s+(?:might|may|could|can)(?:\s+try(?:\s+these)?)?:|\bwould it help to\b"),
    Cue("conditional offer", "hedge", 1.0,
        r"(?i)\bif (?:you|it) (?:can|like|want|wish|feel|prefer|'d like|would like|are able|'re able|have time|helps|seems|works|feels right)\b|\b(?:when|whenever) you(?:'re| are| feel)\s+ready\b"),
    Cue("soft suggestion", "hedge", 1.0,
        _w(r"it (?:can|may|might|could) (?:help|be helpful|be useful|be worth|make a difference)|(?:can|may|might|could|often|usually|sometimes) (?:help|ease|lift|bring|soothe|comfort)|(?:can|may|might|could) make (?:[a-z']+ )?(?:[a-z']+ )?(?:[a-z']+ )?(?:a (?:little |bit )?)?(?:easier|less stressful|safer|more pleasant|more manageable|calmer|less overwhelming|less frightening|lighter)|(?:can|may|might|could) lighten|it (?:often |usually |sometimes )?helps(?: to)?|(?:families|people|caregivers|carers|many|some) (?:often |usually |sometimes )?find (?:it |that )?(?:helps|helpful|useful)|(?:can|may|might|could) be (?:helpful|useful|worth)|it's worth|it is worth|one option|another option|some (?:people|caregivers|families) find|many (?:people|caregivers|families) find|what works|a good idea|worth trying|worth a try|you're welcome to|you are welcome to|you're allowed to")),
    Cue("hedge", "hedge", 0.4,
        _w(r"might|perhaps|maybe|possibly|could|consider|try|trying|gently|gentle|slowly|a little|a bit")),
    # how often something happens ("often sleep more lightly", "typically affects"): a factual qualifier in a
    # definition as much as a softener in advice, so it weighs little
    Cue("frequency", "hedge", 0.2, _w(r"sometimes|often|usually|generally|typically|likely|probably|commonly")),
    Cue("may", "hedge", 0.2, _w(r"may")),
    # a kind of service, not warmth ("hospice care", "respite care", "care home"): weight 0, it takes the span so
    # "care" does not count as a warm word
    Cue("care service", "neutral", 0.0,
        _w(r"(?:hospice|respite|memory|long-term|health|palliative|personal|home|day|residential|nursing|inpatient|end-of-life|dementia|skilled|primary|intensive|urgent|social|medical|advance|skin|foot|wound|mouth|oral|hospital|continuing|community|specialist|critical|curative|comfort|supportive|aged|adult day) care|care (?:home|homes|team|teams|facility|facilities|setting|settings|provider|providers|recipient|recipients|worker|workers|staff|service|services|coordinator|manager|package|agency|agencies|assessment|planning|unit|units|center|centre|proxy)")),
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
        r"(?i)\b\w+(?:itis|osis|gnoses|emia|aemia|ectomy|otomy|ostomy|oscopy|ology|ologic|ological|ologist|opathy|opathic|algia|plasia|trophy|iatric|esterase|inhibitors?|receptors?|agonists?|antagonists?|ergic|kinesia|phagia|uria|penia|cytosis|genesis)\b"),
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

# A numbered or bulleted list item that starts with an imperative ("1. Write the day's plan on a whiteboard."):
# full weight in a bare list of commands, LIST_SOFT x the weight when the rest of the text leans supportive.
LIST_CUES: list[Cue] = [  # what a sentence-start (negated) imperative is when its span starts at a list marker
    Cue("list-item negated imperative", "list imperative", -1.5,
        r"\n[ \t]*(?:[-*•]|\d+[.)])[ \t]*" + _START + r"(?i:Do not|Don't|Never|Avoid|No)\b"),
    Cue("list-item imperative", "list imperative", -1.0,
        r"\n[ \t]*(?:[-*•]|\d+[.)])[ \t]*" + _START + r"(?i:" + _IMPERATIVE_VERBS + r")\b"),
]
LIST_SOFT = 0.15
LIST_FRAMING = 0.6  # supportive framing: the supportive cues of the text (framing sentence, hedges) add up to this
# Neutral band: a tone in [-NEUTRAL, NEUTRAL] reads as neutral, above as supportive, below as prescriptive.
NEUTRAL = 0.2
# A text whose hostile cues (``filters.hostility``) reach the hostility threshold scores at most
# -(HOSTILE_CAP + HOSTILE_CAP_SLOPE x hostility): always below the neutral band.
HOSTILE_CAP = 0.3
HOSTILE_CAP_SLOPE = 0.5
HOSTILE_TONE_FACTOR = 1.0  # tone weight of a hostile cue = -HOSTILE_TONE_FACTOR x its hostility weight

# Priority: where several cues could match at the same place, the first in this order wins (one cue per span,
# so "don't worry" is reassurance, not a negated imperative, and "you should feel proud" is not an obligation).
_GENERIC = ["hedge", "frequency", "may", "yourself", "loved one", "clinical subject", "clinical register", "medical term",
            "long word", "warm word", "second person", "first person", "contraction"]
ORDERED: list[Cue] = [c for c in CUES if c.name not in _GENERIC] + [c for n in _GENERIC for c in CUES if c.name == n]


def _lowered(pattern: str) -> str:
    """The pattern for lower-cased text: no ``(?i)`` (case folding defeats the literal prefilters), literals
    lower-cased (escapes such as ``\\b`` kept)."""
    p = pattern.replace("(?i)", "").replace("(?i:", "(?:")
    return re.sub(r"(\\.)|([A-Z])", lambda m: m.group(1) or m.group(2).lower(), p)


# Sentence / line / bullet starts are marked with \x01 before matching.  The baseline marking lets a sentence end
# swallow the next line break, so a bullet after "." or ":" went unmarked.  The list-aware marking works on the
# text with a line break in front and stops at every line break: each list item's first word is marked and the
# list marker ("\n1. ", "\n- ") stays right before the mark, where the imperative cues can see it.
_MARK_AT_BASE = _MARK_AT
_MARK_AT_LISTS = r"(\n\s*(?:[-*•][ \t]*|\d+[.)][ \t]*)?|[.!?;:]['\")\]]?[ \t]+)"
_LIST_PREFIX = r"(?:\n[ \t]*(?:[-*•]|\d+[.)])[ \t]*)?"
_SENT_END = r"[.!?]+(?:\s|$)"
_LIST_NUMBER = r"(?m)^[ \t]*\d+[.)]\s"  # "1. " at a line start ends no sentence
# a list written inline ("You might try: 1. Offer small cups. 2. Keep a drink in reach."): the one space before each
# item number becomes a line break, so the items read as the list they are (same length: spans stay aligned)
_INLINE_ITEM = r"([:.!?;])[ ](\d{1,2}[.)][ \t]+[A-Za-z])"


def inline_lists(text: str) -> str:
    return re.sub(_INLINE_ITEM, "\\1\n\\2", text) if text else text

_LIST_OF = {"imperative at sentence start": LIST_CUES[1], "negated imperative": LIST_CUES[0]}


class _Engine:
    """One cue set compiled for both matchers: the Rust alternation for batches and Python ``re`` to explain."""

    def __init__(self, lists: bool):
        self.lists = lists
        cues = ORDERED
        if lists:  # the sentence-start imperatives may start at a list marker: such a span is a list-item imperative
            cues = [Cue(c.name, c.group, c.weight, _LIST_PREFIX + c.pattern) if c.name in _LIST_OF else c for c in ORDERED]
        self.mark_at = _MARK_AT_LISTS if lists else _MARK_AT_BASE
        self.mark_rx = re.compile(self.mark_at)
        lower = [_lowered(c.pattern) for c in cues]
        combined = "|".join(f"(?:{_MARK}?(?:{p}))" for p in lower)
        self.rust = combined.replace(r"\b", r"(?-u:\b)")  # ASCII word boundaries: faster, identical on ASCII
        self.py = re.compile(combined)
        self.full = [(c, re.compile(f"{_MARK}?(?:{p})")) for c, p in zip(ORDERED, lower)]
        self.cache: dict[str, Cue | None] = {}

    def classify(self, match: str) -> Cue | None:
        if match in self.cache:
            return self.cache[match]
        cue = next((c for c, rx in self.full if rx.fullmatch(match)), None)
        if self.lists and cue is not None and cue.name in _LIST_OF and match.lstrip(_MARK).startswith("\n"):
            cue = _LIST_OF[cue.name]
        if len(self.cache) < 200_000:
            self.cache[match] = cue
        return cue

    def mark(self, text: str) -> str:
        return self.mark_rx.sub(lambda m: m.group(1) + _MARK, text)

    def mark_expr(self, e: pl.Expr) -> pl.Expr:
        return e.str.replace_all(self.mark_at, "${1}" + _MARK)


_ENGINES: dict[bool, _Engine] = {}


def _engine(lists: bool) -> _Engine:
    if lists not in _ENGINES:
        _ENGINES[lists] = _Engine(lists)
    return _ENGINES[lists]


def classify(match: str, lists: bool = True) -> Cue | None:
    """The cue a matched span belongs to: the first cue (in priority order) matching the whole span."""
    return _engine(lists).classify(match)


def _norm(text: str) -> str:
    return (text or "").replace("’", "'").replace("‘", "'")


def _mark(text: str, lists: bool = True) -> str:
    return _engine(lists).mark(text)


def sentences_expr(col: str, lists: bool = True) -> pl.Expr:
    t = pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'").str.strip_chars()
    n = t.str.count_matches(_SENT_END)
    if lists:
        n = n - t.str.count_matches(_LIST_NUMBER)
    return pl.max_horizontal(n, pl.lit(1))


def _sentences(text: str, lists: bool = True) -> int:
    t = text.strip()
    return max(len(re.findall(_SENT_END, t)) - (len(re.findall(_LIST_NUMBER, t)) if lists else 0), 1)



def _matched(m: pl.Series, eng: _Engine):
    """``(rows, cues, codes)`` of a column of ``extract_all`` matches: the row of each match, the distinct matched
    spans' cues and each match's index into them."""
    ex = pl.DataFrame({"_row": pl.int_range(0, len(m), eager=True, dtype=pl.UInt32), "_m": m}).explode("_m").drop_nulls("_m")
    uniq = ex["_m"].unique().to_list()
    cues = [eng.classify(x) for x in uniq]
    codes = (ex["_m"].replace_strict({x: i for i, x in enumerate(uniq)}, return_dtype=pl.UInt32).to_numpy()
             if uniq else np.zeros(0, dtype=np.uint32))
    return ex["_row"].to_numpy(), cues, codes


KIND_GROUPS = ("acknowledge", "reassure")


def kindness(texts: pl.Series) -> np.ndarray:
    """Per text: the summed weights of its acknowledging and reassuring cues (``KIND_GROUPS``: "that's completely
    understandable", "I can hear how worried you are", "it's not your fault"), matched as ``explain(text,
    hostility=False)`` matches them.  ``filters._hostility_ngrams`` holds its learned part back by it."""
    n = len(texts)
    if n == 0:
        return np.zeros(0)
    eng = _engine(True)
    work = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8}).select(
        pl.col("t").str.replace_all(_INLINE_ITEM, "${1}\n${2}"))
    text = pl.lit("\n") + pl.col("t").fill_null("").str.replace_all(r"[’‘]", "'").str.to_lowercase()
    rows, cues, codes = _matched(work.select(eng.mark_expr(text).str.extract_all(eng.rust).alias("_m"))["_m"], eng)
    if not cues:
        return np.zeros(n)
    per = np.array([c.weight if c and c.group in KIND_GROUPS else 0.0 for c in cues], dtype=np.float64)[codes]
    return np.bincount(rows, weights=per, minlength=n)
