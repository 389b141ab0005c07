"""What each command does, as functions a program can call; the CLI only adapts them.

    extract_source   one article → its citations and claims (no network, no database)
    audit_sources    articles → claims, citations and evidence chains, recorded   (audit.py)
    run_batch        many articles in one resumable run                           (batch/)
    resolve_urls     URLs → where each ends and whether it is alive, recorded
    archive_urls     URLs → WARC captures and nearest snapshots, recorded
    verify_archive   WARC files and `captures` rows checked against each other
    check_recorded   recorded articles' quotes, claims and cited pages checked again from the WARC files
    trace_claims     recorded vague citations traced to candidate pages in the archive, recorded
    show_chains      a claim's or an article's chains as a tree
    export_database  the whole database as PROV-JSON, JSON or CSV

A run-making use case opens a `RunContext`, resolves, records, regrades what it
touched, finishes the run and returns an outcome that knows its exit code. None
of them prints: progress goes to callbacks, text comes from `report`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import export, report, sources, store
from .archive import target_date
from .archive import verify as checks
from .archive.wayback import SPN_ACCESS_ENV, SPN_SECRET_ENV
from .audit import AuditOutcome, audit_sources
from .batch import Progress, Summary, run_batch
from .check_stage import Checker
from .errors import NotFound, UsageError, stop_when_disk_full
from .extract import extract
from .models import Capture, Extraction, LinkTally, Resolution, RunStatus, Snapshot, Verdict, exit_code
from .quirks import strip_credentials
from .regrade import regrade_articles
from .run import RunContext
from .settings import Settings
from .store import queries
from .trace import DeepTrace
from .trace_stage import TracedCitation, TraceStage

__all__ = ["ArchiveOutcome", "AuditOutcome", "CheckOutcome", "Progress", "ResolveOutcome", "Summary",
           "TraceOutcome", "VerifyOutcome", "archive_urls", "audit_sources", "check_recorded", "trace_claims",
           "export_database", "extract_source", "resolve_urls", "run_batch",
           "parse_ident", "show_chains", "verify_archive"]


def extract_source(source: str) -> Extraction:
    """The citations and claims of one SOURCE: a file or `-` (no network: a URL is refused)."""
    return extract(sources.read_one(source))


@dataclass
class ResolveOutcome:
    """One resolution per URL given (in their order), and the URLs that were not http(s) URLs at all."""

    run_id: int
    results: list[Resolution]
    not_urls: list[str]  # shown without their credentials
    offline: bool = False
    network_missing: bool = False  # the resolver found no network (its DNS canary resolved nothing)

    def links(self) -> LinkTally:
        """The distinct URLs given that are URLs, by what this run found."""
        answers = {r.url: r for r in self.results if r.url not in self.not_urls}
        return LinkTally.of((r.status, r.reason) for r in answers.values())

    @property
    def no_network(self) -> str | None:
        """The one line to say first when the run found no network, or every URL tried failed for want of one."""
        links = self.links()
        return links.words() if self.network_missing or links.no_network else None

    def exit_code(self) -> int:
        links = self.links()
        return exit_code(readable=links.urls, unreadable=len(self.not_urls), broken=links.broken,
                         unchecked=links.unchecked, offline=self.offline)


def resolve_urls(settings: Settings, urls: list[str],
                 on_progress: Callable[[int, int], None] | None = None) -> ResolveOutcome:
    """Follow each URL through every redirect, record what is found, and grade again the claims that cite them."""
    if not urls:
        raise UsageError("no URLs given")
    with stop_when_disk_full(f"could not write the database {settings.db}"):
        return _resolve_urls(settings, urls, on_progress)


def _resolve_urls(settings: Settings, urls: list[str], on_progress) -> ResolveOutcome:
    distinct = list(dict.fromkeys(urls))
    ctx = RunContext.open(settings, "resolve", {"urls": len(distinct)})
    done = [0]

    def answered(res: Resolution) -> None:
        res.exchanges = []  # this command reports verdicts only: let the bodies go
        done[0] += 1
        if on_progress is not None:
            on_progress(done[0], len(distinct))

    with ctx:
        found = ctx.resolve(distinct, on_result=answered)
    ctx.regrade(distinct)
    ctx.finish(RunStatus.DONE, dict(Counter(r.status.value for r in found.values())), [])
    not_urls = [strip_credentials(u) for u in distinct if found[u].reason == "invalid_url" and not found[u].hops]
    return ResolveOutcome(ctx.run_id, [found[u] for u in urls], not_urls, settings.offline,
                          ctx.resolver.network_missing)


@dataclass
class ArchiveOutcome:
    """Each URL's resolution, the WARC records written for it, and its nearest snapshot."""

    run_id: int
    results: list[Resolution]
    captures: dict[str, list[Capture]]
    snapshots: dict[str, Snapshot]
    warc_dir: Path
    warc_files: list[str] = field(default_factory=list)  # files closed by this run
    freshness_hours: float = 24.0
    offline: bool = False
    network_missing: bool = False  # the resolver found no network (its DNS canary resolved nothing)

    def links(self) -> LinkTally:
        return LinkTally.of((r.status, r.reason) for r in self.results)

    @property
    def no_network(self) -> str | None:
        """The one line to say first when the run found no network, or every URL tried failed for want of one."""
        links = self.links()
        return links.words() if self.network_missing or links.no_network else None

    def exit_code(self) -> int:
        """1 when a URL is gone or could not be checked (so nothing was archived for it), unless --offline."""
        links = self.links()
        return exit_code(readable=len(self.results), broken=links.broken, unchecked=links.unchecked,
                         offline=self.offline)


