"""HTML pages: the body's text, its links and its embeds, with a second reading when the body fails.

The page is cut at a size cap, parsed and its metadata read (`body`, `metadata`); the body
found is walked once (`body_walk`). A body that comes out implausibly small, or with no link
while another block of the page cites several sites, is read again another way, with a note.
"""

from __future__ import annotations

import re

from .. import quirks
from ..models import Kind
from . import body as bodyfinder
from . import embeds
from .body_walk import BodyWalker
from .boilerplate import drop_link_lists, is_boilerplate_element
from .document import BULLET, DEK, HEADLINE, PARAGRAPH, POST, QUOTE, Document
from .metadata import Metadata
from .metadata import read as read_metadata

# Characters of HTML read at most; the article is at the start and the rest is noted as cut.
MAX_HTML_CHARS = 6_000_000


def _headline(md: Metadata) -> str | None:
    """The title without a trailing " | Site name" (only when that part names the site)."""
    title = md.title
    if not title:
        return None
    m = re.match(r"^(?P<head>.+?)\s+[|–—-]\s+(?P<site>[^|–—]+)$", title)
    if m:
        last = m.group("site").lower()
        site = (md.outlet or "").lower()
        host = quirks.host(md.canonical_url).split(".")[0]
        if (site and (site in last or last in site)) or (host and host in re.sub(r"\W", "", last)):
            title = m.group("head")
    return title.strip() or None


# Characters of body text below which the body found is doubted, and a rescue is tried.
SMALL_BODY_CHARS = 400
_TEXT_KINDS = (PARAGRAPH, BULLET, QUOTE, POST)
_MARKUP_ONLY = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)
_KEEP_TAGS = re.compile(r"</?(?!(?:a|p|br|iframe|head|title|meta|link|html|body)\b)[a-z][\w:-]*\b[^>]*>", re.I)


def read_html(content: str, page_url: str | None = None) -> tuple[Document, Metadata, list[str]]:
    """The Document (text, blocks, citations) and metadata of one HTML page.

    A body that comes out implausibly small is not taken silently: the block holding most of the
    page's paragraphs is read instead, or, when the parser lost the text itself, the page with its
    markup reduced to paragraphs and links; either way a note says so.
    """
    notes: list[str] = []
    if content.count("\x00"):  # `in` seeks NUL in a two-byte str with memchr, stopped by each zero byte
        content = content.replace("\x00", "")
    if len(content) > MAX_HTML_CHARS:
        content = content[:MAX_HTML_CHARS]
        notes.append(f"HTML cut at {MAX_HTML_CHARS} characters")
    root = bodyfinder.parse(content, notes)
    md = read_metadata(root, page_url)
    bodies = bodyfinder.first_story(bodyfinder.find_body(root, md.article_body, md.description))
    bodies = bodyfinder.with_source_line(bodies)
    doc = _read_bodies(bodies, md)
    if _body_chars(doc) < SMALL_BODY_CHARS:
        declared = bodyfinder.is_declared(bodies, md.article_body)
        doc = _rescue(content, root, md, [] if declared else bodies, doc, notes)
    elif not any(c.kind in (Kind.LINK, Kind.SHORT_LINK) for c in doc.citations):
        if not bodyfinder.is_declared(bodies, md.article_body):
            doc = _links_elsewhere(root, md, bodies, doc, notes)
    return doc, md, notes


def _links(doc: Document) -> int:
    return sum(1 for c in doc.citations if c.kind in (Kind.LINK, Kind.SHORT_LINK) and c.parent is None)


def _links_elsewhere(root, md: Metadata, bodies: list, doc: Document, notes: list[str]) -> Document:
    """A body with no link at all, when the block holding most of the page's paragraphs cites several
    other sites: that block is read instead, and a note says so."""
    block = bodyfinder.largest_text_block(root)
    if block is None or any(block is b or block in b.iterancestors() for b in bodies):
        return doc
    page = md.canonical_url or md.base_url
    off_site = {
        url
        for p in block.iter("p")
        for a in p.iter("a")
        if (url := quirks.absolute(a.get("href"), md.base_url))
        and quirks.is_http(url)
        and not quirks.same_site(url, page)
    }
    if len(off_site) < 3:
        return doc
    other = _read_bodies([block], md)
    if _links(other) >= 3 and _body_chars(other) >= _body_chars(doc) / 2:
        notes.append(
            f"body held no links while the block holding most of the page's paragraphs cites {len(off_site)}"
            " other sites: that block was read instead"
        )
        return other
    return doc


def _read_bodies(bodies: list, md: Metadata) -> Document:
    doc = Document()
    headline = _headline(md)
    if headline:
        doc.add_block(HEADLINE, headline)
    first_text = ""
    for b in bodies:
        first_text = " ".join(b.text_content()[:600].split())
        break
    if md.description and md.description[:60] not in first_text and len(md.description) > 30:
        doc.add_block(DEK, " ".join(md.description.split()))
    walker = BodyWalker(doc, md)
    embeds.lead_videos(bodies, walker, md.base_url)
    for b in bodies:
        walker.kinds = [PARAGRAPH]
        walker.walk(b)
    embeds.stray_embeds(bodies, walker, md.base_url, is_boilerplate_element)
    drop_link_lists(doc, md.canonical_url or md.base_url)
    return doc


def _body_chars(doc: Document) -> int:
    return sum(b.end - b.start for b in doc.blocks if b.kind in _TEXT_KINDS)


def _rescue(content: str, root, md: Metadata, bodies: list, doc: Document, notes: list[str]) -> Document:
    """A second reading for a body that came out too small; the original when neither does better.

    `bodies` is empty when the page declared its body: then only a parser's loss is looked for.
    """
    found = _body_chars(doc)
    block = bodyfinder.largest_text_block(root) if bodies else None
    if block is not None and not any(block is b for b in bodies):
        other = _read_bodies([block], md)
        if _body_chars(other) >= max(2 * found, SMALL_BODY_CHARS):
            notes.append(
                f"body looked too small ({found} characters of text): read the block holding most of the"
                f" page's paragraphs instead ({_body_chars(other)} characters)"
            )
            return other
    visible = len(" ".join(_MARKUP_ONLY.sub(" ", content).split()))
    parsed = len(" ".join(root.text_content().split()))
    if parsed >= visible / 2 or visible < max(2 * found, SMALL_BODY_CHARS):
        notes.append(f"body is small ({found} characters of text) and no other reading found more")
        return doc  # the parser kept the page's text: the page is short, or its body is elsewhere
    plain_root = bodyfinder.parse(_KEEP_TAGS.sub(" ", content))
    plain = bodyfinder.find_body(plain_root, None, md.description)
    other = _read_bodies(plain, md)
    if _body_chars(other) >= max(2 * found, SMALL_BODY_CHARS):
        notes.append(
            f"body looked too small ({found} characters of text) beside the page's text: read the page with"
            f" its markup reduced to paragraphs and links ({_body_chars(other)} characters)"
        )
        return other
    notes.append(f"body is small ({found} characters of text) and no other reading found more")
    return doc
