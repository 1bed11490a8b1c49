"""PHI rules: what must be flagged (and as which kind), what public resources and clinical text must not trip, and
the same answer from the batch path."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from filters.phi import detect_phi, detect_spans, phi_lists

FLAGGED = [
    ("Dr. Jane Smith called about the results.", "NAME", "Dr. Jane Smith"),
    ("Mr. Émile Zola lives alone.", "NAME", "Mr. Émile Zola"),
    ("Mrs. O'Brien came to the clinic.", "NAME", "Mrs. O'Brien"),
    ("my wife Margaret Sullivan forgets meals", "NAME", "Margaret Sullivan"),
    ("My father, Luis Ortega, is 80.", "NAME", "Luis Ortega"),
    ("Patient: Jane Doe", "NAME", "Jane Doe"),
    ("Grandpa Joe won't shower.", "NAME", "Joe"),
    ("call 5552013344 today", "PHONE", "5552013344"),
    ("Call (555) 123-4567.", "PHONE", "(555) 123-4567"),
    ("reach me at jane.doe@example.org", "EMAIL", "jane.doe@example.org"),
    ("He is aged 93 now.", "AGE_OVER_89", "aged 93"),
    ("a 95-year-old man with dementia", "AGE_OVER_89", "95-year-old"),
    ("Mail it to 42 elm street.", "ADDRESS", "42 elm street"),
    ("MRN: A12345", "RECORD_NUMBER", "A12345"),
    ("His MRN is 00482913", "RECORD_NUMBER", "00482913"),
    ("DOB 04/12/1941", "DATE_OF_BIRTH", "04/12/1941"),
    ("born on 04-12-1941", "DATE_OF_BIRTH", "04-12-1941"),
    ("SSN 123-45-6789", "ID_NUMBER", "123-45-6789"),
    ("Medicare card 1EG4-TE5-MK73", "ID_NUMBER", "1EG4-TE5-MK73"),
]
PUBLIC = [
    "The Alzheimer's Association 24/7 Helpline is 1-800-272-3900.",
    "Call the Eldercare Locator at 1-800-677-1116.",
    "The ADEAR Center: 1-800-438-4380 or adear@nia.nih.gov.",
    "The National Institute on Aging, 31 Center Drive, Bethesda, MD 20892.",
    "Dr. Alois Alzheimer described the disease in 1906.",
    "Former President Ronald Reagan wrote a letter in 1994.",
    "Try the 50/30/20 rule.", "CPT code 99483 covers care planning.", "A score of 26/30 is normal.",
]
CLINICAL = [
    "medical record with notes from the neurologist", "patient identification bracelets help", "2.5-5-10 mg",
    "1/2-10 weeks", "Keep blood pressure below 130/80.", "Galantamine 5/10 mg is not a date.", "take 1-2-25 mg",
    "Name: Lewy body dementia", "By age 85 about one in three people has dementia.", "She was born in 1941.",
    "Donepezil 5 mg once daily at bedtime, increased to 10 mg after 4 to 6 weeks.", "Her oxygen was 92 today.",
    "People aged 90 and older need more help.",
]


@pytest.mark.parametrize("text,kind,span", FLAGGED)
def test_flagged(text, kind, span):
    assert [(s.kind, s.text) for s in detect_spans(text)] == [(kind, span)]


@pytest.mark.parametrize("text", PUBLIC + CLINICAL)
def test_public_resources_and_clinical_text_are_not_phi(text):
    assert detect_phi(text) == []


def test_batch_path_agrees():
    texts = [t for t, _, _ in FLAGGED] + PUBLIC + CLINICAL
    assert phi_lists(pl.Series(texts)) == [detect_phi(t) for t in texts]


def test_example_data_has_no_phi():
    path = Path(__file__).resolve().parents[2] / "examples" / "caregiver_qa.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and not [r for r in rows if detect_phi(r["question"]) or detect_phi(r["answer"])]


# rules for PHI with no title, kinship or naming word, and for more number, date, age, phone and address shapes:
# one case per rule class (names as the subject of a caregiver verb, possessives, sign-offs, lists, "spoke with",
# "me (X)", "X was my neighbor", lower-case given names; ages after a name, "y/o", "100th birthday", "Age: 91";
# dates of birth after a few words and in other orders; record numbers after a comma or "#"; spaced SSNs, NHS and
# bare member numbers; international and national phone numbers; rural routes and streets in other languages)
NEW_RULES = [
 ("Eleanor keeps asking for her mother.", "NAME", "Eleanor"),
 ("Some nights are hard. Tomás refuses his pills and paces.", "NAME", "Tomás"),
 ("Any tips? Wendell still thinks it is 1975.", "NAME", "Wendell"),
 ("ok so gerald wanders every evening around 5", "NAME", "gerald"),
 ("We put Ifeoma's walker by the door.", "NAME", "Ifeoma"),
 ("Thanks so much for reading. - Marisol", "NAME", "Marisol"),
 ("Thank you, Colette", "NAME", "Colette"),
 ("The grandkids (Ava, Noah and Mateo) visit on Sundays.", "NAME", "Ava"),
 ("Yesterday I spoke with Henrik Lindqvist about hospice.", "NAME", "Henrik Lindqvist"),
 ("Imelda Cruz was my mother's best friend.", "NAME", "Imelda Cruz"),
 ("my dad walter forgets to eat", "NAME", "walter"),
 ("Text me (Deshawn) anytime.", "NAME", "Deshawn"),
 ("Ms. Adeyemi, 97, lives alone.", "AGE_OVER_89", "97"),
 ("an 92 yo woman with falls", "AGE_OVER_89", "92 yo"),
 ("Grandpa celebrated his 100th birthday in May.", "AGE_OVER_89", "100th"),
 ("Age: 91", "AGE_OVER_89", "Age: 91"),
 ("Papa turned ninety-four last month.", "AGE_OVER_89", "ninety-four"),
 ("She's 96 and sharp as a tack.", "AGE_OVER_89", "96"),
 ("She was born on the 9th of June 1931.", "DATE_OF_BIRTH", "9th of June 1931"),
 ("His birthday, as far as we know, is 12-Mar-1929.", "DATE_OF_BIRTH", "12-Mar-1929"),
 ("DOB 1930.04.22", "DATE_OF_BIRTH", "1930.04.22"),
 ("Her resident number is R-55102.", "RECORD_NUMBER", "R-55102"),
 ("the chart, which is 7731-22, lists allergies", "RECORD_NUMBER", "7731-22"),
 ("Patient #88213 in bed 4.", "RECORD_NUMBER", "88213"),
 ("SSN 078 05 1120 on the form", "ID_NUMBER", "078 05 1120"),
 ("NHS number 943 476 5919", "ID_NUMBER", "943 476 5919"),
 ("Subscriber XJH449120 since 2019", "ID_NUMBER", "XJH449120"),
 ("my sister in Leeds is on +44 113 496 0000", "PHONE", "+44 113 496 0000"),
 ("her cell is 0412 345 678 in Sydney", "PHONE", "0412 345 678"),
 ("Mamá's phone in Madrid: +34 612 345 678", "PHONE", "+34 612 345 678"),
 ("Send cards to RR 1 Box 42, Harlan, KY 40831.", "ADDRESS", "RR 1 Box 42, Harlan, KY 40831"),
 ("Oma lives at Lindenstraße 14 in Köln.", "ADDRESS", "Lindenstraße 14"),
 ("He lives at 22 Calle del Carmen, Madrid now.", "ADDRESS", "22 Calle del Carmen, Madrid"),
 ("I'm at 18 Birch Hollow Ln, Dover, DE 19901 and the clinic is near.", "ADDRESS", "18 Birch Hollow Ln, Dover, DE 19901"),
]
# ordinary words, drugs, places, public figures and organizations in the same positions
NEW_RULES_PUBLIC = [
 "Nothing seems to calm her after dinner.", "Sundowning gets worse in winter.", "Insurance keeps denying the claim.",
 "Aricept gets expensive without coverage.", "Medicare covers hospice care.", "Texas has a respite program.",
 "Reagan said he was beginning the journey.", "Sacks wrote about music and memory.",
 "Stephen King writes horror novels.", "Bathing takes an hour now.", "Tuesday was a good day.",
 "Parkinson's disease affects movement.", "The Alzheimer's Association's helpline is open 24/7.",
 "Exercise, sleep and diet all matter.", "Donepezil, galantamine and rivastigmine are cholinesterase inhibitors.",
 "Ohio, Indiana and Michigan have programs.", "Her score was 93 out of 100.", "Call 911 if he falls.",
 "The clinic line is +44 20 7946 0000 for appointments.", "People 90 y/o and older are at risk.",
 "Their 90th anniversary gala raised funds.", "He was born in 1931 and diagnosed on 3/14/2020.",
 "Room 204, 95 beds total.", "Thank you, everyone", "Hugs to all. - Mom", "The VA is at 810 Vermont Ave NW, Washington, DC.",
 "Dosing is 5 mg, 10 mg and 23 mg.", "Sleep keeps getting worse.", "Hospice nurses visit twice a week.",
 "Glen Campbell's music still calms Dad.", "Lou Gehrig's disease is ALS.", "You've done so much already.",
 "Charlie Brown cartoons make him laugh.", "Dear Abby had a column on caregiving.",
 "It is 1930s music he likes.", "The form has ICD-10 F03.90.", "member services: 1-800-555-0100",
 "She was born in Ohio and moved here on 3/4/1950.", "Call the freephone number 0800 888 6678 any time.",
]


@pytest.mark.parametrize("text,kind,span", NEW_RULES)
def test_new_rule_classes_flag(text, kind, span):
    assert (kind, span) in [(s.kind, s.text) for s in detect_spans(text)]


@pytest.mark.parametrize("text", NEW_RULES_PUBLIC)
def test_new_rule_classes_leave_public_and_plain_text_alone(text):
    assert detect_phi(text) == []


def test_batch_path_agrees_on_the_new_rule_classes():
    texts = [t for t, _, _ in NEW_RULES] + NEW_RULES_PUBLIC
    assert phi_lists(pl.Series(texts)) == [detect_phi(t) for t in texts]


# rules for a new author's text: names with letters outside ASCII, particles, hyphens and apostrophes; kinship and role
# words of other languages and registers (and those words are no names themselves); after a kinship or role word, a
# name that is also an ordinary word or a month; signature blocks; known given names as subject, pair or object;
# salutations; "Pt" labels, lower-case titles, "call him X"; letters in ID numbers after "ID"; 7-digit numbers after "call me"
NEWER_RULES = [
 ("Our grandmother, Łucja Wróblewska, keeps the stove on.", "NAME", "Łucja Wróblewska"),
 ("Mi abuela, María del Carmen de los Santos, prays all night.", "NAME", "María del Carmen de los Santos"),
 ("My father-in-law Pieter van der Meer hides his pills.", "NAME", "Pieter van der Meer"),
 ("We visited Anne-Marie D'Souza at rehab on Friday.", "NAME", "Anne-Marie D'Souza"),
 ("My mother, Phạm Thị Hoa, only eats soup now.", "NAME", "Phạm Thị Hoa"),
 ("Nonna Giuseppina hides the remote in the oven.", "NAME", "Giuseppina"),
 ("My dadi, Savitri Bai Kulkarni, refuses the walker.", "NAME", "Savitri Bai Kulkarni"),
 ("Harabeoji, Lee Byung-ho, was up all night.", "NAME", "Lee Byung-ho"),
 ("Our overnight aide, Precious, found him on the floor.", "NAME", "Precious"),
 ("Mom's old roommate Beatrix still calls on Sundays.", "NAME", "Beatrix"),
 ("My grandchildren, Kofi and Abena, help with meals.", "NAME", "Kofi"),
 ("My daughter May visits every other weekend.", "NAME", "May"),
 ("My nephew Will and his wife take Dad on Sundays.", "NAME", "Will"),
 ("Our home aide, Hope, comes at 8.", "NAME", "Hope"),
 ("Warm regards,\nTheodora Lindqvist\n(617) 555-0123", "NAME", "Theodora Lindqvist"),
 ("Many thanks,\nKwame", "NAME", "Kwame"),
 ("Dear Ifeoma, I'm so sorry you're going through this.", "NAME", "Ifeoma"),
 ("Tadeusz was moved to a new room after the fall.", "NAME", "Tadeusz"),
 ("Last night Oksana wandered out to the garden.", "NAME", "Oksana"),
 ("Chinwe and Obinna have three kids between them.", "NAME", "Chinwe"),
 ("Ingeborg and I split the night shifts.", "NAME", "Ingeborg"),
 ("I reminded Wojciech to take his eye drops.", "NAME", "Wojciech"),
 ("We drove Fiona Gallagher to the memory clinic.", "NAME", "Fiona Gallagher"),
 ("Pt Marguerite Okonjo seen for a fall at home.", "NAME", "Marguerite Okonjo"),
 ("Pt: Desmond Achterberg", "NAME", "Desmond Achterberg"),
 ("the lady next door, mrs abernathy, brings soup", "NAME", "abernathy"),
 ("Her real name is Wilhelmina but the aides call her Minnie.", "NAME", "Minnie"),
 ("his ID ZT55019K is on the back of the card", "ID_NUMBER", "ZT55019K"),
 ("If she wakes up, text me first: 555-0188.", "PHONE", "555-0188"),
 ("My aunt turned 93 yesterday and wants a party.", "AGE_OVER_89", "93"),
]
NEWER_RULES_PUBLIC = [
 "Babcia keeps asking for her sister.", "Mam's garden is overgrown now.", "Halmeoni loves the park.",
 "My mother May I ask you something?", "My son Will be there in the morning.", "Will Medicare cover a hospital bed?",
 "Florence is lovely in the spring.", "Carmen is her favorite opera.", "Peanut and Butter are the cats' names.",
 "Tuesdays and Thursdays are her day program days.", "Medicare and Medicaid are different programs.",
 "Call 555-0177 if the wound opens.", "Call the poison control line at 555-0110 right away.",
 "The Caregiver Support Line is open on weekdays.", "I asked Medicare to review the claim.",
 "We took Ensure on the trip.", "She brought Depends home from the store.", "I told Hospice about the bruise.",
 "Maria Shriver wrote a report on women and Alzheimer's.", "Stephen King writes horror novels.",
 "Photo ID is required at the pharmacy.", "The PT said to keep walking daily.", "We call it sundowning.",
 "Best wishes to everyone in this group.", "Love,\nMom", "Side effects include:\n- Nausea\n- Dizziness",
 "Dear Valued Customer, your refill is ready.", "Hi everyone, new here.", "Dear Abby, my mother is 80.",
 "Help Parkinson's patients keep moving.", "Thank God for the night nurse.", "Lewy and Alzheimer's overlap.",
]


@pytest.mark.parametrize("text,kind,span", NEWER_RULES)
def test_newer_rule_classes_flag(text, kind, span):
    assert (kind, span) in [(s.kind, s.text) for s in detect_spans(text)]


@pytest.mark.parametrize("text", NEWER_RULES_PUBLIC)
def test_newer_rule_classes_leave_public_and_plain_text_alone(text):
    assert detect_phi(text) == []


def test_a_kinship_word_is_not_part_of_the_name_and_a_patient_id_is_a_record_number():
    assert [s.text for s in detect_spans("We all call her Nonna Lucia.")] == ["Lucia"]
    assert [(s.kind, s.text) for s in detect_spans("Patient ID 4471902, bed 3.")] == [("RECORD_NUMBER", "4471902")]


def test_batch_path_agrees_on_the_newer_rule_classes():
    texts = [t for t, _, _ in NEWER_RULES] + NEWER_RULES_PUBLIC
    assert phi_lists(pl.Series(texts)) == [detect_phi(t) for t in texts]


# rules for a fourth author's text (one case per rule class, none taken from the labeled files): a known given name
# after a question's auxiliary, "told X he ...", lower-case possessives, a possessive before a kinship noun, "his
# sister's name, X,", "its me again, x", clinicians by role ("Nurse X", "our hospice nurse X", "the intake nurse is
# X") and clergy in lower case, thanks and a known name addressed mid-text, a known name after a preposition or
# alone on the last line, "that" and dashes as clause starts, lower-case names after visiting verbs, a family word
# with no possessor, overlapping kinship cues, a month or modal before a verb only a person does, "called X"; "she'll
# be 92", an age that opens the sentence, "At 97 my ..."; numbers after a bare claim / encounter / accession / Rx
# cue, a bare policy, ID and green cards, aadhaar, DL#; an address after "the hospital bed"
NEWEST_RULES = [
 ("Should Halina still be driving?", "NAME", "Halina"),
 ("I told Wojciech he can't drive anymore.", "NAME", "Wojciech"),
 ("tomasz's pills are in the blue box", "NAME", "tomasz"),
 ("Ifeoma's grandmother is on donepezil now.", "NAME", "Ifeoma"),
 ("He calls me by his sister's name, Zofia, all day.", "NAME", "Zofia"),
 ("hi all, its me again, oksana. another bad night", "NAME", "oksana"),
 ("Good morning Nurse Adeyemi, she slept well.", "NAME", "Adeyemi"),
 ("Our hospice nurse Bronagh explained it gently.", "NAME", "Bronagh"),
 ("Thanks, Oksana, that really helps.", "NAME", "Oksana"),
 ("I'm asking for Halina, she can't type.", "NAME", "Halina"),
 ("We said goodbye on Sunday.\n\nKwame", "NAME", "Kwame"),
 ("Going to try the weighted blanket tonight. Deb", "NAME", "Deb"),
 ("Oksana, a shower chair with arms is safer.", "NAME", "Oksana"),
 ("Please remind the aide that Tadeusz gets his drops at 9.", "NAME", "Tadeusz"),
 ("Bills are due Friday — Gerald says he mailed them.", "NAME", "Gerald"),
 ("the deacon visits ingrid every friday", "NAME", "ingrid"),
 ("father tadeusz from church brings communion", "NAME", "tadeusz"),
 ("Intake: widowed, son Tomasz is the contact.", "NAME", "Tomasz"),
 ("The intake nurse is Bronagh.", "NAME", "Bronagh"),
 ("My wife Halina's brother Zbigniew drives her.", "NAME", "Zbigniew"),
 ("Will keeps hiding his glasses in the fridge.", "NAME", "Will"),
 ("April's birthday is Sunday and she wants cake.", "NAME", "April"),
 ("Teresa says the claim form never arrived.", "NAME", "Teresa"),
 ("kasia came over to give me a break", "NAME", "kasia"),
 ("I called Brenda from the agency.", "NAME", "Brenda"),
 ("She thinks Tadeusz stole her purse.", "NAME", "Tadeusz"),
 ("ingrid is her neighbour of 20 years", "NAME", "ingrid"),
 ("Ali keeps asking for his wife.", "NAME", "Ali"),
 ("Zofia's therapist moved the session.", "NAME", "Zofia"),
 ("She'll be 92 in June.", "AGE_OVER_89", "92"),
 ("Ninety-three and he still mows the lawn.", "AGE_OVER_89", "Ninety-three"),
 ("At 97 my grandmother still bakes bread.", "AGE_OVER_89", "97"),
 ("The VA claim 55120384 is still pending.", "RECORD_NUMBER", "55120384"),
 ("encounter 7712093 needs the discharge summary", "RECORD_NUMBER", "7712093"),
 ("the lab slip lists accession 23-KL-44120", "RECORD_NUMBER", "23-KL-44120"),
 ("Rx 5512093 can't be refilled yet", "RECORD_NUMBER", "5512093"),
 ("Her supplemental policy is BCX771204455.", "ID_NUMBER", "BCX771204455"),
 ("His state ID card B2210-5531 expired.", "ID_NUMBER", "B2210-5531"),
 ("Mom's green card number (A-118-204-336) is on the form.", "ID_NUMBER", "A-118-204-336"),
 ("they asked for my aadhaar 5512 3390 1128 at admission", "ID_NUMBER", "5512 3390 1128"),
 ("DL# S552-1190-2234 is hers", "ID_NUMBER", "S552-1190-2234"),
 ("Deliver the hospital bed to 42 Birch Road, Sligo.", "ADDRESS", "42 Birch Road"),
]
NEWEST_RULES_PUBLIC = [
 "Can Medicare cover a hospital bed?", "Should Mom still be driving?", "Does Aricept cause nightmares?",
 "Is Florence a good place to retire?", "Will the hospice nurse come on weekends too?", "We told Hospice he was declining.",
 "I know that Sundowning gets worse in winter.", "mom's pills are in the blue organizer", "May's bills were huge.",
 "August's heat made him agitated.", "The GP Surgery called back.", "The hospice nurse Tuesday said it was close.",
 "Mother Nature is cruel sometimes.", "Sister Act is her favorite movie.", "Father's Day was hard this year.",
 "Doctor Who marathons keep him calm.", "My son Will be there later.", "My mom is Catholic.", "Her aide is Haitian.",
 "My wife's name, bless her, is hard to spell.", "its me again, back with another question.",
 "Thanks, Everyone, for the support.", "Thanks, Guys, you are the best.", "Thanks, Doc, that helps.",
 "Thanks, Reddit, for the advice.", "Marion, Ohio has a good memory clinic.", "Florence, Italy was our honeymoon.",
 "We drove to Florence.", "She visits Florence every summer.", "Compared with Aricept, memantine is gentler.",
 "She loves Anne and Gilbert.", "Things that help:\nMusic\nWalks", "Any advice appreciated. Desperate",
 "Thanks for reading.\n\nCaregiver Support Group", "At 90 most people need help.", "At 90 mph he nearly crashed.",
 "Ninety percent of caregivers feel this way.", "Claim 2 of 3 was denied.", "The claim for $1,400 was denied.",
 "Rx for 30 tablets, 2 refills.", "The policy covers 80% after the deductible.", "The policy pays 3000 a month.",
 "Our policy since 2019 has changed.", "The lab order says fasting.", "Admission was on 03/12/2024.",
 "Ship the hospital bed to the cottage.", "May seemed to last forever.", "June was a hard month.",
 "April showers bring May flowers.", "Mother Mary comes to me in the hymn.", "I called Poison Control.",
 "I called Comcast about the bill.", "We called Comfort Keepers.", "father christmas visits the care home",
 "Good morning Sunshine, she says every day.", "the intake nurse is great", "the aide was late.",
 "Thanks, Dementia Warriors, for listening.", "I think Aricept is helping.", "I guess Medicare pays for it.",
 "jan was brutal this year", "after Christmas she declined", "Muhammad Ali had Parkinson's.",
 "I think Boost helps.", "Tena keeps her dry at night.", "Jeopardy calms him every night.",
]


@pytest.mark.parametrize("text,kind,span", NEWEST_RULES)
def test_newest_rule_classes_flag(text, kind, span):
    assert (kind, span) in [(s.kind, s.text) for s in detect_spans(text)]


@pytest.mark.parametrize("text", NEWEST_RULES_PUBLIC)
def test_newest_rule_classes_leave_public_and_plain_text_alone(text):
    assert detect_phi(text) == []


def test_batch_path_agrees_on_the_newest_rule_classes():
    texts = [t for t, _, _ in NEWEST_RULES] + NEWEST_RULES_PUBLIC
    assert phi_lists(pl.Series(texts)) == [detect_phi(t) for t in texts]


def test_public_figure_after_a_kinship_word_does_not_hide_the_given_name():
    # "Mother Teresa", "Uncle Sam", "Dear Abby" are public as a whole; "Teresa", "Sam", "Abby" alone are people
    assert detect_phi("Dear Abby, my mother is 80.") == [] and detect_phi("Uncle Sam wants you.") == []
    assert ("NAME", "Sam") in [(s.kind, s.text) for s in detect_spans("Sam keeps asking for his wife.")]


def test_the_batch_pre_check_stays_fast_on_the_filter_stage_pairs():
    """The union pre-check runs as two regexes: one regex of all of it falls off the regex engine's fast path (a
    50x slowdown on these pairs), which this catches with a wide margin."""
    import sys
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from filter_throughput import make_pairs

    from filters.phi import _group_flags

    texts = make_pairs(3000)["chosen"].cast(pl.Utf8)
    _group_flags(texts.head(5))
    t0 = time.perf_counter()
    _group_flags(texts)
    assert time.perf_counter() - t0 < 5.0
