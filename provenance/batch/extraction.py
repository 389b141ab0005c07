"""The extraction pool: CPU-bound decoding and extraction in worker processes, and its crash policy.

A worker that dies (killed for memory, a crash in a parser) breaks the whole pool,
and every article it had in hand fails with it, most of them innocent. So the
pool keeps each document until its result is back, and `settle` hands a document
whose worker died to a new pool; only an article that was in hand at
`max_crashes` deaths is failed, as the likely culprit.

Workers are quiet about signals: each leaves the batch's process group, so a
Ctrl-C on the terminal or a SIGTERM to the group (`timeout`, `kill -TERM -PGID`,
a service manager) reaches the batch process alone, which decides what stopping
means and shuts the pool down. A worker also leaves when the batch process is
gone (SIGKILL leaves no one to say so).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Protocol

from .. import ingest, sources
from ..errors import InputError
from ..models import Article, Extraction

Outcome = tuple[Article, Extraction] | str  # the article and its extraction, or why there is none


def extract_document(doc: sources.Document) -> Outcome:
    """Decode and extract one document (in a worker process, which reads it first when it was yielded
    unread); a string says why it could not be."""
    from .. import extract as extraction

    if doc.data is None and doc.path is not None:
        got = sources.read_deferred(doc)
        if isinstance(got, sources.Broken):
            return got.reason
        doc = got
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


class Extractor(Protocol):
    """What the writer needs of an extraction pool: this machine's processes, or a cluster's workers."""

    def submit(self, doc: sources.Document, done: Callable[[str, Any], None]) -> None: ...

    def settle(self, key: str, future: Any) -> Outcome | None: ...

    def shutdown(self) -> None: ...


def _quiet_worker() -> None:
    """In each worker: out of the batch's process group and deaf to Ctrl-C, default SIGTERM (a
    handler inherited from the batch process would raise in the worker), and gone with its parent."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass  # a session leader already: not in the batch's group either
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


class ExtractionPool:
    """Extraction of documents, `workers` processes (0: one thread of this process, for tests and tiny runs).

    `submit(doc, done)` calls `done(key, future)` from a pool thread when the future settles; the
    caller then asks `settle(key, future)` on its own thread for the outcome, or None when the
    document went to a new pool after a crash (its `done` will be called again).
    """

    def __init__(self, workers: int, max_crashes: int = 3):
        self.workers = workers
        self.max_crashes = max_crashes
        self._docs: dict[str, tuple[sources.Document, Callable]] = {}  # in hand: a pool that breaks gets them again
        self._crashes: dict[str, int] = {}
        self._stopping = False
        # Pages read but not yet extracted: a few per worker, so raw bytes never pile up in memory
        # while the articles' window waits on the network. `submit` waits for room.
        self._room = threading.BoundedSemaphore(4 * max(1, workers))
        self._executor = self._start()  # before any thread starts: workers fork from a quiet process

    def _start(self, context=None) -> Executor:
        if self.workers <= 0:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_quiet_worker)
        pool.submit(int).result()  # start the workers now (fork), while this process has no other threads
        return pool

    def submit(self, doc: sources.Document, done: Callable[[str, Future], None]) -> None:
        self._room.acquire()
        self._send(doc, done)

    def _send(self, doc: sources.Document, done: Callable[[str, Future], None]) -> None:
        self._docs[doc.key] = (doc, done)
        try:
            future = self._executor.submit(extract_document, doc)
        except BrokenExecutor as e:  # settled on the caller's thread, which renews the pool
            future = Future()
            future.set_exception(e)
        except RuntimeError:  # shut down: the run is stopping
            return
        key = doc.key
        future.add_done_callback(lambda f: done(key, f))

    def settle(self, key: str, future: Future) -> Outcome | None:
        """The outcome of `key`'s extraction; None when its worker died and a new pool has it."""
        try:
            out = future.result()
        except BrokenExecutor:
            self._crashes[key] = self._crashes.get(key, 0) + 1
            if self._crashes[key] < self.max_crashes and not self._stopping:
                self.renew()
                self._send(*self._docs[key])
                return None
            out = f"the extraction process died {self._crashes[key]} times while it had this article"
        except Exception as e:
            out = f"extraction failed ({type(e).__name__}: {e})"
        self._docs.pop(key, None)
        self._crashes.pop(key, None)
        self._room.release()
        return out

    def run_beside(self, fn: Callable[..., Any], *args: Any) -> Future | None:
        """Run `fn(*args)` in a worker, between extractions: the check stage reads its pages' texts there,
        off the writer's thread. None without worker processes, or when the pool is stopping or broken
        (the caller does the work itself)."""
        if self.workers <= 0 or self._stopping:
            return None
        try:
            return self._executor.submit(fn, *args)
        except (BrokenExecutor, RuntimeError):
            return None

    def renew(self) -> None:
        """A new pool after a worker died; threads are running now, so its workers come from a fork
        server rather than a fork of this process."""
        try:
            self._executor.submit(int)
            return  # another article's failure already renewed it
        except BrokenExecutor:
            pass
        self._executor = self._start(multiprocessing.get_context("forkserver"))

    def shutdown(self) -> None:
        """Stop: what has not started is dropped; at most one article per worker finishes."""
        self._stopping = True
        self._executor.shutdown(wait=True, cancel_futures=True)
