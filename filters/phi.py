"""The one PHI detector: the rewrite guard, the filter stage (``phi`` column, ``phi_action``) and the publish gate all
call ``PhiDetector.spans``, so they cannot disagree.

It finds the HIPAA Safe Harbor identifiers that occur in caregiver text and returns typed spans with offsets:

* ``NAME`` -- a person introduced by a title ("Mrs. Okafor", "our neighbor mrs kowalski"), a kinship or role word
  in English or the caregiver's family language ("my father, Luis Ortega", "Grandma Rose", "Yiayia Eleni", "Babcia
  Wiesława", "Halmeoni, Kim Soon-ja,", "my nani, ...", "Dad's old friend Frank", "our live-in caregiver, Summer,",
  "my parents, Siobhán and Pádraig"), a label ("Patient: Jane Doe", "Pt Oluwaseun Adeyemi"), or a naming phrase
  ("her name is Gloria", "the nurses call him Harry"); and a name with no such word, by its place in the sentence:
  the subject of a caregiver verb ("Harold keeps wandering"), a known given name as the subject of any clause or a
  pair ("Lorraine was switched ...", "Bogdan and Halina have been married", "Saoirse and I"), the object of a verb
  of asking, helping or moving ("I asked Desmond to help", "We moved Mary-Kate O'Donnell into memory care"), a
  possessive ("Ngozi's bed"), a salutation ("Dear Halina,") or sign-off ("- Denise", "Best,\nRuth Ellison"), a
  list of people ("(Oluwaseun, Priya and Tomasz)"), "spoke with X", "call me (X)", "X was my neighbor", a lower-case
  given name after a kinship word ("my mom linda"). Treating clinicians and clergy by their role ("Our hospice nurse
  Brigid", "Good morning Nurse Okafor", "the intake nurse is Tamsin", "father patrick from church"), a family word
  with no possessor after a clause boundary ("widowed, daughter Agnieszka is the contact"), "his late wife's name,
  Halina,", "its me again, raj"; a known given name after a question's auxiliary ("Can Marguerite still live
  alone?"), after "that" or a dash ("... that Walter gets his drops", "— Teresa says"), after a preposition at the
  end of its clause ("asking for Esperanza, she's 84"), addressed ("Thanks, Abdullah, that helps", "Deb, a shower
  chair ..."), signing on the last line ("...on Sunday.\n\nOlu", "... tonight. Gaz"), or in lower case after
  visiting and asking verbs or as a possessive ("visits joe", "hamid's pills"); "Told Sanjay he ...", "called
  Brenda", "Ahmed's sister Noor" (one cue inside another's name); a month or modal before a verb only a person does
  ("Will keeps hiding his hearing aids", "June's birthday party"). Names may hold any Latin, Greek or Cyrillic letters, hyphens,
  apostrophes and particles ("José Luis de la Cruz", "Trần Thị Lan", "Ahmed al-Rashidi"). Each word must be
  name-shaped and none an ordinary word, place, drug or condition (``data/lexicon``), kinship word ("Mam",
  "Abuela") or public figure -- except after a kinship or role word, where "my brother Will", "my grandmother June"
  and "Aunt May" are names ("my mother May I ..." is not). Known given names: ``data/phi_given_names.txt`` and
  ``data/phi_given_names_world.txt`` (the team's lists, many cultures, no ordinary English words);
* ``DATE_OF_BIRTH`` -- a date (month and day at least; a year alone is not an identifier) after a birth cue;
* ``AGE_OVER_89`` -- an individual's age of 90 or more ("aged 93", "a 96-year-old", "she is 94", "she'll be 90",
  "Ninety-one and she still ...", "At 99 my grandfather ..."), not a population ("people aged 90 and older");
* ``PHONE`` (US shapes, "+44 7700 900461", national numbers with a leading 0 after a phone word, and 7-digit local
  numbers a sentence gives as a person's: "call me first: 555-0173"), ``EMAIL``;
* ``RECORD_NUMBER`` -- MRN, medical record, chart, patient id, account numbers, in any wording ("His MRN is ..."),
  and after a bare claim, encounter, accession, Rx, enrollment or referral cue when the number looks like an
  identifier (six digits, or four with letters: "VA claim 28441907", "accession 24-GH-55910");
* ``ID_NUMBER`` -- social security, Medicare (the MBI format is caught on its own), Medicaid, insurance, health-plan
  member and subscriber numbers, and a number with letters after a bare "ID" ("his ID KQ48215T"); a bare "policy",
  ID, green and tribal cards, aadhaar, "DL#", national insurance numbers with an identifier-shaped number;
* ``ADDRESS`` -- street addresses, P.O. boxes, rural routes ("RR 2 Box 118") and streets in other languages
  ("9 Rue Chaponnay", "Lindenstraße 14").

Public resources are not PHI: toll-free numbers (800, 888, 877, 866, 855, 844, 833) and short public numbers,
phone numbers, mailboxes and addresses that the sentence gives as an organization's (a helpline, agency, clinic,
institute: the nearest cue before the span decides, so "call my son at ..." after a helpline is still PHI; "the
hospital bed" is equipment, no organization), role
mailboxes (info@, help@) and .gov mailboxes, historical and public figures (``data/phi_public_names.txt`` and the
eponyms of disease names: Dr. Alois Alzheimer), doses, scores, ratios, CPT codes and years (no rule matches them).
Users add their own allowed patterns (``allow``: regular expressions; a span inside a match is not reported).

Speed: the batch path (``phi_series``, ``phi_lists``) runs the rules only on texts that pass a vectorized polars
pre-check (``GROUPS``, ``PREFILTER_PARTS``); the groups that accept only a known given name share one pass over the
name list (``_NEEDS_NAME``), and the single-text path skips those rules when no known name is in the text.

Rule-based on purpose: on the labeled development set (``data/labeled/phi_dev.jsonl``, measured by
``benchmarks/phi_quality.py``) it beats presidio-analyzer with spaCy NER on precision by a wide margin (spaCy tags
every historical figure and presidio every helpline), and it is fast enough for the filter stage.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import polars as pl

from curate.core import schema as S
from curate.core.schema import CHOSEN, ID, QUESTION, REJECTED, SOURCE_ANSWER
from filters.base import BatchFilter, FilterConfig
from filters.columns import CLUSTER_ID_COL, DUP_KIND_COL, PHI_COL, PHI_REDACTED_COL

KINDS = ("NAME", "DATE_OF_BIRTH", "AGE_OVER_89", "PHONE", "EMAIL", "RECORD_NUMBER", "ID_NUMBER", "ADDRESS")
_DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str

    def label(self) -> str:
        return f"{self.kind}: {self.text}"


# ---------------------------------------------------------------- building blocks

def _letter_class(test) -> str:
    """The letters of the Latin (with Extended-A/B and Vietnamese), Greek and Cyrillic blocks that ``test`` accepts,
    as the body of a regex character class (runs collapsed to ranges): "Wiesława", "Trần Thị Lan", "Łukasz"."""
    chars = [chr(c) for lo, hi in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF),
                                   (0x1E00, 0x1EFF)) for c in range(lo, hi + 1) if test(chr(c)) and chr(c) != "×"]
    out, i = [], 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        out.append(chars[i] if i == j else f"{chars[i]}-{chars[j]}")
        i = j + 1
    return "".join(out)


_UP = _letter_class(str.isupper)
_LOW = _letter_class(lambda c: c.islower() and c not in "ªº")
# one capitalized name word: "O'Donnell", "McAllister", "al-Rashidi", "D'Angelo", "Dad's" (the possessive is trimmed)
_CAP = rf"(?:Mc|Mac|O'|O’|D'|D’|De|Van|Le|Al-|El-|al-|el-)?[{_UP}][{_LOW}]+(?:['’][{_LOW}]+)?"
# a hyphenated name: "Mary-Kate", "Jean-Baptiste", "Al-Rashidi", and Korean given names "Soon-ja", "Sung-min"
_HYPH_LOW = (rf"(?!(?:up|in|on|out|off|by|to|of|day|days|time|term|care|home|like|free|back|old|aged|year|long|well|"
             rf"made|run|over|end|all|way|law|step|born|based|led|sized|wide|ish)\b)[{_LOW}]{{2,4}}\b")
_CAPH = rf"{_CAP}(?:-(?:{_CAP}|{_HYPH_LOW}))?"
# lower-case particles inside a full name: "José Luis de la Cruz", "Ludwig van der Berg", "Ahmed bin Said"
_PARTICLE = (r"(?:(?:de|del|della|di|da|do|dos|das|du|des|la|las|los|le|van|von|der|den|ter|ten|bin|binti|bint|ibn|"
             r"al|el|abu|zu) )")
_NAMEWORDS = rf"{_CAPH}(?: (?:[{_UP}]\. )?{_PARTICLE}*{_CAPH}){{0,3}}"
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
           r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = (
    r"(?:\d{1,2}/\d{1,2}/(?:19|20)?\d{2}"
    r"|\d{1,2}[.-]\d{1,2}[.-](?:19|20)\d{2}"
    r"|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
    rf"|\d{{1,2}}[- ]{_MONTHS}[- ](?:19|20)\d{{2}}"
    rf"|{_MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? (?:19|20)\d{{2}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTHS}\.?(?:,? (?:19|20)\d{{2}})?"
    rf"|{_MONTHS}\.? (?:19|20)\d{{2}})"
)
# family words caregivers use, in English and in the languages of the families they care for (a name may follow)
_KIN_FOREIGN = (r"abuel[ao]|abuelit[ao]|t[ií][ao]|tit[ao]|lol[ao]|yiayi[aá]|yaya|pap?pou|babci[ae]|dziadek|dziadziu|"
                r"halmeoni|halmoni|harabeoji|harabuji|om[ai]|opa|nonn[ao]|bubb?e|bubby|zayde|zaidy|"
                r"nan[ai](?:[ -]ji)?|dad[ai](?:[ -]ji)?|bibi|mam|mammy|amma|appa|umma|ammi|baba|jiddo|teta|sittu")
_KIN = (r"mother|father|mom|mum|mommy|dad|daddy|wife|husband|partner|spouse|son|daughter|brother|sister|"
        r"grandmother|grandfather|grandma|grandpa|granddaughter|grandson|grandchild|aunt|auntie|aunty|uncle|niece|"
        r"nephew|cousin|(?:mother|father|son|daughter|brother|sister)-in-law|stepmother|stepfather|stepson|"
        r"stepdaughter|stepdad|stepmom|stepmum|stepbrother|stepsister|half-brother|half-sister|godmother|godfather|"
        r"grandad|granddad|grandmom|gramma|grampa|granny|gran|great-aunt|great-uncle|"
        r"neighbou?r|friend|roommate|housemate|flatmate|fianc[ée]e?|boyfriend|girlfriend|patient|client|resident|"
        rf"loved one|parent|{_KIN_FOREIGN}")
# people paid or asked to help: "our live-in caregiver, Summer,", "her aide Marta" (name rules only)
_ROLE_WORDS = (r"caregiver|care-giver|carer|aide|helper|companion|sitter|housekeeper|home health aide|care worker|"
               r"PCA|CNA")
_KIN_PLURAL = (r"parents|grandparents|kids|children|sons|daughters|boys|girls|siblings|brothers|sisters|twins|"
               r"grandkids|grandchildren|granddaughters|grandsons|aunts|uncles|cousins|nieces|nephews|in-laws|"
               r"neighbou?rs|friends|caregivers|carers|aides|roommates")
_KIN_TITLE = (r"Grandma|Grandpa|Granny|Gran|Grandad|Granddad|Gramma|Grampa|Nana|Nanna|Nani|Papa|Mama|Aunt|Auntie|"
              r"Aunty|Uncle|Cousin|Abuela|Abuelo|Abuelita|Abuelito|Tia|Tía|Tio|Tío|Tita|Tito|Oma|Opa|Yiayia|Yaya|"
              r"Papou|Pappou|Babcia|Dziadek|Halmeoni|Halmoni|Harabeoji|Lola|Lolo|Nonna|Nonno|Bubbe|Zayde|Dadi|Bibi")
_KIN_MOD = (r"(?:(?:late|dear|elderly|older|younger|little|big|baby|twin|step|great-|great|old|best|oldest|youngest|"
            r"eldest|elder|new|live-in|former|childhood|next-door|beloved|sweet|favou?rite|only|home|private|"
            r"part-time|full-time|night|day|overnight|weekend|paid|hired|long-time|longtime|usual|regular|wonderful|"
            r"lovely|amazing|dear old)\s{0,3}){0,4}")
# who the kinship word belongs to: "my", "our", ..., "Dad's" ("Dad's old friend Frank"), Spanish / Portuguese "mi"
_POSSESSOR = (r"(?:my|our|his|her|their|your|the|and|mi|mis|minha|meu|"
              r"(?!(?:it|he|she|that|what|there|here|who|where|let|how|one)['’]s)[a-z]+['’]s)")
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sr|Sra)"
# treating clinicians and other professionals named by their role: "Our hospice nurse Brigid", "her neurologist,
# Anand Rao," (the name must not be an ordinary word: "the GP Surgery", "the nurse Practitioner" are no names)
_CLINICIAN = (r"(?:(?:hospice|home health|home care|visiting|intake|admissions?|night|day|charge|triage|wound care|"
              r"palliative(?: care)?|district|community|practice|primary care|memory care|dementia|infusion|"
              r"private duty|agency|facility|ward|floor|school|parish|case)\s+)?"
              r"(?:nurse practitioner|nurse|NP|doctor|physician|neurologist|geriatrician|psychiatrist|psychologist|"
              r"cardiologist|oncologist|urologist|internist|GP|PCP|dentist|podiatrist|pharmacist|"
              r"(?:physical |occupational |speech )?therapist|PT|OT|social worker|case manager|care manager|"
              r"care coordinator|coordinator|chaplain|hospitalist|surgeon|specialist|counsell?or|audiologist|"
              r"optometrist|dietitian|nutritionist|paramedic|midwife|priest|pastor|rabbi|imam)")
# a role used as a title: "Good morning Nurse Okafor", "Pastor Mike", "father patrick from church"; after "Father",
# "Sister" and "Brother" (a film, a show: "Sister Act") the name must be a known given name
_ROLE_TITLE = r"(?:Nurse|Doctor|Pastor|Rabbi|Imam|Reverend|Rev\.?|Deacon|Chaplain)"
_CLERGY_KIN_TITLE = r"(?:Father|Sister|Brother)"
# family words without a possessor, after a clause boundary: "widowed, daughter Agnieszka is the contact"
_KIN_FAMILY = (r"mother|father|mom|mum|dad|wife|husband|son|daughter|brother|sister|grandmother|grandfather|grandma|"
               r"grandpa|granddaughter|grandson|aunt|uncle|niece|nephew|cousin|"
               r"(?:mother|father|son|daughter|brother|sister)-in-law|stepmother|stepfather|stepson|stepdaughter")

# name rules with a cue word, by rule group (the vectorized pre-check of ``GROUPS`` decides which groups run): each
# a list of ``(regex, cued)`` or ``(regex, cued, check)``; ``cued``: the cue is a kinship or role word, so a name that
# is also an ordinary word or a month ("my brother Will", "my grandmother June", "Aunt May") is a name too; ``check``
# (the weaker cues): "plain" -- no word of the name may be an ordinary word, place, drug or condition (unless it is a
# known given name), and a name in lower case must be a known given name; "known" -- besides, a one-word name must
# be a known given name (``_known_subject``)
_KIN_ANY = rf"(?:{_KIN}|{_ROLE_WORDS})"
_NAME_RULES: dict[str, list[tuple]] = {
    # title + name: the title is part of the span
    "title": [(re.compile(rf"\b(?P<n>{_TITLE}\.? (?P<w>{_NAMEWORDS}))"), False),
              # "our neighbor mrs kowalski": a lower-case surname after a lower-case title
              (re.compile(rf"(?<![\w.])(?:mrs|mr)\.?\s+(?P<n>(?P<w>[{_LOW}]{{3,}}))\b(?![-'’])"), False)],
    # possessive + kinship or role word (+ comma) + name: "my father, Luis Ortega", "Dad's old friend Frank"
    "kin": [(re.compile(rf"(?i:\b{_POSSESSOR}\s+{_KIN_MOD}(?:{_KIN_ANY})(?:['’]s)?)(?:,|:| -)?\s+(?:\()?"
                        rf"(?P<n>(?P<w>{_NAMEWORDS}))"), True),
            # a kinship word at the start of a clause with the name in apposition: "Halmeoni, Kim Soon-ja, chewed"
            (re.compile(rf"(?:^|(?<=[.!?;:])\s+|\n)(?i:{_KIN_MOD}(?:{_KIN}))(?:,| -| –| —)\s+"
                        rf"(?P<n>(?P<w>{_NAMEWORDS}))\s*(?:,|\s[-–—]\s)"), True)],
    # kinship title + name: "Grandma Rose", "Yiayia Eleni Papadopoulou", "Babcia Wiesława"
    "kin_title": [(re.compile(rf"\b(?:{_KIN_TITLE}) (?P<n>(?P<w>{_NAMEWORDS}))"), True)],
    # a clinician or other professional, by role: "Our hospice nurse Brigid", "Good morning Nurse Okafor", "Father
    # Patrick", "father patrick from church" (lower case: a known given name)
    "clinician": [(re.compile(rf"(?i:\b{_POSSESSOR}\s+{_KIN_MOD}{_CLINICIAN}(?:['’]s)?)(?:,|:| -)?\s+\(?"
                              rf"(?P<n>(?P<w>{_NAMEWORDS}))"), False, "plain"),
                  (re.compile(rf"\b{_ROLE_TITLE}\s+(?P<n>(?P<w>{_NAMEWORDS}))"), False, "plain"),
                  (re.compile(rf"\b{_CLERGY_KIN_TITLE}\s+(?P<n>(?P<w>{_NAMEWORDS}))"), False, "known")],
    "clinician_low": [(re.compile(rf"(?i:\b(?:nurse|doctor|pastor|father|sister|brother|{_KIN_TITLE}))\s+"
                                  rf"(?P<n>(?P<w>[{_LOW}]{{3,}}))\b(?![-'’])"), False, "known_low")],
    # a family word with no possessor after a clause boundary: "Intake: ..., widowed, daughter Agnieszka is the
    # contact"; and a kinship or role word, "is", then the name: "the intake nurse is Tamsin", "her aide was Marta."
    "kin_bare": [(re.compile(rf"(?:^|(?<=[,;:(])\s*|(?<=[.!?])\s+|\n)(?i:{_KIN_MOD}(?:{_KIN_FAMILY}))\s+"
                             rf"(?P<n>(?P<w>{_NAMEWORDS}))"), False, "known"),
                 # (the cue is checked right before the "is" match: ``_BEFORE_IS``, faster than one regex)
                 (re.compile(rf"(?<=\s)(?:is|was|will be)\s+(?P<n>(?P<w>{_CAPH}(?: {_CAPH})?))(?=\s*(?:[,.!?;:)]|$)|"
                             rf"\s+(?:and|but|who|from|at|on|today|tomorrow|now)\b)"), False, "known",
                  re.compile(rf"(?i:\b(?:{_KIN}|{_ROLE_WORDS}|{_CLINICIAN})(?:['’]s name)?)\s+$"))],
    # labels: "Patient: Jane Doe", "Pt Oluwaseun Adeyemi, b. ...", "Pt: Yolanda Ruiz"
    "label": [(re.compile(rf"(?:(?i:\b(?:patient|resident|client|name|care recipient|notes (?:for|on)|caregiver for|"
                          rf"visit for))|\b(?:Pt|PT|pt)\b\.?)\s*:?\s+(?P<n>(?P<w>{_CAPH} (?:[{_UP}]\. )?{_PARTICLE}*"
                          rf"{_CAPH}(?: {_PARTICLE}*{_CAPH}){{0,2}}))"), False),
              (re.compile(rf"(?:(?i:\b(?:patient|resident|client|name))|\b(?:Pt|PT|pt)\b\.?)\s*:\s*"
                          rf"(?P<n>(?P<w>{_CAPH}))"), False)],
    # naming phrases: "her name is Gloria", "the nurses call him Harry", "known as Bud"
    "naming": [(re.compile(rf"(?i:\b(?:name is|name was|name's|named|goes by|went by|I am|I'm|this is|known as|"
                           rf"nicknamed|(?:call|calls|called|calling) (?:him|her|me|them))),?\s+"
                           rf"(?P<n>(?P<w>{_NAMEWORDS}))"), False),
               # "by his late wife's name, Halina,", "its me again, raj." (lower case: a known given name)
               (re.compile(rf"(?i:(?:['’]s|\b(?:his|her|my|their|our|your))(?: (?:first|real|full|last|maiden|middle|given|legal|actual))? name[,:]|\bit['’]?s me(?: again)?,|"
                           rf"\bit is me(?: again)?,)\s+(?P<n>(?P<w>{_NAMEWORDS}|[{_LOW}]{{3,}}))\b(?![-'’])"),
                False, "plain")],
    # a full name right before a birth or age cue: "Ida Greenberg (DOB ...", "Jane Doe, born ..."
    "name_cue": [(re.compile(rf"(?P<n>(?P<w>{_CAPH} (?:[{_UP}]\. )?{_PARTICLE}*{_CAPH}))\s*[(,]\s*"
                             rf"(?i:dob|d\.o\.b|born|date of birth|age[d]? \d)"), False)],
    # a name followed by its kinship: "Sarah Thompson, my sister", "Joan (my aunt)"
    "name_kin_after": [(re.compile(rf"(?P<n>(?P<w>{_NAMEWORDS}))\s*[(,]\s*(?i:(?:my|our|his|her|their)\s+"
                                   rf"{_KIN_MOD}(?:{_KIN_ANY})\b)"), False)],
    # a kinship word used as a name, then the name in brackets: "Dad (Walter Kim)"
    "kin_bracket": [(re.compile(rf"(?i:\b(?:{_KIN}|{_KIN_TITLE})(?:['’]s)?)\s*\(\s*"
                                rf"(?P<n>(?P<w>{_NAMEWORDS}))\s*[),]"), False)],
}
# after a kinship or role cue, these ordinary words and months are names ("my brother Will and I", "my sister April
# visits") unless the next word shows they are not ("my mother May I ...", "my son Will be ...", "my dad May 3")
_CUED_WORDS = {"will", "may", "june", "april", "august", "jan", "honey", "sunny"}
# verbs only a person does: a name that is also a month or a modal before one is the subject ("Will keeps hiding his
# hearing aids", "June refuses her pills"; not "May seemed long", "Will you ...")
_PERSON_ONLY_VERB = re.compile(r"\s+(?:still\s+|always\s+|never\s+|just\s+)?(?:keeps|kept|refuses|refused|won['’]?t|"
                               r"doesn['’]?t|didn['’]?t|hides|hid|wanders|wandered|forgets|forgot|sleeps|slept|insists|"
                               r"insisted|yells|yelled|cries|cried|screams|screamed|paces|paced|accuses|accused|swears|"
                               r"wakes|woke|mumbles|shuffles|thinks|asks|asked|wants|wanted|needs|tries|tried|fell|"
                               r"loves|hates|likes|remembers|recognizes|knows|says|said|told|tells|laughed|smiled|"
                               r"ate|eats|has been|had been|was diagnosed|is doing|is getting)\b")
_CUED_BLOCK = re.compile(r"\s+(?:I|you|we|he|she|they|it|be|been|have|not)\b|\s+\d|['’](?!s\b)")
# a kinship plural and the names that follow it: "My parents, Siobhán and Pádraig, both ...", "our kids Ava and Noah"
_KIN_LIST = re.compile(rf"(?i:\b(?:my|our|his|her|their|your|mi|mis)\s+{_KIN_MOD}(?:{_KIN_PLURAL}))(?:,|:| -)?\s+\(?"
                       rf"(?P<n>(?P<w>{_CAPH}(?:,\s*{_CAPH})*,?\s+(?:and|&)\s+{_CAPH}))(?![\w'’-])")
_NOT_NAME = {w.lower() for w in """
I I'm I've The A An He She They We It You His Her Him My Our Their Your This That These Those There Here And But Or If
When While Who What Why How Where Which Is Was Are Were Has Had Have Does Did Do Can Will Would Should Could May Might
Also Still Now Then Today Yesterday Tomorrow Tonight Just Only Even Not No Yes So Very Really Please Thank Thanks
Mom Dad Mum Mother Father Grandma Grandpa Wife Husband Son Daughter Brother Sister Aunt Uncle Sir Madam Doctor Nurse
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August September
October November December Christmas Thanksgiving Easter Hanukkah Ramadan God Lord Jesus Medicare Medicaid Hospice
Alzheimer Alzheimer's Parkinson Parkinson's Lewy Huntington Huntington's Dementia English Spanish Chinese American
Social Security Veterans Affairs Tylenol Aricept Namenda Advil Care Home Hospital Clinic Center Caring Living Being Getting Going Feeling Having
Confused Tired Sad Angry Worried Scared Lost Okay Ok Fine Good Bad Sorry Hello Hi Dear Dementia's After Before
Since Because Although Though Every Each Some Any All Most Many Much More Less Few Both Either Neither Other Another
Lately Recently Sometimes Usually Often Honestly However Meanwhile Unfortunately Luckily Sadly Finally First Second
Last Next Later Earlier Again Otherwise Besides Anyway Well Overall Currently Normally Generally Actually Basically
Nowadays Tonight Mornings Evenings Nights Weekends Afterwards Eventually Suddenly Right Like Until Unless As At In On
For With From To By Of About During Without Within Between Through Over Under Around Along
Help Hey Oh Wow Ugh Honey Sweetheart Sweetie Darling Everyone Everybody Someone Somebody Nobody Anyone
""".split()}
_EPONYMS = {w.lower() for w in """Alzheimer Parkinson Lewy Huntington Pick Korsakoff Wernicke Creutzfeldt Jakob Gehrig
Tourette Binswanger Down Asperger Bell Crohn Hodgkin Graves Addison Cushing Lou""".split()}
_PUBLIC_CUE = re.compile(r"(?i:\b(?:former |late )?(?:president|senator|governor|justice|singer|actor|actress|author|"
                         r"writer|coach|surgeon general|king|queen|pope|prime minister|first lady|astronaut|"
                         r"musician|artist|painter|poet|scientist|physician|neurologist|psychiatrist|researcher)\s+)$")


# ---------------------------------------------------------------- names with no naming word

# what caregivers say their person does: a name-shaped word right before one of these is the subject of the clause
_CARE_VERB = (r"(?:(?:still|just|always|never|now|often|sometimes|also|really|even|usually|finally|barely|hardly|"
              r"constantly|suddenly|actually|already)\s+)?"
              r"(?:keeps|kept|refuses|refused|won['’]?t|wont|doesn['’]?t|didn['’]?t|does|did|gets|got|hides|hid|"
              r"wanders|wandered|forgets|forgot|ate|eats|sleeps|slept|asks|asked|thinks|insists|insisted|"
              r"has been|had been|is still|was still|can['’]?t|cannot|couldn['’]?t|needs|needed|wants|wanted|tries|"
              r"tried|seems|seemed|started|stopped|fell|falls|yells|yelled|cries|cried|screams|screamed|likes|loves|"
              r"hates|became|was diagnosed|is diagnosed|paces|paced|accuses|accused|swears|repeats|takes|took|lives|"
              r"moved|goes|went|comes|came|sits|sat|is refusing|is having|is now|has stopped|has started|has had|"
              r"had a|has a hard|wakes|woke|wet|soils|spits|pulls|pulled|hit|hits|bit|bites|talks|talked|whispers|"
              r"mumbles|shuffles|loses|lost|misses|missed|remembers|remembered|recognizes|recognized|knows|knew|"
              r"smiled|smiles|laughed|laughs|hummed|sang|sings|enjoys|enjoyed|used to|would|will not|does not|"
              r"did not|is not|was not|has not|gave|gives|brought|brings|visits|visited|helps|helped|handles|"
              r"handled|drives|drove|called|calls|phoned|texted|tells|told|said|says|shouted|cursed|swore|agreed|"
              r"agrees|decided|decides|passed away|died|is doing|was doing|is getting|was getting)\b")
# things that are somebody's: "Ngozi's bed", "Dale's MRN"
_POSS_NOUN = (r"(?:bed|bedroom|room|meds|medications?|medicines?|pills|mrn|chart|doctor|neurologist|geriatrician|"
              r"cardiologist|aide|caregivers?|memory|mood|appetite|walker|wheelchair|cane|hearing aids?|glasses|"
              r"dentures|keys|wallet|purse|birthday|diagnosis|dementia|condition|symptoms|health|pain|falls?|sleep|"
              r"behaviou?r|care|hospice|nurse|insurance|house|home|apartment|bills|finances|records?|file|"
              r"sundowning|hallucinations|confusion|agitation|wife|husband|son|daughter|kids|children|sister|brother|"
              r"mother|father|mom|dad|mum|funeral|stroke|surgery|scans?|mri|labs|blood|weight|feet|hands|skin|"
              r"teeth|hip|knee|eyes|driving|car|phone|cat|dog|shower|bath|bathing|toileting|incontinence|"
              r"appointments?|infusions?|dose|decline|moods|words|voice|name|own|last|grandmother|grandfather|"
              r"grandma|grandpa|grandson|granddaughter|grandkids|grandchildren|aunt|uncle|niece|nephew|cousin|"
              r"parents|partner|mother-in-law|father-in-law|stepmother|stepfather|bp|blood pressure|vitals|sugars?|"
              r"glucose|oxygen|sats|temperature|temp|pulse|meals?|family|mind|address|age|dob|ssn|therapist|pt|ot|"
              r"gp|pcp|physician|psychiatrist|dentist|clothes|shoes|dinner|breakfast|lunch|food|recliner|uti|"
              r"infection|fever|cough|hospitalization|friends?|neighbou?rs?|girlfriend|boyfriend|ashes|grave|"
              r"memorial|obituary)")
# after a name that is also a month or an ordinary word ("June's birthday party", "Will's meds"), only the nouns that
# belong to a person, not to a month ("May's bills")
_POSS_PERSONAL = re.compile(r"(?i:birthday|meds|medications?|pills|bed|bedroom|walker|wheelchair|cane|hearing aids?|"
                            r"glasses|dentures|doctor|neurologist|geriatrician|aide|caregivers?|nurse|wife|husband|son|"
                            r"daughter|mother|father|mom|dad|mum|sister|brother|kids|children|grandmother|grandfather|"
                            r"grandma|grandpa|grandkids|grandchildren|diagnosis|dementia|funeral|memory|appetite)")
_NAME1 = rf"(?:{_CAP}(?:-{_CAP})?|[{_LOW}]+)"  # one name-shaped word; a lower-case one must be a known given name
_TIME_LEAD = (r"(?i:yesterday|today|tonight|lately|recently|sometimes|usually|suddenly|finally|last night|this morning|"
              r"this week|this afternoon|this evening|last week|every night|every morning),?\s+")
# words after which a new clause (and its subject) begins: conjunctions, "that", and verbs of saying and thinking
# ("she thinks Harold is her father", "after Halina fell")
_CLAUSE_WORDS = (r"and|but|so|then|because|when|now|while|until|since|if|that|after|before|once|whenever|although|"
                 r"though|unless|or|think|thinks|thought|said|says|know|knew|hope|guess|believe|noticed|realized|"
                 r"worried|afraid")
# a clause begins after a sentence mark, a dash ("Policy 7730-44-918 (long-term care) — Teresa says ..."), a
# conjunction or "that" ("remind the aide that Walter gets his drops at 9"), or a time word
_CLAUSE_START = (rf"(?:^|(?<=[.!?:;(—–])\s*|(?<=[.!?:;]\s)\s*|(?<=\s-)\s+"
                 rf"|\b(?:{_CLAUSE_WORDS})\s+|\b{_TIME_LEAD})")
# a question that opens with an auxiliary: "Can Marguerite still live alone?", "Should Halina ..." (``known`` only)
_AUX_LEAD = (r"(?:(?:^|(?<=[.!?])\s+)(?:Can|Could|Should|Would|Will|Does|Did|Is|Was|Has|Had|Do|Why does|Why did|"
             r"Why is|Why won['’]t|How can|How does|How is|When does|When did)\s+)")
_NAME_LIST_ITEM = rf"{_CAP}(?:-{_CAP})?"
_PEOPLE_CUE = re.compile(r"(?:\b(?:us|we|our|siblings|kids|children|sons|daughters|grandkids|grandchildren|cousins|"
                         r"brothers|sisters|family|rota|rotation|roster|schedule|shifts?|team|aides|caregivers|"
                         r"helpers|nurses|visitors|friends|names|neighbou?rs|volunteers)\b)")
# verbs whose object is a person: "I asked Desmond to help", "we told Halina about it"
_PERSON_VERB = (r"asked|ask|asking|told|tell|telling|reminded|remind|begged|beg|convinced|persuaded|helped|help|"
                r"helping|thanked|hugged|texted|introduced|reassured|comforted|calmed|bathed|showered|dressed|fed|"
                r"woke|missed|miss|warned|hired|thank|invited|trust|trusted|blame|blamed|married")
# verbs that move a person (or a thing): a full name or a known given name after them
_MOVE_VERB = r"moved|move|took|take|taking|drove|drive|driving|brought|bring|bringing|dropped off|picked up|left"
# verbs of calling, seeing or finding someone (or a business: "called Comcast"): a full name or a known given name
# after them ("I called Brenda from the agency", "found Harold on the floor")
_CONTACT_VERB = r"called|call|calling|phoned|emailed|messaged|saw|met|kissed|found|paid|promised|sat with|sitting"
_OBJ_END = (r"(?=\s*(?:[,.!?;:)]|$)|\s+(?:to|into|in|out|home|back|up|down|for|from|with|and|about|over|off|"
            r"along|outside|inside|downstairs|upstairs|on|at|when|because|but|so|if|that|whether|what|why|how|"
            r"where|again|twice|yesterday|today|tonight|every|each|last|this|repeatedly|not|too|once|"
            r"he|she|they|we|I|you|it)\b)")  # "Told Sanjay he can't drive anymore"
# verbs and prepositions a person follows: "met with María José Ruiz-Delgado", "ask for Gail", "visits Joe"
_WITH_VERB = (r"met with|meet with|spoke with|spoke to|speak to|speak with|talked to|talked with|ask for|asked for|"
              r"asking for|asks for|caring for|care of|looking after|look after|sitting with|staying with|living with|"
              r"lives with|stays with|married to|widow of|widower of|visiting|visited|visits")
_LOW_SUBJECT_VERB = r"is|was|has|had|will|would|can|could|should|might|and i|and me"
_BARE_NAME_RULES = {
    # "Harold keeps wandering", "... ? Frank does it every evening", "ray gets so restless"
    "verb": re.compile(rf"{_CLAUSE_START}(?P<n>(?P<w>{_NAME1}))\s+{_CARE_VERB}"),
    # a known given name (``known_names``, not one of ``_AMBIGUOUS_NAMES``) as the subject of any clause: "Lorraine
    # was switched from ...", "Halina thinks ..."; a name only: a word that is also an ordinary word needs a cue
    "known": re.compile(rf"(?:{_CLAUSE_START}|{_AUX_LEAD})(?P<n>(?P<w>{_CAP}(?:-(?:{_CAP}|[{_LOW}]{{2,4}}))?))(?=\s+[{_LOW}])"),
    # a known given name in lower case as the subject before "is", "has", a modal: "kasia is her neighbour"
    "known_low": re.compile(rf"{_CLAUSE_START}(?P<n>(?P<w>[{_LOW}]{{2,}}))(?=\s+(?:{_LOW_SUBJECT_VERB})\b)"),
    # two names joined by "and" as the subject: "Bogdan and Halina have been married", "Saoirse and I take turns"
    "pair": re.compile(rf"{_CLAUSE_START}(?P<n>(?P<w>{_CAPH} (?:and|&) (?:{_CAPH}|I|me)))(?=\s+[{_LOW}])"),
    # a person as the object: "I asked Desmond to help", "We moved Mary-Kate O'Donnell into memory care"
    "obj": re.compile(rf"(?i:\b(?P<v>{_PERSON_VERB}|{_MOVE_VERB}|{_CONTACT_VERB}))\s+(?P<n>(?P<w>{_NAMEWORDS})){_OBJ_END}"),
    # "We moved Ngozi's bed downstairs", "Dale's MRN is ..."
    "poss": re.compile(rf"(?<![\w'’-])(?P<n>(?P<w>{_CAP}(?:-(?:{_CAP}|[{_LOW}]{{2,4}}))?))['’]s\s+(?:[a-z]+\s+)?"
                       rf"(?P<pn>(?i:{_POSS_NOUN}))\b"),
    # a known given name in lower case: "hamid's pills are in the blue organizer"
    "poss_low": re.compile(rf"(?<![\w'’-])(?P<n>(?P<w>[{_LOW}]{{3,}}))['’]s\s+(?:[a-z]+\s+)?(?i:{_POSS_NOUN})\b"),
    # sign-offs: "... the advice. - Denise", "Hugs to everyone here. — Marguerite and Paul", "Thanks, Ruth", and a
    # signature block: "Best,\nRuth Ellison\nruth@example.net"
    "sign": re.compile(rf"(?:(?:^|\s)[-–—~]+\s*(?P<n>(?P<w>{_NAMEWORDS}(?:\s*(?:and|&)\s*{_CAPH})?))\s*[.!]?\s*$"
                       rf"|(?i:\b(?:thanks|thank you|love|cheers|best|regards|hugs|xoxo?|sincerely|warmly|blessings|"
                       rf"take care|gratefully|respectfully|yours|truly|wishes|gratitude|appreciatively)),"
                       rf"(?:\s*[-–—])?(?:[ \t]*(?P<n2>(?P<w2>{_NAMEWORDS}(?:\s*(?:and|&)\s*{_CAPH})?))[ \t]*[.!]?\s*$"
                       rf"|[ \t]*\r?\n[ \t]*(?P<n3>(?P<w3>{_NAMEWORDS}(?:\s*(?:and|&)\s*{_CAPH})?))[ \t]*[.!]?"
                       rf"[ \t]*(?:\r?\n|$)))"),
    # a salutation to a known given name: "Dear Halina,", "Hi Desmond -"
    "hello": re.compile(rf"(?i:\b(?:dear|hi|hello|hey))\s+(?P<n>(?P<w>{_NAMEWORDS}))\s*(?:[,!:—–-]|$|\r?\n)"),
    # a list of three or more first names, or two after "and": "(Oluwaseun, Priya and Tomasz)"
    "list": re.compile(rf"(?<![\w'’-])(?P<n>(?P<w>{_NAME_LIST_ITEM}(?:,\s*{_NAME_LIST_ITEM})+(?:,?\s*(?:and|&)\s*"
                       rf"{_NAME_LIST_ITEM})?|{_NAME_LIST_ITEM}\s+(?:and|&)\s+{_NAME_LIST_ITEM}(?=\)|\s+and I\b)))"
                       rf"(?![\w'’-])"),
    # "met with María José Ruiz-Delgado", "ask for Gail", "call me (Yusuf)"
    "with": re.compile(rf"(?i:\b(?:{_WITH_VERB}))\s+(?P<n>(?P<w>{_NAMEWORDS}))"),
    # the same verbs and the person verbs, then a known given name in lower case: "father patrick from church
    # visits joe every wednesday", "told sanjay"
    "with_low": re.compile(rf"(?i:\b(?:{_WITH_VERB}|{_PERSON_VERB}))\s+(?P<n>(?P<w>[{_LOW}]{{3,}}))\b(?![-'’])"),
    "me": re.compile(rf"(?i:\b(?:me|I|myself|us))\s*\(\s*(?P<n>(?P<w>{_NAMEWORDS}))\s*[),]"),
    # thanks to a person in the middle of a text: "Thanks, Abdullah, that really helps." (no word of it ordinary)
    "thanks": re.compile(rf"(?i:\b(?:thanks|thank you|thx|cheers)(?: so much| again)?),\s+(?P<n>(?P<w>{_NAMEWORDS}))"
                         rf"\s*(?=[,!.;:?]|\s[-–—]\s)"),
    # a known given name that opens a text or a line and is addressed: "Deb, a shower chair with a back is safer"
    "vocative": re.compile(rf"(?:^|\n)[ \t]*(?P<n>(?P<w>{_CAP}(?:-(?:{_CAP}|[{_LOW}]{{2,4}}))?)),\s+"
                           rf"(?!(?:[A-Z]{{2}}|{_CAP})\b)"),
    # a known given name after a preposition, at the end of its clause: "asking for Esperanza, she's 84", "DL# ...
    # for Rahul, he's the one", "talk to Harold."
    "prep": re.compile(rf"(?i:\b(?:with|for|to|from|by|beside))\s+"
                       rf"(?P<n>(?P<w>{_CAP}(?:-(?:{_CAP}|[{_LOW}]{{2,4}}))?))(?=\s*(?:[,.!?;:)]|$))"),
    # a signature on the last line, after a blank line or a finished sentence ("...on Sunday.\n\nOlu"), or a known
    # given name alone after the last sentence ("gonna try the weighted blanket tonight. Gaz")
    "sign_end": re.compile(rf"(?:(?:\n[ \t]*\n|(?<=[.!?)])[ \t]*\n)[ \t]*(?P<n>(?P<w>{_CAPH}(?: {_CAPH}){{0,2}}))"
                           rf"|(?<=[.!?])[ \t]+(?P<n2>(?P<w2>{_CAPH})))[ \t]*[.!]?\s*$"),
    # "Siobhan O'Connell was my neighbor", "Ruth is our mother"
    "is_kin": re.compile(rf"(?P<n>(?P<w>{_NAMEWORDS}))\s+(?:is|was|has been|had been)\s+(?i:(?:my|our|his|her|their)\s+"
                         rf"{_KIN_MOD}(?:{_KIN_ANY})\b)"),
    # names after a kinship plural: "My parents, Siobhán and Pádraig, both ...", "our kids Ava, Noah and Mateo"
    "kin_list": _KIN_LIST,
    # a lower-case given name after a kinship word: "my mom linda keeps asking"
    "kin_low": re.compile(rf"(?i:\b(?:my|our|his|her|their|your)\s+(?:{_KIN_ANY}))\s+(?P<n>(?P<w>[{_LOW}]+))\b"),
}
_PLACES = {w.lower() for w in """
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois Indiana
Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana Nebraska
Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming Carolina
Dakota Jersey York Mexico Canada England Scotland Wales Ireland Britain France Germany Italy Spain Portugal Poland
India China Japan Korea Philippines Vietnam Nigeria Ghana Kenya Brazil Argentina Colombia Peru Cuba Jamaica Haiti
Puerto Rico Europe Asia Africa America Australia Boston Chicago Houston Dallas Austin Phoenix Denver Seattle Portland
Atlanta Miami Tampa Orlando Detroit Cleveland Columbus Cincinnati Pittsburgh Philadelphia Baltimore Brooklyn Queens
Bronx Manhattan London Paris Berlin Rome Madrid Dublin Toronto Vancouver Montreal Sydney Tulsa Memphis Nashville
Louisville Milwaukee Minneapolis Omaha Vegas Angeles Francisco Diego Jose Sacramento Oakland Manchester Lyon
Guadalajara Lagos Accra Nairobi Manila Delhi Mumbai Tokyo Seoul Beijing Shanghai Mayo Hopkins Kaiser Walgreens CVS
Walmart Target Costco Amazon Google Facebook Zoom YouTube Netflix Alexa Siri Medicare Medicaid Tricare Aetna Cigna
Humana Anthem Kroger Publix Safeway Uber Lyft
""".split()}
# products, brands, services and shows caregivers name as the subject of a sentence ("Boost keeps her weight up",
# "I think Tena works better", "Jeopardy calms him"): no person
_BRANDS = {w.lower() for w in """
Boost Prevagen Tena Poise Depends Ensure Attends Prevail Tranquility Chux Glucerna Pedialyte Gatorade Jell-O Jello
Popsicle Popsicles Cheerios Oreos Coke Pepsi Sprite Starbucks Fitbit Tile AirTag Jitterbug GrandPad Roomba Nest Ring
Echo Kindle iPad iPhone Android Samsung Apple Spotify Pandora Hulu Disney Roku Peloton Skype FaceTime WhatsApp
Messenger Medline Invacare Hoyer Drive MedicAlert Lifeline Velcro Kleenex Vaseline Desitin Aquaphor Eucerin Cetaphil
Tupperware DoorDash Instacart Meijer Aldi Lidl Tesco Boots Asda Sainsbury's Ocado Optum UnitedHealthcare UHC Molina
Wellcare Genworth Jeopardy Wheel Hallmark Bonanza Gunsmoke Matlock
""".split()}
# capitalized words that begin sentences in caregiver text and are no names (the names' own words come first)
_COMMON = {w.lower() for w in """
Bathing Showering Dressing Eating Sleeping Walking Driving Toileting Dinner Lunch Breakfast Supper Food Water Sleep
Night Morning Evening Afternoon Day Week Month Year Nothing Everything Something Anything Nobody Everybody Someone
Somebody Anyone Insurance Therapy Medication Medicine Memory Hospice Treatment Respite Caregiving Caregivers Support
Family Life Work Money Time Music Bedtime Sundowning Dementia Alzheimers Agitation Anxiety Depression Confusion Pain
Exercise Routine Nights Days Weekends Mornings Evenings Things Everyone People Doctors Nurses Aides Staff Kids
Children Visitors Friends Neighbors Neighbours Siblings Parents Grandparents Home Bed Bath Shower Church Hospital
Rehab Surgery Physical Occupational Speech Hearing Vision Balance Mobility Hydration Nutrition Appetite Weight Blood
Urine Incontinence Constipation Falls Falling Wandering Pacing Yelling Crying Shouting Screaming Hitting Biting Nurse
Doctor Aide Caregiver Hospitalist Neurologist Geriatrician Pharmacist Social Counselor Chaplain Volunteer Driver
Everything's Nothing's Life's Mom's Dad's Today's Tonight's It's That's What's There's Here's Who's He's She's
Meals Pills Meds Medications Patches Infusions Scans Tests Labs Results Bills Taxes Paperwork Forms Calls Texts
Mondays Tuesdays Wednesdays Thursdays Fridays Saturdays Sundays Weekdays Holidays
Sleep's Night's Morning's Sunday's Monday's Winter Spring Summer Fall Autumn Christmas Holidays Birthday Birthdays
Update Question Questions Answer Edit Note Tip Tips Advice Help Thanks Sorry Please Hugs Love Best Cheers Regards
Any Anybody Whoever Whatever Noone Each Everything Someday Sometimes Always Never Often Rarely Seldom Occasionally
Yes No Maybe Perhaps Probably Definitely Certainly Absolutely Clearly Obviously Hopefully Thankfully Apparently
Honestly Seriously Anyway Also Plus Still Even Only Just Really Truly Yet Soon Later Then Now Again Once Twice
Both Neither None All Most Few Several Many Such Same Other Others Another Certain Various Whole Half Part Rest
One Two Three Four Five Six Seven Eight Nine Ten First Second Third Last Next Repeat Change Give Take Call Keep
Try Make Let Ask Check Use Offer Avoid Remove Put Apply Inspect Report Bring Get Set Start Stop Turn Watch Tell Show
Talk Speak Write Read Look Go Come Sit Stand Wash Clean Remind Encourage Allow Limit Reduce Increase Install Lock
Label Place Schedule Consider Contact Visit Join Find Learn Note Remember Expect Monitor Review Continue Maintain
Provide Ensure Do Don't Never Nor Whether Whenever Wherever However Whichever Keep Hold Leave Move Lift Stay Wait
Sleepy Sweet Poor Old Young Little Big Sister's Brother's Nurses' Doctors' Someone's Everyone's Nobody's Name Names
St Rd Ave Dr Blvd Ln Ct Hwy Pl Sq Suite Apt Unit Floor San Santa Los Las Fort Mount Saint Lake Port New North
South East West Group Support Program Center Agency Office Service Services Plan Plans Care Coverage Benefits Policy Claims Medicare's
Guys Folks Ladies Gents Gang Team Doc Docs Mate Mates Hun Hon Buddy Pal Pals Babe Sis Bro Y'all Yall Reddit Forum
Community Members Warriors Emeritus Chief Nature Earth Structure Discharge Appointments Small
""".split()}


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    path = _DATA / "phi_given_names.txt"
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        names.update(line.split("#", 1)[0].lower().split())
    return frozenset(names)


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """``given_names`` and the team's world list (``data/phi_given_names_world.txt``: Yoruba, Irish, Polish, Korean,
    Hindi, Arabic, Vietnamese, Greek, Spanish, Somali, ... given names), lower case; none is an ordinary word."""
    names: set[str] = set(given_names())
    path = _DATA / "phi_given_names_world.txt"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            names.update(line.split("#", 1)[0].lower().split())
    return frozenset(names)


# lower-case words after a lower-case title that are no surname ("mr said", "mrs was")
_LOW_STOP = {"said", "says", "told", "came", "went", "called", "asked", "wants", "wanted", "thinks", "and", "or",
             "did", "does", "will", "would", "can", "could", "should", "just", "also"}


# known given names that are as often a place, a work or a thing ("Florence is where we honeymooned", "Carmen is my
# favorite opera", "Mercedes dealers"): without a cue they are not taken for a person by the rules that rest on the
# name list alone (a caregiver verb or a kinship word still makes them one: "Aunt Florence", "Florence keeps ...")
_AMBIGUOUS_NAMES = set("""
florence regina lourdes victoria charlotte savannah madison chelsea adelaide alexandria augusta helena eugene carmen
mercedes madeleine carol jean georgia virginia india asia paris jordan austin lincoln jackson tyler beverly sharon
shannon chester homer luther winston rosario concepcion santiago trinidad guadalupe xavier ganesh krishna durga
saraswati lakshmi radha indira golda kamala fidel haile rommel
""".split())


def _known_subject(word: str) -> bool:
    low = word.replace("’", "'").lower().removesuffix("'s")
    return low in known_names() and low not in _AMBIGUOUS_NAMES


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """Every word of the drug and condition lexicons: "Aricept keeps ..." and "Lewy's ..." name no person."""
    words: set[str] = set()
    for name in ("drugs.txt", "conditions.txt", "organizations.txt"):
        path = _DATA / "lexicon" / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0]
            for alias in line.split("|"):
                for w in re.findall(r"[\w'’-]+", alias):
                    if len(w) > 2:
                        words.add(w.lower().replace("’", "'").removesuffix("'s"))
    return frozenset(words)


@lru_cache(maxsize=1)
def _public_words() -> frozenset[str]:
    """The surnames of the public-figure list: a public figure named by surname ("Reagan said ...") is no PHI. Not
    the given name after a kinship word or a salutation ("Mother Teresa", "Uncle Sam", "Dear Abby"): a bare "Teresa
    says ..." is a person."""
    skip = _KIN_WORDS | {"dear", "saint", "st", "pope", "king", "queen", "sister", "virgin"}
    # nor a surname that is as often a given name ("Muhammad Ali": "Ali keeps asking ..." is a person)
    return frozenset(w for n in public_names() if len(n.split()) > 1 and n.split()[0] not in skip
                     for w in [n.split()[-1].strip(".")] if w not in known_names())


