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

    urls.py         URLs and Location headers as browsers send and read them
    connections.py  the Session and its guarded connection classes
    deadline.py     the watchdog that holds each fetch's total deadline on its socket
    lookups.py      name look-ups once per run; the DNS canary
    failures.py     library exceptions → the status and reason recorded
    body.py         headers and the decoded, capped body of an answer
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests

from ..errors import FetchError
from ..models import Exchange, Status
from ..netguard import AddressGuard, Lookup
from ..settings import Settings
from .body import decoded_body, header
from .connections import build_session
from .deadline import Attempt, Watchdog, set_current_attempt
from .failures import translate
from .lookups import NameLookups
from .urls import ascii_host, location_text, wire_url

__all__ = ["Fetcher", "ascii_host", "build_session", "decoded_body", "header", "location_text", "wire_url"]

_CHUNK = 65536


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
        self.names = NameLookups(self.guard, min(settings.connect_timeout, settings.deadline))

    @property
    def network_missing(self) -> bool:
        """True once the DNS canary found that no name resolves during this run (no network)."""
        return self.names.network_missing

    def known_failure(self, url: str) -> FetchError | None:
        """The failure a fetch of `url` would meet without sending anything: its name failed to
        resolve earlier in this run, or the network was just found missing. None otherwise."""
        return self.names.known_failure(url)

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
        addrs = self.names.addresses(url, host, port)
        cap = max_bytes if max_bytes is not None else s.max_bytes
        started = datetime.now(timezone.utc).isoformat()
        attempt = Attempt(time.monotonic() + s.deadline, s.connect_timeout, host, port, addrs)
        set_current_attempt(attempt)
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
                raise translate(url, e, attempt) from e
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
            set_current_attempt(None)
            if resp is not None:
                resp.close()

    def _read(self, url: str, resp: requests.Response, cap: int,
              attempt: Attempt) -> tuple[bytes, str | None]:
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
                err = translate(url, e, attempt)
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
        self.names.close()
        self.session.close()
