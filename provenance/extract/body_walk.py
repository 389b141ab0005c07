"""The walk over a body's tree that writes the article's text, its blocks, links and embeds.

The walk is iterative (pages nest thousands of levels deep and must not hit the
recursion limit) and writes the article's plain text as it goes, so every link,
tweet and video gets its offsets at the moment it is met. What `boilerplate` calls
page furniture is stepped over, keeping only an embedded tweet or video inside it.
"""

from __future__ import annotations

import re
from typing import Any

from .. import quirks
from ..models import FoundBy, Kind
from . import embeds
from .boilerplate import PLAYER_NAMES, SKIP_TAGS, class_names, inline_label, is_boilerplate_element, is_boilerplate_line
from .document import (
    BOILERPLATE,
    BULLET,
    CAPTION,
    HEADING,
    PARAGRAPH,
    QUOTE,
    Document,
    InlineBuffer,
)
from .metadata import Metadata

_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Elements that start a new block of text.
_BLOCKS = _HEADINGS | frozenset(
    "p div section article header main li ul ol blockquote figure figcaption table tr td th tbody thead pre "
    "dl dt dd hr center address details summary caption".split()
)
BULLET_MARK = re.compile(r"^(?:[•·▪‣◦]|[-–*](?=\s))\s*\S")


