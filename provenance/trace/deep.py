"""Deep tracing: from the page a claim's verified passage sits in, down its citations to the primary source.

A page that supports a claim usually got it from somewhere: the links next to that passage. This
follows them, level by level up to `depth`, checks the claim against each page it reaches, and
stops at a primary source: a government or court domain, a document (PDF), the speaker's own site
or post, or a page that cites nothing near the passage. No database and no network of its own:
pages come through the `fetch` function the caller passes (the resolver at run time, with a raw
Wayback `id_` copy when the live page is gone; a loopback server in tests).

Every URL is visited once (normalised), and the fetches per claim have a hard cap. Pages that
carry the same text around the passage as one already reached are marked as copies of it (a wire
story or a press release on several sites), not as independent confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rapidfuzz import fuzz

from ..check import check_passage, check_quote
from ..check.normalise import sentences
from ..extract import extract
from ..fetch import decoded_body, header
from ..models import Article, Kind
from .owners import owner_of

BUDGET = 12  # fetches per claim, a hard cap
PER_PAGE = 3  # citations followed from one page, nearest the passage first
WINDOW_SENTENCES = 2  # sentences either side of the passage (beyond its paragraph) whose links count as near
COPY_CONTEXT = 300  # characters either side of the passage compared between two pages
COPY_SIMILARITY = 90  # rapidfuzz ratio at or above which two pages' text around the passage is one text
VERIFIED = frozenset({"verbatim", "close", "matched"})

# Why a step ends its branch (`Step.stop`).
GOVERNMENT = "government"  # a government or court domain
DOCUMENT = "document"  # a PDF or other document, read as it is
OWN_SITE = "own_site"  # the quoted person's or organisation's own domain
OWN_POST = "own_post"  # a post by the quoted handle
NO_CITATION = "no_citation"  # the page cites nothing near the passage
NOT_SUPPORTED = "not_supported"  # the page does not say it: the branch ends here
UNREACHABLE = "unreachable"  # neither the page nor an archived copy could be fetched
DEPTH = "depth"  # the depth asked for was reached
CITES_SEEN = "cites_seen"  # every citation near the passage leads to a page reached already (a cycle)
BUDGET_SPENT = "budget"  # the fetch budget ran out before this page
SOURCE_FOUND = "source_found"  # fetched, not read: another branch reached the primary source first
PRIMARY = frozenset({GOVERNMENT, DOCUMENT, OWN_SITE, OWN_POST, NO_CITATION})

# Government and court domains. Sources: the public suffix list's government second levels
# (publicsuffix.org: gov.uk, gouv.fr, gob.mx, go.jp, govt.nz, …), the US dotgov registry (.gov,
# .mil; GSA get.gov), the EU's interinstitutional domain (europa.eu), and court sites named here.
GOVERNMENT_LABELS = re.compile(r"(?:^|\.)(?:gov|mil|gouv|gob|govt|go|gv|admin|bund|nic)\.[a-z]{2}$")
GOVERNMENT_SUFFIXES = (
    ".gov", ".mil", ".int",  # US federal/state, US military, treaty organisations (un.int, nato.int)
    "europa.eu",  # EU institutions, the Court of Justice (curia.europa.eu)
    "canada.ca", "gc.ca", "gouv.qc.ca", "admin.ch", "bund.de", "gov.scot", "gov.wales", "government.nl",
    "rijksoverheid.nl", "regjeringen.no", "regeringen.se", "elysee.fr", "kremlin.ru", "president.gov.ua",
    "un.org", "who.int", "coe.int",
)
COURT_HOSTS = (
    "uscourts.gov", "supremecourt.gov", "supremecourt.uk", "judiciary.uk", "bailii.org", "courtlistener.com",
    "echr.coe.int", "icj-cij.org", "icc-cpi.int", "curia.europa.eu", "bverfg.de", "conseil-constitutionnel.fr",
)
# A wire's credit, not a mention: the dateline's "(AP) —", a byline or footer line that is the wire's
# name alone, or its copyright line ("according to Reuters" in a story is no credit).
WIRE_CREDIT = re.compile(
    r"\((AP|Reuters|AFP)\)|^\s*(?:By\s+)?(Associated Press|Reuters|AFP|Agence France-Presse)\s*$"
    r"|(?:©|Copyright)\s*(?:\d{4}\s+)?(?:The\s+)?(Associated Press|Reuters|AFP|Agence France-Presse)",
    re.MULTILINE | re.IGNORECASE,
)
WIRES = {"ap": "AP", "associated press": "AP", "reuters": "Reuters", "afp": "AFP", "agence france-presse": "AFP"}
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ocid$)")


@dataclass
class Page:
    """A fetched page: where it ended up, its content type, and its decoded body."""

    url: str
    content_type: str
    body: str


Fetch = Callable[[str], "Page | None"]


@dataclass
class Step:
    """One page on the way down: what the claim's check found there and why the branch ends (or not)."""

    url: str
    depth: int
    parent: str | None = None  # the URL of the page that cited this one
    verdict: str | None = None  # the best quote or passage verdict on this page
    score: float = 0.0
    passage: str | None = None
    stop: str | None = None  # None while its citations were followed
    copy_of: str | None = None  # an earlier page with the same text around the passage
    wire: str | None = None  # the wire credited on the page (AP, Reuters, AFP)
    followed: list[str] = field(default_factory=list)  # the citations taken from it
    around: str = field(default="", repr=False)  # the page's text around the passage, to spot copies
    title: str | None = None  # the page's title, once read
    owner: str | None = None  # whose own site it is (OWN_SITE, OWN_POST): the name or handle it matched
    text: str = field(default="", repr=False)  # the page's main text, once read (what a record of it keeps)

    @property
    def primary(self) -> bool:
        """A primary source: supported (or a document, read as it is) and the reason it ends is one of PRIMARY."""
        return self.stop in PRIMARY and (self.verdict in VERIFIED or self.stop == DOCUMENT)

    def row(self) -> dict:
        return {"url": self.url, "depth": self.depth, "parent": self.parent, "verdict": self.verdict,
                "score": self.score, "passage": self.passage, "stop": self.stop, "copy_of": self.copy_of,
                "wire": self.wire}