def _plain_word(w: str) -> bool:
    """``w`` is an ordinary word, a place, a drug or condition, or a public figure's name: not a person's name."""
    low = w.replace("’", "'").lower().removesuffix("'s")
    if re.search(r"['’](?:ve|d|ll|re|m|t)$", low):
        return True  # "You've asked ...", "I'd ..."
    if low.endswith(("ly", "ally")) and low not in given_names():
        return True  # "Frequently asked ...", "Suddenly ..."
    if low.endswith(("ing", "tion", "ment", "ness", "ity", "ance", "ence", "ship")) and low not in given_names():
        return True  # "Billing keeps ...", "Medication seems ..."
    return (low in _NOT_NAME or low in _COMMON or low in _PLACES or low in _BRANDS or low in _EPONYMS or low in _lexicon_words()
            or low in _public_words() or low in _KIN_WORDS or len(low) < 2)


_KIN_WORDS = {w for w in re.split(r"\|", _KIN) if re.fullmatch(r"[a-z' -]+", w)} | {
    w.lower() for w in _KIN_TITLE.split("|")} | {"pop", "pops", "papa", "mama", "nan", "gramps", "grams", "granny",
                                                 "mommy", "daddy", "hubby", "bro", "sis", "ma", "pa"} | set("""
abuela abuelo abuelita abuelito tia tío tio tía tita tito lola lolo yiayia yiayiá yaya papou pappou babcia babci
dziadek dziadziu halmeoni halmoni harabeoji harabuji oma omi opa nonna nonno bubbe bube bubby zayde zaidy nani nana nanaji
naniji dadi dada dadaji dadiji bibi mam mammy amma appa umma ammi baba jiddo teta sittu ji caregiver carer aide
helper companion sitter housekeeper parents grandparents kids children siblings twins grandkids in-laws mum mom
mother father dad grandma grandpa auntie aunty stepdad stepmom stepmum grandad granddad gramma grampa gran
""".split())


