"""Extract: an Article in, its citations and claims out (no network, no database).

HTML pages and pasted text each have a reader that writes the article's plain
text and finds links and embeds; outlet citations and quotations are then found
in that text the same way for both, and `claims` cuts it into graded claims.
"""

from __future__ import annotations

from ..models import Article, Citation, Extraction
from .document import Block
from .html import read_html
from .outlets import find_outlets
from .quotes import find_quotes
from .text import cite_bare_urls, read_text

__all__ = ["extract"]


def extract(article: Article) -> Extraction:
    """Every citation and claim of one article, claims graded as if nothing had been resolved yet."""
    from ..claims import build_claims, grade  # claims reads this package's block kinds

    notes = list(article.notes)
    if article.is_html:
        doc, md, html_notes = read_html(article.content, article.url)
        cite_bare_urls(doc)
        find_outlets(doc, md.outlet, md.canonical_url or article.url, headline_is_text=False)
        notes += html_notes
        ex = Extraction(
            source=article.source,
            text=doc.text,
            title=md.title,
            published=md.published,
            canonical_url=md.canonical_url,
            outlet=md.outlet,
            author=md.author,
            language=md.language,
            notes=notes,
        )
    else:
        doc = read_text(article.content)
        find_outlets(doc, None, article.url)
        first = doc.blocks[0] if doc.blocks else None
        ex = Extraction(
            source=article.source,
            text=doc.text,
            notes=notes,
            title=doc.text[first.start : first.end] if first else None,
        )
    find_quotes(doc)
    ex.citations = in_text_order(doc.citations, doc.blocks)
    by_id = {c.id: c for c in ex.citations}
    ex.claims = build_claims(ex.text, doc.blocks, ex.citations)
    for claim in ex.claims:
        claim.status = grade(claim, by_id, None)
    return ex


def in_text_order(citations: list[Citation], blocks: list[Block] = ()) -> list[Citation]:
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