@dataclass
class DeepTrace:
    """The pages reached from one claim's page, in the order they were reached."""

    claim: str
    steps: list[Step] = field(default_factory=list)
    fetches: int = 0
    revisits: int = 0  # citations not followed because their URL had been reached already

    @property
    def primary(self) -> Step | None:
        return next((s for s in self.steps if s.primary and not s.copy_of), None) or next(
            (s for s in self.steps if s.primary), None)

    @property
    def independent(self) -> list[Step]:
        """Pages that support the claim and are not copies of another page reached."""
        return [s for s in self.steps if s.verdict in VERIFIED and not s.copy_of]

    def path(self, step: Step) -> list[Step]:
        """The steps from the starting page down to `step`."""
        by_url = {s.url: s for s in self.steps}
        out = [step]
        while out[-1].parent and out[-1].parent in by_url and len(out) <= len(self.steps):
            out.append(by_url[out[-1].parent])
        return out[::-1]

    def chain(self) -> str:
        """The claim, then each page down to the primary source (or the deepest page reached), one line each."""
        end = self.primary or (max(self.steps, key=lambda s: s.depth) if self.steps else None)
        lines = [f"claim: {self.claim}"]
        for s in self.path(end) if end else []:
            mark = f" [copy of {s.copy_of}]" if s.copy_of else (f" [{s.wire} wire]" if s.wire else "")
            why = f" — {s.stop}" + (f" ({s.owner})" if s.owner else "") if s.stop else ""
            lines.append(f"{'  ' * (s.depth + 1)}└ {s.url} ({s.verdict or 'unchecked'} {s.score:.2f}){mark}{why}")
        lines.append(f"primary source: {end.url}" if end and end.primary else "primary source: not reached")
        return "\n".join(lines)


