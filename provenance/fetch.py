"""The one HTTP seam: every request the project makes goes through `Fetcher.fetch`.

One `requests.Session` built here: a descriptive User-Agent, no proxies or .netrc
from the environment, no automatic redirects (the resolver follows them itself so
that every hop is seen and re-checked), a timeout on every call and a cap on the
bytes read. A request that gets no usable answer raises `FetchError` with the
status and reason the resolver records.

Three limits must hold against a hostile server, so they are enforced below
`requests`, on the socket:

- the address guard (`netguard`): our connection classes resolve the host once,
  check every address and dial only a checked one; Host and TLS SNI keep the name;
- the total deadline of one fetch: a watchdog thread shuts the socket down when it
  passes, which unblocks any read (headers dripped a byte at a time included); a
  check between chunks could not, since one read may block for the whole read timeout;
- the body cap: raw bytes are read with `read1` up to `max_bytes`, never `.content`.

Name lookups are judged once per run. A name that fails to resolve is remembered and
fails again at once, with no second lookup. Every lookup failure is put to the DNS
canary (`netguard`): when no name resolves at all, the network is missing, and for a
while (the canary's TTL) names not yet resolved fail at once as `no_network`, so a
run without network says so in seconds instead of timing out URL by URL.
`Fetcher.network_missing` tells the caller, to say "no network" once.
"""

from __future__ import annotations

import errno
import heapq
import http.client
import itertools
import queue
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote, urlsplit, urlunsplit

import idna
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import FetchError
from .models import Exchange, Status
from .netguard import CANARY_TTL, LOOKUP_FAILURES, AddressGuard, Lookup, parse_literal
from .settings import Settings

_CHUNK = 65536
DNS_TTL = 300.0  # seconds a checked lookup is reused within a run
LOOKUP_POLL = 0.25   # how often a slow lookup's waiter looks whether the network was found missing
CANARY_AFTER = 1.0   # a lookup this slow has the canary asked at once, not after the lookup times out


def ascii_host(host: str) -> str:
    """An IDN host name in its ASCII (IDNA) form, as requests sends it; other names unchanged."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host  # not a valid name: the request fails on it as `invalid_url`


def wire_url(url: str) -> str:
    """The URL as browsers send it: an IDN host in ASCII, other non-ASCII text percent-encoded as
    UTF-8. An ASCII URL is returned unchanged (percent escapes already in it stay as they are)."""
    if url.isascii():
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        userinfo, _, hostport = netloc.rpartition("@")
        host = hostport.lower().replace(parts.hostname, ascii_host(parts.hostname), 1)
        netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme, _percent(netloc), _percent(parts.path), _percent(parts.query),
                       _percent(parts.fragment)))


def location_text(value: str) -> str:
    """A Location header as browsers read it. HTTP libraries decode header bytes as Latin-1, so raw
    UTF-8 (`/page/café`) arrives as mojibake (`/page/cafÃ©`); when the bytes are valid UTF-8 they
    are read as UTF-8, otherwise as Latin-1."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _percent(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c if c.isascii() else quote(c, safe="", errors="replace") for c in text)


_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class _Helpers:
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


