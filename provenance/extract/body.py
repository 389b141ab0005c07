"""Find the article body in an HTML page.

In order of trust: `itemprop=articleBody` containers, then the element with the
most paragraph text (a readability-style score over `<p>` and text-only `<div>`s,
with class/id names as hints), widened to sibling containers of the same class
when a long feature is split over several. Only links inside the body are
citations, so picking the right container is most of link precision.
"""

from __future__ import annotations

import re

from lxml import etree

from .casefree import CaseFree, lowered
from .document import collapse_spaces

# Searched on lower-cased names (see `casefree`): read for every candidate, where IGNORECASE is slow.
POSITIVE = CaseFree(
    r"article[-_]?body|articlebody|entry[-_]content|post[-_](body|content|text)|story[-_](body|content|text)"
    r"|article[-_]?(content|text)|body[-_](text|copy)|main[-_]content|rich[-_]text|c-entry-content"
    r"|field-name-body|article__content|content[-_]body|article-copy|post-page|editor-content"
)
NEGATIVE = CaseFree(
    r"comment|sidebar|related|footer|header|nav|menu|widget|promo|newsletter|share|social|advert|sponsor"
    r"|recirc|outbrain|taboola|popular|trending|author|byline|breadcrumb|masthead|subscribe|disclaimer"
    r"|next-?(?:post|stor|article)|up-?next|read-?next|more-?stories"
)

_BLOCK_CHILDREN = {
    "p",
    "div",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "figure",
    "header",
    "footer",
    "aside",
    "form",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "aside", "form", "select"}


def _names(el) -> str:
    """The class, id, name and data-component attributes, joined by spaces (read for every candidate)."""
    get = el.get
    return f"{get('class') or ''} {get('id') or ''} {get('name') or ''} {get('data-component') or ''}"


def _text_len(el) -> int:
    """The length of the element's text pieces, each trimmed (summed by map in C: a body has thousands)."""
    return sum(map(len, map(str.strip, el.itertext())))


def _is_text_div(el) -> bool:
    """A <div> used as a paragraph: text of its own and no block-level children."""
    if not (el.text or "").strip() and not any((c.tail or "").strip() for c in el):
        return False
    return not any(isinstance(c.tag, str) and c.tag in _BLOCK_CHILDREN for c in el)


def _skipped(el) -> bool:
    """Inside script/nav/footer/aside or a comments block: no paragraph there speaks for the body."""
    for anc in el.iterancestors():
        if not isinstance(anc.tag, str):
            continue
        if anc.tag in _SKIP:
            return True
        names = _names(anc)
        if "comment" in names.lower():
            return True
    return False


# The elements `score_candidates` and `_by_json_ld` read, in document order, found inside libxml2: a <div>
# only when some text of its own holds more than XML's white space (a narrower set than Python's), the
# least any text <div> has (see `_is_text_div`), so that the thousands of wrapper <div>s get no Python
# object; the other tags whatever they hold. Written as a union of one step per tag (libxml2 returns a union
# in document order): a step that names its tag is read at half the cost of a predicate on every element.


def _elements(*tags: str) -> etree.XPath:
    steps = [f"descendant-or-self::{tag}" for tag in tags]
    return etree.XPath("|".join([*steps, "descendant-or-self::div[text()[normalize-space()]]"]))


_SCORED = _elements("p", "pre", "td", "li")
_JSON_LD_SPANNED = _elements("p", "li", "h2", "h3", "blockquote")


# An element's text, all its descendants' in order: what "".join(el.itertext()) gives (the parser keeps no
# comments; a processing instruction's text is in neither), joined inside libxml2 and as a plain str.
_string = etree.XPath("string()", smart_strings=False)


def score_candidates(root, paragraphs: dict | None = None) -> dict:
    """Element → paragraph score; a paragraph adds to its parent in full and to its grandparent in half.

    `paragraphs`, when given, receives each scored paragraph's own score.
    """
    scores: dict = {}
    for el in _SCORED(root):
        tag = el.tag
        if tag == "div" and not _is_text_div(el):
            continue
        text = _string(el).strip()
        if len(text) < 25:
            continue
        link_text = sum(len(_string(a)) for a in el.iter("a"))
        density = link_text / max(len(text), 1)
        if density > 0.6:
            continue
        s = (1 + text.count(",") + min(len(text) / 100, 3)) * (1 - density)
        parent = el.getparent()
        if parent is None:
            continue
        if paragraphs is not None:
            paragraphs[el] = s
        scores[parent] = scores.get(parent, 0.0) + s
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + s / 2
    return scores


