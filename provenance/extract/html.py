"""HTML pages: the body's text, its links and its embeds, in one pass over the tree.

The walk is iterative (pages nest thousands of levels deep and must not hit the
recursion limit) and writes the article's plain text as it goes, so every link,
tweet and video gets its offsets at the moment it is met. Boilerplate inside the
body (share bars, bylines, related-story widgets, newsletter boxes, tag links)
is recognised by class names and by the words of short promo lines, and gives
no citations.
"""

from __future__ import annotations

import re
from typing import Any

from .. import quirks
from ..models import FoundBy, Kind
from . import body as bodyfinder
from . import embeds
from .document import (
    BOILERPLATE,
    BULLET,
    CAPTION,
    DEK,
    HEADING,
    HEADLINE,
    PARAGRAPH,
    POST,
    QUOTE,
    Document,
    InlineBuffer,
)
from .metadata import Metadata
from .metadata import read as read_metadata

# Characters of HTML read at most; the article is at the start and the rest is noted as cut.
MAX_HTML_CHARS = 6_000_000

# Never article text: scripts, forms, navigation, media players and page furniture.
_SKIP_TAGS = frozenset(
    "script style noscript template svg head title meta link form button select input textarea nav aside "
    "footer canvas map object audio video picture source math dialog menu".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Elements that start a new block of text.
_BLOCKS = _HEADINGS | frozenset(
    "p div section article header main li ul ol blockquote figure figcaption table tr td th tbody thead pre "
    "dl dt dd hr center address details summary caption".split()
)

BOILERPLATE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharebar|social|related|newsletter|subscribe|subscription|signup|byline|"
    r"author|authors|bio|comments?|disqus|advert|advertisement|ads?|adunit|dfp|promo|promoted|sponsor|"
    r"sponsored|disclaimer|tags?|tag-list|topics|breadcrumbs?|sidebar|rollover|hovercard|recirc|outbrain|"
    r"taboola|paywall|donate|contribute|contribution|interlude|more-stories|read-more|also-read|"
    r"screen-reader|sr-only|visually-hidden|print-only|caption|credit|credits|copyright|"
    r"trust|trusted|trusted-source|follow-us|footer|google-news|rating|toc|"
    # recirculation: related and trending lists, stories appended below the article
    r"trending|recommended|recommendations|next-?(?:story|stories|article|articles|post|posts)|up-?next|"
    r"read-?next|most-?(?:read|popular|viewed|shared)|more-?(?:in|from|stories|news|articles|posts)\w*)"
    r"(?:$|[\s_-])",
    re.I,
)
# The site's own video player and its playlist: chrome around the article (a third-party player
# inside one is still looked for, see `_embeds_inside`).
PLAYER_NAMES = re.compile(
    r"(?:^|[\s_-])(?:video-?(?:player|playlist|ct|container|wrapper|rail|carousel|thumbs)|featured-video|"
    r"instream|native-video|jw-?player|media-player|player-?(?:wrapper|container)|playlist)(?:$|[\s_-])",
    re.I,
)

# Short lines inside the body that are promos or taglines, not article text: some open the line, some
# may sit anywhere in it. The two halves are also searched apart (`is_boilerplate_line`), so that the
# opening ones are tried once at the start rather than at every position.
_BOILERPLATE_OPENING = (
    r"\W*(?:related|see also|also read|read also|read more|more from|recommended|sign up|subscribe to|"
    r"have a tip|leave a comment|click here|advertisement|get the latest|get our|join our|download our|"
    r"this story has been shared|share this|story continues|article continues|continue reading|"
    r"follow (?:us|him|her|them|@?[\w.]+) on)\b"
    r"|\W*(?:photo|image|illustration|photograph|graphic|video)s?(?: credit)?\s*(?::|by\b)"
    r"|\W*[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3} is an? (?:[\w-]+ ){0,4}(?:journalist|writer|reporter|editor|"
    r"correspondent|contributor|columnist|author)\b"
)
_BOILERPLATE_ANYWHERE = (
    r"follow (?:him|her|them|us|@\w+) on (?:twitter|facebook|instagram|x\b)"
    r"|(?:sign up|subscribe)\W*$"
    r"|\b(?:may|might) (?:earn|receive|get) (?:a |an )?(?:small |affiliate )?commission|\baffiliate links?\b"
    r"|\bnewsletters?\b.{0,80}\b(?:sign up|subscribe)|\b(?:sign up|subscribe)\b.{0,80}\bnewsletters?\b"
)
BOILERPLATE_LINES = re.compile(rf"^(?:{_BOILERPLATE_OPENING})|{_BOILERPLATE_ANYWHERE}", re.I)
_OPENING = re.compile(_BOILERPLATE_OPENING, re.I)
_ANYWHERE = re.compile(_BOILERPLATE_ANYWHERE, re.I)


