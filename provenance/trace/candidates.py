"""Candidates for a vague citation: an outlet's archived pages around the article's date.

An article that says "according to Reuters" without a link leaves a reader to search the
outlet's site by hand. Here the archive does it: for each of the outlet's domains, one CDX
query per day, nearest day first (HTML captures with status 200, collapsed by URL key), plus
the outlet's archived news sitemaps; each candidate is ranked by its slug and title against
the claim, the top five are fetched raw (`id_`) and checked with the quote and passage checks (up to ten
while none verifies).
A candidate whose text verifies the claim is `traced`; the rest stay ranked.

Every CDX query counts against a budget per citation (20 by default), and every request goes
through the archive's `Wayback` (one rate gate per run). Outcomes are data: a citation that
stays vague says why, in one reason word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from ..archive.wayback import Wayback
from ..check import check_passage, check_quote, main_text
from ..errors import FetchError
from ..extract.outlet_names import outlet_key, table
from ..fetch import decoded_body
from ..quirks import registrable_domain
from . import rank, sitemaps

WINDOW_DAYS = 3
BUDGET = 20          # CDX queries per citation
FETCH_TOP = 5        # candidates fetched and checked
FETCH_MAX = 10       # ... and on down the ranking, while none of the first verified
ROWS_PER_QUERY = 2000
VERIFIED = frozenset({"verbatim", "close", "matched"})
ASSET = re.compile(r"\.(?:css|js|json|xml|jpe?g|png|gif|svg|webp|ico|mp4|mp3|pdf|woff2?|ttf)$", re.I)

# Why a citation stays vague: the `reason` of a trace that found no page.
NO_DOMAIN = "no_domain_known"            # the outlet is not in the table and the text names no domain
NO_ARCHIVE = "archive_unreachable"       # no CDX query got an answer
NO_CAPTURES = "no_captures_in_window"    # the archive lists nothing on those domains in the window
NOT_VERIFIED = "no_candidate_verified"   # candidates ranked, none says what the claim says
BUDGET_SPENT = "budget_spent"            # the budget ran out before the window was covered


@dataclass
class Budget:
    """CDX queries left for one citation; `spent` is what the report shows."""

    limit: int = BUDGET
    spent: int = 0

    def take(self) -> bool:
        if self.spent >= self.limit:
            return False
        self.spent += 1
        return True


@dataclass
class Candidate:
    """One archived page that may be the page a citation means."""

    url: str
    timestamp: str
    source: str  # cdx | sitemap | tweet
    archive: str
    title: str | None = None
    rank: int = 0
    rank_score: float = 0.0
    listed_rank: int = 0  # its place by the ranking alone, before any check moved a verified page up
    verdict: str | None = None  # the best check verdict, once fetched and checked
    score: float | None = None  # that check's score
    passage: str | None = None
    original: str | None = None  # the address as the archive holds it, where it differs from `url`
    exchange: object | None = field(default=None, repr=False)  # the raw fetch, for the WARC writer

    @property
    def replay_url(self) -> str:
        return f"{self.archive}/web/{self.timestamp}/{self.url}"

    def row(self) -> dict:
        """The columns of a `candidates` row (DESIGN) beside `url` (for `url_id`): the check's score
        once the candidate was checked, its ranking score before."""
        return {"url": self.url, "source": self.source, "archive": self.archive, "timestamp": self.timestamp,
                "rank": self.rank, "score": self.score if self.verdict is not None else self.rank_score,
                "verdict": self.verdict}


@dataclass
class Trace:
    """What tracing one vague citation found: the traced page (or None), the ranked rest, and why."""

    status: str  # traced | candidates | vague
    traced: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str | None = None  # why it stays vague, or what limited the search
    cdx_calls: int = 0
    fetches: int = 0

    def line(self) -> str:
        """One line for a report."""
        if self.traced is not None:
            return (f"traced: {self.traced.url} ({self.traced.verdict}, {self.traced.score:.2f};"
                    f" {len(self.candidates)} candidates, {self.cdx_calls} CDX calls)")
        if self.candidates:
            return f"{len(self.candidates)} ranked candidates, none verified ({self.reason})"
        return f"stays vague: {self.reason}"


def outlet_domains(outlet: str | None, text: str = "") -> list[str]:
    """The outlet's registrable domains: from the name table, else the domain the text names."""
    found: list[str] = []
    key = outlet_key(outlet)
    if key:
        for domain, name in table().domains.items():
            if outlet_key(name) == key and domain not in found:
                found.append(domain)
    for m in re.finditer(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b", text or "", re.I):
        domain = registrable_domain(m.group(1).lower())
        if domain and key and outlet_key(domain) == key and domain not in found:
            found.append(domain)
    if not found and outlet and re.fullmatch(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", outlet.strip().lower()):
        found.append(registrable_domain(outlet.strip().lower()) or outlet.strip().lower())
    return found


def days_nearest_first(day: date, window: int) -> list[date]:
    out = [day]
    for d in range(1, window + 1):
        out += [day - timedelta(days=d), day + timedelta(days=d)]
    return out


def url_key(url: str) -> str:
    """What `collapse=urlkey` collapses on: host without www, path, no scheme, query or slash at the end."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return f"{host}{parts.path.rstrip('/').lower()}"


def is_story(url: str) -> bool:
    """A page that can be a story: not the front page or an asset (a bare id like `/a/7731` can be one)."""
    path = urlsplit(url).path
    return path.strip("/") != "" and not ASSET.search(path)


class Tracer:
    """Tracing through one archive; `wayback.base` names it in each candidate."""

    def __init__(self, wayback: Wayback, *, window: int = WINDOW_DAYS, budget: int = BUDGET,
                 fetch_top: int = FETCH_TOP, fetch_max: int = FETCH_MAX, use_sitemaps: bool = True):
        self.wayback = wayback
        self.window = window
        self.budget = budget
        self.fetch_top = fetch_top
        self.fetch_max = max(fetch_max, fetch_top)
        self.use_sitemaps = use_sitemaps

    # -- listing -----------------------------------------------------------------------------
    def _query(self, budget: Budget, params: dict, errors: list[str]) -> list[dict] | None:
        if not budget.take():
            return None
        rows, reason = self.wayback.rows(params)
        if reason is not None:
            errors.append(reason)
        return rows

    def list_pages(self, domains: list[str], day: date, budget: Budget,
                   errors: list[str]) -> tuple[dict[str, Candidate], bool]:
        """Story captures on the domains, one query a day per domain, nearest day first (one per
        window when the budget cannot hold a query a day).

        Returns the candidates by URL key and whether the whole window was covered.
        """
        found: dict[str, Candidate] = {}
        days = days_nearest_first(day, self.window)
        # A query a day finds more under the row limit; an outlet with many domains gets one per window.
        spans = [(d, d) for d in days]
        if len(domains) * len(days) > budget.limit - budget.spent - len(domains):
            spans = [(min(days), max(days))]
        for first, last in spans:
            for domain in domains:
                if self.wayback.gate.paused:
                    return found, False
                rows = self._query(budget, {
                    "url": domain, "matchType": "domain", "from": first.strftime("%Y%m%d"),
                    "to": last.strftime("%Y%m%d"),
                    "filter": ["mimetype:text/html", "statuscode:200"], "collapse": "urlkey",
                    "limit": str(ROWS_PER_QUERY)}, errors)
                if rows is None:
                    return found, False
                for r in rows:
                    url, ts = r.get("original") or "", r.get("timestamp") or ""
                    if is_story(url) and re.fullmatch(r"\d{8,14}", ts):
                        found.setdefault(url_key(url), Candidate(url, ts, "cdx", self.wayback.base))
        return found, True

    def add_sitemaps(self, domains: list[str], day: date, found: dict[str, Candidate], budget: Budget,
                     errors: list[str]) -> int:
        """Titles (and stories the CDX missed) from archived news sitemaps in the window; fetches made."""
        fetches = 0
        start = (day - timedelta(days=self.window)).strftime("%Y%m%d")
        end = (day + timedelta(days=self.window)).strftime("%Y%m%d")
        for domain in domains:
            rows = self._query(budget, {"url": f"{domain}/{sitemaps.SITEMAP_PATHS[0]}", "matchType": "prefix",
                                        "from": start, "to": end, "filter": "statuscode:200",
                                        "collapse": "urlkey", "limit": "5"}, errors)
            if rows is None:
                return fetches
            for r in rows[:2]:
                if not sitemaps.is_sitemap(r.get("original", ""), r.get("mimetype")):
                    continue
                try:
                    ex = self.wayback.raw(r["timestamp"], r["original"])
                except FetchError as e:
                    errors.append(e.reason)
                    continue
                fetches += 1
                if ex.http_status != 200:
                    continue
                for entry in sitemaps.parse(decoded_body(ex, 20_000_000)):
                    if not is_story(entry.url):
                        continue
                    c = found.get(url_key(entry.url))
                    if c is None:
                        found[url_key(entry.url)] = Candidate(entry.url, r["timestamp"], "sitemap",
                                                              self.wayback.base, title=entry.title)
                    elif c.title is None:
                        c.title = entry.title
        return fetches

    # -- checking ----------------------------------------------------------------------------
    def check(self, candidate: Candidate, claim: str, quotes: list[str]) -> None:
        """Fetch one candidate raw and run the quote checks (else the passage check) on its main text."""
        ex = self.wayback.raw(candidate.timestamp, candidate.original or candidate.url)
        candidate.exchange = ex
        if ex.http_status != 200:
            candidate.verdict, candidate.score = "unavailable", 0.0
            return
        html = decoded_body(ex, 20_000_000).decode("utf-8", errors="replace")
        text = main_text(html, candidate.url)
        checks = [check_quote(q, text) for q in quotes] or [check_passage(claim, text)]
        best = max(checks, key=lambda c: (c.verdict in VERIFIED, c.score))
        candidate.verdict, candidate.score, candidate.passage = best.verdict, round(best.score, 4), best.passage

    # -- the whole of it ---------------------------------------------------------------------
    def trace_outlet(self, outlet: str | None, day: date, claim: str, *, quotes: Sequence[str] = (),
                     title: str | None = None, text: str = "", domains: list[str] | None = None,
                     budget: Budget | None = None) -> Trace:
        """Find the page an outlet citation means. `claim` is the sentence naming the outlet,
        `quotes` what it quotes, `title`/`text` the citing article (for its key terms). `budget` is
        the citation's CDX budget when several archives share it (else a fresh one)."""
        domains = domains if domains is not None else outlet_domains(outlet, claim)
        if not domains:
            return Trace("vague", reason=NO_DOMAIN)
        budget, errors = budget or Budget(self.budget), list[str]()
        before = budget.spent  # what earlier archives sharing the budget spent
        found, covered = self.list_pages(domains, day, budget, errors)
        fetches = 0
        if self.use_sitemaps and covered and not self.wayback.gate.paused:
            fetches += self.add_sitemaps(domains, day, found, budget, errors)
        if not found:
            answered = budget.spent - before > len(errors)
            reason: str = NO_CAPTURES if answered else (self.wayback.gate.paused or NO_ARCHIVE)
            if answered and not covered:
                reason = BUDGET_SPENT
            return Trace("vague", reason=reason, cdx_calls=budget.spent)
        claim_terms = frozenset(rank.terms(claim + " " + " ".join(quotes)))
        key = rank.key_terms(title, text)
        ranked = sorted(found.values(), key=lambda c: (-rank.score(c.url, c.title, claim_terms, key),
                                                      abs(int(c.timestamp[:8]) - int(day.strftime("%Y%m%d"))),
                                                      c.url))
        for i, c in enumerate(ranked, 1):
            c.rank_score, c.listed_rank = rank.score(c.url, c.title, claim_terms, key), i
        for n, c in enumerate(ranked[: self.fetch_max]):
            if self.wayback.gate.paused or (n >= self.fetch_top and any(x.verdict in VERIFIED for x in ranked[:n])):
                break
            try:
                self.check(c, claim, list(quotes))
            except FetchError as e:
                c.verdict, c.score = "unavailable", 0.0
                errors.append(e.reason)
            fetches += 1
        verified = [c for c in ranked if c.verdict in VERIFIED]
        best = max(verified, key=lambda c: c.score or 0.0) if verified else None
        if best is not None:
            ranked.remove(best)
            ranked.insert(0, best)
        for i, c in enumerate(ranked, 1):
            c.rank = i
        limited = None if covered else BUDGET_SPENT
        if best is None:
            return Trace("candidates", candidates=ranked, reason=limited or NOT_VERIFIED,
                         cdx_calls=budget.spent, fetches=fetches)
        return Trace("traced", traced=best, candidates=ranked, reason=limited, cdx_calls=budget.spent,
                     fetches=fetches)
