"""Extract: an Article in, its citations and claims out (no network, no database)."""

from __future__ import annotations

from ..models import Article, Extraction
from .html import read_html
from .outlets import find_outlets
from .text import cite_bare_urls, read_text


def extract(article: Article) -> Extraction:
    """Every citation and claim of one article."""
    notes = list(article.notes)
    if article.is_html:
        doc, md, html_notes = read_html(article.content, article.url)
        cite_bare_urls(doc)
        find_outlets(doc, md.outlet, md.canonical_url)
        notes += html_notes
        ex = Extraction(source=article.source, text=doc.text, title=md.title, published=md.published,
                        canonical_url=md.canonical_url, outlet=md.outlet, author=md.author,
                        language=md.language, notes=notes)
    else:
        doc = read_text(article.content)
        find_outlets(doc, None, article.url)
        ex = Extraction(source=article.source, text=doc.text, notes=notes)
    ex.citations = doc.citations
    return ex
