"""Archive: a `Resolution` in, the evidence kept — WARC records and Wayback Machine snapshots.

    warc.py     WarcStore: request/response/revisit records in rotating .warc.gz files
    wayback.py  Wayback: nearest snapshot (CDX) and Save Page Now 2; RateGate; target dates
    verify.py   checks written files and `captures` rows against each other

`seal_killed_warcs` closes the files that a killed run left open.

`Archiver` ties them to one run: it decides what to capture (alive and soft-404
pages and the hops that led there, not captured within the freshness window),
turns an identical earlier payload into a revisit, and records every capture and
snapshot through the store. With the check stage on, a snapshot found is also kept in
its raw form (`keep_snapshot`), so the check can read the page as the article's author saw it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from ..errors import DiskFull, FetchError, UsageError, is_disk_full
from ..fetch import Fetcher
from ..models import Capture, Resolution, Snapshot, SnapshotStatus, Status
from ..settings import Settings
from ..store import queries, writes
from .warc import OPEN_SUFFIX, Original, WarcStore, payload_digest, warc_date
from .wayback import RateGate, Target, Wayback, date_in_text, raw_form, target_date

__all__ = ["Archiver", "RateGate", "Target", "Wayback", "WarcStore", "date_in_text", "payload_digest",
           "raw_form", "seal_killed_warcs", "target_date"]

log = logging.getLogger("provenance.archive")

# Pages worth keeping: a live page, and a "soft 404" (the evidence that the page said it was gone).
CAPTURE_STATUSES = frozenset({Status.ALIVE, Status.SOFT404})


class Archiver:
    """Keeps the evidence of one run: WARC captures and Wayback snapshots, recorded as they are made."""

    def __init__(self, settings: Settings, db: sqlite_utils.Database, run_id: int | None, fetcher: Fetcher,
                 *, gate: RateGate | None = None, wayback: Wayback | None = None, store: WarcStore | None = None,
                 gates: dict[str, RateGate] | None = None):
        """`gate` is the run's Wayback gate: every archiver of one run shares it, so the Wayback Machine
        sees one polite client and a 429 pauses them all (a new one when not given). `gates` holds the
        run's gate of each other archive (`--archive-source`), filled here as they are first met: one
        rate limit per archive, so one archive's 429 never stops the others."""
        self.settings = settings
        self.db = db
        self.run_id = run_id
        run = str(run_id) if run_id is not None else datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.store = store or WarcStore(
            settings.warc_dir(), run, max_size=settings.warc_size,
            info={"robots": settings.robots, "http-header-user-agent": settings.user_agent})
        gates = {} if gates is None else gates
        if gate is not None:
            gates.setdefault(settings.archive_sources[0], gate)
        try:
            self.archives = [wayback] if wayback is not None else [
                Wayback(fetcher, gates.setdefault(source, RateGate(settings.wayback_interval)), base=source,
                        max_wait=settings.max_retry_after)
                for source in dict.fromkeys(settings.archive_sources)]
        except ValueError as e:
            raise UsageError(f"--archive-source: {e}") from None
        self.wayback = self.archives[0]  # the first archive: Save Page Now and raw copies by default

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
        snap = self._nearest(url, target)
        if self.settings.check and snap.status is SnapshotStatus.FOUND and snap.snapshot_url:
            self.keep_snapshot(snap.snapshot_url)  # the check stage reads it: keep it beside our own captures
        return snap

    def _nearest(self, url: str, target: Target) -> Snapshot:
        """Ask each archive, each on its own gate; every answer is recorded, the nearest copy last (so it is
        the one `best_snapshots` shows) and returned."""
        answers = [archive.nearest(url, target) for archive in self.archives]
        found = [s for s in answers if s.status is SnapshotStatus.FOUND]
        best = min(found, key=lambda s: s.distance_days if s.distance_days is not None else float("inf")) \
            if found else answers[0]
        for snap in [s for s in answers if s is not best] + [best]:
            writes.record_snapshot(self.db, self.run_id, snap)
        return best

    def keep_snapshot(self, snapshot_url: str) -> Capture | None:
        """The snapshot as archived (its raw `id_` form), fetched through the gate once, written into the
        WARC files and recorded as a capture of the raw URL; the response record, or None when the
        archive would not give it (or we may not ask: --offline)."""
        raw = raw_form(snapshot_url)
        if queries.copy_of(self.db, raw) is not None or self.settings.offline:
            return None
        try:
            archive = next((a for a in self.archives if a.source.replay and snapshot_url.startswith(a.source.replay)),
                           self.wayback)
            ex = archive.raw_snapshot(snapshot_url, self.settings.max_bytes)
        except FetchError as e:
            log.info("could not fetch the snapshot %s: %s", raw, e.reason)
            return None
        if ex.http_status != 200:
            return None
        ex.url = raw  # kept under the address asked for, however the archive redirected
        try:
            written = self.store.write_exchange(ex)
        except OSError as e:
            if is_disk_full(e):  # as for a capture: the run stops rather than go on without its evidence
                raise DiskFull(f"could not save {raw} into {self.store.directory}") from e
            log.warning("could not write a WARC record for %s: %s", raw, e)
            return None
        writes.record_captures(self.db, self.run_id, written)
        return written[0]

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