@lru_cache(maxsize=1)
def public_names() -> frozenset[str]:
    path = _DATA / "phi_public_names.txt"
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(line.lower())
    return frozenset(names)


def _is_public_name(words: str, before: str) -> bool:
    toks = [t.strip(".").replace("’", "'") for t in words.split()]
    low = [t.lower().removesuffix("'s") for t in toks]
    if " ".join(low) in public_names():
        return True
    if any(t in _EPONYMS for t in low):
        return True
    return bool(_PUBLIC_CUE.search(before[-40:]))


# words that make a capitalized phrase an organization's or a program's name, not a person's: "the Caregiver Support
# Line", "our Friends of the Library group"
_ORG_WORD = re.compile(r"(?i:^(?:association|foundation|institutes?|center|centre|agency|administration|department|"
                       r"clinic|hospital|office|alliance|society|network|program|programme|services?|council|"
                       r"coalition|organi[sz]ation|line|helpline|hotline|support|group|project|fund|partnership|"
                       r"university|college|school|church|ministries|inc|llc|corp|company|team|circle|club|home|homes|"
                       r"house|village|place|residence|living|care|health|healthcare|hospice|pharmacy|plan|unit|"
                       r"initiative|trust|action|resources?|connection)$)")


def _weak_cue_ok(name: str, check: str) -> bool:
    """A name found after a weaker cue (``check`` of ``_NAME_RULES``): "plain" -- no word of it an ordinary word,
    place, drug or condition unless a known given name, and in lower case only a known given name; "known" -- a
    one-word name must be a known given name too."""
    if name.islower():
        return " " not in name and _known_subject(name)
    # the capitalized words (not the particles "de la", a title or an initial)
    words = [w for w in name.split() if not w.islower() and not re.fullmatch(rf"{_TITLE}\.?|[A-Z]\.", w)]
    if not words:
        return False
    if any(_plain_word(w) and not _known_subject(w) for w in words):
        return False
    return check not in ("known", "known_low") or len(words) > 1 or _known_subject(words[0])


