"""The audit of one article, stage after stage: ingest → extract → resolve → archive → check → grade → record.

`Auditor` stands on a run's `RunContext` — the settings, the resolver (and so its
per-host limits and robots cache), the archiver, the database and the run — so
that many articles of one run share them, and a URL cited by many articles is
resolved once. `audit_sources` is the use case behind `provenance audit`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from . import ingest, sources
from .archive import target_date
from .check_stage import Checker, Reader
from .claims import grade_all
from .errors import InputError, ProvenanceError, stop_when_disk_full
from .extract import extract
from .fetch import decoded_body, header
from .models import Article, AuditResult, Extraction, LinkTally, Resolution, RunStatus, Status, exit_code
from .run import RunContext
from .settings import Settings
from .store import queries, trace_queries, writes
from .trace_stage import TraceStage

AUDIT_DEPTH = 1  # audit traces vague citations by default; batch (depth 0) does not


@dataclass
class FetchedArticle:
    """An article fetched from a URL: its body (content-encoding undone, to be decoded by `ingest` with
    `charset`) and the resolution that fetched it (its evidence)."""

    text: bytes
    final_url: str | None
    charset: str | None
    fetched_at: str | None
    page: Resolution


class ArticleUnreachable(InputError):
    """An article given as a URL that could not be fetched; `page` is the resolver's answer (why)."""

    def __init__(self, url: str, page: Resolution) -> None:
        super().__init__(url, f"could not fetch the article ({page.status.value}: {page.reason or page.http_status})")
        self.page = page


def fetch_article(ctx: RunContext, url: str) -> FetchedArticle:
    """Fetch an article afresh (never from the cache) through the run's resolver and limits."""
    res = ctx.resolver.resolve(url)
    if res.status is not Status.ALIVE or not res.exchanges:
        raise ArticleUnreachable(url, res)
    final = res.exchanges[-1]
    charset = ingest.charset_of(header(final, "content-type"))
    return FetchedArticle(decoded_body(final, ctx.settings.max_bytes), res.final_url, charset, res.checked_at, res)


def grade_article(ctx: RunContext, article_id: int, doc: Extraction, depth: int = 0) -> None:
    """Check, trace and grade one article: `grade_articles` on a block of one."""
    grade_articles(ctx, [(article_id, doc)], depth)


def grade_articles(ctx: RunContext, articles: list[tuple[int, Extraction]], depth: int = 0,
                   reader: Reader | None = None) -> None:
    """Check what the cited pages say (the check stage, unless --no-check), trace the vague citations
    (the trace stage, when `--depth`, else `depth`, is 1 or more, with archive look-ups on), then grade
    every claim against what resolution, archiving, checking and tracing recorded, and store the grades.

    The check stage takes the block at once, page by page, so a page many of its articles cite is read
    and indexed once (it records for each article what checking them one by one would). Each article
    is graded in one pass (`grade_all` indexes its citation tree once): graded claim by claim, a page
    of 40,000 claims took minutes, the tree rebuilt for each. `reader` reads the pages' texts in another
    process (a batch's extraction workers) while the check stage goes on here."""
    if ctx.settings.check and articles:
        Checker(ctx, reader).check_articles([article_id for article_id, _ in articles])
    for article_id, doc in articles:
        if tracing(ctx.settings, depth):
            TraceStage(ctx).run(article_id, depth=trace_depth(ctx.settings, depth))
        urls = [c.url for c in doc.citations if c.url]
        states = None if not urls else queries.url_states(ctx.db, urls)
        by_seq = queries.check_verdicts(ctx.db, article_id, by_seq=True)
        checks = {claim.id: by_seq[seq] for seq, claim in enumerate(doc.claims, 1) if seq in by_seq}
        traced_seqs = trace_queries.traced_citations(ctx.db, article_id, by_seq=True)
        traced = {c.id for seq, c in enumerate(doc.citations, 1) if seq in traced_seqs}
        grade_all(doc.claims, {c.id: c for c in doc.citations}, states, checks, traced)
        writes.update_claim_statuses(ctx.db, article_id, doc)


def trace_depth(settings: Settings, depth: int = 0) -> int:
    """The depth asked for: `--depth`, else the command's own."""
    return settings.depth if settings.depth is not None else depth


def tracing(settings: Settings, depth: int = 0) -> bool:
    """Whether the trace stage runs: a depth of 1 or more (`--depth`, else the command's own) and
    archive look-ups allowed (not --no-wayback, not --offline)."""
    return trace_depth(settings, depth) >= 1 and settings.wayback and not settings.offline


