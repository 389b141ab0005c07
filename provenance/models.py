"""The data that flows between pipeline stages.

Each stage takes and returns these dataclasses; none of them knows about the
database or the terminal. Outcomes are data (a `Status` on a `Resolution`),
never exceptions, so one dead link never stops an audit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a citation is: the `kind` column everywhere (JSON, database)."""

    LINK = "link"
    SHORT_LINK = "short_link"
    TWEET = "tweet"
    VIDEO = "video"
    OUTLET = "outlet"
    QUOTE = "quote"

    @property
    def is_page(self) -> bool:
        """Whether a citation of this kind points at a specific page (its URL), not just a name."""
        return self in (Kind.LINK, Kind.SHORT_LINK, Kind.TWEET, Kind.VIDEO)


class ClaimKind(StrEnum):
    HEADLINE = "headline"
    DEK = "dek"
    BULLET = "bullet"
    SENTENCE = "sentence"
    QUOTE = "quote"
    POST = "post"

    @property
    def is_summary(self) -> bool:
        return self in (ClaimKind.HEADLINE, ClaimKind.DEK, ClaimKind.BULLET)


class ClaimStatus(StrEnum):
    """How well a claim is sourced, best first (DESIGN.md, "Claims")."""

    ARCHIVED = "archived"    # a chain reaches a live page and a saved copy exists
    SOURCED = "sourced"      # a chain reaches a specific page: live, or not (yet) checkable
    VAGUE = "vague"          # only an outlet or a name: no specific page was cited
    BROKEN = "broken"        # every cited page is dead or a soft-404
    UNSOURCED = "unsourced"  # no chain at all


class Status(StrEnum):
    """What resolving a URL found (DESIGN.md, "Resolution"), with what each outcome means.

    Only a definitive status says something about the page itself; every other one says
    why it could not be checked this time, is never cached, and never replaces an earlier
    definitive answer.
    """

    ALIVE = "alive"
    DEAD = "dead"
    SOFT404 = "soft404"
    TIMEOUT = "timeout"
    ERROR = "error"
    REFUSED = "refused"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    OFFLINE = "offline"

    @property
    def is_definitive(self) -> bool:
        """The page itself answered: alive, dead or soft-404."""
        return self in (Status.ALIVE, Status.DEAD, Status.SOFT404)

    @property
    def is_broken(self) -> bool:
        """The source is gone: a claim citing only such pages is `broken`."""
        return self in (Status.DEAD, Status.SOFT404)

    @property
    def is_cacheable(self) -> bool:
        """A later run may reuse it within the freshness window; failures are always tried again."""
        return self.is_definitive

    @property
    def is_unchecked(self) -> bool:
        """The page could not be checked (or was not asked, offline): nothing is known of it."""
        return not self.is_definitive

    @classmethod
    def definitive(cls) -> tuple[Status, ...]:
        return tuple(s for s in cls if s.is_definitive)

    @classmethod
    def broken(cls) -> tuple[Status, ...]:
        return tuple(s for s in cls if s.is_broken)


class SnapshotStatus(StrEnum):
    """What an archive look-up found for a URL."""

    FOUND = "found"      # a snapshot exists near the target date
    SAVED = "saved"      # Save Page Now made one
    NONE = "none"        # the archive answered: it holds no copy
    UNKNOWN = "unknown"  # the archive could not be asked (busy, timeout): try again later
    ERROR = "error"      # the archive's answer made no sense
    PENDING = "pending"  # a save was asked for and is not finished

    @property
    def is_archived(self) -> bool:
        """A copy exists: what grading and every report count as archived."""
        return self in (SnapshotStatus.FOUND, SnapshotStatus.SAVED)

    @property
    def is_conclusive(self) -> bool:
        """The archive answered (a copy or none); a look-up within the freshness window is reused."""
        return self in (SnapshotStatus.FOUND, SnapshotStatus.SAVED, SnapshotStatus.NONE)

    @classmethod
    def archived(cls) -> tuple[SnapshotStatus, ...]:
        return tuple(s for s in cls if s.is_archived)


