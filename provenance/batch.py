"""Many articles in one run: a pipeline that overlaps reading, extraction and resolution, and resumes.

    sources ──▶ extract (processes) ──▶ record article, claim ──▶ its new URLs ──▶ resolver (waves)
    (stream,                            (the writer thread)                            │
     skips done)                              ▲                                        ▼
                                              └── grade, item done ◀── record, capture into WARC

Why it is shaped like this:

- Each distinct URL is resolved once per run, whichever articles cite it, and not again within
  the freshness window across runs (a recent conclusive answer comes from the database).
  URLs go to the resolver as soon as their article is extracted, so resolution of early
  articles overlaps extraction of later ones; an article waits only for its own URLs.
- Extraction is CPU-bound: it runs in worker processes. Resolution waits on the network: the
  resolver schedules it (limits, robots, one fetch per target), fed in waves that run side by side.
- The database has one writer per process: the thread that calls `Batch.run`. Other threads
  hand it results through a queue; the reader of the sources only reads (WAL reads never wait),
  and Wayback look-ups, which wait on their own rate gate, have their own connection.
- The work queue lives in the database (`batch_items`): a run killed at any moment and started
  again with the same SOURCEs takes up the items that were not done; natural keys make redoing
  a half-finished item harmless. At most `window` articles are in flight, so memory does not
  grow with the size of the archive.
- Bad inputs are items that failed, with a reason; they never stop the run.

The library never prints: progress goes to an `on_progress` callback, which the CLI draws.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from . import db as database
from . import ingest, record, sources
from .archive import target_date
from .errors import InputError, ProvenanceError
from .models import Article, CaptureKind, Extraction, LinkTally, Resolution, Status, exit_code
from .settings import Settings
from .store import queries

log = logging.getLogger("provenance")
PROGRESS_EVERY = 0.2  # seconds between progress callbacks


@dataclass
class Progress:
    """Counts so far, handed to `on_progress` as the run goes."""

    found: int = 0  # items taken by this run
    skipped: int = 0  # items already done (or being done by another process)
    articles: int = 0  # articles audited
    failed: int = 0  # unreadable inputs
    urls: int = 0  # distinct URLs this run needs
    resolved: int = 0  # of which resolved (or answered from the recent cache)
    captures: int = 0  # WARC records written
    reading_done: bool = False


@dataclass
class Summary:
    """What a batch found, over every article of the job (a resumed run reports the whole job)."""

    run_id: int
    job_id: int
    resumed: bool
    interrupted: bool = False
    articles: int = 0
    failed: int = 0
    claims: dict[str, int] = field(default_factory=dict)  # by status
    citations: dict[str, int] = field(default_factory=dict)  # by kind
    resolutions: dict[str, int] = field(default_factory=dict)  # distinct cited URLs, by what is known
    dead_link_rate: float | None = None  # dead + soft-404 over URLs checked definitively
    captures: int = 0
    failures: list[dict] = field(default_factory=list)  # {"source", "reason"}
    offline: bool = False  # an --offline run: nothing was meant to be checked

    @property
    def links(self) -> LinkTally:
        return LinkTally.of_counts(self.resolutions)

    @property
    def broken(self) -> int:
        return self.links.broken

    def exit_code(self) -> int:
        """DESIGN.md, "Exit codes" (`models.exit_code`)."""
        return exit_code(readable=self.articles, unreadable=self.failed, broken=self.broken,
                         unchecked=self.links.unchecked, offline=self.offline, interrupted=self.interrupted)

    def counts(self) -> dict:
        out = asdict(self)
        for k in ("run_id", "job_id", "failures", "interrupted", "offline"):
            out.pop(k)
        return out


def job_key(sources_: list[str]) -> str:
    """The same SOURCEs (as absolute paths, in order) make the same job, wherever the run starts."""
    norm = [s if s == "-" or ingest.is_url(s) else os.path.abspath(s) for s in sources_]
    return hashlib.sha256(json.dumps(norm).encode()).hexdigest()[:16]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_owners(owners: list[str]) -> list[str]:
    """Owners (host:pid) on this host whose process has gone; other hosts' are left alone."""
    host, gone = socket.gethostname(), []
    for owner in owners:
        if owner is None:
            continue
        h, _, pid = owner.rpartition(":")
        if h != host:
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            gone.append(owner)
        except (PermissionError, ValueError):
            pass
    return gone