class BodyWalker:
    """Writes the body into a Document: blocks, link citations and embeds."""

    def __init__(self, doc: Document, md: Metadata) -> None:
        self.doc = doc
        self.md = md
        self.buf = InlineBuffer()
        self.kinds: list[str] = [PARAGRAPH]
        self.seen_paragraph = False
        self.open_anchors: dict[int, tuple[int, str | None, object]] = {}
        self._canonical: tuple[str | None, str] | None = None
        self._link_kinds: dict[tuple[str, str | None, str | None, bool], Kind | None] = {}

    # -- blocks ---------------------------------------------------------------------------
    def flush(self) -> None:
        if not self.open_anchors and not self.buf.chars and not self.buf.anchors:
            return  # nothing written and no link open since the last flush: most block ends
        # A link that spans a block boundary (broken markup, <a> around a <div>) is cut here and
        # kept, its later part belonging to the next block only if this one held none of its text.
        for key, (start, url, el) in list(self.open_anchors.items()):
            if url and self.buf.length > start:
                text = self.buf.text_since(start).strip()
                if text:
                    self.buf.anchors.append((start, self.buf.length, url, text))
                    self.open_anchors[key] = (0, None, el)
                    continue
            self.open_anchors[key] = (0, url, el)
        text, anchors = self.buf.flush()
        if not text:
            return
        kind = self.kinds[-1]
        if kind == PARAGRAPH and BULLET_MARK.match(text):
            kind = BULLET
        if kind in (PARAGRAPH, BULLET) and len(text) < 300 and is_boilerplate_line(text):
            kind = BOILERPLATE
        block = self.doc.add_block(kind, text, anchors)
        if block is None:
            return
        if kind == PARAGRAPH:
            self.seen_paragraph = True
        if kind == BOILERPLATE:
            return
        for a in block.anchors:
            self.cite_link(a.url, a.text, a.start, a.end)

    def _canonical_key(self) -> str:
        """The page's own URL as `quirks.dedup_key` writes it, computed once per page."""
        if self._canonical is None or self._canonical[0] != self.md.canonical_url:
            self._canonical = (self.md.canonical_url, quirks.dedup_key(self.md.canonical_url or ""))
        return self._canonical[1]

    def cite_link(self, url: str, text: str, start: int, end: int, parent: int | None = None):
        page = self.md.canonical_url or self.md.base_url
        key = (url, page, self.md.canonical_url, parent is None)
        kinds = self._link_kinds
        if key not in kinds:
            kinds[key] = self._link_kind(url, page, parent is None)
        kind = kinds[key]
        if kind is None:
            return None
        return self.doc.cite(kind, text, start, end, url=url, parent=parent, found_by=FoundBy.LINK,
                             element="a", attribute="href")

    def _link_kind(self, url: str, page: str | None, top_level: bool) -> Kind | None:
        """What a link to `url` is cited as, None when it is no citation: read once per URL and page (a
        page repeats its links: menus, tag lists, the same source cited again), the rules being of the
        URL and the page alone."""
        if not quirks.is_http(url) or quirks.is_share_or_follow(url):
            return None
        if quirks.is_image_file(url) and (not page or quirks.same_site(url, page)):
            return None  # the site's own photo ("enlarge this image"); another site's chart may be a source
        if top_level and (quirks.is_navigation(url, page) or quirks.is_recirculation(url, page)):
            return None
        if top_level and self.md.canonical_url and quirks.dedup_key(url) == self._canonical_key():
            return None
        return Kind.SHORT_LINK if quirks.is_short_link(url) else Kind.LINK

    # -- the walk ---------------------------------------------------------------------------
    def walk(self, top) -> None:
        ENTER, END, TEXT = 0, 1, 2
        stack: list[tuple[int, Any]] = [(ENTER, top)]  # an element, or text for TEXT (never empty text)
        push, pop = stack.append, stack.pop
        open_anchors = self.open_anchors
        base = self.md.base_url
        buf = self.buf
        add = buf.add
        # Read once per element of every page walked: bound here, not looked up each time.
        embed_of, is_furniture, blocks = embeds.match, is_boilerplate_element, _BLOCKS
        while stack:
            op, x = pop()
            if op == TEXT:
                add(x)
                continue
            el = x
            if op == END:
                tag = el.tag
                if tag == "a":
                    opened = open_anchors.pop(id(el), None)
                    if opened is not None:
                        start, url, _ = opened
                        if url and buf.length > start:
                            text = buf.text_since(start).strip()
                            if text:
                                buf.anchors.append((start, buf.length, url, text))
                elif tag in blocks:
                    self.flush()
                    if len(self.kinds) > 1:
                        self.kinds.pop()
                continue
            tag = el.tag
            tail = el.tail
            if not isinstance(tag, str):  # comments, processing instructions
                if tail:
                    push((TEXT, tail))
                continue
            tag = tag.lower()
            if el is not top:
                embed = embed_of(el)
                if embed is not None:
                    self.flush()
                    embeds.cite(embed, el, self, base)
                    if tail:
                        push((TEXT, tail))
                    continue
                if is_furniture(el):
                    self._tweets_inside(el, base)
                    if tail:
                        push((TEXT, tail))
                    label = inline_label(el) if buf.length else None
                    if label:
                        push((TEXT, label))
                    continue
            if tag == "br":
                buf.newline()
                if tail:
                    push((TEXT, tail))
                continue
            if tag in blocks:
                self.flush()
                self.kinds.append(self._block_kind(el, tag))
            if tag == "a":
                url = quirks.absolute(el.get("href"), base)
                open_anchors[id(el)] = (buf.length, url, el)
            if tail and el is not top:
                push((TEXT, tail))
            push((END, el))
            for child in reversed(el):
                push((ENTER, child))
            if el.text:
                push((TEXT, el.text))
        self.flush()

    def _tweets_inside(self, el, base: str | None) -> None:
        """An embedded tweet in an aside or a social wrapper inside the body is still the article's,
        and so is a third-party video inside a player box named like the site's own."""
        names = class_names(el).lower()
        if PLAYER_NAMES.search(names) and el.tag not in SKIP_TAGS:
            for frame in el.iter("iframe", "amp-youtube", "lite-youtube", "amp-vimeo"):
                src = embeds.source(frame)
                if src and (quirks.video_url(src) or embeds.wrapped_video(frame, src)):
                    self.flush()
                    embeds.cite("iframe", frame, self, base)
            return
        if "comment" in names or not (el.tag == "aside" or re.search(r"tweet|twitter|social|embed", names)):
            return
        for quote in el.iter("blockquote"):
            if embeds.match(quote) == "tweet":
                self.flush()
                embeds.cite("tweet", quote, self, base)

    def _block_kind(self, el, tag: str) -> str:
        if tag in _HEADINGS:
            return HEADING
        if tag in ("figcaption", "caption", "figure", "td", "th", "tr", "table", "dt", "dd"):
            return CAPTION
        if tag == "blockquote":
            return QUOTE
        if tag == "li":
            return BULLET if not self.seen_paragraph else PARAGRAPH
        parent_kind = self.kinds[-1]
        return parent_kind if parent_kind in (CAPTION, QUOTE, HEADING, BULLET) else PARAGRAPH

