"""The words that attribute something to a source: cues before a name, reporting verbs after it.

"according to X", "told X", "X reported", "X’s Jane Doe", "an X report details", "(Via X)",
"09.15 X - …": each pattern is named, and the name travels with the citation (`where`), so a
reader can see which words made a mention a citation. Outlet names themselves live in
outlet_names.py and data/outlets.json; this module only reads the words around them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import people
from .casefree import lowered

NOUNS = (
    r"report|reports|reporting|article|articles|story|stories|analysis|investigation|evaluation|experiment|"
    r"test|tests|study|piece|coverage|review|survey|poll|data|interview|op-ed|editorial|feature|exclusive|"
    r"podcast|documentary|video|segment|footage|tally|count|estimate|estimates|findings|statement|"
    r"clarification|information|news|account|write-up|profile|deep dive"
)
# The nouns of a newsroom's own work: "a report by X" names a newsroom, "a study by X" need not.
REPORT_NOUNS = (
    r"report|reports|reporting|article|articles|story|stories|analysis|investigation|evaluation|experiment|"
    r"piece|coverage|review|interview|op-ed|editorial|exclusive|podcast|documentary|segment|write-up|"
    r"fact checker|scoop"
)
VERBS = (
    r"reported|reports|reporting|said|says|wrote|writes|noted|notes|confirmed|confirms|revealed|reveals|"
    r"claimed|claims|learned|found|finds|explains|explained|details|detailed|stated|states|suggested|suggests|"
    r"added|adds|cited|cites|quoted|quotes|obtained|published|broke|estimates|estimated|described|describes|"
    r"observed|observes|pointed out|points out|announced|understands|reviewed|analy[sz]ed|identified|"
    r"counted|tallied|projected|projects|predicted|predicts|calculated|calls|called|evaluated|tested|"
    r"contacted|spoke|interviewed|first reported|previously reported|has reported|had reported|has learned|"
    r"was first to report|contributed|contributed reporting"
)
ROLES = (
    r"team|reporters?|journalists?|editors?|correspondents?|staff|sources?|writers?|columnists?|critic|"
    r"anchor|host|analysts?|fact checker|editorial board|chief|senior|political|national|white house|"
    r"medical|legal|investigative|business|science|health|tech|technology|foreign|washington|own"
)

# Verbs that only a newsroom does to news: "X reported", "X has learned", "X was first to report".
NEWSROOM_VERBS = (
    r"reported|reports|reporting|first reported|previously reported|has reported|had reported|has learned|"
    r"was first to report|was the first to report|were the first to report|contributed to this report|"
    r"contributed reporting|broke|published|publishes|publishing|was publishing|is reporting|was reporting|"
    r"berichtete|berichtet"
)
AFTER_HEAD = (
    r"^(?:[’']s?)?(?:\s+(?:\w+\s+){0,2}?(?:NOUNS|ROLES|newspaper|magazine|paper|website|site|network|outlet|"
    r"publication|podcast|show|broadcaster|agency))?"
    r"(?:,\s+(?:citing|which|who|quoting)[^,]{1,70},)?"
    r"(?:\s+(?:has|have|had|was|is|also|first|previously|later|recently|today|earlier|now|last \w+|then|"
    r"further|all|both|already|reportedly|exclusively|separately|additionally|subsequently)){0,2}\s+"
).replace("NOUNS", NOUNS).replace("ROLES", ROLES)
# The patterns read on lower-cased text (`_lowered`) are faster than IGNORECASE ones, with the same matches.
def _lowered(pattern: str) -> re.Pattern:
    return re.compile(pattern.lower())


AFTER_NEWSROOM = _lowered(
    rf"{AFTER_HEAD}(?:{NEWSROOM_VERBS})\b|^,\s+citing\b|^,\s+which\s+(?:\w+\s+)?(?:{NEWSROOM_VERBS})\b"
)
AFTER_VERB = _lowered(rf"{AFTER_HEAD}(?:{VERBS}|tweeted|tweeting|posted|suggested|suggests)\b|^,\s+citing\b")
AFTER_POSSESSIVE = re.compile(rf"^[’']s?\s+(?:(?i:{NOUNS})\b|(?:(?i:{ROLES})\s+){{0,4}}[A-Z][\w.’'-]+)")
# "an X report details", "the X evaluation stresses": a report of the outlet that says something.
AFTER_NOUN = _lowered(
    rf"^\s+(?:{NOUNS})\b[^.;:,]{{0,60}}?\b(?:{VERBS}|stresses|reveals|shows|argues|highlights|concludes|warns|"
    rf"explains|details|underscores|emphasi[sz]es|indicates|documents|outlines|describes)\b"
)
# "Gadgetville forums", "Reddit users": people on a site, not the outlet.
AFTER_NOT = re.compile(
    r"^\s+(?:forums?|users|readers|commenters|community|subreddit|viewers|followers|account)\b"
)
# Where a name ends a cue: "the", a "…-based", and an outlet-type noun with up to two words before it
# ("told the Canadian magazine ", "claimed to independent news site ").
END = r"(?:[Tt]he\s+)?(?:[A-Z][\w.-]*-based\s+)?(?:(?:[\w’'-]+\s+){0,2}?(?:OUTLET_TYPES)\s+(?:[Tt]he\s+)?)?$"
STAFF = (
    r"reporters?|editors?|correspondents?|columnists?|writers?|journalists?|anchors?|hosts?|producers?|critics?|"
    r"contributors?|photographers?|editor-in-chief|bureau chief|staffers?|reporting team"
)
# Each rule: (name, pattern). A name in STRONG is a cue that only a news source takes; the others
# ("according to", "told") are taken by people and companies too, so an unknown name needs evidence.
BEFORE = [
    (
        "according-to-report",
        r"\b(?:according to|laut|per)\s+(?:(?:a|an|the|this|one|two|several|multiple|recent|new|latest|earlier|"
        r"separate|reports?|reporting)\s+)*"
        rf"(?:[\w’'-]+\s+){{0,2}}(?:{REPORT_NOUNS})\s+(?:in|from|by|of|on|at|for|with)\s+" + END,
    ),
    (
        "according-to-data",
        r"\b(?:according to|laut|per)\s+(?:(?:a|an|the|this|one|two|several|multiple|recent|new|latest|earlier|"
        r"separate|figures|data)\s+)*"
        rf"(?:[\w’'-]+\s+){{0,2}}(?:{NOUNS})\s+(?:in|from|by|of|on|at|for|with)\s+" + END,
    ),
    (
        "report-by",
        r"\b(?:an?|the|this|that|one|recent|new|latest|earlier|another)\s+(?:[\w’'-]+\s+){0,2}?"
        rf"(?:{REPORT_NOUNS})\s+(?:by|from|in|for)\s+" + END,
    ),
    (
        "reporter-of",
        r"\b(?:[Aa]ccording to|[Vv]ia|reported|reports|writes|wrote|per|citing|as)\s+"
        r"[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}(?:,\s+[^,]{1,60},)?\s+(?:of|at|from|with|for)\s+" + END,
    ),
    ("according-to", r"\b(?:[Aa]ccording to|[Ll]aut)\s+(?:(?i:a|an|the|this|recent|new|latest)\s+)*" + END),
    ("staff-of", rf"\b(?i:{STAFF})\s+(?:of|at|for|with|from)\s+" + END),
    (
        "told",
        r"\b(?:told|tells|telling|tell)\s+(?:the\s+|an?\s+)?(?:[A-Z][\w-]+\s+)?(?:(?:OUTLET_TYPES)\s+)?(?:the\s+)?$",
    ),
    (
        "told",
        r"\b(?:said|says|spoke|speaking|talking|talked|explained|confirmed|admitted|revealed|described|claimed|"
        r"comments?|commented|statements?|idea|remarks?|emailed|wrote|tweeted|complained|insisted)\s+"
        r"(?:[\w’'-]+\s+){0,2}?(?:to|with)\s+" + END,
    ),
    ("interview", r"\binterview(?:s|ed)?\s+(?:with|on|for|by|in)\s+" + END),
    ("asked-by", r"\b[Aa]sked\b[^.;]{0,50}\bby\s+" + END),
    (
        "reported-by",
        r"\b(?:reported|reports|reporting|published|appeared|republished|ran|broken|obtained|summari[sz]ed|"
        r"covered|detailed|written|aired|broadcast|first reported|writes|wrote|writing)(?:\s+[\w’'-]+){0,2}?\s+"
        r"(?:by|in|for)\s+" + END,
    ),
    (
        "noun-by",
        rf"\b(?:cited|quoted|noted|seen|produced|conducted|compiled|commissioned|released|analy[sz]ed|{NOUNS})"
        r"(?:\s+[\w’'-]+){0,2}?\s+(?:by|from|in|for)\s+" + END,
    ),
    ("appeared-on", r"\b(?:originally|first)\s+(?:appeared|published|ran|aired)\s+(?:on|in)\s+" + END),
    ("via", r"(?:[(,;:—–]\s*|^\s*)(?:via|h/t|hat tip to|per|citing|courtesy of)\s+" + END),
    ("via-inline", r"\b(?:via|h/t|per|citing|courtesy of)\s+" + END),
    (
        "sources-line",
        r"\b(?:Sources?|Quellen?|Via|H/T)\s*:\s+(?:[^.:;,\n]{1,60}?(?:\(\d+\))?\s*(?:,|;|\band\b|&)\s+)*$",
    ),
    ("inverted", r"[,”\"]\s*(?:reported|reports|writes|wrote|reporting|according to)\s+" + END),
    ("inverted-said", r"[,”\"]\s*(?:said|says|notes|noted|added|adds|explains|explained)\s+" + END),
    ("byline-credit", r"\(\s*[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}\s+[—–-]\s+$"),
    (
        "on-air",
        r"\b(?:appeared|appearing|appearance|said|speaking|suggestion|suggested|interview|reported|aired|told|"
        r"claimed|broadcast)\b[^.]{0,40}\bon\s+" + END,
    ),
]
# What the last characters before a name must hold for each rule of BEFORE to match (in its order): a
# cheap test that spares most names the regular expressions. A final preposition sits within END's reach
# (60 characters) of the name; a verb may sit further back (100).
_BY = (60, " by ", " from ", " in ", " for ")
_OF = (60, " of ", " at ", " from ", " with ", " for ")
_VIA = (100, "via", "h/t", "hat tip", "per ", "citing", "courtesy")
_ACCORDING = (100, "according to", "laut", "per ")
GATES = [
    _ACCORDING, _ACCORDING, _BY, _OF, (100, "according to", "laut"), _OF, (100, "told", "tell"), (60, " to ", " with "),
    (100, "interview"), (100, "asked"), _BY, _BY, (100, "originally", "first"), _VIA, _VIA, (130, ":"),
    (100, "report", "writ", "according"), (100, "said", "says", "note", "add", "explain"), (60, "—", "–", "-"),
    (60, " on "),
]
CASE_FREE = {
    "according-to-report", "according-to-data", "report-by", "told", "interview", "reported-by", "noun-by",
    "appeared-on", "via", "via-inline", "on-air",
}
STRONG = frozenset(
    {"according-to-report", "report-by", "reporter-of", "staff-of", "reported-by", "appeared-on", "via", "sources-line",
     "inverted", "byline-credit", "reported", "possessive-report", "possessive-staff", "report-of", "dateline",
     "told-staff", "asked-by", "possessive-person"}
)
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
# "09.15 Reuters -", "WASHINGTON (AP) —", "LONDON, Dec 5 (Reuters) -": a wire's credit opening a paragraph.
DATELINE = re.compile(r"^(?:\d{1,2}[.:]\d{2}\s+|(?:[A-Z]{2,}[A-Za-z0-9 .,'/-]{0,50})?\(\s*)$")
# What a name that is also a common word ("Deadline", "People") must be followed by at a sentence start.
STRICT_AFTER = re.compile(
    r"^\s+(?:reports|reported that|writes|has learned|first reported|was first to report|notes that)\b"
)


@lru_cache(maxsize=4)
def before_rules(outlet_types: str) -> list[tuple[str, re.Pattern, bool, int, tuple[str, ...]]]:
    """The cues before a name, with the outlet-type nouns ("newspaper", "broadcaster") filled in.

    A rule that ignores case is compiled in lower case and read on the lower-cased text: the same
    matches, several times faster than an IGNORECASE pattern. Each rule's gate is its literal strings
    (see GATES), looked for with `in`: no regular expression for a test of plain substrings.
    """
    rules = []
    for (name, p), gate in zip(BEFORE, GATES, strict=True):
        p = p.replace("OUTLET_TYPES", outlet_types)
        lower = name in CASE_FREE
        strings = tuple(str(g) for g in gate[1:])
        rules.append((name, re.compile(p.lower() if lower else p), lower, int(gate[0]), strings))
    return rules


_GATE_WINDOWS = sorted({int(g[0]) for g in GATES})
# Rules whose gate (a preposition) lets most names through, with the words one of which each of their
# matches holds, in lower case: a text without any is not searched. (STAFF is read ignoring case, so a
# text IGNORECASE folds otherwise than lower() is searched as before.)
_REQUIRED = {
    "staff-of": tuple(w.removesuffix("s?") for w in STAFF.split("|")),
    "report-by": tuple(REPORT_NOUNS.split("|")),
}


def is_sentence_start(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens the text, a sentence or a clause (read back past spaces, no copy)."""
    i = pos
    while i and text[i - 1].isspace():
        i -= 1
    return not i or text[i - 1] in '.!?:;\n“"(—–-'