def _trim_name(text: str, start: int, end: int, cued: bool = False) -> tuple[int, int] | None:
    """Drop a trailing possessive and trailing non-name words; ``None`` when nothing name-like is left. ``cued``: the
    name follows a kinship or role word, so a first word of ``_CUED_WORDS`` ("my brother Will") is a name when the
    next word does not make it a verb or a month ("my mother May I", "my son Will be")."""
    s = text[start:end]
    if s.endswith(("'s", "’s")):
        end -= 2
        s = s[:-2]
    words = s.split(" ")
    keep_first = False
    if cued and words and words[0].lower() in _CUED_WORDS and words[0][:1].isupper():
        keep_first = not _CUED_BLOCK.match(text, start + len(words[0]))
    while len(words) > (1 if keep_first else 0) and words[-1].strip(".").lower() in _NOT_NAME:
        end -= len(words[-1]) + (1 if len(words) > 1 else 0)
        words.pop()
    # the first word (after a title) must not be a common word, a kinship word or an organization's word
    first = next((w for w in words if not re.fullmatch(rf"{_TITLE}\.?", w)), None)
    if first is None or len(first) < 2:
        return None
    low = first.lower().replace("’", "'").removesuffix("'s")
    if (low in _NOT_NAME and not keep_first) or low in _KIN_WORDS or any(_ORG_WORD.match(w) for w in words):
        return None
    return start, end