def is_boilerplate_line(text: str) -> bool:
    """Whether BOILERPLATE_LINES finds something in `text` (the same answer, found faster)."""
    return bool(_OPENING.match(text) or _ANYWHERE.search(text))


# A post's own taxonomy classes (WordPress post_class: "hentry type-post tag-twitter category-news")
# describe the post, not a widget; they are read past on the element that carries them.
_POST_CLASS = re.compile(r"(?:^|\s)(?:hentry|type-post|post-\d+)(?:\s|$)")
_TAXONOMY = re.compile(r"(?:^|\s)(?:tag|category|format|status)-[\w-]+")


def _names(el) -> str:
    classes = el.get("class") or ""
    if ("post" in classes or "hentry" in classes) and _POST_CLASS.search(classes):
        classes = _TAXONOMY.sub(" ", classes)
    return f"{classes} {el.get('id') or ''}"


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    # off-screen positioning hides text from readers (injected link spam, not the article)
    return "display:none" in style or "visibility:hidden" in style or bool(_OFF_SCREEN.search(style))


_OFF_SCREEN = re.compile(r"(?:^|;)(?:left|top|text-indent):-\d{4,}(?:px|em)")


def is_boilerplate_element(el) -> bool:
    tag = el.tag
    if tag in _SKIP_TAGS or _hidden(el):
        return True
    if (el.get("role") or "").lower() in ("navigation", "complementary", "banner", "contentinfo"):
        return True
    names = _names(el)
    # A wrapper named for an embed ("social-media-embed") holds the embed, not a share bar.
    if "embed" in names.lower():
        return False
    return bool(BOILERPLATE_NAMES.search(names) or PLAYER_NAMES.search(names))


BULLET_MARK = re.compile(r"^(?:[•·▪‣◦]|[-–*](?=\s))\s*\S")
_INLINE = {"span", "a", "em", "strong", "b", "i", "small", "u", "label", "abbr", "cite"}
_UNSEEN = re.compile(
    r"(?:^|[\s_-])(?:sr-only|screen-reader|visually-hidden|hidden|print-only)(?:$|[\s_-])", re.I
)


