"""Embedded posts and players: tweets (twitter.com and x.com), Instagram/TikTok/Facebook posts, video iframes.

An embedded tweet is a citation of kind `tweet` whose URL is its LAST status
link (the first ones are often quoted or replied-to tweets), normalised to
`https://twitter.com/<handle>/status/<id>`; its date is read from that link's
text; the links inside it (t.co, the t.co behind `pic.twitter.com`) are its
children. Its text becomes a `post` block, the claim of its author.
"""

from __future__ import annotations

import re
from datetime import date

from .. import quirks
from ..models import FoundBy, Kind
from .document import POST, InlineBuffer

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
DATE_TEXT = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
DATE_TEXT_DMY = re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]{2,8})\.?,?\s+(\d{4})\b")
_HANDLE_TEXT = re.compile(r"\(@(\w{1,15})\)")
_RESIDUE_TAIL = re.compile(r"\s*[—–―-]{1,2}\s*[^\n—]{0,80}\(@\w{1,15}\)[^\n]{0,40}$")

_POST_CLASSES = {
    "twitter-tweet": "tweet",
    "twitter-video": "tweet",
    "twitter-tweet-rendered": "tweet",
    "instagram-media": "instagram",
    "tiktok-embed": "tiktok",
    "fb-post": "facebook",
    "fb-xfbml-parse-ignore": None,
}
_LAZY_SRC = (
    "src",
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-url",
    "data-embed-src",
    "data-iframe-src",
)
_TWEET_IFRAME = re.compile(r"(?i)(?:platform\.)?twitter\.com/embed/Tweet\.html\?(?:[^#]*&)?id=(\d+)")


def parse_date(text: str | None) -> str | None:
    """`December 22, 2014`, `Dec 22, 2014` or `22 December 2014` → `2014-12-22`; else None."""
    m = DATE_TEXT.search(text or "")
    if m:
        month, day, year = m.group(1), m.group(2), m.group(3)
    else:
        m = DATE_TEXT_DMY.search(text or "")
        if not m:
            return None
        day, month, year = m.group(1), m.group(2), m.group(3)
    number = _MONTHS.get(month.lower())
    if not number:
        return None
    try:
        return date(int(year), number, int(day)).isoformat()
    except ValueError:
        return None


def match(el) -> str | None:
    """What kind of embed an element is ('tweet', 'instagram', 'tiktok', 'facebook', 'iframe'), or None."""
    tag = el.tag
    if tag in ("blockquote", "div"):
        classes = (el.get("class") or "").split()
        for c in classes:
            kind = _POST_CLASSES.get(c)
            if kind:
                return kind
    if tag in ("div", "span", "figure") and _lazy_player(el):
        return "iframe"
    if tag in ("blockquote", "div"):
        return None
    if tag in (
        "iframe",
        "embed",
        "amp-iframe",
        "amp-youtube",
        "lite-youtube",
        "amp-vimeo",
        "amp-twitter",
        "twitter-widget",
    ):
        return "iframe"
    return None


def _lazy_player(el) -> bool:
    """A placeholder a lazy loader turns into a player (`<div class="rll-youtube-player"
    data-src="…/embed/<id>">`): a data attribute holding a known player's URL."""
    for name, value in el.attrib.items():
        if name.startswith("data-") and ("youtu" in value or "vimeo" in value) and quirks.video_url(value):
            return True
    return False


def source(el) -> str | None:
    """The src of an embed, wherever its lazy loader put it."""
    rendered = el.get("data-tweet-id")
    if rendered and rendered.isdigit():
        return f"https://platform.twitter.com/embed/Tweet.html?id={rendered}"
    for attr in _LAZY_SRC:
        v = el.get(attr)
        if v and v.strip() and not v.strip().startswith(("about:", "data:")):
            return v.strip()
    vid = el.get("data-videoid") or el.get("videoid") or el.get("data-video-id")
    if vid and el.tag in ("amp-youtube", "lite-youtube"):
        return f"https://www.youtube.com/embed/{vid}"
    if vid and el.tag == "amp-vimeo":
        return f"https://vimeo.com/{vid}"
    tweet_id = el.get("data-tweetid") or el.get("data-tweet-id")
    if tweet_id and tweet_id.isdigit():  # amp-twitter, or a tweet already rendered into an iframe
        return f"https://platform.twitter.com/embed/Tweet.html?id={tweet_id}"
    for name, value in el.attrib.items():  # another lazy loader's attribute (data-lazy, data-rocket-src, …)
        if name.startswith("data-") and "//" in value and quirks.video_url(value):
            return value.strip()
    return None


