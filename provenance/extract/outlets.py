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
from . import attribution
from .attribution import ANAPHORA, DOMAIN_END, LIST_GAP, QUOTE_ATTRIBUTION_END
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
    forms = sorted(names, key=len, reverse=True)
    # A look-ahead on the first letters lets most positions fail before trying 600 names.
    firsts = "".join(sorted({re.escape(f[0]) for f in forms} | {"T", "t"}))
    pattern = re.compile(
        rf"(?<![\w@#/.&-])(?=[{firsts}])(?:(?P<the>[Tt]he)\s+)?(?P<name>"
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


def _inside_bigger_name(text: str, start: int, end: int, allow_the: bool) -> bool:
    """'Vice President', 'Michael J. Fox', 'Time Warner': the outlet word is part of another proper name."""
    after = text[end : end + 40]
    if re.match(r"^\s+(?!(?:The|A|An)\b)[A-Z][a-z]", after) and not re.match(r"^[’']", after):
        word = re.match(r"^\s+(\w+)", after)
        nxt = word.group(1) if word else ""
        if nxt not in ("I", "In", "On", "At"):
            return True
    before = text[max(0, start - 40) : start]
    m = re.search(r"([A-Z][\w.’'-]*)\s+$", before)
    if m and not allow_the:
        word_start = start - len(before) + m.start(1)
        if not attribution.is_sentence_start(text, word_start) and m.group(1) not in ("The",):
            return True
    return False


def _mentions(
    doc: Document, bstart: int, bend: int, short_forms: dict[str, str], known: list
) -> list[Mention]:
    """Outlet names in one block: table names (`known`, matched on the document), newspaper-like names,
    and short forms of outlets named earlier."""
    text = doc.text
    t = table()
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
        found[(s, e)] = Mention(s, e, t.names[surface], surface, True, bool(m.group("the")))
    for m in _generic().finditer(block):
        name = m.group("name") or m.group("typed")
        g = "name" if m.group("name") else "typed"
        s, e = bstart + m.start(g), bstart + m.end(g)
        if any(a < e and s < b for a, b in found) or name in t.not_outlets:
            continue
        if g == "name" and name in t.outlet_words:
            continue  # a lone "Times" or "News" is a short form at best
        if _inside_bigger_name(text, s, e, allow_the=True):
            continue
        if re.match(r"^\s+of\s+(?:the\s+)?[A-Z]", text[e : e + 40]):
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
    doc: Document, page_outlet: str | None = None, page_url: str | None = None, headline_is_text: bool = True
) -> None:
    """Append an `outlet` citation for each attributed outlet mention (`found_by` and `cue` say how).

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
        known = list(table().pattern.finditer(text, bstart, bend))
        for m in known:  # "The Washington Post … the Post said": a short form counts after the full name
            sf = _short_form(table().names[m.group("name")])
            if sf and m.group("name") != sf:
                short_forms.setdefault(sf, table().names[m.group("name")])
        mentions = _mentions(doc, bstart, bend, short_forms, known)
        cues = [
            attribution.cue(
                text,
                m.start,
                m.end,
                bstart,
                outlet_types=table().types_pattern,
                known=m.known,
                common_word=m.surface in table().common and not m.article,
            )
            for m in mentions
        ]
        _share_cues_in_lists(text, mentions, cues)
        accepted: list[tuple[Mention, str]] = []
        for mention, cue in zip(mentions, cues, strict=True):
            if cue is None or is_own(outlet_key(mention.outlet)) or is_own(outlet_key(mention.surface)):
                continue
            accepted.append((mention, cue))
        for mention, cue in accepted:
            doc.cite(Kind.OUTLET, mention.surface, mention.start, mention.end, outlet=mention.outlet,
                     found_by=FoundBy.ACCORDING_TO, cue=cue)
            recent.append((bi, mention.outlet))
        cited_here = [(mention.start, mention.end) for mention, _ in accepted]
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


def _domain_at_end(doc: Document, block, own: set[str]) -> None:
    """A paragraph that ends in a bare domain ("… realities. example.com") names its source."""
    text = doc.text
    chunk = text[block.start : block.end]
    m = DOMAIN_END.search(chunk)
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
