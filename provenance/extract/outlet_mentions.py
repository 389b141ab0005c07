"""Where outlets are named in a block: table names, newspaper-like names, short forms, unknown names.

A mention is only a name that may be an outlet; whether it is cited is decided in `outlets`
from the words around it. A name inside a longer proper name ("Vice President", "Daniel J.
Fox") is no mention, and the capitalised words that only open a sentence are cut off.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import attribution, people
from .document import Document
from .outlet_evidence import ACRONYM, name_evidence, typed_name
from .outlet_names import OutletTable, literal_alternation, outlet_key, table


@dataclass
class Mention:
    start: int  # offsets in the document
    end: int
    outlet: str
    surface: str
    known: bool
    article: bool = False  # written with "the" before it
    evidence: str | None = "table"  # why the name is an outlet; None: only the cue says so (see `unknown_mentions`)


@lru_cache(maxsize=1)
def _generic() -> re.Pattern:
    """A capitalised name that ends in a newspaper word, or follows an outlet-type noun."""
    t = table()
    words = literal_alternation(t.outlet_words)
    types = literal_alternation(re.sub(r"\\(.)", r"\1", ty) for ty in t.types_pattern.split("|"))
    return re.compile(
        rf"(?<![\w&-])(?:(?:[Tt]he)\s+)?(?P<name>(?:[A-Z][\w.&’'-]*\s+(?:de\s+)?){{0,4}}"
        rf"(?:[A-Z][\w.&’']*-)?(?:{words})(?:\s+(?:and|&)\s+(?:{words}))?)"
        rf"(?![\w&-])"
        rf"|\b(?:{types})\s+(?P<typed>[A-Z][\w.&’'!-]*(?:\s+[A-Z][\w.&’'!-]*){{0,3}})"
        rf"|(?<![\w&’'.-])(?P<typed_after>[A-Z][\w&’'!-]*(?:\s+[A-Z][\w&’'!-]*){{0,3}}?)\s+(?:{types})"
        rf"(?![\w-]|\s+[A-Z])"
    )


@lru_cache(maxsize=1)
def _generic_gate() -> re.Pattern:
    """A newspaper word or an outlet-type noun anywhere: what every `_generic` match holds, found by a
    far cheaper scan, so that the blocks without one skip `_generic` altogether."""
    t = table()
    types = (re.sub(r"\\(.)", r"\1", ty) for ty in t.types_pattern.split("|"))
    return re.compile(literal_alternation({*t.outlet_words, *types}))


# Capitalised words that open a sentence or a clause, not a name: "When Sky News’ …", "Asked by …".
LEADING = frozenset(
    "The A An And But Or Nor So Yet As At In On Of For From By To With When While After Before Since Until If "
    "Although Though Because Also Then Now Meanwhile According Asked This That These Those It He She They We I "
    "You His Her Their Our Its My Your Last Earlier Later Still Even Both Some Many Most Other Another Every Each "
    "Sources Source Photo Via Per Here There What Who How Why Where Update Updated Read See Watch Check Citing "
    "Speaking Reporting Writing Told Says Said Reported Reports Follow Additional Like Unlike Only Just However "
    "Instead Indeed "
    "Despite During Under Over About Against Among Between Through Without Within Across Around Behind Beyond "
    "Not No Yes Why Well Plus Dear Mr Mrs Ms Dr Sen Rep Gov President Officials Police Critics Experts "
    "Researchers Scientists Analysts Reporters Journalists Others People Users Fans Readers Viewers Residents "
    "Witnesses Authorities Lawmakers Democrats Republicans Sources Insiders Several Multiple Numerous Few "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec "
    "Yesterday Tomorrow Twice Recently".split()
)
# Words of LEADING that may also name an outlet when the text calls them one ("People magazine").
PLURAL_LEADING = frozenset(
    "Officials Police Critics Experts Researchers Scientists Analysts Reporters Journalists Others People Users "
    "Fans Readers Viewers Residents Witnesses Authorities Lawmakers Democrats Republicans Sources Insiders".split()
)
# A run of capitalised words (initials, "E!", "NBC 12 Riverside"): a name the table may not know.
# Written to open with its capital letter (the character before it checked just after, as `(?<!…).`),
# so that the search skips to capitals instead of testing the look-behind at every position.
CANDIDATE = re.compile(
    r"[A-Z](?<![\w@#/.&’'!-].)(?:\.(?:[A-Z]\.)+|[\w&!+-]*)"
    r"(?:[ \t]+(?:(?:[A-Z]\.){2,}|[A-Z][\w&!+-]*|\d{1,3}(?=[ \t]+[A-Z])))*"
)


SENTENCE_CUT = re.compile(r"(?<=[a-z]{2})[.!?]\s+|\b[A-Z][\w.]*-based\s+")
OF_TITLE = re.compile(r"\s+of\s+(?:the\s+)?[A-Z]")
JOINED = re.compile(r"[’']s\s+[A-Z][\w&!+-]*(?:[ \t]+[A-Z][\w&!+-]*)*")


# The smaller patterns read around each mention, compiled once.
_NUMBER_NAME_AFTER = re.compile(r"^\s+\d{1,3}\s+[A-Z]")
_AGENCY_AFTER = re.compile(r"^\s+(?:News\s+|Press\s+)?(?:Agency|Service)\b")
_CAPITAL_AFTER = re.compile(r"^\s+(?!(?:The|A|An)\b)[A-Z][a-z]")
_APOSTROPHE = re.compile(r"^[’']")
_WORD_AFTER = re.compile(r"^\s+(\w+)")
_CAPITAL_BEFORE = re.compile(r"([A-Z][\w.’'-]*)\s+$")
_ABBREVIATION = re.compile(r"[A-Z]{2,}\.|[A-Z][a-z]{3,}\.")
_DOMAIN_LIKE = re.compile(r"[a-z0-9.-]+")
_WORD_STOP_END = re.compile(r"[a-z]{2}\.$")
_OF_NAME_AFTER = re.compile(r"^\s+of\s+(?:the\s+)?[A-Z]")
_TV_RADIO = re.compile(r"^(.+?)\s+(?:TV|Radio)$")
_SHOW_AFTER = re.compile(r"^\s+(?:show|programme|program)\b")
_LEADING_THE = re.compile(r"^The\s+")


@lru_cache(maxsize=256)
def _short_forms_pattern(forms: tuple[str, ...]) -> re.Pattern:
    """'the Post', 'the Times': the short forms of the outlets a text has named (a page adds a few, one
    at a time; each set is compiled once). Opens with its "T"/"t", the look-behind checked after it."""
    return re.compile(r"[Tt](?<![\w-].)he\s+(?P<w>" + "|".join(map(re.escape, forms)) + r")(?![\w-])")


@lru_cache(maxsize=4)
def _type_then_name(types: str) -> re.Pattern:
    """'Canadian magazine Lakeview': an outlet-type noun and a name right after a table name."""
    return re.compile(rf"^\s+(?:{types})\s+[A-Z]")


def _plural_word(name: str) -> bool:
    """'Investigators', 'Doctors': one lower-case word in the plural, as nouns open sentences."""
    return " " not in name and name[1:].islower() and name.endswith("s") and not name.endswith(("ss", "us", "is"))


def opens_sentence(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens a sentence or a line (a cheap look at what comes before it)."""
    before = text[max(0, pos - 4) : pos].rstrip(" \t")
    return not before or before[-1] in '.!?:;\n“"(—–-‘'