class RunStatus(StrEnum):
    """How a run (one command) ended; `running` until it does."""

    RUNNING = "running"
    DONE = "done"
    PARTIAL = "partial"          # a batch stopped with items left to do
    FAILED = "failed"            # nothing readable
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM: run it again to resume
    KILLED = "killed"            # the process died without finishing the run


class ItemState(StrEnum):
    """A batch item's place in the work queue: pending → working → done, or failed."""

    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_open(self) -> bool:
        return self in (ItemState.PENDING, ItemState.WORKING)


class LinkRule(StrEnum):
    """Why a claim leans on a citation (the `rule` of a claim link), and chain steps below it."""

    INLINE = "inline"
    ACCORDING_TO = "according-to"
    PARAGRAPH_OUTLET = "paragraph-outlet"
    QUOTE_ATTRIBUTION = "quote-attribution"
    EMBEDDED_POST = "embedded-post"
    ANNOUNCED_VIDEO = "announced-video"  # a video right after the sentence that announces it
    SUPPORTS = "supports"
    CONTAINS = "contains"            # chain step: a citation inside the one above (a tweet's t.co link)
    ATTRIBUTED_TO = "attributed-to"  # chain step: the outlet a quotation is attributed to


class FoundBy(StrEnum):
    """How extraction found a citation: the machine code (`found_by`); `words` is what a reader sees."""

    LINK = "link"                            # <a href> in the article's text
    BARE_URL = "bare-url"                    # an address written out in the text
    EMBEDDED_TWEET = "embedded-tweet"        # blockquote.twitter-tweet
    EMBEDDED_POST = "embedded-post"          # another platform's embed (Instagram, TikTok, …)
    POST_LINK = "post-link"                  # a link inside an embedded post
    IFRAME = "iframe"                        # an embedded player (YouTube, Vimeo, X)
    TWEET_RESIDUE = "tweet-residue"          # "— Name (@handle) Month D, YYYY" pasted as text
    WATCH_LINE = "watch-line"                # a "Watch: …" line left where a video was
    ACCORDING_TO = "according-to"            # "according to X", "X reported", "told X"
    PARAGRAPH_OUTLET = "paragraph-outlet"    # a bare domain ending a paragraph
    QUOTE_ATTRIBUTION = "quote-attribution"  # a domain ending a quotation's attribution
    QUOTATION = "quotation"                  # a quotation with its speaker

    @property
    def words(self) -> str:
        return FOUND_WORDS[self]

    def describe(self, cue: str | None = None) -> str:
        """The words for this way of finding a citation; for `according-to`, the cue's own words."""
        if self is FoundBy.ACCORDING_TO and cue in CUE_WORDS:
            return CUE_WORDS[cue]
        return self.words


# What a reader is shown for each way of finding a citation (one table for every format).
FOUND_WORDS: dict[FoundBy, str] = {
    FoundBy.LINK: "link in the text",
    FoundBy.BARE_URL: "URL written in the text",
    FoundBy.EMBEDDED_TWEET: "embedded tweet",
    FoundBy.EMBEDDED_POST: "embedded post",
    FoundBy.POST_LINK: "link in an embedded post",
    FoundBy.IFRAME: "embedded video",
    FoundBy.TWEET_RESIDUE: "pasted tweet text",
    FoundBy.WATCH_LINE: "'Watch …' line",
    FoundBy.ACCORDING_TO: "'according to …'",
    FoundBy.PARAGRAPH_OUTLET: "outlet named at the paragraph's end",
    FoundBy.QUOTE_ATTRIBUTION: "outlet named after a quote",
    FoundBy.QUOTATION: "quotation",
}

# The cue of an `according-to` citation (`cue`): the words around the outlet's name.
CUE_WORDS: dict[str, str] = {
    "according-to": "'according to …'",
    "told": "'told …'",
    "reported-by": "'reported by …'",
    "reported": "'… reported'",
    "inverted": "'“…,” … reported'",
    "via": "'via …'",
    "on-air": "'said on …'",
    "possessive": "'…’s report'",
    "report-of": "'a … report'",
    "dateline": "outlet in the dateline",
    "anaphora": "'the outlet' again",
    "list": "outlet named as a source",
}

