"""Threads that feed the writer: URLs to the resolver in waves, Wayback look-ups, article fetches.

Each part takes plain callables and hands its answers to a callback, so any
driver (this process's batch, or a distributed one) can feed them and collect
what they give back.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime, timezone

from ..models import Resolution, Status
from ..store.memo import UrlSet

log = logging.getLogger("provenance")


class Daemons:
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
            now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            for url in wave:
                deliver(Resolution(url=url, final_url=None, status=Status.ERROR,
                                   reason=f"internal_error: {type(e).__name__}: {str(e)[:200]}", checked_at=now))

    def stop(self) -> None:
        self._stopped = True
        self._pending = []


class Snapshots:
    """Wayback look-ups on a thread of their own, through an archiver on that thread's own connection:
    they wait on the run's rate gate (one request a second by default), and the writer must not
    wait with them.

    Each URL is looked up once per run, near the date of the first article that cites it. An
    article is graded and done only once its URLs' look-ups are recorded (`done(key)`), so a
    killed run resumes them too.
    """

    def __init__(self, snapshot: Callable[[str, object], object], done: Callable[[str], None]):
        self._snapshot = snapshot
        self._done = done
        self._seen = UrlSet()  # on disk: one row per URL looked up
        self._tasks: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="wayback", daemon=True)
        self._thread.start()

    def submit(self, key: str, urls: list[str], target) -> None:
        self._tasks.put((key, urls, target))

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            key, urls, target = task
            for url in dict.fromkeys(urls):
                if not self._seen.add(url):
                    continue
                try:
                    self._snapshot(url, target)
                except Exception:  # a look-up that fails is a missing snapshot, never a stopped run
                    log.warning("Wayback look-up failed for %s", url, exc_info=True)
            self._done(key)

    def close(self) -> None:
        self._tasks.put(None)
