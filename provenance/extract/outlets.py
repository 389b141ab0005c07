"""Outlets named as sources: "according to Reuters", "told the Post", "(Via CNN)", a closing domain.

A name is an outlet when the outlet table (data/outlets.json) knows it, when it
ends in a newspaper word ("… Riverside Courier", "… Times"), or when the text calls it
one ("the Norwegian newspaper Fjordposten"). A mention is a citation only when the words
around it attribute something to it (a cue before, a reporting verb after, a
possessive reporter); a mention inside a longer proper name ("Vice President",
"Daniel J. Fox") is not one. Short forms ("the Post") count after the full name.
The page's own outlet is never a citation of itself.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .. import quirks
from ..models import FoundBy, Kind
from . import attribution, people
from .attribution import ANAPHORA, DOMAIN_END, LIST_GAP, QUOTE_ATTRIBUTION_END, STRONG
from .document import BULLET, DEK, HEADLINE, PARAGRAPH, QUOTE, Document
from .outlet_evidence import typed_word
from .outlet_mentions import (
    CANDIDATE,
    LEADING,
    PLURAL_LEADING,
    Mention,
    named_mentions,
    opens_sentence,
    unknown_mentions,
)
from .outlet_names import outlet_key, short_form, table

ELIGIBLE = {PARAGRAPH, BULLET, QUOTE, HEADLINE, DEK}

MODIFIER_BEFORE = re.compile(r"\b(?:an?|one|two|three|several|multiple|another)\s+$", re.I)
MODIFIED_AFTER = re.compile(
    r"^\s+(?:executives?|sources?|spokes\w+|lawyers?|staffers?|employees?|officials?|insiders?|documents?|"
    r"PR|contributors?|producers?|veterans?|alums?|personalit(?:y|ies)|colleagues?|women|men|viewers)\b"
)


_POSSESSIVE_END = re.compile(r"[’']s?\s+$")


def _accept(m: Mention, cue: str | None, before: str, surnames: frozenset[str], discovered: set[str]) -> bool:
    """Whether a cue on a mention makes it a citation: table names and newspaper words need any cue;
    an unknown name needs a cue only newsrooms take, or evidence, and must not be a person's or a body's."""
    if cue is None:
        return False
    if MODIFIER_BEFORE.search(before) and cue not in ("report-of", "possessive-report"):
        return False  # "told an ABC executive", "according to a Sky source": the name only qualifies a person
    if m.evidence in ("table", "newspaper-word", "typed", "domain"):
        return True
    if m.evidence == "link":  # a company's own site is linked on its name too: the cue must be a newsroom's
        return cue not in ("noun-by", "said", "possessive", "via-inline")
    if _POSSESSIVE_END.search(before):
        return False  # "Acme’s Jane Roe reports": someone of a named body
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
    """A list shares its cue: "according to the Riverside Courier and the Daily Ledger", "CNN, ABC and NBC reported"."""
    pairs = zip(mentions, mentions[1:], strict=False)
    joined = [LIST_GAP.match(text[a.end : b.start]) is not None for a, b in pairs]
    for i in range(1, len(mentions)):  # forward: the cue came before the list
        if cues[i] is None and cues[i - 1] is not None and joined[i - 1]:
            cues[i] = "list"
    for i in range(len(mentions) - 2, -1, -1):  # backward: the verb came after it
        if cues[i] is None and cues[i + 1] is not None and joined[i]:
            cues[i] = "list"


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
    # Names written whole and by their last word alone ("Jane Roe … Roe said"): people, whatever
    # their given name; words read only alone or only in full tell nothing.
    alone, full_lasts, mid_sentence = set(), set(), set()
    # The capitalised runs of the whole text, found once: no run crosses a line, so a block's own
    # are those starting inside it (what a search of the block alone finds), handed to `unknown_mentions`.
    candidates = list(CANDIDATE.finditer(text))
    candidate_starts = [hit.start() for hit in candidates]
    for hit in candidates:
        words = hit.group(0).split()
        if len(words) == 1:
            alone.add(words[0])
            if not opens_sentence(text, hit.start()):
                mid_sentence.add(words[0])
        elif len(words) <= 3 and words[0] not in LEADING and words[-1] not in t.outlet_words:
            full_lasts.add(words[-1])
    surnames = surnames | {w for w in alone & full_lasts if w.lower() not in lower_words}
    typed_words = frozenset(
        w for w in (m.group(1) for m in typed_word(t.types_pattern).finditer(text))
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
            sf = short_form(t.names[hit.group("name")])
            if sf and hit.group("name") != sf:
                short_forms.setdefault(sf, t.names[hit.group("name")])
        mentions = named_mentions(doc, t, bstart, bend, short_forms, known)
        unknown = unknown_mentions(
            doc, t, block, mentions, discovered, lower_words, surnames, typed_words, mid_sentence,
            candidates[bisect_left(candidate_starts, bstart) : bisect_left(candidate_starts, bend)],
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
                    sf = short_form(m.outlet)
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
        # "the newspaper said" points back only to an outlet cited within the last three blocks
        anaphora = ANAPHORA.finditer(text[bstart:bend]) if recent and bi - recent[-1][0] <= 3 else ()
        for am in anaphora:
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