def _strip_leading(name: str, start: int) -> tuple[str, int]:
    """'When Sky News' → 'Sky News': drop the capitalised words that only open a sentence."""
    if " " not in name:
        return ("", start) if name in LEADING else (name, start)
    if "." in name or "!" in name or "?" in name or "-based" in name:
        cut = list(SENTENCE_CUT.finditer(name))
        if cut:
            start += cut[-1].end()
            name = name[cut[-1].end() :]
    words = name.split()
    i = 0
    while i < len(words) - 1 and words[i] in LEADING:
        i += 1
    if i == len(words) - 1 and words[i] in LEADING:
        return "", start
    if not i:
        return name, start
    offset = name.index(words[i], sum(len(w) for w in words[:i]))
    return name[offset:], start + offset


def _inside_bigger_name(text: str, start: int, end: int, allow_the: bool) -> bool:
    """'Vice President', 'Daniel J. Fox', 'Time Lattice': the outlet word is part of another proper name."""
    after = text[end : end + 40]
    if _NUMBER_NAME_AFTER.match(after):
        return True  # "NBC 12 Riverside"
    if _AGENCY_AFTER.match(after):
        return False  # "Reuters News Service reported": the outlet, named in full
    if _CAPITAL_AFTER.match(after) and not _APOSTROPHE.match(after):
        word = _WORD_AFTER.match(after)
        nxt = word.group(1) if word else ""
        if nxt not in ("I", "In", "On", "At"):
            return True
    before = text[max(0, start - 40) : start]
    m = _CAPITAL_BEFORE.search(before) if not allow_the else None
    if m and not _ABBREVIATION.fullmatch(m.group(1)):
        word_start = start - len(before) + m.start(1)
        if not attribution.is_sentence_start(text, word_start) and m.group(1) not in ("The",):
            return True
    return False


