"""Extract: an Article in, its citations and claims out (no network, no database)."""

from __future__ import annotations

from ..models import Article, Extraction


def extract(article: Article) -> Extraction:
    """Every citation and claim of one article."""
    raise NotImplementedError("extraction is being built")
