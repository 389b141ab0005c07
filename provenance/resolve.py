"""Resolve: a URL in, a `Resolution` out — every hop, the final URL, its status.

The resolver follows redirects itself (HTTP 30x, `<meta http-equiv=refresh>` and
t.co's `location.replace` page) so that each hop is recorded and re-checked by
the address guard. Outcomes are data: a dead link is a `Resolution` with status
`dead`, never an exception.

Many URLs are resolved at once, and each distinct request target is fetched once
per run: chains that share an inner hop (two t.co links to one bit.ly code) wait
on the same fetch (`fetch_once.Fetches`, a per-URL memo of outcomes and callbacks).
A chain never holds a thread while it waits; it is a small state machine that
moves on when its next fetch settles (`_Chain`). Retries, Retry-After and
backoff are scheduled as delayed tasks, so waiting never occupies a worker.

Successes may come from the caller's cache; failures never do.
"""

from __future__ import annotations

import functools
import logging
import queue
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from urllib.parse import urlsplit

from . import landing
from .errors import FetchError
from .fetch import Fetcher, wire_url
from .fetch_once import Fetches, Outcome, Settled
from .models import Exchange, Hop, Resolution, Status
from .netguard import Lookup
from .politeness import Robots, Scheduler, limits_for, origin_of
from .quirks import strip_credentials
from .settings import Settings

Cache = Callable[[str], "Resolution | None"]
log = logging.getLogger("provenance")

_BAD_HOST_CHARS = frozenset('<>"{}|\\^`/?#@')  # never part of a host name: a malformed URL


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def request_target(url: str) -> str:
    """What is actually requested: no credentials, no fragment, an IDN host in ASCII and other
    non-ASCII text percent-encoded (`fetch.wire_url`)."""
    return wire_url(strip_credentials(url).split("#", 1)[0])


class _Chain:
    """One URL followed hop by hop; moves on whenever its next fetch settles."""

    def __init__(self, resolver: Resolver, url: str, done: Callable[[Resolution], None]):
        self.r = resolver
        self.url = strip_credentials(url)
        self.done = done
        self.t0 = time.monotonic()
        self.hops: list[Hop] = []
        self.exchanges: list[Exchange] = []
        self.seen: set[str] = set()
        self.finished = False

    def start(self) -> None:
        try:
            parts = urlsplit(self.url)
            host = parts.hostname or ""
            ok = parts.scheme.lower() in ("http", "https") and bool(host) \
                and not any(c.isspace() or c in _BAD_HOST_CHARS for c in host)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            ok = False
        if not ok:
            self.finish(Status.ERROR, "invalid_url", final=None)
            return
        self.advance(request_target(self.url))

    def finish(self, status: Status, reason: str | None, final: str | None, code: int | None = None,
               content_type: str | None = None) -> None:
        self.finished = True
        self.done(Resolution(
            url=self.url, final_url=final, status=status, reason=reason, http_status=code,
            elapsed_ms=int((time.monotonic() - self.t0) * 1000), hops=self.hops, checked_at=_now(),
            content_type=content_type, exchanges=self.exchanges))

    def advance(self, target: str) -> None:
        """Fetch `target` and keep going for as long as outcomes are already known."""
        current: str | None = target
        while current is not None:
            self.seen.add(current)
            if not self.r._may_fetch(self, current):
                return
            out = self.r.fetches.get(current, functools.partial(self.resume, current))
            if out is None:
                return
            current = self.step(current, out)

    def resume(self, target: str, out: Outcome) -> None:
        """Go on from a fetch that settled on another thread. A bug here must finish this
        chain with an error, not leave the caller waiting for it forever."""
        try:
            nxt = self.step(target, out)
            if nxt is not None:
                self.advance(nxt)
        except Exception:  # noqa: BLE001
            self._failed(target)

    def continue_at(self, target: str) -> None:
        """Go on once robots.txt for `target`'s origin is known (on the thread that fetched it)."""
        try:
            self.advance(target)
        except Exception:  # noqa: BLE001
            self._failed(target)

    def _failed(self, target: str) -> None:
        log.exception("resolving %s failed unexpectedly", self.url)
        if not self.finished:
            self.finish(Status.ERROR, "internal_error", target)

    def step(self, current: str, out: Outcome) -> str | None:
        """Record what `current` gave; the next target, or None once the chain is finished."""
        if out.exchange is not None:
            self.exchanges.append(out.exchange)
        if out.error is not None:
            self.finish(Status(out.error.status), out.error.reason, current, out.code)
            return None
        if out.target is None:
            status, reason = out.status, out.reason
            home = self.hops and landing.redirected_to_home(self.hops[-1].url, current)
            if status is Status.ALIVE and home:
                status, reason = Status.SOFT404, "redirect_to_home"
            self.finish(status or Status.ERROR, reason, current, out.code, out.ctype)
            return None
        target = request_target(out.target)
        self.hops.append(Hop(url=current, http_status=out.code, location=target, via=out.via))
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            self.finish(Status.REFUSED, "scheme_not_allowed", target, out.code)
            return None
        if target in self.seen:
            self.finish(Status.ERROR, "redirect_loop", target, out.code)
            return None
        if len(self.hops) > self.r.settings.max_hops:
            self.finish(Status.ERROR, "too_many_redirects", target, out.code)
            return None
        return target