def seal_killed_warcs(db, warc_dir) -> list[str]:
    """Close the WARC files that killed batch runs left open, cut after their last recorded record.

    A record is written to the WARC file first and to `captures` just after; a run killed in
    between leaves a record no row knows of, and the resumed run captures that page again. Cutting
    each such file back to the end of its last recorded record (and dropping a file with none)
    means a page's evidence is in the archive once. Only files of batch runs whose process is gone
    are touched: another run may be writing its own file right now.
    """
    from pathlib import Path

    from .archive.warc import OPEN_SUFFIX

    folder = Path(warc_dir)
    if not folder.is_dir():
        return []
    killed = {}
    for run_id, args in db.execute("SELECT id, args FROM runs WHERE command = 'batch' AND status = 'running'"):
        owner = (json.loads(args or "{}") or {}).get("owner")
        if owner and _dead_owners([owner]):
            killed[str(run_id)] = owner
    record.mark_runs(db, [int(r) for r in killed], "killed")
    sealed = []
    for path in sorted(folder.glob(f"provenance-*{OPEN_SUFFIX}")):
        parts = path.name.split("-")
        if len(parts) < 3 or parts[1] not in killed:
            continue
        final = path.name[: -len(OPEN_SUFFIX)]
        end = db.execute('SELECT max("offset" + length) FROM captures WHERE warc_file = ?', [final]).fetchone()[0]
        if end is None:
            path.unlink()
        else:
            with open(path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
            path.rename(folder / final)
        sealed.append(final)
    return sealed


def extract_document(doc: sources.Document) -> tuple[Article, Extraction] | str:
    """Decode and extract one document (in a worker process); a string says why it could not be."""
    from . import extract as extraction

    try:
        article = ingest.article_from_bytes(
            doc.key, doc.data or b"", url=doc.url, declared=doc.charset, fetched_at=doc.fetched_at
        )
    except InputError as e:
        return e.why
    try:
        result = extraction.extract(article)
    except Exception as e:  # one page that trips the extractor is one failed item, not a dead run
        return f"extraction failed ({type(e).__name__}: {str(e)[:200]})"
    article.content = ""  # the text travels in the Extraction; don't send the page back twice
    return article, result


def _exit_with_parent() -> None:
    """In each extraction worker: leave when the batch process is gone (SIGKILL leaves no one to say so).

    The parent is the batch process (fork) or a fork server that leaves with it; either way the
    worker is handed to another parent when it goes. Ctrl-C on a terminal reaches every process of
    the group; the batch process decides what stopping means, so workers ignore it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


class _Daemons:
    """A few daemon threads running submitted calls: at exit, nobody waits for a fetch in flight."""

    def __init__(self, n: int, name: str):
        self._tasks: queue.Queue = queue.Queue()
        for i in range(n):
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True).start()

    def submit(self, fn: Callable, *args) -> None:
        self._tasks.put((fn, args))

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            fn, args = task
            fn(*args)

    def shutdown(self) -> None:
        while True:  # drop what has not started
            try:
                self._tasks.get_nowait()
            except queue.Empty:
                break


class Snapshots:
    """Wayback look-ups on a thread of their own, with its own connection: they wait on a run-wide
    rate gate (one request a second by default), and the writer must not wait with them.

    Each URL is looked up once per run, near the date of the first article that cites it. An
    article is graded and done only once its URLs' look-ups are recorded, so a killed run
    resumes them too.
    """

    def __init__(self, settings: Settings, run_id: int, fetcher, store, done: Callable[[str], None]):
        from .archive import Archiver

        self._db = database.connect(settings.db)
        self._archiver = Archiver(settings, self._db, run_id, fetcher, store=store)
        self._done = done
        self._seen: set[str] = set()
        self._tasks: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="wayback", daemon=True)
        self._thread.start()

    def submit(self, key: str, urls: list[str], target) -> None:
        self._tasks.put((key, urls, target))

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            key, urls, target = task
            for url in dict.fromkeys(urls):
                if url in self._seen:
                    continue
                self._seen.add(url)
                try:
                    self._archiver.snapshot(url, target)
                except Exception:  # a look-up that fails is a missing snapshot, never a stopped run
                    log.warning("Wayback look-up failed for %s", url, exc_info=True)
            self._done(key)

    def close(self) -> None:
        self._tasks.put(None)


class UrlFeed:
    """Hands URLs to the resolver as they arrive, without waiting for earlier ones to finish.

    The resolver schedules requests itself — the global and per-host limits, robots.txt, each
    request target fetched once, retries and Retry-After as timers that hold no thread — but
    `resolve_many` returns only when its slowest URL is done. So URLs that arrive together go
    out together as one call (a wave) on a thread of its own, and many waves run at once:
    a hanging URL delays only the return of its own wave, never the URLs that come after it.
    """

    def __init__(self, resolve_many: Callable[..., list[Resolution]], on_result: Callable[[Resolution], None]):
        self._resolve_many, self._on_result = resolve_many, on_result
        self._pending: list[str] = []
        self._stopped = False
        self._count = 0

    def add(self, url: str) -> None:
        self._pending.append(url)

    def flush(self) -> None:
        """Send what was added since the last flush as one wave."""
        if self._pending and not self._stopped:
            wave, self._pending = self._pending, []
            self._count += 1
            # A daemon thread: after Ctrl-C nobody waits for a wave that will never be answered.
            threading.Thread(target=self._run, args=(wave,), name=f"resolve-wave-{self._count}", daemon=True).start()

    def _run(self, wave: list[str]) -> None:
        def deliver(res: Resolution) -> None:
            if not self._stopped:
                self._on_result(res)

        try:
            self._resolve_many(wave, on_result=deliver)
        except Exception as e:  # a resolver bug must not leave these URLs unanswered and the run waiting
            for url in wave:
                deliver(
                    Resolution(
                        url=url,
                        final_url=None,
                        status=Status.ERROR,
                        reason=f"internal_error: {type(e).__name__}: {str(e)[:200]}",
                        checked_at=record.now_iso(),
                    )
                )

    def stop(self) -> None:
        self._stopped = True
        self._pending = []


@dataclass
class _Open:
    """An article recorded and waiting for its URLs before it is graded."""

    article_id: int
    article: Article
    doc: Extraction
    waiting: set[str]


class Batch:
    """One `provenance batch` run over `sources_` (paths, folders, WARC, zip, URL lists, URLs, `-`)."""

    def __init__(
        self,
        settings: Settings,
        sources_: list[str],
        *,
        on_progress: Callable[[Progress], None] | None = None,
        extract_workers: int | None = None,
        window: int = 256,
        stdin=None,
    ):
        self.settings = settings
        self.sources = list(sources_)
        self.on_progress = on_progress or (lambda p: None)
        # 0 extracts in a thread of this process (tests, tiny runs). By default one process per core
        # but one: this process needs a core too, to record and to drive the resolver.
        self.extract_workers = max(1, (os.cpu_count() or 2) - 1) if extract_workers is None else extract_workers
        self.window = window
        self.stdin = stdin
        self.progress = Progress()
        self.owner = _owner()
        self._events: queue.Queue = queue.Queue()
        self._slots = threading.BoundedSemaphore(window)
        # Pages read but not yet extracted: a few per worker, so raw bytes never pile up in memory
        # while the articles' window waits on the network.
        self._extract_slots = threading.BoundedSemaphore(4 * max(1, self.extract_workers))
        self._stop = threading.Event()
        self._open: dict[str, _Open] = {}
        self._waiters: dict[str, list[str]] = defaultdict(list)
        self._known: set[str] = set()  # URLs queued or answered this run
        self._answered: set[str] = set()  # URLs with an answer this run
        self._in_flight = 0  # articles taken and not yet done or failed
        self._failures: list[dict] = []
        self._dropped: set[str] = set()  # items read, then found taken by another process
        self._docs: dict[str, sources.Document] = {}  # items handed to extraction, not back yet
        self._crashes: dict[str, int] = {}  # items in hand when an extraction process died

    # -- the run ---------------------------------------------------------------------------------

    def run(self) -> Summary:
        """Audit every item; returns the summary. KeyboardInterrupt stops cleanly (summary.interrupted)."""
        from .audit import Auditor

        self.db = database.connect(self.settings.db)
        seal_killed_warcs(self.db, self.settings.warc_dir())
        self.run_id = record.start_run(
            self.db, "batch", {"sources": self.sources, "offline": self.settings.offline, "owner": self.owner}
        )
        self.job_id, resumed = record.open_job(self.db, job_key(self.sources), self.sources, self.run_id, _dead_owners)
        self._pool = self._extractor()  # before any thread starts: workers fork from a quiet process
        self.auditor = Auditor(self.settings, self.db, self.run_id)
        self.auditor.resolver.cache = None  # the writer answers from the cache before a URL is queued
        self.snapshots = None
        if self.settings.wayback and not self.settings.offline:
            self.snapshots = Snapshots(
                self.settings,
                self.run_id,
                self.auditor.resolver.fetcher,
                self.auditor.archiver.store,
                lambda key: self._events.put(("snapshotted", key)),
            )
        self.feed = UrlFeed(self.auditor.resolver.resolve_many, lambda r: self._events.put(("resolved", r)))
        fetcher = _Daemons(4, "fetch-article")
        reader = threading.Thread(target=self._read, args=(fetcher,), name="read-sources", daemon=True)
        interrupted = False
        try:
            reader.start()
            self._write_loop()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            self._stop.set()
            self.feed.stop()
            fetcher.shutdown()
            self._pool.shutdown(wait=True, cancel_futures=True)  # at most one article per worker to finish
            if interrupted:
                record.release_items(self.db, self.job_id, self.owner)
            if self.snapshots is not None:
                self.snapshots.close()
            self.auditor.close()
        complete = record.finish_job(self.db, self.job_id) if not interrupted else False
        summary = self.summarise(resumed, interrupted)
        record.finish_run(
            self.db,
            self.run_id,
            "interrupted" if interrupted else "failed" if not summary.articles else "done" if complete else "partial",
            summary.counts(),
            summary.failures,
        )
        self._report()
        return summary

    def _extractor(self, context=None) -> Executor:
        if self.extract_workers <= 0:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        pool = ProcessPoolExecutor(
            max_workers=self.extract_workers, mp_context=context, initializer=_exit_with_parent
        )
        pool.submit(int).result()  # start the workers now (fork), while this process has no other threads
        return pool

    def _renew_pool(self) -> None:
        """A worker died (killed for memory, a crash in a parser): every article it had in hand
        failed with it, most of them innocent. A new pool takes them again; threads are running
        now, so its workers come from a fork server rather than a fork of this process."""
        try:
            self._pool.submit(int)
            return  # another article's failure already renewed it
        except BrokenExecutor:
            pass
        import multiprocessing

        self._pool = self._extractor(multiprocessing.get_context("forkserver"))

    # -- reading the sources (its own thread and connection) -------------------------------------

    def _read(self, fetcher: _Daemons) -> None:
        """Stream the sources; skip what is done. Only reads the database: the writer claims items."""
        peek_db = database.connect(self.settings.db, readonly=True)
        seen: set[str] = set()  # a key given twice in one run (the same folder twice) is read once
        complete = False
        try:

            def wanted(key: str) -> bool:
                if self._stop.is_set():
                    return False
                if key not in seen and record.item_is_open(peek_db, self.job_id, key):
                    seen.add(key)
                    return True
                self._events.put(("skipped", key))
                return False

            for item in sources.iter_sources(self.sources, wanted, stdin=self.stdin):
                if self._stop.is_set():
                    break
                if isinstance(item, sources.Broken):
                    self._events.put(("failed", item.key, item.reason, False))
                    continue
                self._slots.acquire()
                if self._stop.is_set():
                    break
                self._events.put(("taken", item.key))
                if item.data is None:
                    fetcher.submit(self._fetch_then_extract, item)
                else:
                    self._extract_slots.acquire()
                    self._submit(item)
            else:
                complete = not self._stop.is_set()
        except Exception as e:  # the reader must always say it is done, or the writer waits forever
            self._events.put(("failed", ",".join(self.sources), f"reading stopped ({type(e).__name__}: {e})", False))
        finally:
            peek_db.conn.close()
            self._events.put(("read", seen if complete else None))

    def _fetch_then_extract(self, item: sources.Document) -> None:
        try:
            data, final_url, charset, fetched_at = self.auditor.fetch_document(item.url)
        except ProvenanceError as e:
            self._events.put(("failed", item.key, getattr(e, "why", str(e)), True))
            return
        item.data, item.url, item.charset, item.fetched_at = data, final_url or item.url, charset, fetched_at
        self._extract_slots.acquire()
        self._submit(item)

    def _submit(self, item: sources.Document) -> None:
        self._docs[item.key] = item  # until extracted: a pool that breaks gets it again
        try:
            future = self._pool.submit(extract_document, item)
        except BrokenExecutor as e:  # the writer renews the pool when this comes back
            future = Future()
            future.set_exception(e)
        except RuntimeError:  # shut down: the run is stopping
            return
        future.add_done_callback(lambda f, key=item.key: self._events.put(("extracted", key, f)))

    # -- the writer: every database write of the run happens on this thread ---------------------

    def _write_loop(self) -> None:
        reading = True
        last = 0.0
        while reading or self._in_flight:
            try:
                event = self._events.get(timeout=PROGRESS_EVERY)
            except queue.Empty:
                event = None
            if event is not None:
                kind = event[0]
                if kind == "read":
                    reading = False
                    self.progress.reading_done = True
                    if event[1] is not None:  # every source read to its end
                        record.fail_unseen(self.db, self.job_id, event[1], self.run_id)
                elif kind == "taken":
                    self._take(event[1])
                elif kind == "skipped":
                    self.progress.skipped += 1
                elif kind == "failed":
                    self._fail(event[1], event[2], holds_slot=event[3])
                elif kind == "extracted":
                    self._extracted(event[1], event[2])
                elif kind == "resolved":
                    self._resolved(event[1])
                elif kind == "snapshotted":
                    self._graded(event[1])
            if self._events.empty():  # URLs that arrived together go to the resolver together
                self.feed.flush()
            if time.monotonic() - last >= PROGRESS_EVERY:
                last = time.monotonic()
                self._report()

    def _take(self, key: str) -> None:
        self._in_flight += 1
        if record.claim_item(self.db, self.job_id, key, self.run_id, self.owner):
            self.progress.found += 1
        else:  # another process took it since the reader looked: let its result go
            self._dropped.add(key)
            self.progress.skipped += 1

    def _fail(self, key: str, reason: str, holds_slot: bool) -> None:
        if key in self._dropped:
            self._dropped.discard(key)
            self._release()
            return
        record.finish_item(self.db, self.job_id, key, self.run_id, failure=reason)
        self._failures.append({"source": key, "reason": reason})
        self.progress.failed += 1
        if holds_slot:
            self._release()

    def _release(self) -> None:
        self._in_flight -= 1
        self._slots.release()

    def _extracted(self, key: str, future: Future) -> None:
        try:
            out = future.result()
        except BrokenExecutor:
            self._crashes[key] = self._crashes.get(key, 0) + 1
            if self._crashes[key] < 3 and not self._stop.is_set():
                self._renew_pool()
                self._submit(self._docs[key])
                return
            out = f"the extraction process died {self._crashes[key]} times while it had this article"
        except Exception as e:
            out = f"extraction failed ({type(e).__name__}: {e})"
        self._extract_slots.release()
        self._docs.pop(key, None)
        self._crashes.pop(key, None)
        if isinstance(out, str) or key in self._dropped:
            self._fail(key, out if isinstance(out, str) else "", holds_slot=True)
            return
        article, doc = out
        article_id = record.record_article(self.db, self.run_id, article, doc)
        page = self.auditor.documents.pop(key, None)  # an article fetched from a URL: its own evidence
        if page is not None:
            record.record_resolution(self.db, self.run_id, page)
            self.progress.captures += self._capture(page)
        urls = {c.url for c in doc.citations if c.url}
        waiting = set()
        for url in urls:
            if url not in self._known:
                self._known.add(url)
                self.progress.urls += 1
                cached = record.cached_resolution(self.db, url, self.settings.freshness_hours)
                if cached is not None and not self.auditor.archiver.uncaptured(cached):
                    self._resolved(cached)
                    continue
                self.feed.add(url)  # new, failed before, or known but its evidence never kept
            if url not in self._answered:
                waiting.add(url)
                self._waiters[url].append(key)
        self._open[key] = _Open(article_id, article, doc, waiting)
        if not waiting:
            self._complete(key)

    def _resolved(self, res: Resolution) -> None:
        if not res.from_cache:
            record.record_resolution(self.db, self.run_id, res)
            self.progress.captures += self._capture(res)
        res.exchanges = []  # recorded and archived: let the bodies go before the rest of its wave is done
        self._answered.add(res.url)
        self.progress.resolved += 1
        for key in self._waiters.pop(res.url, []):
            entry = self._open.get(key)
            if entry is None:
                continue
            entry.waiting.discard(res.url)
            if not entry.waiting:
                self._complete(key)

    def _capture(self, res: Resolution) -> int:
        """Write the page and its hops into WARC (a live or soft-404 page); returns the records kept."""
        caps = self.auditor.archiver.capture(res)
        return sum(1 for c in caps if CaptureKind(c.record_type).is_copy)

    def _complete(self, key: str) -> None:
        """Every URL of the article has its answer: look up snapshots if asked to, then grade."""
        entry = self._open[key]
        if self.snapshots is not None:
            urls = [c.url for c in entry.doc.citations if c.url]
            self.snapshots.submit(key, urls, target_date(entry.doc.published, entry.doc.text))
        else:
            self._graded(key)

    def _graded(self, key: str) -> None:
        from .models import AuditResult

        entry = self._open.pop(key)
        self.auditor.grade(AuditResult(article_id=entry.article_id, article=entry.article, doc=entry.doc))
        record.finish_item(self.db, self.job_id, key, self.run_id, article_id=entry.article_id)
        self.progress.articles += 1
        self._release()

    def _report(self) -> None:
        self.on_progress(self.progress)

    # -- the summary -----------------------------------------------------------------------------

    def summarise(self, resumed: bool, interrupted: bool) -> Summary:
        """Counts over the whole job, read back from the database, so a resumed run reports it all."""
        s = Summary(run_id=self.run_id, job_id=self.job_id, resumed=resumed, interrupted=interrupted,
                    offline=self.settings.offline)
        counts = queries.job_counts(self.db, self.job_id, self.run_id)
        s.articles, s.failures, s.claims = counts["articles"], counts["failures"], counts["claims"]
        s.citations, s.resolutions, s.captures = counts["citations"], counts["resolutions"], counts["captures"]
        s.failed = len(s.failures)
        s.dead_link_rate = s.links.dead_link_rate
        return s


def run_batch(settings: Settings, sources_: Iterable[str], **kwargs) -> Summary:
    """Run a batch over `sources_`: the library entry point behind `provenance batch`."""
    return Batch(settings, list(sources_), **kwargs).run()
