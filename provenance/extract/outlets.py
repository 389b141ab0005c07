"""Outlets named as sources: "according to Reuters", "told the Post", "(Via CNN)", a closing domain.

A name is an outlet when the outlet table (data/outlets.json) knows it, when it
ends in a newspaper word ("… Argus Leader", "… Times"), or when the text calls it
one ("Indonesian newspaper Kompas"). A mention is a citation only when the words
around it attribute something to it (a cue before, a reporting verb after, a
possessive reporter); a mention inside a longer proper name ("Vice President",
"Michael J. Fox") is not one. Short forms ("the Post") count after the full name.
The page's own outlet is never a citation of itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .. import quirks
from ..models import FoundBy, Kind
from . import attribution, people
from .attribution import ANAPHORA, DOMAIN_END, LIST_GAP, QUOTE_ATTRIBUTION_END, STRONG
from .document import BULLET, DEK, HEADLINE, PARAGRAPH, QUOTE, Document

ELIGIBLE = {PARAGRAPH, BULLET, QUOTE, HEADLINE, DEK}


@dataclass(frozen=True)
class OutletTable:
    names: dict[str, str]  # written form → outlet name
    domains: dict[str, str]  # registrable domain → outlet name
    pattern: re.Pattern
    outlet_words: frozenset[str]
    types_pattern: str
    not_outlets: frozenset[str]
    common: frozenset[str]  # names that are also ordinary words or surnames ("People", "Hill")


@lru_cache(maxsize=1)
def _raw() -> dict:
    return json.loads((resources.files("provenance") / "data" / "outlets.json").read_text(encoding="utf-8"))


def _excluded(outlet: dict, keys: frozenset[str]) -> bool:
    forms = [outlet["name"], *outlet["aliases"], *outlet["domains"]]
    return any(outlet_key(f) in keys for f in forms)


@lru_cache(maxsize=4)
def table(exclude: frozenset[str] = frozenset()) -> OutletTable:
    """The outlet table; `exclude` names outlets to leave out (by any written form or domain).

    Leaving outlets out measures what the rules find without the table's help: the corpus
    bench's unseen-outlet mode removes every outlet a page cites, and the page's own.
    """
    raw = _raw()
    keys = frozenset(outlet_key(n) for n in exclude) - {""}
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for o in raw["outlets"]:
        if keys and _excluded(o, keys):
            continue
        for form in [o["name"], *o["aliases"]]:
            names.setdefault(form, o["name"])
            if form.startswith("The "):
                names.setdefault(form[4:], o["name"])
        for d in o["domains"]:
            domains.setdefault(d.lower(), o["name"])
    forms = sorted(names, key=len, reverse=True)
    # A look-ahead on the first letters lets most positions fail before trying 600 names.
    firsts = "".join(sorted({re.escape(f[0]) for f in forms} | {"T", "t"}))
    pattern = re.compile(
        rf"(?<![\w@#/.&-])(?=[{firsts}])(?:(?P<the>[Tt]he)\s+)?(?P<name>"
        + literal_alternation(forms)
        + r")(?![\w&]|[.-]\w)"
    )
    types = "|".join(sorted((re.escape(t) for t in raw["outlet_types"]), key=len, reverse=True))
    return OutletTable(
        names,
        domains,
        pattern,
        frozenset(raw["outlet_words"]),
        types,
        frozenset(raw["not_outlets"]),
        frozenset(raw.get("common_word_names", ())),
    )


def literal_alternation(words) -> str:
    """A regex matching any of `words`, written as a trie: the longest word that fits is tried first, then
    shorter ones, exactly as an alternation sorted longest first, but without trying each word in turn."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@lru_cache(maxsize=8192)
def outlet_key(name: str | None) -> str:
    """A comparison key: 'The Washington Post', 'washingtonpost.com' and 'Washington Post' agree."""
    s = (name or "").strip().lower()
    if re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", s):
        dom = quirks.registrable_domain(s)
        s = dom.split(".")[0] if dom else s
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[^a-z0-9]", "", s)


def name_for_domain(domain: str) -> str | None:
    return table().domains.get(quirks.registrable_domain(domain.lower()))


