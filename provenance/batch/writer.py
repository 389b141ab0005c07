"""The writer: the one thread of a batch that writes to the database, fed typed events.

It takes items (claiming them in the work queue), records each extracted article,
sends its new URLs to the feed, records and captures each answer as it arrives,
and grades an article once every URL it cites has its answer (and its snapshot
look-ups, when asked for). Articles ready to grade are graded in blocks, so the
check stage reads and indexes a page once for all the articles of a block that
cite it. What is ready is graded as soon as no event waits, so blocks grow only
while grading is what holds the batch back (the events that came meanwhile are
handled first); none waits more than `BLOCK_SECONDS` for its block, a block is
graded before any of its articles would pass its deadline, and the first block
holds at most `FIRST_BLOCK` articles, each next one twice as many as the one
before, up to `BLOCK_ARTICLES`: a run's first items finish early, whatever
comes at once.
It knows nothing of where events come from, so any driver can feed it. An item
that is not done within `item_deadline` seconds of being taken is failed with
the reason, whatever it waits for: no input can hold a batch forever.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ..archive import target_date
from ..audit import grade_articles
from ..models import Article, CaptureKind, Extraction, Resolution
from ..run import RunContext
from ..store import queue as work
from ..store import writes
from ..store.memo import UrlSet
from .events import Counted, Event, Extracted, Failed, Fetched, ReadingDone, Resolved, Skipped, Snapshotted, Taken
from .extraction import Extractor
from .feeds import Snapshots, UrlFeed
from .progress import Progress

PROGRESS_EVERY = 0.2  # seconds between progress callbacks (and deadline checks)
BLOCK_ARTICLES = 128  # articles graded together at most (their documents are held until then)
FIRST_BLOCK = 8  # ... in the run's first block; each block may hold twice the one before, up to BLOCK_ARTICLES
BLOCK_SECONDS = 1.0  # how long an article ready to grade waits for others to join its block


@dataclass
class _Open:
    """An article recorded and waiting for its URLs before it is graded."""

    article_id: int
    article: Article
    doc: Extraction
    waiting: set[str]


class Writer:
    """Every database write of a batch run happens on the thread that calls `run`."""

    def __init__(self, ctx: RunContext, job_id: int, owner: str, pool: Extractor, *, window: int,
                 item_deadline: float, on_progress: Callable[[Progress], None]):
        self.ctx, self.job_id, self.owner, self.pool = ctx, job_id, owner, pool
        self.item_deadline = item_deadline
        self.on_progress = on_progress
        self.progress = Progress()
        self.events: queue.Queue[Event] = queue.Queue()
        self.window = threading.BoundedSemaphore(window)  # items in flight: the reader waits for a slot
        self.feed = UrlFeed(ctx.resolver.resolve_many, lambda r: self.events.put(Resolved(r)))
        self.snapshots: Snapshots | None = None
        self._open: dict[str, _Open] = {}
        self._taken: dict[str, float] = {}  # in flight → when taken (in order: the oldest first)
        self._pages: dict[str, Resolution] = {}  # articles fetched from a URL: their own evidence
        self._waiters: dict[str, list[str]] = defaultdict(list)
        self._known = UrlSet()  # URLs queued or answered this run (on disk: one row per URL the archive cites)
        self._answered = UrlSet()  # URLs with an answer this run
        self._dropped: set[str] = set()  # items read, then found taken by another process
        self._expired: set[str] = set()  # items failed at their deadline: what comes for them later is dropped
        self._ready: dict[str, float] = {}  # items ready to grade → since when (in order: the oldest first)
        self._block = FIRST_BLOCK  # the most the next block may hold
        # A local pool's workers read the cited pages' texts for the check stage (a cluster's extraction does not).
        self.read_pages = getattr(pool, "run_beside", None)

    def post(self, event: Event) -> None:
        self.events.put(event)

    def look_up_snapshots(self, snapshot: Callable) -> None:
        """Look up each cited URL's nearest snapshot (on a thread of its own) before an article is graded."""
        self.snapshots = Snapshots(snapshot, lambda key: self.events.put(Snapshotted(key)))

    def run(self) -> None:
        """Until every source is read and every item taken is done or failed."""
        reading, last = True, 0.0
        while reading or self._taken:
            try:
                event = self.events.get(timeout=PROGRESS_EVERY)
            except queue.Empty:
                event = None
            match event:
                case ReadingDone(seen):
                    reading = False
                    self.progress.reading_done = True
                    if seen is not None:  # every source read to its end
                        work.fail_unseen(self.ctx.db, self.job_id, set(seen), self.ctx.run_id)
                case Counted(total):
                    self.progress.total = total
                case Taken(key):
                    self._take(key)
                case Skipped():
                    self.progress.skipped += 1
                case Failed(key, reason, holds_slot):
                    self._fail(key, reason, holds_slot)
                case Fetched(key, page):
                    if key in self._taken:
                        self._pages[key] = page
                case Extracted(key, future):
                    self._extracted(key, future)
                case Resolved(res):
                    self._resolved(res)
                case Snapshotted(key):
                    self._graded(key)
            if self.events.empty():  # URLs that arrived together go to the resolver together
                self.feed.flush()
            if self._ready and self._block_due():
                self.feed.flush()  # the resolver goes on with what has come while the block is graded
                self._grade_block()
            if time.monotonic() - last >= PROGRESS_EVERY:
                last = time.monotonic()
                self._expire(last)
                self.on_progress(self.progress)

    def stop(self) -> None:
        self.feed.stop()
        if self.snapshots is not None:
            self.snapshots.close()
        self._known.close()
        self._answered.close()

    # -- items ------------------------------------------------------------------------------------

    def _take(self, key: str) -> None:
        self._taken[key] = time.monotonic()
        if work.claim_item(self.ctx.db, self.job_id, key, self.ctx.run_id, self.owner):
            self.progress.found += 1
        else:  # another process took it since the reader looked: let its result go
            self._dropped.add(key)
            self.progress.skipped += 1

    def _fail(self, key: str, reason: str, holds_slot: bool) -> None:
        if key in self._expired:
            return  # failed at its deadline already
        if key in self._dropped:
            self._dropped.discard(key)
            self._release(key)
            return
        work.finish_item(self.ctx.db, self.job_id, key, self.ctx.run_id, failure=reason)
        self.progress.failed += 1
        if holds_slot:
            self._release(key)

    def _release(self, key: str) -> None:
        self._taken.pop(key, None)
        self._pages.pop(key, None)
        self.window.release()

    def _expire(self, now: float) -> None:
        """Fail the items taken more than `item_deadline` seconds ago, saying what they still wait for."""
        while self._taken:
            key, since = next(iter(self._taken.items()))
            if now - since < self.item_deadline:
                return
            if key in self._ready:  # all in: grade it (and its block) rather than fail it
                self._grade_block()
                continue
            entry = self._open.pop(key, None)
            waiting = sorted(entry.waiting)[:3] if entry else []
            what = (f"its URLs ({', '.join(waiting)}{', …' if entry and len(entry.waiting) > 3 else ''})"
                    if waiting else "its snapshots" if entry else "its reading and extraction")
            self._fail(key, f"deadline: not done within {self.item_deadline:g} s, still waiting for {what}",
                       holds_slot=True)
            self._expired.add(key)

    def _extracted(self, key: str, future) -> None:
        out = self.pool.settle(key, future)
        if out is None:
            return  # its worker died: a new pool has it
        if key in self._expired:
            return
        if isinstance(out, str) or key in self._dropped:
            self._fail(key, out if isinstance(out, str) else "", holds_slot=True)
            return
        article, doc = out
        ctx = self.ctx
        article_id = writes.record_article(ctx.db, ctx.run_id, article, doc)
        page = self._pages.pop(key, None)
        if page is not None:
            ctx.record(page)
            self.progress.captures += self._capture(page)
        waiting = set()
        for url in {c.url for c in doc.citations if c.url}:
            if self._known.add(url):
                self.progress.urls += 1
                cached = ctx.cached(url)
                if cached is not None and not ctx.archiver.uncaptured(cached):
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
            self.ctx.record(res)
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
        return sum(1 for c in self.ctx.archiver.capture(res) if CaptureKind(c.record_type).is_copy)

    def _complete(self, key: str) -> None:
        """Every URL of the article has its answer: look up snapshots if asked to, then grade."""
        entry = self._open[key]
        if self.snapshots is not None:
            urls = [c.url for c in entry.doc.citations if c.url]
            self.snapshots.submit(key, urls, target_date(entry.doc.published, entry.doc.text))
        else:
            self._graded(key)

    def _graded(self, key: str) -> None:
        """Every answer and look-up of the article is in: it joins the block to be graded."""
        if key in self._open:  # else failed at its deadline while its look-ups ran
            self._ready[key] = time.monotonic()

    def _block_due(self) -> bool:
        """Whether to grade what is ready now: when no event waits (a writer that keeps up grades articles as
        they come, so a run can be stopped anywhere with its finished items done), a full block, or one whose
        first article has waited `BLOCK_SECONDS` while events kept coming."""
        waited = time.monotonic() - next(iter(self._ready.values()))
        return self.events.empty() or len(self._ready) >= self._block or waited >= BLOCK_SECONDS

    def _grade_block(self) -> None:
        """Check, trace and grade the articles ready, as one block, and finish their items."""
        keys = [key for key in list(self._ready)[: self._block] if key in self._open]
        for key in list(self._ready)[: self._block]:
            del self._ready[key]
        self._block = min(BLOCK_ARTICLES, 2 * self._block)  # small at first: a run's first items finish early
        entries = [self._open.pop(key) for key in keys]
        grade_articles(self.ctx, [(entry.article_id, entry.doc) for entry in entries], reader=self.read_pages)
        for key, entry in zip(keys, entries, strict=True):
            work.finish_item(self.ctx.db, self.job_id, key, self.ctx.run_id, article_id=entry.article_id)
            self.progress.articles += 1
            self._release(key)
