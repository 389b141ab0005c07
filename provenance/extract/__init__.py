"""Extract: an Article in, its citations and claims out (no network, no database)."""

from __future__ import annotations

from ..models import Article, Extraction
from .html import read_html


def extract(article: Article) -> Extraction:
    """Every citation and claim of one article."""
    doc, md, notes = read_html(article.content, article.url)
    return Extraction(source=article.source, text=doc.text, title=md.title, published=md.published,
                      canonical_url=md.canonical_url, outlet=md.outlet, author=md.author,
                      citations=doc.citations, notes=list(article.notes) + notes)