# Cues of an `according-to` citation that is less certain: named in a list with a cued
# outlet, or referred back to ("the agency said").
WEAK_CUES = frozenset({"list", "anaphora"})


class HopKind(StrEnum):
    """How the resolver was sent on (`via` of a hop)."""

    HTTP = "http"
    META_REFRESH = "meta-refresh"
    JS = "js"


class CaptureKind(StrEnum):
    """The type of a WARC record written (`record_type` of a capture)."""

    RESPONSE = "response"
    REVISIT = "revisit"
    REQUEST = "request"

    @property
    def is_copy(self) -> bool:
        """A record that keeps the page itself (a revisit points at an identical earlier payload)."""
        return self in (CaptureKind.RESPONSE, CaptureKind.REVISIT)


class BlockKind(StrEnum):
    """The blocks an article's text is made of. Headings and captions are structure, never claims."""

    HEADLINE = "headline"
    DEK = "dek"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    POST = "post"
    QUOTE = "quote"
    CAPTION = "caption"
    BOILERPLATE = "boilerplate"


# --- the numbers every summary shows -------------------------------------------------------------


def dead_link_rate(broken: int, checked: int) -> float | None:
    """Dead and soft-404 URLs over the URLs checked definitively; None when none was."""
    return round(broken / checked, 4) if checked else None


@dataclass
class LinkTally:
    """Distinct cited URLs by what is known of them: the one source of every summary's URL numbers."""

    urls: int = 0
    checked: int = 0           # definitively: alive, dead or soft-404
    broken: int = 0            # dead or soft-404
    unchecked: int = 0         # could not be checked (no network, timeout, error, refused, robots, …)
    offline: int = 0           # not asked: an --offline run
    never: int = 0             # no resolution recorded at all
    reasons: Counter[str] = field(default_factory=Counter)  # why the unchecked ones could not be

    @classmethod
    def of(cls, statuses: Iterable[tuple[Status | str | None, str | None]]) -> LinkTally:
        """From (status, reason) per distinct URL; a None status: never resolved."""
        t = cls()
        for status, reason in statuses:
            t.urls += 1
            if status is None:
                t.never += 1
                continue
            s = Status(status)
            if s.is_definitive:
                t.checked += 1
                t.broken += s.is_broken
            elif s is Status.OFFLINE:
                t.offline += 1
            else:
                t.unchecked += 1
                t.reasons[reason or s.value] += 1
        return t

    @classmethod
    def of_counts(cls, counts: Mapping[str, int], reasons: Mapping[str, int] | None = None) -> LinkTally:
        """From URLs counted by status (a batch summary's `resolutions`), and the URLs that could not
        be checked counted by reason, when known."""
        t = cls.of((status, None) for status, n in counts.items() for _ in range(n))
        if reasons and sum(reasons.values()) == t.unchecked:
            t.reasons = Counter(reasons)
        return t

    @property
    def dead_link_rate(self) -> float | None:
        return dead_link_rate(self.broken, self.checked)

    @property
    def no_network(self) -> bool:
        """Every URL that was tried failed for want of a network."""
        return bool(self.unchecked) and not self.checked and set(self.reasons) <= NO_NETWORK_REASONS

    def words(self) -> str:
        """'8 URLs: 0 checked, 8 could not be checked (no network: DNS unavailable)'."""
        parts = [f"{self.checked} checked"]
        if self.unchecked:
            said: Counter[str] = Counter()
            for reason, n in self.reasons.items():
                said[REASON_WORDS.get(reason, reason.replace("_", " "))] += n
            why = ", ".join(w if n == self.unchecked else f"{w} {n}" for w, n in said.most_common())
            if self.no_network:
                why = f"no network: {why}"
            parts.append(f"{self.unchecked} could not be checked ({why})")
        if self.offline:
            parts.append(f"{self.offline} not checked (offline run)")
        if self.never:
            parts.append(f"{self.never} not checked yet")
        if self.dead_link_rate is not None:
            parts.append(f"{self.broken} dead: dead-link rate {self.dead_link_rate:.0%}")
        return f"{self.urls} URL{'' if self.urls == 1 else 's'}: " + ", ".join(parts)


