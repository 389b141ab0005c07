"""Politeness: how many requests go to one origin at once, how often, and robots.txt.

An origin is (scheme, host, port), the unit DESIGN.md's limits apply to. The
`Scheduler` runs tasks on a fixed set of worker threads (the global concurrency)
and hands a worker only a task whose origin has a free slot and whose minimum
interval has passed; a task that must wait (interval, retry backoff,
Retry-After) waits in a queue, not on a worker. So one slow or hanging host
holds only its own slots and never blocks the others (no head-of-line blocking).

A name that does not resolve is no host to be polite to: a task that sent nothing
(it returns `NoRequest`) does not spend the origin's interval.

`Robots` fetches robots.txt once per origin per run, parses it with Protego and
reads failures as RFC 9309 says: 4xx allow all, 5xx or unreachable disallow all.
The verdict a page gets says which: `skipped`/`robots` only when robots.txt was read
and disallows it; `skipped`/`robots_unavailable` when it answered 5xx (or its
redirects failed); and when no answer came at all (no such name, no network, refused,
timeout, TLS), the page is not requested either and gets that network status and
reason, the one its own request would have met, never a misleading `robots`.
"""

from __future__ import annotations

import email.utils
import heapq
import itertools
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego

from .errors import FetchError
from .models import Status
from .netguard import LOOKUP_FAILURES
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

# Failures worth another attempt (DESIGN.md: timeouts, connection errors, 408, 429, 5xx). A failed
# name lookup is not one: it is judged once per run (fetch.lookups).
RETRY_REASONS = frozenset({"connection_error", "connection_refused", "incomplete_body"})


def worth_retrying(e: FetchError) -> bool:
    if e.reason in LOOKUP_FAILURES:
        return False
    return e.status == Status.TIMEOUT or e.reason in RETRY_REASONS


def backoff(attempt: int) -> float:
    """Jittered exponential backoff before retry number `attempt + 1`."""
    return min(8.0, 0.5 * 2 ** attempt) * random.uniform(0.5, 1.5)


Task = Callable[[], "Callable[[], None] | NoRequest | None"]  # what a task returns runs once its slot is free


