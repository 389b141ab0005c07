"""What a report shows, read back from the database: one article, its claims and their chains.

Every format (terminal, Markdown, HTML, `show`) renders this one structure, so
they cannot disagree. It is read from the database rather than from the audit
in memory because the database is the record: `show` and `audit` then print the
same thing, and a report can be made again later without re-running anything.

The shape of a chain comes from the `chains` view (store/views.py): its rows say
which citations a claim reaches and at what depth. The evidence for each cited URL —
what is known of it (`latest_resolutions`), its hops, its latest capture and best
snapshot — is read per URL (store/queries.py), the same joins the view makes. The check stage's
verdicts hang where the `chains` view puts them: a quote or passage check on the claim's node for
the page it read, a drift check on the URL's evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import sqlite_utils

from ..errors import NotFound
from ..models import ClaimStatus, Kind, LinkTally, SnapshotStatus, Status, Verdict
from ..store import queries, trace_queries
from ..store.views import STEP_DEPTH


@dataclass
class Evidence:
    """What is known of one cited URL (its latest definitive resolution, else its latest attempt) and
    its saved copies: the latest capture of the final URL, and the best archive look-up."""

    url: str
    status: str | None = None  # None: never resolved
    reason: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    checked_at: str | None = None
    elapsed_ms: int | None = None
    hops: list[dict] = field(default_factory=list)  # seq, url, http_status, location, via
    captures: list[dict] = field(default_factory=list)  # response/revisit records of the final URL
    snapshots: list[dict] = field(default_factory=list)  # Wayback look-ups for the cited URL
    drift: dict | None = None  # the drift check: the page near the article's date against the page now

    @property
    def found_snapshots(self) -> list[dict]:
        return [s for s in self.snapshots if SnapshotStatus(s["status"]).is_archived]

    @property
    def archived(self) -> bool:
        return bool(self.captures or self.found_snapshots)

    @property
    def broken(self) -> bool:
        return self.status is not None and Status(self.status).is_broken

    @property
    def alive(self) -> bool:
        return self.status == Status.ALIVE

    @property
    def definitive(self) -> bool:
        """The page answered (alive, dead, soft-404): a final URL and a check date mean something."""
        return self.status is not None and Status(self.status).is_definitive


@dataclass
class CitationView:
    id: int
    seq: int
    kind: str
    text: str | None
    url: str | None
    outlet: str | None
    handle: str | None
    speaker: str | None
    date: str | None
    parent_id: int | None
    found_in: str | None   # how it was found, in words
    start: int | None
    end: int | None
    found_by: str | None = None  # the same as a machine code (models.FoundBy)
    evidence: Evidence | None = None
    trace_result: str | None = None  # a vague citation: what tracing found, in one line
    candidates: list[dict] = field(default_factory=list)  # the pages tracing found for it, best first

    @property
    def traced(self) -> dict | None:
        """The candidate page that verified the claim (found by tracing), if any."""
        return next((k for k in self.candidates if k["verdict"] and Verdict(k["verdict"]).is_found), None)

    @property
    def label(self) -> str:
        """The words a reader knows this citation by: a handle, an outlet, a speaker, or its text."""
        if self.kind == Kind.TWEET and self.handle:
            return self.handle
        if self.kind == Kind.QUOTE and self.speaker:
            return self.speaker
        if self.kind == Kind.OUTLET and self.outlet:
            return self.outlet
        return self.url or self.text or self.outlet or ""


@dataclass
class Node:
    """One citation reached from a claim, with the citations reached through it."""

    citation: CitationView
    rule: str  # the linking rule, or `contains` / `attributed-to` below the first level
    confidence: float | None
    depth: int
    children: list[Node] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)  # the claim's quote or passage checks against this page


class Strength(IntEnum):
    """How strong a chain is, by what its last citation reached."""

    VERIFIED = 7  # a quote or passage check found the claim's words on the page
    ARCHIVED = 6
    ALIVE = 5
    TRACED = 4  # no page cited, but tracing found one whose text verifies the claim
    UNCHECKED = 3
    NO_URL = 2
    BROKEN = 1


class Role(StrEnum):
    """What a chain step is, for a renderer to colour or mark it (the HTML report's `r-<role>` classes)."""

    CITATION = "citation"
    URL = "url"
    FINAL = "final"
    HOP = "hop"
    ALIVE = "alive"
    BROKEN = "broken"
    UNCHECKED = "unchecked"
    ARCHIVE = "archive"
    NOTE = "note"
    CLAIM = "claim"
    FOUND = "found"      # a check found the article's words at the source (or the page unchanged)
    FLAGGED = "flagged"  # a check a reader must look at: words altered or missing, a page that drifted
    CHECK = "check"      # any other check verdict


def strength(c: CitationView, checks: list[dict] | None = None) -> int:
    if any(Verdict(k["verdict"]).is_found for k in checks or []):
        return int(Strength.VERIFIED)
    ev = c.evidence
    if not c.url and c.traced is not None:
        return int(Strength.TRACED)
    if ev is None:
        return int(Strength.UNCHECKED if c.url else Strength.NO_URL)
    if ev.broken:
        return int(Strength.BROKEN)
    if ev.alive:
        return int(Strength.ARCHIVED if ev.archived else Strength.ALIVE)
    return int(Strength.UNCHECKED)


@dataclass
class ClaimView:
    id: int
    seq: int
    kind: str
    text: str
    start: int | None
    end: int | None
    status: str
    chains: list[Node] = field(default_factory=list)
    supported_by: list[tuple[int, float | None]] = field(default_factory=list)
    hops: list[dict] = field(default_factory=list)  # the pages deep tracing reached (`trace_of`), by depth

    def paths(self) -> list[list[Node]]:
        """Every way down from the claim: root-to-node lists, for each node."""
        out: list[list[Node]] = []

        def walk(node: Node, trail: list[Node]) -> None:
            trail = trail + [node]
            out.append(trail)
            for child in node.children:
                walk(child, trail)

        for root in self.chains:
            walk(root, [])
        return out

    def checks(self) -> list[dict]:
        """Every check bearing on this claim: its quote and passage checks, and its pages' drift checks."""
        out: list[dict] = []
        for path in self.paths():
            node = path[-1]
            out += node.checks
            ev = node.citation.evidence
            if ev is not None and ev.drift is not None and ev.drift not in out:
                out.append(ev.drift)
        return out

    def strongest(self) -> list[Node] | None:
        """The path a reader should see first: best evidence at its end, then the most detail."""
        best, key = None, None
        for i, path in enumerate(self.paths()):
            k = (strength(path[-1].citation, path[-1].checks), len(path), -i)
            if key is None or k > key:
                best, key = path, k
        return best


@dataclass
class ArticleReport:
    id: int
    source: str
    title: str | None
    url: str | None
    published: str | None
    outlet: str | None
    text: str
    audited_at: str | None
    claims: list[ClaimView]
    citations: list[CitationView]

    def claim(self, claim_id: int) -> ClaimView | None:
        return next((c for c in self.claims if c.id == claim_id), None)

    def links(self) -> LinkTally:
        """The distinct cited URLs by what is known of them (checked, could not be, not asked)."""
        evidence = {c.url: c.evidence for c in self.citations if c.url}
        return LinkTally.of((e.status, e.reason) if e else (None, None) for e in evidence.values())

    def summary(self) -> dict:
        """Claims by status, and the cited URLs: how many were checked, could not be, and are dead."""
        statuses = Counter(c.status for c in self.claims)
        links = self.links()
        return {
            "claims": {s.value: statuses.get(s.value, 0) for s in ClaimStatus},
            "citations": len(self.citations),
            "urls": links.urls,
            "urls_checked": links.checked,
            "urls_unchecked": links.unchecked,
            "urls_offline": links.offline,
            "urls_dead": links.broken,
            "dead_link_rate": links.dead_link_rate,
            "links": links.words(),
        }


def load(db: sqlite_utils.Database, article_id: int) -> ArticleReport:
    """Read one article's report from the database."""
    row = queries.article_row(db, article_id)
    if not row:
        raise NotFound(f"no article {article_id}")
    checks = queries.check_rows(db, article_id)
    citations = _citations(db, article_id, {k["url_id"]: k for k in checks if k["claim_id"] is None})
    results, candidates = trace_queries.trace_results(db, article_id), trace_queries.candidate_rows(db, article_id)
    for c in citations:
        c.trace_result = results.get(c.id)
        c.candidates = [k for k in candidates if k["citation_id"] == c.id]
    claims = _claims(db, article_id, {c.id: c for c in citations}, checks)
    return ArticleReport(
        id=row[0],
        source=row[1],
        title=row[2],
        url=row[3],
        published=row[4],
        outlet=row[5],
        text=row[6] or "",
        audited_at=row[7],
        claims=claims,
        citations=citations,
    )


def article_of_claim(db: sqlite_utils.Database, claim_id: int) -> int:
    found = queries.article_of_claim(db, claim_id)
    if found is None:
        raise NotFound(f"no claim {claim_id}")
    return found


def _citations(db, article_id: int, drifts: dict[int, dict]) -> list[CitationView]:
    rows = queries.citation_rows(db, article_id)
    cache: dict[int, Evidence | None] = {}
    out = []
    for r in rows:
        url_id = r[14]
        if url_id is not None and url_id not in cache:
            cache[url_id] = _evidence(db, url_id, r[4])
            known = cache[url_id]
            if known is not None:
                known.drift = drifts.get(url_id)
        view = CitationView(*r[:14])
        view.evidence = cache.get(url_id) if url_id is not None else None
        out.append(view)
    return out


def _evidence(db, url_id: int, url: str) -> Evidence | None:
    """What is known of one URL with its hops, the latest capture of its final URL, and its best snapshot."""
    ev = Evidence(url=url)
    res = queries.known_resolution(db, url_id)
    if res:
        ev.final_url, ev.status, ev.reason, ev.http_status, ev.checked_at, ev.elapsed_ms = res[1:]
        ev.hops = queries.hops_of(db, res[0])
        if ev.final_url and ev.definitive:
            ev.captures = queries.latest_copies(db, ev.final_url)
        else:
            ev.final_url = None  # a URL that never resolved has no final page
    ev.snapshots = queries.best_snapshots(db, url_id)
    if not res and not ev.snapshots:
        return None
    return ev


def _claims(db, article_id: int, citations: dict[int, CitationView], checks: list[dict]) -> list[ClaimView]:
    claims = [ClaimView(*r) for r in queries.claim_rows(db, article_id)]
    by_id = {c.id: c for c in claims}
    for cid, other, conf in queries.support_rows(db, article_id):
        by_id[cid].supported_by.append((other, conf))
    checked: dict[tuple[int, int], list[dict]] = {}
    for k in checks:
        if k["claim_id"] is not None:
            checked.setdefault((k["claim_id"], k["citation_id"]), []).append(k)
    _attach_chains(db, article_id, by_id, citations, checked)
    for hop in trace_queries.trace_rows(db, article_id):
        if hop["claim_id"] in by_id:
            by_id[hop["claim_id"]].hops.append(hop)
    return claims


def _attach_chains(
    db, article_id: int, claims: dict[int, ClaimView], citations: dict[int, CitationView],
    checked: dict[tuple[int, int], list[dict]],
) -> None:
    """Rebuild each claim's tree from the `chains` view's citation steps.

    The view lists steps by depth, not depth-first, so a step's place in the tree is found from the
    citations' own parent links: below `contains` is a child of the step above, below
    `attributed-to` is the parent of the quote above.
    """
    rows = queries.chain_citation_steps(db, article_id)
    groups: dict[tuple[int, int], list[tuple]] = {}
    for r in rows:
        groups.setdefault((r[0], r[1]), []).append(r)
    for (claim_id, _chain), steps in groups.items():
        by_depth: dict[int, list[Node]] = {}
        for _, _, step, rule, confidence, citation_id in sorted(steps, key=lambda s: s[2]):
            if citation_id not in citations:
                continue
            depth = step // STEP_DEPTH
            node = Node(citation=citations[citation_id], rule=rule, confidence=confidence, depth=depth,
                        checks=checked.get((claim_id, citation_id), []))
            by_depth.setdefault(depth, []).append(node)
            if depth == 1:
                claims[claim_id].chains.append(node)
                continue
            for above in by_depth.get(depth - 1, []):
                if (rule == "contains" and node.citation.parent_id == above.citation.id) or (
                    rule == "attributed-to" and above.citation.parent_id == node.citation.id
                ):
                    above.children.append(node)
                    break