def named_mentions(
    doc: Document, t: OutletTable, bstart: int, bend: int, short_forms: dict[str, str], known: list
) -> list[Mention]:
    """Outlet names in one block: table names (`known`, matched on the document), newspaper-like names,
    and short forms of outlets named earlier."""
    text = doc.text
    block = text[bstart:bend]
    found: dict[tuple[int, int], Mention] = {}
    for m in known:
        s, e = m.start("name"), m.end("name")
        surface = m.group("name")
        if surface in t.not_outlets:
            continue
        if _DOMAIN_LIKE.fullmatch(surface):
            continue  # a domain in running text is a website named, not a source cited
        if _inside_bigger_name(text, s, e, allow_the=bool(m.group("the"))):
            continue
        if not m.group("the") and _type_then_name(t.types_pattern).match(text[e : e + 40]):
            continue  # "Canadian magazine Lakeview": an adjective before the outlet named next
        agency = _AGENCY_AFTER.match(text[e : e + 30])
        if agency:  # "Reuters News Service reported": the outlet, named in full
            e += agency.end()
            surface = text[s:e]
        found[(s, e)] = Mention(s, e, t.names[m.group("name")], surface, True, bool(m.group("the")))
    for m in _generic().finditer(block) if _generic_gate().search(block) else ():
        g = next(k for k in ("name", "typed", "typed_after") if m.group(k))
        name = m.group(g)
        s, e = bstart + m.start(g), bstart + m.end(g)
        if g != "name":
            if g == "typed" or " " in name or name not in PLURAL_LEADING:  # "People magazine" names an outlet
                name, s = _strip_leading(name, s)
            if _WORD_STOP_END.search(name):
                name = name[:-1]
            e = s + len(name)
            if not name:
                continue
        if any(a < e and s < b for a, b in found) or name in t.not_outlets:
            continue
        if g == "name":
            name, s = _strip_leading(name, s)
            if not name or name in t.outlet_words:
                continue  # a lone "Times" or "News" is a short form at best
        if _inside_bigger_name(text, s, e, allow_the=True):
            continue
        if _OF_NAME_AFTER.match(text[e : e + 40]):
            continue  # "Northern Journal of Marine Biology": a longer title, a journal rather than a newsroom
        show = _TV_RADIO.match(name)
        if show and _SHOW_AFTER.match(text[e : e + 20]):
            name, e = show.group(1), s + len(show.group(1))  # "the Jane Doe TV show": the show's name
        evidence = "newspaper-word" if g == "name" else "typed"
        found[(s, e)] = Mention(s, e, _LEADING_THE.sub("", name), name, False, evidence=evidence)
    if short_forms:
        for m in _short_forms_pattern(tuple(short_forms)).finditer(block):
            s, e = bstart + m.start("w"), bstart + m.end("w")
            if any(a <= s and e <= b and (a, b) != (s, e) for a, b in found) or _inside_bigger_name(
                text, s, e, allow_the=True
            ):
                continue
            found[(s, e)] = Mention(s, e, short_forms[m.group("w")], m.group("w"), True, True)
    for m in found.values():  # "the Times" after "The New York Times" is that paper, not another
        if m.surface in short_forms and m.known:
            m.outlet = short_forms[m.surface]
    return sorted(found.values(), key=lambda x: x.start)


