"""Resolve: a URL in, a `Resolution` out — every hop, the final URL, its status.

The resolver follows redirects itself (HTTP 30x, `<meta http-equiv=refresh>` and
t.co's `location.replace` page) so that each hop is recorded and re-checked by
the address guard. Outcomes are data: a dead link is a `Resolution` with status
`dead`, never an exception.

Many URLs are resolved at once, and each distinct request target is fetched once
per run: chains that share an inner hop (two t.co links to one bit.ly code) wait
on the same fetch (`_Fetches`, a per-URL memo of outcomes and callbacks).
A chain never holds a thread while it waits; it is a small state machine that
moves on when its next fetch settles (`_Chain`). Retries, Retry-After and
backoff are scheduled as delayed tasks, so waiting never occupies a worker.

Successes may come from the caller's cache; failures never do.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from . import landing
from .errors import FetchError
from .fetch import Fetcher, decoded_body, header, location_text, wire_url
from .models import Exchange, Hop, HopKind, Resolution, Status
from .netguard import LOOKUP_FAILURES, Lookup
from .politeness import NoRequest, Robots, Scheduler, backoff, limits_for, origin_of, worth_retrying
from .quirks import strip_credentials
from .settings import Settings

Cache = Callable[[str], "Resolution | None"]
log = logging.getLogger("provenance")

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
MEMO_BODY_BYTES = 32_000_000  # bodies kept for chains that reach an already-fetched URL later
MEMO_RECENT = 4096  # outcomes kept whole (with their exchange) for such chains; older ones keep only what they gave
ROW_COLUMNS = 9  # the values of a settled outcome (`_Outcome.row`)
_BAD_HOST_CHARS = frozenset('<>"{}|\\^`/?#@')  # never part of a host name: a malformed URL


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def request_target(url: str) -> str:
    """What is actually requested: no credentials, no fragment, an IDN host in ASCII and other
    non-ASCII text percent-encoded (`fetch.wire_url`)."""
    return wire_url(strip_credentials(url).split("#", 1)[0])


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


class _Outcome:
    """What one request target gave, read once for every chain that reaches it."""

    __slots__ = ("exchange", "error", "target", "via", "status", "reason", "code", "size", "ctype")

    def __init__(self, exchange: Exchange | None = None, error: FetchError | None = None):
        self.exchange = exchange
        self.error = error
        self.target: str | None = None
        self.via = HopKind.HTTP
        self.status: Status | None = None
        self.reason: str | None = None
        self.code = exchange.http_status if exchange is not None else None
        self.size = len(exchange.body) if exchange is not None else 0
        self.ctype = header(exchange, "content-type") if exchange is not None else None

    def row(self) -> tuple[Any, ...]:
        """What a chain needs of this outcome later, as plain values (the exchange is not kept)."""
        e = self.error
        return (self.target, self.via.value, self.status.value if self.status is not None else None, self.reason,
                self.code, self.ctype, e.status.value if e else None, e.reason if e else None, e.detail if e else None)

    @classmethod
    def from_row(cls, url: str, row: Sequence[Any]) -> _Outcome:
        target, via, status, reason, code, ctype, e_status, e_reason, e_detail = row
        out = cls(error=FetchError(url, Status(e_status), e_reason, e_detail) if e_status is not None else None)
        out.target, out.via, out.reason, out.code, out.ctype = target, HopKind(via), reason, code, ctype
        out.status = Status(status) if status is not None else None
        return out

    @classmethod
    def read(cls, url: str, ex: Exchange) -> _Outcome:
        out = cls(ex)
        code = ex.http_status
        location = header(ex, "location")
        if code in REDIRECT_CODES and location:
            try:
                out.target = urljoin(url, location_text(location.strip()))
                urlsplit(out.target).port  # noqa: B018 - raises on a malformed authority
            except ValueError:
                out.target = None
                out.status, out.reason = Status.ERROR, "bad_location"
            return out
        if 200 <= code < 300:
            ctype = (header(ex, "content-type") or "text/html").lower()
            if "html" in ctype or "xml" in ctype or "text/plain" in ctype:
                body = decoded_body(ex, landing.SCAN_BYTES)
                target = landing.meta_refresh(body, url)
                if target:
                    out.via = HopKind.META_REFRESH
                else:
                    target = landing.script_redirect(body, url)
                    out.via = HopKind.JS
                if target and target.split("#", 1)[0] != url:
                    out.target = target
                    return out
                out.via = HopKind.HTTP
                if "html" in ctype and landing.says_missing(body):
                    out.status, out.reason = Status.SOFT404, "not_found_page"
                    return out
            out.status, out.reason = Status.ALIVE, ("truncated" if ex.truncated else None)
            return out
        if code in REDIRECT_CODES or 300 <= code < 400:
            out.status, out.reason = Status.ERROR, f"http_{code}_without_location"
            return out
        out.status, out.reason = Status.DEAD, f"http_{code}"
        return out


class Settled(Protocol):
    """Where settled outcomes are kept, by request target (`store.memo.Settled` on disk)."""

    def get(self, url: str) -> Sequence[Any] | None: ...

    def put(self, url: str, row: Sequence[Any]) -> None: ...


class _InMemory(dict[str, Sequence[Any]]):
    """The settled outcomes of a small run (a single audit, `resolve`): a dict."""

    def put(self, url: str, row: Sequence[Any]) -> None:
        self[url] = row


class _Fetches:
    """Each distinct request target fetched once per run; later askers share the outcome.

    Three places hold what is known: the targets in flight (their waiting callbacks), the most
    recent outcomes whole (bodies too, for chains that reach them soon after, bounded by
    `MEMO_BODY_BYTES` and `MEMO_RECENT`), and every settled outcome without its exchange in
    `settled` — a dict by default, an on-disk memo for a batch (`remember_in`), so that memory
    does not grow with the number of URLs a run meets.
    """

    def __init__(self, settings: Settings, fetcher: Fetcher, scheduler: Scheduler):
        self.settings = settings
        self.fetcher = fetcher
        self.scheduler = scheduler
        self._lock = threading.Lock()
        self._waiting: dict[str, list[Callable[[_Outcome], None]]] = {}
        self._recent: OrderedDict[str, _Outcome] = OrderedDict()
        self._kept_bytes = 0
        self.settled: Settled = _InMemory()
        self.requests = 0

    def get(self, url: str, callback: Callable[[_Outcome], None]) -> _Outcome | None:
        """The outcome for `url` if known; otherwise None, and `callback` runs when it is."""
        with self._lock:
            waiting = self._waiting.get(url)
            if waiting is not None:
                waiting.append(callback)
                return None
            known = self._recent.get(url)
            if known is not None:
                return known
            row = self.settled.get(url)
            if row is not None:
                return _Outcome.from_row(url, row)
            self._waiting[url] = [callback]
        self._submit(url, 0, 0)
        return None

    def _submit(self, url: str, attempt: int, waited: int, delay: float = 0.0) -> None:
        self.scheduler.submit(origin_of(url), lambda: self._run(url, attempt, waited), delay)

    def _run(self, url: str, attempt: int, waited: int) -> Callable[[], None] | NoRequest | None:
        """One request for `url`. Returns what to do with the answer (run after the slot is
        free), or None when a retry was scheduled instead. A name that did not resolve (now or
        earlier in the run: the fetch fails at once) sent nothing (`NoRequest`): it is failed
        once, never retried, and costs no interval."""
        s = self.settings
        try:
            ex = self.fetcher.fetch(url)
        except FetchError as e:
            failed = _Outcome(error=e)
            if e.reason in LOOKUP_FAILURES:
                return NoRequest(lambda: self._settle(url, failed))
            with self._lock:
                self.requests += 1
            if attempt < s.retries and worth_retrying(e):
                self._submit(url, attempt + 1, waited, backoff(attempt))
                return None
            return lambda: self._settle(url, failed)
        except Exception as e:  # noqa: BLE001 - a bug must cost one URL, never hang the run
            log.exception("fetching %s failed unexpectedly", url)
            failed = _Outcome(error=FetchError(url, Status.ERROR, "internal_error", repr(e)))
            return lambda: self._settle(url, failed)
        with self._lock:
            self.requests += 1
        code = ex.http_status
        if code in (429, 503):
            wait = retry_after_seconds(header(ex, "retry-after"))
            if wait is not None:
                if wait > s.max_retry_after:
                    out = _Outcome(ex, FetchError(url, Status.DEFERRED, "retry_after", f"{wait:.0f}s"))
                    out.status, out.reason = Status.DEFERRED, "retry_after"
                    return lambda: self._settle(url, out)
                if waited < max(1, s.retries):
                    self._submit(url, attempt, waited + 1, wait + 0.05)
                    return None
        if attempt < s.retries and (code in (408, 429) or 500 <= code < 600):
            self._submit(url, attempt + 1, waited, backoff(attempt))
            return None
        return lambda: self._answer(url, ex)

    def _answer(self, url: str, ex: Exchange) -> None:
        try:
            out = _Outcome.read(url, ex)
        except Exception as e:  # noqa: BLE001 - a bug in a page rule costs this URL only
            log.exception("reading the answer of %s failed unexpectedly", url)
            out = _Outcome(ex, FetchError(url, Status.ERROR, "internal_error", repr(e)))
        self._settle(url, out)

    def _settle(self, url: str, out: _Outcome) -> None:
        with self._lock:
            callbacks = self._waiting.pop(url, [])
            self.settled.put(url, out.row())
            self._keep(url, out)
        for cb in callbacks:
            cb(out)  # _Chain.resume: never raises

    def _keep(self, url: str, out: _Outcome) -> None:
        """Keep the latest outcomes whole; the oldest leave (what they gave stays in `settled`)."""
        self._recent[url] = out
        self._kept_bytes += out.size if out.exchange is not None else 0
        while len(self._recent) > 1 and (self._kept_bytes > MEMO_BODY_BYTES or len(self._recent) > MEMO_RECENT):
            _, old = self._recent.popitem(last=False)
            self._kept_bytes -= old.size if old.exchange is not None else 0


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

    def resume(self, target: str, out: _Outcome) -> None:
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

    def step(self, current: str, out: _Outcome) -> str | None:
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
        self.fetches = _Fetches(settings, self.fetcher, self.scheduler)
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

    def fetch_once(self, url: str, callback: Callable[[_Outcome], None], fetches: _Fetches | None = None
                   ) -> _Outcome | None:
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
            refused = _Outcome(error=FetchError(url, status, reason))
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

    def resolve_many(self, urls: Iterable[str],
                     on_result: Callable[[Resolution], None] | None = None) -> list[Resolution]:
        """One Resolution per distinct URL, in first-seen order. `on_result` (and the cache)
        are called on this thread, so they may use objects bound to it (an SQLite connection)."""
        unique = list(dict.fromkeys(urls))
        results: dict[int, Resolution] = {}
        finished: queue.SimpleQueue[tuple[int, Resolution]] = queue.SimpleQueue()
        for i, url in enumerate(unique):
            res = self._offline(url) if self.settings.offline else self._cached(url)
            if res is not None:
                finished.put((i, res))
            else:
                _Chain(self, url, functools.partial(_put_at, finished, i)).start()
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
