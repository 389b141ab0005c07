"""Claims: the article cut into assertions, each linked to its citations by a named rule, and graded.

Blocks become claims by kind: the headline and dek as they are, each summary
bullet, each body sentence, each quotation that stands as its own paragraph, the
text of each embedded post. Headings, captions and boilerplate are structure.

Linking rules (the `rule` of each ClaimLink), with their confidence:

- `inline`            a link, short link, video or tweet inside the claim's own text
- `according-to`      an outlet attributed inside the sentence ("according to X", "told X")
- `paragraph-outlet`  a paragraph that ends in a bare outlet domain sources each of its sentences
- `quote-attribution` a quotation (with its named speaker) inside the claim
- `embedded-post`     the text of an embedded post cites the post
- `announced-video`   a video right after the sentence that announces it ("Watch …", "in the video below:"),
                      or a "Watch …" line under a sentence, is cited by that sentence
- `supports`          claim → claim by word overlap (a summary bullet and the body sentences saying the
                      same); the supporters' citations are inherited with `via` naming the supporter

`grade` turns links plus what the resolver learned about each URL into a ClaimStatus;
`grade_all` does it for a whole article with the citation tree indexed once, and with the
verdicts of the check stage (`with_checks`): words found at the source make a claim `verified`,
words found altered make it `disputed`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import cast

from .models import (
    WEAK_CUES,
    Block,
    BlockKind,
    Citation,
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    FoundBy,
    Kind,
    LinkRule,
    Status,
    Verdict,
)
from .sentences import has_unspaced, is_claim_text, is_unspaced, split_sentences, words

HEADLINE, DEK, PARAGRAPH, BULLET, POST, QUOTE = (
    BlockKind.HEADLINE, BlockKind.DEK, BlockKind.PARAGRAPH, BlockKind.BULLET, BlockKind.POST, BlockKind.QUOTE
)

__all__ = [
    "CONFIDENCE",
    "build_claims",
    "content_words",
    "grade",
    "grade_all",
    "link_supports",
    "split_sentences",
]

CONFIDENCE = {
    LinkRule.INLINE: 0.95,
    LinkRule.EMBEDDED_POST: 0.95,
    LinkRule.QUOTE_ATTRIBUTION: 0.85,
    LinkRule.ACCORDING_TO: 0.8,
    LinkRule.PARAGRAPH_OUTLET: 0.7,
    LinkRule.ANNOUNCED_VIDEO: 0.8,
}
# A sentence that points at a video placed after it.
_ANNOUNCES = re.compile(r"(?i)\b(?:watch|watching|video|footage|clip|below)\b|:\s*$")
SUPPORT_THRESHOLD = 0.45  # share of a summary claim's content words found in a body sentence
MAX_SUPPORTERS = 3
MAX_SUMMARIES = 200  # summary claims looked at, and body sentences they are compared with:
MAX_BODY_FOR_SUPPORT = 5000  # caps that keep a pathological page linear

_BULLET_MARK = re.compile(r"^\s*(?:[-•*·▪‣◦–]|\d{1,2}[.)])\s+")
STOPWORDS = frozenset(
    """a an the and or but if of in on at to for from by with as is are was were be been being it its
