"""Hostility: is a text a caricature (sarcastic, condescending, contemptuous, blaming) rather than an answer?

A rejected answer that insults the asker teaches a preference model nothing useful: the product wants the
*realistic* rejected side (curt, directive, technical, cold), and that side must NOT read as hostile.  So the
cues here are about the speaker's attitude to the asker, never about directness: "Administer 5 mg at bedtime.
Monitor for bradycardia." has no cue; "Let me enlighten you: pills go in the mouth, sweetie." has two.

Every cue is a named regular expression with a weight (all positive), valid both in Python ``re`` (to explain
one text) and in polars' Rust regex (to score millions), grouped by the kind of hostility:

* ``sarcasm`` -- "Oh, brilliant.", "because that worked so well", "who would have guessed", "gold star".
* ``mock_politeness`` -- "bless your heart", "sweetie", "with all due respect", "I'll type slowly".
* ``belittling`` -- "even you can", "a child could", "not rocket science", "too incompetent to", insults.
* ``blame`` -- "maybe if you had paid attention", "you should have known", "no wonder".
* ``rhetorical`` -- "Did you really think...?", "what were you thinking", "how hard is it to".
* ``contempt`` -- contempt for the question: "What a question.", "How quaint.", "spare me", "*sigh*".
* ``condescension`` -- "let me enlighten you", "if you must know", "as anyone with a brain knows".
* ``exasperation`` -- "for the hundredth time", "how many times", "stop whining".
* ``passive_aggressive`` -- "good luck with that", "but what do I know", "one would think".

A last block of broader cues (``mock praise``, ``sarcastic opener``, ``aimed question``, ``insult to effort``,
``blame construction``, ``condescending framing``, ``exasperation marker``, ``passive aggression``) covers each kind
by construction rather than by phrase ("so brave of you", "which part of ... gave you trouble?", "isn't your strong
suit", "on your watch", "shall we go over it again", "I'm begging you", "I'm sure you have your reasons").  They
use no counted repetition (``{1,60}``): that makes polars' regex fall off its fast DFA path (100x slower).

A fifth author (``tone_dev5``: cues alone found 45 % of its caricatures) wrote devices in classes the cues lacked;
each class is one cue, with a look-alike in the tests that must stay clear:

* ``disclaimer jab`` -- a disclaimer that announces the jab: "not to be rude, but", "I don't mean to pile on",
  "I hate to be the one to tell you", "forgive me if this is too advanced", "I'm not saying you're lazy", "not that
  you'll listen, but".
* ``meme put-down`` -- internet put-downs: "okay, boomer", "you sweet summer child", "lol no", "but you do you",
  "that's a you problem", "nursing school lost a star", "quite the streak".
* ``sarcastic agreement`` -- "Sure she is.", "yeah, no kidding", "Yay, ...!", "it's not like I have a job".
* ``you'd know if`` -- the asker should have known: "which you'd know if you'd stayed awake", "everybody knows that
  but you", "kind of the whole point", "the slightest understanding of", "when most people would have asked".
* ``decency demand`` -- "have the decency to", "nobody's impressed", "nobody asked you", "why should anyone bother",
  "on your own time", "get a medical degree first", "I'm not going to dignify that".
* ``backhanded compliment`` -- praise turned: "Pity you couldn't ...", "a shame it comes after", "I'd appreciate it
  more if", "lovely that you found the time", "impressive how you managed to turn", "a lovely plan for someone
  without heart failure", "surprisingly sensible, coming from you", "only took four ruined mattresses".
* ``sarcastic invitation`` -- "please, tell me more about", "Do tell.", "I love how you're asking strangers",
  "kind of wild that you", "well, that's one way to".
* ``slow it down`` -- condescending pace: "I'll use smaller words", "let me slow down", "I cannot stress this enough
  for you in particular", "I'm going to assume you're new", "listen carefully this time", "blue in the face",
  "Got it?", "Understood?", "Happy now?" (these last had a ``\b`` after the "?" that never matched).
* ``faux concern`` -- "it must be exhausting, being so overwhelmed", "I'm sure it's very hard.", "You're welcome."
* ``shaming`` -- "try caring a little less about", "she needs a daughter who turns up", "try being less difficult
  yourself", "draw your own conclusions", "you don't want advice", "you got lazy", "don't blame the disease",
  "if you'd stop mumbling at her".
* ``quoted phrase`` (weight 0.45: a definition names a term that way too, so it is hostile only with one more cue) --
  the asker's words in quotation marks: "he's not seeing 'ghosts'", "you 'just didn't have time'".

Fixed on the way: "I've explained this three times" (the pattern wanted "i 've"), "You did that, not the disease"
(a ``\b`` after the comma), "Okay, and?" / "So?" (a "." wanted after the "?"), "any adult" alone (a neutral "any
adult who provides unpaid care" read as condescension) and "as previously stated in the care plan" (citing a document
is not "as I said").

All cues run as ONE alternation over the lower-cased text (one regex pass per column; leftmost-first, so each
span counts once).  ``raw = sum(weight x count)`` -- not divided by length: one sneer in a long answer is still a
sneer -- and ``hostility = 1 - exp(-raw)`` in [0, 1).  A text is *hostile* at ``hostility >= HOSTILE`` (0.5,
i.e. ``raw >= ln 2``): one strong cue (weight >= 0.7) or two weaker ones.  Words that prescriptive answers use
legitimately ("simply", "just", "obviously required", "do not", "never") carry little or no weight.
``explain(text)`` returns every matched cue with its weight.

The learned part (``filters._hostility_ngrams``) adds its ``extra`` on top (``raw_parts`` gives the two apart): an
n-gram logistic regression chosen by leave-one-author-out cross-validation (``benchmarks/hostility_cv.py``), held back
by the text's kind wording (``filters._tone_cues.kindness``), so it does not flag a validating, reassuring answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.core.schema import CHOSEN, REJECTED, SOURCE_ANSWER
from filters import _hostility_ngrams as _ngrams
from filters._tone_cues import kindness
from filters.base import BatchFilter
from filters.config import FilterConfig

HOSTILE = 0.5  # hostility >= HOSTILE: the text reads as hostile


@dataclass(frozen=True)
class Cue:
    name: str
    group: str
    weight: float
    pattern: str


def _w(words: str) -> str:
    return r"\b(?:" + words + r")\b"


# a sentence start: the beginning of the text or after . ! ? (the span then includes the punctuation)
_S = r"(?:[.!?:;]['\")]?\s+|\n\s*)"
_INSULT = (r"incompetent|stupid|dumb|dense|dim|dimwitted|thick|clueless|ignorant|lazy|careless|useless|"
           r"hopeless|pathetic|foolish|silly|naive|gullible|idiotic|an idiot|a moron|moronic|unqualified|inept|"
           r"negligent|irresponsible|self-absorbed|selfish|dramatic|hysterical|paranoid|spineless|squeamish|"
           r"disorganized|disorganised|scatterbrained|sloppy|oblivious|clumsy|childish|immature|unreliable|"
           r"ungrateful|a failure|the problem|a mess|hopeless at|terrible at|bad at|awful at|useless at|no good at")
_QWORDS = (r"silly|stupid|dumb|ridiculous|absurd|pointless|basic|lazy|idiotic|obvious|elementary|odd|naive|"
           r"strange|bizarre|tiresome|predictable|embarrassing|adorable|cute|precious|quaint|tedious|baffling")

CUES: list[Cue] = [
    # ------------------------------------------------------------------ negations (weight 0: they consume the span so
    # "it's not your fault" or "no such thing as a silly question" never reach the blame / contempt cues)
    Cue("negated", "negated", 0.0,
        r"\b(?:not|isn't|is not|never|none of (?:this|it) is|nothing to do with|no one's|nobody's|wasn't|was not)(?: \w+)? (?:your (?:own )?(?:fault|doing|mistake|mess|problem)|on you|because (?:of )?you(?: \w+)?|a (?:silly|stupid|dumb|bad|basic) question)\b|\bno (?:such thing as an?|) ?(?:silly|stupid|dumb|bad) (?:question|questions)\b|\b(?:doesn't|does not|don't|do not|didn't|did not|isn't|is not|not|never) (?:mean|because|a sign|say) (?:that )?you (?:\w+)(?: \w+)?\b|\b(?:not|n't|never) (?:being |be )?(?:overreacting|dramatic|paranoid|silly|selfish|lazy|a failure|weak|stupid|crazy|foolish|incompetent|careless|ridiculous)\b|\bnot (?:a|your) (?:failure|weakness)\b|\bno (?:offense|offence) (?:taken|at all)\b|\b(?:okay|ok|alright|all right|fine|normal|natural|human) to (?:sigh|groan|vent)\b|\b(?:you're|you are) the one (?:who|that) (?:sees|knows|notices|is there|has been there|shows up|understands|can tell|knows him|knows her|loves)\b|\bas (?:previously |already )?(?:stated|noted|described|outlined|specified|explained) in (?:the|your|his|her) (?:care plan|plan|chart|letter|leaflet|label|discharge|instructions|prescription|policy|notes)\b"),
    # ------------------------------------------------------------------ condescension
    Cue("enlighten", "condescension", 1.5, _w(r"let me enlighten you|allow me to enlighten you|enlighten you|enlightened you|enlightening you")),
    Cue("if you must know", "condescension", 1.5, _w(r"if you must know|since you asked so nicely|since you insist|if you insist|since you clearly|since you obviously|since you apparently|since you can't|since you don't seem|since you seem")),
    Cue("as anyone knows", "condescension", 1.2,
        r"\b(?:as|like) (?:anyone|anybody|everyone|everybody|any fool|any idiot|any adult|any reasonable person|literally anyone|even a child|any child|we all|most people|most adults)(?: with (?:a brain|half a brain|a pulse|eyes|common sense|basic \w+|two brain cells|any sense|a functioning \w+|an ounce of \w+))? (?:knows|know|would know|could tell you|can tell you|can see|could see|understands|would understand|has figured out|learns|already knows|should know)\b|\b(?:any fool|any idiot|literally anyone|any reasonable person|anyone with (?:a brain|half a brain|a pulse|eyes|common sense|two brain cells|an ounce of \w+)|any first-year|a first-year)\b"),
    Cue("with a brain", "condescension", 1.2, _w(r"with (?:a brain|half a brain|two brain cells|a pulse|an ounce of (?:sense|common sense))|brain cells|your little head|your little brain|your tiny brain|use your (?:head|brain|common sense)|using your (?:head|brain)|engage your brain|think for (?:a )?(?:second|moment|minute)")),
    Cue("spell it out", "condescension", 1.2, _w(r"(?:spell it out|spell this out|spelling it out|let me spell it out|let me make it simple)(?: for you| to you)?|spelled out for you|in small words|small words|simple words for you|very slowly|type slowly|typing slowly|say it slowly|slowly for you|nice and slow|simple terms for you|simple enough for you|simple enough even|simplest possible terms|simpler for you|break it down for you|dumb it down|dumbed down|dumb this down|draw you a (?:picture|diagram|map)|for dummies|crayons?|like you're five|like you are five|like a child would|picture book")),
    Cue("as I said", "condescension", 0.9, _w(r"as i (?:already )?(?:said|stated|told you|explained|mentioned)|like i (?:already )?(?:said|told you)|as i've (?:already )?(?:said|told you|explained)|i (?:already )?told you|as you were told|like you were told|as you've been told|as previously (?:stated|explained|mentioned)|as already (?:stated|explained)|per my (?:last|previous)|as per my|as noted (?:above|earlier|before)")),
    Cue("let me explain", "condescension", 0.8, _w(r"let me explain (?:this|it|something)(?: to you)? (?:again|once more|slowly|simply|one more time|very simply|in simple terms)|allow me to explain|let me make (?:this|it) (?:very simple|crystal clear|really simple|as simple as possible)|here's a (?:hint|novel idea|wild idea|crazy idea|radical idea|clue|news flash|newsflash|free lesson)|here is a (?:hint|novel idea|radical idea|clue)|hint:|for your information|fyi|news ?flash|spoiler(?: alert)?|plot twist|shocker|lesson for you|a little lesson|class dismissed|school you|pop quiz")),
    Cue("novel idea", "condescension", 0.8, _w(r"novel (?:idea|concept|approach|thought)|radical (?:idea|concept|notion|thought)|wild (?:idea|concept|thought)|crazy (?:idea|concept|thought)|revolutionary|groundbreaking|earth-shattering|mind-blowing|mind-blowingly|there's (?:this|a little|a) (?:thing|concept|invention) called|little (?:thing|invention|concept) called|amazing invention|magical (?:device|invention)|ancient technology|cutting-edge technology")),
    Cue("you seem to think", "condescension", 0.8, r"\byou (?:seem|appear) to (?:think|believe|assume|imagine|forget|have forgotten|be under|lack|struggle with (?:the|basic|simple)|need (?:reminding|it spelled|this spelled)|not (?:know|understand|realize|grasp|get))\b|\byou (?:clearly|obviously|apparently|evidently) (?:don't|do not|didn't|did not|can't|cannot|haven't|have not|never|weren't|are not|aren't|think|believe|missed|skipped|forgot|have no|lack)\b"),
    Cue("try to keep up", "condescension", 1.0, _w(r"try to keep up|keep up,|try to follow along|stay with me|still with me|are you following|you following|got it\?|understood\?|capisce|comprende|is that clear(?: enough)?|clear enough (?:for you)?|was that so hard|that wasn't so hard|not so hard,? (?:was|is) it|simple as that|easy as that|there,? (?:was|is) that|that's all there is to it|even simpler")),
    Cue("grown adult", "condescension", 0.8, _w(r"a grown adult|grown adults|you're an adult|you are an adult|a big boy|a big girl|act your age|behave like an adult|like an adult")),
    Cue("I suppose", "condescension", 0.4, _w(r"i suppose|i guess|i gather|i take it|i presume|i assume|presumably|apparently|evidently")),
    Cue("obviously", "condescension", 0.25, _w(r"obviously|clearly|of course|needless to say|it goes without saying|duh|honestly|seriously|frankly|literally|actually")),
    Cue("listen here", "condescension", 0.6, _S + r"(?:look|listen|listen here|now listen|okay, look|ok, look|okay, listen|alright, listen|fine|okay, fine|ok, fine|wow, okay|okay, wow)[,.!:]\s"),
    # ------------------------------------------------------------------ mock politeness
    Cue("bless your heart", "mock_politeness", 1.5, _w(r"bless your (?:little |sweet |poor |innocent )?(?:heart|soul|little heart|cotton socks)|bless you for trying|oh,? bless|bless,")),
    Cue("pet name", "mock_politeness", 1.0,
        r"\b(?:sweetie|sweetheart|sweetie pie|dearie|darling|darlin|buttercup|kiddo|einstein|sherlock|dr\. google|doctor google|hotshot|smarty ?pants|genius)\b|(?:,\s*|\boh,?\s+|\blisten,?\s+|\blook,?\s+|\n\s*)(?:honey|hon|sugar|pumpkin|champ|sport|pal|buddy|mate|love|chief|friend|princess|my friend)[,.!?]|,\s*(?:my )?dear[,.!?]"),
    Cue("mock courtesy", "mock_politeness", 0.9, _w(r"with all due respect|no offense|no offence|i'm sure you (?:meant|mean) well|i am sure you (?:meant|mean) well|how (?:sweet|adorable|cute|precious|charming|lovely|nice) (?:of you|that you)|it's (?:cute|adorable|sweet|precious|charming|endearing) (?:that|how) you|cute that you|adorable that you|sweet that you|aww+|aw,|thanks for (?:finally|nothing)|thank you for finally|how kind of you to (?:finally|ask)|congratulations on (?:finally|noticing|discovering)|congrats on (?:finally|noticing|discovering)|you poor (?:thing|dear|soul|baby)|poor baby|you tried,|you tried\.|a for effort|an a for effort|points for (?:effort|trying)|nice of you to (?:finally|join|notice|ask)")),
    # ------------------------------------------------------------------ sarcasm
    Cue("oh, great", "sarcasm", 1.2, r"\b(?:oh|ah|ooh|wow|gee|golly|yay)[,!.]?\s+(?:great|brilliant|wonderful|fantastic|perfect|lovely|splendid|marvelous|marvellous|terrific|super|fabulous|genius|joy|goody|goodie|how (?:nice|lovely|original|clever|novel|shocking|surprising|wonderful|delightful|fun)|what a (?:surprise|shock|concept|idea|question|plan|thought|treat|delight)|sure|really|come on|honey|sweetie|you poor|so you|look at you|another|yes,? because|joy)\b"),
    Cue("sarcastic praise", "sarcasm", 1.0, r"\b(?:brilliant|genius|stellar|masterful|award-winning|world-class|inspired|flawless|top-notch|bang-up|real genius|ingenious) (?:plan|idea|move|strategy|thinking|logic|deduction|detective work|parenting|caregiving|instinct|reasoning|effort|approach|choice|work|system|solution|call|question)\b|\bwhat an? (?:plan|idea|strategy|move|approach|genius|thinker|detective)\b[.!]|\b(?:nice|good|great|fine|real) (?:work|job|going|call|move|one) there\b|\b(?:nice try|nice going|way to go,|bravo|hooray|hurrah|slow clap|gold star|a cookie|mother of the year|son of the year|daughter of the year|caregiver of the year|parent of the year|wife of the year|husband of the year|of the year award|genius move|truly inspired|well done,? you|aren't you clever|aren't you smart|look at you go|how very)\b"),
    Cue("worked so well", "sarcasm", 1.4, r"\b(?:worked|went|turned out|is working|has worked|have worked|was working|has gone|is going|worked out|has been going|goes|works) (?:out )?(?:so|really|just|oh so|sooo|soo|super) (?:well|great|wonderfully|brilliantly|nicely|splendidly)(?: for you| last time| before| so far)?\b(?:[,.!?]|$)|\bbecause that (?:always |has always |ever )?(?:works|worked|helps|helped|went|goes|has worked)\b|\b(?:sure|right|yes|yeah|oh yes|oh sure|oh right|of course)[,!]? because\b|" + _S + r"(?:sure|right|yes|yeah|of course)[,!]? because\b|\bbecause (?:clearly|obviously|nothing says|everyone knows|apparently|of course)\b"),
    Cue("who knew", "sarcasm", 1.2, r"\b(?:who (?:would have|would've|could have|could've|woulda) (?:thought|guessed|known|imagined)|who knew|who'd have thought|who'd have guessed|big surprise|surprise, surprise|fancy that|go figure|shocking,? i know|i know, shocking|color me (?:surprised|shocked|amazed)|colour me (?:surprised|shocked|amazed)|quelle surprise|alert the media|stop the presses|call the newspapers|hold the front page|mind blown|brace yourself|prepare to be amazed|you don't say|what a concept)\b|\b(?:what a (?:surprise|shock|revelation|shocker|novelty)|imagine that|how (?:shocking|surprising|original|novel|clever|unexpected|inventive|innovative|daring|avant-garde|convenient|unprecedented|thoughtful of you|generous of you|kind of you|brave of you|bold of you|noble of you|big of you|mature of you|responsible of you))\b[.!?,:]"),
    Cue("yeah right", "sarcasm", 1.0, _w(r"yeah,? right|yeah,? sure|sure,? sure|right,? sure|oh,? sure|oh,? right|riiight|suuure|like that's going to|like that will help|like that would|because of course|of course you (?:did|didn't)|naturally,? you|oh,? please|spare me|give me strength|god help|lord help|heaven help|help us all|heaven forbid|god forbid|perish the thought|the horror|how dare|oh no,? not|oh no,? the")),
    Cue("scare quotes", "sarcasm", 0.7, r"\byour ['\"](?:\w+(?: \w+)?)['\"]|\b(?:so-called|supposed) (?:expert|research|plan|routine|system|method|approach|care|caregiving|attempt|effort)\b|\byour (?:little|brilliant|genius|clever|amazing|grand|big|fancy) (?:plan|idea|theory|system|routine|experiment|research|method|approach|internet|google|trick|schedule|project|spreadsheet|notes?|lists?|app|chart|binder|opinion|instincts?|concerns?|worries|feelings|questions?|problem|crisis|emergency|meltdown|panic|outburst)\b"),
    # ------------------------------------------------------------------ belittling the asker
    Cue("even you", "belittling", 1.5, _w(r"even you (?:can|could|should|might|will|would|ought|are able|must|know|have)|even you,|even for you|even someone like you|even a (?:child|toddler|kid|five-year-old|5-year-old|monkey|chimp|goldfish|dog|caveman|teenager|first-grader|preschooler|trained monkey)|a (?:child|toddler|kid|five-year-old|5-year-old|six-year-old|first-grader|preschooler|monkey|chimp|trained monkey|goldfish|teenager|high schooler|12-year-old|twelve-year-old|fourth-grader|kindergartner) (?:could|can|would) (?:do|manage|figure|understand|handle|follow|tell|see|grasp|work|get|read|count|learn|master)")),
    Cue("not rocket science", "belittling", 1.2, _w(r"(?:not|isn't|is not|hardly|ain't) (?:exactly )?(?:rocket science|brain surgery|quantum physics|astrophysics|calculus|advanced math|sorcery|witchcraft|a mystery|a great mystery|an advanced)|basic (?:reading|math|arithmetic|comprehension|logic|literacy|competence|adulting|life skills|human decency|decency|intelligence|awareness|attention|arithmetic)|the simplest of (?:tasks|things)|too much to ask|beyond you|above your (?:pay grade|head)|out of your depth|in over your head|your league|a concept (?:that )?(?:escapes|eludes) you|escapes you|eludes you|lost on you|beyond your (?:grasp|understanding|abilities|ability)|your (?:limited|short) (?:attention|memory|understanding|grasp|abilities)|attention span")),
    Cue("this is easy", "belittling", 0.4, _w(r"(?:not|isn't|is not|hardly) (?:that |so |very )?(?:complicated|hard|difficult|complex|tricky)|it's not hard|this isn't hard|common sense|commonsense|the most basic|the simplest thing|the easiest thing|easy enough|simple enough|too (?:much|hard|difficult|complicated) for you")),
    Cue("insult", "belittling", 1.4, r"\byou(?:'re| are| were|'ve been| have been| seem| sound| must be| might be)? (?:just |so |too |really |clearly |obviously |truly |such an? |being |an? |totally |completely |remarkably |incredibly |awfully |a bit |a little |kind of |rather |simply |hopelessly |utterly |willfully |wilfully |still |always |that )+(?:" + _INSULT + r")\b|\b(?:too|so) (?:incompetent|lazy|stupid|dense|dim|clueless|ignorant|careless|helpless|dumb|thick|inept|squeamish|self-absorbed|disorganized|disorganised|scatterbrained|forgetful) (?:to|that)\b|\byou (?:people|lot)\b|\bpeople like you\b|\b(?:idiot|idiots|idiotic|moron|morons|moronic|imbecile|imbecilic|dimwit|nitwit|halfwit|half-wit|dunce|numbskull|bonehead|airhead|dolt|pea-brained?|brainless|dimwitted|amateur hour|amateurish|laughable|pathetic|pitiful|ridiculous|ludicrous|dumbest|stupidest|stupidity|cluelessness|cringe|cringeworthy|shame on you|disgraceful|appalling|inexcusable|unforgivable|lousy|incompetently|boneheaded|dimwittedness|sheer laziness|pure laziness|laziness)\b"),
    Cue("can you even", "belittling", 0.9, r"\b(?:can|could|do|did|will|would) you (?:even|at least|actually) (?:manage|handle|do|remember|read|follow|count|grasp|understand|tell|figure|try|bother)\b|\b(?:if|assuming|provided|presuming|hoping) you (?:can|could|are able to|can actually|can even|know how to|manage to) (?:read|count|tell time|tell the time|operate a|use a calendar|stay awake|pay attention|follow simple|follow basic|manage basic|handle basic|spell)\b|\bif (?:it's|it is|that's|that is) not (?:too )?(?:beyond you|asking too much)\b"),
    # ------------------------------------------------------------------ blame
    Cue("if you had only", "blame", 1.4, r"\b(?:maybe|perhaps|possibly|probably) if you(?:'d| had| actually| bothered| paid| listened| were more| weren't| didn't| did not| hadn't| could be bothered| ever| stopped)\b|\bif you(?:'d| had) (?:(?:just|only|actually|simply|even|ever|at least|properly|bothered to|taken the time to|thought to|cared enough to) \w+|bothered|paid (?:attention|any)|listened|been (?:paying|watching|more|less|there|around|smarter|careful|attentive|on top|doing))\b|\bhad you (?:(?:just|only|actually|simply|even|ever|bothered to|at least|properly) \w+|bothered|paid (?:attention|any)|listened|been (?:paying|watching|more|there|careful|attentive))\b|\bif only you(?:'d| had| would| were| did| could| hadn't)\b|\bif you hadn't (?:ignored|waited|skipped|forgotten|neglected|left|let)\b"),
    Cue("you should have", "blame", 1.2, r"\byou (?:should|ought to)(?: have|'ve)(?: already| easily| simply| just| probably| clearly| obviously)? (?:known|listened|paid attention|read|noticed|thought|seen|realized|realised|figured|caught|been (?:paying|watching|more|there|smarter|careful|on top)|done better|asked (?:sooner|earlier|first)|prevented|stopped (?:this|it)|guessed|learned|called sooner|acted sooner|come sooner|started sooner|listened to)\b|\bshould(?:'ve| have) (?:known better|thought of that|seen (?:it|this|that) coming)\b|\bshould(?:'ve| have) been (?:obvious|done (?:weeks|months|years|ages) ago)\b"),
    Cue("your fault", "blame", 1.3, _w(r"your (?:own )?fault|your own doing|your (?:own )?mess|on your head|that's on you|this is on you|it's on you|that one's on you|all on you|you caused (?:this|it|that|the)|you brought (?:this|it|that) on|brought (?:this|it) on (?:yourself|himself|herself|them)|you let (?:this|it|him|her|things) (?:happen|slide|get (?:this|that|so|to this))|you allowed (?:this|it) to|you've let (?:this|it|things) (?:happen|slide|get)|you only have yourself to blame|only yourself to blame|have yourself to blame|you're the problem|you are the problem|the real problem is you|the problem here is you|the problem is you|you failed (?:to|him|her|them|miserably)|you neglected|you ignored (?:it|the|every|this|that|all)|you dropped the ball|dropped the ball|dropping the ball|you messed up|you screwed up|you blew it|you forgot again|you keep forgetting|you never (?:listen|pay attention|read|check|learn|follow|bother|think)|you didn't (?:bother|even|listen|pay attention|read|think|care|check)|you did not (?:bother|even|listen|pay attention|read|think|care)|you couldn't be bothered|couldn't be bothered|can't be bothered|never bothered|didn't bother|bothered to (?:read|check|ask|look|listen|learn|call|notice)|you were warned|you've been warned|consider yourself warned|what did you expect|what do you expect|what else did you expect|what else do you expect|reap what you sow|you get what you|serves you right|learn your lesson|learned your lesson|next time,? (?:actually|pay attention|listen|think|try thinking|use your)|whose fault|who's to blame|who is to blame|who's fault|fault is (?:yours|entirely)|the blame (?:lies|rests|falls)|to blame here|blame lies")),
    # ------------------------------------------------------------------ rhetorical put-downs
    Cue("did you really think", "rhetorical", 1.3, r"\b(?:did|do|does|are|were|have|had) (?:you|anyone|anybody|someone) (?:really|honestly|seriously|actually|genuinely|truly|even|somehow|not) (?:think|thought|expect|expected|believe|believed|imagine|imagined|suppose|supposed|assume|assumed|consider|considered|read|try|tried|bother|bothered|look|looked|listen|listened|know|knew|notice|noticed|think to|stop to|pause to|understand|care|check|checked|ask|asked|see|saw|hear|heard|learn|learned|realize|realise|pay|plan|plan ahead|remember)\b|\bwhat (?:were|was|are) (?:you|they|he|she) (?:thinking|expecting|hoping)\b|\bwhat did you (?:think|expect|imagine|suppose) (?:would|was going to|might)\b|\bwhy (?:on earth|in the world|in god's name|the hell|would anyone|would you (?:even|ever|think|do that|ask)|else would you)\b|\bhow (?:on earth|in the world|exactly) (?:did|do|does|could|would|are|is|can)\b|\bhow (?:could|can|do|did|does|would) (?:you|anyone|someone|anybody) (?:not|honestly|seriously|even) (?:know|see|notice|think|understand|realize|miss|forget|expect|believe|ask|have|be)\b"),
    Cue("how hard is it", "rhetorical", 1.3, r"\bhow (?:hard|difficult|complicated|tough|challenging) (?:is|can|could|was|would) (?:it|that|this)\b|\b(?:is|was) (?:it|that|this) (?:really )?(?:so|that|too|really that) (?:hard|difficult|complicated|tough|challenging|confusing|complex)\s*\?|\b(?:is|was) that (?:so|too) much to ask\b|\bhow many (?:times|more times) (?:do|must|have|did|will|should|does|can) (?:i|we|you|anyone|someone|it)\b|\bwho (?:taught|told|raised|trained) you\b|\bwhere did you (?:learn|get (?:that|this|the idea)|hear that|read that|pick (?:that|this) up|come up with)\b|\bwhat part of\b|\bneed i (?:say|remind|point|explain|add|spell)\b|\bmust i (?:explain|repeat|remind|spell|say)\b|\bdo i (?:really |honestly |seriously )?(?:have|need) to (?:explain|spell|repeat|tell|remind|say|draw)\b|\b(?:do|does) (?:that|this) (?:really )?need (?:explaining|to be (?:said|explained|spelled))\b|\bwhat (?:did|do) you think (?:was|would|happens|would happen|the|that)\b|\bwhat exactly (?:did|do|were|are) you\b"),
    Cue("seriously?", "rhetorical", 1.0, r"\b(?:seriously|really|honestly|are you serious|are you kidding|are you kidding me|are you joking|you're kidding|you're joking|you can't be serious|you cannot be serious|is this a joke|you must be joking|you've got to be kidding|you have got to be kidding|come on|c'mon|for real|excuse me|pardon|what|huh|hello|anyone home|wow|ugh|um|uh|no)\s*\?|\b(?:are|were) you (?:serious|kidding|joking|for real|new here|even listening|paying attention|even trying|even reading|really asking|seriously asking|actually asking|honestly asking|asking me|awake|aware|blind|deaf)\b|\bdo you (?:even) (?:listen|read|think|care|try|pay|check|know|remember|understand)\b|\bdo you (?:not|honestly not|seriously not|really not) (?:know|see|understand|remember|realize|get|read|think|care)\b|\bdid you (?:not|even|honestly|seriously|actually) (?:read|try|think|bother|look|listen|check|ask|notice|hear|see|know|pay|consider)\b|\bhave you (?:even|never|honestly|seriously|actually|not even) (?:tried|thought|considered|read|heard|looked|checked|asked|listened|paid|opened|met|used|seen|noticed)\b|\byou do (?:realize|realise|know|understand|see) (?:that|this|how|what|he|she|it|you|they|the)\b|\bdon't you (?:know|realize|realise|understand|read|remember)\b|\bisn't it (?:obvious|clear|plain|common sense)\b|\bshocking,? isn't it\b"),
    # ------------------------------------------------------------------ contempt for the question
    Cue("what a question", "contempt", 1.4, r"\b(?:what|such) an? (?:question|ask|thing to ask|query|concept|notion)\b[.!?]|\bhow (?:quaint|cute|precious|adorable|sweet|charming|delightful|darling|droll|amusing|rich|typical|predictable|naive|tiresome|tedious|novel|original|very)\b[.!?,]|\bquaint\b|\b(?:" + _QWORDS + r") (?:question|questions|query|queries|ask|request|thing to ask|concern|concerns|worry|worries|thing to worry about|inquiry|enquiry)\b|\b(?:question|questions) like (?:this|that|yours)\b|\bthe (?:answer|solution) is (?:obvious|staring you|right in front|literally|painfully)\b|\bpainfully (?:obvious|clear|simple)\b|\bthis (?:question )?again\?|\bnot this again\b|\bthis old (?:chestnut|question)\b"),
    Cue("can't believe I have to", "contempt", 1.3, _w(r"i can't believe (?:i|you|someone|anyone|people|this|we)|i cannot believe (?:i|you|someone|anyone|people|this|we)|can't believe i'm|i have to (?:explain|say|spell|tell you) this|i'm (?:really |actually )?explaining this|i'm having to explain|i shouldn't have to (?:explain|say|tell)|i should not have to|shouldn't need (?:to be )?(?:said|explained|telling|saying)|this shouldn't need|this should not need|anyone needs to be told|people still ask|people still don't|asked and answered|i've answered this|every single time|the same thing over and over|again and again and")),
    Cue("waste of time", "contempt", 1.3, _w(r"waste of (?:my|our|everyone's|time)|wasting (?:my|our|everyone's) time|not worth (?:my|answering|the effort|discussing)|beneath me|i don't have time for|i haven't got time|i have better things|i've got better things|save me the|i'll humor you|i'll humour you|humor you|humour you|indulge you|i'll indulge|for the rest of us|the adults in the room|welcome to the real world|welcome to adulthood|welcome to reality|reality check|get over (?:it|yourself)|toughen up|man up|suck it up|cry me a river|boo hoo|boohoo|woe is you|woe is me|the world's smallest violin|tiny violin|first world problem|what a tragedy|cry about it|nobody cares|couldn't care less|not my problem|not my job|your problem now|your problem,? not|figure it out yourself|google it|look it up yourself|do your own research|read the manual|rtfm|lmgtfy|heard of google|oh,? the drama|get a life|if you can't handle|if you can't cope|can't handle (?:it|this|the)|can't hack it|not cut out for|not up to the (?:task|job)|hand it over to (?:someone|a professional)|leave it to the professionals|leave it to professionals|let the professionals")),
    Cue("sigh", "contempt", 1.2, r"\*\s*(?:sigh|sighs|eye ?roll|rolls eyes|rolls my eyes|groan|groans|facepalm|face-palm|headdesk|deep breath|slow clap|clears throat|pinches bridge of nose|shrug|shrugs)\s*\*|\b(?:sigh|sighs|ugh|ugh+|uggh|urgh|argh|groan|eye ?roll|rolls eyes|facepalm|face-palm|smh|ffs|omg|jeez|geez|sheesh|good grief|good lord|dear god|dear lord|oh my god|oh my lord|my god|for god's sake|for heaven's sake|for heaven sake|for goodness' sake|for goodness sake|for crying out loud|for pete's sake|for the love of (?:god|all that is holy|pete)|lord have mercy|mercy me|pfft|pff|meh|tsk|tsk tsk|ahem)\b(?:[.!]|\.\.\.)"),
    # ------------------------------------------------------------------ exasperation
    Cue("for the hundredth time", "exasperation", 1.3, _w(r"for the (?:last|hundredth|thousandth|millionth|umpteenth|third|fourth|fifth|tenth|nth|final|fiftieth|twentieth|gazillionth) time|i(?:'ve| have) (?:already )?(?:said|told you|explained|answered|gone over|covered) (?:this|that|it) (?:before|already|a hundred times|many times|countless times|repeatedly|a million times)|i keep (?:telling|saying|explaining|repeating)|i've said it before|i'm (?:so |getting |really )?(?:tired|sick|weary) of (?:explaining|saying|telling|repeating|answering|this|these|people|hearing|you)|sick and tired|at my wit's end|i give up|i'm done|i am done|i'm not doing this|i can't (?:even|with you)|enough already|enough is enough|end of discussion|end of conversation|discussion over|case closed|there,? happy|happy now\?|satisfied now|are you happy now|blah blah|yada yada|and so on and so forth|i'll say it again|i will say it again|i'll repeat|let me repeat|repeat myself|repeating myself|broken record|for the record")),
    Cue("stop whining", "exasperation", 1.2, r"\b(?:stop|quit|enough|cut the|without the|stop all (?:the|this|that)|spare me the|skip the|enough with the|save the|drop the|lose the|ditch the) (?:whining|complaining|moaning|drama|dramatics|theatrics|hysterics|overthinking|excuses|pity party|self-pity|griping|grumbling|bellyaching|whingeing|whinging|sob stor(?:y|ies)|hand-wringing|hand wringing|wringing your hands|being (?:so )?(?:dramatic|difficult|lazy|naive|ridiculous|silly|childish|helpless|a baby|squeamish|precious|sensitive|a martyr)|martyr act|martyrdom|guilt trip)\b|\b(?:whining|whine|whiny|whinge|whingeing|moaning|bellyaching|melodramatic|melodrama|theatrics|histrionics|hysterical|hysterics|drama queen|overreacting|over-reacting|overdramatic|overdramatizing|flipping out|making a fuss|making a scene|making a mountain|mountain out of a molehill|pity party|crybaby|cry-baby|snowflake|coddle|coddled|coddling|babying|baby him|baby her|martyr|martyrdom|precious little|get a grip,|get a grip\.)\b"),
    # ------------------------------------------------------------------ passive aggression
    Cue("good luck with that", "passive_aggressive", 1.2, _w(r"good luck with that|best of luck with that|lots of luck|good luck,? (?:sweetie|honey|dear|genius|champ|buddy|pal|i guess|you'll need it)|you'll need it|but what do i know|what do i know|but hey|but sure|but fine|but whatever|by all means,? ignore|suit yourself|have it your way|your funeral|knock yourself out|go right ahead|be my guest|feel free to ignore|ignore me|don't listen to me|don't mind me|not that (?:you|anyone) (?:asked|listen|listens|cares|care|will|would|ever)|not that it matters|i'm just saying|just saying|just sayin|fine, whatever|alrighty then|so there|i hope that was simple enough|hope that was simple enough|simple enough for you|was that too (?:much|hard|difficult|complicated|many)|too much information for you|too many words|too long for you|tl;dr|tldr|you're welcome\.|you're welcome!|you are welcome\.|happy reading|have fun with that|enjoy that|enjoy,")),
    Cue("one would think", "passive_aggressive", 1.0, _w(r"one would (?:think|hope|assume|imagine|expect)|one might (?:think|hope|assume|imagine|expect)|you(?:'d| would) think (?:that )?(?:someone|anyone|people|a grown|an adult|you|a caregiver|a daughter|a son|after|by now)|you'd have thought|you would have thought|i would have thought|i'd have thought|i'd have assumed|i would have assumed|i'm sure you'll eventually|i am sure you will eventually|eventually,? (?:maybe|perhaps|hopefully)|hopefully this time|hopefully it'll stick|hopefully it sticks|maybe this time|this time,? actually|try actually|actually read|actually listen|actually pay|actually bother|try thinking|try using your (?:head|brain)|it must be nice|must be nice|nice for some|took you long enough|took (?:them|him|her) long enough|better late than never|welcome to the party|glad you (?:finally|eventually|caught on)|finally noticed|finally realized|finally realised|finally figured|finally caught on|at long last|in case you (?:forgot|missed|didn't know|were wondering|hadn't noticed|haven't noticed|didn't notice)|in case (?:it|that) wasn't (?:obvious|clear)|if you hadn't noticed|if you haven't noticed|in case nobody told you|as you (?:should|ought to) (?:know|have known|already know)|you (?:should|ought to) (?:already |really )?(?:know|have known) (?:this|by now|better)|should know better|should know by now|by now you|you know better|know better than that|as you well know|as you know very well|as i'm sure you (?:know|remember|are aware)|surely you (?:know|can|realize|understand|remember|see|have|must)|surely even|surely,|some of us (?:have|actually|manage|work)|the rest of us manage|other (?:people|caregivers|families) (?:manage|cope|seem to manage)|everyone else (?:manages|copes|seems)")),
    # ------------------------------------------------------------------ more kinds of each, written after the first
    # measurement on the development split (phrasing classes, not its sentences)
    Cue("sarcastic superlative", "sarcasm", 1.0, r"\b(?:really|truly|real|such|simply) (?:top-tier|top-notch|first-class|world-class|gold-standard|the gold standard|stellar|inspired|next-level|masterful|award-winning|genius|visionary|the pinnacle)\b|\b(?:ah|oh),? (?:yes,? )?the (?:classic|good old|famous|timeless|time-honored|age-old)\b|\bwhat could (?:possibly )?go wrong\b|\b(?:riveting|thrilling|fascinating|gripping|exciting|scintillating) stuff\b|\boh,? (?:yes|yeah|sure),? (?:definitely|absolutely|by all means|of course|please|go ahead|keep)\b|, truly,|\b(?:didn't|doesn't|did not|does not|won't|will not) (?:appear|happen|go away|fix itself|disappear|heal) by magic\b|\bmagically (?:fix|cure|heal|disappear|appear)\b|\b(?:sort|kind) of\.|\b(?:sure|right|yes|yeah|of course),? because\b"),
    Cue("sarcastic approval", "sarcasm", 1.0, _S + r"(?:adorable|cute|precious|how sweet|sweet|charming|lovely|fascinating|riveting|noted|impressive|bold move|bold choice|interesting|inspiring)[.!]|\binteresting (?:choice|decision|strategy|approach|plan|take|theory|idea|way to)\b|\b(?:bold|brave) (?:choice|move|strategy|decision)\b|\b(?:very |rather |quite |most |such an? )?(?:creative|fascinating|imaginative|inventive) (?:theory|theories|interpretation|logic|reasoning|excuse|take on)\b|\bnoted that you\b|\b(?:that's|how|so) (?:sweet|cute|precious|adorable)[.!]|\bi'll just assume\b"),
    Cue("within your abilities", "belittling", 1.2, r"\bwithin your (?:range|abilities|ability|capabilities|skill set|skillset|powers|grasp|reach)\b|\b(?:your|the) (?:skill|ability|competence) level\b|, not a (?:spaceship|rocket|space shuttle|nuclear reactor|bomb|science experiment|rubik's cube|riddle|puzzle|mystery|jet engine|time machine|computer|magic trick)\b|\b(?:most|normal|sensible|reasonable|competent|other) (?:people|adults|caregivers) (?:figure|work) (?:it |this |that )?out\b|\bmost people\.|\b(?:you're|you are) overthinking\b|\bsurely (?:that's|that is|this is|even|it's|it is)\b|\bfrom one adult to another\b|\bmissed the memo\b|\bsomeone who (?:actually|really) (?:knows|understands|reads|works|bothers|pays|listens|has)\b|\b(?:gather|gather a)round\b|\bgather around\b|\bfor beginners\b|\bstory time\b|\blisten up\b|\bclass is in session\b"),
    Cue("this is what happens", "blame", 1.3, r"\b(?:this|that) is (?:what|exactly what) happens when you\b|\bthis is what you get\b|\b(?:you're|you are) the one (?:who|that)\b|\b(?:nobody|no one) (?:forced|made|told|asked) you to\b|\b(?:predictable|inevitable|natural|direct|obvious|logical) (?:result|consequence|outcome|effect) of your\b|\b(?:look|looking) at who (?:keeps|kept|forgot|left|skipped)\b|\bwho keeps (?:handing|giving|letting|forgetting|skipping|feeding|leaving)\b|\byou act(?:ing)? surprised\b|\b(?:and )?now you (?:want|expect|wonder|ask|need|act)\b|\byou wouldn't (?:be (?:calling|dealing|asking|in this|here|having|stuck|facing|writing|worrying|wondering)|have (?:this|to ask|to call|to deal))\b|\b(?:well|so|yet|and yet|instead),? you (?:waited|ignored|decided|chose|let|skipped|kept|stopped|refused|forgot|left|turned down|insisted)\b|\b(?:is|are) (?:all |entirely |squarely )?on you\b|\bjudging by your\b"),
    Cue("didn't it occur to you", "rhetorical", 1.3, r"\b(?:didn't it|did it not|did it ever|has it ever|hasn't it|it never) occur(?:red)? to you\b|\bhave you ever (?:actually|even|bothered|once)\b|\bor (?:were|was|are|is|did|do) (?:you|it) (?:going to|planning|hoping|waiting|just)\b|\bhow many (?:more )?times (?:does|do|did|will|must|has|have) (?:she|he|they|your \w+)\b|\bhow many ways (?:can|do|must|should|will) (?:i|we)\b|\b(?:is|was) (?:it|that|this) (?:really|honestly|seriously|actually|truly) (?:so|that|too) (?:hard|difficult|complicated|tough|challenging|much)\b"),
    Cue("kind of question", "contempt", 1.2, r"\b(?:kind|sort|type) of question (?:that|which)\b|\bmakes? (?:me|my head) (?:tired|hurt|want to|weep|cry|despair|sigh)\b|\bgives me a headache\b|\b(?:barely|hardly|scarcely) (?:qualifies|counts|a question|worth)\b|\bi(?:'m| am) (?:so |really |getting )?(?:tired|sick|weary) of (?:explaining|saying|telling|repeating|answering|this|these|people|hearing|you)\b|\b(?:please )?(?:stop|quit) asking (?:me|whether|if|the same|about|that)\b|\bstop pretending\b|\bcan we (?:please )?move on\b|\bread what i (?:wrote|said|just said|typed|told you)\b|\bplease, please\b|\bdidn't (?:land|sink in|stick)\b|\bsince (?:apparently|clearly|obviously|evidently)\b|\blet me (?:list|lay|spell|write) (?:it|this|them) (?:all )?out\b|\bi (?:really )?shouldn't have to (?:explain|say|tell|write|spell|repeat|list)\b|\bnobody (?:in your (?:house|family)|there|here) (?:reads|listens|bothers|pays)\b"),
    Cue("as always", "passive_aggressive", 0.9, r"\bas always[.!]|\bhappy to help,? (?:as always|again|i guess)\b|\bfor those (?:of us )?who (?:actually |bother to |plan|read|listen|pay|care|remember|think)\w*\b|\bkeep doing it your way\b|\b(?:do|doing) it your way\b|\b(?:only|just) guessing\b|\b(?:sort|fix|resolve|take care of) itself(?: out)?\b|\bi'm sure (?:the|your|that) \w+(?: \w+)? (?:was|were|is|will) (?:only|just|wrong|going to)\b|,? i (?:guess|suppose)[.!?]|\bto finally (?:ask|wonder|notice|care|show|think|mention|bother|join|check|read|look|listen)\b|\byou finally (?:asked|noticed|cared|bothered|read|looked|listened|mentioned|wondered)\b|\bif (?:it's|it is|it isn't|it's not) (?:not )?too much (?:trouble|to ask)\b|\bwhatever you decide, i guess\b|\bhope (?:\w+ ){1,4}(?:stays?|remains?|goes|go) as \w+ as (?:they|it|he|she|things|you)(?:'re| are| is|'s)? (?:now|today|ever)\b"),
    # ------------------------------------------------------------------ general patterns of each kind (broader
    # classes than the phrases above: sarcastic praise, questions aimed at the asker, insults to effort and memory,
    # blame constructions, condescending framings, exasperation, passive aggression)
    Cue("mock praise", "sarcasm", 1.0, r"\b(?:so|how|very|awfully|terribly|truly) (?:brave|bold|kind|generous|thoughtful|mature|responsible|clever|smart|wise|enlightened) of you\b|\baren't you (?:[a-z']+ )?(?:adorable|clever|smart|sweet|cute|precious|special|brave|something|resourceful|thorough)\b|\blove that (?:diagnosis|plan|idea|theory|logic|approach|strategy|reasoning|for)\b|\bwe're all (?:very |so )?proud\b|\b(?:such|what) fun\b|\b(?:very|so|highly|totally|extremely) (?:medically|scientifically|clinically) (?:sound|accurate|rigorous|advanced)\b|\b(?:excellent|great|perfect|impeccable|wonderful) timing\b|\bthe world's (?:saddest|worst|smallest|greatest|best)\b|\bgreat mysteries\b|\bcongratulations,? you(?:'ve| have)? (?:[a-z']+ )?(?:discovered|found|learned|figured|managed|invented)\b|\bcongratulations on (?:the|your) (?:world's|most|least)\b|\b(?:adorably|charmingly|quaintly|cutely|precious(?:ly)?) (?:old-fashioned|naive|optimistic|misguided|confused|wrong)\b|\bnothing could possibly\b|\bi wonder why\b|\b(?:definitely|really|totally|certainly|surely) enjoys?\b|\bpriorities,? please\b"),
    Cue("sarcastic opener", "sarcasm", 0.6, _S + r"(?:right|sure|yes|fantastic|wonderful|brilliant|excellent|marvelous|splendid|imagine that|gosh|gee|wow|remarkable|impressive|love that you|good for you)[,.!:]\s"),
    Cue("aimed question", "rhetorical", 1.2, r"\bwhich (?:word|part|bit|step|letter) (?:of|in) [^?.!\n]+(?:gave you|give you|did you not|do you not|don't you|didn't you|confus|unclear|trouble|lost you|understand|are we|are you)[^?.!\n]*\?|\bwhat (?:about|part of) (?:the word |the phrase )?[^?.!\n]+ (?:are we|are you|do you|did you) (?:struggling|not|still|having)\b|\bwhy would you\b|\bwho,? (?:exactly,? )?(?:told|taught) you\b|\bhave you (?:considered|thought|tried),? even once\b|\beven once,? that\b|\bis there (?:any|a) (?:reason|chance) you (?:thought|believed|assumed|figured)\b|\bwere you planning (?:to|on) [^?.!\n]+ or\b|\bnews to you\b|\bdo you want (?:it|this|him|her|them) to [^?.!\n]+ or not\?|\bdid you think (?:that )?(?:[a-z']+ )*(?:would|was|were|come|comes|is|are|could|just)\b|\bjust spitballing\b|\bwas any of that\b|\bwe both know\b|\bdon't ask me why\b|\bquick quiz\b|\band you(?:'re| are) asking (?:me )?about\b"),
    Cue("insult to effort", "belittling", 1.2, r"\b(?:isn't|is not|aren't|are not|not) (?:exactly )?your (?:thing|strong suit|forte|strength|specialty|strong point)\b|\bknowing you\b|\bif i know you\b|\bfor (?:the )?(?:terminally|hopelessly|chronically|perpetually|willfully|wilfully|truly) [a-z'-]+\b|\bin terms you can (?:follow|understand|handle|grasp|manage)\b|\bso you can (?:get through|follow|keep up with|manage) (?:it|this|that)\b|\bcolou?ring book\b|\byou(?:'ve| have) probably never (?:heard|seen|read|thought)\b|\bmost (?:[a-z0-9]+-year-olds|children|kids|toddlers|teenagers|preschoolers)\b|\b(?:a |any )?(?:reasonably |remotely |minimally )?(?:competent|attentive|observant|functioning|intelligent) (?:adult|person|human being|human)\b|\btoo many (?:tasks|steps|words|numbers|instructions|things) for you\b|\bif that's too (?:many|much|hard|complicated|difficult)\b|\b(?:intimidating|confusing|hard|difficult|too much) for some\b|\ba lot to take in at once\b|\bthe basics escape you\b|\bescape you\b|\bassumed too much\b|\bone would have (?:assumed|thought|hoped|expected)\b|\b(?:one|two|three|four|five|seven) (?:numbers|steps|words|letters|things|tasks|boxes)\. (?:you|take|that's|it's|even)\b|\bi've (?:capitali[sz]ed|kept the sentence|kept it short|used small)\b|\busing capitals\b|\blowercase\b|\bfor you,? i'll make an exception\b|\bif you could (?:manage|bring yourself|be bothered)\b|\bsince you like shortcuts\b"),
    Cue("blame construction", "blame", 1.1, r"\bbecause you (?:[a-z']+ ){0,2}(?:never|refused|forgot|kept|keep|decided|chose|skipped|ignored|waited|insisted|couldn't be bothered|didn't bother|didn't test|didn't check|didn't arrange|didn't ask)\b|\bon your watch\b|\byou did (?:that|this)(?:[,.]| not\b)|\bthat someone (?:was|is) you\b|\b(?:partly|entirely|mostly|largely|squarely) your (?:doing|fault|responsibility)\b|\byour doing\b|\bconnect (?:those|the) dots\b|\bdon't pretend\b|\bthe (?:result|consequence) of (?:that|your|this) (?:choice|decision)\b|\bi hope (?:[a-z']+ )+(?:was|is) worth it\b|\byou refused to\b|\byou should(?:'ve| have) been (?:doing|giving|checking|offering|using|watching)\b|\bnobody in (?:that|the|your) (?:house|family|home)\b|\bfunny how\b|\bcourtesy of you\b|\bif you(?:'d| had) (?:[a-z']+ )+(?:you|he|she|they|we|this|it) (?:wouldn't|would not|would never)\b|\bdo better\b|\bask yourself (?:what|why|whether|how)\b|\byou (?:decided|chose) to \"|\"wait and see\.?\""),
    Cue("condescending framing", "condescension", 1.2, r"\bi'll (?:educate|school|teach) you\b|\blet me educate you\b|\bi'll think for you\b|\b(?:okay|ok|alright|all right),? class\b|\bshall we go over (?:it|this|that) again\b|\bpay attention this time\b|\bdoes that make sense,? or\b|\bas anyone who (?:[a-z']+ )+(?:knows|know)\b|\bnot holding my breath\b|\bi know you will\b|\bhmm\?|\blet's maybe\b|\bpardon me for (?:breathing|asking|living|existing|interrupting)\b|\blovely chat\b|\bgreat chat\b|\b(?:thanks|thank you) ever so much\b|\bonly if it's convenient\b|\bif it's not too much (?:bother|trouble)\b|\byou poor,|\bthe actual advice\b|\bi can't believe (?:that|it) (?:needed|needs|had) to be\b|\bhere we are\b|\bsuch small print\b"),
    Cue("exasperation marker", "exasperation", 1.1, r"\bi'm begging you\b|\bi beg you\b|\bthis is exhausting\b|\bagain with the\b|\bany (?:more )?plainly\b|\bmore plainly\b|\byou've shot down\b|\b(?:two|three|four|five|several|multiple) separate times\b|\bplease stop (?:writing|asking|calling|texting|emailing|messaging)\b|\bsame message\b|\bnothing changes\b|\bjesus[.!,]|\bi(?: have|'ve) explained (?:[a-z']+ ){0,3}(?:times|again|already)\b|\bi(?:'ve| have) given you (?:[a-z']+ ){0,2}(?:ideas|options|suggestions)\b"),
    Cue("passive aggression", "passive_aggressive", 1.1, r"\bi'm sure you have your reasons\b|\b(?:just )?interesting that (?:her|his|the|you|it|she|he)\b|\bi'll just leave (?:this|the|it) (?:[^?.!\n]*)here\b|\bwhenever you feel like\b|\bif anyone(?:'s| is) interested\b|\bi'm (?:only|just) the one\b|\bnot everyone is (?:built|cut out|made) for\b|\bno judge?ment(?: at all)?[.!]\s*(?:just|i'm|but)\b|\bjust mentioning\b|\bsomeone, anyone\b|\bas in last\b|\bassuming you (?:can|could|will|remember|manage|bother)\b|\bcould(?:n't| not) care less\b|\bno patience (?:left )?for\b|\bleast interesting\b|\bsave (?:the|your) \"|\bunbelievable that\b|\bof all things\b|\bwhatever\.\s|\bit's your (?:dad|mom|mother|father|funeral|problem)[.!]|\bnonsense\b"),
    Cue("exasperated interjection", "exasperation", 1.2, r"\b(?:ugh+|sigh|geez|jeez|sheesh|good grief|good lord|for heaven's sake|for goodness' sake|for crying out loud|for pete's sake|ffs|smh)[,.!]"),
    # ------------------------------------------------------------------ devices of polished, LLM-style caricatures
    # (a third author's texts): one-word sarcastic verdicts, dismissal fragments, jabs at competence, feigned
    # sympathy, comparisons to children and pets, the asker's words in scare quotes
    Cue("sarcastic verdict", "sarcasm", 0.8, _S + r"(?:amazing|flawless|incredible|truly unique|totally normal|how thorough|how original|how novel|shocking|groundbreaking|riveting|stunning|bravo|great plan|genius move|real mature|very mature|so mature|how mature|classy|truly inspiring|truly riveting|what a shock|color me shocked|i'm shocked|shocker)[.!]"),
    Cue("aimed rhetorical", "rhetorical", 1.0, r"\bgee,? i wonder\b|\bi wonder why[.!?]|\bwho could (?:possibly )?have (?:predicted|guessed|foreseen|seen that coming)\b|\bwhat's the worst that could happen\?|\bwhat could (?:possibly )?go wrong\?|\blet me guess\b|\bbelieve it or not\b|" + _S + r"what do you think\?"),
    Cue("dismissal", "contempt", 1.0, _S + r"(?:okay,? and|so)\?|" + _S + r"(?:your call|up to you|next question|moving on|not my problem|wake up|get over it|deal with it|suck it up|grow up|whatever)[.!]|\bi don't care (?:if|what|how|whether)\b|\bdon't expect me to\b|\bhold your hand through\b|\bi'm not (?:going to|gonna) hold your hand\b|\bnot my job to\b"),
    Cue("competence jab", "belittling", 1.2, r"\bsomeone competent\b|\blike a normal person\b|\bbe the adult\b|\bstop being a (?:doormat|baby|child|martyr|drama queen|pushover)\b|\bsomeone who (?:actually )?knows what (?:they're|they are) doing\b|\b(?:make|put) (?:it|this|that) any (?:simpler|clearer|plainer)\b|\brunning out of ways to (?:say|explain|put)\b|\bi've told you (?:\w+ )?times\b|\bi have told you (?:\w+ )?times\b|\bhow many more times\b|\bthan you will in your (?:entire |whole )?life\b|\bwhen you were in (?:middle|high|grade|elementary) school\b"),
    Cue("feigned sympathy", "passive_aggressive", 1.2, r"\bi'm sure it's (?:very |so |really )?hard for you to\b|\bmust be nice\b|\bwe all make sacrifices\b|\bsome of us (?:just|actually|have to|manage|still|were)\b|\bcry me a river\b|\bboo hoo\b|\bmy heart bleeds\b|\balert the (?:media|press)\b|\bstop the presses\b|\bi'll get right on that\b|\bhow (?:tragic|awful) for you\b|\bpoor you[.!,]"),
    Cue("child or pet comparison", "belittling", 1.0, r"\b(?:my|a) (?:dog|cat|puppy|toddler|two-year-old|three-year-old|four-year-old|five-year-old|kindergartner|preschooler|goldfish) (?:does|did|pulls|knows|could|can|has|throws|understands|gets|manages|figured)\b|\bthe (?:toddler|dog|goldfish) has a better\b"),
    Cue("asker quoted", "sarcasm", 0.4, r"(?:'s|\bis|\bwas|\bwere|\bare|\bbeing|\bbeen|\bhe|\bshe|\bit) \"\w+(?: \w+)?(?: \w+)?(?: \w+)?[,.]?\""),
    # ------------------------------------------------------------------ subtler devices (a fourth author's texts):
    # staccato fake patience, "I'm sure they'll be delighted", ultimatums, scolding like a child, sneering at the
    # patient, choosing not to hear
    Cue("staccato", "exasperation", 1.2, r"\b[a-z]+\. [a-z]+\. [a-z]+\. [a-z]+\. [a-z]+\."),
    Cue("delighted to repeat", "sarcasm", 1.0, r"\b(?:delighted|thrilled|overjoyed|ecstatic|so happy) to (?:explain|repeat|go over|hear|answer)\b|(?:useful|helpful|great|very helpful|super helpful|productive), i'm sure[.!]"),
    Cue("ultimatum", "blame", 1.3, r"\b(?:don't|do not) come crying\b|\bcome crying to me\b|\b(?:enjoy|have fun|good luck) explaining\b|\bdon't say (?:i|nobody|no one) (?:didn't warn|warned) you\b|\bdon't say i didn't warn you\b"),
    Cue("sob story", "contempt", 1.2, r"\b(?:boo-hoo|boohoo|sob story|sob stories|pity party|tiny violin|world's smallest violin|waterworks)\b|\bpoor (?:dear|baby),"),
    Cue("scolding", "condescension", 1.2, _S + r"(?:young lady|young man|missy|mister),|\bthink about what you (?:did|have done|'ve done)\b|\bgo sit (?:down )?(?:in the corner)?\b(?: and think)"),
    Cue("grown-ups in the room", "condescension", 1.2, r"\b(?:grown-ups|grownups|the adults) in the room\b|\bthe grown-ups\b"),
    Cue("silliest thing", "contempt", 1.4, r"\b(?:the )?(?:silliest|dumbest|stupidest|most ridiculous|most absurd|most pointless|worst) (?:thing|question|idea)s? (?:i've|i have|i) (?:ever )?(?:heard|seen|read|been asked)\b"),
    Cue("doing it wrong", "belittling", 1.2, r"\byou're doing (?:it|this|everything|that) (?:all )?wrong\b|\b(?:families|people|caregivers|daughters|sons) (?:exactly )?like (?:yours|you)\b|\b(?:people|families|caregivers) of your (?:type|kind)\b|" + _S + r"typical[.!]"),
    Cue("if I have to", "exasperation", 1.3, r"\bif i have to (?:\w+ )?(?:explain|say|tell you|repeat|remind you)\b|\bi swear,? if\b"),
    Cue("kind of mistake", "belittling", 1.0, r"\bthe (?:kind|sort|type) of (?:mistake|error|thing) (?:a|an) [a-z-]+(?: [a-z-]+)? (?:makes|would make|make)\b|\bevery single (?:mistake|error|thing wrong)\b"),
    Cue("people who take it seriously", "passive_aggressive", 0.8, r"\bpeople who (?:actually |really )?(?:take (?:\w+ )?seriously|care|bother|pay attention|read|listen)\b"),
    Cue("choosing to", "blame", 1.2, r"\byou're choosing to (?:let|ignore|risk|make|put|hurt)\b|\b(?:chosen|choose|chose|choosing) not to (?:hear|listen|read|see|understand)\b|\bselective hearing\b"),
    Cue("sneering at the patient", "contempt", 1.0, r"\b(?:old|these|little) (?:ladies|lady|men|man|people|folks|geezers|codgers) like (?:that|him|her|them|yours)\b|\bwith (?:her|his|their) attitude\b|\b(?:she's|he's|she is|he is) (?:just )?(?:manipulative|being manipulative|playing you|faking it)\b"),
    Cue("not holding your hand", "contempt", 1.0, r"\bnot holding your hand\b|" + _S + r"(?:figure it out|google it)[.!]"),
    # ------------------------------------------------------------------ a fifth author's devices (classes of them,
    # written after reading tone_dev5 and the misses the leave-one-author-out run left in the other files)
    Cue("disclaimer jab", "passive_aggressive", 1.2, r"\bnot to be (?:rude|mean|harsh|blunt|that person)\b|\bi don't mean to (?:pile on|be rude|be harsh|be mean|nag|lecture|sound harsh)\b|\bhate to be the one to (?:tell|say|break|point)\b|\bsorry to be the one to (?:say|tell|break|point)\b|\bhate to break it to you\b|\bforgive me if (?:this is|that's|it's|this sounds) too (?:advanced|complicated|technical|obvious)\b|\bpardon me for (?:pointing out|stating|saying)\b|\bi'm not saying you're\b|\bnot that you(?:'ll| will|'d| would) (?:listen|care|read|bother|remember|notice)\b"),
    Cue("meme put-down", "contempt", 1.3, r"\bok(?:ay)?,? boomer\b|\bsweet summer child\b|\blol\b|\blmao\b|\brofl\b|\bbut you do you\b|\ba you problem\b|\bqueen of sheba\b|\bmissed (?:your|their|his|her) calling\b|\b(?:nursing|medical) school lost\b|\bquite the (?:streak|track record|performance|show)\b|\bthe least [a-z]+ (?:thing|part) (?:in|about) (?:this|your)\b"),
    Cue("sarcastic agreement", "sarcasm", 1.1, _S + r"sure (?:she|he|it|you|they) (?:is|are|was|were|did|does|do|will|can|has|have)[.!]|\bno kidding,? (?:she|he|it|you|they)\b|\byeah,? no kidding\b|\bamazing news,? you\b|\bit's not like i (?:have|had|'ve got) (?:a|any|anything)\b|" + _S + r"yay[,!]|" + _S + r"well,? this is awkward[.!]"),
    Cue("you'd know if", "blame", 1.2, r"\bwhich you(?:'d| would) (?:know|have known|realise|realize) if\b|\byou(?:'d| would) (?:know|have known) (?:that |this )?if you(?:'d| had)\b|\b(?:everyone|everybody) knows (?:that|this|it) (?:but|except) you\b|\bwhat (?:literally )?(?:everyone|everybody) else (?:already )?(?:knew|figured|knows|realized|realised)\b|\b(?:kind|sort) of the (?:whole|entire) point\b|\bthe (?:slightest|faintest|foggiest|remotest) (?:understanding|clue|grasp) of\b|\bwent (?:right )?(?:past|over) you\b|\bwhen most (?:people|families|carers|caregivers) would have\b"),
    Cue("decency demand", "contempt", 1.2, r"\bhave the (?:common )?(?:decency|courtesy) to\b|\b(?:nobody|no one)(?:'s| is) impressed\b|\b(?:nobody|no one) asked (?:for your|you)\b|\bwhy should (?:anyone|anybody|i|we) (?:bother|care)\b|\b(?:doesn't|does not|don't|do not) (?:get|deserve) (?:much|any) sympathy\b|\bon your own time\b|\bget a medical degree\b|\bgo to medical school\b|\b(?:isn't|is not|not) (?:really )?my department\b|\bis getting old[.!]|\bdignify (?:that|this|the|it|your)\b|\bwhere do (?:people|you) get (?:this|these|that) (?:stuff|ideas|idea|nonsense)\b"),
    Cue("backhanded compliment", "sarcasm", 1.1, _S + r"(?:pity|shame|too bad),? (?:that )?you\b|\bit's (?:just )?a (?:shame|pity) (?:that )?it (?:comes|came)\b|\bi(?:'d| would) appreciate it more if\b|\b(?:lovely|nice|great|good|glad) (?:that )?you (?:found|could find|managed to find|finally found) the time\b|\bimpressive how you\b|\bmanaged to turn (?:a|an|one) [a-z]+(?: [a-z]+)? into\b|\b(?:lovely|great|fine|nice|wonderful|good|perfect) (?:plan|idea|approach) for (?:a person|someone|somebody|anyone|people) (?:without|who isn't|who doesn't|who has no)\b|\bkudos (?:for|on) (?:trying|attempting)\b|\bsurprisingly (?:sensible|good|smart|reasonable|intelligent) (?:question|idea|thing)\b|\bcoming from you\b|\bit's almost (?:like|as if) you\b|\bonly took (?:you )?(?:[a-z0-9-]+ )?(?:[a-z0-9-]+ )?(?:days|weeks|months|years|tries|attempts|falls|mattresses|visits|admissions|reminders)\b|\bwhat a [a-z]+ (?:son|daughter|husband|wife|carer|caregiver|grandson|granddaughter) you are, [a-z]+ing\b"),
    Cue("sarcastic invitation", "sarcasm", 1.1, r"\bplease,? (?:do )?tell me more\b|" + _S + r"do tell[.!]|\bi love how you(?:'re| are|'ve| have)? (?:asking|ignoring|skipping|refusing|pretending|still)\b|\bkind of (?:wild|rich|funny|amazing) that you\b|\binteresting how (?:often|many|you|people|this)\b|\bwell,? that's one way to\b"),
    Cue("slow it down", "condescension", 1.2, r"\bi(?:'ll| will|'m going to|'m| am) (?:use|using) (?:smaller|shorter|short|small|very short|very small|simple|one-syllable) words\b|\blet me slow down\b|\bi (?:can't|cannot|really can't|really cannot) stress this enough for you\b|\bfor you in particular\b|\bi(?:'m going to|'ll| will) (?:just )?assume (?:you|the|that|it)\b|\bnobody who(?:'s| has) (?:done|been doing|had) (?:this|it)\b|\bi'm only (?:saying|going to say|telling you) (?:this|it) once\b|\b(?:listen|read (?:this|it)) (?:carefully|slowly) (?:this time|and maybe twice)\b|\btry (?:listening|reading|paying attention|actually)[^.!?\n]* this time\b|\blook at me when i'm\b|\bblue in the face\b|\bstill waiting[.!]|\bkeep having to (?:revisit|repeat|explain|go over|remind)\b|\bfor a younger audience\b|\bby this point (?:most )?(?:families|people|caregivers|carers) (?:have|would have|had) already\b|\bsince the alternative is\b|\bgot it\?|\bunderstood\?|\bhappy now\?|\bhint:|\bget a grip[,.!]"),
    Cue("faux concern", "passive_aggressive", 1.2, r"\bmust be (?:exhausting|tiring|hard|nice|difficult|lonely),? being so\b|" + _S + r"i'm sure it's (?:very |so |really )?(?:hard|difficult|tough)[.!]|\byou're welcome[.!]|\byou are welcome\."),
    Cue("shaming", "blame", 1.2, r"\btry (?:caring|worrying|thinking|talking) (?:a (?:little|lot|bit) )?less about\b|\bneeds a (?:daughter|son|wife|husband|carer|caregiver|family|grandchild) who (?:actually |turns|shows|bothers|visits|cares|listens|is there)\b|\btry being less [a-z]+ yourself\b|\b(?:perhaps|maybe) start with yourself\b|\bdraw your own conclusions?\b|\bthat's what you're really asking\b|\byou don't want (?:advice|help|an answer|answers)\b|\bnot sure you're (?:the right person|cut out|up to)\b|\byou (?:got|get|have gotten|'ve gotten|are getting|'re getting) (?:so |too |a bit |really )?(?:lazy|careless|sloppy|complacent)\b|\bdon't blame (?:the|her|his|their) (?:disease|illness|dementia|condition)\b|\bwhatever you want anyway\b|\bif you(?:'d| would) (?:just )?stop [a-z]+ing\b|\bpeople who complain\b|\bif that(?:'s| is|'s not| is not| isn't) (?:not )?too much (?:trouble|to ask)\b"),
    # a short phrase in quotation marks ('normal', 'forgetting', 'being difficult'): the asker's words held up to
    # sneer at; weak alone (a definition names a term that way too), hostile next to one more cue
    Cue("quoted phrase", "sarcasm", 0.45, r"\s'[a-z]+(?: [a-z']+)?(?: [a-z']+)?(?: [a-z']+)?(?: [a-z']+)?'(?:[^a-z]|$)|\s\"[a-z]+(?: [a-z']+)?(?: [a-z']+)?(?: [a-z']+)?(?: [a-z']+)?[,.]?\""),
]

GROUPS = ("negated", "sarcasm", "mock_politeness", "belittling", "blame", "rhetorical", "contempt", "condescension",
          "exasperation", "passive_aggressive")

# priority: where two cues could start at the same place the first listed wins; the weak generic cues go last
_GENERIC = ["I suppose", "obviously", "listen here"]
ORDERED: list[Cue] = [c for c in CUES if c.name not in _GENERIC] + [c for n in _GENERIC for c in CUES if c.name == n]

_COMBINED = "|".join(f"(?:{c.pattern})" for c in ORDERED)
_COMBINED_RUST = _COMBINED.replace(r"\b", r"(?-u:\b)")
_COMBINED_PY = re.compile(_COMBINED)
_FULL = [(c, re.compile(c.pattern)) for c in ORDERED]
_CLASSIFIED: dict[str, Cue | None] = {}
# The same alternation, for cutting hostile spans out of a text (``filters.tone`` does, so a sneer earns no
# supportive points): the negation guards are group 1 and stay (replace with "${1}"), every other span goes.
_GUARDS = "|".join(f"(?:{c.pattern})" for c in ORDERED if c.weight == 0)
_REST = "|".join(f"(?:{c.pattern})" for c in ORDERED if c.weight != 0)
STRIP = f"({_GUARDS})|{_REST}"
STRIP_RUST = STRIP.replace(r"\b", r"(?-u:\b)")
STRIP_PY = re.compile(STRIP)


def classify(match: str) -> Cue | None:
    """The cue a matched span belongs to: the first cue (in priority order) matching the whole span."""
    if match in _CLASSIFIED:
        return _CLASSIFIED[match]
    cue = next((c for c, rx in _FULL if rx.fullmatch(match)), None)
    if len(_CLASSIFIED) < 200_000:
        _CLASSIFIED[match] = cue
    return cue


def norm(text: str) -> str:
    """What the cues see: a line break, then the text lower-cased with curly quotes straightened."""
    return "\n" + (text or "").replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').lower()


def prepared(col: str) -> pl.Expr:
    """What the cues see, as an expression: ``norm`` of the column (no ``^`` anchors in the cues: a text starts with
    a line break, so a sentence-start cue needs no anchor and a matched span is classified by its own text)."""
    return pl.lit("\n") + (pl.col(col).fill_null("").str.replace_all(r"[’‘]", "'").str.replace_all(r"[“”]", '"')
                            .str.to_lowercase())


def squash(raw):
    """``1 - exp(-raw)``: 0 with no cue, 0.5 at ``raw = ln 2``, towards 1 with more."""
    return 1.0 - np.exp(-np.asarray(raw, dtype=np.float64)) if not isinstance(raw, (int, float)) else 1.0 - math.exp(-raw)


def cue_raw_series(df: pl.DataFrame, col: str) -> pl.Series:
    """``sum(weight x count)`` of the hostile cues of each row of ``df[col]`` (0.0 for null / empty)."""
    n = df.height
    if n == 0:
        return pl.Series([], dtype=pl.Float64)
    m = df.select(prepared(col).str.extract_all(_COMBINED_RUST).alias("_m"))["_m"]
    ex = pl.DataFrame({"_row": pl.int_range(0, n, eager=True, dtype=pl.UInt32), "_m": m}).explode("_m").drop_nulls("_m")
    if ex.height == 0:
        return pl.Series(np.zeros(n), dtype=pl.Float64)
    weights = {s: (c.weight if (c := classify(s)) else 0.0) for s in ex["_m"].unique().to_list()}
    w = ex["_m"].replace_strict(weights, return_dtype=pl.Float64)
    return pl.Series(np.bincount(ex["_row"].to_numpy(), weights=w.to_numpy(), minlength=n), dtype=pl.Float64)


def learned_extra(df: pl.DataFrame, col: str, model=None) -> np.ndarray:
    """What the shipped n-gram model adds to each row's raw score (zeros when the weights file is absent): its
    ``extra`` at the logit, held back by the text's kind wording (``filters._tone_cues.kindness``, computed only for the
    rows the model would add something to)."""
    model = _ngrams.load() if model is None else model
    if model is None or df.height == 0:
        return np.zeros(df.height)
    normed = df.select(prepared(col).alias("_t"))["_t"]
    logit = _ngrams.logits(normed, model)
    if model.kind_weight:
        rows = np.flatnonzero(model.extra(logit) > 0)
        if rows.size:
            logit[rows] = model.held_back(logit[rows], kindness(df[col].gather(rows)))
    extra = model.extra(logit)
    extra[df[col].is_null().to_numpy()] = 0.0
    return extra


def raw_parts(df: pl.DataFrame, col: str, learned: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(cues, extra)`` per row: the cues' ``sum(weight x count)`` and what the learned part adds (zeros without
    ``learned``).  ``filters.tone`` needs them apart: the learned part acts on the tone only through the cap."""
    cues = cue_raw_series(df, col).to_numpy()
    return cues, (learned_extra(df, col) if learned else np.zeros(df.height))