# Reasons that say the machine has no network, not that the page is unreachable.
NO_NETWORK_REASONS = frozenset({"dns_unavailable", "network_unreachable", "no_network"})
REASON_WORDS = {
    "dns_unavailable": "DNS unavailable",
    "dns_error": "DNS error",
    "network_unreachable": "network unreachable",
    "no_network": "DNS unavailable",  # the canary found no name resolving; this name was not asked
    "robots": "robots.txt",
    "blocked_address": "private address",
}


def exit_code(*, readable: int, unreadable: int = 0, broken: int = 0, unchecked: int = 0,
              offline: bool = False, interrupted: bool = False) -> int:
    """The exit code of `audit`, `batch`, `resolve` and `archive` (README, "Exit codes").

    130 interrupted; 2 nothing readable; 1 broken references, unreadable inputs, or references
    that could not be checked (unless the run was --offline, which checks nothing on purpose);
    0 otherwise.
    """
    if interrupted:
        return 130
    if not readable:
        return 2
    if broken or unreadable or (unchecked and not offline):
        return 1
    return 0


@dataclass
class Article:
    """One input document, decoded once at the boundary."""

    source: str                    # natural key: path, URL, `-`, or `file.warc.gz#offset`
    content: str                   # the decoded document (HTML or plain text)
    is_html: bool
    url: str | None = None         # where it lives on the web, when known
    fetched_at: str | None = None  # ISO timestamp when it came from the web or a WARC record
    encoding: str | None = None
    sha256: str | None = None      # of the raw bytes
    notes: list[str] = field(default_factory=list)  # e.g. "truncated at 10 MB"


@dataclass
class Citation:
    """Something the article leans on. `start`/`end` index into `Extraction.text`."""

    id: int
    kind: Kind
    text: str
    url: str | None = None
    outlet: str | None = None
    handle: str | None = None
    speaker: str | None = None
    date: str | None = None        # YYYY-MM-DD
    parent: int | None = None      # id of the enclosing citation (a tweet for its t.co link)
    start: int = 0
    end: int = 0
    # How it was found, as data (lychee keeps element and attribute the same way): the rule,
    # the HTML element and attribute it came from, and the cue words of an attribution.
    found_by: FoundBy | None = None
    element: str | None = None     # "a", "blockquote", "iframe"; None for plain text
    attribute: str | None = None   # "href", "src"
    cue: str | None = None         # for `according-to`: "according-to", "reported", "list", "anaphora", …

    @property
    def found_words(self) -> str:
        """How it was found, in words a reader knows."""
        return FoundBy(self.found_by).describe(self.cue) if self.found_by else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": Kind(self.kind).value, "url": self.url, "text": self.text,
            "outlet": self.outlet, "handle": self.handle, "speaker": self.speaker, "date": self.date,
            "parent": self.parent, "start": self.start, "end": self.end,
            "found_by": FoundBy(self.found_by).value if self.found_by else None,
        }


@dataclass
class ClaimLink:
    """Why a claim leans on a citation: the linking rule and how sure it is."""

    citation: int
    rule: LinkRule
    confidence: float
    via: int | None = None         # for `supports`: the supporting claim whose citation this is

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"citation": self.citation, "rule": LinkRule(self.rule).value,
                     "confidence": round(self.confidence, 3)}
        if self.via is not None:
            out["via"] = self.via
        return out


@dataclass
class Claim:
    """One assertion of the article. `start`/`end` index into `Extraction.text`."""

    id: int
    kind: ClaimKind
    text: str
    start: int = 0
    end: int = 0
    citations: list[ClaimLink] = field(default_factory=list)
    supported_by: list[tuple[int, float]] = field(default_factory=list)  # (claim id, confidence): `supports`
    status: ClaimStatus = ClaimStatus.UNSOURCED

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": ClaimKind(self.kind).value, "text": self.text,
            "start": self.start, "end": self.end, "status": ClaimStatus(self.status).value,
            "citations": [link.to_json() for link in self.citations],
            "supported_by": [{"claim": cid, "rule": LinkRule.SUPPORTS.value, "confidence": round(conf, 3)}
                             for cid, conf in self.supported_by],
        }