this that these those he she they we you i his her their our your them him us not no nor
so than then there here
has have had do does did will would can could should may might must shall into over under after before about
also more most such very just up out all any each other some what which who whom whose when where why how
said says say after while during between against through""".split()
)


def build_claims(text: str, blocks: list[Block], citations: list[Citation]) -> list[Claim]:
    """Claims of one article, linked to its citations by the rules above (not yet graded)."""
    claims: list[Claim] = []
    by_block: list[tuple[Block, list[Claim]]] = []
    ordered = sorted(citations, key=lambda c: c.start)
    starts = [c.start for c in ordered]

    def within(lo: int, hi: int) -> list[Citation]:
        """Citations starting in [lo, hi): a bisect, so long articles stay linear."""
        return ordered[bisect_left(starts, lo) : bisect_left(starts, hi)]

    def add(kind: ClaimKind, s: int, e: int) -> Claim | None:
        if not is_claim_text(text[s:e]):
            return None
        c = Claim(id=len(claims) + 1, kind=kind, text=text[s:e], start=s, end=e)
        claims.append(c)
        return c

    for block in blocks:
        made: list[Claim] = []
        chunk = text[block.start : block.end]
        if block.kind in (HEADLINE, DEK):
            c = add(ClaimKind.HEADLINE if block.kind == HEADLINE else ClaimKind.DEK, block.start, block.end)
            made = [c] if c else []
        elif block.kind == BULLET:  # one claim per item; a block may hold several "•" lines
            pos = block.start
            for line in chunk.split("\n"):
                mark = _BULLET_MARK.match(line)
                lead = mark.end() if mark else len(line) - len(line.lstrip())
                c = add(ClaimKind.BULLET, pos + lead, pos + len(line.rstrip()))
                if c:
                    made.append(c)
                pos += len(line) + 1
        elif block.kind == POST:
            c = add(ClaimKind.POST, block.start, block.end)
            if c and block.citation:
                c.citations.append(
                    ClaimLink(block.citation, LinkRule.EMBEDDED_POST, CONFIDENCE[LinkRule.EMBEDDED_POST])
                )
            made = [c] if c else []
        elif block.kind in (PARAGRAPH, QUOTE):
            standing = [
                q for q in within(block.start, block.start + 2) if q.kind == Kind.QUOTE and q.end <= block.end
            ]
            if standing and block.kind == PARAGRAPH:
                q = standing[0]
                c = add(ClaimKind.QUOTE, q.start, q.end)
                made = [c] if c else []
            else:
                kind = ClaimKind.QUOTE if block.kind == QUOTE else ClaimKind.SENTENCE
                # A closing bare domain ("… realities. example.com") is the source, not part of a sentence.
                cut = min(
                    (c.start for c in within(block.start + 1, block.end) if c.found_by == FoundBy.PARAGRAPH_OUTLET),
                    default=block.end,
                )
                for s, e in split_sentences(text[block.start : cut], block.start):
                    c = add(kind, s, e)
                    if c:
                        made.append(c)
        by_block.append((block, made))

    for block, made in by_block:
        if not made:
            continue
        inside = within(block.start, max(block.end, block.start + 1))
        for claim in made:
            _link_inline(claim, inside, block)
        ending = [c for c in inside if c.kind == Kind.OUTLET and c.found_by == FoundBy.PARAGRAPH_OUTLET]
        for claim in made:
            for o in ending:
                if not any(link.citation == o.id for link in claim.citations):
                    claim.citations.append(
                        ClaimLink(o.id, LinkRule.PARAGRAPH_OUTLET, CONFIDENCE[LinkRule.PARAGRAPH_OUTLET])
                    )
    _link_announced_videos(text, claims, ordered)
    link_supports(claims)
    return claims


def _link_announced_videos(text: str, claims: list[Claim], citations: list[Citation]) -> None:
    """A video no claim contains, placed right after a sentence: that sentence cites it when it
    announces a video, or when the video is a "Watch …" line's (which announces itself)."""
    linked = {link.citation for c in claims for link in c.citations}
    ends = [c.end for c in claims]
    for v in citations:
        if v.kind != Kind.VIDEO or v.parent is not None or v.id in linked:
            continue
        i = bisect_left(ends, v.start + 1) - 1
        if i < 0 or text[claims[i].end : v.start].strip():
            continue
        claim = claims[i]
        if v.found_by == FoundBy.WATCH_LINE or _ANNOUNCES.search(claim.text):
            claim.citations.append(ClaimLink(v.id, LinkRule.ANNOUNCED_VIDEO, CONFIDENCE[LinkRule.ANNOUNCED_VIDEO]))


def _link_inline(claim: Claim, inside: list[Citation], block: Block) -> None:
    """Links found within a claim's span (or, for a standing quotation, its attribution after it)."""
    if claim.kind == ClaimKind.POST:
        return  # a post's links are cited through the post
    end = block.end if claim.kind == ClaimKind.QUOTE else claim.end
    for c in inside:
        if not (claim.start <= c.start < end or (c.start == c.end == claim.end)):
            continue
        if c.kind in (Kind.LINK, Kind.SHORT_LINK, Kind.VIDEO, Kind.TWEET):
            if c.parent is None:
                claim.citations.append(ClaimLink(c.id, LinkRule.INLINE, CONFIDENCE[LinkRule.INLINE]))
        elif c.kind == Kind.QUOTE:
            claim.citations.append(
                ClaimLink(c.id, LinkRule.QUOTE_ATTRIBUTION, CONFIDENCE[LinkRule.QUOTE_ATTRIBUTION])
            )
        elif c.kind == Kind.OUTLET and c.found_by == FoundBy.ACCORDING_TO:
            if not any(q.citation == c.id for q in claim.citations):
                conf = CONFIDENCE[LinkRule.ACCORDING_TO] * (0.8 if c.cue in WEAK_CUES else 1.0)
                claim.citations.append(ClaimLink(c.id, LinkRule.ACCORDING_TO, conf))


_POSSESSIVE = re.compile(r"'s$")
_SUFFIXES = (("ing", 3), ("ed", 2), ("es", 2), ("s", 1))


@lru_cache(maxsize=16384)  # the same words recur across a page's sentences and summaries
def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if "'s" in w:  # what _POSSESSIVE can match: the search only where it may find something
        w = _POSSESSIVE.sub("", w)
    n = len(w)
    for suffix, cut in _SUFFIXES:
        if n > cut + 3 and w.endswith(suffix):
            return w[:-cut]
    return w