def raw_series(df: pl.DataFrame, col: str, learned: bool = True) -> pl.Series:
    """The hostility raw score of each row: the cues' ``sum(weight x count)`` plus, with ``learned``, what the
    shipped n-gram model adds (``filters._hostility_ngrams``; nothing when its weights file is absent)."""
    cues, extra = raw_parts(df, col, learned)
    return pl.Series(cues + extra, dtype=pl.Float64)


def hostility_frame(df: pl.DataFrame, col: str, out: str | None = None, raw: pl.Series | None = None) -> pl.DataFrame:
    """Add ``hostility_<col>`` (or ``out``): in [0, 1), null where the text is null (``raw``: ``raw_series`` of the
    column, when the caller has it)."""
    raw = raw_series(df, col) if raw is None else raw
    score = pl.Series(out or f"hostility_{col}", squash(raw.to_numpy()), dtype=pl.Float64)
    nulls = df[col].is_null()
    return df.with_columns(score.set(nulls, None) if nulls.any() else score)


def hostility_scores(texts: list[str | None], learned: bool = True) -> list[float | None]:
    df = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
    return hostility_frame(df, "t", raw=raw_series(df, "t", learned=learned))["hostility_t"].to_list()


def explain(text: str, learned: bool = True) -> dict:
    """Hostility of one text with every matched cue: ``{"hostility", "hostile", "raw", "cues": [...], "learned"}``.

    Each cue is ``{"cue", "group", "weight", "match"}`` in text order; the same matching as the vectorized score.
    ``learned`` (None when the n-gram model is off) is ``{"logit", "extra", "ngrams": [(ngram, weight), ...]}``:
    the raw score the model adds and the n-grams that pushed it up most.  The cue weights plus ``learned.extra``
    add up to ``raw`` exactly.
    """
    low = norm(text)
    shown = "\n" + (text or "") if len(text or "") + 1 == len(low) else low
    hits = []
    for m in _COMBINED_PY.finditer(low):
        cue = classify(m.group(0))
        if cue is None:
            continue
        hits.append({"cue": cue.name, "group": cue.group, "weight": cue.weight,
                     "match": shown[m.start():m.end()].strip(" \n.!?;:,*-")})
    raw = sum(h["weight"] for h in hits)
    model = _ngrams.load() if learned else None
    part = None
    if model is not None and text:
        part = _ngrams.explain(low, model, kindness=lambda: kindness(pl.Series([text], dtype=pl.Utf8))[0])
    if part is not None:
        raw += part["extra"]
    h = float(squash(raw))
    return {"hostility": h, "hostile": h >= HOSTILE, "raw": raw, "cues": hits, "learned": part}