# A site's own wrapper iframe around a third-party player names the provider and the id in its src
# or attributes (`…/embed/inset/iframe?id=youtube-video-<id>`, `data-recommend-id="youtube://<id>"`).
_WRAPPED = (
    (re.compile(r"(?i)\byoutube(?:[-_]video)?(?:://|[-_:=/])([\w-]{11})(?![\w-])"), "https://www.youtube.com/watch?v={}"),
    (re.compile(r"(?i)\bvimeo(?:[-_]video)?(?:://|[-_:=/])(\d{5,})\b"), "https://vimeo.com/{}"),
)


def wrapped_video(el, src: str | None) -> str | None:
    """The third-party video a site's own player iframe wraps, read from its src and attributes."""
    for value in [src or "", *el.attrib.values()]:
        for pattern, form in _WRAPPED:
            m = pattern.search(value)
            if m:
                return form.format(m.group(1))
    return None


def cite(kind: str, el, walker, base: str | None) -> None:
    """Cite one embed met during the body walk (the walker has flushed its running text)."""
    if kind == "iframe":
        src = quirks.absolute(source(el), base) if source(el) else None
        if not src:
            return
        url = quirks.video_url(src) or wrapped_video(el, src)
        if url:
            _cite_video(walker, url, el.get("title") or "")
            return
        m = _TWEET_IFRAME.search(src)
        if m:
            walker.doc.cite(
                Kind.TWEET,
                "",
                walker.doc.length,
                walker.doc.length,
                url=f"https://twitter.com/i/status/{m.group(1)}",
                found_by=FoundBy.IFRAME, element="iframe", attribute="src",
            )
        return
    if kind == "tweet":
        _cite_tweet(el, walker, base)
    else:
        _cite_post(kind, el, walker, base)


def _cite_video(walker, url: str, title: str) -> None:
    doc = walker.doc
    doc.cite(Kind.VIDEO, title.strip(), doc.length, doc.length, url=url, found_by=FoundBy.IFRAME,
             element="iframe", attribute="src")


def _post_text(el, base) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The running text of a post's paragraphs, with its links; the attribution line left out."""
    buf = InlineBuffer()
    paras = list(el.iter("p")) or [el]
    for i, p in enumerate(paras):
        if i:
            buf.newline()
        stack = [(0, p)]
        while stack:
            op, x = stack.pop()
            if op == 1:
                buf.add(x)
                continue
            if op == 2:
                start, url, node = x
                text = buf.text_since(start).strip()
                if url and (text or node.find(".//img") is None):
                    buf.anchors.append((start, buf.length, url, text))
                continue
            node = x
            if not isinstance(node.tag, str):
                stack.append((1, node.tail))
                continue
            if node.tag in ("script", "style"):
                stack.append((1, node.tail))
                continue
            if node.tag == "br":
                buf.newline()
                stack.append((1, node.tail))
                continue
            stack.append((1, node.tail if node is not p else None))
            if node.tag == "a":
                stack.append((2, (buf.length, quirks.absolute(node.get("href"), base), node)))
            for child in reversed(node):
                stack.append((0, child))
            stack.append((1, node.text))
    return buf.flush()


def _cite_tweet(el, walker, base) -> None:
    doc = walker.doc
    links = [(a, quirks.absolute(a.get("href"), base)) for a in el.iter("a")]
    status = [(a, u) for a, u in links if u and quirks.tweet_status(u)]
    url = handle = when = None
    if status:
        last_a, last_u = status[-1]
        url = quirks.tweet_url(last_u)
        handle = (quirks.tweet_status(last_u) or (None, None))[0]
        when = parse_date(last_a.text_content())
    full = el.text_content()
    if handle is None:
        m = _HANDLE_TEXT.search(full)
        handle = m.group(1) if m else None
    if when is None:
        when = parse_date(full[-60:])
    has_p = el.find(".//p") is not None
    text, anchors = _post_text(el, base) if has_p else ("", [])
    residue = _RESIDUE_TAIL.search(text)
    if residue:  # a paragraph left open swallows the "— Name (@handle) date" line: it is not post text
        text = text[: residue.start()].rstrip()
        anchors = [a for a in anchors if a[1] <= len(text)]
    block = doc.add_block(POST, text, anchors) if text else None
    start, end = (block.start, block.end) if block is not None else (doc.length, doc.length)
    tweet = doc.cite(
        Kind.TWEET,
        text,
        start,
        end,
        url=url,
        handle=f"@{handle}" if handle else None,
        date=when,
        found_by=FoundBy.EMBEDDED_TWEET,
        element="blockquote",
    )
    if block is not None:
        block.citation = tweet.id
    own = {quirks.dedup_key(u) for _, u in status}
    cited: set[str] = set()
    anchors_abs = [(a.start, a.end, a.url, a.text) for a in block.anchors] if block else []
    for a_start, a_end, a_url, a_text in anchors_abs:
        _child(walker, tweet.id, a_url, a_text, a_start, a_end, own, cited)
    # Links outside the paragraphs (a pic.twitter.com anchor after them, the date link's siblings).
    for a, u in links:
        if u and not any(u == x[2] for x in anchors_abs):
            _child(walker, tweet.id, u, a.text_content().strip(), end, end, own, cited)