def inline_label(el) -> str | None:
    """The visible label of an inline widget inside running text (a name under a hover card).

    The widget's links and pop-up are dropped, but the words it shows in the sentence stay,
    so "threatened to kill Rep. Ilhan Omar (D-Minn.)" does not lose the name.
    """
    if el.tag not in _INLINE or _UNSEEN.search(_names(el)) or _hidden(el):
        return None
    if (el.text or "").strip():
        return el.text
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if first is not None and first.tag in ("a", "span", "strong", "b", "em") and not len(first):
        return first.text
    return None


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

    # -- blocks ---------------------------------------------------------------------------
    def flush(self) -> None:
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
        if not quirks.is_http(url) or quirks.is_share_or_follow(url):
            return None
        page = self.md.canonical_url or self.md.base_url
        if quirks.is_image_file(url) and (not page or quirks.same_site(url, page)):
            return None  # the site's own photo ("enlarge this image"); another site's chart may be a source
        if parent is None and (quirks.is_navigation(url, page) or quirks.is_recirculation(url, page)):
            return None
        if parent is None and self.md.canonical_url and quirks.dedup_key(url) == self._canonical_key():
            return None
        kind = Kind.SHORT_LINK if quirks.is_short_link(url) else Kind.LINK
        return self.doc.cite(kind, text, start, end, url=url, parent=parent, found_by=FoundBy.LINK,
                             element="a", attribute="href")

    # -- the walk ---------------------------------------------------------------------------
    def walk(self, top) -> None:
        ENTER, END, TEXT = 0, 1, 2
        stack: list[tuple[int, Any]] = [(ENTER, top)]  # an element, or text for TEXT
        open_anchors = self.open_anchors
        base = self.md.base_url
        while stack:
            op, x = stack.pop()
            if op == TEXT:
                self.buf.add(x)
                continue
            el = x
            if op == END:
                tag = el.tag
                if tag == "a":
                    opened = open_anchors.pop(id(el), None)
                    if opened is not None:
                        start, url, _ = opened
                        if url and self.buf.length > start:
                            text = self.buf.text_since(start).strip()
                            if text:
                                self.buf.anchors.append((start, self.buf.length, url, text))
                elif tag in _BLOCKS:
                    self.flush()
                    if len(self.kinds) > 1:
                        self.kinds.pop()
                continue
            tag = el.tag
            if not isinstance(tag, str):  # comments, processing instructions
                stack.append((TEXT, el.tail))
                continue
            tag = tag.lower()
            if el is not top:
                embed = embeds.match(el)
                if embed is not None:
                    self.flush()
                    embeds.cite(embed, el, self, base)
                    stack.append((TEXT, el.tail))
                    continue
                if is_boilerplate_element(el):
                    self._tweets_inside(el, base)
                    stack.append((TEXT, el.tail))
                    stack.append((TEXT, inline_label(el) if self.buf.length else None))
                    continue
            if tag == "br":
                self.buf.newline()
                stack.append((TEXT, el.tail))
                continue
            if tag in _BLOCKS:
                self.flush()
                self.kinds.append(self._block_kind(el, tag))
            if tag == "a":
                url = quirks.absolute(el.get("href"), base)
                open_anchors[id(el)] = (self.buf.length, url, el)
            stack.append((TEXT, el.tail if el is not top else None))
            stack.append((END, el))
            for child in reversed(el):
                stack.append((ENTER, child))
            stack.append((TEXT, el.text))
        self.flush()

    def _tweets_inside(self, el, base: str | None) -> None:
        """An embedded tweet in an aside or a social wrapper inside the body is still the article's,
        and so is a third-party video inside a player box named like the site's own."""
        names = _names(el).lower()
        if PLAYER_NAMES.search(names) and el.tag not in _SKIP_TAGS:
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


_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|\b(?:ago|min|mins|hours?|days?)\b|[\W\d_]+",
    re.I,
)


def drop_link_lists(doc: Document, page_url: str | None) -> None:
    """Runs of blocks that are each one link to the site's own pages (and a date at most): a list of
    other stories (related, latest, recent posts), not the article; their links are not citations."""
    if not page_url:
        return
    listed = []
    text = doc.text
    for b in doc.blocks:
        if not b.anchors or b.kind not in (PARAGRAPH, BULLET, HEADING) or b.end - b.start > 300:
            listed.append(False)
            continue
        rest = text[b.start : b.end]
        for a in b.anchors:
            rest = rest.replace(a.text, " ")
        listed.append(
            len(_DATE_WORDS.sub("", rest)) <= 2 and all(quirks.same_site(a.url, page_url) for a in b.anchors)
        )
    drop: set[tuple[int, str]] = set()
    for i, b in enumerate(doc.blocks):
        if listed[i] and ((i and listed[i - 1]) or (i + 1 < len(listed) and listed[i + 1])):
            b.kind = BOILERPLATE
            drop.update((a.start, a.url) for a in b.anchors)
    if drop:
        doc.citations = [
            c for c in doc.citations if not (c.parent is None and c.url and (c.start, c.url) in drop)
        ]


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
    if "\x00" in content:
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
        first_text = re.sub(r"\s+", " ", b.text_content()[:600]).strip()
        break
    if md.description and md.description[:60] not in first_text and len(md.description) > 30:
        doc.add_block(DEK, re.sub(r"\s+", " ", md.description).strip())
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