# "X's report", "X's phone review": a possessive that owns a piece of reporting.
POSSESSIVE_REPORT = re.compile(
    rf"^[’']s?\s+(?:(?:[a-z][\w’'-]*\s+){{0,2}}?(?i:{REPORT_NOUNS})"
    rf"|(?:[A-Z][\w’'-]*\s+){{1,2}}(?!reports\b|reporting\b)(?i:{REPORT_NOUNS}))\b"
)
# "CNN's Jane Roe", "X's political reporter": a possessive that owns a journalist.
POSSESSIVE_STAFF = re.compile(rf"^[’']s?\s+(?:(?i:{STAFF}|team|staff|own)\b)")
# "BBC's Mary Major": a possessive that owns a person (with a given name, see people.py).
POSSESSIVE_PERSON = re.compile(r"^[’']s?\s+([A-Z][a-z]+)\s+(?:[A-Z]\.\s+)?[A-Z][\w’'-]*[a-z]")
# "told Courier editor Mary Major": the name is where the person works.
AFTER_STAFF = _lowered(rf"^\s+(?:{STAFF})\b")
# "… harvest (The Economist)": an outlet in brackets closing a line of text (not a lone "(AP)").
PAREN_CREDIT = re.compile(r"\w[\w,.!?’'”\"]*\s+\(\s*(?:[Tt]he\s+)?$")
# "Photo: Reuters", "AP Photo/Jane Doe", "(Getty Images)": a picture's credit is not a source cited.
PHOTO_BEFORE = re.compile(r"(?:\b(?:Photo|Photograph|Image|Picture|Credit|Foto|Bild)s?\s*(?:by|:|/|credit:)\s*$)", re.I)
PHOTO_GATE = re.compile(r"(?i)photo|image|picture|credit|foto|bild")
PHOTO_AFTER = re.compile(r"^\s*(?:/|\s(?:Photos?|Images?|Pictures?|Video)\b)", re.I)


