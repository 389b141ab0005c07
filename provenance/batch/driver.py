"""This process's batch: the threads that read the sources and fetch articles, around one writer.

A distributed driver (cluster.py) builds on this one, never the other way round: it
replaces where documents are extracted and who resolves, and feeds the same writer.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from collections.abc import Callable

from .. import sources
from ..archive import seal_killed_warcs
from ..audit import ArticleUnreachable, fetch_article
from ..errors import ProvenanceError
from ..fetch_once import ROW_COLUMNS
from ..models import LinkTally, RunStatus, Status
from ..run import RunContext
from ..settings import Settings
from ..store import queue as work
from ..store.memo import Settled
from . import jobs
from .events import Counted, Extracted, Failed, Fetched, ReadingDone, Skipped, Taken
from .extraction import ExtractionPool, Extractor
from .feeds import Daemons
from .progress import Progress, Summary
from .writer import Writer

# How long one item may take, from being read to being graded, before it is failed with the reason.
ITEM_DEADLINE = 1800.0


class Batch:
    """One `provenance batch` run over `sources_` (paths, folders, WARC, zip, URL lists, URLs, `-`)."""

    def __init__(self, settings: Settings, sources_: list[str], *,
                 on_progress: Callable[[Progress], None] | None = None, extract_workers: int | None = None,
                 window: int = 256, stdin=None, retry_failed: bool = False, item_deadline: float = ITEM_DEADLINE):
        self.settings = settings
        self.sources = list(sources_)
        self.on_progress = on_progress or (lambda p: None)
        # 0 extracts in a thread of this process (tests, tiny runs). By default one process per core
        # but one: this process needs a core too, to record and to drive the resolver.
        self.extract_workers = max(1, (os.cpu_count() or 2) - 1) if extract_workers is None else extract_workers
        self.window = window
        self.stdin = stdin
        self.retry_failed = retry_failed
        self.item_deadline = item_deadline
        self.owner = jobs.owner()
        self.defer_files = False  # whether files, zip members and WARC records are read by whoever extracts them
        self.skipped: Counter[str] = Counter()  # read but no article (a redirect, an image, …), by reason
        self.article_tries: list[tuple[Status, str | None]] = []  # articles given as URLs that could not be fetched
        self._stop = threading.Event()

    def run(self) -> Summary:
        """Audit every item; returns the summary. KeyboardInterrupt stops cleanly (summary.interrupted)."""
        self.pool = self._extraction()  # before any thread starts: workers fork from a quiet process
        ctx = self._context(RunContext.open(self.settings, "batch", self._run_args()))
        seal_killed_warcs(self.settings.warc_dir(), work.killed_runs(ctx.db, "batch", jobs.is_gone),
                          lambda name: work.recorded_end(ctx.db, name))
        job_id, resumed = work.open_job(ctx.db, jobs.job_key(self.sources), self.sources, ctx.run_id,
                                        jobs.dead_owners)
        if resumed:
            work.reopen_failed(ctx.db, job_id, only=None if self.retry_failed else jobs.is_network_failure)
        self.ctx, self.job_id = ctx, job_id
        writer = self.writer = Writer(ctx, job_id, self.owner, self.pool, window=self.window,
                                      item_deadline=self.item_deadline, on_progress=self.on_progress)
        lookups = None
        if self.settings.wayback and not self.settings.offline:
            lookups = ctx.archiver_on(ctx.connect())  # the look-ups' own connection: they wait on the gate
            writer.look_up_snapshots(lookups.snapshot)
        fetcher = Daemons(4, "fetch-article")
        reader = threading.Thread(target=self._read, args=(fetcher,), name="read-sources", daemon=True)
        counter = threading.Thread(target=self._count, name="count-sources", daemon=True)
        interrupted = ended = False
        try:
            reader.start()
            if "-" not in self.sources:  # stdin can be read once only: its total is known when it is read
                counter.start()
            writer.run()
            ended = True
        except KeyboardInterrupt:
            interrupted = True
        finally:
            self._stop.set()
            writer.stop()
            fetcher.shutdown()
            self.pool.shutdown()
            if not ended:  # Ctrl-C, or a full disk: what was in flight is to do again
                with contextlib.suppress(Exception):  # a full disk may refuse this too: a rerun reopens them
                    work.release_items(ctx.db, job_id, self.owner)
            ctx.close()
        complete = work.finish_job(ctx.db, job_id) if not interrupted else False
        summary = Summary(run_id=ctx.run_id, job_id=job_id, resumed=resumed, interrupted=interrupted,
                          offline=self.settings.offline)
        counts = work.job_counts(ctx.db, job_id, ctx.run_id)
        summary.tried = LinkTally.of([*counts.pop("tried"), *self.article_tries])
        summary.network_missing = ctx.resolver.network_missing
        for name, value in counts.items():
            setattr(summary, name, value)
        summary.failed = len(summary.failures)
        summary.skipped = dict(self.skipped.most_common())
        ctx.finish(RunStatus.INTERRUPTED if interrupted else RunStatus.FAILED if not summary.articles else
                   RunStatus.DONE if complete else RunStatus.PARTIAL, summary.counts(), summary.failures)
        self.on_progress(writer.progress)
        return summary

    # -- what another driver (batch/cluster.py) replaces -------------------------------------------

    def _extraction(self) -> Extractor:
        """Where documents are extracted: this machine's process pool."""
        return ExtractionPool(self.extract_workers)

    def _context(self, ctx: RunContext) -> RunContext:
        """The run context the writer and the reader use; this process's resolver resolves, remembering
        what each request target gave on disk (memory stays flat in the archive's size)."""
        ctx.resolver.remember_in(Settled(ROW_COLUMNS))
        return ctx

    def _run_args(self) -> dict:
        return {"sources": self.sources, "offline": self.settings.offline, "owner": self.owner}

    # -- reading the sources (its own thread and connection) -------------------------------------

    def _read(self, fetcher: Daemons) -> None:
        """Stream the sources; skip what is done. Only reads the database: the writer claims items."""
        peek_db = self.ctx.connect(readonly=True)
        post = self.writer.post
        seen: set[str] = set()  # a key given twice in one run (the same folder twice) is read once
        complete = False
        try:

            def wanted(key: str) -> bool:
                if self._stop.is_set():
                    return False
                if key not in seen and work.item_is_open(peek_db, self.job_id, key):
                    seen.add(key)
                    return True
                post(Skipped(key))
                return False

            for item in sources.iter_sources(self.sources, wanted, stdin=self.stdin, skipped=self.skipped,
                                             defer_files=self.defer_files):
                if self._stop.is_set():
                    break
                if isinstance(item, sources.Broken):
                    post(Failed(item.key, item.reason, False))
                    continue
                self.writer.window.acquire()
                if self._stop.is_set():
                    break
                post(Taken(item.key))
                if item.data is None and item.path is None:  # a URL: its page is fetched here
                    fetcher.submit(self._fetch_then_extract, item)
                else:
                    self.pool.submit(item, self._extracted)
            else:
                complete = not self._stop.is_set()
        except Exception as e:  # the reader must always say it is done, or the writer waits forever
            post(Failed(",".join(self.sources), f"reading stopped ({type(e).__name__}: {e})", False))
        finally:
            peek_db.conn.close()
            post(ReadingDone(frozenset(seen) if complete else None))

    def _count(self) -> None:
        """Count the items still to do ahead of the reader (which waits for slots as it goes), so that
        progress has a total, and so a time left, from the start rather than near the end."""
        peek_db = self.ctx.connect(readonly=True)
        try:
            keys: set[str] = set()
            total = 0
            for item in sources.iter_sources(self.sources, defer_files=self.defer_files):
                if self._stop.is_set():
                    return
                if isinstance(item, sources.Broken):
                    total += 1
                elif item.key not in keys and work.item_is_runs(peek_db, self.job_id, item.key, self.owner,
                                                                 self.ctx.run_id):
                    keys.add(item.key)
                    total += 1
            self.writer.post(Counted(total))
        except Exception:  # noqa: BLE001 - a count is a nicety: the reader reports what is wrong with a source
            return
        finally:
            peek_db.conn.close()

    def _fetch_then_extract(self, item: sources.Document) -> None:
        assert item.url is not None  # only documents named by a URL are fetched
        try:
            got = fetch_article(self.ctx, item.url)
        except ProvenanceError as e:
            if isinstance(e, ArticleUnreachable):  # a try of this run too: no network shows here first
                self.article_tries.append((e.page.status, e.page.reason))
            self.writer.post(Failed(item.key, getattr(e, "why", str(e)), True))
            return
        self.writer.post(Fetched(item.key, got.page))
        item.data, item.url, item.charset, item.fetched_at = got.text, got.final_url or item.url, got.charset, \
            got.fetched_at
        self.pool.submit(item, self._extracted)

    def _extracted(self, key: str, future) -> None:
        self.writer.post(Extracted(key, future))
