"""The words that attribute something to a source: cues before a name, reporting verbs after it.

"according to X", "told X", "X reported", "X’s Jane Doe", "an X report details", "(Via X)",
"06.48 X - …": each pattern is named, and the name travels with the citation (`where`), so a
reader can see which words made a mention a citation. Outlet names themselves live in
outlets.py and data/outlets.json; this module only reads the words around them.
"""

from __future__ import annotations

import re
from functools import lru_cache

NOUNS = (
    r"report|reports|reporting|article|articles|story|stories|analysis|investigation|evaluation|experiment|"
    r"test|tests|study|piece|coverage|review|survey|poll|data|interview|op-ed|editorial|feature|exclusive|"
    r"podcast|documentary|video|segment|footage|tally|count|estimate|estimates|findings|statement|"
    r"clarification|information|news|account|write-up|profile|deep dive"
)
VERBS = (
    r"reported|reports|reporting|said|says|wrote|writes|noted|notes|confirmed|confirms|revealed|reveals|"
    r"claimed|claims|learned|found|finds|explains|explained|details|detailed|stated|states|suggested|suggests|"
    r"added|adds|cited|cites|quoted|quotes|obtained|published|broke|estimates|estimated|described|describes|"
    r"observed|observes|pointed out|points out|announced|understands|reviewed|analy[sz]ed|identified|"
    r"counted|tallied|projected|projects|predicted|predicts|calculated|calls|called|evaluated|tested|asked|"
    r"contacted|spoke|interviewed|first reported|previously reported|has reported|had reported|has learned|"
    r"was first to report|contributed|contributed reporting"
)
ROLES = (
    r"team|reporters?|journalists?|editors?|correspondents?|staff|sources?|writers?|columnists?|critic|"
    r"anchor|host|analysts?|fact checker|editorial board|chief|senior|political|national|white house|"
    r"medical|legal|investigative|business|science|health|tech|technology|foreign|washington|own"
)

