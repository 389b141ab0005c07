"""Pasted text: what survives of an article once the markup is gone.

The text is kept as it is (offsets point into it); it is cut into blocks — one
per line, or one per blank-line-separated group when the text uses blank lines
between paragraphs. General rules tell the blocks apart: the first is the
headline; `— Name (@handle) Month D, YYYY` closes an embedded tweet whose text is
the block before it; `- item` lines are bullets; a short title-case line with no
closing punctuation followed by a paragraph is a heading; "Watch …:" lines are
videos that lost their player. Bare URLs anywhere (also in HTML text) are links.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .. import quirks
from ..models import BlockKind, FoundBy, Kind
from .document import BULLET, HEADING, HEADLINE, PARAGRAPH, POST, Block, Document
from .embeds import parse_date

TWEET_RESIDUE = re.compile(
    r"(?:^|\s)[—–―-]{1,2}\s*(?P<name>[^\n—]{0,80}?)\s*\(@(?P<handle>\w{1,15})\)\s*"
    r"(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4})\s*$"
)
BULLET_LINE = re.compile(r"^\s*(?:[-•*·▪‣◦–]|\d{1,2}[.)])\s+\S")
VIDEO_LINE = re.compile(
    r"^\s*(?:watch|video|watch video|watch the video|watch live|listen)\b[^:\n]{0,30}:\s*\S", re.I
)
# Words a title-case heading leaves in lower case.
SMALL_WORDS = frozenset(
    "a an the of in on at to for and or but nor with by from as vs vs. via under over into after before "
    "about is are its it up out than amid per &".split()
)
# "https?://…", "t.co/…" and "pic.twitter.com/…" in any case. pic.twitter.com may be glued to the sentence before it
# ("campaign.pic.twitter.com/…"). Each alternative opens with its first letter in one case (the character
# before it checked just after, the rest read with (?i:…)), so that the search skips to those six letters
# instead of trying every position: IGNORECASE's matches, no character but these folding onto h, t or p.
_URL_CHARS = r"[^\s<>\"“”'‘’\]\[{}|\\^`]+"
BARE_URL = re.compile(
    "|".join(
        f"{first}{rest}"
        for lower, rest in (
            ("h", rf"(?i:ttps?://){_URL_CHARS}"),
            ("t", r"(?<![\w/.@].)(?i:\.co/)\w+"),
            ("p", r"(?<![\w/@-].)(?i:ic\.twitter\.com/)\w+"),
        )
        for first in (lower, lower.upper())
    )
)
_TRAILING = ".,;:!?)’”'\"…"


def is_heading(line: str) -> bool:
    """Short, no closing punctuation, most words capitalised: a section heading, not a sentence."""
    s = line.strip()
    if not s or len(s) > 90 or BULLET_LINE.match(s) or TWEET_RESIDUE.search(s):
        return False
    if s[-1] in ".!?:;,…\"”’')-–—" or "http" in s or "@" in s:
        return False
    words = s.split()
    if not 1 <= len(words) <= 10:
        return False
    content = [w for w in words if w.lower().strip("’'\"“”") not in SMALL_WORDS]
    if not content:
        return False
    caps = sum(1 for w in content if w[0].isupper() or w[0].isdigit() or not w[0].isalpha())
    return caps / len(content) >= 0.75 and words[0][0].isupper()


def split_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block: blank-line groups when the text uses them, else single lines."""
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    non_empty = [ln for ln in lines if ln[2].strip()]
    blanks = sum(1 for ln in lines if not ln[2].strip())
    grouped = blanks >= max(2, len(non_empty) // 3)
    spans: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for start, _end, line in lines:
        if not line.strip():
            if cur:
                spans.append(cur)
                cur = None
            continue
        lead = len(line) - len(line.lstrip())
        s, e = start + lead, start + len(line.rstrip())
        if grouped and cur and not BULLET_LINE.match(line) and not TWEET_RESIDUE.search(line):
            cur = (cur[0], e)
        else:
            if cur:
                spans.append(cur)
            cur = (s, e)
    if cur:
        spans.append(cur)
    return spans


def read_text(content: str) -> Document:
    """A Document over the pasted text itself: blocks, tweets from their residues, videos, bare URLs."""
    text = content.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    doc = Document()
    doc._parts = [text]
    doc.length = len(text)
    spans = split_blocks(text)
    kinds: list[str] = []
    for i, (s, e) in enumerate(spans):
        line = text[s:e]
        if i == 0:
            kinds.append(HEADLINE)
        elif BULLET_LINE.match(line):
            kinds.append(BULLET)
        elif (
            is_heading(line)
            and i + 1 < len(spans)
            and not is_heading(text[spans[i + 1][0] : spans[i + 1][1]])
        ):
            kinds.append(HEADING)
        else:
            kinds.append(PARAGRAPH)
    blocks = [Block(BlockKind(k), s, e) for k, (s, e) in zip(kinds, spans, strict=True)]

    out: list[Block] = []
    for block in blocks:
        chunk = text[block.start : block.end]
        m = TWEET_RESIDUE.search(chunk)
        if m and block.kind != HEADLINE:
            res_start = block.start + m.start() + (1 if chunk[m.start()].isspace() else 0)
            if res_start > block.start + 1 and text[block.start : res_start].strip():
                post = Block(POST, block.start, block.start + len(text[block.start : res_start].rstrip()))
            elif out and out[-1].kind in (PARAGRAPH, BULLET, HEADING):
                post = out.pop()
                post.kind = POST
            else:
                post = None
            start = post.start if post else res_start
            tweet = doc.cite(
                Kind.TWEET,
                text[start : block.end],
                start,
                block.end,
                url=None,
                handle=f"@{m.group('handle')}",
                date=parse_date(m.group("date")),
                found_by=FoundBy.TWEET_RESIDUE,
            )
            if post is not None:
                post.citation = tweet.id
                out.append(post)
            continue
        if block.kind == PARAGRAPH and VIDEO_LINE.match(chunk):
            url_m = BARE_URL.search(chunk)
            url = quirks.video_url(url_m.group(0)) or url_m.group(0) if url_m else None
            doc.cite(Kind.VIDEO, chunk, block.start, block.end, url=url, found_by=FoundBy.WATCH_LINE)
            block.kind = BlockKind.CAPTION
        out.append(block)
    doc.blocks = out
    cite_bare_urls(doc)
    return doc


def clean_url(raw: str) -> str:
    """A bare URL without the punctuation that closes the sentence around it."""
    url = raw
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    if not re.match(r"(?i)https?://", url):
        url = "https://" + url
    return url


def cite_bare_urls(doc: Document, page_url: str | None = None) -> None:
    """URLs written out as text (glued to a word or not): links or short links, unless a link covers them.

    With the page's URL known, the site's own navigation and player URLs (an "embed this" code box)
    and share links are left out, as they are for anchors."""
    text = doc.text
    if "://" not in text and ".co" not in text.lower():
        return  # every BARE_URL match holds "://" or ".co" (of "t.co/", "….com/"): most texts hold neither
    links = (Kind.LINK, Kind.SHORT_LINK)
    taken = sorted((c.start, c.end) for c in doc.citations if c.url and c.kind in links)
    # spans a bare URL may sit in: embedded posts, and tweets (whose residue line belongs to them too)
    owners = sorted(
        [(b.start, b.end, b.citation) for b in doc.blocks if b.kind == POST and b.citation]
        + [(c.start, c.end, c.id) for c in doc.citations if c.kind == Kind.TWEET and c.end > c.start]
    )
    taken_starts = [a for a, _ in taken]
    owner_starts = [a for a, _, _ in owners]
    found = []
    for m in BARE_URL.finditer(text):
        raw = m.group(0)
        url = clean_url(raw)
        s, e = m.start(), m.start() + len(raw.rstrip(_TRAILING)) if raw[-1] in _TRAILING else m.end()
        i = bisect_right(taken_starts, e)
        if any(s < b for _, b in taken[max(0, i - 4) : i]) or not quirks.is_http(url):
            continue
        if page_url and (quirks.is_navigation(url, page_url) or quirks.is_share_or_follow(url)):
            continue
        i = bisect_right(owner_starts, s)
        parent = next((cid for a, b, cid in reversed(owners[max(0, i - 3) : i]) if a <= s < b), None)
        found.append((s, e, url, parent))
    for s, e, url, parent in found:
        kind = Kind.SHORT_LINK if quirks.is_short_link(url) else Kind.LINK
        doc.cite(kind, text[s:e], s, e, url=url, parent=parent, found_by=FoundBy.BARE_URL)