class _Attempt:
    """The state of one fetch, shared by the thread that runs it and the watchdog."""

    __slots__ = ("deadline", "connect_timeout", "host", "port", "addrs", "sock", "peer_ip", "expired", "done",
                 "lock")

    def __init__(self, deadline: float, connect_timeout: float, host: str, port: int,
                 addrs: list[tuple[int, str]]):
        self.deadline = deadline
        self.connect_timeout = connect_timeout
        self.host = host
        self.port = port
        self.addrs = addrs  # what the guard checked for this fetch: the only addresses dialled
        self.sock: socket.socket | None = None
        self.peer_ip: str | None = None
        self.expired = False
        self.done = False
        self.lock = threading.Lock()

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self.lock:
            self.sock = sock
            if self.expired and not self.done:
                _shutdown(sock)

    def expire(self) -> None:
        with self.lock:
            if self.done:
                return
            self.expired = True
            if self.sock is not None:
                _shutdown(self.sock)

    def finish(self) -> None:
        with self.lock:
            self.done = True

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def _shutdown(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for an SSLSocket: it unblocks a reader in another
    # thread without tearing down the SSL object under it.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


_local = threading.local()


def _current() -> _Attempt | None:
    return getattr(_local, "attempt", None)


class Watchdog:
    """One thread that expires fetches whose deadline has passed (a heap of deadlines)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Attempt]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def arm(self, attempt: _Attempt) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="provenance-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (attempt.deadline, next(self._seq), attempt))
            if self._heap[0][2] is attempt:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                while self._heap and (self._heap[0][0] <= now or self._heap[0][2].done):
                    _, _, attempt = heapq.heappop(self._heap)
                    attempt.expire()
                self._cond.wait(self._heap[0][0] - now if self._heap else None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()


if TYPE_CHECKING:  # the mixin stands in front of urllib3's connection classes
    _ConnectionBase = HTTPConnection
else:
    _ConnectionBase = object


class _GuardedMixin(_ConnectionBase):
    """Connection behaviour shared by http and https: dial only addresses the guard allows."""

    guard: AddressGuard  # set on the per-Fetcher subclass

    def _new_conn(self) -> socket.socket:
        attempt = _current()
        host, port = self._dns_host, self.port
        url = f"{host}:{port}"
        if attempt is not None and attempt.host == host.lower() and attempt.port == port:
            addrs = attempt.addrs
        else:
            addrs = self.guard.addresses(url, host, port)
        timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
        if attempt is not None:
            left = attempt.remaining()
            if left <= 0:
                raise FetchError(url, Status.TIMEOUT, "deadline")
            # The TLS handshake runs under this same socket timeout, and CPython applies it to
            # the handshake as a whole, so a handshake dripped byte by byte stays within it too.
            timeout = min(attempt.connect_timeout, left)
        last: OSError | None = None
        for family, ip in addrs:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                for opt in self.socket_options or ():
                    sock.setsockopt(*opt)
                sock.settimeout(timeout)
                if attempt is not None:
                    attempt.attach(sock)
                sock.connect((ip, port))
            except OSError as e:
                sock.close()
                last = e
                if attempt is not None and attempt.expired:
                    raise FetchError(url, Status.TIMEOUT, "deadline") from e
                continue
            if attempt is not None:
                attempt.peer_ip = ip
            return sock
        raise _connect_failure(url, last)

    def request(self, *args: Any, **kwargs: Any) -> None:
        attempt = _current()
        if attempt is not None and self.sock is not None:
            attempt.attach(self.sock)
            try:
                attempt.peer_ip = self.sock.getpeername()[0]
            except OSError:
                pass
        return super().request(*args, **kwargs)


def _connect_failure(url: str, e: OSError | None) -> FetchError:
    if isinstance(e, TimeoutError):
        return FetchError(url, Status.TIMEOUT, "connect_timeout")
    code = getattr(e, "errno", None)
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EADDRNOTAVAIL):
        return FetchError(url, Status.ERROR, "network_unreachable", str(e))
    if code == errno.ECONNREFUSED:
        return FetchError(url, Status.ERROR, "connection_refused", str(e))
    return FetchError(url, Status.ERROR, "connection_error", str(e))


class _GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools make guarded connections: they dial only the addresses the
    guard checked for the current fetch (or check the host themselves outside a fetch)."""

    def __init__(self, guard: AddressGuard, **kwargs: Any) -> None:
        http_conn = type("GuardedHTTPConnection", (_GuardedMixin, HTTPConnection), {"guard": guard})
        https_conn = type("GuardedHTTPSConnection", (_GuardedMixin, HTTPSConnection), {"guard": guard})
        self._pool_classes = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self._pool_classes)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> NoReturn:
        # trust_env is off; a proxy would bypass the guard
        raise FetchError("proxy", Status.REFUSED, "proxy_not_allowed")


class _Session(requests.Session):
    """A Session that never looks at redirects. Even with `allow_redirects=False`, requests
    prepares the next request of a 30x answer, and to do so reads that answer's whole body
    (`resp.content`), with no cap; the resolver follows redirects itself, hop by hop."""

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


