"""The one HTTP seam: every request the project makes goes through `Fetcher.fetch`.

One `requests.Session` built here, a descriptive User-Agent, no proxies or
.netrc from the environment, no automatic redirects (the resolver follows them
itself so that every hop is seen), a timeout on every call and a cap on the
bytes read. A request that gets no usable answer raises `FetchError` with the
status and reason the resolver records.
"""

from __future__ import annotations

import time
import zlib
from datetime import datetime, timezone

import requests

from .errors import FetchError
from .models import Exchange, Status
from .settings import Settings


def build_session(settings: Settings) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = settings.user_agent
    session.headers["Accept-Encoding"] = "gzip, deflate"
    adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=64, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Fetcher:
    """Sends single requests (no redirects followed) within the settings' limits."""

    def __init__(self, settings: Settings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or build_session(settings)

    def fetch(self, url: str, *, method: str = "GET", headers: dict | None = None, data=None,
              max_bytes: int | None = None) -> Exchange:
        s = self.settings
        if s.offline:
            raise FetchError(url, Status.OFFLINE, "offline")
        cap = max_bytes if max_bytes is not None else s.max_bytes
        started = datetime.now(timezone.utc).isoformat()
        t0 = time.monotonic()
        try:
            resp = self.session.request(method, url, headers=headers, data=data, allow_redirects=False,
                                        stream=True, timeout=(s.connect_timeout, s.read_timeout))
        except requests.exceptions.SSLError as e:
            raise FetchError(url, Status.ERROR, "tls_error", str(e)[:200]) from None
        except requests.exceptions.ConnectTimeout:
            raise FetchError(url, Status.TIMEOUT, "connect_timeout") from None
        except requests.exceptions.ReadTimeout:
            raise FetchError(url, Status.TIMEOUT, "read_timeout") from None
        except requests.exceptions.ConnectionError as e:
            raise FetchError(url, Status.ERROR, "connection_error", str(e)[:200]) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as e:
            raise FetchError(url, Status.ERROR, "invalid_url", str(e)[:200]) from None
        try:
            body, truncated = self._read(resp, cap, t0)
        except requests.exceptions.RequestException as e:
            raise FetchError(url, Status.ERROR, "protocol_error", str(e)[:200]) from None
        finally:
            resp.close()
        version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(resp.raw, "version", 11), "HTTP/1.1")
        return Exchange(
            url=url, method=method, request_headers=list(resp.request.headers.items()),
            http_status=resp.status_code, reason=resp.reason or "",
            response_headers=list(resp.raw.headers.items()) if resp.raw is not None else list(resp.headers.items()),
            body=body, http_version=version, started_at=started, truncated=truncated,
        )

    def _read(self, resp: requests.Response, cap: int, t0: float) -> tuple[bytes, str | None]:
        """Raw (still content-encoded) body, cut at `cap` bytes or at the deadline."""
        chunks, size = [], 0
        deadline = t0 + self.settings.deadline
        for chunk in resp.raw.stream(65536, decode_content=False):
            chunks.append(chunk)
            size += len(chunk)
            if size >= cap:
                return b"".join(chunks)[:cap], "length"
            if time.monotonic() > deadline:
                return b"".join(chunks), "time"
        return b"".join(chunks), None

    def close(self) -> None:
        self.session.close()


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
            d = zlib.decompressobj(wbits)
            return d.decompress(exchange.body, max_bytes)
        except zlib.error:
            try:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(exchange.body, max_bytes)
            except zlib.error:
                return b""
    return exchange.body[:max_bytes]
