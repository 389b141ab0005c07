"""The Wayback Machine: the snapshot nearest a date (CDX API), and opt-in Save Page Now 2.

Every request goes through the project's one `Fetcher`, so the same limits and
address policy apply as to any other request, and through one `RateGate` per
run (the run's context owns it and hands it to each of its archivers): at most
one request a second to web.archive.org, and after a 429 the whole run slows
down (and stops asking once the wait grows longer than the run will); three
requests in a row with no answer at all stop the asking too.

An empty answer is never proof that a page was not archived: the Wayback
Machine's indexes answer empty when busy. It is recorded as `none` (the CDX
listed nothing) or `unknown` (no usable answer), never as a fact about the page.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import urlencode, urljoin, urlsplit

from ..errors import FetchError
from ..fetch import Fetcher, decoded_body, header
from ..models import Exchange, Snapshot, SnapshotStatus, Status
from ..politeness import retry_after_seconds

WAYBACK = "https://web.archive.org"
CDX_FIELDS = "timestamp,original,statuscode,mimetype,digest"
# Answers bigger than this are not CDX lines for one URL.
MAX_ANSWER = 1_000_000
RAW_TIMESTAMP = re.compile(r"/(\d{14})(?:[a-z]{2}_)?/")
SPN_ACCESS_ENV = "PROVENANCE_SPN_ACCESS_KEY"
SPN_SECRET_ENV = "PROVENANCE_SPN_SECRET_KEY"
# Save Page Now's own job states (its API's words, not our snapshot statuses).
SPN_ERROR = "error"
SPN_PENDING = "pending"


class RateGate:
    """At most one request per `interval` seconds, shared by every thread of a run.

    `backoff(seconds)` pushes the next slot out (a 429's Retry-After) and doubles the interval
    for the rest of the run; `paused` says why the run stopped asking altogether. `clock`/`sleep`
    are injectable so tests never wait.
    """

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()
        self.paused: str | None = None
        self.unreachable = 0  # transport failures in a row: the service (or the network) is down

    def failed(self, reason: str, limit: int = 3) -> None:
        """Count a request that got no answer; after `limit` in a row the run stops asking."""
        with self._lock:
            self.unreachable += 1
            if self.unreachable >= limit:
                self.paused = f"wayback_unreachable ({reason})"

    def answered(self) -> None:
        with self._lock:
            self.unreachable = 0

    def pause(self, reason: str) -> None:
        """Stop the run's asking for good (the Wayback Machine said to stop)."""
        with self._lock:
            self.paused = reason

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if self._next > now:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval

    def backoff(self, seconds: float) -> None:
        with self._lock:
            self.interval = max(self.interval * 2, 1.0)
            self._next = max(self._next, self.clock() + seconds)


@dataclass(frozen=True)
class Target:
    """The date to look for snapshots near, and where it came from."""

    day: date
    source: str  # published | text | audit date

    def label(self) -> str:
        """What `snapshots.target_date` holds: the date, then where it came from."""
        return f"{self.day.isoformat()} ({self.source})"


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH = (r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), ("M", "d", "y")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.I), ("d", "M", "y")),
)


def date_in_text(text: str) -> date | None:
    """The first full calendar date written in the text (ISO, `July 1, 2025`, `1 July 2025`)."""
    found: list[tuple[int, date]] = []
    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups(), strict=True))
            try:
                month = _MONTHS[parts["M"][:3].lower()] if "M" in parts else int(parts["m"])
                found.append((m.start(), date(int(parts["y"]), month, int(parts["d"]))))
            except (ValueError, KeyError):
                continue
            break  # the first valid match of each pattern is enough
    return min(found)[1] if found else None


def target_date(published: str | None, text: str, today: date | None = None) -> Target:
    """The article's publication date from its metadata, else a date in its text, else today."""
    if published:
        try:
            return Target(date.fromisoformat(published[:10]), "published")
        except ValueError:
            pass
    in_text = date_in_text(text or "")
    if in_text is not None:
        return Target(in_text, "text")
    return Target(today or datetime.now(timezone.utc).date(), "audit date")


