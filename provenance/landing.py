"""What a landing page says about itself: a redirect in disguise, or a missing page.

Some redirects are not HTTP 30x: `<meta http-equiv="refresh">` and the page t.co
serves to browsers, which calls `location.replace("https:\\/\\/…")`. A meta refresh
counts only where a browser would act on it: an element of the parsed document (in
<head> or <body>, as browsers honour both), never text inside a comment (old IE's
`<!--[if lte IE 9]><meta http-equiv=refresh …><![endif]-->` sends only IE 9 away), a
script or a <template>. One inside <noscript> is followed on a small redirect stub
only: a browser with scripts ignores it, and on a real page it points to a "your
browser is not supported" page, while on a stub the script sends the browser to the
same place. And some 200 answers are really "not found"
(soft 404s): the title or first heading says so, or the deep link was sent to
the site's front page. Each rule is a small function, testable alone.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from .politeness import is_shortener

SCAN_BYTES = 262_144      # how much of a decoded page the rules look at
JS_PAGE_BYTES = 16_384    # `location.replace` is followed only on small pages (redirect stubs)

_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)  # a quick look first: most pages have no refresh to parse for
_HTTP_EQUIV_REFRESH = re.compile(rb"""http-equiv\s*=\s*["']?\s*refresh\b""", re.I)
_CONTENT = re.compile(rb"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml\b[^>]*>")
_INERT = frozenset({"template", "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})
_REFRESH_VALUE = re.compile(r"""^\s*([\d.]*)\s*[;,]?\s*(?:url\s*=\s*)?(.*?)\s*$""", re.I | re.S)
# A refresh later than this is a page reloading itself now and then (news front pages
# often do, to a `?refresh` variant of themselves), not a redirect.
MAX_REFRESH_DELAY = 30.0
_LOCATION_REPLACE = re.compile(
    rb"""location\.replace\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")
_TITLE = re.compile(rb"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(rb"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SCRIPTS = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.I | re.S)

# Phrases that say "this page is missing" (title, first heading or a short page).
_MISSING = re.compile(
    r"page\s+(?:was\s+|is\s+)?not\s+found|(?:page|article|story|content)\s+(?:you\s+\w+\s+)?"
    r"(?:could\s+not|cannot|can['’]t|couldn['’]t)\s+be\s+found|"
    r"(?:page|article|story)\s+(?:does\s+not|doesn['’]t)\s+exist|"
    r"(?:page|article|story|content)\s+(?:is\s+)?no\s+longer\s+(?:available|exists)|"
    r"page\s+you\s+(?:were|are)\s+looking\s+for|\berror\s+404\b|\b404\b.{0,20}\bnot\s+found\b|"
    r"^\s*(?:404|410)\b|^\s*not\s+found\b|\bnothing\s+(?:was\s+)?found\b|seite\s+nicht\s+gefunden|"
    r"page\s+introuvable|p[aá]gina\s+no\s+encontrada",
    re.I,
)
_NOT_FOUND = re.compile(r"\bnot\s+found\b", re.I)  # enough on a page with almost nothing else
SHORT_PAGE_CHARS = 1_500
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/"}


def _text(fragment: bytes) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment.decode("utf-8", "replace"))).split())


def meta_refresh(body: bytes, base: str) -> str | None:
    """The absolute target of the first `<meta http-equiv=refresh content="N; url=…">` a browser
    would follow, if any (see the module docstring for where one counts)."""
    head = body[:SCAN_BYTES]
    if not _refresh_tag_with_target(head, base):
        return None  # most pages, and those that only reload themselves: no parse needed
    text = _XML_DECLARATION.sub("", head.decode("utf-8", "replace"), count=1)  # lxml refuses it in a str
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    stub = len(body) <= JS_PAGE_BYTES
    for meta in doc.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        around = {a.tag for a in meta.iterancestors() if isinstance(a.tag, str)}
        if around & _INERT or ("noscript" in around and not stub):
            continue
        target = refresh_target(meta.get("content") or "", base)
        if target:
            return target
    return None


def _refresh_tag_with_target(head: bytes, base: str) -> bool:
    """Whether any `<meta>` tag in the raw bytes (comments included) is a refresh that would redirect."""
    for m in _META_TAG.finditer(head):
        tag = m.group(0)
        if not _HTTP_EQUIV_REFRESH.search(tag):
            continue
        c = _CONTENT.search(tag)
        value = (c.group(1) or c.group(2) or c.group(3) or b"") if c else b""
        if refresh_target(html.unescape(value.decode("utf-8", "replace")), base):
            return True
    return False


def refresh_target(content: str, base: str) -> str | None:
    """The absolute URL a refresh's `content` ("N; url=…") sends to now, or None (a reload, or a late one)."""
    refresh = _REFRESH_VALUE.match(content)
    if refresh is None:
        return None
    delay, target = refresh.groups()
    target = target.strip().strip("'\"").strip()
    try:
        late = float(delay or 0) > MAX_REFRESH_DELAY
    except ValueError:
        late = False
    return urljoin(base, target) if target and not late else None


def script_redirect(body: bytes, base: str) -> str | None:
    """The target of `location.replace("…")` on a small redirect page (t.co's browser answer)."""
    if len(body) > JS_PAGE_BYTES:
        return None
    m = _LOCATION_REPLACE.search(body)
    if not m:
        return None
    raw = (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace")
    try:
        target = json.loads('"' + re.sub(r'(?<!\\)"', r'\\"', raw.replace("\\'", "'")) + '"')
    except ValueError:
        target = raw.replace("\\/", "/")
    target = target.strip()
    return urljoin(base, target) if target else None


def says_missing(body: bytes) -> bool:
    """A 2xx page whose title or first heading, or whose whole short text, says it is missing."""
    head = body[:SCAN_BYTES]
    for rx in (_TITLE, _H1):
        m = rx.search(head)
        if m and _MISSING.search(_text(m.group(1))):
            return True
    if len(head) < SHORT_PAGE_CHARS * 8:
        text = _text(_SCRIPTS.sub(b" ", head))
        if len(text) < SHORT_PAGE_CHARS and (_MISSING.search(text) or _NOT_FOUND.search(text)):
            return True
    return False


def is_front_page(url: str) -> bool:
    return urlsplit(url).path.lower() in _HOME_PATHS


def redirected_to_home(last_hop_url: str, final_url: str) -> bool:
    """A deep link on a site that redirected to a front page: the article is gone.

    A shortener sending its code straight to a front page is not this: someone
    shortened the home page on purpose.
    """
    if not is_front_page(final_url) or is_front_page(last_hop_url):
        return False
    return not is_shortener(urlsplit(last_hop_url).hostname or "")