@lru_cache(maxsize=32768)
def _content_stem(word: str) -> str | None:
    """The stem of a word that carries content; None for a stopword or a short word of a spaced script."""
    if word.lower() in STOPWORDS or not (len(word) > 2 or is_unspaced(word)):
        return None
    return _stem(word)


def content_words(text: str) -> set[str]:
    stems = set(map(_content_stem, words(text)))
    stems.discard(None)
    return cast(set[str], stems)  # None, the one non-stem, is gone


def _may_share_two(text: str, wanted: set[str]) -> bool:
    """Whether two stems of `wanted` may be among the text's content words: a stem is a prefix of its word
    lower-cased ("’" read as "'"), so two stems not both in the lower-cased text cannot be. A text whose
    words are character pairs (an unspaced script, the test `words` makes) or whose capital sigma lowers
    by its neighbours is taken as it is."""
    if "Σ" in text or has_unspaced(text):
        return True
    low = text.lower().replace("’", "'")
    found = 0
    for stem in wanted:
        if stem in low:
            found += 1
            if found == 2:
                return True
    return False


def link_supports(claims: list[Claim]) -> None:
    """Summary claims (headline, dek, bullets) supported by body sentences saying the same thing."""
    body = [c for c in claims if c.kind in (ClaimKind.SENTENCE, ClaimKind.QUOTE, ClaimKind.POST)]
    body = body[:MAX_BODY_FOR_SUPPORT]
    summaries = [c for c in claims if c.kind in (ClaimKind.HEADLINE, ClaimKind.DEK, ClaimKind.BULLET)]
    # Only the words some summary holds are indexed: the others are never looked up.
    summary_words = [(claim, content_words(claim.text)) for claim in summaries[:MAX_SUMMARIES]]
    wanted: set[str] = set()
    for _, mine in summary_words:
        if len(mine) >= 2:
            wanted |= mine
    index: dict[str, list[Claim]] = {}
    for other in body if wanted else ():
        if not _may_share_two(other.text, wanted):
            continue  # fewer than two wanted words: it shares fewer than two with every summary (see `scored`)
        for w in content_words(other.text) & wanted:
            index.setdefault(w, []).append(other)
    for claim, mine in summary_words:
        if len(mine) < 2:
            continue
        shared_count: dict[int, int] = {}
        by_id: dict[int, Claim] = {}
        for w in mine:
            for other in index.get(w, ()):
                shared_count[other.id] = shared_count.get(other.id, 0) + 1
                by_id[other.id] = other
        scored = [
            (n / len(mine), by_id[cid])
            for cid, n in shared_count.items()
            if n >= 2 and n / len(mine) >= SUPPORT_THRESHOLD
        ]
        scored.sort(key=lambda x: (-x[0], x[1].id))
        for score, other in scored[:MAX_SUPPORTERS]:
            claim.supported_by.append((other.id, round(score, 3)))
            for link in other.citations:
                claim.citations.append(
                    ClaimLink(link.citation, LinkRule.SUPPORTS, link.confidence * score, via=other.id)
                )


# --- grading --------------------------------------------------------------------------------

_RANK = [
    ClaimStatus.VERIFIED,
    ClaimStatus.TRACED,
    ClaimStatus.ARCHIVED,
    ClaimStatus.SOURCED,
    ClaimStatus.VAGUE,
    ClaimStatus.BROKEN,
    ClaimStatus.DISPUTED,
    ClaimStatus.UNSOURCED,
]


def best(statuses: Iterable[ClaimStatus | str]) -> ClaimStatus:
    """The best of several statuses (verified > traced > archived > sourced > vague > broken > disputed > unsourced)."""
    found = [ClaimStatus(s) for s in statuses]
    return min(found, key=_RANK.index) if found else ClaimStatus.UNSOURCED


def children_index(citations_by_id: Mapping[int, Citation]) -> dict[int, list[Citation]]:
    """parent id → child citations (a tweet's links, an outlet's quotes)."""
    children: dict[int, list[Citation]] = {}
    for c in citations_by_id.values():
        if c.parent is not None:
            children.setdefault(c.parent, []).append(c)
    return children


def _reach(cited: list[int], citations_by_id: Mapping[int, Citation],
           children: Mapping[int, list[Citation]]) -> list[Citation]:
    """The cited citations, their descendants (a tweet's t.co links) and a quote's parent outlet."""
    seen: dict[int, Citation] = {}
    stack = [cid for cid in cited if cid in citations_by_id]
    while stack:
        cid = stack.pop()
        if cid in seen or cid not in citations_by_id:
            continue
        c = citations_by_id[cid]
        seen[cid] = c
        stack.extend(child.id for child in children.get(cid, []))
        if c.kind == Kind.QUOTE and c.parent is not None:
            stack.append(c.parent)
    return list(seen.values())