def raw_form(snapshot_url: str) -> str:
    """`…/web/20250701120000/https://x` → `…/web/20250701120000id_/https://x`: the archived bytes
    (the same in a pywb collection's replay, `…/coll/20250701120000id_/https://x`)."""
    return RAW_TIMESTAMP.sub(r"/\1id_/", snapshot_url, count=1)


@dataclass(frozen=True)
class ArchiveSource:
    """Where one CDX-API archive answers look-ups (`cdx`) and replays its copies (`replay` + timestamp/URL)."""

    name: str
    cdx: str
    replay: str | None  # None: an index with no replay of its own (OutbackCDX alone)

    @classmethod
    def parse(cls, spec: str) -> ArchiveSource:
        """`https://web.archive.org` (the Wayback Machine's layout: /cdx/search/cdx, /web/), a pywb
        collection (`http://host/coll`, or its `…/coll/cdx`), or `CDX_URL|REPLAY_PREFIX` for any other
        (`CDX_URL|` for an index with no replay, such as OutbackCDX)."""
        if "|" in spec:
            cdx, _, replay = spec.partition("|")
            return cls(cdx.rstrip("/"), cdx, replay or None)
        base = spec.rstrip("/")
        path = urlsplit(base).path
        if not urlsplit(base).scheme or not urlsplit(base).netloc:
            raise ValueError(f"{spec!r} is not an archive's http(s) address")
        if not path:
            return cls(base, f"{base}/cdx/search/cdx", f"{base}/web/")
        if path.endswith("/cdx"):
            base = base[: -len("/cdx")]
        return cls(base, f"{base}/cdx", f"{base}/")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _distance_days(timestamp: str, day: date) -> float | None:
    """Days between a Wayback timestamp and noon of `day`; None when it is not a timestamp."""
    if not re.fullmatch(r"\d{8,14}", timestamp or ""):
        return None
    try:
        when = datetime.strptime(timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
    return round(abs((when - noon).total_seconds()) / 86400, 2)


class Wayback:
    """Look-ups (CDX) and submissions (SPN2) to the Wayback Machine, politely, through one Fetcher."""

    def __init__(self, fetcher: Fetcher, gate: RateGate | None = None, *, base: str = WAYBACK,
                 max_wait: float = 30.0, poll_interval: float = 5.0, max_polls: int = 24,
                 sleep: Callable[[float], None] = time.sleep, environ: dict | None = None):
        """`base` is the archive (see `ArchiveSource.parse`); Save Page Now is the Wayback Machine's alone."""
        self.fetcher = fetcher
        self.gate = gate or RateGate()
        self.source = ArchiveSource.parse(base)
        self.base = self.source.name
        self.max_wait = max_wait
        self.poll_interval = poll_interval
        self.max_polls = max_polls
        self.sleep = sleep
        self.environ = os.environ if environ is None else environ

    # -- transport ---------------------------------------------------------------------------
    def _get(self, url: str, *, method: str = "GET", headers: dict | None = None, data=None):
        """One request through the gate; a 429 backs off the whole run and is retried once."""
        for attempt in (1, 2):
            if self.gate.paused:
                raise FetchError(url, Status.DEFERRED, self.gate.paused)
            self.gate.wait()
            try:
                ex = self.fetcher.fetch(url, method=method, headers=headers, data=data, max_bytes=MAX_ANSWER)
            except FetchError as e:
                if e.status in (Status.ERROR, Status.TIMEOUT):
                    self.gate.failed(e.reason)
                raise
            self.gate.answered()
            if ex.http_status != 429:
                return ex
            wait = retry_after_seconds(header(ex, "retry-after"))
            if wait is None or wait > self.max_wait or attempt == 2:
                self.gate.backoff(min(wait or 60.0, 3600.0))
                self.gate.pause("rate_limited")  # once the Wayback Machine asked us to stop
                raise FetchError(url, Status.DEFERRED, "rate_limited", "HTTP 429 from the Wayback Machine")
            self.gate.backoff(wait)
        raise AssertionError("unreachable")

    # -- CDX ---------------------------------------------------------------------------------
    def cdx_url(self, url: str, day: date) -> str:
        query = urlencode({"url": url, "output": "json", "closest": day.strftime("%Y%m%d") + "120000",
                           "sort": "closest", "limit": "5", "fl": CDX_FIELDS, "filter": "statuscode:[23].."})
        return f"{self.source.cdx}?{query}"

    def nearest(self, url: str, target: Target) -> Snapshot:
        """The snapshot of `url` nearest the target date, or why there is none."""
        snap = Snapshot(url=url, status=SnapshotStatus.UNKNOWN, target_date=target.label(), checked_at=_now())
        try:
            ex = self._get(self.cdx_url(url, target.day))
        except FetchError as e:
            snap.status = (SnapshotStatus.UNKNOWN if e.status in (Status.DEFERRED, Status.TIMEOUT)
                           else SnapshotStatus.ERROR)
            snap.reason = e.reason
            return snap
        snap.http_status = ex.http_status
        if ex.http_status != 200:
            snap.status = SnapshotStatus.UNKNOWN if ex.http_status >= 500 else SnapshotStatus.ERROR
            snap.reason = f"http_{ex.http_status}"
            return snap
        body = decoded_body(ex, MAX_ANSWER).strip()
        if not body:
            snap.reason = "empty_answer"  # stays unknown: an empty body proves nothing
            return snap
        try:
            rows = json.loads(body)
        except ValueError:
            snap.status, snap.reason = SnapshotStatus.ERROR, "bad_json"
            return snap
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            snap.status, snap.reason = SnapshotStatus.NONE, "no_snapshot_listed"
            return snap
        names = rows[0]  # the first row names the fields; a resume key or blank row is skipped
        found = [dict(zip(names, r, strict=True)) for r in rows[1:] if len(r) == len(names)]
        found = [r for r in found if _distance_days(r.get("timestamp", ""), target.day) is not None]
        if "timestamp" not in names or not found:
            snap.status, snap.reason = SnapshotStatus.NONE, "no_snapshot_listed"
            return snap
        best = min(found, key=lambda r: _distance_days(r["timestamp"], target.day) or 0.0)
        snap.status = SnapshotStatus.FOUND
        snap.timestamp = best["timestamp"]
        if self.source.replay:
            snap.snapshot_url = f"{self.source.replay}{best['timestamp']}/{best.get('original') or url}"
        snap.distance_days = _distance_days(best["timestamp"], target.day)
        code = best.get("statuscode", "200")
        snap.reason = None if code == "200" else f"wayback_status_{code}"  # e.g. the snapshot is a redirect
        return snap

    def rows(self, params: dict) -> tuple[list[dict], str | None]:
        """One CDX query (JSON output) as rows keyed by field name, or why there are none.

        The tracing stage lists an outlet's captures with it; the gate and the 429 handling are
        the same as for `nearest`. The reason is None when the index answered (even with no row).
        """
        query = urlencode({"output": "json", "fl": CDX_FIELDS, **params}, doseq=True)
        try:
            ex = self._get(f"{self.source.cdx}?{query}")
        except FetchError as e:
            return [], e.reason
        if ex.http_status != 200:
            return [], f"http_{ex.http_status}"
        body = decoded_body(ex, MAX_ANSWER).strip()
        if not body:
            return [], "empty_answer"
        try:
            rows = json.loads(body)
        except ValueError:
            return [], "bad_json"
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            return [], None
        names = rows[0]
        return [dict(zip(names, r, strict=True)) for r in rows[1:] if len(r) == len(names)], None

    def raw(self, timestamp: str, url: str):
        """The archived payload itself (the `id_` replay form, without the archive's banner)."""
        return self._get(f"{self.base}/web/{timestamp}id_/{url}")

    # -- replay ------------------------------------------------------------------------------
    def raw_snapshot(self, snapshot_url: str, max_bytes: int, max_hops: int = 5) -> Exchange:
        """A snapshot as it was archived (the `id_` form: no banner, links not rewritten), through the
        gate; the archive's redirects to the copy it really holds are followed."""
        url = raw_form(snapshot_url)
        for _ in range(max_hops + 1):
            self.gate.wait()
            ex = self.fetcher.fetch(url, max_bytes=max_bytes)
            location = header(ex, "location")
            if ex.http_status not in (301, 302, 303, 307, 308) or not location:
                return ex
            url = raw_form(urljoin(url, location))
        raise FetchError(snapshot_url, Status.ERROR, "too_many_redirects")

    # -- Save Page Now 2 ---------------------------------------------------------------------
    def keys(self) -> tuple[str, str] | None:
        access, secret = self.environ.get(SPN_ACCESS_ENV), self.environ.get(SPN_SECRET_ENV)
        return (access, secret) if access and secret else None

    def _auth(self) -> dict:
        access, secret = self.keys() or ("", "")
        return {"Authorization": f"LOW {access}:{secret}", "Accept": "application/json"}

    def _json(self, ex) -> dict:
        try:
            data = json.loads(decoded_body(ex, MAX_ANSWER) or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, url: str) -> Snapshot:
        """Ask Save Page Now to capture one URL, wait for the job, and say what came of it."""
        return self.save_many([url])[url]

    def save_many(self, urls: list[str]) -> dict[str, Snapshot]:
        """Submit every URL the account's limits allow, then poll the jobs together.

        The per-user limits (`/save/status/user`) are read first so that a busy account is not
        sent more than it may take; errors come in the JSON (`status: error`, `status_ext`) even
        with HTTP 200, both for a submission and for a job that fails later.
        """
        out = {url: Snapshot(url=url, status=SnapshotStatus.ERROR, checked_at=_now()) for url in urls}
        if self.keys() is None:
            for snap in out.values():
                snap.reason = "no_spn_keys"
            return out
        jobs: dict[str, str] = {}
        done: set[str] = set()
        try:
            limits = self._json(self._get(f"{self.base}/save/status/user", headers=self._auth()))
            available = limits.get("available")
            available = available if isinstance(available, int) else len(urls)
            for url in urls:
                if available <= 0:
                    out[url].status, out[url].reason = SnapshotStatus.UNKNOWN, "spn_user_limit"
                    done.add(url)
                    continue
                ex = self._get(f"{self.base}/save", method="POST", headers=self._auth(),
                               data={"url": url, "skip_first_archive": "1"})
                answer = self._json(ex)
                out[url].http_status = ex.http_status
                if answer.get("status") == SPN_ERROR or not answer.get("job_id"):
                    out[url].reason = answer.get("status_ext") or f"http_{ex.http_status}"
                    done.add(url)
                    continue
                jobs[url] = answer["job_id"]
                available -= 1
            for _ in range(self.max_polls):
                if not jobs:
                    break
                self.sleep(self.poll_interval)
                for url, job in list(jobs.items()):
                    status = self._json(self._get(f"{self.base}/save/status/{job}", headers=self._auth()))
                    if status.get("status") == SPN_PENDING:
                        continue
                    del jobs[url]
                    done.add(url)
                    self._finish(out[url], status)
        except FetchError as e:  # the Wayback Machine stopped answering: what is not settled is unknown
            for url in set(urls) - done:
                out[url].status = (SnapshotStatus.UNKNOWN if e.status in (Status.DEFERRED, Status.TIMEOUT)
                                   else SnapshotStatus.ERROR)
                out[url].reason = e.reason if url not in jobs else f"{e.reason}; spn_job:{jobs[url]}"
            jobs.clear()
        for url, job in jobs.items():  # still running when we stopped asking: a later look-up finds it
            out[url].status, out[url].reason = SnapshotStatus.PENDING, f"spn_job:{job}"
        return out

    def _finish(self, snap: Snapshot, status: dict) -> None:
        if status.get("status") == "success" and status.get("timestamp"):
            snap.status, snap.timestamp, snap.reason = SnapshotStatus.SAVED, status["timestamp"], None
            original = status.get("original_url") or snap.url
            snap.snapshot_url = f"{self.base}/web/{status['timestamp']}/{original}"
        else:
            snap.reason = status.get("status_ext") or status.get("message") or "spn_failed"