def format_cue(h: dict) -> str:
    return f"{h['weight']:+.2f} {h['cue']} ({h['group']}): {h['match']!r}"


# ---------------------------------------------------------------- the filter


class HostilityFilter(BatchFilter):
    """Hostility of the source answer, chosen and rejected; drops a pair whose rejected answer is a caricature
    (``rejected_hostile``) or whose chosen answer sneers (``chosen_hostile``)."""

    name = "hostility"
    reasons = {
        "rejected_hostile": ("the rejected answer's hostility is at or above max_rejected_hostility: a sarcastic, "
                             "condescending or blaming caricature, not the realistic prescriptive answer DPO needs"),
        "chosen_hostile": "the chosen answer's hostility is at or above max_chosen_hostility",
    }
    settings = {"rejected_hostile": ("max_rejected_hostility",), "chosen_hostile": ("max_chosen_hostility",)}
    columns = tuple(f"hostility_{c}" for c in (SOURCE_ANSWER, CHOSEN, REJECTED))

    def score(self, df: pl.DataFrame, cfg: FilterConfig, alive: pl.Series | None = None) -> pl.DataFrame:
        """``hostility_<col>`` for source answer, chosen and rejected (kept where ``ToneFilter`` already added it:
        the tone score runs the same cues first)."""
        for c in (SOURCE_ANSWER, CHOSEN, REJECTED):
            if f"hostility_{c}" not in df.columns:
                df = hostility_frame(df, c)
        return df

    def drops(self, cfg: FilterConfig) -> list[tuple[str, pl.Expr]]:
        return [
            ("rejected_hostile", pl.col(f"hostility_{REJECTED}") >= cfg.max_rejected_hostility),
            ("chosen_hostile", pl.col(f"hostility_{CHOSEN}") >= cfg.max_chosen_hostility),
        ]
