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
from ..models import Kind
from .document import BULLET, DEK, HEADLINE, PARAGRAPH, QUOTE, Document

ELIGIBLE = {PARAGRAPH, BULLET, QUOTE, HEADLINE, DEK}

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
    r"was first to report"
)
ROLES = (
    r"team|reporters?|journalists?|editors?|correspondents?|staff|sources?|writers?|columnists?|critic|"
    r"anchor|host|analysts?|fact checker|editorial board|chief|senior|political|national|white house|"
    r"medical|legal|investigative|business|science|health|tech|technology|foreign|washington|own"
)

_AFTER_VERB = re.compile(
    rf"^(?:[’']s?)?(?:\s+(?:\w+\s+){{0,2}}?(?:{NOUNS}|{ROLES}))?"
    rf"(?:,\s+(?:citing|which|who|quoting)[^,]{{1,70}},)?"
    rf"(?:\s+(?:has|had|also|first|previously|later|recently|today|earlier|now|last \w+|then|further|"
    rf"all|both|reportedly|exclusively|separately|additionally|subsequently)){{0,2}}\s+(?:{VERBS})\b"
    rf"|^,\s+citing\b",
    re.I,
)
_AFTER_POSSESSIVE = re.compile(rf"^[’']s?\s+(?:(?i:{NOUNS})\b|(?:(?i:{ROLES})\s+){{0,4}}[A-Z][\w.’'-]+)")
# "an X report details", "the X evaluation stresses": a report of the outlet that says something.
_AFTER_NOUN = re.compile(
    rf"^\s+(?:{NOUNS})\b[^.;:,]{{0,60}}?\b(?:{VERBS}|stresses|reveals|shows|argues|highlights|concludes|warns|"
    rf"explains|details|underscores|emphasi[sz]es|indicates|documents|outlines|describes)\b",
    re.I,
)
# "MacRumors forums", "Reddit users": people on a site, not the outlet.
_AFTER_NOT = re.compile(
    r"^\s+(?:forums?|users|readers|commenters|community|subreddit|viewers|followers|account)\b"
)
_BEFORE = [
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
            rf"\b(?:reported|published|broken|obtained|cited|quoted|summari[sz]ed|covered|noted|detailed|seen|written|"
            rf"produced|conducted|compiled|commissioned|released|aired|broadcast|analy[sz]ed|first reported|"
            rf"writes|"
            rf"wrote|writing|{NOUNS})(?:\s+[\w’'-]+){{0,2}}?\s+(?:by|from|in|for)\s+(?:the\s+)?$",
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
    (
        "determiner",
        re.compile(
            r"(?:^|\b)(?:an?|the|this|that|another|one|recent|new|latest|earlier)\s+(?:[a-z][\w-]*\s+)?$",
            re.I,
        ),
    ),
]
_ANAPHORA = re.compile(
    r"\b(?:[Aa]ccording to the (?P<n1>news site|newspaper|paper|outlet|magazine|network|broadcaster|"
    r"publication|report|website)\b"
    r"|(?P<n2>[Tt]he (?:report|newspaper|paper|outlet|news site|magazine|network|publication))"
    r" (?:says|said|reported|reports|notes|noted|added|adds|claims|claimed|found|stated|states)\b)"
)
_LIST_GAP = re.compile(r"^(?:,\s*(?:and\s+|&\s+)?|\s+(?:and|&|or)\s+)$")
_DOMAIN_END = re.compile(r"(?:^|(?<=[\s.”\"’)]))(?P<dom>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})\s*$")
_QUOTE_ATTRIBUTION_END = re.compile(r"[”\"]\s*[–—-]\s*[^”\"“\n]{1,80}$")
_DATELINE = re.compile(r"^(?:\d{1,2}[.:]\d{2}\s+|(?:[A-Z][A-Z .,'-]{1,40})?\(\s*)$")
# What a name that is also a common word ("Deadline", "People") must be followed by at a sentence start.
_STRICT_AFTER = re.compile(
    r"^\s+(?:reports|reported that|writes|has learned|first reported|was first to report)\b"
)


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
def table() -> OutletTable:
    raw = json.loads((resources.files("provenance") / "data" / "outlets.json").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for o in raw["outlets"]:
        for form in [o["name"], *o["aliases"]]:
            names.setdefault(form, o["name"])
            if form.startswith("The "):
                names.setdefault(form[4:], o["name"])
        for d in o["domains"]:
            domains.setdefault(d.lower(), o["name"])
            names.setdefault(d, o["name"])
    forms = sorted(names, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w@#/.&-])(?:(?P<the>[Tt]he)\s+)?(?P<name>"
        + "|".join(map(re.escape, forms))
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


def _before_pattern(rule: re.Pattern) -> re.Pattern:
    if "OUTLET_TYPES" in rule.pattern:
        return re.compile(rule.pattern.replace("OUTLET_TYPES", table().types_pattern), rule.flags)
    return rule


@lru_cache(maxsize=1)
def _befores() -> list[tuple[str, re.Pattern]]:
    return [(name, _before_pattern(p)) for name, p in _BEFORE]


@lru_cache(maxsize=1)
def _generic() -> re.Pattern:
    """A capitalised name that ends in a newspaper word, or follows an outlet-type noun."""
    t = table()
    words = "|".join(sorted((re.escape(w) for w in t.outlet_words), key=len, reverse=True))
    return re.compile(
        rf"(?<![\w&-])(?:(?:[Tt]he)\s+)?(?P<name>(?:[A-Z][\w.&’'-]*\s+(?:of\s+|de\s+)?){{0,4}}"
        rf"(?:[A-Z][\w.&’']*-)?(?:{words}))"
        rf"(?![\w&-])"
        rf"|\b(?:{t.types_pattern})\s+(?P<typed>[A-Z][\w.&’'-]*(?:\s+[A-Z][\w.&’'-]*){{0,3}})"
    )


def _is_sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in '.!?:;\n“"(—–-'


def _inside_bigger_name(text: str, start: int, end: int, allow_the: bool) -> bool:
    """'Vice President', 'Michael J. Fox', 'Time Warner': the outlet word is part of another proper name."""
    after = text[end : end + 40]
    if re.match(r"^\s+(?!(?:The|A|An)\b)[A-Z][a-z]", after) and not re.match(r"^[’']", after):
        nxt = re.match(r"^\s+(\w+)", after).group(1)
        if nxt not in ("I", "In", "On", "At"):
            return True
    before = text[max(0, start - 40) : start]
    m = re.search(r"([A-Z][\w.’'-]*)\s+$", before)
    if m and not allow_the:
        word_start = start - len(before) + m.start(1)
        if not _is_sentence_start(text, word_start) and m.group(1) not in ("The",):
            return True
    return False


def _attributed(text: str, m: Mention, block_start: int) -> str | None:
    """The cue that makes a mention an attribution ('according-to', 'told', …), or None."""
    before = text[max(block_start, m.start - 160) : m.start]
    after = text[m.end : m.end + 160]
    after = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", after, maxsplit=1)[0]
    if _AFTER_NOT.match(after):
        return None
    for name, rule in _befores():
        if name == "determiner":
            continue
        if rule.search(before):
            if name == "on-air" and not m.known:
                continue
            return name
    if m.surface in table().common and not m.article:
        # "People said…", "Hill told…": an ordinary word or a surname unless the verb is a newsroom's.
        if _is_sentence_start(text, m.start):
            return "reported" if _STRICT_AFTER.match(after) else None
    if _AFTER_VERB.match(after):
        return "reported"
    if _AFTER_POSSESSIVE.match(after):
        return "possessive"
    if _AFTER_NOUN.match(after) and (
        _befores()[-1][1].search(before) or re.search(r"\bas\s+\S+\s*$", before)
    ):
        return "report-of"
    if _DATELINE.match(before) and re.match(r"^\)?\s*[-–—:]\s", after):
        return "dateline"
    return None


def _mentions(doc: Document, bstart: int, bend: int, short_forms: dict[str, str]) -> list[Mention]:
    text = doc.text
    t = table()
    block = text[bstart:bend]
    found: dict[tuple[int, int], Mention] = {}
    for m in t.pattern.finditer(block):
        s, e = bstart + m.start("name"), bstart + m.end("name")
        surface = m.group("name")
        if surface in t.not_outlets:
            continue
        if re.fullmatch(r"[a-z0-9.-]+", surface):
            continue  # a domain in running text is a website named, not a source cited
        if _inside_bigger_name(text, s, e, allow_the=bool(m.group("the"))):
            continue
        found[(s, e)] = Mention(s, e, t.names[surface], surface, True, bool(m.group("the")))
    for m in _generic().finditer(block):
        name = m.group("name") or m.group("typed")
        g = "name" if m.group("name") else "typed"
        s, e = bstart + m.start(g), bstart + m.end(g)
        if any(a < e and s < b for a, b in found) or name in t.not_outlets:
            continue
        words = name.split()
        if g == "name" and len(words) < 2:
            continue  # a lone "Times" or "News" is a short form at best
        if _inside_bigger_name(text, s, e, allow_the=True):
            continue
        if re.match(r"^\s+(?:of|for|on)\s+(?:the\s+)?[A-Z]", text[e : e + 40]):
            continue  # "New England Journal of Medicine": a longer title, a journal rather than a newsroom
        found[(s, e)] = Mention(s, e, re.sub(r"^The\s+", "", name), name, False)
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


def _short_form(outlet: str) -> str | None:
    """'The Washington Post' → 'Post': how the article may refer to it again."""
    words = re.sub(r"^The\s+", "", outlet).split()
    if len(words) >= 2 and words[-1][:1].isupper() and words[-1] in table().outlet_words:
        return words[-1]
    return None


def find_outlets(
    doc: Document, page_outlet: str | None = None, page_url: str | None = None, headline_is_text: bool = True
) -> None:
    """Append an `outlet` citation for each attributed outlet mention (`where` names the rule).

    A page's headline and dek come from its metadata and restate the body; they are read for
    outlets only in pasted text, where the first line is the article's own.
    """
    text = doc.text
    eligible = ELIGIBLE if headline_is_text else ELIGIBLE - {HEADLINE, DEK}
    own = {outlet_key(page_outlet)} if page_outlet else set()
    if page_url:
        own.add(outlet_key(quirks.host(page_url)))
        name = name_for_domain(quirks.host(page_url))
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
    for bi, block in enumerate(doc.blocks):
        if block.kind not in eligible:
            continue
        bstart, bend = block.start, block.end
        for m in table().pattern.finditer(text, bstart, bend):  # "The Washington Post … the Post said"
            sf = _short_form(table().names[m.group("name")])
            if sf and m.group("name") != sf:
                short_forms.setdefault(sf, table().names[m.group("name")])
        mentions = _mentions(doc, bstart, bend, short_forms)
        cues = [_attributed(text, m, bstart) for m in mentions]
        # "according to The Wrap and Deadline", "CNN, ABC and NBC all reported": a list shares its cue.
        for order in (range(1, len(mentions)), range(len(mentions) - 2, -1, -1)):
            for i in order:
                j = i - 1 if order.step == 1 else i + 1
                a, b = (mentions[j], mentions[i]) if j < i else (mentions[i], mentions[j])
                if cues[i] is None and cues[j] is not None and _LIST_GAP.match(text[a.end : b.start]):
                    cues[i] = "list"
        accepted: list[tuple[Mention, str]] = []
        for m, cue in zip(mentions, cues, strict=True):
            if cue is None or is_own(outlet_key(m.outlet)) or is_own(outlet_key(m.surface)):
                continue
            accepted.append((m, cue))
        for m, cue in accepted:
            rule = "according-to"
            doc.cite(Kind.OUTLET, m.surface, m.start, m.end, outlet=m.outlet, where=f"{rule}:{cue}")
            recent.append((bi, m.outlet))
        for am in _ANAPHORA.finditer(text[bstart:bend]):
            if recent and bi - recent[-1][0] <= 3:
                s = bstart + am.start()
                if any(c.start <= s < c.end for c in doc.citations if c.kind == Kind.OUTLET):
                    continue
                doc.cite(
                    Kind.OUTLET,
                    am.group(0),
                    s,
                    bstart + am.end(),
                    outlet=recent[-1][1],
                    where="according-to:anaphora",
                )
        _domain_at_end(doc, block, own)


def _domain_at_end(doc: Document, block, own: set[str]) -> None:
    """A paragraph that ends in a bare domain ("… realities. example.com") names its source."""
    text = doc.text
    chunk = text[block.start : block.end]
    m = _DOMAIN_END.search(chunk)
    if not m:
        return
    dom = m.group("dom")
    if not quirks.has_public_suffix(dom):
        return
    if len(chunk[: m.start()].strip()) < 20 or outlet_key(dom) in own:
        return
    s, e = block.start + m.start("dom"), block.start + m.end("dom")
    where = "quote-attribution" if _QUOTE_ATTRIBUTION_END.search(chunk[: m.start()]) else "paragraph-outlet"
    doc.cite(Kind.OUTLET, dom, s, e, outlet=dom, where=where)