# Where the sentence after a name ends: the words after it are read up to there.
_NEXT_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


def cue(
    text: str, start: int, end: int, block_start: int, *, outlet_types: str, known: bool, common_word: bool
) -> str | None:
    """The cue that makes the name at text[start:end] an attribution ('according-to', 'told', …), or None.

    `known`: the name is in the outlet table (only then does "on X" count: "said on CNN").
    `common_word`: the name is also an ordinary word or a surname ("People", "Hill") written
    without "the"; at a sentence start it then needs a newsroom's verb ("Deadline reports").
    Cues in STRONG are taken only by news sources (see `outlets` for what the others need); a
    weak cue before a name gives way to a strong one after it ("according to X's review").
    """
    before = text[max(block_start, start - 130) : start]
    after = text[end : end + 160]
    after = _NEXT_SENTENCE.split(after.split("\n\n", 1)[0], maxsplit=1)[0]
    low_after = after.lower()
    if AFTER_NOT.match(after) or PHOTO_AFTER.match(after):
        return None
    if PHOTO_GATE.search(before, len(before) - 25) and PHOTO_BEFORE.search(before):
        return None
    weak = _before_cue(before, after, low_after, outlet_types, known)
    if weak in STRONG:
        return weak
    if common_word and is_sentence_start(text, start):
        return weak or ("reported" if STRICT_AFTER.match(after) else None)
    strong = _after_cue(text, start, end, before, after, low_after)
    return strong if strong in STRONG or weak is None else weak