def _child(walker, parent: int, url: str, text: str, start: int, end: int, own: set, cited: set) -> None:
    """A link inside an embedded post: a child citation unless it is the post itself or a profile/hashtag."""
    if not quirks.is_http(url):
        return
    key = quirks.dedup_key(url)
    if key in own or key in cited:
        return
    h = quirks.host(url)
    if h in ("twitter.com", "x.com", "mobile.twitter.com") and not quirks.tweet_status(url):
        return  # hashtags and @mentions: navigation inside the post
    cited.add(key)
    kind = Kind.SHORT_LINK if quirks.is_short_link(url) else Kind.LINK
    walker.doc.cite(kind, text, start, end, url=url, parent=parent, found_by=FoundBy.POST_LINK,
                    element="a", attribute="href")


def _cite_post(kind: str, el, walker, base) -> None:
    """Instagram, TikTok and Facebook posts: the permalink is the post's URL.

    A TikTok is a `video`. Instagram and Facebook posts are cited as a `link` to the post's
    permalink: the `tweet` kind is kept for tweets, so that tweet counts mean what they say.
    Their text is still a `post` claim citing them.
    """
    doc = walker.doc
    url = el.get("data-instgrm-permalink") or el.get("cite") or el.get("data-href")
    if not url:
        for a in el.iter("a"):
            u = quirks.absolute(a.get("href"), base)
            if u and kind in quirks.host(u):
                url = u
                break
    url = quirks.absolute(url, base) if url else None
    if url:
        url = url.split("?")[0]
    text, anchors = _post_text(el, base)
    block = doc.add_block(POST, text, anchors) if text else None
    start, end = (block.start, block.end) if block else (doc.length, doc.length)
    m = re.search(r"tiktok\.com/@([\w.]{1,30})", url or "")
    handle = f"@{m.group(1)}" if m else None
    c = doc.cite(
        Kind.VIDEO if kind == "tiktok" else Kind.LINK,
        text,
        start,
        end,
        url=url,
        handle=handle,
        found_by=FoundBy.EMBEDDED_POST,
        element=el.tag,
    )
    if block is not None:
        block.citation = c.id


def _article_container(bodies: list):
    """The `<article>` (or hentry) element around the body, when there is one."""
    for anc in bodies[0].iterancestors():
        if anc.tag == "article" or "hentry" in (anc.get("class") or "").split():
            return anc
    return None


def _outside(el, bodies: list) -> bool:
    return not any(el is b or b in el.iterancestors() or el in b.iterancestors() for b in bodies)


def lead_videos(bodies: list, walker, base: str | None) -> None:
    """A video player in the article's own header, just above the body, is the article's video too."""
    container = _article_container(bodies) if bodies else None
    if container is None:
        return
    for header in container.iter("header"):
        if not _outside(header, bodies):
            continue
        for el in header.iter("iframe", "amp-youtube", "lite-youtube"):
            src = source(el)
            url = quirks.video_url(quirks.absolute(src, base)) if src else None
            if url:
                _cite_video(walker, url, el.get("title") or "")


def stray_embeds(bodies: list, walker, base: str | None, is_boilerplate) -> None:
    """Embedded tweets inside the article but outside the text column picked as its body.

    Page builders sometimes hang embeds beside the paragraphs' container rather than in it;
    within the same `<article>` (or, without one, the body's own parent column), and outside any
    boilerplate block, they are still the article's. Video players there are left alone: beside
    the text they are usually a site's video rail.
    """
    container = _article_container(bodies) if bodies else None
    if container is None and bodies:  # no <article>: the column the body sits in
        parent = bodies[0].getparent()
        container = parent if parent is not None and parent.tag not in ("body", "html") else None
    if container is None:
        return
    for el in container.iter("blockquote", "iframe", "twitter-widget", "amp-youtube", "lite-youtube"):
        kind = match(el)
        if kind is None or not _outside(el, bodies):
            continue
        if kind == "iframe" and not _TWEET_IFRAME.search(source(el) or ""):
            continue
        chain = []
        for anc in el.iterancestors():
            if anc is container:
                break
            chain.append(anc)
        if any(a.tag == "header" for a in chain):
            continue  # lead_videos took those
        if any(is_boilerplate(a) or match(a) for a in chain):
            continue
        walker.flush()
        cite(kind, el, walker, base)
