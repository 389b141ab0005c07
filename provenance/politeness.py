"""Politeness: how many requests go to one origin at once, how often, and robots.txt.

An origin is (scheme, host, port), the unit DESIGN.md's limits apply to. The
`Scheduler` runs tasks on a fixed set of worker threads (the global concurrency)
and hands a worker only a task whose origin has a free slot and whose minimum
interval has passed; a task that must wait (interval, retry backoff,
Retry-After) waits in a queue, not on a worker. So one slow or hanging host
holds only its own slots and never blocks the others (no head-of-line blocking).

`Robots` fetches robots.txt once per origin per run, parses it with Protego and
reads failures as RFC 9309 says: 4xx allow all, 5xx or unreachable (timeout) disallow
all. When robots.txt cannot be fetched for a reason the page itself would meet (the
name does not exist, no network, a refused address, TLS), the page's own request
runs and records that reason instead of a misleading `robots`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego

from .errors import FetchError
from .models import Status
from .quirks import shortener_hosts
from .settings import (
    DEFAULT_MIN_INTERVAL,
    DEFAULT_PER_HOST,
    SHORTENER_MIN_INTERVAL,
    SHORTENER_PER_HOST,
    Settings,
)

Origin = tuple[str, str, int]
log = logging.getLogger("provenance")

def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def is_shortener(host: str) -> bool:
    """Shortener hosts (quirks' table) exist to be hit: SHORTENER_PER_HOST, no interval, unless a flag is given."""
    host = host.lower().rstrip(".")
    hosts = shortener_hosts()
    return host in hosts or host.removeprefix("www.") in hosts


def limits_for(settings: Settings, origin: Origin) -> tuple[int, float]:
    """(requests in flight, seconds between starts) for one origin: a flag given applies to all."""
    short = is_shortener(origin[1])
    per_host = settings.per_host if settings.per_host is not None else (
        SHORTENER_PER_HOST if short else DEFAULT_PER_HOST)
    interval = settings.min_interval if settings.min_interval is not None else (
        SHORTENER_MIN_INTERVAL if short else DEFAULT_MIN_INTERVAL)
    return max(1, per_host), max(0.0, interval)


class _OriginState:
    __slots__ = ("per_host", "interval", "queue", "in_flight", "next_start", "queued")

    def __init__(self, per_host: int, interval: float):
        self.per_host = per_host
        self.interval = interval
        self.queue: deque[Callable[[], None]] = deque()
        self.in_flight = 0
        self.next_start = 0.0
        self.queued = False  # already in the ready heap


class Scheduler:
    """Runs callables under a global limit and per-origin limits, on `concurrency` threads.

    A task is one request. It may return a callable, run once the origin's slot is given
    back: the processing of the answer (and of every chain waiting on it) then never holds
    the host's slot.
    """

    def __init__(self, concurrency: int, limits: Callable[[Origin], tuple[int, float]]):
        self.concurrency = max(1, concurrency)
        self._limits = limits
        self._cond = threading.Condition()
        self._origins: dict[Origin, _OriginState] = {}
        self._ready: list[tuple[int, int, _OriginState]] = []          # free slot; most work first
        self._timed: list[tuple[float, int, _OriginState]] = []        # waiting for their interval
        self._delayed: list[tuple[float, int, Origin, Callable]] = []  # tasks waiting for a backoff
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, origin: Origin, task: Callable[[], Callable[[], None] | None], delay: float = 0.0) -> None:
        with self._cond:
            if not self._threads:
                self._start()
            if delay > 0:
                heapq.heappush(self._delayed, (time.monotonic() + delay, next(self._seq), origin, task))
                self._cond.notify()
                return
            self._enqueue(origin, task)

    def _start(self) -> None:
        for i in range(self.concurrency):
            t = threading.Thread(target=self._work, name=f"provenance-fetch-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def _state(self, origin: Origin) -> _OriginState:
        st = self._origins.get(origin)
        if st is None:
            st = self._origins[origin] = _OriginState(*self._limits(origin))
        return st

    def _enqueue(self, origin: Origin, task: Callable) -> None:
        st = self._state(origin)
        st.queue.append(task)
        self._mark_ready(st)

    def _mark_ready(self, st: _OriginState) -> None:
        # The origin with the most queued work goes first: a per-host-bound run ends when its
        # busiest origin does, so that one must never wait for a worker.
        if not st.queued and st.queue and st.in_flight < st.per_host:
            st.queued = True
            heapq.heappush(self._ready, (-len(st.queue), next(self._seq), st))
            self._cond.notify()

    def _next(self) -> tuple[_OriginState, Callable] | None:
        with self._cond:
            while True:
                if self._closed:
                    return None
                now = time.monotonic()
                while self._delayed and self._delayed[0][0] <= now:
                    _, _, origin, task = heapq.heappop(self._delayed)
                    self._enqueue(origin, task)
                while self._timed and self._timed[0][0] <= now:
                    _, _, st = heapq.heappop(self._timed)
                    self._mark_ready(st)
                while self._ready:
                    _, _, st = heapq.heappop(self._ready)
                    st.queued = False
                    if not st.queue or st.in_flight >= st.per_host:
                        continue
                    if st.next_start > now:
                        heapq.heappush(self._timed, (st.next_start, next(self._seq), st))
                        continue
                    task = st.queue.popleft()
                    st.in_flight += 1
                    st.next_start = now + st.interval
                    if st.interval > 0 and st.queue:
                        heapq.heappush(self._timed, (st.next_start, next(self._seq), st))
                    else:
                        self._mark_ready(st)
                    return st, task
                wake = [h[0][0] for h in (self._delayed, self._timed) if h]
                self._cond.wait(max(0.0, min(wake) - now) if wake else None)

    def _work(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            st, task = item
            then = None
            try:
                then = task()
            except Exception:  # noqa: BLE001 - a worker must outlive any one task
                log.exception("a scheduled request failed unexpectedly")
            finally:
                with self._cond:
                    st.in_flight -= 1
                    self._mark_ready(st)
            if then is not None:  # what follows the request runs after its slot is free again
                try:
                    then()
                except Exception:  # noqa: BLE001
                    log.exception("handling an answer failed unexpectedly")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


ALLOW_ALL = "allow"
DISALLOW_ALL = "disallow"


class Robots:
    """robots.txt per origin, fetched at most once per run, even when many threads ask at once.

    `when_ready(origin, callback)` calls back with the verdict maker once it is known:
    immediately if it is, otherwise after the one fetch (which runs as a task on the
    scheduler, under the origin's own limits).
    """

    def __init__(self, fetcher, scheduler: Scheduler, user_agent: str, max_bytes: int = 500_000):
        self.fetcher = fetcher
        self.scheduler = scheduler
        self.agent = user_agent.split("/", 1)[0].split()[0] if user_agent else "*"
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._rules: dict[Origin, Any] = {}  # a parsed robots.txt, or ALLOW_ALL / DISALLOW_ALL
        self._waiting: dict[Origin, list[Callable]] = {}

    def allowed(self, origin: Origin, url: str) -> bool | None:
        """True/False when the rules for `origin` are known, None when they are not yet."""
        rules = self._rules.get(origin)
        if rules is None:
            return None
        if rules is ALLOW_ALL:
            return True
        if rules is DISALLOW_ALL:
            return False
        return rules.can_fetch(url, self.agent)

    def when_ready(self, origin: Origin, callback: Callable[[], None]) -> None:
        with self._lock:
            if origin in self._rules:
                ready = True
            else:
                ready = False
                first = origin not in self._waiting
                self._waiting.setdefault(origin, []).append(callback)
        if ready:
            callback()
        elif first:
            self.scheduler.submit(origin, lambda: self._load(origin))

    def _load(self, origin: Origin) -> None:
        scheme, host, port = origin
        default = 443 if scheme == "https" else 80
        url = f"{scheme}://{host}{'' if port == default else f':{port}'}/robots.txt"
        try:
            rules = self._fetch_rules(url)
        except Exception:  # noqa: BLE001 - the chains waiting here must go on whatever happens
            log.exception("reading %s failed unexpectedly", url)
            rules = ALLOW_ALL
        with self._lock:
            self._rules[origin] = rules
            waiting = self._waiting.pop(origin, [])
        for cb in waiting:
            cb()

    def _fetch_rules(self, url: str):
        from .fetch import decoded_body, header

        for _ in range(5):  # RFC 9309: follow at least five redirects
            try:
                ex = self.fetcher.fetch(url, max_bytes=self.max_bytes)
            except FetchError as e:
                # A timeout reads as "unreachable": disallow all (RFC 9309). Any failure that the
                # page's own request will meet too (no such name, refused address, no network,
                # TLS, connection refused) lets that request run and report the real reason.
                return DISALLOW_ALL if e.status is Status.TIMEOUT else ALLOW_ALL
            code = ex.http_status
            if code in (301, 302, 303, 307, 308) and header(ex, "location"):
                url = urljoin(url, header(ex, "location"))
                if urlsplit(url).scheme not in ("http", "https"):
                    return ALLOW_ALL
                continue
            if 200 <= code < 300:
                text = decoded_body(ex, self.max_bytes).decode("utf-8", "replace")
                try:
                    return Protego.parse(text)
                except Exception:  # noqa: BLE001 - an unparsable file is no rules
                    return ALLOW_ALL
            if 400 <= code < 500:
                return ALLOW_ALL
            return DISALLOW_ALL
        return ALLOW_ALL
