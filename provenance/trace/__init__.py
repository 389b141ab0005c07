"""Trace: from a vague citation ("according to Reuters", a pasted tweet) to the archived page itself.

No database here: the stage that records candidates wires these in, through
`trace_citation(tracers, extraction, citation)` → `Trace` for each vague citation (the archives share one budget).

- `Tracer(wayback).trace_outlet(outlet, day, claim, quotes=…, title=…, text=…)` → `Trace`:
  the outlet's archived pages around the day, ranked by slug and title, the top ones checked;
- `find_residue(text)` and `trace_tweet(wayback, residue)` → `Trace`: the status a pasted tweet came from;
- `outlet_domains(outlet, text)`: the domains an outlet name (or the text) points to.

- `DeepTracer(fetch, depth=N).trace(claim, url, html, quotes=…, owners=…, handle=…)` → `DeepTrace`:
  from the page a claim's passage sits in, down the citations near it to the primary source
  (`fetch_page(fetcher, wayback)` makes the `fetch`: the live page, else the archive's raw copy);
  `owners.owner_of(url, names, …)` tells the quoted speaker's own site from its domain or its metadata.

A `Trace` is `traced` (a candidate verified the claim), `candidates` (ranked, none verified) or
`vague`, with a one-word `reason`; `Trace.line()` is its one line for a report.
"""

from __future__ import annotations

from .candidates import (
    BUDGET,
    BUDGET_SPENT,
    NO_ARCHIVE,
    NO_CAPTURES,
    NO_DOMAIN,
    NOT_VERIFIED,
    WINDOW_DAYS,
    Budget,
    Candidate,
    Trace,
    Tracer,
    outlet_domains,
)
from .citations import NOT_VAGUE, trace_citation
from .deep import DeepTrace, DeepTracer, Page, Step, fetch_page
from .tweets import NO_STATUSES, Residue, find_residue, trace_tweet

__all__ = [
    "BUDGET",
    "BUDGET_SPENT",
    "NO_ARCHIVE",
    "NO_CAPTURES",
    "NO_DOMAIN",
    "NOT_VAGUE",
    "NOT_VERIFIED",
    "NO_STATUSES",
    "WINDOW_DAYS",
    "Budget",
    "Candidate",
    "DeepTrace",
    "DeepTracer",
    "Page",
    "Step",
    "Residue",
    "Trace",
    "Tracer",
    "fetch_page",
    "find_residue",
    "outlet_domains",
    "trace_citation",
    "trace_tweet",
]