def archive_urls(settings: Settings, urls: list[str]) -> ArchiveOutcome:
    """Resolve each URL afresh, save every response on the way into WARC files and look up its
    nearest Wayback snapshot; all recorded, and the claims citing them graded again."""
    if not urls:
        raise UsageError("no URLs given")
    if settings.save and not (os.environ.get(SPN_ACCESS_ENV) and os.environ.get(SPN_SECRET_ENV)):
        raise UsageError(f"--save needs Save Page Now keys in {SPN_ACCESS_ENV} and {SPN_SECRET_ENV}")
    with stop_when_disk_full(f"could not write the database {settings.db}"):
        return _archive_urls(settings, urls)


def _archive_urls(settings: Settings, urls: list[str]) -> ArchiveOutcome:
    ctx = RunContext.open(settings, "archive", {"urls": urls, "offline": settings.offline})
    with ctx:
        found = ctx.resolve(urls, fresh=True)
        results = list(found.values())
        captures, snapshots = ctx.archiver.archive({r.url: r for r in results}, target_date(None, ""))
    ctx.regrade(list(found))
    broken = LinkTally.of((r.status, r.reason) for r in results).broken
    ctx.finish(RunStatus.DONE, {"urls": len(results), "broken": broken,
                                "captures": sum(len(c) for c in captures.values())}, [])
    return ArchiveOutcome(ctx.run_id, results, captures, snapshots, settings.warc_dir(),
                          list(ctx.archiver.store.closed_files), settings.freshness_hours, settings.offline,
                          ctx.resolver.network_missing)


@dataclass
class VerifyOutcome:
    report: checks.Report
    db: Path | None  # the database whose `captures` rows were read back, if there was one

    def exit_code(self) -> int:
        return 1 if self.report.problems else 0


def verify_archive(settings: Settings, warcs: list[Path] | None = None) -> VerifyOutcome:
    """Check WARC files (by default every one in the archive folder) and the `captures` rows that
    point into them (when the database exists)."""
    directory = settings.warc_dir()
    files = list(warcs) if warcs else checks.warc_files(directory)
    if not files:
        raise UsageError(f"no WARC files given, and none in {directory}")
    rows = None
    if Path(settings.db).exists():
        names = [p.name.removesuffix(checks.OPEN_SUFFIX) for p in files] if warcs else None
        rows = queries.capture_rows(store.connect(settings.db, readonly=True), names)
    return VerifyOutcome(checks.verify(files, rows, directory), Path(settings.db) if rows is not None else None)


@dataclass
class CheckOutcome:
    """The verdicts a `check` run reached, article by article, and how many claims changed status."""

    run_id: int
    checks: dict[int, list[dict]]  # article id → its `checks` rows (with `url` for `url_id`)
    regraded: int = 0

    def flagged(self) -> list[dict]:
        """Quotes altered or absent, claims not found, sources that drifted: what a reader must look at."""
        return [k for rows in self.checks.values() for k in rows if Verdict(k["verdict"]).is_flagged]

    def exit_code(self) -> int:
        return 1 if self.flagged() else 0