# ---------------------------------------------------------------- dates of birth, ages

# a few words may stand between the cue and the date ("date of birth, per the passport, is ..."), none with a digit
_DOB = re.compile(rf"(?i:\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born|b\.))\s*(?:is|was|:|#|-|=|of)?"
                  rf"(?:[\s,]+(?!(?i:and|but|then|moved|diagnosed|died|married|admitted|started|since|until)\b)(?i:[a-z'’]+)){{0,6}}?[\s,]*(?:on |in |the )?(?P<n>{_DATE})(?![\d/])")
_OVER89 = (r"(?:9\d|1[01]\d|(?i:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
           r"(?:one|a) hundred(?:(?: and)?[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?))")
_AGE_OLD = re.compile(rf"\b(?P<n>{_OVER89}(?:[- ]years?[- ]old|\s?(?:y/o|y\.o\.?|yo|yrs? old|yr old)(?![\w/])))(?!-\w)"
                      r"|\b(?P<n2>(?:9\d|1[01]\d)(?:st|nd|rd|th))\s+birthday\b")
_AGE_AGED = re.compile(rf"(?i:\b(?P<n>(?:aged?|age of|at age)(?:\s*[:=]\s*|\s+){_OVER89}))\b(?!\s*%)")
_AGE_IS = re.compile(rf"\b(?:is|was|turned|turns|turning|will be|just turned|now|(?i:he|she)['’]s|"
                     rf"(?i:he|she|dad|mom|mum)['’]ll be)\s+(?P<n>{_OVER89})"
                     r"(?=\s*(?:[.,;!?)]|$|and\b|now\b|this\b|last\b|next\b|but\b|today\b|in\b|as of\b|on\b|"
                     r"going on\b|soon\b|yet\b|with\b|yesterday\b|tomorrow\b|recently\b|years? (?:young|old)\b))")
# a name-shaped word or kinship word, then the age between commas or in brackets: "Mr. Okonkwo, 94, has ...",
# "Klaus, ninety-one, both ...", "Mom (Fatima, 93)"
_AGE_NAME_APPOS = re.compile(rf"(?P<w>[{_UP}][{_LOW}'’-]+)\s*[,(]\s*(?P<n>{_OVER89})\s*(?=[,)]|\s+and\b)")
# an age that opens a sentence about the person, or "at" an age with the person right after: "Ninety-one and she
# still does the crossword in pen.", "At 99 my grandfather decided ...", "at 93, she ..."
_AGE_LEAD = re.compile(rf"(?:^|(?<=[.!?])\s+)(?P<n>{_OVER89})(?:,\s*|\s+and\s+)(?=(?:she|he|my|our|mom|mum|dad|"
                       rf"grandma|grandpa|nana|papa|gran)\b)"
                       rf"|(?i:\bat\s+)(?P<n2>9\d|1[01]\d)(?:,\s*|\s+)(?=(?i:she|he|my|our|mom|mum|dad|grandma|grandpa|"
                       rf"nana|papa|gran|{_KIN_TITLE})\b)")
# "my husband, 91, sleeps ...", "Dad (93) ..."
_AGE_APPOS = re.compile(rf"(?i:\b(?:{_KIN})(?:['’]s)?)\s*[,(]\s*(?P<n>{_OVER89})\s*[,)]")
_AGE_HINT = re.compile(r"(?:9\d|1[01]\d)|(?i:ninety|hundred)")
_POPULATION = re.compile(r"(?i:\b(?:people|adults|persons|men|women|those|anyone|everyone|individuals|patients|"
                         r"residents|over|above|older than|under|younger than|by|until|before|after|of|from|to|"
                         r"between|percent|%)\s*(?:aged?\s*)?$)")
_AFTER_POP = re.compile(r"(?i:^\s*(?:\+|and (?:older|over|up|above)|or (?:older|over|more)|plus|years? and older))")
_PERSONISH = re.compile(rf"(?i:\b(?:he|she|i|who|her|his|my|mr|mrs|ms|miss|{_KIN}|{_KIN_TITLE})\b)")
_MEASURE = re.compile(r"(?i:\b(?:oxygen|sugar|glucose|pressure|score|level|rate|pulse|weight|temperature|temp|"
                      r"percent|saturation|sats|count|reading|test|mmse|moca|bp|heart|pounds|lbs|kg|mg|dose)\b)")

# ---------------------------------------------------------------- phones, emails

_PHONE = re.compile(r"(?<![\w/-])(?P<n>(?:\+?1[\s.-]?)?(?:\((?P<a1>\d{3})\)\s?|(?P<a2>\d{3})[\s.-])\d{3}[\s.-]\d{4})(?![\w/-])")
_PHONE_BARE = re.compile(r"(?i:\b(?:phone|tel|telephone|cell|mobile|call|text|number|landline)\b)[:#.\s]*(?:is\s+|at\s+)?"
                         r"(?P<n>\+?1?\d{10})\b")
# outside the US: a "+" country code (not +1), or a national number with a leading 0 after a phone word
_PHONE_INTL = re.compile(r"(?<![\w+])(?P<n>\+(?!1\b)[2-9]\d{0,2}(?:[\s.-]?\(?\d{1,5}\)?){2,5})(?![\w])")
_PHONE_NATIONAL = re.compile(r"(?i:\b(?:phone|tel|telephone|cell|mobile|call|text|number|landline|whatsapp|reach|ring)\b)"
                             r"[^.\n\d]{0,30}?(?P<n>(?<![\w+])0\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4})(?![\w])")
# a 7-digit local number after a phone word: "call me first: 555-0173"
_PHONE_LOCAL = re.compile(r"(?i:\b(?:phone|tel|telephone|cell|mobile|call|text|number|landline|whatsapp|reach|ring)\b)"
                          r"[^.\n\d]{0,30}?(?<![\d-])(?P<n>\d{3}[-.]\d{4})(?![\w-]|[.-]\d)")
_PHONE_SHAPE = re.compile(r"1?-?\d{3}-\d{3}-\d{4}")
_TOLL_FREE = {"800", "888", "877", "866", "855", "844", "833"}
_EMAIL = re.compile(r"(?<![\w.+-])(?P<n>[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})\b")
_FREEMAIL = re.compile(r"(?i)@(?:gmail|googlemail|yahoo|ymail|outlook|hotmail|live|msn|aol|icloud|me|mac|comcast|"
                       r"verizon|att|sbcglobal|protonmail|proton|gmx|mail|zoho)\.")
_ROLE = re.compile(r"(?i)^(?:info|help|helpline|support|contact|contactus|adear|questions|office|admin|hello|inquiries|"
                   r"enquiries|media|press|customerservice|service|services|feedback|webmaster|referrals?|intake|"
                   r"appointments?|scheduling|billing|records|nurse|nurses|pharmacy|team|staff|outreach|programs?|"
                   r"caregiver|caregivers|caregiving|ombudsman|volunteer|volunteers|events)(?:[._-]\w+)?$")

# ---------------------------------------------------------------- record and ID numbers

# between a cue and its number: up to six words in the same clause ("chart number at the memory clinic is ...")
_CONNECT = r"(?:[\s:#=,(-]+(?:no\.|[\w'’-]+)){0,6}?[\s:#=,(-]+"  # "(" too: "green card number (A-204-118-673)"
_RECORD = re.compile(
    r"(?i:\b(?:mrn|m\.r\.n\.?|medical record(?:s)?(?: number| no\.?| num| #)?|health record (?:number|no\.?|#)|"
    r"record (?:number|no\.?|num|#)|hospital (?:number|no\.?|id)|chart(?: number| no\.?| #| id)?|"
    r"patient (?:id|number|no\.?|#)|account(?: number| no\.?| #| id)?|case (?:number|no\.?|#)|"
    r"encounter (?:number|no\.?|#|id)|visit (?:number|no\.?|#|id)|acct\.?(?: no\.?| #)?|"
    r"(?:resident|client|room-and-board|facility|file|admission|claim) (?:id|number|no\.?|#)|(?:patient|resident|client)\s*#))"
    rf"(?:{_CONNECT}|\s*#\s*|\s*:\s*|(?<=#))(?P<n>(?-i:[A-Z]{{0,4}}-?\d[\dA-Z-]{{2,}}[\dA-Z]))(?![\w/])")
_ID_CUE = re.compile(
    r"(?i:\b(?:social security(?: number| no\.?| #| card number)?|ssn|ss#|medicare(?: beneficiary)?(?: number| no\.?| #| id| card number)|"
    r"mbi|medicaid(?: number| no\.?| #| id)|member (?:id|number|no\.?|#)|subscriber (?:id|number|no\.?|#)|"
    r"policy (?:number|no\.?|#|id)|insurance (?:id|number|no\.?|#|member id)|group (?:number|no\.?|#)|"
    r"beneficiary (?:id|number)|id (?:number|no\.?|#)|identification number|driver'?s licen[cs]e(?: number| no\.?| #)?|"
    r"passport(?: number| no\.?| #)?|tax id|tin|nhs (?:number|no\.?)|health card(?: number)?|"
    r"(?:member|subscriber|enrollee)(?=\s*[:#]?\s*[A-Z]{0,4}\d{4})))"
    rf"(?:{_CONNECT}|\s*#\s*|\s*:\s*)(?P<n>(?-i:[A-Z0-9](?:[A-Z0-9-]|(?<=\d) (?=\d)){{3,}}[A-Z0-9]))(?![\w/])")
# a cue word with no "number" after it, then a number no ordinary quantity looks like (``_strong_number``: six digits,
# or four with letters): "VA claim 28441907", "encounter 8812093", "accession 24-GH-55910", "Rx 6620184", "Enrollment
# for hospice is HSP-000918" (records); "supplemental policy is UHC884120773", "state ID card A1193-4420", "green card
# number (A-204-118-673)", "tribal enrollment card says 7741-0032", "aadhaar 4432 9901 2287", "DL# K552-8810-3391" (IDs)
_STRONG_NUMBER = r"(?-i:[A-Z0-9](?:[A-Z0-9-]|(?<=\d) (?=\d)){3,}[A-Z0-9])"
_RECORD_BARE = re.compile(
    r"(?i:\b(?:claim|encounter|accession|rx|prescription|script|enrol?lment|referral|authori[sz]ation|prior auth|"
    r"specimen|requisition|episode|admission|case|file|lab (?:order|slip|requisition))\b)"
    rf"(?:{_CONNECT})(?P<n>{_STRONG_NUMBER})(?![\w/])")
_ID_BARE_CUE = re.compile(
    r"(?i:\b(?:policy|(?:state|tribal|green|national|military|veterans?|va|id|identification|benefits?|ebt|snap|voter|"
    r"resident|permanent resident|immigration|alien|insurance|medicaid|medicare|health|member|enrol?lment)"
    r"(?: enrol?lment| id)? card|aadhaa?r|national insurance|national id|alien(?: registration)?|a-number|"
    r"(?-i:DL|D\.L\.|SIN|PAN|NI|NINO)|ni number)\b)"
    rf"(?:{_CONNECT}|\s*#\s*|\s*:\s*)(?P<n>{_STRONG_NUMBER})(?![\w/])")
_RECORD_BEFORE_ID = re.compile(r"(?i:\b(?:patient|resident|client|hospital|chart|visit|encounter|facility|admission|"
                               r"claim|file|case|account)\s*$)")
# a bare "ID" (upper case) and its number: "his ID KQ48215T isn't active", "ID# 4471902", "I.D. is W9981273"
_ID_BARE = re.compile(r"(?<![\w-])(?:ID|I\.D\.)(?:\s*(?:number|no\.?|#|:)|\s+(?:is|was))?\s*[:#]?\s*"
                      r"(?P<n>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}[A-Z0-9])(?![\w/])")
_SSN = re.compile(r"(?<![\w-])(?P<n>\d{3}-\d{2}-\d{4})(?![\w-])")
_SSN_SPACED = re.compile(r"(?<![\w.-])(?P<n>\d{3}([ .])\d{2}\2\d{4})(?![\w-]|\.\d)")
_MBI = re.compile(r"(?<![\w-])(?P<n>[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
                  r"[AC-HJKMNP-RT-Y]{2}\d{2})(?![\w-])")

# ---------------------------------------------------------------- addresses

_SUFFIX = (r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|"
           r"Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Alley|Loop|Pike|Row")
_UNIT = r"(?:,? (?:Apt|Apartment|Unit|Suite|Ste|Room|Rm|Floor|Fl|#)\.? ?#?\w{1,5})?"
_CITY = r"(?:,? [A-Z][a-z]+(?: [A-Z][a-z]+){0,2},? (?:[A-Z]{2}|[A-Z][a-z]+)(?: \d{5}(?:-\d{4})?)?)?"
_ADDRESS = re.compile(rf"(?<![\w/-])(?P<n>\d{{1,6}} (?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.? )?"
                      rf"(?:[A-Z][a-z]+\.? |\d{{1,3}}(?:st|nd|rd|th) ){{1,3}}(?:{_SUFFIX})\b\.?{_UNIT}{_CITY})")
_ADDRESS_LOW = re.compile(rf"(?i:\b(?:lives? at|living at|address is|address:|moved to|house at|home at|mail it to|send it to))"
                          rf"\s+(?P<n>\d{{1,6}} (?:[a-z]+ ){{1,3}}(?i:{_SUFFIX})\b\.?)")
