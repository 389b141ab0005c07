"""Extract: an Article in, its citations and claims out (no network, no database).

HTML pages and pasted text each have a reader that writes the article's plain
text and finds links and embeds; outlet citations and quotations are then found
in that text the same way for both, and `claims` cuts it into graded claims.

    html             an HTML page read: size cap, fallbacks when the body fails, with notes
    body, metadata   parsing and finding the body; title, site name, canonical URL
    body_walk        the walk writing the body's text, blocks, links and embeds
    boilerplate      what in the body is page furniture, promo lines, lists of other stories
    embeds           tweets, videos and posts embedded in the page
    text             pasted text read into blocks, with its bare URLs
    outlets          outlet citations: a mention weighed against the attribution cue around it
    outlet_mentions  where a block names what may be an outlet
    outlet_evidence  what shows a name the table lacks to be an outlet
    outlet_names     the outlet name table (data) and how outlet names are compared
    attribution      the cue words around a name; people: what marks a person's name
    quotes           quotations and their speakers
    document         the Document the readers write and the finders read

Each later stage is guarded: if one fails on a strange page, its failure is
logged and noted on the Extraction and the rest is still extracted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..claims import build_claims, grade_all
from ..models import Article, Citation, Extraction
from .document import Block, Document
from .html import read_html
from .metadata import Metadata
from .outlets import find_outlets
from .quotes import find_quotes
from .text import cite_bare_urls, read_text

__all__ = ["extract"]

log = logging.getLogger("provenance")

# Characters of pasted text read at most (HTML has its own cap in html.py).
MAX_TEXT_CHARS = 2_000_000


def _guarded(notes: list[str], stage: str, fn, *args, **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except Exception as e:  # one stage's failure must not lose the rest of the article
        log.warning("extract: %s failed: %s", stage, e, exc_info=True)
        notes.append(f"{stage} skipped after an error: {type(e).__name__}: {e}"[:300])


def extract(article: Article, exclude_outlets: frozenset[str] = frozenset()) -> Extraction:
    """Every citation and claim of one article, claims graded as if nothing had been resolved yet.

    `exclude_outlets` leaves those outlets out of the outlet name table, to measure what the
    rules find on outlets the table does not know (bench/corpus.py --unseen).
    """
    notes = list(article.notes)
    md = Metadata()
    if article.is_html:
        doc, md, html_notes = read_html(article.content, article.url)
        notes += html_notes
        own_url = md.canonical_url or article.url
        _guarded(notes, "bare URLs", cite_bare_urls, doc, own_url)
        _guarded(
            notes, "outlets", find_outlets, doc, md.outlet, own_url, headline_is_text=False, exclude=exclude_outlets
        )
        title = (
            doc.text[doc.blocks[0].start : doc.blocks[0].end]
            if doc.blocks and doc.blocks[0].kind == "headline"
            else md.title
        )
    else:
        content = article.content
        if len(content) > MAX_TEXT_CHARS:  # an article is at the start; the rest is noted as cut
            content = content[:MAX_TEXT_CHARS]
            notes.append(f"text cut at {MAX_TEXT_CHARS} characters")
        doc = read_text(content)
        _guarded(notes, "outlets", find_outlets, doc, None, article.url, exclude=exclude_outlets)
        first = doc.blocks[0] if doc.blocks else None
        title = doc.text[first.start : first.end] if first else None
    _guarded(notes, "quotations", find_quotes, doc)
    ex = Extraction(
        source=article.source,
        text=doc.text,
        title=title,
        published=md.published,
        canonical_url=md.canonical_url,
        outlet=md.outlet,
        author=md.author,
        language=md.language,
        notes=notes,
    )
    ex.citations = in_text_order(doc.citations, doc.blocks)
    by_id = {c.id: c for c in ex.citations}
    _guarded(notes, "claims", _claims, ex, doc, by_id)
    return ex


def _claims(ex: Extraction, doc: Document, by_id: dict[int, Citation]) -> None:
    ex.claims = build_claims(ex.text, doc.blocks, ex.citations)
    grade_all(ex.claims, by_id, None)


def in_text_order(citations: list[Citation], blocks: Sequence[Block] = ()) -> list[Citation]:
    """Citations renumbered 1…n in the order they appear, parents before the links inside them."""
    ordered = sorted(citations, key=lambda c: (c.start, c.parent is not None, c.id))
    new_id = {c.id: i for i, c in enumerate(ordered, 1)}
    for c in ordered:
        c.id = new_id[c.id]
        c.parent = new_id.get(c.parent) if c.parent is not None else None
    for b in blocks:
        if b.citation is not None:
            b.citation = new_id.get(b.citation)
    return ordered
