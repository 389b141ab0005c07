"""Each request target fetched once per run, however many chains reach it: what it gave (`Outcome`,
read once: a redirect's target, a landing page's refresh, a soft 404), the fetches in flight with
their retries and Retry-After waits (`Fetches`), and the memo settled outcomes go to (`Settled`:
a dict for a small run, an on-disk memo a batch hands in).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from . import landing
from .errors import FetchError
from .fetch import Fetcher, decoded_body, header, location_text
from .models import Exchange, HopKind, Status
from .netguard import LOOKUP_FAILURES
from .politeness import NoRequest, Scheduler, backoff, origin_of, retry_after_seconds, worth_retrying
from .settings import Settings

log = logging.getLogger("provenance")

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
MEMO_BODY_BYTES = 32_000_000  # bodies kept for chains that reach an already-fetched URL later
MEMO_RECENT = 4096  # outcomes kept whole (with their exchange) for such chains; older ones keep only what they gave
ROW_COLUMNS = 9  # the values of a settled outcome (`Outcome.row`)


class Outcome:
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
    def from_row(cls, url: str, row: Sequence[Any]) -> Outcome:
        target, via, status, reason, code, ctype, e_status, e_reason, e_detail = row
        out = cls(error=FetchError(url, Status(e_status), e_reason, e_detail) if e_status is not None else None)
        out.target, out.via, out.reason, out.code, out.ctype = target, HopKind(via), reason, code, ctype
        out.status = Status(status) if status is not None else None
        return out

    @classmethod
    def read(cls, url: str, ex: Exchange) -> Outcome:
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


class InMemory(dict[str, Sequence[Any]]):
    """The settled outcomes of a small run (a single audit, `resolve`): a dict."""

    def put(self, url: str, row: Sequence[Any]) -> None:
        self[url] = row


class Fetches:
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
        self._waiting: dict[str, list[Callable[[Outcome], None]]] = {}
        self._recent: OrderedDict[str, Outcome] = OrderedDict()
        self._kept_bytes = 0
        self.settled: Settled = InMemory()
        self.requests = 0

    def get(self, url: str, callback: Callable[[Outcome], None]) -> Outcome | None:
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
                return Outcome.from_row(url, row)
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
            failed = Outcome(error=e)
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
            failed = Outcome(error=FetchError(url, Status.ERROR, "internal_error", repr(e)))
            return lambda: self._settle(url, failed)
        with self._lock:
            self.requests += 1
        code = ex.http_status
        if code in (429, 503):
            wait = retry_after_seconds(header(ex, "retry-after"))
            if wait is not None:
                if wait > s.max_retry_after:
                    out = Outcome(ex, FetchError(url, Status.DEFERRED, "retry_after", f"{wait:.0f}s"))
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
            out = Outcome.read(url, ex)
        except Exception as e:  # noqa: BLE001 - a bug in a page rule costs this URL only
            log.exception("reading the answer of %s failed unexpectedly", url)
            out = Outcome(ex, FetchError(url, Status.ERROR, "internal_error", repr(e)))
        self._settle(url, out)

    def _settle(self, url: str, out: Outcome) -> None:
        with self._lock:
            callbacks = self._waiting.pop(url, [])
            self.settled.put(url, out.row())
            self._keep(url, out)
        for cb in callbacks:
            cb(out)  # _Chain.resume: never raises

    def _keep(self, url: str, out: Outcome) -> None:
        """Keep the latest outcomes whole; the oldest leave (what they gave stays in `settled`)."""
        self._recent[url] = out
        self._kept_bytes += out.size if out.exchange is not None else 0
        while len(self._recent) > 1 and (self._kept_bytes > MEMO_BODY_BYTES or len(self._recent) > MEMO_RECENT):
            _, old = self._recent.popitem(last=False)
            self._kept_bytes -= old.size if old.exchange is not None else 0