class Resolver:
    """Resolves many URLs at once, each distinct URL once, with a cache of recent successes.

    `lookup` replaces the system DNS resolver used by the address guard (tests).
    """

    def __init__(self, settings: Settings, cache: Cache | None = None, fetcher: Fetcher | None = None,
                 lookup: Lookup | None = None):
        self.settings = settings
        self.cache = cache
        self.fetcher = fetcher or Fetcher(settings, lookup=lookup)
        self.scheduler = Scheduler(settings.concurrency, lambda o: limits_for(settings, o))
        self.fetches = Fetches(settings, self.fetcher, self.scheduler)
        self.robots = Robots(self.fetcher, self.scheduler, settings.user_agent, retries=settings.retries) \
            if settings.robots == "obey" else None

    def remember_in(self, settled: Settled) -> None:
        """Keep what each request target gave in `settled` (an on-disk memo for a batch) from now on."""
        with self.fetches._lock:
            for url, row in list(self.fetches.settled.items()) if isinstance(self.fetches.settled, dict) else ():
                settled.put(url, row)
            self.fetches.settled = settled

    @property
    def requests_made(self) -> int:
        """Requests sent for pages and hops (robots.txt not counted), for tests and benchmarks."""
        return self.fetches.requests

    @property
    def network_missing(self) -> bool:
        """True once this run found no network (the DNS canary resolves nothing): URLs from then on
        are recorded `error`/`no_network` or `dns_unavailable` without a request. For the one
        "no network" line an output prints above its tables."""
        return self.fetcher.network_missing

    def _may_fetch(self, chain: _Chain, target: str) -> bool:
        """Policy checks before a request: literal addresses, names already known not to resolve
        (or no network), robots.txt. False when the chain is finished or parked until robots.txt
        is known."""
        parts = urlsplit(target)
        try:
            self.fetcher.guard.check_literal(target, parts.hostname or "")
        except FetchError as e:
            chain.finish(Status(e.status), e.reason, target)
            return False
        robots, origin = self.robots, origin_of(target)
        verdict = True if robots is None else robots.verdict(origin, target)
        if isinstance(verdict, tuple):  # robots.txt's own failure says it best
            status, reason = verdict
            chain.finish(status, reason, target)
            return False
        known = self.fetcher.known_failure(target)
        if known is not None:
            chain.finish(Status(known.status), known.reason, target)
            return False
        if verdict is None and robots is not None:
            robots.when_ready(origin, lambda: chain.continue_at(target))
            return False
        return True

    def fetch_once(self, url: str, callback: Callable[[Outcome], None], fetches: Fetches | None = None
                   ) -> Outcome | None:
        """One request target, under this resolver's robots.txt and fetched at most once, for a chain
        followed elsewhere (a hop of another process's chain to an origin this resolver owns). Its
        outcome, or None and `callback` gets it; a refusal is an outcome with its reason."""
        fetches = fetches or self.fetches
        robots, origin = self.robots, origin_of(url)
        verdict = True if robots is None else robots.verdict(origin, url)
        if verdict is None and robots is not None:
            def ready() -> None:
                out = self.fetch_once(url, callback, fetches)
                if out is not None:
                    callback(out)

            robots.when_ready(origin, ready)
            return None
        if isinstance(verdict, tuple):
            status, reason = verdict
            refused = Outcome(error=FetchError(url, status, reason))
            return refused
        return fetches.get(url, callback)

    def _cached(self, url: str) -> Resolution | None:
        if self.cache is None:
            return None
        hit = self.cache(url)
        if hit is None or Status(hit.status) is not Status.ALIVE:
            return None  # failures are never taken from a cache
        hit.from_cache = True
        return hit

    def _offline(self, url: str) -> Resolution:
        return Resolution(url=strip_credentials(url), final_url=None, status=Status.OFFLINE, reason="offline",
                          checked_at=_now())

    def resolve(self, url: str) -> Resolution:
        return self.resolve_many([url])[0]

    def start(self, url: str, done: Callable[[Resolution], None]) -> None:
        """Resolve `url` without waiting for it: `done` gets its Resolution on whichever thread ends the chain
        (this one, for an answer known at once). For a caller with many calls in flight (a cluster's owner),
        which would otherwise hold a thread per call in `resolve_many`."""
        res = self._offline(url) if self.settings.offline else self._cached(url)
        if res is not None:
            done(res)
        else:
            _Chain(self, url, done).start()

    def resolve_many(self, urls: Iterable[str],
                     on_result: Callable[[Resolution], None] | None = None) -> list[Resolution]:
        """One Resolution per distinct URL, in first-seen order. `on_result` (and the cache)
        are called on this thread, so they may use objects bound to it (an SQLite connection)."""
        unique = list(dict.fromkeys(urls))
        results: dict[int, Resolution] = {}
        finished: queue.SimpleQueue[tuple[int, Resolution]] = queue.SimpleQueue()
        for i, url in enumerate(unique):
            self.start(url, functools.partial(_put_at, finished, i))
        for _ in range(len(unique)):
            i, res = finished.get()
            results[i] = res
            if on_result:
                on_result(res)
        return [results[i] for i in range(len(unique))]

    def close(self) -> None:
        self.scheduler.close()
        self.fetcher.close()


def _put_at(finished: queue.SimpleQueue[tuple[int, Resolution]], i: int, res: Resolution) -> None:
    """Hand the `i`th URL's resolution back to `resolve_many`'s thread."""
    finished.put((i, res))
