"""What to trace for one citation of an extraction: the seam a `trace` use case calls.

From a recorded article's extraction it takes, for a vague citation, what tracing needs: the
outlet and its domains, the day (the article's date, else a date in its text), the claims that
lean on the citation and the quotes attributed through it; for a tweet with no status URL, its
residue (text, handle, day). `trace_citation` runs the right search and returns a `Trace`.
"""

from __future__ import annotations

from datetime import date

from ..archive.wayback import target_date
from ..check.normalise import sentences
from ..models import Citation, Extraction, Kind
from .candidates import Trace, Tracer, outlet_domains
from .tweets import Residue, trace_tweet

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


def trace_citation(tracer: Tracer, ex: Extraction, citation: Citation, today: date | None = None) -> Trace:
    """Trace one citation: an outlet named without a URL, or a tweet that kept no status URL."""
    if citation.url:
        return Trace("vague", reason=NOT_VAGUE)
    if citation.kind == Kind.TWEET:
        day = date.fromisoformat(citation.date) if citation.date else article_day(ex, today)
        residue = Residue(citation.text, citation.speaker or "", (citation.handle or "").lstrip("@"), day)
        return trace_tweet(tracer.wayback, residue, budget=tracer.budget)
    if citation.kind != Kind.OUTLET:
        return Trace("vague", reason=NOT_VAGUE)
    claim = claim_text(ex, citation)
    return tracer.trace_outlet(citation.outlet, article_day(ex, today), claim,
                               quotes=quotes_through(ex, citation), title=ex.title, text=ex.text,
                               domains=outlet_domains(citation.outlet, claim))