def unknown_mentions(
    doc: Document,
    t: OutletTable,
    block,
    found: list[Mention],
    discovered: set[str] | frozenset[str] = frozenset(),
    lower_words: frozenset[str] = frozenset(),
    surnames: frozenset[str] = frozenset(),
    typed_words: frozenset[str] = frozenset(),
    mid_sentence: frozenset[str] | set[str] = frozenset(),
    candidates: Sequence[re.Match[str]] | None = None,
) -> list[Mention]:
    """Capitalised names in the block that neither the table nor a newspaper word made a mention.

    Each carries its evidence of being an outlet (`name_evidence`), or None; `outlets._accept` weighs it
    against the cue. A name with no evidence that is a person's, a body's, or an ordinary word
    opening a sentence ("Officials reported") is left out here, before any cue is read.
    `candidates`: the block's CANDIDATE matches when the caller found them already.
    """
    text = doc.text
    taken = [(m.start, m.end) for m in found]
    out = []
    if candidates is None:
        candidates = list(CANDIDATE.finditer(text, block.start, block.end))
    for m in candidates:
        if m.group(0) in typed_words or (discovered and outlet_key(m.group(0)) in discovered):
            name, s = m.group(0), m.start()  # "People", that the text calls an outlet
        else:
            name, s = _strip_leading(m.group(0), m.start())
        e = s + len(name)
        longer = JOINED.match(text, e, block.end) if discovered else None
        if longer and outlet_key(name + longer.group(0)) in discovered:
            name, e = name + longer.group(0), e + longer.end()  # "Walker’s Digest", named before as an outlet
        if not name or (taken and any(a < e and s < b for a, b in taken)):
            continue
        words = name.split()
        if len(words) > 6 or name in t.not_outlets or words[0] in t.not_outlets:
            continue
        if words[-1] in t.outlet_words and OF_TITLE.match(text, e, e + 30):
            continue  # "Northern Journal of Marine Biology": a title the newspaper-word rule left out
        if " " not in name and name.lower() in lower_words and not block.anchors and not ACRONYM.fullmatch(name):
            if name not in typed_words and not typed_name(t, text, block, s, e):
                continue  # an ordinary word opening a sentence ("Officials reported"), with no evidence
        evidence = name_evidence(doc, t, block, name, s, e)
        if evidence is None and outlet_key(name) not in discovered:
            if (" " not in name and name.lower() in lower_words) or people.is_organisation(name):
                continue
            if _plural_word(name) and name not in mid_sentence and opens_sentence(text, s) and text[s - 1] != "(":
                continue  # "Investigators reported": a plural capitalised only where a sentence starts
            if people.is_person(name, text[max(block.start, s - 60) : s], surnames):
                continue
        article = text[max(block.start, s - 4) : s] in ("the ", "The ")
        out.append(Mention(s, e, name, name, False, article, evidence))
    return out