def fetch_page(fetcher, wayback=None, max_bytes: int = 20_000_000) -> Fetch:
    """A `Fetch` from the project's Fetcher: the live page, else (gone, refused, an error) the archive's raw copy."""

    def page(url: str) -> Page | None:
        attempts = [lambda: fetcher.fetch(url)]
        if wayback is not None:
            attempts.append(lambda: wayback.raw("2", url))  # the capture nearest now, as it was saved
        for attempt in attempts:
            try:
                ex = attempt()
            except Exception:  # a refused or failed fetch: try the archived copy
                continue
            if ex.http_status == 200:
                body = decoded_body(ex, max_bytes).decode("utf-8", errors="replace")
                return Page(url, header(ex, "content-type") or "text/html", body)
        return None

    return page


def normalise_url(url: str) -> str:
    """One spelling per page: lower-case host without www., no fragment, no tracking parameters or trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme, host,
                       parts.path.rstrip("/") or "/", query, ""))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _under(host: str, suffix: str) -> bool:
    suffix = suffix.lstrip(".")
    return host == suffix or host.endswith("." + suffix)


def is_government(url: str) -> bool:
    """Whether a URL is on a government or court domain (the tables above)."""
    host = _host(url)
    return bool(GOVERNMENT_LABELS.search(host)) or any(_under(host, s) for s in GOVERNMENT_SUFFIXES + COURT_HOSTS)


def is_document(page: Page) -> bool:
    ctype = page.content_type.split(";")[0].strip().lower()
    return ctype in ("application/pdf", "application/msword") or urlsplit(page.url).path.lower().endswith(".pdf")


def _tweet_handle(url: str) -> str | None:
    parts = urlsplit(url)
    if _host(url) in ("twitter.com", "x.com", "mobile.twitter.com") and "/status/" in parts.path:
        return parts.path.strip("/").split("/")[0].lower()
    return None


class DeepTracer:
    """Follows a claim's supporting page down its nearby citations; `trace(...)` → `DeepTrace`."""

    def __init__(self, fetch: Fetch, *, depth: int = 1, budget: int = BUDGET, per_page: int = PER_PAGE):
        self.fetch = fetch
        self.depth = depth
        self.budget = budget
        self.per_page = per_page

    def trace(self, claim: str, url: str, html: str, *, quotes: Sequence[str] = (),
              own_domains: Sequence[str] = (), handle: str | None = None, owners: Sequence[str] = ()) -> DeepTrace:
        """Trace `claim` from the page at `url` (its HTML already in hand) down to `depth` levels.

        `owners` are the names of whoever the claim quotes (a person or an organisation), `own_domains`
        their domains and `handle` their account, when the extraction knows them: a page on a domain that
        spells one of the names, or that says it is theirs (`owners.owner_of`), is the speaker's own word.
        """
        result = DeepTrace(claim)
        seen = {normalise_url(url)}
        level = [(Step(url, 0), Page(url, "text/html", html))]
        while level:
            following: list[tuple[Step, str]] = []
            for step, page in level:
                result.steps.append(step)
                links = self._read(step, page, claim, quotes, own_domains, handle, owners)
                mark_copy(result, step)
                for link in links[: self.per_page]:
                    key = normalise_url(link)
                    if key in seen:
                        result.revisits += 1
                        continue
                    seen.add(key)
                    step.followed.append(link)
                    following.append((step, link))
                if links and not step.followed:
                    step.stop = CITES_SEEN
            level = []
            for parent, link in following:
                child = Step(link, parent.depth + 1, parent=parent.url)
                if result.fetches >= self.budget:
                    child.stop = BUDGET_SPENT
                    result.steps.append(child)
                    continue
                result.fetches += 1
                fetched = self.fetch(link)
                if fetched is None:
                    child.stop = UNREACHABLE
                    result.steps.append(child)
                    continue
                level.append((child, fetched))
            if result.primary:  # the claim reached its source: the rest of this level is not needed
                for step, _ in level:
                    step.stop = step.stop or SOURCE_FOUND
                    result.steps.append(step)
                break
        return result

    def _read(self, step: Step, page: Page, claim: str, quotes: Sequence[str], own_domains: Sequence[str],
              handle: str | None, owners: Sequence[str] = ()) -> list[str]:
        """Check the claim on one page, set why its branch stops, and return the links near the passage to follow."""
        if is_document(page):
            step.stop = DOCUMENT
            return []
        ex = extract(Article(source=page.url, content=page.body, is_html=True, url=page.url))
        text = ex.text
        step.title, step.text = ex.title, text
        checks = [check_quote(q, text) for q in quotes] or [check_passage(claim, text)]
        best = max(checks, key=lambda c: (c.verdict in VERIFIED, c.score))
        step.verdict, step.score, step.passage = best.verdict, round(best.score, 4), best.passage
        if best.verdict not in VERIFIED or best.start is None or best.end is None:
            step.stop = NOT_SUPPORTED
            return []
        credit = WIRE_CREDIT.search(text)
        step.wire = WIRES[next(g for g in credit.groups() if g).lower()] if credit else None
        step.around = text[max(0, best.start - COPY_CONTEXT) : best.end + COPY_CONTEXT]
        owner = _tweet_handle(page.url)
        if is_government(page.url):
            step.stop = GOVERNMENT
        elif handle and owner and owner == handle.lstrip("@").lower():
            step.stop, step.owner = OWN_POST, "@" + owner
        elif any(_under(_host(page.url), d) for d in own_domains):
            step.stop = OWN_SITE
        elif owners and (name := owner_of(page.url, owners, site_name=ex.outlet, title=ex.title, text=text)):
            step.stop, step.owner = OWN_SITE, name
        if step.stop:
            return []
        lo, hi = near(text, best.start, best.end)
        own = _host(page.url)
        links = sorted(
            (c for c in ex.citations
             if c.kind in (Kind.LINK, Kind.SHORT_LINK, Kind.TWEET) and c.url and c.start < hi and c.end > lo
             and (_host(c.url) != own or urlsplit(c.url).path.lower().endswith(".pdf"))),
            key=lambda c: min(abs(c.start - best.start), abs(c.end - best.end)))  # type: ignore[operator]
        urls = list(dict.fromkeys(c.url for c in links if c.url))
        if not urls:
            step.stop = NO_CITATION
        elif step.depth >= self.depth:
            step.stop = DEPTH
            return []
        return urls


