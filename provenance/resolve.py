"""Resolve: a URL in, a `Resolution` out — every hop, the final URL, its status.

The resolver follows redirects itself (HTTP 30x and `<meta http-equiv=refresh>`)
so that each hop is recorded. Outcomes are data: a dead link is a `Resolution`
with status `dead`, never an exception. Successes may come from a cache; failures
never do.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from .errors import FetchError
from .fetch import Fetcher, decoded_body, header
from .models import Hop, Resolution, Status
from .settings import Settings

_META_REFRESH = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*['"]?([^"'>\s]+)""",
    re.I,
)

Cache = Callable[[str], "Resolution | None"]


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def status_for_code(code: int) -> tuple[Status, str | None]:
    if 200 <= code < 300:
        return Status.ALIVE, None
    return Status.DEAD, f"http_{code}"


def resolve_url(fetcher: Fetcher, url: str) -> Resolution:
    """Follow one URL to its end, hop by hop."""
    settings = fetcher.settings
    t0 = time.monotonic()
    hops: list[Hop] = []
    exchanges = []
    seen = {url}
    current = url

    def done(status, reason=None, code=None, final=None, content_type=None) -> Resolution:
        return Resolution(url=url, final_url=final, status=status, reason=reason, http_status=code,
                          elapsed_ms=int((time.monotonic() - t0) * 1000), hops=hops, checked_at=_now(),
                          content_type=content_type, exchanges=exchanges)

    while True:
        if urlsplit(current).scheme not in ("http", "https"):
            return done(Status.REFUSED, "scheme_not_allowed", final=current)
        try:
            ex = fetcher.fetch(current)
        except FetchError as e:
            return done(Status(e.status), e.reason, final=current)
        exchanges.append(ex)
        code = ex.http_status
        target, via = None, "http"
        if code in (301, 302, 303, 307, 308) and header(ex, "location"):
            target = urljoin(current, header(ex, "location").strip())
        elif 200 <= code < 300:
            m = _META_REFRESH.search(decoded_body(ex, 65536))
            if m:
                target, via = urljoin(current, m.group(1).decode("utf-8", "replace")), "meta-refresh"
        if target is None:
            status, reason = status_for_code(code)
            return done(status, reason, code, current, header(ex, "content-type"))
        hops.append(Hop(url=current, http_status=code, location=target, via=via))
        if target in seen or len(hops) > settings.max_hops:
            return done(Status.ERROR, "too_many_redirects", code, target)
        seen.add(target)
        current = target


class Resolver:
    """Resolves many URLs at once, each distinct URL once, with a cache of recent successes."""

    def __init__(self, settings: Settings, cache: Cache | None = None, fetcher: Fetcher | None = None):
        self.settings = settings
        self.cache = cache
        self.fetcher = fetcher or Fetcher(settings)

    def resolve(self, url: str) -> Resolution:
        if self.settings.offline:
            return Resolution(url=url, final_url=None, status=Status.OFFLINE, reason="offline", checked_at=_now())
        if self.cache is not None:
            hit = self.cache(url)
            if hit is not None:
                hit.from_cache = True
                return hit
        return resolve_url(self.fetcher, url)

    def resolve_many(self, urls: Iterable[str],
                     on_result: Callable[[Resolution], None] | None = None) -> list[Resolution]:
        unique = list(dict.fromkeys(urls))
        with ThreadPoolExecutor(max_workers=max(1, min(self.settings.concurrency, len(unique) or 1))) as pool:
            results = []
            for res in pool.map(self.resolve, unique):
                results.append(res)
                if on_result:
                    on_result(res)
        return results

    def close(self) -> None:
        self.fetcher.close()