@dataclass
class Extraction:
    """What `extract` finds in one article: metadata, citations and claims."""

    source: str
    text: str                      # the article's plain text; every offset points into it
    title: str | None = None
    published: str | None = None   # YYYY-MM-DD
    canonical_url: str | None = None
    outlet: str | None = None
    author: str | None = None
    language: str | None = None
    citations: list[Citation] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def citation(self, cid: int) -> Citation:
        return next(c for c in self.citations if c.id == cid)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "title": self.title, "published": self.published,
            "canonical_url": self.canonical_url, "outlet": self.outlet, "author": self.author,
            "citations": [c.to_json() for c in self.citations],
            "claims": [c.to_json() for c in self.claims],
            "notes": list(self.notes),
        }


@dataclass
class Hop:
    """One redirect step the resolver followed (the final response is not a hop)."""

    url: str
    http_status: int | None
    location: str | None
    via: HopKind = HopKind.HTTP

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "http_status": self.http_status, "location": self.location,
                "via": HopKind(self.via).value}


@dataclass
class Exchange:
    """One HTTP request and its response as sent and received: the raw material of a WARC capture.

    `body` holds the payload as it came off the wire (content-encoding kept, chunking removed),
    cut at the byte cap; `truncated` says why it was cut ("length" or "time").
    """

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    http_status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    http_version: str = "HTTP/1.1"
    peer_ip: str | None = None
    started_at: str | None = None  # ISO timestamp
    truncated: str | None = None


@dataclass
class Resolution:
    """What one URL led to: every hop, the final URL and its status."""

    url: str
    final_url: str | None
    status: Status
    reason: str | None = None
    http_status: int | None = None
    elapsed_ms: int | None = None
    hops: list[Hop] = field(default_factory=list)
    checked_at: str | None = None
    content_type: str | None = None
    from_cache: bool = False
    # The final response (and each hop's), for archiving; not serialised.
    exchanges: list[Exchange] = field(default_factory=list, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url, "final_url": self.final_url, "status": Status(self.status).value,
            "reason": self.reason, "http_status": self.http_status, "elapsed_ms": self.elapsed_ms,
            "hops": [h.to_json() for h in self.hops],
        }


@dataclass
class Capture:
    """A WARC record we wrote (or a revisit of an identical earlier payload)."""

    url: str
    warc_file: str                 # path relative to the archive directory
    offset: int
    length: int
    record_type: CaptureKind
    payload_digest: str | None
    block_digest: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    size: int | None = None        # payload bytes
    truncated: str | None = None
    captured_at: str | None = None
    record_id: str | None = None
    refers_to: str | None = None   # for a revisit: the record id of the original


@dataclass
class Snapshot:
    """The Wayback Machine's copy nearest to the article's date, or why there is none."""

    url: str
    status: SnapshotStatus
    timestamp: str | None = None   # 14-digit Wayback timestamp
    snapshot_url: str | None = None
    http_status: int | None = None
    distance_days: float | None = None
    target_date: str | None = None
    checked_at: str | None = None
    reason: str | None = None


@dataclass
class Block:
    """One block of an article's text (offsets into `Extraction.text`), as extraction cut it."""

    kind: BlockKind
    start: int
    end: int
    citation: int | None = None  # for a post: the tweet (or other embed) it belongs to
    anchors: list[Anchor] = field(default_factory=list)


@dataclass
class Anchor:
    """A link inside a block, offsets relative to the document."""

    start: int
    end: int
    url: str
    text: str


@dataclass
class AuditResult:
    """What one audit found and recorded, for the report."""

    article_id: int
    article: Article
    doc: Extraction
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)

    def broken(self) -> list[Resolution]:
        """Cited URLs that are gone (dead or soft-404) by this run's answers."""
        return [r for r in self.resolutions.values() if Status(r.status).is_broken]
