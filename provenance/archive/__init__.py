"""Archive: a `Resolution` in, the evidence kept — WARC records and Wayback Machine snapshots.

    warc.py     WarcStore: request/response/revisit records in rotating .warc.gz files
    wayback.py  Wayback: nearest snapshot (CDX) and Save Page Now 2; RateGate; target dates
    verify.py   checks written files and `captures` rows against each other

`seal_killed_warcs` closes the files that a killed run left open.

`Archiver` ties them to one run: it decides what to capture (alive and soft-404
pages and the hops that led there, not captured within the freshness window),
turns an identical earlier payload into a revisit, and records every capture and
snapshot through the store.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from ..errors import DiskFull, is_disk_full
from ..fetch import Fetcher
from ..models import Capture, Resolution, Snapshot, SnapshotStatus, Status
from ..settings import Settings
from ..store import queries, writes
from .warc import OPEN_SUFFIX, Original, WarcStore, payload_digest, warc_date
from .wayback import RateGate, Target, Wayback, date_in_text, target_date

__all__ = ["Archiver", "RateGate", "Target", "Wayback", "WarcStore", "date_in_text", "payload_digest",
           "seal_killed_warcs", "target_date"]

log = logging.getLogger("provenance.archive")

# Pages worth keeping: a live page, and a "soft 404" (the evidence that the page said it was gone).
CAPTURE_STATUSES = frozenset({Status.ALIVE, Status.SOFT404})


class Archiver:
    """Keeps the evidence of one run: WARC captures and Wayback snapshots, recorded as they are made."""

    def __init__(self, settings: Settings, db: sqlite_utils.Database, run_id: int | None, fetcher: Fetcher,
                 *, gate: RateGate | None = None, wayback: Wayback | None = None, store: WarcStore | None = None):
        """`gate` is the run's Wayback gate: every archiver of one run shares it, so the Wayback Machine
        sees one polite client and a 429 pauses them all (a new one when not given)."""
        self.settings = settings
        self.db = db
        self.run_id = run_id
        run = str(run_id) if run_id is not None else datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.store = store or WarcStore(
            settings.warc_dir(), run, max_size=settings.warc_size,
            info={"robots": settings.robots, "http-header-user-agent": settings.user_agent})
        self.wayback = wayback or Wayback(fetcher, gate or RateGate(settings.wayback_interval),
                                          max_wait=settings.max_retry_after)

    def capture(self, res: Resolution) -> list[Capture]:
        """Write the final page of `res` and every hop to it into WARC files; returns what was written.

        Nothing is written for a dead or failed resolution, one served from the cache (no bytes),
        or a URL captured within the freshness window.
        """
        if res.status not in CAPTURE_STATUSES or not res.exchanges or self.settings.offline:
            return []
        resolution_id = queries.latest_resolution_id(self.db, res.url)
        out: list[Capture] = []
        for ex in res.exchanges:
            if queries.captured_recently(self.db, ex.url, self.settings.freshness_hours):
                continue
            original = None
            if ex.body and not ex.truncated:
                earlier = queries.capture_with_payload(self.db, payload_digest(ex.body))
                if earlier:
                    original = Original(record_id=earlier[0], url=earlier[1], date=warc_date(earlier[2]))
            try:
                written = self.store.write_exchange(ex, original)
            except OSError as e:
                if is_disk_full(e):  # stop the run: nothing citing this page may be marked done without it
                    raise DiskFull(f"could not save {ex.url} into {self.store.directory}") from e
                log.warning("could not write a WARC record for %s: %s", ex.url, e)  # the audit goes on
                break
            writes.record_captures(self.db, self.run_id, written, resolution_id)
            out.extend(written)
        return out

    def uncaptured(self, res: Resolution) -> bool:
        """A live page known only from the cache, with no recent capture: its evidence was never kept."""
        if not res.from_cache or res.exchanges or res.status not in CAPTURE_STATUSES or self.settings.offline:
            return False
        return not queries.captured_recently(self.db, res.final_url or res.url, self.settings.freshness_hours)

    def snapshot(self, url: str, target: Target) -> Snapshot | None:
        """The Wayback snapshot of `url` nearest `target`, recorded; None when look-ups are off."""
        if not self.settings.wayback or self.settings.offline:
            return None
        kept = queries.recent_snapshot(self.db, url, target.label(), self.settings.freshness_hours)
        if kept is not None:
            return kept
        snap = self.wayback.nearest(url, target)
        writes.record_snapshot(self.db, self.run_id, snap)
        return snap

    def save(self, resolutions: list[Resolution]) -> dict[str, Snapshot]:
        """Submit live cited pages to Save Page Now (only with `--save`), recorded as snapshots."""
        live = [r.url for r in resolutions if r.status is Status.ALIVE]
        if not self.settings.save or self.settings.offline or not live:
            return {}
        saved = self.wayback.save_many(live)
        for snap in saved.values():
            writes.record_snapshot(self.db, self.run_id, snap)
        return saved

    def archive(self, resolutions: dict[str, Resolution], target: Target,
                article: Resolution | None = None) -> tuple[dict[str, list[Capture]], dict[str, Snapshot]]:
        """The archive step of an audit: capture the article (when fetched) and each cited page,
        look up each cited URL's nearest snapshot, and submit live pages when asked to.

        The article's own snapshot near its date is looked up and recorded too (a later edit of
        the article shows against it) but not returned: `snapshots` is keyed by cited URL."""
        captures: dict[str, list[Capture]] = {}
        snapshots: dict[str, Snapshot] = {}
        if article is not None:
            captures[article.url] = self.capture(article)
        for url, res in resolutions.items():
            captures[url] = self.capture(res)
        public = [res for res in resolutions.values() if res.status is not Status.REFUSED]
        for res in public:  # a private or non-web address is not sent to anyone
            snap = self.snapshot(res.url, target)
            if snap is not None:
                snapshots[res.url] = snap
        if article is not None and article.status is not Status.REFUSED:
            self.snapshot(article.url, target)
        for url, saved in self.save(public).items():
            if saved.status == SnapshotStatus.SAVED or url not in snapshots:
                snapshots[url] = saved
        return captures, snapshots

    def close(self) -> None:
        self.store.close()


def seal_killed_warcs(warc_dir: Path | str, killed_runs: Iterable[int],
                      recorded_end: Callable[[str], int | None]) -> list[str]:
    """Close the WARC files that killed runs left open, cut after their last recorded record.

    A record is written to the WARC file first and to `captures` just after; a run killed in
    between leaves a record no row knows of, and the resumed run captures that page again. Cutting
    each such file back to `recorded_end(file)` (the end of its last recorded record; a file with
    none is dropped) means a page's evidence is in the archive once. Only files of the runs in
    `killed_runs` are touched: another run may be writing its own file right now.
    """
    folder = Path(warc_dir)
    killed = {str(r) for r in killed_runs}
    if not folder.is_dir() or not killed:
        return []
    sealed = []
    for path in sorted(folder.glob(f"provenance-*{OPEN_SUFFIX}")):
        parts = path.name.split("-")
        if len(parts) < 3 or parts[1] not in killed:
            continue
        final = path.name[: -len(OPEN_SUFFIX)]
        end = recorded_end(final)
        if end is None:
            path.unlink()
        else:
            with open(path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
            path.rename(folder / final)
        sealed.append(final)
    return sealed