_POBOX = re.compile(r"(?i)\b(?P<n>p\.? ?o\.? box \d{1,6})\b")
_RURAL = re.compile(rf"\b(?P<n>(?:RR|R\.R\.|Rural Route|HC|HCR|Star Route) ?\d{{1,4}},? Box \d{{1,5}}{_CITY})")
# streets named before or after the number in other languages: "9 Rue Chaponnay, Apt 4, Lyon", "Hauptstraße 12"
_ADDRESS_INTL = re.compile(
    rf"(?<![\w/-])(?P<n>\d{{1,5}}[a-z]?,? (?:Rue|Via|Viale|Calle|Avenida|Avda\.?|Rua|Piazza|Plaza|Praça|Chemin|Carrer|"
    rf"Camino|Strada|Calea|Ulica|Allée|Place|Quai|Impasse) (?:(?:de|del|de la|des|du|di|della|do|da|dos|las|los|la|le)"
    rf" )*[{_UP}][\w'’-]+(?: [{_UP}][\w'’-]+){{0,2}}{_UNIT}(?:, [{_UP}][{_LOW}]+(?: \d{{4,5}})?)?"
    rf"|[{_UP}][{_LOW}]+(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gracht|vej|gatan|gata) \d{{1,4}}[a-z]?)")

# ---------------------------------------------------------------- public-resource context

_ORG_CUE = re.compile(
    r"(?i:\b(?:helpline|hotline|help line|support line|crisis line|lifeline|nurse line|info line|locator|association|"
    r"poison control|(?:advice|triage|appointment|scheduling|main|office|clinic|pharmacy|information) line|"
    r"institutes?|center|centre|agency|administration|department|dept|clinic|clinics|"
    # equipment is no organization: "Ship the hospital bed to ... 19 Lough Road"
    r"hospital(?! (?:beds?|gowns?|socks|bracelets?|bands?|tables?|chairs?|bags?|equipment))|office|foundation|"
    r"alliance|society|network|program|programme|services|council|coalition|organi[sz]ation|ombudsman|nih|nia|cdc|"
    r"fda|cms|medicare|medicaid|social security|aarp|pharmacy|front desk|switchboard|headquarters|university|library|"
    r"church|company|inc|llc|corporation|registry|ministry|bureau|commission|authority|senior center|day program|"
    r"memory care unit|practice|trial|study|research|veterans affairs|(?-i:VA))\b)")
_PERSONAL_CUE = re.compile(
    r"(?i:\b(?:my|me|mine|his|him|hers|their|our|your|mom'?s|dad'?s|cell|mobile|home|house|lives?|living|personal|"
    r"private|reach me|call me|text me|email me|"
    rf"(?:{_KIN})(?:['’]s)?)\b)")
_SENTENCE_END = re.compile(r"(?:(?<!\bDr)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bSt)[.!?]\s|\n|;)")


def _strong_number(v: str) -> bool:
    """Six digits or more, or four with two letters: an identifier, not a count, a dose or a sum ("claim 2 of 3")."""
    digits = sum(c.isdigit() for c in v)
    return digits >= 6 or (digits >= 4 and sum(c.isalpha() for c in v) >= 1 and not re.fullmatch(r"\d+[A-Z]{1,2}", v))


def _org_context(text: str, start: int, end: int) -> bool:
    """The sentence gives the span as an organization's: an organization cue before it with no personal cue in
    between, or (none before) one right after it."""
    sent_start = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        sent_start = m.end()
    before = text[sent_start:start]
    orgs = [m.end() for m in _ORG_CUE.finditer(before)]
    pers = [m.end() for m in _PERSONAL_CUE.finditer(before)]
    if orgs:
        # "her doctor's office": the organization cue comes after the personal one
        return not pers or orgs[-1] > pers[-1]
    if pers:
        return False
    after = text[end:end + 60]
    m = _SENTENCE_END.search(after)
    after = after[:m.start()] if m else after
    m = re.search(r",? (?:and|but|while|whereas) |, (?:the|a|an|my|our|his|her|their) ", after)  # its own clause only
    after = after[:m.start()] if m else after
    return bool(_ORG_CUE.search(after)) and not _PERSONAL_CUE.search(after)


# ---------------------------------------------------------------- the detector

_PRIORITY = {k: i for i, k in enumerate(("ID_NUMBER", "RECORD_NUMBER", "EMAIL", "DATE_OF_BIRTH", "PHONE", "ADDRESS",
                                         "AGE_OVER_89", "NAME"))}


_DIGITS4_RX = re.compile(r"\d(?:[A-Za-z0-9-]*\d){3}")
_LOW_WORD = re.compile(rf"[{_LOW}]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@lru_cache(maxsize=8)
def _has_low_known(text: str) -> bool:
    """A known given name written in lower case is somewhere in ``text``: the guard of the rules that need one."""
    return not known_names().isdisjoint(_LOW_WORD.findall(text))


@lru_cache(maxsize=8)
def _has_known(text: str) -> bool:
    """A known given name in any case is somewhere in ``text`` (a word, its possessive, or its first hyphenated
    parts): the guard of the rules that accept only a known given name (``known``, ``hello``, ``vocative``, ``prep``)."""
    forms: set[str] = set()
    for t in _WORD.findall(text):
        t = t.replace("’", "'").lower().removesuffix("'s")
        parts = re.split(r"(?<=[^'])-", t)
        forms.update("-".join(parts[:k]) for k in range(1, len(parts) + 1))
        forms.update(t.split("'"))
        forms.add(t)
    return not known_names().isdisjoint(forms)


def _overlapping(rx: re.Pattern, text: str):
    """The matches of ``rx``, each search starting where the last match's name began, so that a cue inside a
    name's context still counts: "My husband Ahmed's sister Noor" holds "husband Ahmed" and "Ahmed's sister Noor"."""
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        yield m
        # a rule whose cue comes first resumes at the name; one that starts with the name, after the match
        pos = m.start("n") if m.start("n") > m.start() else max(m.end(), m.start() + 1)
        if pos > len(text):
            return


class PhiDetector:
    """``spans(text)``: typed PHI spans, sorted, non-overlapping. ``allow``: regular expressions; a span that lies
    inside a match of one of them is not reported (e.g. a clinic's own public number)."""

    def __init__(self, allow: Iterable[str] | None = None):
        self.allow_patterns = list(allow or [])
        self._allow = []
        for p in self.allow_patterns:
            try:
                self._allow.append(re.compile(p))
            except re.error as e:
                raise ValueError(f"phi_allow: {p!r} is not a valid regular expression ({e})") from None
        self._steps_cache = self._steps()

    # -- candidates per kind
    def _names(self, text: str, out: list[Span], group: str) -> None:
        if group == "kin_bracket" and "(" not in text:
            return  # a cheap guard for the single-text path (the batch path has checked ``GROUPS`` already)
        for rx, cued, *opt in _NAME_RULES[group]:
            check, before = (opt + [None, None])[:2]
            if check == "known_low" and not _has_low_known(text):
                continue
            for m in _overlapping(rx, text):
                if before is not None and not before.search(text, max(0, m.start() - 80), m.start()):
                    continue
                if _is_public_name(m.group("w"), text[:m.start("n")]) or " ".join(m.group(0).lower().split()) in public_names():
                    continue
                w = m.group("w")
                if w.islower() and (_plain_word(w) or w in _LOW_STOP):  # "mrs kowalski", not "mr said"
                    continue
                t = _trim_name(text, m.start("n"), m.end("n"), cued)
                if t is None:
                    continue
                s, e = t
                if check and not _weak_cue_ok(text[s:e], check):
                    continue
                out.append(Span(s, e, "NAME", text[s:e]))

    def _bare_names(self, text: str, out: list[Span], rules: Iterable[str] = tuple(_BARE_NAME_RULES)) -> None:
        """Names with no title, kinship or naming word, found by their place in the sentence (see
        ``_BARE_NAME_RULES``); every word must be name-shaped and none an ordinary word, place, drug, condition
        or public figure."""
        for key in rules:
            if key in ("with_low", "poss_low", "kin_low", "known_low") and not _has_low_known(text):
                continue
            if key in ("known", "hello", "vocative", "prep") and not _has_known(text):
                continue
            for m in _BARE_NAME_RULES[key].finditer(text):
                g = "n" if key not in ("sign", "sign_end") or m.group("n") else ("n2" if m.group("n2") else "n3")
                s0, e0 = m.start(g), m.end(g)
                words = m.group(g)
                if " ".join(text[m.start():e0].lower().split()) in public_names():
                    continue  # "Dear Abby", "Uncle Sam" as a whole
                if key in ("vocative", "prep") or (key == "sign_end" and (g == "n2" or " " not in words)):
                    # a known given name alone (not "Florence, Italy", "moved to Georgia.")
                    if _known_subject(words) and not _plain_word(words) and not _is_public_name(words, text[:s0]):
                        out.append(Span(s0, e0, "NAME", text[s0:e0]))
                    continue
                if key in ("thanks", "sign_end"):
                    t = _trim_name(text, s0, e0)  # no kinship or organization word ("Caregiver Support Group")
                    if t and not _is_public_name(words, text[:s0]) and _weak_cue_ok(text[t[0]:t[1]], "plain"):
                        out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))
                    continue
                if key in ("with_low", "known_low"):
                    if _known_subject(words) and words not in _CUED_WORDS:  # not "jan was brutal"  # "visits joe", not "visited florence" (a place as often)
                        out.append(Span(s0, e0, "NAME", text[s0:e0]))
                    continue
                if key in ("verb", "kin_low"):
                    if words.islower():
                        if words not in known_names():
                            continue
                    elif _plain_word(words) and not (key == "verb" and words.lower() in _CUED_WORDS
                                                     and _PERSON_ONLY_VERB.match(text, e0)):
                        continue
                    out.append(Span(s0, e0, "NAME", text[s0:e0]))
                    continue
                if key == "hello":
                    first = words.split()[0]
                    low = first.replace("’", "'").lower().removesuffix("'s")  # "Dear Florence," is a person
                    if low in known_names() and not _plain_word(first) and not _is_public_name(words, text[:s0]):
                        t = _trim_name(text, s0, e0)
                        if t:
                            out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))
                    continue
                if key == "known":
                    if words.endswith(("'s", "’s")):
                        continue  # "Wendy's is her favorite lunch": possessives are the ``poss`` rule's
                    if _known_subject(words) and not _plain_word(words) and not _is_public_name(words, text[:s0]):
                        t = _trim_name(text, s0, e0)
                        if t:
                            out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))
                    continue
                if key == "pair":
                    first, _, second = re.split(r" (and|&) ", words, maxsplit=1)
                    a1, b2 = s0 + len(first), e0 - len(second)
                    cand = [(s0, a1)] + ([] if second in ("I", "me") else [(b2, e0)])
                    if any(_plain_word(text[a:b]) or _is_public_name(text[a:b], text[:a]) for a, b in cand):
                        continue
                    if len(cand) == 2 and not any(_known_subject(text[a:b]) for a, b in cand):
                        continue  # "Peanut and Butter are the cats' names": one of the two must be a known name
                    for a, b in cand:
                        t = _trim_name(text, a, b)
                        if t:
                            out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))
                    continue
                if key == "obj":
                    parts = [w for w in words.split() if not w.islower()]  # not the particles ("de la")
                    if _is_public_name(words, text[:s0]) or " ".join(words.lower().split()) in public_names():
                        continue
                    if any(_plain_word(w) for w in parts):
                        continue
                    if re.fullmatch(_MOVE_VERB, m.group("v").lower()) and len(parts) < 2 \
                            and not _known_subject(words):
                        continue  # "we took Ensure", "brought Depends home": a thing, unless a known name
                    if re.fullmatch(_CONTACT_VERB, m.group("v").lower()) and not _known_subject(parts[0]):
                        continue  # "called Comcast", "called Poison Control": a business, unless a known name
                    t = _trim_name(text, s0, e0)
                    if t:
                        out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))
                    continue
                if key == "poss":
                    month_like = words.lower() in _CUED_WORDS and _POSS_PERSONAL.fullmatch(m.group("pn"))
                    if (month_like or not _plain_word(words)) and not _is_public_name(words, text[:s0]):
                        out.append(Span(s0, e0, "NAME", text[s0:e0]))
                    continue
                if key == "poss_low":
                    if _known_subject(words):
                        out.append(Span(s0, e0, "NAME", text[s0:e0]))
                    continue
                if key in ("sign", "list", "kin_list"):
                    items = [(i.start() + s0, i.end() + s0) for i in re.finditer(rf"{_NAMEWORDS}", words)]
                    if key == "list":
                        sent = text[max(0, s0 - 80):s0]
                        cut = max(sent.rfind(". "), sent.rfind("? "), sent.rfind("! "))
                        if any(_plain_word(text[a:b]) for a, b in items) or not _PEOPLE_CUE.search(sent[cut + 1:]):
                            continue
                    for a, b in items:
                        if " ".join(text[a:b].lower().split()) in public_names():
                            continue
                        t = _trim_name(text, a, b, cued=key == "kin_list")
                        if t and (key == "kin_list" or not _plain_word(text[t[0]:t[1]].split()[0])):
                            out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))
                    continue
                if _is_public_name(words, text[:s0]) or " ".join(words.lower().split()) in public_names():
                    continue
                t = _trim_name(text, s0, e0)
                if t is None or _plain_word(text[t[0]:t[1]].split()[0]):
                    continue
                if key == "with" and text[t[0]:t[1]].lower() in _AMBIGUOUS_NAMES:
                    continue  # "She visits Florence every summer": a place as often as a person
                out.append(Span(t[0], t[1], "NAME", text[t[0]:t[1]]))

    def _ages(self, text: str, out: list[Span]) -> None:
        if not _AGE_HINT.search(text):
            return  # every age rule needs one of these (the same guard as ``GROUPS["age"]``)
        for rx in (_AGE_OLD, _AGE_AGED):
            for m in rx.finditer(text):
                if _POPULATION.search(text[max(0, m.start() - 30):m.start()]) or _AFTER_POP.match(text[m.end():m.end() + 20]):
                    continue
                g = "n" if m.group("n") else "n2"
                out.append(Span(m.start(g), m.end(g), "AGE_OVER_89", m.group(g)))
        for m in _AGE_LEAD.finditer(text):
            g = "n" if m.group("n") else "n2"
            out.append(Span(m.start(g), m.end(g), "AGE_OVER_89", m.group(g)))
        for m in _AGE_APPOS.finditer(text):
            out.append(Span(m.start("n"), m.end("n"), "AGE_OVER_89", m.group("n")))
        for m in _AGE_NAME_APPOS.finditer(text):
            if not _plain_word(m.group("w")) or m.group("w").lower() in _KIN_WORDS:
                out.append(Span(m.start("n"), m.end("n"), "AGE_OVER_89", m.group("n")))
        for m in _AGE_IS.finditer(text):
            before = text[max(0, m.start() - 50):m.start("n")]
            if _PERSONISH.search(before) and not _MEASURE.search(before) and not _AFTER_POP.match(text[m.end():m.end() + 20]):
                out.append(Span(m.start("n"), m.end("n"), "AGE_OVER_89", m.group("n")))

    def _phones(self, text: str, out: list[Span]) -> None:
        for m in _PHONE.finditer(text):
            area = m.group("a1") or m.group("a2")
            if area in _TOLL_FREE or _org_context(text, m.start("n"), m.end("n")):
                continue
            out.append(Span(m.start("n"), m.end("n"), "PHONE", m.group("n")))
        for m in _PHONE_BARE.finditer(text):
            digits = m.group("n").lstrip("+")
            digits = digits[1:] if len(digits) == 11 else digits
            if digits[:3] in _TOLL_FREE or _org_context(text, m.start("n"), m.end("n")):
                continue
            out.append(Span(m.start("n"), m.end("n"), "PHONE", m.group("n")))
        for m in _PHONE_LOCAL.finditer(text):
            # a 7-digit number is a person's only when the sentence says so ("call me first: 555-0173", "my cell
            # is ..."): "Call 555-0177 if you see redness" in discharge instructions is the clinic's
            if _PERSONAL_CUE.search(text, max(0, m.start() - 40), m.start("n")) and not _org_context(text, m.start("n"), m.end("n")):
                out.append(Span(m.start("n"), m.end("n"), "PHONE", m.group("n")))
        for rx, lo, hi in ((_PHONE_INTL, 8, 15), (_PHONE_NATIONAL, 10, 11)):
            for m in rx.finditer(text):
                v = m.group("n").rstrip(" .-")
                if rx is _PHONE_NATIONAL and re.match(r"0(?:800|808|500)", v.replace(" ", "")):
                    continue  # freephone (UK and others), like 800 numbers in the US
                if not lo <= sum(c.isdigit() for c in v) <= hi or _org_context(text, m.start("n"), m.start("n") + len(v)):
                    continue
                out.append(Span(m.start("n"), m.start("n") + len(v), "PHONE", v))

    def _emails(self, text: str, out: list[Span]) -> None:
        for m in _EMAIL.finditer(text):
            addr = m.group("n")
            local, _, domain = addr.partition("@")
            if not _FREEMAIL.search(addr):
                if _ROLE.match(local) or domain.lower().endswith((".gov", ".mil")):
                    continue
                if _org_context(text, m.start("n"), m.end("n")):
                    continue
            out.append(Span(m.start("n"), m.end("n"), "EMAIL", addr))

    def _numbers(self, text: str, out: list[Span], cued: bool = True) -> None:
        if not _DIGITS4_RX.search(text):
            return  # every number rule needs four digits in a row (letters and hyphens between): ``_DIGITS4``
        for kind, rxs in (("ID_NUMBER", (_SSN, _SSN_SPACED, _MBI, _ID_CUE, _ID_BARE, _ID_BARE_CUE) if cued
                           else (_SSN, _SSN_SPACED, _MBI)),
                          ("RECORD_NUMBER", (_RECORD, _RECORD_BARE) if cued else ())):
            for rx in rxs:
                for m in rx.finditer(text):
                    v = m.group("n")
                    if (sum(c.isdigit() for c in v) < 4 and rx is not _MBI) or re.fullmatch(r"(?:19|20)\d\d", v):
                        continue
                    if rx is _ID_BARE and _RECORD_BEFORE_ID.search(text, max(0, m.start() - 30), m.start()):
                        continue  # "Patient ID 889201" is a record number (``_RECORD``)
                    if rx in (_RECORD_BARE, _ID_BARE_CUE) and not _strong_number(v):
                        continue
                    if rx in (_ID_CUE, _ID_BARE, _RECORD, _RECORD_BARE, _ID_BARE_CUE) and _PHONE_SHAPE.fullmatch(v):  # "Social Security: 1-800-772-1213"
                        continue
                    out.append(Span(m.start("n"), m.end("n"), kind, v))

    def _addresses(self, text: str, out: list[Span]) -> None:
        for rx in (_ADDRESS, _ADDRESS_LOW, _POBOX, _RURAL, _ADDRESS_INTL):
            for m in rx.finditer(text):
                s, e = m.start("n"), m.end("n")
                v = text[s:e].rstrip(",. ")
                e = s + len(v)
                if _org_context(text, s, e):
                    continue
                out.append(Span(s, e, "ADDRESS", v))

    def _dobs(self, text: str, out: list[Span]) -> None:
        for m in _DOB.finditer(text):
            out.append(Span(m.start("n"), m.end("n"), "DATE_OF_BIRTH", m.group("n")))

    def _steps(self) -> dict[str, object]:
        """Rule groups by name (see ``GROUPS``): each a function ``(text, out)``."""
        n = self._names
        return {
            "ids": lambda t, o: self._numbers(t, o, cued=False),
            "cued_numbers": lambda t, o: self._numbers(t, o, cued=True),
            "email": self._emails, "dob": self._dobs, "phone": self._phones, "address": self._addresses,
            "age": self._ages,
            **{g: (lambda g: lambda t, o: n(t, o, g))(g) for g in _NAME_RULES},
            **{f"bare_{k}": (lambda k: lambda t, o: self._bare_names(t, o, (k,)))(k) for k in _BARE_NAME_RULES},
        }

    def spans(self, text: str | None, groups: Iterable[str] | None = None) -> list[Span]:
        """``groups``: run only these rule groups (the batch path passes the groups whose vectorized pre-check the
        text passed; the result is the same as running them all); ``None`` = every group."""
        if not text:
            return []
        found: list[Span] = []
        steps = self._steps_cache
        if groups is None:
            if "cued_numbers" in steps:
                steps["cued_numbers"](text, found)  # includes "ids"
            for g, step in steps.items():
                if g not in ("ids", "cued_numbers"):
                    step(text, found)
        else:
            groups = set(groups)
            if "cued_numbers" in groups:
                groups.discard("ids")
            for g in groups:
                steps[g](text, found)
        if self._allow and found:
            allowed = [(m.start(), m.end()) for rx in self._allow for m in rx.finditer(text) if m.end() > m.start()]
            found = [s for s in found if not any(a <= s.start and s.end <= b for a, b in allowed)]
        # overlaps: the longer span wins, then the kind in _PRIORITY order
        found.sort(key=lambda s: (-(s.end - s.start), _PRIORITY[s.kind], s.start))
        kept: list[Span] = []
        for s in found:
            if all(s.end <= k.start or s.start >= k.end for k in kept):
                kept.append(s)
        return sorted(kept, key=lambda s: s.start)

    def redact(self, text: str | None, groups: Iterable[str] | None = None) -> tuple[str | None, Counter]:
        """``text`` with every span replaced by its typed placeholder (``[NAME]``, ``[PHONE]``, ...) and the count
        of replacements per kind."""
        spans = self.spans(text, groups)
        counts: Counter = Counter(s.kind for s in spans)
        if not spans:
            return text, counts
        parts, pos = [], 0
        for s in spans:
            parts += [text[pos:s.start], f"[{s.kind}]"]
            pos = s.end
        parts.append(text[pos:])
        return "".join(parts), counts