def build_session(settings: Settings, guard: AddressGuard | None = None) -> requests.Session:
    """The project's one Session: User-Agent, no environment, guarded pools, no adapter retries.

    Without a `guard` the pools are urllib3's own: for cassette replay, which supplies its
    own connections. `Fetcher.fetch` checks every host with its guard either way.
    """
    session = _Session()
    session.trust_env = False
    session.headers["User-Agent"] = settings.user_agent
    session.headers["Accept-Encoding"] = "gzip, deflate"
    size = max(16, settings.concurrency)
    pools: dict[str, Any] = dict(pool_connections=256, pool_maxsize=size, max_retries=0, pool_block=False)
    adapter = _GuardedAdapter(guard, **pools) if guard is not None else HTTPAdapter(**pools)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Fetcher:
    """Sends single requests (no redirects followed) within the settings' limits.

    `lookup` replaces the system resolver for the address guard (tests use a stub so
    that no real DNS query is made).
    """

    def __init__(self, settings: Settings, session: requests.Session | None = None,
                 lookup: Lookup | None = None):
        self.settings = settings
        self.guard = AddressGuard(settings.allow_private, lookup)
        self.session = session if session is not None else build_session(settings, self.guard)
        self.watchdog = Watchdog()
        self._dns: dict[tuple[str, int], tuple[float, list[tuple[int, str]]]] = {}
        self._dns_lock = threading.Lock()
        self._lookups = _Helpers(8, "provenance-dns")
        self._canary = _Helpers(1, "provenance-canary")  # never queued behind lookups that hang
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
        return min(self.settings.connect_timeout, self.settings.deadline)

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

    def _addresses(self, url: str, host: str, port: int) -> list[tuple[int, str]]:
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

    def fetch(self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None, data: Any = None,
              max_bytes: int | None = None) -> Exchange:
        s = self.settings
        if s.offline:
            raise FetchError(url, Status.OFFLINE, "offline")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(url, Status.ERROR, "invalid_url", "not an http(s) URL with a host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError(url, Status.ERROR, "invalid_url", "bad port") from None
        host = ascii_host(parts.hostname.lower())
        self.guard.check_literal(url, host)
        addrs = self._addresses(url, host, port)
        cap = max_bytes if max_bytes is not None else s.max_bytes
        started = datetime.now(timezone.utc).isoformat()
        attempt = _Attempt(time.monotonic() + s.deadline, s.connect_timeout, host, port, addrs)
        _local.attempt = attempt
        self.watchdog.arm(attempt)
        resp = None
        try:
            try:
                resp = self.session.request(method, url, headers=headers, data=data, allow_redirects=False,
                                            stream=True, timeout=(s.connect_timeout, s.read_timeout))
            except FetchError as e:
                e.url = url
                raise
            except Exception as e:  # noqa: BLE001 - translated into a status at this one seam
                raise _translate(url, e, attempt) from e
            if attempt.expired:  # the watchdog cut the headers short: no real answer came
                raise FetchError(url, Status.TIMEOUT, "deadline")
            body, truncated = self._read(url, resp, cap, attempt)
            version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(resp.raw, "version", 11), "HTTP/1.1")
            sent = [(k, v if isinstance(v, str) else v.decode("latin-1")) for k, v in resp.request.headers.items()]
            if not any(k.lower() == "host" for k, _ in sent):  # http.client adds it on the wire
                sent.insert(0, ("Host", parts.netloc.rsplit("@", 1)[-1]))
            return Exchange(
                url=url, method=method, request_headers=sent,
                http_status=resp.status_code, reason=resp.reason or "",
                response_headers=list(resp.raw.headers.items()),
                body=body, http_version=version, peer_ip=attempt.peer_ip, started_at=started,
                truncated=truncated,
            )
        finally:
            attempt.finish()
            _local.attempt = None
            if resp is not None:
                resp.close()

    def _read(self, url: str, resp: requests.Response, cap: int,
              attempt: _Attempt) -> tuple[bytes, str | None]:
        """The raw (still content-encoded) body, cut at `cap` bytes or at the deadline."""
        chunks: list[bytes] = []
        size = 0
        raw = resp.raw
        raw.decode_content = False  # the body as on the wire (requests asks for this already)
        while size < cap:
            try:
                chunk = raw.read1(min(_CHUNK, cap - size))
            except Exception as e:  # noqa: BLE001
                if attempt.expired:
                    return b"".join(chunks), "time"
                err = _translate(url, e, attempt)
                if err.reason == "read_timeout" and not chunks:
                    raise err from e
                if err.reason == "read_timeout":
                    return b"".join(chunks), "time"
                raise err from e
            if not chunk:
                if attempt.expired:
                    return b"".join(chunks), "time"
                return b"".join(chunks), None
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), "length"

    def close(self) -> None:
        self.watchdog.close()
        self._lookups.close()
        self._canary.close()
        self.session.close()


def _translate(url: str, e: BaseException, attempt: _Attempt) -> FetchError:
    """A library exception as the status and reason the resolver records."""
    if isinstance(e, FetchError):
        return e
    if attempt.expired:
        return FetchError(url, Status.TIMEOUT, "deadline")
    text = str(e)[:200]
    inner: BaseException | None = e
    while getattr(inner, "__context__", None) is not None and not isinstance(inner, ssl.SSLError):
        inner = inner.__context__ if inner is not None else None
    if isinstance(e, requests.exceptions.SSLError) or isinstance(inner, ssl.SSLError) \
            or "CERTIFICATE_VERIFY_FAILED" in text:
        return FetchError(url, Status.ERROR, "tls_error", text)
    if isinstance(e, requests.exceptions.ConnectTimeout):
        return FetchError(url, Status.TIMEOUT, "connect_timeout")
    if isinstance(e, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return FetchError(url, Status.TIMEOUT, "read_timeout")
    if isinstance(e, (urllib3.exceptions.IncompleteRead, http.client.IncompleteRead)) \
            or "IncompleteRead" in text:
        return FetchError(url, Status.ERROR, "incomplete_body", text)
    if isinstance(e, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                      requests.exceptions.InvalidSchema, UnicodeError, ValueError)):
        return FetchError(url, Status.ERROR, "invalid_url", text)
    if isinstance(e, (requests.exceptions.ConnectionError, urllib3.exceptions.ProtocolError,
                      http.client.HTTPException, OSError)):
        return FetchError(url, Status.ERROR, "connection_error", text)
    return FetchError(url, Status.ERROR, "protocol_error", f"{type(e).__name__}: {text}")


def header(exchange: Exchange, name: str) -> str | None:
    name = name.lower()
    for k, v in exchange.response_headers:
        if k.lower() == name:
            return v
    return None


def decoded_body(exchange: Exchange, max_bytes: int) -> bytes:
    """The body with its content-encoding undone, never more than `max_bytes` (gzip bombs stop here)."""
    encoding = (header(exchange, "content-encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
        try:
            return zlib.decompressobj(wbits).decompress(exchange.body, max_bytes)
        except zlib.error:
            try:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(exchange.body, max_bytes)
            except zlib.error:
                return b""
    return exchange.body[:max_bytes]
