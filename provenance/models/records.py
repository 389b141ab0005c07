"""The records that flow between pipeline stages: an article, its citations and claims, the
resolution of each URL, its captures and snapshots, and what one audit found.

None of them knows about the database or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from provenance.models.vocabulary import (
    BlockKind,
    CaptureKind,
    ClaimKind,
    ClaimStatus,
    FoundBy,
    HopKind,
    Kind,
    LinkRule,
    SnapshotStatus,
    Status,
)


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