def _hint(el) -> float:
    names = _names(el)
    low = lowered(names)
    factor = 1.0
    if el.get("itemprop", "").lower() == "articlebody":
        factor *= 2.0
    positive = POSITIVE.search(names, low)
    if positive:
        factor *= 1.5
    if not positive and NEGATIVE.search(names, low):
        factor *= 0.3
    if el.tag in ("article", "main"):
        factor *= 1.2
    return factor


def _squash(text: str) -> str:
    """White space collapsed and trimmed."""
    return collapse_spaces(text).strip()


def _by_json_ld(root, article_body: str) -> object | None:
    """The element whose paragraphs hold the opening and the closing words of JSON-LD's articleBody."""
    body = _squash(article_body)
    if len(body) < 200:
        return None
    head, tail = body[:60], body[-60:]
    first = last = None
    for el in _JSON_LD_SPANNED(root):
        if el.tag == "div" and not _is_text_div(el):
            continue
        text = _squash(el.text_content())
        if first is None and head[:40] in text:
            first = el
        if tail[-40:] in text:
            last = el
    if first is None or last is None:
        return None
    ancestors = [first, *first.iterancestors()]
    for anc in [last, *last.iterancestors()]:
        if anc in ancestors:
            return None if anc.tag in ("body", "html") else anc
    return None


def _opens_with(el, lead: str) -> float:
    """1.5 when the element's text opens with the page's description (a dateline may come first)."""
    text = _squash(" ".join(t for _, t in zip(range(60), el.itertext(), strict=False)))
    return 1.5 if lead in text[:400] else 1.0


# The elements whose itemprop, property or name holds "articlebody" in any case, found inside libxml2 (the three
# attributes read as steps, not as a predicate on every element: a third of the cost). Folding ASCII is
# str.lower()'s answer here: no other character lowers to a letter of "articlebody" (U+0130 lowers to "i"
# and a combining dot), and the space that joined the three values cannot be part of it.
_MARKED = etree.XPath(
    "(descendant-or-self::*/@itemprop|descendant-or-self::*/@property|descendant-or-self::*/@name)"
    "[contains(translate(., 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'articlebody')]/.."
)


def find_body(root, article_body: str | None = None, description: str | None = None) -> list:
    """The element(s) holding the article text, in document order; [] when nothing looks like one.

    Trust order: itemprop=articleBody; the element spanning JSON-LD's articleBody text; the best
    paragraph-density candidate (one that holds the page's own description ranks higher: a list of
    other stories' teasers can outscore a short article), widened to a content-named ancestor or
    split siblings.
    """
    marked = [el for el in _MARKED(root) if not _skipped(el)]
    marked = [el for el in marked if _text_len(el) > 200]
    if marked:
        outer = [el for el in marked if not any(a in marked for a in el.iterancestors())]
        # Several marked bodies under different parents are several stories (a "next article" feed).
        return [el for el in outer if el.getparent() is outer[0].getparent()]
    if article_body:
        spanned = _by_json_ld(root, article_body)
        if spanned is not None and not _skipped(spanned):
            return _with_split_siblings(spanned)

    paragraphs: dict = {}
    scores = score_candidates(root, paragraphs)
    if not scores:
        body = root.find(".//body")
        return [body if body is not None else root]
    ranked = sorted(scores.items(), key=lambda kv: kv[1] * _hint(kv[0]), reverse=True)
    lead = _squash(description or "")[:50]
    if len(lead) >= 30 and _opens_with(ranked[0][0], lead) == 1.0:
        top, rest = ranked[:5], ranked[5:]
        ranked = sorted(top, key=lambda kv: kv[1] * _hint(kv[0]) * _opens_with(kv[0], lead), reverse=True)
        ranked += rest
    best = None
    for el, _ in ranked[:10]:
        if not _skipped(el) and isinstance(el.tag, str):
            best = el
            break
    if best is None:
        best = ranked[0][0]

    # A content-named ancestor that holds the best candidate wins (the text column, not one section of it).
    for anc in best.iterancestors():
        if not isinstance(anc.tag, str) or anc.tag in ("body", "html"):
            break
        if POSITIVE.search(_names(anc)) and _text_len(anc) < _text_len(best) * 1.6:
            return _with_split_siblings(anc, scores)
    if not POSITIVE.search(_names(best)):
        columns = _parallel_columns(best, paragraphs)
        if columns:
            return columns
    return _with_split_siblings(best, scores)