_DEFAULT = PhiDetector()


def detector(allow: Iterable[str] | None = None) -> PhiDetector:
    allow = list(allow or [])
    return PhiDetector(allow) if allow else _DEFAULT


def detect_spans(text: str | None, allow: Iterable[str] | None = None) -> list[Span]:
    return detector(allow).spans(text)


def detect_phi(text: str | None, allow: Iterable[str] | None = None) -> list[str]:
    """``["KIND: matched text", ...]`` for one text (empty list = nothing found)."""
    out: list[str] = []
    for s in detect_spans(text, allow):
        if s.label() not in out:
            out.append(s.label())
    return out


# ---------------------------------------------------------------- batches (filter stage, publish gate)

# Vectorized pre-checks (polars' Rust regex), one per rule group: a text that fails a group's pre-check can hold
# no span of that group's rules, so the batch path runs only the groups a text passes, and most texts none.
# Each pattern is a superset of its rules (tests/filters/test_phi.py compares both paths on the labeled set).
_DIGITS4 = r"\d(?:[A-Za-z0-9-]*\d){3}"
def _alternation(words: Iterable[str]) -> str:
    """Letters-and-hyphens words as one regex alternation, longest first."""
    ws = sorted({w for w in words if re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)*", w)}, key=lambda w: (-len(w), w))
    return "|".join(ws)


@lru_cache(maxsize=1)
def _known_forms() -> tuple[str, str]:
    """``known_names`` as two regex alternations: the capitalized forms the rules accept ("Lorraine", "Soon-ja",
    "Soon-Ja", "DeShawn", "McKenzie") and the lower-case ones."""
    caps: set[str] = set()
    low = [n for n in known_names() if re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)*", n)]
    for n in low:
        parts = n.split("-")
        caps.add("-".join(x.capitalize() for x in parts))
        if len(parts) > 1:
            caps.add("-".join([parts[0].capitalize(), *parts[1:]]))
        for pre in ("mc", "mac", "de", "le", "van", "al", "el"):
            if n.startswith(pre) and len(n) > len(pre) + 1:
                caps.add(pre.capitalize() + n[len(pre):].capitalize())
    return _alternation(caps), _alternation(low)


_CLAUSE_START_V = rf"(?:^|[.!?:;(—–]\s*|\s-\s+|\b(?:{_CLAUSE_WORDS})\s+|\b{_TIME_LEAD})"
# "my [up to four modifiers] sister": the modifiers hold no "," "." ";" or line break and are at most ~80 letters
_MOD_V = r"[^\n,;.]{0,80}?"
GROUPS: dict[str, str] = {
    "ids": r"\d{3}-\d{2}-\d{4}|\d{3}[ .]\d{2}[ .]\d{4}|\b[1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d",
    "email": r"@",
    "dob": r"(?i:dob|d\.o\.b|birth|born|\bb\.)",
    "phone": r"\d{3}[\s.)-]+\d{3}[\s.-]\d{4}|\d{10}|\+[2-9]\d{0,2}[\s.-]?\(?\d|\b0\d{2,4}[\s.-]?\d{3}"
             r"|\d{3}[-.]\d{4}",
    "address": rf"\d{{1,6}} (?:\S+ ){{1,4}}(?i:{_SUFFIX})\b|(?i:p\.? ?o\.? box)|\b(?:RR|R\.R\.|Rural Route|HC|HCR|Star Route) ?\d"
               r"|\d{1,5}[a-z]?,? (?:Rue|Via|Viale|Calle|Avenida|Avda|Rua|Piazza|Plaza|Praça|Chemin|Carrer|Camino|Strada|"
               r"Calea|Ulica|Allée|Place|Quai|Impasse) |(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gracht|"
               r"vej|gatan|gata) \d",
    "age": r"\b(?:9\d|1[01]\d)(?:\b|st|nd|rd|th)|(?i:ninety|hundred)",
    "title": r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sr|Sra)\.? \p{Lu}|\bmrs?\.?\s+\p{Ll}",
    "kin": rf"(?i:\b(?:{_KIN}|{_ROLE_WORDS})(?:['’]s)?)(?:,|:| -| –| —)?\s+\(?\p{{Lu}}",
    "kin_title": rf"\b(?:{_KIN_TITLE}) \p{{Lu}}",
    "clinician": rf"(?i:\b{_CLINICIAN}(?:['’]s)?)(?:,|:| -)?\s+\(?\p{{Lu}}|\b(?:{_ROLE_TITLE}|{_CLERGY_KIN_TITLE})\s+\p{{Lu}}",
    "clinician_low": rf"(?i:\b(?:nurse|doctor|pastor|father|sister|brother|{_KIN_TITLE}))\s+\p{{Ll}}",
    "kin_bare": rf"(?i:\b(?:{_KIN_FAMILY}))\s+\p{{Lu}}|(?i:\b(?:{_KIN}|{_ROLE_WORDS}|{_CLINICIAN})(?:['’]s name)?\s+"
                rf"(?:is|was|will be)\s+)\p{{Lu}}",
    "label": r"(?i:\b(?:patient|resident|client|name|care recipient|notes (?:for|on)|caregiver for|visit for))\s*:?\s*\p{Lu}"
             r"|\b(?:Pt|PT|pt)\b\.?\s*:?\s*\p{Lu}",
    "naming": rf"(?i:(?:['’]s|\b(?:his|her|my|their|our|your))(?: (?:first|real|full|last|maiden|middle|given|legal|actual))? name[,:]|\bit['’]?s me(?: again)?,|\bit is me(?: again)?,)\s+\p{{L}}|"
              r"(?i:\b(?:name is|name was|name's|named|goes by|went by|I am|I'm|this is|known as|nicknamed|"
              r"(?:call|calls|called|calling) (?:him|her|me|them))),?\s+\p{Lu}",
    "name_cue": r"\p{Lu}[\p{L}'’-]*\s*[(,]\s*(?i:dob|d\.o\.b|born|date of birth|age)",
    "name_kin_after": rf"\p{{Lu}}[\p{{L}}'’.-]*\s*[(,]\s*(?i:(?:my|our|his|her|their)\s+{_MOD_V}(?:{_KIN}|{_ROLE_WORDS})\b)",
    "kin_bracket": rf"(?i:\b(?:{_KIN}|{_KIN_TITLE})(?:['’]s)?)\s*\(\s*\p{{Lu}}",
    "bare_verb": rf"{_CLAUSE_START_V}(?:\p{{Lu}}[\p{{L}}'’]*(?:-\p{{L}}+)?|\p{{Ll}}{{3,}})\s+{_CARE_VERB}",
    "bare_known": rf"(?:{_CLAUSE_START_V}|{_AUX_LEAD.replace('(?<=[.!?])', '[.!?]')})\p{{Lu}}[\p{{L}}'’]*(?:-\p{{L}}+)?\s+\p{{Ll}}",
    "bare_pair": r"\p{Lu}[\p{L}'’-]* (?:and|&) (?:\p{Lu}|me\b)",
    "bare_obj": rf"(?i:\b(?:{_PERSON_VERB}|{_MOVE_VERB}|{_CONTACT_VERB}))\s+\p{{Lu}}",
    "bare_hello": r"(?i:\b(?:dear|hi|hello|hey))\s+\p{Lu}",
    "bare_poss": rf"\p{{Lu}}[\p{{L}}-]*['’]s\s+(?:[a-z]+\s+)?(?i:{_POSS_NOUN})\b",
    "bare_poss_low": rf"(?:^|[^\p{{L}}\d_'’-])\p{{Ll}}+['’]s\s+(?:[a-z]+\s+)?(?i:{_POSS_NOUN})\b",
    "bare_sign": r"\p{Lu}[\p{L}'’.-]*\s*[.!]?\s*$|,[\s\-–—]*\n[ \t]*\p{Lu}",
    "bare_list": r"\p{Lu}\p{L}*(?:,\s*\p{Lu}\p{L}*)+|\p{Lu}\p{L}*\s+(?:and|&)\s+\p{Lu}\p{L}*",
    "bare_with": rf"(?i:\b(?:{_WITH_VERB}))\s+\p{{Lu}}",
    "bare_known_low": rf"{_CLAUSE_START_V}\p{{Ll}}{{2,}}\s+(?:{_LOW_SUBJECT_VERB})\b",
    "bare_with_low": rf"(?i:\b(?:{_WITH_VERB}|{_PERSON_VERB}))\s+\p{{Ll}}",
    "bare_me": r"(?i:\b(?:me|I|myself|us))\s*\(\s*\p{Lu}",
    "bare_thanks": r"(?i:\b(?:thanks|thank you|thx|cheers)(?: so much| again)?),\s+\p{Lu}",
    "bare_vocative": r"(?:^|\n)[ \t]*\p{Lu}\p{L}*(?:-\p{L}+)?,\s",
    "bare_prep": r"(?i:\b(?:with|for|to|from|by|beside))\s+\p{Lu}\p{L}*(?:-\p{L}+)?\s*(?:[,.!?;:)]|$)",
    "bare_sign_end": r"\p{Lu}[\p{L}'’-]*[ \t]*[.!]?\s*$",
    "bare_is_kin": rf"\p{{Lu}}[\p{{L}}'’.-]*\s+(?:is|was|has been|had been)\s+(?i:(?:my|our|his|her|their)\s+{_MOD_V}"
                   rf"(?:{_KIN}|{_ROLE_WORDS})\b)",
    "bare_kin_list": rf"(?i:\b(?:{_KIN_PLURAL}))(?:,|:| -)?\s+\(?\p{{Lu}}",
    "bare_kin_low": rf"(?i:\b(?:my|our|his|her|their|your)\s+(?:{_KIN}|{_ROLE_WORDS}))\s+\p{{Ll}}",
}
# record and ID numbers after a cue: a cue word and a number with 4 digits
_NUMBER_CUE = (r"(?i:mrn|m\.r\.n|record|chart|patient|account|acct|case|encounter|visit|hospital|social security|ssn|"
               r"ss#|medicare|mbi|medicaid|member|subscriber|policy|insurance|group|beneficiary|\bid\b|identification|"
               r"licen|passport|tax id|\btin\b|resident|client|file|admission|claim|facility|nhs|health card|enrollee|i\.d\.|"
               r"encounter|accession|\brx\b|prescription|script|enrol|referral|authori[sz]ation|specimen|requisition|"
               r"episode|lab|prior auth|card|aadhaa?r|alien|a-number|\bdl\b|d\.l\.|\bsin\b|\bpan\b|\bni\b|nino|national)")
