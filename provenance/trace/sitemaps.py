"""An outlet's news sitemaps, as archived: URLs, titles and dates for the days around a story.

Google News sitemaps (`<url><loc>…<news:news><news:title>…<news:publication_date>`) list a
site's stories of the last two days; an archived copy from the window names the stories of
exactly those days, with their titles, which rank far better than a slug alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree

# Where outlets put them; each is one CDX prefix query.
SITEMAP_PATHS = ("news-sitemap", "sitemap_news", "sitemap")
MAX_ENTRIES = 5000


@dataclass(frozen=True)
class Entry:
    url: str
    title: str | None
    published: str | None  # as the sitemap writes it (an ISO date or date-time)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def parse(xml: bytes) -> list[Entry]:
    """The stories a sitemap lists; an unreadable or oversized document lists none."""
    if b"<!DOCTYPE" in xml[:2000] or b"<!ENTITY" in xml[:2000]:
        return []  # no entity expansion from an archived file
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return []
    out: list[Entry] = []
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc = title = published = None
        for el in node.iter():
            name = _local(el.tag)
            text = (el.text or "").strip() or None
            if name == "loc" and loc is None:
                loc = text
            elif name == "title":
                title = text
            elif name in ("publication_date", "lastmod") and published is None:
                published = text
        if loc and re.match(r"https?://", loc):
            out.append(Entry(loc, title, published))
        if len(out) >= MAX_ENTRIES:
            break
    return out


def is_sitemap(url: str, mimetype: str | None) -> bool:
    """A capture that is a sitemap document (not an HTML page under a /sitemap path)."""
    return "xml" in (mimetype or "") or url.lower().split("?")[0].endswith(".xml")
