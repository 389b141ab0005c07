"""The audit of one article, stage after stage: ingest → extract → resolve → archive → grade → record.

`Auditor` holds what articles of one run share — the settings, the resolver (and
so its per-host limits and robots cache), the database and the run — so that a
batch is many audits through one `Auditor`, and a URL cited by many articles is
resolved once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from . import ingest, record, sources
from .archive import Archiver, target_date
from .claims import grade
from .errors import InputError
from .extract import extract
from .fetch import decoded_body, header
from .models import Article, Capture, Extraction, Resolution, Snapshot, Status
from .resolve import Resolver
from .settings import Settings


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
        """Cited URLs that are gone (dead or soft-404)."""
        return [r for r in self.resolutions.values() if r.status in (Status.DEAD, Status.SOFT404)]


class Auditor:
    def __init__(self, settings: Settings, db: sqlite_utils.Database, run_id: int | None):
        self.settings = settings
        self.db = db
        self.run_id = run_id
        # The cache is asked on the calling thread, so it may use this thread's SQLite connection.
        self.resolver = Resolver(
            settings, cache=lambda url: record.cached_resolution(db, url, settings.freshness_hours)
        )
        self.resolved: dict[str, Resolution] = {}  # this run's resolutions: each URL once per run
        self.archiver = Archiver(settings, db, run_id, self.resolver.fetcher)
        self.documents: dict[str, Resolution] = {}  # articles fetched from a URL, until archived

    def load(self, source: str) -> Article:
        """Read one SOURCE; URLs are fetched through the same seam and limits as every citation."""
        return sources.read_one(source, None if self.settings.offline else self.fetch_document)

    def fetch_document(self, url: str):
        cache, self.resolver.cache = self.resolver.cache, None  # the article itself is always fetched afresh
        try:
            res = self.resolver.resolve(url)
        finally:
            self.resolver.cache = cache
        if res.status is not Status.ALIVE or not res.exchanges:
            raise InputError(
                url, f"could not fetch the article ({res.status.value}: {res.reason or res.http_status})"
            )
        self.documents[url] = res
        final = res.exchanges[-1]
        charset = ingest.charset_of(header(final, "content-type"))
        return decoded_body(final, self.settings.max_bytes), res.final_url, charset, res.checked_at

    def audit(self, article: Article) -> AuditResult:
        doc = extract(article)
        article_id = record.record_article(self.db, self.run_id, article, doc)
        result = AuditResult(article_id=article_id, article=article, doc=doc)
        urls = list(dict.fromkeys(c.url for c in doc.citations if c.url))
        result.resolutions = self.resolve(urls)
        self.archive(result)
        for res in result.resolutions.values():
            res.exchanges = []  # the bodies are in the WARC files now; a long run must not hold them all
        self.grade(result)
        return result

    def resolve(self, urls: list[str]) -> dict[str, Resolution]:
        """Resolve what this run has not yet; recent conclusive answers come from the database."""
        todo = [u for u in urls if u not in self.resolved]
        for res in self.resolver.resolve_many(todo):
            record.record_resolution(self.db, self.run_id, res)
            self.resolved[res.url] = res
        return {u: self.resolved[u] for u in urls if u in self.resolved}

    def archive(self, result: AuditResult) -> None:
        """Keep the evidence: WARC captures of the article (when fetched from a URL, the root of every
        chain) and of each cited page with its hops; Wayback snapshots near the publication date."""
        page = self.documents.pop(result.article.source, None)
        if page is not None:
            record.record_resolution(self.db, self.run_id, page)
        bare = [u for u, res in result.resolutions.items() if self.archiver.uncaptured(res)]
        if bare:  # resolved recently (by `resolve`, say) but never saved: fetch again for the evidence
            cache, self.resolver.cache = self.resolver.cache, None
            try:
                fresh = self.resolver.resolve_many(bare)
            finally:
                self.resolver.cache = cache
            for res in fresh:
                record.record_resolution(self.db, self.run_id, res)
                self.resolved[res.url] = result.resolutions[res.url] = res
        target = target_date(result.doc.published, result.doc.text)
        result.captures, result.snapshots = self.archiver.archive(result.resolutions, target, page)

    def grade(self, result: AuditResult) -> None:
        """Grade each claim against what resolution and archiving found, and store the grades."""
        doc = result.doc
        urls = [c.url for c in doc.citations if c.url]
        states = None if not urls else record.url_states(self.db, urls)
        by_id = {c.id: c for c in doc.citations}
        for claim in doc.claims:
            claim.status = grade(claim, by_id, states)
        record.update_claim_statuses(self.db, result.article_id, doc)

    def close(self) -> None:
        self.archiver.close()
        self.resolver.close()