# ``bare_verb`` has a pre-check of its own, run apart from the union (its pattern passes most sentences that begin
# with "She keeps" or "Memantine comes"; a vectorized look-up refuses most of them). The groups that need a known
# given name (``bare_known``, ``bare_kin_low``, ``bare_with_low``, ``bare_poss_low``, ``bare_vocative``,
# ``bare_prep``, ``clinician_low``) enter the union as one alternation of the names alone: a text with none of them
# cannot pass any
_APART = ("bare_verb", "bare_known", "bare_known_low", "bare_kin_low", "bare_with_low", "bare_poss_low", "bare_vocative", "bare_prep",
          "clinician_low")
# the groups of ``_APART`` but ``bare_verb`` accept a known given name only: each one's check is its pattern (with
# any name-shaped word in the name's place) and ``NAMES_PREFILTER`` (one pass over the name list for all of them)
_NEEDS_NAME = _APART[1:]
# any known given name as a word, capitalized or in lower case
NAMES_PREFILTER = (rf"(?:^|[^\p{{L}}\d_'’-])(?:{_known_forms()[0]}|{_known_forms()[1]})(?:['’]s)?(?:[^\p{{L}}\d_-]|$)")
# the union: a text passes it or ``bare_verb``'s check, or has no candidate. Run as two regexes (the name list
# alone, then the rest) OR-ed together: one regex of both is past what the regex engine's lazy DFA holds, and it
# falls back to a far slower engine (50x on the filter-stage pairs)
PREFILTER_PARTS = ("|".join(f"(?:{p})" for g, p in (*GROUPS.items(), ("digits", _DIGITS4)) if g not in _APART),
                   NAMES_PREFILTER)
PREFILTER = "|".join(f"(?:{p})" for p in PREFILTER_PARTS)


def _group_flags(texts: pl.Series) -> list[list[str]]:
    """Per text, the rule groups whose pre-check it passes."""
    t = texts.fill_null("")
    out: list[list[str]] = [[] for _ in range(len(t))]
    # one pass with the union first: the per-group checks run only on the (few) texts that pass it
    frame = pl.DataFrame({"t": t}).with_row_index("_i")
    frame = frame.with_columns(pl.col("t").str.contains(NAMES_PREFILTER).alias("_names"))
    rows = frame.filter(pl.col("_names") | pl.col("t").str.contains(PREFILTER_PARTS[0]))
    if rows.height:
        exprs = [(pl.col("t").str.contains(p) & pl.col("_names") if g in _NEEDS_NAME else pl.col("t").str.contains(p))
                 .alias(g) for g, p in GROUPS.items() if g != "bare_verb"]
        exprs.append((pl.col("t").str.contains(_NUMBER_CUE) & pl.col("t").str.contains(_DIGITS4)).alias("cued_numbers"))
        flags = rows.select("_i", *exprs)
        names = flags.columns[1:]
        for i, *row in flags.iter_rows():
            out[i] = [g for g, on in zip(names, row) if on]
    verbs = frame.filter(pl.col("t").str.contains(GROUPS["bare_verb"]))
    if verbs.height:
        for i, on in verbs.select("_i", _bare_verb_check(pl.col("t"))).iter_rows():
            if on:
                out[i].append("bare_verb")
    return out


@lru_cache(maxsize=1)
def _verb_stop() -> list[str]:
    return sorted(_NOT_NAME | _COMMON | _PLACES | _BRANDS | _EPONYMS | _lexicon_words() | _public_words() | _KIN_WORDS)


def _bare_verb_check(t: pl.Expr) -> pl.Expr:
    """``bare_verb``'s pre-check: a clause-initial word before a caregiver verb that is a capitalized word no
    ordinary word, place, drug or public figure, or a known given name in lower case (most sentences that pass
    the pattern begin with "She keeps ..." or "Memantine comes ...", and the rule would refuse them)."""
    w = (pl.element().str.replace(rf"^(?:[.!?:;(—–]\s*|\s-\s+|(?:{_CLAUSE_WORDS})\s+"
                                  rf"|{_TIME_LEAD})", "")
         .str.extract(r"^(\p{L}[\p{L}'’]*(?:-\p{L}+)?)", 1))
    low = w.str.to_lowercase()
    ok = ((low == w) & low.is_in(sorted(known_names()))) | ((low != w) & low.is_in(_verb_stop()).not_())
    # "Will keeps hiding his hearing aids": a month or modal before a verb only a person does (``_PERSON_ONLY_VERB``)
    cued = "|".join(w.capitalize() for w in sorted(_CUED_WORDS))
    ok = ok | ((low != w) & low.is_in(sorted(_CUED_WORDS))
               & pl.element().str.contains(rf"(?:^|\s)(?:{cued}){_PERSON_ONLY_VERB.pattern}"))
    return t.str.extract_all(GROUPS["bare_verb"]).list.eval(ok).list.any().fill_null(False)


def _texts_with_candidates(texts: pl.Series) -> pl.Series:
    return pl.Series([bool(g) for g in _group_flags(texts)], dtype=pl.Boolean)


def phi_lists(texts: pl.Series, allow: Iterable[str] | None = None) -> list[list[str]]:
    """``detect_phi`` of every text of a Series, only the rule groups each text's pre-check passed."""
    det = detector(allow)
    out: list[list[str]] = []
    for v, groups in zip(texts.to_list(), _group_flags(texts)):
        if not groups:
            out.append([])
            continue
        labels: list[str] = []
        for s in det.spans(v, groups):
            if s.label() not in labels:
                labels.append(s.label())
        out.append(labels)
    return out


def phi_series(df: pl.DataFrame, columns: list[str], allow: Iterable[str] | None = None) -> pl.Series:
    """``phi`` per row: ``"KIND: match"`` for every span found in any of ``columns`` (in column order)."""
    rows: list[list[str]] = [[] for _ in range(df.height)]
    for c in columns:
        for i, found in enumerate(phi_lists(df[c].cast(pl.Utf8), allow)):
            for x in found:
                if x not in rows[i]:
                    rows[i].append(x)
    return pl.Series(PHI_COL, rows, dtype=pl.List(pl.Utf8))


def redact_series(texts: pl.Series, allow: Iterable[str] | None = None) -> tuple[pl.Series, list[list[str]]]:
    """Every text with its spans replaced by typed placeholders, and per text the kinds replaced (one entry per
    span, so ``Counter`` of them is the per-kind count)."""
    det = detector(allow)
    new: list[str | None] = []
    kinds: list[list[str]] = []
    for v, groups in zip(texts.to_list(), _group_flags(texts)):
        if not groups:
            new.append(v)
            kinds.append([])
            continue
        red, counts = det.redact(v, groups)
        new.append(red)
        kinds.append([k for k in KINDS for _ in range(counts.get(k, 0))])
    return pl.Series(texts.name, new, dtype=pl.Utf8), kinds


def redact_frame(df: pl.DataFrame, columns: list[str], allow: Iterable[str] | None = None) -> pl.DataFrame:
    """``columns`` redacted in place plus ``phi_redacted`` (list[str]: one kind per replaced span, all columns)."""
    rows: list[list[str]] = [[] for _ in range(df.height)]
    new_cols = []
    for c in columns:
        red, kinds = redact_series(df[c].cast(pl.Utf8), allow)
        new_cols.append(red.alias(c))
        for i, k in enumerate(kinds):
            rows[i].extend(k)
    return df.with_columns(*new_cols, pl.Series(PHI_REDACTED_COL, rows, dtype=pl.List(pl.Utf8)))


def kind_counts(labels: Iterable[str]) -> dict[str, int]:
    """``{"NAME": 3, ...}`` from ``"KIND: text"`` labels or bare kinds, in ``KINDS`` order."""
    c = Counter(x.split(":", 1)[0] for x in labels)
    return {k: c[k] for k in KINDS if c.get(k)}


# ---------------------------------------------------------------- the filter

# columns the stages write themselves (ids, labels, parameters): never free text
_MACHINE_COLS = {ID, S.SOURCE, S.REWRITE_MODEL, S.PROMPT_VERSION, S.GENERATION_PARAMS, S.CHOSEN_STYLE, S.REJECTED_STYLE,
                 CLUSTER_ID_COL, DUP_KIND_COL, S.REVIEW_STATUS, S.REVIEW_DROP_REASON, S.INPUT_ROW}


def phi_text_columns(df: pl.DataFrame) -> list[str]:
    """The columns PHI is looked for (and redacted) in: question, source answer, chosen, rejected, and any other
    text column a person or a model wrote."""
    cols = [c for c in (QUESTION, SOURCE_ANSWER, CHOSEN, REJECTED) if c in df.columns]
    return cols + [c for c, t in df.schema.items() if t == pl.Utf8 and c not in cols and c not in _MACHINE_COLS]


class PhiFilter(BatchFilter):
    name = "phi"
    reasons = {"phi": "a text column holds protected health information (a name, date of birth, phone, email, record "
                      "or ID number, street address, age over 89) and phi_action is drop"}
    settings = {"phi": ("phi_action",)}
    columns = (PHI_COL,)
    optional_columns = (PHI_REDACTED_COL,)  # only with phi_action: redact

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        """``phi``: ``"KIND: text"`` of every span found. With ``phi_action: redact`` the text columns are
        rewritten with typed placeholders first, ``phi_redacted`` lists one kind per replaced span, and ``phi``
        holds what is left (nothing, unless a placeholder's neighbour still reads as PHI)."""
        cols = phi_text_columns(df)
        if cfg.phi_action == "redact":
            df = redact_frame(df, cols, cfg.phi_allow)
        return df.with_columns(phi_series(df, cols, cfg.phi_allow))

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [("phi", pl.col(PHI_COL).list.len() > 0)] if cfg.phi_action == "drop" else []