class NoRequest:
    """What a task returns when it sent nothing to the host (its name did not resolve): the
    origin's interval is not spent on it. `then` runs after it, as a task's own return value does."""

    __slots__ = ("then",)

    def __init__(self, then: Callable[[], None] | None = None):
        self.then = then


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
    __slots__ = ("per_host", "interval", "queue", "in_flight", "next_start", "queued", "starts", "last_sent")

    def __init__(self, per_host: int, interval: float):
        self.per_host = per_host
        self.interval = interval
        self.queue: deque[Callable[[], None]] = deque()
        self.in_flight = 0
        self.next_start = 0.0
        self.queued = False  # already in the ready heap
        self.starts: dict[int, float] = {}  # when each task in flight started (for `NoRequest`)
        self.last_sent = float("-inf")      # when the last finished task that did send started

    def finished(self, ticket: int, sent: bool) -> None:
        """A task is done; one that sent nothing gives back the interval it was charged."""
        started = self.starts.pop(ticket, None)
        if started is None or self.interval <= 0:
            return
        if sent:
            self.last_sent = max(self.last_sent, started)
        else:
            self.next_start = max([self.last_sent, *self.starts.values()]) + self.interval


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

    def submit(self, origin: Origin, task: Task, delay: float = 0.0) -> None:
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

    def _next(self) -> tuple[_OriginState, Callable, int] | None:
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
                    ticket = next(self._seq)
                    if st.interval > 0:
                        st.starts[ticket] = now
                    if st.interval > 0 and st.queue:
                        heapq.heappush(self._timed, (st.next_start, next(self._seq), st))
                    else:
                        self._mark_ready(st)
                    return st, task, ticket
                wake = [h[0][0] for h in (self._delayed, self._timed) if h]
                self._cond.wait(max(0.0, min(wake) - now) if wake else None)

    def _work(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            st, task, ticket = item
            then = None
            try:
                then = task()
            except Exception:  # noqa: BLE001 - a worker must outlive any one task
                log.exception("a scheduled request failed unexpectedly")
            finally:
                sent = not isinstance(then, NoRequest)
                if isinstance(then, NoRequest):
                    then = then.then
                with self._cond:
                    st.in_flight -= 1
                    st.finished(ticket, sent)
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
DISALLOW_ALL = "disallow"  # robots.txt answered 5xx, or its redirects failed: unavailable
Refusal = tuple[Status, str]  # the status and reason a page gets instead of a request
READ_DISALLOWS: Refusal = (Status.SKIPPED, "robots")
UNAVAILABLE: Refusal = (Status.SKIPPED, "robots_unavailable")


class Robots:
    """robots.txt per origin, fetched at most once per run, even when many threads ask at once.

    `when_ready(origin, callback)` calls back with the verdict maker once it is known:
    immediately if it is, otherwise after the one fetch (which runs as a task on the
    scheduler, under the origin's own limits; a timeout or connection error is retried
    as a page's would be, `retries` times).
    """

    def __init__(self, fetcher, scheduler: Scheduler, user_agent: str, max_bytes: int = 500_000,
                 retries: int = 0):
        self.fetcher = fetcher
        self.scheduler = scheduler
        self.agent = user_agent.split("/", 1)[0].split()[0] if user_agent else "*"
        self.max_bytes = max_bytes
        self.retries = retries
        self._lock = threading.Lock()
        self._rules: dict[Origin, Any] = {}  # a parsed robots.txt, or ALLOW_ALL / DISALLOW_ALL
        self._waiting: dict[Origin, list[Callable]] = {}

    def verdict(self, origin: Origin, url: str) -> bool | Refusal | None:
        """True when `url` may be fetched, the status and reason to record instead when it may not,
        None while robots.txt for `origin` is not known yet."""
        rules = self._rules.get(origin)
        if rules is None:
            return None
        if rules is ALLOW_ALL:
            return True
        if rules is DISALLOW_ALL:
            return UNAVAILABLE
        if isinstance(rules, FetchError):
            return Status(rules.status), rules.reason
        return True if rules.can_fetch(url, self.agent) else READ_DISALLOWS

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

    def _load(self, origin: Origin, attempt: int = 0) -> NoRequest | None:
        scheme, host, port = origin
        default = 443 if scheme == "https" else 80
        url = f"{scheme}://{host}{'' if port == default else f':{port}'}/robots.txt"
        try:
            rules = self._fetch_rules(url)
        except Exception:  # noqa: BLE001 - the chains waiting here must go on whatever happens
            log.exception("reading %s failed unexpectedly", url)
            rules = ALLOW_ALL
        if isinstance(rules, FetchError) and attempt < self.retries and worth_retrying(rules):
            self.scheduler.submit(origin, lambda: self._load(origin, attempt + 1), backoff(attempt))
            return None
        with self._lock:
            self._rules[origin] = rules
            waiting = self._waiting.pop(origin, [])
        for cb in waiting:
            cb()
        return NoRequest() if isinstance(rules, FetchError) and rules.reason in LOOKUP_FAILURES else None

    def _fetch_rules(self, url: str):
        """Protego rules, ALLOW_ALL, DISALLOW_ALL, or the FetchError of a robots.txt that gave no answer."""
        from .fetch import decoded_body, header, location_text, wire_url

        for hop in range(5):  # RFC 9309: follow at least five redirects
            try:
                ex = self.fetcher.fetch(url, max_bytes=self.max_bytes)
            except FetchError as e:
                # Unreachable: disallow all (RFC 9309). The page is not requested either, and records
                # what stopped it: its own origin's failure, or robots.txt unavailable after a redirect.
                return e if hop == 0 else DISALLOW_ALL
            code = ex.http_status
            if code in (301, 302, 303, 307, 308) and header(ex, "location"):
                url = wire_url(urljoin(url, location_text((header(ex, "location") or "").strip())))
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


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