class Auditor:
    """Audits articles one after another on one run's context."""

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self._pages: dict[str, Resolution] = {}  # articles fetched from a URL, until archived

    def load(self, source: str) -> Article:
        """Read one SOURCE; URLs are fetched through the same seam and limits as every citation."""
        return sources.read_one(source, None if self.ctx.settings.offline else self._fetch)

    def _fetch(self, url: str):
        got = fetch_article(self.ctx, url)
        self._pages[url] = got.page
        return got.text, got.final_url, got.charset, got.fetched_at

    def audit(self, article: Article) -> AuditResult:
        doc = extract(article)
        article_id = writes.record_article(self.ctx.db, self.ctx.run_id, article, doc)
        result = AuditResult(article_id=article_id, article=article, doc=doc)
        urls = list(dict.fromkeys(c.url for c in doc.citations if c.url))
        result.resolutions = self.resolve(urls)
        self.archive(result)
        for res in result.resolutions.values():
            res.exchanges = []  # the bodies are in the WARC files now; a long run must not hold them all
        grade_article(self.ctx, article_id, doc, depth=AUDIT_DEPTH)
        return result

    def resolve(self, urls: list[str]) -> dict[str, Resolution]:
        """Resolve what this run has not yet; recent conclusive answers come from the database."""
        done = self.ctx.resolved
        self.ctx.resolve([u for u in urls if u not in done])
        return {u: done[u] for u in urls if u in done}

    def archive(self, result: AuditResult) -> None:
        """Keep the evidence: WARC captures of the article (when fetched from a URL, the root of every
        chain) and of each cited page with its hops; Wayback snapshots near the publication date."""
        page = self._pages.pop(result.article.source, None)
        if page is not None:
            self.ctx.record(page)
        archiver = self.ctx.archiver
        bare = [u for u, res in result.resolutions.items() if archiver.uncaptured(res)]
        if bare:  # resolved recently (by `resolve`, say) but never saved: fetch again for the evidence
            result.resolutions.update(self.ctx.resolve(bare, fresh=True))
        target = target_date(result.doc.published, result.doc.text)
        result.captures, result.snapshots = archiver.archive(result.resolutions, target, page)


@dataclass
class AuditOutcome:
    """What `audit_sources` did: one result per readable source, a failure per unreadable one."""

    run_id: int
    results: list[AuditResult]
    failures: list[dict]  # {"source", "error"}
    db: sqlite_utils.Database  # where the run recorded them, for the reports

    offline: bool = False  # an --offline run: nothing was meant to be checked
    network_missing: bool = False  # the resolver found no network (its DNS canary resolved nothing)

    def links(self) -> LinkTally:
        """The cited URLs of every article by what is known of them now (`latest_resolutions`): an
        earlier definitive answer counts, so an offline re-audit still knows a dead link."""
        urls = list(dict.fromkeys(c.url for r in self.results for c in r.doc.citations if c.url))
        known = queries.url_states(self.db, urls)
        return LinkTally.of((known[u][0] if u in known else None, None) for u in urls)

    @property
    def broken(self) -> int:
        return self.links().broken

    def tried(self) -> LinkTally:
        """What this run's own attempts found, URL by URL (no network, timeouts and all)."""
        answers = {u: res for r in self.results for u, res in r.resolutions.items()}
        return LinkTally.of((res.status, res.reason) for res in answers.values())

    @property
    def no_network(self) -> str | None:
        """The one line to say first when the run found no network, or every URL it tried failed for want of one."""
        tried = self.tried()
        return tried.words() if self.network_missing or tried.no_network else None

    @property
    def unchecked(self) -> int:
        """URLs this run tried and could not check (no network, timeout, …); offline ones were not tried."""
        return self.tried().unchecked

    def exit_code(self) -> int:
        return exit_code(readable=len(self.results), unreadable=len(self.failures), broken=self.broken,
                         unchecked=self.unchecked, offline=self.offline)


def audit_sources(settings: Settings, sources: list[str], *, on_failure=None) -> AuditOutcome:
    """Audit each SOURCE in one run, recorded; an unreadable one is a failure (`on_failure(source, error)`),
    never a stopped run. The outcome keeps the run's database open for the report. A full disk
    stops the run (`DiskFull`): what was recorded stays whole, and running it again completes it."""
    with stop_when_disk_full(f"could not write the database {settings.db}"):
        return _audit_sources(settings, sources, on_failure)


def _audit_sources(settings: Settings, sources: list[str], on_failure) -> AuditOutcome:
    ctx = RunContext.open(settings, "audit", {"sources": sources, "offline": settings.offline})
    auditor = Auditor(ctx)
    results, failures = [], []
    with ctx:
        for source in sources:
            try:
                article = auditor.load(source)
            except ProvenanceError as e:
                failures.append({"source": source, "error": str(e)})
                if on_failure is not None:
                    on_failure(source, e)
                continue
            results.append(auditor.audit(article))
    outcome = AuditOutcome(ctx.run_id, results, failures, ctx.db, offline=settings.offline,
                           network_missing=ctx.resolver.network_missing)
    ctx.finish(RunStatus.DONE if results else RunStatus.FAILED,
               {"articles": len(results), "broken": outcome.broken, "unchecked": outcome.unchecked}, failures)
    return outcome