@dataclass
class Mention:
    start: int  # offsets in the document
    end: int
    outlet: str
    surface: str
    known: bool
    article: bool = False  # written with "the" before it
    evidence: str | None = "table"  # why the name is an outlet; None: only the cue says so (see `_unknown`)


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


# Capitalised words that open a sentence or a clause, not a name: "When Fox News’ …", "Asked by …".
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
# A run of capitalised words (initials, "E!", "NBC 4 New York"): a name the table may not know.
CANDIDATE = re.compile(
    r"(?<![\w@#/.&’'!-])(?:(?:[A-Z]\.){2,}|[A-Z][\w&!+-]*)"
    r"(?:[ \t]+(?:(?:[A-Z]\.){2,}|[A-Z][\w&!+-]*|\d{1,3}(?=[ \t]+[A-Z])))*"
)
# US broadcast call signs: K or W and two or three letters, with a band. (Canada's C… signs read like
# agencies' acronyms, "CBO", "CMS", and are left to the other evidence.)
CALL_SIGN = re.compile(r"[KW][A-Z]{2,3}(?:-(?:TV|FM|AM|DT|LP|CD))?")
ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,5}!?|(?:[A-Z]\.){2,}")


SENTENCE_CUT = re.compile(r"(?<=[a-z]{2})[.!?]\s+|\b[A-Z][\w.]*-based\s+")
DOMAIN_NAME = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", re.I)
OF_TITLE = re.compile(r"\s+of\s+(?:the\s+)?[A-Z]")
JOINED = re.compile(r"[’']s\s+[A-Z][\w&!+-]*(?:[ \t]+[A-Z][\w&!+-]*)*")


def _plural_word(name: str) -> bool:
    """'Investigators', 'Doctors': one lower-case word in the plural, as nouns open sentences."""
    return " " not in name and name[1:].islower() and name.endswith("s") and not name.endswith(("ss", "us", "is"))


