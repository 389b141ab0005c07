"""What to trace for one citation of an extraction: the seam a `trace` use case calls.

From a recorded article's extraction it takes, for a vague citation, what tracing needs: the
outlet and its domains, the day (the article's date, else a date in its text), the claims that
lean on the citation and the quotes attributed through it; for a tweet with no status URL, its
residue (text, handle, day). `trace_citation` runs the right search and returns a `Trace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..archive.wayback import target_date
from ..check.normalise import sentences
from ..models import Citation, Extraction, Kind
from .candidates import NO_DOMAIN, Budget, Trace, Tracer, outlet_domains
from .tweets import NO_HANDLE, Residue, trace_tweet

NOT_VAGUE = "not_vague"  # the citation has its URL already: nothing to trace


def claim_text(ex: Extraction, citation: Citation) -> str:
    """The claims that lean on the citation, else the sentence it sits in."""
    texts = [c.text for c in ex.claims if any(link.citation == citation.id for link in c.citations)]
    if texts:
        return " ".join(dict.fromkeys(texts))
    span = next(((a, b) for a, b in sentences(ex.text) if a <= citation.start < b), None)
    return ex.text[span[0]:span[1]] if span else citation.text


def quotes_through(ex: Extraction, citation: Citation) -> list[str]:
    """The quotations attributed through this citation (a quote whose parent it is)."""
    return [c.text for c in ex.citations if c.kind == Kind.QUOTE and c.parent == citation.id]


def article_day(ex: Extraction, today: date | None = None) -> date:
    return target_date(ex.published, ex.text, today).day


def trace_citation(tracers: Tracer | Sequence[Tracer], ex: Extraction, citation: Citation,
                   today: date | None = None) -> Trace:
    """Trace one citation (an outlet named without a URL, or a tweet that kept no status URL) in each
    archive in turn, until one finds a page that verifies the claim. The archives share one CDX budget
    (the first tracer's): more archive sources never mean more queries per citation."""
    tracers = [tracers] if isinstance(tracers, Tracer) else list(tracers)
    budget = Budget(tracers[0].budget)
    best: Trace | None = None
    for tracer in tracers:
        if budget.spent >= budget.limit:
            break
        trace = _trace_in(tracer, ex, citation, budget, today)
        if best is None or _better(trace, best):
            best = trace
        if trace.traced is not None or trace.reason in (NOT_VAGUE, NO_DOMAIN, NO_HANDLE):
            break
    assert best is not None
    best.cdx_calls = budget.spent
    return best


def _better(trace: Trace, than: Trace) -> bool:
    """A traced page beats ranked candidates, which beat none."""
    order = {"traced": 2, "candidates": 1}
    return order.get(trace.status, 0) > order.get(than.status, 0)


def _trace_in(tracer: Tracer, ex: Extraction, citation: Citation, budget: Budget, today: date | None) -> Trace:
    if citation.url:
        return Trace("vague", reason=NOT_VAGUE)
    if citation.kind == Kind.TWEET:
        day = date.fromisoformat(citation.date) if citation.date else article_day(ex, today)
        residue = Residue(citation.text, citation.speaker or "", (citation.handle or "").lstrip("@"), day)
        return trace_tweet(tracer.wayback, residue, budget=budget)
    if citation.kind != Kind.OUTLET:
        return Trace("vague", reason=NOT_VAGUE)
    claim = claim_text(ex, citation)
    return tracer.trace_outlet(citation.outlet, article_day(ex, today), claim,
                               quotes=quotes_through(ex, citation), title=ex.title, text=ex.text,
                               domains=outlet_domains(citation.outlet, claim), budget=budget)