def _grade_citations(
    cited: list[int],
    citations_by_id: Mapping[int, Citation],
    url_state: Mapping[str, tuple[Status, bool]] | None,
    children: dict[int, list[Citation]],
) -> ClaimStatus:
    """Archived or sourced when a cited page is alive; broken only when every cited page was checked
    and is gone; sourced when a page could not be checked (a failed network never downgrades a claim);
    vague when no specific page is cited at all."""
    reached = _reach(cited, citations_by_id, children)
    if not reached:
        return ClaimStatus.UNSOURCED
    pages = [c.url for c in reached if c.url and Kind(c.kind).is_page]
    if not pages:
        return ClaimStatus.VAGUE
    states = [(url_state or {}).get(u) for u in pages]
    alive = [s for s in states if s is not None and Status(s[0]) is Status.ALIVE]
    if alive:
        return ClaimStatus.ARCHIVED if any(archived for _, archived in alive) else ClaimStatus.SOURCED
    if all(s is not None and Status(s[0]).is_broken for s in states):
        return ClaimStatus.BROKEN
    return ClaimStatus.SOURCED


def grade(
    claim: Claim, citations_by_id: Mapping[int, Citation], url_state: Mapping[str, tuple[Status, bool]] | None
) -> ClaimStatus:
    """A claim's status from its citations and what resolving their URLs found.

    `url_state` maps a URL to (its resolution Status, whether an archived copy exists); None means
    nothing has been resolved yet. A claim with only `supports` links takes the best status of
    its supporters (each graded on the citations inherited through it).
    """
    return _grade(claim, citations_by_id, url_state, children_index(citations_by_id))


def grade_all(
    claims: list[Claim],
    citations_by_id: Mapping[int, Citation],
    url_state: Mapping[str, tuple[Status, bool]] | None,
    checks: Mapping[int, list[str]] | None = None,
    traced: set[int] | None = None,
) -> None:
    """Set every claim's status; the citation tree is indexed once for the whole article.

    `checks` maps a claim id to the verdicts of its quote and passage checks (see `with_checks`);
    `traced` holds the citations tracing traced (a candidate page verified the claim)."""
    children = children_index(citations_by_id)
    for claim in claims:
        status = with_checks(_grade(claim, citations_by_id, url_state, children), (checks or {}).get(claim.id, []))
        claim.status = with_tracing(status, claim, citations_by_id, children, traced or set())


def with_tracing(status: ClaimStatus, claim: Claim, citations_by_id: Mapping[int, Citation],
                 children: dict[int, list[Citation]], traced: set[int]) -> ClaimStatus:
    """What tracing adds: a claim that was vague (or sourced only through the status URL tracing found
    for a pasted tweet) is `traced` when a citation it rests on was traced to a page that verified it."""
    if not traced or status not in (ClaimStatus.VAGUE, ClaimStatus.SOURCED):
        return status
    direct = [link.citation for link in claim.citations if link.rule != LinkRule.SUPPORTS]
    reached = _reach(direct or [link.citation for link in claim.citations], citations_by_id, children)
    if not any(c.id in traced for c in reached):
        return status
    if status is ClaimStatus.SOURCED and any(c.url and Kind(c.kind).is_page and c.id not in traced for c in reached):
        return status  # a page of its own cited it: tracing adds nothing to its grade
    return ClaimStatus.TRACED


def with_checks(status: ClaimStatus, verdicts: Iterable[str]) -> ClaimStatus:
    """What reading the cited page adds: `verified` when a quote or passage check found the words at a
    cited source, else `disputed` when a quote check found them altered; otherwise the links decide."""
    found = {Verdict(v) for v in verdicts}
    if any(v.is_found for v in found):
        return ClaimStatus.VERIFIED
    if Verdict.ALTERED in found:
        return ClaimStatus.DISPUTED
    return status


def _grade(claim: Claim, citations_by_id: Mapping[int, Citation],
           url_state: Mapping[str, tuple[Status, bool]] | None,
           children: dict[int, list[Citation]]) -> ClaimStatus:
    direct = [link.citation for link in claim.citations if link.rule != LinkRule.SUPPORTS]
    if direct:
        return _grade_citations(direct, citations_by_id, url_state, children)
    via: dict[int, list[int]] = {}
    for link in claim.citations:
        if link.rule == LinkRule.SUPPORTS:
            via.setdefault(link.via if link.via is not None else -1, []).append(link.citation)
    if via:
        return best(_grade_citations(ids, citations_by_id, url_state, children) for ids in via.values())
    return ClaimStatus.UNSOURCED