AFTER_VERB = re.compile(
    rf"^(?:[’']s?)?(?:\s+(?:\w+\s+){{0,2}}?(?:{NOUNS}|{ROLES}))?"
    rf"(?:,\s+(?:citing|which|who|quoting)[^,]{{1,70}},)?"
    rf"(?:\s+(?:has|had|also|first|previously|later|recently|today|earlier|now|last \w+|then|further|"
    rf"all|both|reportedly|exclusively|separately|additionally|subsequently)){{0,2}}\s+(?:{VERBS})\b"
    rf"|^,\s+citing\b",
    re.I,
)
AFTER_POSSESSIVE = re.compile(rf"^[’']s?\s+(?:(?i:{NOUNS})\b|(?:(?i:{ROLES})\s+){{0,4}}[A-Z][\w.’'-]+)")
# "an X report details", "the X evaluation stresses": a report of the outlet that says something.
AFTER_NOUN = re.compile(
    rf"^\s+(?:{NOUNS})\b[^.;:,]{{0,60}}?\b(?:{VERBS}|stresses|reveals|shows|argues|highlights|concludes|warns|"
    rf"explains|details|underscores|emphasi[sz]es|indicates|documents|outlines|describes)\b",
    re.I,
)
# "MacRumors forums", "Reddit users": people on a site, not the outlet.
AFTER_NOT = re.compile(
    r"^\s+(?:forums?|users|readers|commenters|community|subreddit|viewers|followers|account)\b"
)
BEFORE = [
    (
        "according-to",
        re.compile(
            r"\baccording to (?:(?:a|an|the|this|one|two|several|multiple|recent|new|latest|earlier|separate|"
            r"reports?|reporting|figures|data)\s+)*"
            rf"(?:(?:[\w’'-]+\s+){{0,2}}(?:{NOUNS})\s+(?:in|from|by|of|on|at|for|with)\s+)?(?:the\s+)?$",
            re.I,
        ),
    ),
    (
        "according-to",
        re.compile(
            r"\baccording to [A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}(?:,\s+[^,]{1,60},)?"
            r"\s+(?:of|at|from|with)\s+"
            r"(?:the\s+)?$"
        ),
    ),
    (
        "told",
        re.compile(
            r"\b(?:told|tells|telling|tell)\s+(?:the\s+)?(?:[A-Z][\w-]+\s+)?(?:(?:OUTLET_TYPES)\s+)?(?:the\s+)?$",
            re.I,
        ),
    ),
    (
        "told",
        re.compile(
            r"\b(?:said|says|spoke|speaking|talking|talked|explained|confirmed|admitted|revealed|described|"
            r"comments?|commented|statements?|idea|remarks?|emailed|wrote|tweeted|complained|insisted)\s+"
            r"(?:[\w’'-]+\s+){0,2}?(?:to|with)\s+(?:the\s+)?$",
            re.I,
        ),
    ),
    ("told", re.compile(r"\binterviews?\s+(?:with|on|for|by)\s+(?:the\s+)?$", re.I)),
    (
        "reported-by",
        re.compile(
            rf"\b(?:reported|published|appeared|republished|ran|broken|obtained|cited|quoted|summari[sz]ed|covered|noted|detailed|seen|written|"
            rf"produced|conducted|compiled|commissioned|released|aired|broadcast|analy[sz]ed|first reported|"
            rf"writes|wrote|writing|{NOUNS})(?:\s+[\w’'-]+){{0,2}}?\s+(?:by|from|in|for)\s+(?:the\s+)?$",
            re.I,
        ),
    ),
    ("via", re.compile(r"(?:\(\s*|\b)(?:via|h/t|hat tip to|per|citing|courtesy of)\s+(?:the\s+)?$", re.I)),
    (
        "inverted",
        re.compile(
            r"[,”\"]\s*(?:reported|reports|writes|wrote|said|says|notes|noted|added|adds|reporting|explains|"
            r"according to)\s+(?:the\s+)?$"
        ),
    ),
    (
        "on-air",
        re.compile(
            r"\b(?:appeared|appearing|appearance|said|speaking|suggestion|suggested|interview|reported|aired|told|"
            r"claimed|broadcast)\b[^.]{0,40}\bon\s+(?:the\s+)?$",
            re.I,
        ),
    ),
]
# "an X report", "the X evaluation": with a reporting verb after the noun (see AFTER_NOUN).
DETERMINER = re.compile(
    r"(?:^|\b)(?:an?|the|this|that|another|one|recent|new|latest|earlier)\s+(?:[a-z][\w-]*\s+)?$", re.I
)
ANAPHORA = re.compile(
    r"\b(?:[Aa]ccording to the (?P<n1>news site|newspaper|paper|outlet|magazine|network|broadcaster|"
    r"publication|report|website)\b"
    r"|(?P<n2>[Tt]he (?:report|newspaper|paper|outlet|news site|magazine|network|publication))"
    r" (?:says|said|reported|reports|notes|noted|added|adds|claims|claimed|found|stated|states)\b)"
)
LIST_GAP = re.compile(r"^(?:,\s*(?:and\s+|&\s+)?|\s+(?:and|&|or)\s+)(?:the\s+)?$", re.I)
DOMAIN_END = re.compile(r"(?:^|(?<=[\s.”\"’)]))(?P<dom>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})\s*$")
QUOTE_ATTRIBUTION_END = re.compile(r"[”\"]\s*[–—-]\s*[^”\"“\n]{1,80}$")
DATELINE = re.compile(r"^(?:\d{1,2}[.:]\d{2}\s+|(?:[A-Z][A-Z .,'-]{1,40})?\(\s*)$")
# What a name that is also a common word ("Deadline", "People") must be followed by at a sentence start.
STRICT_AFTER = re.compile(
    r"^\s+(?:reports|reported that|writes|has learned|first reported|was first to report)\b"
)


@lru_cache(maxsize=4)
def before_rules(outlet_types: str) -> list[tuple[str, re.Pattern]]:
    """The cues before a name, with the outlet-type nouns ("newspaper", "broadcaster") filled in."""
    return [
        (name, re.compile(p.pattern.replace("OUTLET_TYPES", outlet_types), p.flags)) for name, p in BEFORE
    ]


def is_sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in '.!?:;\n“"(—–-'


def cue(
    text: str, start: int, end: int, block_start: int, *, outlet_types: str, known: bool, common_word: bool
) -> str | None:
    """The cue that makes the name at text[start:end] an attribution ('according-to', 'told', …), or None.

    `known`: the name is in the outlet table (only then does "on X" count: "said on CNN").
    `common_word`: the name is also an ordinary word or a surname ("People", "Hill") written
    without "the"; at a sentence start it then needs a newsroom's verb ("Deadline reports").
    """
    before = text[max(block_start, start - 160) : start]
    after = text[end : end + 160]
    after = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", after, maxsplit=1)[0]
    if AFTER_NOT.match(after):
        return None
    for name, rule in before_rules(outlet_types):
        if rule.search(before) and (name != "on-air" or known):
            return name
    if common_word and is_sentence_start(text, start):
        return "reported" if STRICT_AFTER.match(after) else None
    if AFTER_VERB.match(after):
        return "reported"
    if AFTER_POSSESSIVE.match(after):
        return "possessive"
    if AFTER_NOUN.match(after) and (DETERMINER.search(before) or re.search(r"\bas\s+\S+\s*$", before)):
        return "report-of"
    if DATELINE.match(before) and re.match(r"^\)?\s*[-–—:]\s", after):
        return "dateline"
    return None
