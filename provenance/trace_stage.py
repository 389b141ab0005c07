"""The trace stage: vague citations of a recorded article → ranked candidate pages, recorded.

It runs after the check stage, on what the database holds, so `provenance trace` can run it
again later. For each citation with no URL (an outlet named as a source, a tweet pasted as
text) it asks the run's first archive (`--archive-source`) through `trace.trace_citation`:

- every candidate is recorded in `candidates` (rank, score, the check verdict once fetched);
- each candidate fetched raw is kept in the WARC files and recorded as a capture, through the
  run's archiver (the same sink as every other capture);
- a pasted tweet whose status was found gets the status URL as its URL;
- every traced citation keeps what tracing found in one line (`citations.trace_result`): the
  traced page, the ranked candidates, or why it stays vague.

The grade (`traced`) comes from the recorded candidates (`queries.traced_citations`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from .errors import NotFound
from .models import Exchange, Extraction, Kind
from .run import RunContext
from .store import queries, writes
from .trace import NO_CAPTURES, NO_DOMAIN, NO_STATUSES, NOT_VAGUE, Trace, Tracer, trace_citation

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
        self.tracer = Tracer(ctx.archiver.wayback)
        self.today = today

    def trace_article(self, article_id: int, claim_id: int | None = None) -> list[TracedCitation]:
        """Trace every vague citation of one recorded article (or those `claim_id` rests on); the
        candidates replace the earlier ones. Returns what each citation's trace found."""
        ex = recorded_extraction(self.ctx, article_id)
        wanted = None
        if claim_id is not None:
            claim = next((c for c in ex.claims if c.id == claim_id), None)
            wanted = {link.citation for link in claim.citations} if claim else set()
            wanted |= {c.parent for c in ex.citations if c.id in wanted and c.parent is not None}
        found_before = queries.traced_by_tracing(self.ctx.db, article_id)  # citation id → its URL from tracing
        out: list[TracedCitation] = []
        for citation in ex.citations:
            if citation.url and found_before.get(citation.id) == citation.url:
                citation = replace(citation, url=None)  # a tweet's status URL tracing found: trace it again
            if not is_vague(citation.kind, citation.url) or (wanted is not None and citation.id not in wanted):
                continue
            if self.ctx.settings.offline:
                trace = Trace("vague", reason="offline")
            else:
                trace = trace_citation(self.tracer, ex, citation, self.today)
            kept = not trace.candidates and trace.reason not in ANSWERED and queries.has_candidates(
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