def _before_cue(before: str, after: str, low_after: str, outlet_types: str, known: bool) -> str | None:
    # Every cue before a name ends in a word or a mark that opens a clause; a sentence's end is none.
    if not before.strip() or before.rstrip()[-1] in ".!?”\"'’":
        return None
    low = before.lower()
    tail = " " + low
    n = len(tail)
    # the last `window` characters, where a rule's gate must start (a gate may end anywhere after)
    windows = {w: tail[max(0, n - w) :] for w in _GATE_WINDOWS}
    plain = None  # whether lower() and IGNORECASE agree on `before`, found when first asked
    for name, rule, lower, window, gate in before_rules(outlet_types):
        seen = windows[window]
        for g in gate:
            if g in seen:
                break
        else:
            continue
        if name == "on-air" and not known:
            continue
        required = _REQUIRED.get(name)
        if required is not None:
            if plain is None:
                plain = lowered(before) is not None
            if plain and not any(w in low for w in required):
                continue
        if rule.search(low if lower else before):
            if name == "told" and AFTER_STAFF.match(low_after):
                return "told-staff"
            if name == "sources-line" and not _LIST_GOES_ON.match(after):
                continue
            return name
    return None


# The smaller patterns of the cues, compiled once (they are read for every name of a page).
_LIST_GOES_ON = re.compile(r"^\s*(?:\(\d+\))?\s*(?:[,;&]|and\b|$)")
_AS_WORD_END = re.compile(r"\bas\s+\S+\s*$")
_NOUN_AFTER = re.compile(rf"^\s+(?:{NOUNS})\b", re.I)
_PREPOSITION_ARTICLE_END = re.compile(r"\b(?:in|by|from|to|on)\s+(?:an?|the)\s+$")
_DASH_AFTER = re.compile(r"^\)?\s*[-–—:]\s")
_CLOSING_BRACKET = re.compile(r"^\s*\)\s*$")


