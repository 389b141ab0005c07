"""Rank an outlet's archived pages by how well their address and title fit the claim.

Story URLs carry their headline as a slug (`/2019/11/18/trump-sings-for-the-fences/`), and a
news sitemap gives the title itself; both are compared, word stem by word stem, with the
sentence that names the outlet (worth double) and with the article's key terms (its title and
its most frequent content words). A lexical ranking only: the check stage decides.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import unquote, urlsplit

from ..check.passages import terms

# Words every story path holds, which say nothing about the story.
PATH_NOISE = frozenset(
    "www html htm php aspx asp shtml index amp story stories news article articles post posts id "
    "content section sections category tag tags politics world us uk local blog blogs live video "
    "videos cms print default en".split())
SLUG_WORD = re.compile(r"[^\W\d_]{2,}")


def slug_terms(url: str) -> list[str]:
    """The stemmed words of a URL's path: the headline most story addresses carry."""
    path = unquote(urlsplit(url).path).lower()
    words = [w for w in SLUG_WORD.findall(path.replace("_", " ")) if w not in PATH_NOISE]
    return terms(" ".join(words))


def key_terms(title: str | None, text: str, count: int = 12) -> frozenset[str]:
    """The article's title words and its most frequent content words."""
    frequent = [w for w, _ in Counter(terms(text)).most_common(count)]
    return frozenset(terms(title or "")) | frozenset(frequent)


def score(url: str, title: str | None, claim: frozenset[str], key: frozenset[str]) -> float:
    """0-1: the share of the candidate's words the claim (double) or the article's key terms hold."""
    words = set(slug_terms(url)) | set(terms(title or ""))
    if not words:
        return 0.0
    hits = sum(2.0 if w in claim else 1.0 if w in key else 0.0 for w in words)
    # Matched words count in full; a long slug's unmatched words dilute only a little.
    return round(min(1.0, hits / (2.0 * math.sqrt(len(words)) + 2.0)), 4)
