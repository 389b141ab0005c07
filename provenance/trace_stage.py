"""The trace stage: vague citations of a recorded article → ranked candidate pages, recorded.

It runs after the check stage, on what the database holds, so `provenance trace` can run it
again later. For each citation with no URL (an outlet named as a source, a tweet pasted as
text) it asks the run's archives (`--archive-source`, in turn, one CDX budget per citation across
them) through `trace.trace_citation`:

- every candidate is recorded in `candidates` (rank, score, the check verdict once fetched);
- each candidate fetched raw is kept in the WARC files and recorded as a capture, through the
  run's archiver (the same sink as every other capture);
- a pasted tweet whose status was found gets the status URL as its URL;
- every traced citation keeps what tracing found in one line (`citations.trace_result`): the
  traced page, the ranked candidates, or why it stays vague.

The grade (`traced`) comes from the recorded candidates (`trace_queries.traced_citations`).

With a depth of 2 or more (`--depth N`), `trace_deeper` goes on below the page that verified each
claim (a cited page its check found the words on, or the page tracing found): `trace.DeepTracer`
follows the links near the passage, N - 1 levels down, and every page reached is recorded
(`store.trace_queries`: an article per page read, a `trace_of` row per page reached, with why its
branch ends and whether it copies another). Each page below the cited one is resolved and captured
like a cited page (or, gone, read from the archive's raw copy, kept in the WARC files too). The
names of whoever the claim quotes (its quotations' speakers, a pasted tweet's author) go down with it:
a page on their own site (`trace.owners`: its domain spells the name, or it says it is theirs) or a
post of their handle is the primary source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from . import ingest
from .archive.warc import read_record
from .errors import FetchError, NotFound
from .fetch import decoded_body, header
from .models import Exchange, Extraction, Kind, Status
from .run import RunContext
from .store import queries, trace_queries, writes
from .trace import (
    NO_CAPTURES,
    NO_DOMAIN,
    NO_STATUSES,
    NOT_VAGUE,
    DeepTrace,
    DeepTracer,
    Page,
    Trace,
    Tracer,
    trace_citation,
)
from .trace.deep import DOCUMENT
from .trace.owners import speaker_names

log = logging.getLogger("provenance.trace")


@dataclass
class TracedCitation:
    """One vague citation and what tracing it found."""

    citation_id: int
    kind: str
    outlet: str | None
    trace: Trace
    kept: bool = False  # the archive gave no answer this time: the earlier trace stands

    def line(self) -> str:
        if self.kept:
            return f"the earlier trace kept: no answer this time ({self.trace.reason})"
        return self.trace.line()


def recorded_extraction(ctx: RunContext, article_id: int) -> Extraction:
    """The recorded article as tracing reads it: its text, date, citations and claims."""
    row = queries.article_row(ctx.db, article_id)
    if row is None:
        raise NotFound(f"no article {article_id}")
    _, source, title, _, published, _, text, _ = row
    citations, claims = queries.article_claims(ctx.db, article_id)
    return Extraction(source=source, text=text or "", title=title, published=published,
                      citations=list(citations.values()), claims=list(claims.values()))


# Why a citation stays vague, when that is what the archive answered (else it could not be asked).
ANSWERED = frozenset({NO_DOMAIN, NO_CAPTURES, NO_STATUSES, NOT_VAGUE})


def is_vague(kind: str, url: str | None) -> bool:
    return not url and Kind(kind) in (Kind.OUTLET, Kind.TWEET)


class TraceStage:
    """The trace stage on one run's context (first level: candidates and the traced page)."""

    def __init__(self, ctx: RunContext, today: date | None = None):
        self.ctx = ctx
        self.tracers = [Tracer(w) for w in ctx.archiver.archives]  # one budget across them (`trace_citation`)
        self.today = today
        self.deeper: dict[int, dict[int, DeepTrace]] = {}  # article id → claim id → its deep trace, as run

    def run(self, article_id: int, claim_id: int | None = None, depth: int = 1) -> list[TracedCitation]:
        """The stage at `depth`: the vague citations traced, then (from depth 2) each claim traced deeper."""
        found = self.trace_article(article_id, claim_id)
        if depth >= 2:
            self.deeper[article_id] = self.trace_deeper(article_id, depth, claim_id)
        return found

    def trace_article(self, article_id: int, claim_id: int | None = None) -> list[TracedCitation]:
        """Trace every vague citation of one recorded article (or those `claim_id` rests on); the
        candidates replace the earlier ones. Returns what each citation's trace found."""
        ex = recorded_extraction(self.ctx, article_id)
        wanted = None
        if claim_id is not None:
            claim = next((c for c in ex.claims if c.id == claim_id), None)
            wanted = {link.citation for link in claim.citations} if claim else set()
            wanted |= {c.parent for c in ex.citations if c.id in wanted and c.parent is not None}
        found_before = trace_queries.traced_by_tracing(self.ctx.db, article_id)  # citation id → its URL from tracing
        out: list[TracedCitation] = []
        for citation in ex.citations:
            if citation.url and found_before.get(citation.id) == citation.url:
                citation = replace(citation, url=None)  # a tweet's status URL tracing found: trace it again
            if not is_vague(citation.kind, citation.url) or (wanted is not None and citation.id not in wanted):
                continue
            if self.ctx.settings.offline:
                trace = Trace("vague", reason="offline")
            else:
                trace = trace_citation(self.tracers, ex, citation, self.today)
            kept = not trace.candidates and trace.reason not in ANSWERED and trace_queries.has_candidates(
                self.ctx.db, citation.id)
            if not kept:  # no answer this time never replaces an earlier answer
                self._record(citation.id, Kind(citation.kind), trace)
            out.append(TracedCitation(citation.id, Kind(citation.kind).value, citation.outlet, trace, kept))
        return out

    def _record(self, citation_id: int, kind: Kind, trace: Trace) -> None:
        rows = []
        for c in trace.candidates:
            row = c.row()
            row["passage"] = c.passage
            row["capture_id"] = None
            if isinstance(c.exchange, Exchange) and c.exchange.http_status == 200:
                kept = self.ctx.archiver.keep_exchange(c.exchange)
                row["capture_id"] = kept[1] if kept else None
                c.exchange = None  # kept: let the body go
            rows.append(row)
        traced_url = trace.traced.url if (kind is Kind.TWEET and trace.traced is not None) else None
        writes.replace_candidates(self.ctx.db, self.ctx.run_id, citation_id, rows, trace.line(), traced_url)

    # -- deeper: from the page that verified a claim down to its primary source ---------------
    def trace_deeper(self, article_id: int, depth: int, claim_id: int | None = None) -> dict[int, DeepTrace]:
        """Trace each verified claim of the article (or only `claim_id`) from its best page down `depth - 1`
        more levels, and record every page reached in place of the claim's earlier trace."""
        if self.ctx.settings.offline:
            return {}
        citations, claims = queries.article_claims(self.ctx.db, article_id)
        fetch = self._fetch_hop
        done: dict[int, DeepTrace] = {}
        for start in trace_queries.trace_starts(self.ctx.db, article_id):
            claim = claims.get(start["claim_id"])
            if claim is None or claim.id in done or (claim_id is not None and claim.id != claim_id):
                continue
            html = self._html_of(start["capture_id"])
            if html is None:
                continue
            linked = [citations[link.citation] for link in claim.citations if link.citation in citations]
            quotes = [c.text for c in linked if Kind(c.kind) is Kind.QUOTE and c.text]
            quotes = [] if start["how"] == "passage" else quotes
            handle = next((c.handle for c in linked if Kind(c.kind) is Kind.TWEET and c.handle), None)
            owners = speaker_names([c.speaker for c in linked if Kind(c.kind) in (Kind.QUOTE, Kind.TWEET)])
            tracer = DeepTracer(fetch, depth=depth - 1)
            deep = tracer.trace(claim.text, start["url"], html, quotes=quotes, handle=handle, owners=owners)
            primary = deep.primary
            steps = [dict(s.row(), title=s.title, text=s.text, followed=s.followed, primary=s is primary,
                          read=bool(s.text) or s.stop == DOCUMENT) for s in deep.steps]
            trace_queries.replace_trace(self.ctx.db, self.ctx.run_id, claim.id, start["citation_id"], article_id,
                                        steps)
            done[claim.id] = deep
        return done

    def _fetch_hop(self, url: str) -> Page | None:
        """A page below the cited one, as evidence like any cited page: resolved through the run's resolver
        (its limits, its record of hops) and captured into the WARC files; gone or refused, the archive's
        raw copy, kept in the WARC files too."""
        res = self.ctx.resolver.resolve(url)
        self.ctx.record(res)
        if res.status is Status.ALIVE and res.exchanges:
            self.ctx.archiver.capture(res)
            ex = res.exchanges[-1]
        else:
            try:
                ex = self.ctx.archiver.wayback.raw("2", url)  # the capture nearest now, as it was saved
            except FetchError:
                return None
            if ex.http_status == 200:
                self.ctx.archiver.keep_exchange(ex)
        if ex.http_status != 200:
            return None
        ctype = header(ex, "content-type")
        body = ingest.decode(decoded_body(ex, self.ctx.settings.max_bytes), ingest.charset_of(ctype))[0]
        return Page(res.final_url or url if res.status is Status.ALIVE else url, ctype or "text/html", body)

    def _html_of(self, capture_id: int) -> str | None:
        """The page's HTML as its capture keeps it (the check stage read the same record)."""
        row = trace_queries.capture_row(self.ctx.db, capture_id)
        if row is not None and row["record_type"] == "revisit" and row.get("refers_to"):
            row = queries.capture_by_record_id(self.ctx.db, row["refers_to"]) or row
        got = None if row is None else read_record(self.ctx.settings.warc_dir(), row, self.ctx.settings.max_bytes)
        if got is None:
            return None
        body, ctype = got
        return ingest.decode(body, ingest.charset_of(ctype))[0]