def mark_copy(result: DeepTrace, step: Step) -> None:
    """Mark a copy when `step` carries the same text around the passage as a page reached before it.

    A page down the chain from its match is the source the match copied (the press release under the
    story), so the match is the copy; a page on another branch is the later copy of the earlier one.
    """
    if not step.around:
        return
    ancestors = {s.url for s in result.path(step)} - {step.url}
    for other in result.steps:
        if other is step or not other.around or fuzz.ratio(step.around, other.around) < COPY_SIMILARITY:
            continue
        if other.url in ancestors:
            other.copy_of = other.copy_of or step.url
        else:
            step.copy_of = step.copy_of or other.url


def near(text: str, start: int, end: int, window: int = WINDOW_SENTENCES) -> tuple[int, int]:
    """The span whose links count as near a passage: its paragraph, widened by `window` sentences either side."""
    para_lo = text.rfind("\n", 0, start) + 1
    para_hi = text.find("\n", end)
    para_hi = len(text) if para_hi < 0 else para_hi
    spans = sentences(text)
    inside = [i for i, (a, b) in enumerate(spans) if a < end and b > start]
    if not inside:
        return para_lo, para_hi
    first, last = max(0, inside[0] - window), min(len(spans) - 1, inside[-1] + window)
    return min(para_lo, spans[first][0]), max(para_hi, spans[last][1])