def _subtree_score(el, paragraphs: dict) -> float:
    return sum(paragraphs.get(p, 0.0) for p in el.iter("p", "pre", "div", "td", "li"))


def _parallel_columns(best, paragraphs: dict) -> list | None:
    """A story cut into unnamed sibling blocks (one per few paragraphs, ads between): all of them.

    Looked for at the best candidate's level and its parent's, among siblings of the same tag
    that hold real paragraphs and are not named as widgets; taken when together they hold
    clearly more text than the best candidate alone.
    """
    own = _subtree_score(best, paragraphs)
    level = best
    for _ in range(2):
        parent = level.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return None
        sibs = [
            el
            for el in parent
            if el.tag == level.tag and not (NEGATIVE.search(_names(el)) and el is not level)
        ]
        scored = [(el, _subtree_score(el, paragraphs)) for el in sibs]
        keep = [el for el, s in scored if el is level or s >= max(3.0, 0.2 * own)]
        if len(keep) > 1 and sum(s for el, s in scored if el in keep) >= 1.4 * own:
            return keep
        level = parent
    return None


def _interleaved(anc, parts: list) -> bool:
    """Text blocks of one class alternating with other blocks of the story (a shopping gallery's items,
    a slideshow's slides): the column holding them all is the body, not the text blocks alone."""
    own = sum(_text_len(p) for p in parts)
    return own * 1.2 < _text_len(anc) < own * 2.5


def _with_split_siblings(best, scores: dict | None = None) -> list:
    """A text split over containers of one kind (siblings or cousins): take them all.

    A content-named class ("post-content") is enough; any other shared class needs each
    container to hold paragraphs of its own (a column of the story, not a widget row).
    """
    classes = (best.get("class") or "").split()
    tokens = [t for t in classes if POSITIVE.search(t)]
    key = tokens[0] if tokens else (" ".join(classes) if classes else None)
    if key is None:
        return [best]

    def same_kind(el) -> bool:
        if tokens:
            return key in (el.get("class") or "").split()
        return " ".join((el.get("class") or "").split()) == key and (scores or {}).get(el, 0.0) >= 3.0

    anc = best
    for _ in range(3):
        anc = anc.getparent()
        if anc is None or anc.tag in ("body", "html"):
            break
        same = [el for el in anc.iter(best.tag) if same_kind(el) or el is best]
        same = [el for el in same if not any(a in same for a in el.iterancestors()) and not _skipped(el)]
        if len(same) > 2 and not tokens and _interleaved(anc, same):
            return [anc]
        if len(same) > 1:
            return same
    return [best]


# An <a …> tag with "href" before its ">": found by looking ahead for "href" and taking the tag whole, rather
# than taking the tag whole and backing off to its last "href". The same tags are counted: no tag that
# "<a\s[^>]*href" finds can open between a tag's last "href" and its ">".
_RAW_LINK = re.compile(r"<a\s(?=[^>]*?href)[^>]*", re.I)
_RAW_PARAGRAPH = re.compile(r"<p[\s>]", re.I)
# Tags that nest without meaning when left unclosed; removing them keeps every word and link.
_CONTAINER_TAGS = re.compile(
    r"</?(?:div|span|section|article|main|font|center|table|tbody|thead|tr|td|th|ul|ol|li|dl|dd|dt|"
    r"b|i|em|strong|u|s|small|big|sup|sub|mark|abbr|cite|label|nobr|a(?=\s+name=)|a(?=>))\b[^>]*>",
    re.I,
)


def _parser(encoding: str | None = None):
    from lxml import html as lhtml

    # collect_ids off: no table of the page's id attributes, which only XPath's id() and validation read.
    parser = lhtml.HTMLParser(huge_tree=True, remove_comments=True, recover=True, encoding=encoding, collect_ids=False)
    # lxml.html picks each element's class in Python (forms, inputs, labels get their own); every
    # element here is read the same way, so one class chosen in C spares a call per element touched.
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lhtml.HtmlElement, comment=lhtml.HtmlComment, pi=lhtml.HtmlProcessingInstruction,
        entity=lhtml.HtmlEntity))
    return parser


