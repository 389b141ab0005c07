"""The session and its connection classes: resolve once, check every address, dial only a checked one.

Host and TLS SNI keep the name; a proxy would bypass the guard and is refused; redirects are
never prepared by requests (the resolver follows them itself, hop by hop).
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any, NoReturn

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..errors import FetchError
from ..models import Status
from ..netguard import AddressGuard
from ..settings import Settings
from .deadline import current_attempt
from .failures import connect_failure

if TYPE_CHECKING:  # the mixin stands in front of urllib3's connection classes
    _ConnectionBase = HTTPConnection
else:
    _ConnectionBase = object


class _GuardedMixin(_ConnectionBase):
    """Connection behaviour shared by http and https: dial only addresses the guard allows."""

    guard: AddressGuard  # set on the per-Fetcher subclass

    def _new_conn(self) -> socket.socket:
        attempt = current_attempt()
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
        raise connect_failure(url, last)

    def request(self, *args: Any, **kwargs: Any) -> None:
        attempt = current_attempt()
        if attempt is not None and self.sock is not None:
            attempt.attach(self.sock)
            try:
                attempt.peer_ip = self.sock.getpeername()[0]
            except OSError:
                pass
        return super().request(*args, **kwargs)


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