def _opens_sentence(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens a sentence or a line (a cheap look at what comes before it)."""
    before = text[max(0, pos - 4) : pos].rstrip(" \t")
    return not before or before[-1] in '.!?:;\n“"(—–-‘'


def _strip_leading(name: str, start: int) -> tuple[str, int]:
    """'When Fox News' → 'Fox News': drop the capitalised words that only open a sentence."""
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
    """'Vice President', 'Michael J. Fox', 'Time Warner': the outlet word is part of another proper name."""
    after = text[end : end + 40]
    if re.match(r"^\s+\d{1,3}\s+[A-Z]", after):
        return True  # "NBC 4 New York"
    if re.match(r"^\s+(?:News\s+|Press\s+)?(?:Agency|Service)\b", after):
        return False  # "Reuters News Agency reported": the outlet, named in full
    if re.match(r"^\s+(?!(?:The|A|An)\b)[A-Z][a-z]", after) and not re.match(r"^[’']", after):
        word = re.match(r"^\s+(\w+)", after)
        nxt = word.group(1) if word else ""
        if nxt not in ("I", "In", "On", "At"):
            return True
    before = text[max(0, start - 40) : start]
    m = re.search(r"([A-Z][\w.’'-]*)\s+$", before)
    if m and not allow_the and not re.fullmatch(r"[A-Z]{2,}\.|[A-Z][a-z]{3,}\.", m.group(1)):
        word_start = start - len(before) + m.start(1)
        if not attribution.is_sentence_start(text, word_start) and m.group(1) not in ("The",):
            return True
    return False


def _mentions(
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
        if re.fullmatch(r"[a-z0-9.-]+", surface):
            continue  # a domain in running text is a website named, not a source cited
        if _inside_bigger_name(text, s, e, allow_the=bool(m.group("the"))):
            continue
        if not m.group("the") and re.match(rf"^\s+(?:{t.types_pattern})\s+[A-Z]", text[e : e + 40]):
            continue  # "Australian magazine Stellar": an adjective before the outlet named next
        agency = re.match(r"^\s+(?:News\s+|Press\s+)?(?:Agency|Service)\b", text[e : e + 30])
        if agency:  # "Reuters News Agency reported": the outlet, named in full
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
            if re.search(r"[a-z]{2}\.$", name):
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
        if re.match(r"^\s+of\s+(?:the\s+)?[A-Z]", text[e : e + 40]):
            continue  # "New England Journal of Medicine": a longer title, a journal rather than a newsroom
        show = re.match(r"^(.+?)\s+(?:TV|Radio)$", name)
        if show and re.match(r"^\s+(?:show|programme|program)\b", text[e : e + 20]):
            name, e = show.group(1), s + len(show.group(1))  # "the Victoria Derbyshire TV show": the show's name
        evidence = "newspaper-word" if g == "name" else "typed"
        found[(s, e)] = Mention(s, e, re.sub(r"^The\s+", "", name), name, False, evidence=evidence)
    if short_forms:
        short = re.compile(
            r"(?<![\w-])[Tt]he\s+(?P<w>" + "|".join(map(re.escape, short_forms)) + r")(?![\w-])"
        )
        for m in short.finditer(block):
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


def _unknown_mentions(
    doc: Document,
    t: OutletTable,
    block,
    found: list[Mention],
    discovered: set[str] | frozenset[str] = frozenset(),
    lower_words: frozenset[str] = frozenset(),
    surnames: frozenset[str] = frozenset(),
    typed_words: frozenset[str] = frozenset(),
    mid_sentence: frozenset[str] | set[str] = frozenset(),
) -> list[Mention]:
    """Capitalised names in the block that neither the table nor a newspaper word made a mention.

    Each carries its evidence of being an outlet (`_evidence`), or None; `_accept` weighs it
    against the cue. A name with no evidence that is a person's, a body's, or an ordinary word
    opening a sentence ("Officials reported") is left out here, before any cue is read.
    """
    text = doc.text
    taken = [(m.start, m.end) for m in found]
    out = []
    for m in CANDIDATE.finditer(text, block.start, block.end):
        if m.group(0) in typed_words or (discovered and outlet_key(m.group(0)) in discovered):
            name, s = m.group(0), m.start()  # "People", that the text calls an outlet
        else:
            name, s = _strip_leading(m.group(0), m.start())
        e = s + len(name)
        longer = JOINED.match(text, e, block.end) if discovered else None
        if longer and outlet_key(name + longer.group(0)) in discovered:
            name, e = name + longer.group(0), e + longer.end()  # "Women’s Health", named before as an outlet
        if not name or any(a < e and s < b for a, b in taken) or len(name.split()) > 6:
            continue
        if name in t.not_outlets or name.split()[0] in t.not_outlets:
            continue
        if name.split()[-1] in t.outlet_words and OF_TITLE.match(text, e, e + 30):
            continue  # "New England Journal of Medicine": a title the newspaper-word rule left out
        if " " not in name and name.lower() in lower_words and not block.anchors and not ACRONYM.fullmatch(name):
            if name not in typed_words and not _typed_name(t, text, block, s, e):
                continue  # an ordinary word opening a sentence ("Officials reported"), with no evidence
        evidence = _evidence(doc, t, block, name, s, e)
        if evidence is None and outlet_key(name) not in discovered:
            if (" " not in name and name.lower() in lower_words) or people.is_organisation(name):
                continue
            if _plural_word(name) and name not in mid_sentence and _opens_sentence(text, s) and text[s - 1] != "(":
                continue  # "Investigators reported": a plural capitalised only where a sentence starts
            if people.is_person(name, text[max(block.start, s - 60) : s], surnames):
                continue
        article = text[max(block.start, s - 4) : s] in ("the ", "The ")
        out.append(Mention(s, e, name, name, False, article, evidence))
    return out


def _evidence(doc: Document, t: OutletTable, block, name: str, s: int, e: int) -> str | None:
    """Why an unknown name is an outlet: a link to its site on it, the text calling it one, or an acronym."""
    text = doc.text
    key = outlet_key(name)
    for a in block.anchors:
        if a.start < e and s < a.end and _host_names(quirks.host(a.url), name, key):
            return "link"
    if _typed_name(t, text, block, s, e):
        return "typed"
    if "." in name and DOMAIN_NAME.fullmatch(name) and quirks.has_public_suffix(name.lower()):
        return "domain"
    if CALL_SIGN.fullmatch(name):
        return "typed"  # a broadcaster's call sign ("KTLA", "WGN-TV") says what it is
    if ACRONYM.fullmatch(name.split()[0]):
        return "acronym"
    return None


@lru_cache(maxsize=2)
def _typed_word(types: str) -> re.Pattern:
    """'People magazine': a capitalised word the text calls an outlet, so it may name that outlet elsewhere."""
    return re.compile(rf"(?<![\w’'-])([A-Z][\w&!-]*)\s+(?:{types})\b")


def _typed_name(t: OutletTable, text: str, block, s: int, e: int) -> bool:
    """'the news site X', 'X magazine': the text calling a name an outlet, before it or after it."""
    typed_before, typed_after, typed_apposition, last_words = _typed(t.types_pattern)
    before = text[max(block.start, s - 40) : s]
    words = before.lower().split()[-2:]
    if words and words[-1] == "the":
        words.pop()
    if words and words[-1] in last_words and typed_before.search(before):
        return True
    return bool(typed_after.match(text, e, e + 40) or typed_apposition.match(text, e, e + 60))


@lru_cache(maxsize=2)
def _typed(types: str) -> tuple[re.Pattern, re.Pattern, re.Pattern, frozenset[str]]:
    last_words = frozenset(w.split()[-1].lower() for w in re.sub(r"\\(.)", r"\1", types).split("|"))
    return (
        re.compile(rf"\b(?:{types})\s+(?:the\s+)?$", re.I),
        re.compile(rf"\s+(?:{types})(?![\w-]|\s+[A-Z])"),
        re.compile(rf",\s+(?:an?|the)\s+(?:[\w’'-]+\s+){{0,2}}?(?:{types})\b"),  # "X, a local newspaper,"
        last_words,
    )


def _host_names(host: str, name: str, key: str) -> bool:
    """A site's host that spells the name: 'Chortle' ↔ chortle.co.uk, 'Wall Street Journal' ↔ wsj.com."""
    dom = quirks.registrable_domain(host.lower()) or ""
    label = re.sub(r"[^a-z0-9]", "", dom.split(".")[0]) if dom else ""
    if len(label) < 2 or len(key) < 2:
        return False
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", re.sub(r"^[Tt]he\s+", "", name))).lower()
    return label == key or label == initials or (min(len(label), len(key)) >= 4 and (label in key or key in label))


MODIFIER_BEFORE = re.compile(r"\b(?:an?|one|two|three|several|multiple|another)\s+$", re.I)
MODIFIED_AFTER = re.compile(
    r"^\s+(?:executives?|sources?|spokes\w+|lawyers?|staffers?|employees?|officials?|insiders?|documents?|"
    r"PR|contributors?|producers?|veterans?|alums?|personalit(?:y|ies)|colleagues?|women|men|viewers)\b"
)


def _accept(m: Mention, cue: str | None, before: str, surnames: frozenset[str], discovered: set[str]) -> bool:
    """Whether a cue on a mention makes it a citation: table names and newspaper words need any cue;
    an unknown name needs a cue only newsrooms take, or evidence, and must not be a person's or a body's."""
    if cue is None:
        return False
    if MODIFIER_BEFORE.search(before) and cue not in ("report-of", "possessive-report"):
        return False  # "told an NBC executive", "according to a Fox source": the name only qualifies a person
    if m.evidence in ("table", "newspaper-word", "typed", "domain"):
        return True
    if m.evidence == "link":  # a company's own site is linked on its name too: the cue must be a newsroom's
        return cue not in ("noun-by", "said", "possessive", "via-inline")
    if re.search(r"[’']s?\s+$", before):
        return False  # "Axios' Kaveh Waddell reports": someone of a named body
    if (m.evidence != "acronym" or " " in m.surface) and (
        people.is_person(m.surface, before, surnames) or people.is_organisation(m.surface)
    ):
        return False
    if outlet_key(m.surface) in discovered:
        return True
    if m.evidence == "acronym":  # agencies go by acronyms too: "according to the IMF", "NHS said"
        if cue in ("possessive", "noun-by", "via-inline", "according-to", "according-to-data", "said", "inverted-said"):
            return False
        return cue != "credit-end" or " " not in m.surface
    return cue in STRONG


def _share_cues_in_lists(text: str, mentions: list[Mention], cues: list[str | None]) -> None:
    """A list shares its cue: "according to The Wrap and Deadline", "CNN, ABC and NBC reported"."""
    pairs = zip(mentions, mentions[1:], strict=False)
    joined = [LIST_GAP.match(text[a.end : b.start]) is not None for a, b in pairs]
    for i in range(1, len(mentions)):  # forward: the cue came before the list
        if cues[i] is None and cues[i - 1] is not None and joined[i - 1]:
            cues[i] = "list"
    for i in range(len(mentions) - 2, -1, -1):  # backward: the verb came after it
        if cues[i] is None and cues[i + 1] is not None and joined[i]:
            cues[i] = "list"


def _short_form(outlet: str) -> str | None:
    """'The Washington Post' → 'Post': how the article may refer to it again."""
    words = re.sub(r"^The\s+", "", outlet).split()
    if len(words) >= 2 and words[-1][:1].isupper() and words[-1] in table().outlet_words:
        return words[-1]
    return None


def find_outlets(
    doc: Document,
    page_outlet: str | None = None,
    page_url: str | None = None,
    headline_is_text: bool = True,
    exclude: frozenset[str] = frozenset(),
) -> None:
    """Append an `outlet` citation for each attributed outlet mention (`found_by` and `cue` say how).

    A page's headline and dek come from its metadata and restate the body; they are read for
    outlets only in pasted text, where the first line is the article's own. `exclude` leaves
    those outlets out of the name table (see `table`).
    """
    t = table(exclude)
    text = doc.text
    eligible = ELIGIBLE if headline_is_text else ELIGIBLE - {HEADLINE, DEK}
    own = {outlet_key(page_outlet)} if page_outlet else set()
    if page_url:
        own.add(outlet_key(quirks.host(page_url)))
        name = t.domains.get(quirks.registrable_domain(quirks.host(page_url).lower()))
        if name:
            own.add(outlet_key(name))
    own.discard("")
    # "ABC" on an "ABC News" page, "CNN Business" on a CNN page: the page's own brand too.

    def is_own(key: str) -> bool:
        return bool(key) and any(
            key == k or (len(key) >= 3 and len(k) >= 3 and (k.startswith(key) or key.startswith(k)))
            for k in own
        )

    short_forms: dict[str, str] = {}
    recent: list[tuple[int, str]] = []  # (block index, outlet) of cited outlets, for "the report says"
    surnames = people.surnames(text)
    lower_words = frozenset(re.findall(r"\b[a-z][a-z’'-]+\b", text))
    # Names written whole and by their last word alone ("Kaveh Waddell … Waddell said"): people, whatever
    # their given name; words read only alone or only in full tell nothing.
    alone, full_lasts, mid_sentence = set(), set(), set()
    for hit in CANDIDATE.finditer(text):
        words = hit.group(0).split()
        if len(words) == 1:
            alone.add(words[0])
            if not _opens_sentence(text, hit.start()):
                mid_sentence.add(words[0])
        elif len(words) <= 3 and words[0] not in LEADING and words[-1] not in t.outlet_words:
            full_lasts.add(words[-1])
    surnames = surnames | {w for w in alone & full_lasts if w.lower() not in lower_words}
    typed_words = frozenset(
        w for w in (m.group(1) for m in _typed_word(t.types_pattern).finditer(text))
        if w not in LEADING or w in PLURAL_LEADING  # not "The newspaper"
    )
    discovered: set[str] = set()  # unknown names this text has shown to be outlets
    deferred: list[tuple[Mention, str]] = []  # unknown names with a weak cue: cited if shown to be outlets later
    for bi, block in enumerate(doc.blocks):
        if block.kind not in eligible:
            continue
        bstart, bend = block.start, block.end
        known = list(t.pattern.finditer(text, bstart, bend))
        for hit in known:  # "The Washington Post … the Post said": a short form counts after the full name
            sf = _short_form(t.names[hit.group("name")])
            if sf and hit.group("name") != sf:
                short_forms.setdefault(sf, t.names[hit.group("name")])
        mentions = _mentions(doc, t, bstart, bend, short_forms, known)
        unknown = _unknown_mentions(
            doc, t, block, mentions, discovered, lower_words, surnames, typed_words, mid_sentence
        )
        mentions = sorted(mentions + unknown, key=lambda x: x.start)
        cues = [
            attribution.cue(
                text,
                m.start,
                m.end,
                bstart,
                outlet_types=t.types_pattern,
                known=m.known or m.evidence in ("acronym", "typed"),
                common_word=(m.surface in t.common and not m.article)
                or (m.evidence is None and m.surface.lower() in lower_words),
            )
            for m in mentions
        ]
        _share_cues_in_lists(text, mentions, cues)
        accepted: list[tuple[Mention, str]] = []
        for m, cue in zip(mentions, cues, strict=True):
            if cue is None or is_own(outlet_key(m.outlet)) or is_own(outlet_key(m.surface)):
                continue
            if m.evidence is None and " " not in m.surface and m.surface.lower() in lower_words:
                if m.surface not in typed_words:
                    continue  # "Officials reported": a common word at a sentence start
            before = text[max(bstart, m.start - 60) : m.start]
            if attribution.AFTER_STAFF.match(text[m.end : m.end + 30].lower()):
                before = before.rstrip() + " "  # "told a Reuters reporter": the outlet's own journalist
                before = re.sub(r"\b(?:an?|one)\s+$", "", before)
            if MODIFIED_AFTER.match(text[m.end : m.end + 30]) and cue not in ("report-of", "possessive-report"):
                continue
            if _accept(m, cue, before, surnames, discovered):
                accepted.append((m, cue))
                if not m.known:
                    discovered.add(outlet_key(m.surface))
                    sf = _short_form(m.outlet)
                    if sf and m.evidence in ("newspaper-word", "typed"):
                        short_forms.setdefault(sf, m.outlet)
            elif (
                not m.known
                and m.evidence in (None, "acronym")
                and not MODIFIER_BEFORE.search(before)
                and not people.is_person(m.surface, before, surnames)
            ):
                deferred.append((m, cue))
        for m, cue in accepted:
            doc.cite(Kind.OUTLET, m.surface, m.start, m.end, outlet=m.outlet, found_by=FoundBy.ACCORDING_TO, cue=cue)
            recent.append((bi, m.outlet))
        cited_here = [(m.start, m.end) for m, _ in accepted]
        for am in ANAPHORA.finditer(text[bstart:bend]):
            if recent and bi - recent[-1][0] <= 3:
                s = bstart + am.start()
                if any(a <= s < b for a, b in cited_here):
                    continue
                doc.cite(
                    Kind.OUTLET,
                    am.group(0),
                    s,
                    bstart + am.end(),
                    outlet=recent[-1][1],
                    found_by=FoundBy.ACCORDING_TO,
                    cue="anaphora",
                )
        _domain_at_end(doc, block, own)
    for m, cue in deferred:
        if outlet_key(m.surface) in discovered and not people.is_organisation(m.surface):
            doc.cite(Kind.OUTLET, m.surface, m.start, m.end, outlet=m.outlet, found_by=FoundBy.ACCORDING_TO,
                     cue=cue)


def _may_end_in_domain(chunk: str) -> bool:
    """What DOMAIN_END needs at the end ("….co.uk"), checked from the end: its search from every
    position of the paragraph is the slow part, and most paragraphs end in a full stop."""
    tail = chunk.rstrip()
    i = len(tail)
    while i and "a" <= tail[i - 1] <= "z":
        i -= 1
    return len(tail) - i >= 2 and i >= 2 and tail[i - 1] == "." and (tail[i - 2].isascii() and tail[i - 2].isalnum())


def _domain_at_end(doc: Document, block, own: set[str]) -> None:
    """A paragraph that ends in a bare domain ("… realities. example.com") names its source."""
    text = doc.text
    chunk = text[block.start : block.end]
    m = DOMAIN_END.search(chunk) if _may_end_in_domain(chunk) else None
    if not m:
        return
    dom = m.group("dom")
    if not quirks.has_public_suffix(dom):
        return
    if len(chunk[: m.start()].strip()) < 20 or outlet_key(dom) in own:
        return
    s, e = block.start + m.start("dom"), block.start + m.end("dom")
    found = (FoundBy.QUOTE_ATTRIBUTION if QUOTE_ATTRIBUTION_END.search(chunk[: m.start()])
             else FoundBy.PARAGRAPH_OUTLET)
    doc.cite(Kind.OUTLET, dom, s, e, outlet=dom, found_by=found)