def _recorded_articles(settings: Settings, article: int | None, claim: int | None) -> list[int]:
    """The recorded articles a stage re-runs on: the one holding `claim`, `article`, or every one."""
    db = store.connect(settings.db, readonly=True)
    if claim is not None:
        found = queries.article_of_claim(db, claim)
        if found is None:
            raise NotFound(f"no claim {claim}")
        return [found]
    if article is not None:
        if queries.article_row(db, article) is None:
            raise NotFound(f"no article {article}")
        return [article]
    return list(queries.article_ids(db))


def check_recorded(settings: Settings, *, article: int | None = None, claim: int | None = None) -> CheckOutcome:
    """Run the check stage again on what is recorded: one article, one claim, or every article. Pages
    are read back from the WARC files; only a snapshot never saved is fetched (not with --offline)."""
    if article is not None and claim is not None:
        raise UsageError("give --article or --claim, not both")
    articles = _recorded_articles(settings, article, claim)
    ctx = RunContext.open(settings, "check", {"article": article, "claim": claim, "offline": settings.offline})
    with ctx:
        checker = Checker(ctx)
        done = {a: checker.check_article(a, claim) for a in articles}
    changed = regrade_articles(ctx.db, articles)
    outcome = CheckOutcome(ctx.run_id, done, changed)
    ctx.finish(RunStatus.DONE, {"articles": len(articles), "checks": sum(len(r) for r in done.values()),
                                "flagged": len(outcome.flagged()), "regraded": changed}, [])
    return outcome


@dataclass
class TraceOutcome:
    """What tracing found for each vague citation, article by article, and how many claims changed status."""

    run_id: int
    traces: dict[int, list[TracedCitation]]  # article id → its vague citations' traces
    regraded: int = 0
    depth: int = 1
    deeper: dict[int, dict[int, DeepTrace]] = field(default_factory=dict)  # article → claim → deep trace (depth ≥ 2)

    def traced(self) -> list[TracedCitation]:
        return [t for found in self.traces.values() for t in found if t.trace.traced is not None]

    def exit_code(self) -> int:
        """0 when every vague citation was traced; 1 when some stay vague or only ranked."""
        return 0 if all(t.trace.traced is not None for found in self.traces.values() for t in found) else 1


def trace_claims(settings: Settings, *, article: int | None = None, claim: int | None = None) -> TraceOutcome:
    """Run the trace stage alone on what is recorded: the vague citations of one claim, of one article,
    or of every article, traced in the first archive (`--archive-source`) and recorded as candidates;
    the claims graded again. From `--depth 2` on, each verified claim is traced deeper, down the links
    near its passage, and every page reached is recorded (`trace_of`)."""
    if article is not None and claim is not None:
        raise UsageError("give a CLAIM or --article, not both")
    if settings.depth == 0:
        raise UsageError("--depth 0 traces nothing: give 1 or more")
    articles = _recorded_articles(settings, article, claim)
    ctx = RunContext.open(settings, "trace", {"article": article, "claim": claim, "depth": settings.depth,
                                              "offline": settings.offline})
    with ctx:
        stage = TraceStage(ctx)
        done = {a: stage.run(a, claim, settings.depth or 1) for a in articles}
    changed = regrade_articles(ctx.db, articles)
    outcome = TraceOutcome(ctx.run_id, done, changed, settings.depth or 1, stage.deeper)
    ctx.finish(RunStatus.DONE, {"articles": len(articles), "citations": sum(len(t) for t in done.values()),
                                "traced": len(outcome.traced()), "regraded": changed}, [])
    return outcome


def parse_ident(ident: str, article: bool = False) -> tuple[int, bool]:
    """`7`, `claim:7` or `article:3` (with `article`: `7` is an article) → (number, is_article)."""
    kind, _, number = ident.rpartition(":")
    if kind not in ("", "claim", "article") or not number.isdigit():
        raise UsageError(f"{ident!r} is not an id: give a number, claim:N or article:N")
    if kind == "claim" and article:
        raise UsageError("claim:N and --article contradict each other")
    return int(number), article or kind == "article"


def show_chains(settings: Settings, ident: str | int, *, article: bool = False, color: bool = False,
                width: int = 120) -> str:
    """A claim's chains (or every claim's of an article) step by step, from the database; `ident` is
    a number, `claim:N` or `article:N`."""
    number, is_article = parse_ident(str(ident), article)
    return report.show(store.connect(settings.db, readonly=True), number, article=is_article, color=color,
                       width=width)


def export_database(settings: Settings, fmt: str, out: TextIO) -> None:
    """Write the whole database in `fmt` (one of `export.FORMATS`) to `out`."""
    export.write(store.connect(settings.db, readonly=True), fmt, out)
