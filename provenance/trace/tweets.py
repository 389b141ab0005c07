"""Tweet residue → status URL: a pasted tweet keeps its author and day, and the archive has the rest.

An embed that lost its script leaves "text — Name (@handle) July 1, 2025" and no status URL.
Twitter posts are often archived under `twitter.com/<handle>/status/` (and `x.com`) even where
the article's own links are gone; a CDX prefix query for that day lists the account's archived
statuses, each is fetched raw and the residue's text is looked for in it. The status whose
text matches best, with a verdict the quote check accepts, is the tweet's URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..archive.wayback import date_in_text
from ..check import check_quote, main_text
from ..errors import FetchError
from ..fetch import decoded_body
from .candidates import NO_ARCHIVE, NOT_VERIFIED, VERIFIED, Budget, Candidate, Trace

HOSTS = ("twitter.com", "x.com")
MAX_STATUSES = 30  # statuses fetched and checked per residue (a verbatim match stops the fetching)
TWEET_CHARS = 300  # a tweet's 280 characters, and links written out longer than t.co counts them
NO_HANDLE = "no_handle_or_date"
NO_STATUSES = "no_statuses_archived_that_day"

RESIDUE = re.compile(r"[—–-]{1,2}\s*(?P<name>[^\n(—–]{0,80}?)\s*\(@(?P<handle>\w{1,15})\)\s*"
                     r"(?P<date>[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})")
STATUS = re.compile(r"^https?://(?:(?:www|mobile)\.)?(?:twitter|x)\.com/(\w{1,15})/status(?:es)?/(\d+)", re.I)


@dataclass(frozen=True)
class Residue:
    """A pasted tweet: its words, the author's name and handle, and its day."""

    text: str
    name: str
    handle: str
    day: date


def find_residue(text: str) -> Residue | None:
    """The residue's byline ("— Name (@handle) Month D, YYYY") and the words just before it."""
    m = RESIDUE.search(text)
    if m is None:
        return None
    day = date_in_text(m.group("date"))
    if day is None:
        return None
    # The tweet's lines are those just above the byline: the nearest always, more while a tweet
    # could hold them (the article's paragraph before them is longer than that).
    lines: list[str] = []
    for line in reversed(text[: m.start()].rstrip().split("\n")):
        if lines and (not line.strip() or sum(map(len, lines)) + len(line) > TWEET_CHARS):
            break
        lines.insert(0, line)
    return Residue("\n".join(lines).strip(), m.group("name").strip(), m.group("handle"), day)


def status_text(html: str, url: str) -> str:
    """What a status page says: its main text, or, for a bare page, its og:description."""
    m = re.search(r'<meta[^>]+(?:property|name)=["\']og:description["\'][^>]+content=["\']([^"\']*)', html, re.I)
    text = main_text(html, url)
    return f"{m.group(1)}\n\n{text}" if m else text


def _words_only(text: str) -> str:
    """The residue's words without its byline and links (t.co and pic.twitter.com differ between copies)."""
    byline = RESIDUE.search(text)
    text = text[: byline.start()] if byline else text
    return re.sub(r"\s+", " ", re.sub(r"(?:https?://|pic\.twitter\.com/)\S+", " ", text)).strip()


def trace_tweet(wayback, residue: Residue, *, budget: int | Budget = 20, max_statuses: int = MAX_STATUSES) -> Trace:
    """The archived status the residue was pasted from, with the CDX calls it took (`budget`: a limit, or
    the citation's `Budget` when several archives share it)."""
    if not residue.handle:
        return Trace("vague", reason=NO_HANDLE)
    spent, errors = budget if isinstance(budget, Budget) else Budget(budget), list[str]()
    before = spent.spent  # what earlier archives sharing the budget spent
    seen: dict[str, Candidate] = {}
    # A tweet's day is the author's local day: the UTC day before and after are asked too.
    start = (residue.day - timedelta(days=1)).strftime("%Y%m%d")
    end = (residue.day + timedelta(days=1)).strftime("%Y%m%d")
    for host in HOSTS:
        if wayback.gate.paused or not spent.take():
            break
        rows, reason = wayback.rows({"url": f"{host}/{residue.handle}/status/", "matchType": "prefix",
                                     "from": start, "to": end, "filter": "statuscode:200",
                                     "collapse": "urlkey", "limit": "500"})
        if reason is not None:
            errors.append(reason)
        for r in rows:
            m = STATUS.match(r.get("original") or "")
            if m and m.group(1).lower() == residue.handle.lower() and m.group(2) not in seen:
                seen[m.group(2)] = Candidate(f"https://twitter.com/{m.group(1)}/status/{m.group(2)}",
                                             r["timestamp"], "tweet", wayback.base, original=r["original"])
    if not seen:
        reason = NO_STATUSES if spent.spent - before > len(errors) else (wayback.gate.paused or NO_ARCHIVE)
        return Trace("vague", reason=reason, cdx_calls=spent.spent)
    words = _words_only(residue.text)
    ordered = sorted(seen.values(), key=lambda c: (abs(int(c.timestamp[:8]) - int(residue.day.strftime("%Y%m%d"))),
                                                  c.url))
    fetches = 0
    for c in ordered[:max_statuses]:
        if wayback.gate.paused:
            break
        try:
            ex = wayback.raw(c.timestamp, c.original or c.url)
        except FetchError:
            c.verdict, c.score = "unavailable", 0.0
            continue
        fetches += 1
        c.exchange = ex
        if ex.http_status != 200 or not words:
            c.verdict, c.score = "unavailable", 0.0
            continue
        page = status_text(decoded_body(ex, 5_000_000).decode("utf-8", errors="replace"), c.url)
        check = check_quote(words, page)
        c.verdict, c.score, c.passage = check.verdict, round(check.score, 4), check.passage
        if check.verdict == "verbatim":
            break
    ranked = sorted(ordered, key=lambda c: (c.verdict in VERIFIED, c.score or 0.0), reverse=True)
    for i, c in enumerate(ranked, 1):
        c.rank = i
        c.rank_score = c.score or 0.0
    best = ranked[0] if ranked[0].verdict in VERIFIED else None
    if best is None:
        return Trace("candidates", candidates=ranked, reason=NOT_VERIFIED, cdx_calls=spent.spent, fetches=fetches)
    return Trace("traced", traced=best, candidates=ranked, cdx_calls=spent.spent, fetches=fetches)