def _after_cue(text: str, start: int, end: int, before: str, after: str, low_after: str) -> str | None:
    if AFTER_NEWSROOM.match(low_after):
        return "reported"
    if AFTER_VERB.match(low_after):
        return "said"
    if POSSESSIVE_REPORT.match(after):
        return "possessive-report"
    staff = POSSESSIVE_STAFF.match(after)
    if staff and (AFTER_VERB.match(low_after[staff.end() :]) or AFTER_NEWSROOM.match(low_after[staff.end() :])):
        return "possessive-staff"  # "X's team evaluated", not "told X's staff"
    person = POSSESSIVE_PERSON.match(after)
    if person and person.group(1) in people.first_names() and AFTER_NEWSROOM.match(low_after[person.end() :]):
        return "possessive-person"  # "CNN's Jane Roe reported"
    if AFTER_POSSESSIVE.match(after):
        return "possessive"
    if AFTER_NOUN.match(low_after) and (DETERMINER.search(before) or _AS_WORD_END.search(before)):
        return "report-of"
    if _NOUN_AFTER.match(after) and _PREPOSITION_ARTICLE_END.search(before):
        return "report-of"
    if DATELINE.match(before) and _DASH_AFTER.match(after):
        return "dateline"
    if not after.strip() and before.rstrip()[-1:] in (".", "!", "?", "”", '"') and len(before.strip()) > 20:
        return "credit-end"
    named = " " in text[start:end] or before.endswith(("The ", "the "))  # not a lone "(AP)" or "(Reuters)"
    if named and "(" in before[-6:] and _CLOSING_BRACKET.match(after) and PAREN_CREDIT.search(before):
        return "paren-credit"  # "Drought slows the region's harvest (The Economist)": a headline and its outlet
    return None