def _parse(html: str):
    """The page parsed from its UTF-8 bytes, the encoding given: a str is handed to libxml2 in its own width
    (Latin-1, UTF-16, UCS-4) and converted there, the slower way to the same tree. A page opening with an
    XML declaration, which lxml refuses in a str, and one with a lone surrogate, are parsed as the str."""
    from lxml import html as lhtml

    try:
        data: str | bytes = html if html.startswith("<?xml") else html.encode("utf-8")
    except UnicodeEncodeError:
        data = html
    try:
        return lhtml.document_fromstring(data, parser=_parser("utf-8" if isinstance(data, bytes) else None))
    except (etree.ParserError, ValueError):
        return lhtml.document_fromstring("<html><body></body></html>")


_COUNT = {tag: etree.XPath(f"count(descendant-or-self::{tag})") for tag in ("a", "p")}


def _count(root, tag: str) -> int:
    """How many `tag` elements the tree holds, counted inside libxml2 (no Python object per element)."""
    return int(_COUNT[tag](root))


def parse(html: str, notes: list[str] | None = None):
    """Parse HTML leniently; a page nested deeper than libxml2 will follow is flattened and parsed again.

    libxml2 drops everything below depth 256 (2048 with huge_tree): thousands of unclosed tags lose
    the whole article after them. When the tree holds clearly fewer links or paragraphs than the
    source, container tags are removed so the text and links survive, and a note says so.
    """
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    root = _parse(html)
    raw_links = len(_RAW_LINK.findall(html))
    raw_paragraphs = len(_RAW_PARAGRAPH.findall(html))
    links = _count(root, "a") if raw_links else 0
    paragraphs = _count(root, "p") if raw_paragraphs else 0
    if links < raw_links * 0.9 or paragraphs < raw_paragraphs * 0.9:
        flat = _parse(_CONTAINER_TAGS.sub(" ", html))
        flat_links = _count(flat, "a")
        flat_paragraphs = _count(flat, "p")
        if flat_links + flat_paragraphs > links + paragraphs:
            if notes is not None:
                notes.append(
                    f"nesting too deep to parse: container tags were flattened ({links} of {raw_links} links"
                    f" and {paragraphs} of {raw_paragraphs} paragraphs were reachable)"
                )
            return flat
    return root


_SOURCE_LINE = re.compile(r"^\s*(?:sources?|via|references?)\b\s*[:\-–—]", re.I)


def with_source_line(bodies: list) -> list:
    """A "Sources: …" line kept right after the body's container (an aggregator's credits) is body text."""
    if not bodies:
        return bodies
    sib = bodies[-1].getnext()
    for _ in range(2):
        if sib is None:
            break
        if isinstance(sib.tag, str) and sib.find(".//a") is not None:
            text = sib.text_content()
            if len(text) < 600 and _SOURCE_LINE.match(text):
                return [*bodies, sib]
        sib = sib.getnext()
    return bodies


def largest_text_block(root):
    """The element whose own paragraphs hold the most text on the page: a fallback body."""
    lengths: dict = {}
    for el in root.iter("p", "pre", "li", "td"):
        parent = el.getparent()
        if parent is None:
            continue
        n = len(_squash(el.text_content()))
        if n >= 60:
            lengths[parent] = lengths.get(parent, 0) + n
    for el in sorted(lengths, key=lambda e: lengths[e], reverse=True)[:10]:
        if not _skipped(el) and el.tag not in _SKIP:
            return el
    return None


def is_declared(bodies: list, article_body: str | None) -> bool:
    """The page itself says where its body is (itemprop=articleBody, or JSON-LD's articleBody text)."""
    if not bodies:
        return False
    first = bodies[0]
    if "articlebody" in " ".join(first.get(a) or "" for a in ("itemprop", "property", "name")).lower():
        return True
    head = _squash(article_body or "")[:40]
    return len(head) >= 20 and head in _squash(first.text_content())


def first_story(bodies: list) -> list:
    """A body holding several whole stories (each an `<article>` with its own `<h1>`: infinite scroll
    appends the next ones below the first) is cut to the first story."""
    stories = [
        el
        for body in bodies
        for el in body.iter("article")
        if el.find(".//h1") is not None and _text_len(el) > 300
    ]
    stories = [el for el in stories if not any(a in stories for a in el.iterancestors())]
    return [stories[0]] if len(stories) > 1 else bodies
