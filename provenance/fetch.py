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
"""

from __future__ import annotations

import errno
import heapq
import http.client
import itertools
import socket
import ssl
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import FetchError
from .models import Exchange, Status
from .netguard import AddressGuard, Lookup, parse_literal
from .settings import Settings

_CHUNK = 65536
DNS_TTL = 300.0  # seconds a checked lookup is reused within a run


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
        self._lookups: ThreadPoolExecutor | None = None

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
            with self._dns_lock:
                if self._lookups is None:
                    self._lookups = ThreadPoolExecutor(max_workers=8, thread_name_prefix="provenance-dns")
            pending = self._lookups.submit(self.guard.addresses, url, host, port)
            try:
                addrs = pending.result(timeout=min(self.settings.connect_timeout, self.settings.deadline))
            except FutureTimeout:
                raise FetchError(url, Status.TIMEOUT, "dns_timeout", host) from None
        with self._dns_lock:
            self._dns[key] = (now + DNS_TTL, addrs)
        return addrs

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
        host = parts.hostname.lower()
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
        if self._lookups is not None:
            self._lookups.shutdown(wait=False, cancel_futures=True)
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
