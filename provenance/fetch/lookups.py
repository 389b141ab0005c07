"""Name look-ups, judged once per run, and the DNS canary that tells a missing network from a bad name.

A name that fails to resolve is remembered and fails again at once, with no second lookup. Every
lookup failure is put to the DNS canary (`netguard`): when no name resolves at all, the network is
missing, and for a while (the canary's TTL) names not yet resolved fail at once as `no_network`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import urlsplit

from ..errors import FetchError
from ..models import Status
from ..netguard import CANARY_TTL, LOOKUP_FAILURES, AddressGuard, parse_literal
from .urls import ascii_host

DNS_TTL = 300.0  # seconds a checked lookup is reused within a run
LOOKUP_POLL = 0.25   # how often a slow lookup's waiter looks whether the network was found missing
CANARY_AFTER = 1.0   # a lookup this slow has the canary asked at once, not after the lookup times out

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class Helpers:
    """A few daemon threads that run blocking calls (name lookups) and hand back Futures.

    Daemon threads, unlike a ThreadPoolExecutor's: a lookup that the system resolver never ends
    must not hold the process at exit after the run has said everything it had to say."""

    def __init__(self, size: int, name: str):
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._size = size
        self._name = name
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if len(self._threads) < self._size:
                t = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
                t.start()
                self._threads.append(t)
        self._jobs.put((future, fn, args))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as e:  # noqa: BLE001 - handed to the waiter, who decides
                future.set_exception(e)

    def close(self) -> None:
        with self._lock:
            for _ in self._threads:
                self._jobs.put(None)


class NameLookups:
    """The guard's checked addresses of each host:port, and what the run learnt of names that failed.

    The system resolver cannot be interrupted and may take tens of seconds to give up, so a name is
    looked up on a helper thread and waited for only as long as `wait` (a connect's timeout).
    """

    def __init__(self, guard: AddressGuard, wait: float):
        self.guard = guard
        self._wait = wait
        self._dns: dict[tuple[str, int], tuple[float, list[tuple[int, str]]]] = {}
        self._dns_lock = threading.Lock()
        self._lookups = Helpers(8, "provenance-dns")
        self._canary = Helpers(1, "provenance-canary")  # never queued behind lookups that hang
        self._canary_job: tuple[Future[Any], float] | None = None
        self._bad_names: dict[str, FetchError] = {}  # names that failed to resolve, kept for the run
        self._missing_at: float | None = None         # when the canary last found no name resolving

    @property
    def network_missing(self) -> bool:
        """True once the DNS canary found that no name resolves during this run (no network)."""
        return self._missing_at is not None

    def known_failure(self, url: str) -> FetchError | None:
        """The failure a fetch of `url` would meet without sending anything: its name failed to
        resolve earlier in this run, or the network was just found missing. None otherwise."""
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None
        host = ascii_host(hostname.lower()) if hostname else ""
        if not host or (host, port) in self._dns:  # resolved before (dict reads need no lock)
            return None
        bad = self._bad_names.get(host)
        if bad is not None:
            return FetchError(url, bad.status, bad.reason, bad.detail)
        missing_at = self._missing_at
        if missing_at is not None and time.monotonic() - missing_at < CANARY_TTL and parse_literal(host) is None:
            return FetchError(url, Status.ERROR, "no_network", "no name resolved, not even the canary's; not tried")
        return None

    def _lookup_wait(self) -> float:
        return self._wait

    def _ask_canary(self) -> tuple[Future[Any], float]:
        """The canary's answer to come (one question at a time; a fresh answer is reused)."""
        now = time.monotonic()
        with self._dns_lock:
            job = self._canary_job
            if job is None or (job[0].done() and now - job[1] >= CANARY_TTL):
                job = self._canary_job = (self._canary.submit(self.guard.dns_works), now)
        return job

    def _network_gone(self, block: bool) -> bool | None:
        """True when the canary resolves nothing, or gives no answer within a lookup's wait; False
        when DNS works; None when it has not answered yet and `block` is false."""
        future, since = self._ask_canary()
        try:
            works = future.result(timeout=max(0.0, since + self._lookup_wait() - time.monotonic()) if block else 0)
        except FutureTimeout:
            if not block and time.monotonic() - since < self._lookup_wait():
                return None
            return True
        except Exception:  # noqa: BLE001 - a canary that breaks has not shown DNS to work
            return True
        return not works

    def _network_missing_now(self, url: str, host: str) -> FetchError:
        with self._dns_lock:
            self._missing_at = time.monotonic()
        return FetchError(url, Status.ERROR, "dns_unavailable", f"{host}: no answer, and no name resolves")

    def _lookup_failed(self, host: str, failure: FetchError) -> FetchError:
        """Judge a failed lookup once: the network's fault (the canary resolves nothing either) or the
        name's, which is remembered for the run."""
        if failure.reason == "dns_unavailable" or (failure.reason == "dns_timeout" and self._network_gone(True)):
            return self._network_missing_now(failure.url, host)
        with self._dns_lock:
            self._bad_names[host] = failure
        return failure

    def addresses(self, url: str, host: str, port: int) -> list[tuple[int, str]]:
        """The guard's checked addresses for host:port, looked up once per run (for a few minutes).

        The system resolver cannot be interrupted and may take tens of seconds to give up, so
        a name is looked up on a helper thread and waited for only as long as a connect would be.
        """
        key = (host, port)
        now = time.monotonic()
        with self._dns_lock:
            hit = self._dns.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        if parse_literal(host) is not None:
            addrs = self.guard.addresses(url, host, port)
        else:
            known = self.known_failure(url)
            if known is not None:
                raise known
            try:
                addrs = self._wait_for(self._lookups.submit(self.guard.addresses, url, host, port), url, host)
            except FetchError as e:
                if e.reason in LOOKUP_FAILURES and e.reason != "no_network":
                    raise self._lookup_failed(host, e) from None
                raise
        with self._dns_lock:
            self._dns[key] = (now + DNS_TTL, addrs)
        return addrs

    def _wait_for(self, pending: Future[list[tuple[int, str]]], url: str, host: str) -> list[tuple[int, str]]:
        """A lookup's answer, waited for as long as a connect would be. A slow one has the canary
        asked meanwhile, and is given up once the network is found missing (by it or another)."""
        asked = time.monotonic()
        until = asked + self._lookup_wait()
        while True:
            try:
                return pending.result(timeout=max(0.0, min(LOOKUP_POLL, until - time.monotonic())))
            except FutureTimeout:
                missing_at = self._missing_at
                if missing_at is not None and missing_at >= asked:
                    raise FetchError(url, Status.ERROR, "no_network", "no name resolves; not waited for") from None
                if time.monotonic() - asked >= CANARY_AFTER and self._network_gone(False):
                    raise self._network_missing_now(url, host) from None
                if time.monotonic() >= until:
                    raise FetchError(url, Status.TIMEOUT, "dns_timeout", host) from None

    def close(self) -> None:
        self._lookups.close()
        self._canary.close()
