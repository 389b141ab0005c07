"""Page metadata: title, canonical URL, published date, outlet name, author.

Read from what publishers put there for machines (JSON-LD, Open Graph, `<meta>`,
`<link rel=canonical>`, `<time>`), in that order of trust. htmldate is only a
fallback, run on the parsed tree without its extensive search, and never with a
URL (so it cannot fetch).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .. import quirks
from .outlet_names import name_for_domain

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class Metadata:
    title: str | None = None
    canonical_url: str | None = None
    base_url: str | None = None
    published: str | None = None
    outlet: str | None = None
    author: str | None = None
    description: str | None = None
    language: str | None = None
    article_body: str | None = None


_META_ATTRS = ("property", "name", "itemprop")


def _meta_index(root) -> dict[tuple[str, str], str]:
    """(attribute, value) → the first non-empty content of the page's <meta> elements carrying it: the
    page's <meta> elements read once, so that each look-up is a dict's rather than a pass over them all."""
    found: dict[tuple[str, str], str] = {}
    for el in root.iter("meta"):
        content = (el.get("content") or "").strip()
        if not content:
            continue
        for attr in _META_ATTRS:
            value = el.get(attr)
            if value is not None:
                found.setdefault((attr, value), content)
    return found


def _meta(metas: dict[tuple[str, str], str], *names: str) -> str | None:
    """The first non-empty content of a <meta> naming one of `names`: by name, then attribute, then page order."""
    for name in names:
        for attr in _META_ATTRS:
            content = metas.get((attr, name))
            if content:
                return content
    return None


def _json_ld(root) -> list[dict]:
    """Every JSON-LD object on the page, @graph flattened; broken blocks skipped."""
    found: list[dict] = []
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return found


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    return {str(x) for x in (t if isinstance(t, list) else [t]) if x}


def _name_of(value) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name_of(v) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        return _name_of(value.get("name"))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def iso_date(value: str | None) -> str | None:
    m = _DATE.search(value or "")
    if not m:
        return None
    y, mo, d = map(int, m.groups())
    if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def read(root, page_url: str | None = None) -> Metadata:
    md = Metadata()
    articles = [
        o
        for o in _json_ld(root)
        if _types(o)
        & {
            "NewsArticle",
            "Article",
            "BlogPosting",
            "ReportageNewsArticle",
            "LiveBlogPosting",
            "AnalysisNewsArticle",
            "OpinionNewsArticle",
            "WebPage",
            "TechArticle",
        }
    ]
    articles.sort(key=lambda o: "WebPage" in _types(o))  # a real article first
    ld = articles[0] if articles else {}

    canonical = None
    for link in root.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    metas = _meta_index(root)
    og_url = _meta(metas, "og:url")
    base_el = root.find(".//base[@href]")
    base_href = base_el.get("href").strip() if base_el is not None else None
    anchor = page_url or canonical or og_url
    md.canonical_url = quirks.absolute(canonical, anchor) if canonical else quirks.absolute(og_url, anchor)
    md.canonical_url = md.canonical_url or page_url
    # Relative links resolve against <base>, else the canonical URL, else og:url, else where it was fetched.
    for cand in (base_href, canonical, og_url, page_url):
        resolved = quirks.absolute(cand, anchor) if cand else None
        if resolved and quirks.is_http(resolved):
            md.base_url = resolved
            break

    title_el = root.find(".//title")
    md.title = (
        _meta(metas, "og:title", "twitter:title")
        or _name_of(ld.get("headline"))
        or (title_el.text_content().strip() if title_el is not None else None)
    )
    if md.title:
        md.title = re.sub(r"\s+", " ", md.title).strip()

    md.published = iso_date(
        ld.get("datePublished") if isinstance(ld.get("datePublished"), str) else None
    ) or iso_date(
        _meta(
            metas,
            "article:published_time",
            "datePublished",
            "pubdate",
            "publishdate",
            "date",
            "DC.date.issued",
            "dc.date",
            "sailthru.date",
            "parsely-pub-date",
            "og:published_time",
            "publish-date",
        )
    )
    if not md.published:
        for t in root.iterfind(".//time[@datetime]"):
            md.published = iso_date(t.get("datetime"))
            if md.published:
                break
    if not md.published:
        md.published = _htmldate(root)

    publisher = ld.get("publisher")
    md.outlet = _outlet_name(
        _meta(metas, "og:site_name", "application-name"), _name_of(publisher), md.canonical_url
    )
    md.author = _clean_author(
        _name_of(ld.get("author")) or _meta(metas, "author", "article:author", "parsely-author")
    )
    md.description = _meta(metas, "og:description", "description", "twitter:description")
    body = ld.get("articleBody")
    md.article_body = body if isinstance(body, str) else None
    html_el = root if root.tag == "html" else root.find(".//html")
    md.language = (html_el.get("lang") if html_el is not None else None) or _meta(metas, "og:locale")
    return md


def _outlet_name(site_name: str | None, publisher: str | None, canonical: str | None) -> str | None:
    """The brand: og:site_name unless it is a bare lowercase stub ("nj"), then the outlet table's name
    for the page's domain, then the JSON-LD publisher, then the host."""
    host = quirks.host(canonical)
    if site_name and not (site_name.islower() and len(site_name) <= 4 and "." not in site_name):
        return site_name.strip()
    return (name_for_domain(host) if host else None) or publisher or site_name or host or None


def _clean_author(author: str | None) -> str | None:
    """'Analysis by Jane Doe' → 'Jane Doe'; 'Jane Doe | Desk name' → 'Jane Doe'; a URL is no name."""
    if not author or author.startswith("http"):
        return None
    author = re.sub(
        r"^(?:(?:news\s+)?analysis\s+|opinion\s+|commentary\s+)?by\s+", "", author.strip(), flags=re.I
    )
    author = re.split(r"\s+[|–—]\s+", author)[0].strip()
    head, _, tail = author.partition(", ")
    if tail and len(head.split()) >= 2 and not re.match(r"(?:jr|sr|ii|iii)\b", tail, re.I):
        author = head  # "Jane Doe, Senior Editor": the name, not the title
    return author or None


def _htmldate(root) -> str | None:
    """htmldate's fast pass on the tree we already have; it gets no URL, so it cannot fetch."""
    try:
        from htmldate import find_date

        found = find_date(root, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # a date is a hint; a failure here never stops extraction
        return None
    return iso_date(found)
