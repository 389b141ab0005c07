"""Captures written where a chain was resolved, away from the database: a Dask worker's own WARC files.

The run's `Archiver` decides what to keep by asking the database (a URL captured within the
freshness window is skipped, a payload stored before becomes a revisit). A worker of a cluster
has no database: `DetachedCapture` makes the same decisions from what this writer wrote during
the run, kept on disk so that memory stays flat (`store.memo`), and hands back the `Capture`s
for the one writer to record. So the pages never cross the network, only the rows about them;
a payload or a URL that another worker (or an earlier run) stored is stored again here.
"""

from __future__ import annotations

import logging
import threading

from ..errors import is_disk_full
from ..models import Capture, Resolution
from ..settings import Settings
from ..store.memo import Settled, UrlSet
from . import CAPTURE_STATUSES
from .warc import Original, WarcStore, payload_digest, warc_date

log = logging.getLogger("provenance.archive")


class DetachedCapture:
    """One process's captures of one run, into `provenance-RUN-WORKER-SEQ.warc.gz` files of its own."""

    def __init__(self, settings: Settings, run: str, worker: str):
        self.settings = settings
        self.store = WarcStore(settings.warc_dir(), run, max_size=settings.warc_size, worker=worker,
                               info={"robots": settings.robots, "http-header-user-agent": settings.user_agent})
        self._captured = UrlSet()  # URLs with a response or revisit written here this run
        self._originals = Settled(3)  # payload digest → (record id, URL, WARC-Date) of its full response
        self._lock = threading.Lock()  # chains end on several threads: a look-up and its write go together

    def capture(self, res: Resolution) -> tuple[list[Capture], str | None]:
        """Write the final page of `res` and every hop to it, as `Archiver.capture` would; returns what
        was written, and what could not be saved when the disk is full (the writer records the rest,
        then stops the run with `DiskFull`, as when its own disk is full)."""
        if res.status not in CAPTURE_STATUSES or not res.exchanges or self.settings.offline:
            return [], None
        with self._lock:
            return self._write(res)

    def _write(self, res: Resolution) -> tuple[list[Capture], str | None]:
        out: list[Capture] = []
        for ex in res.exchanges:
            if self.settings.freshness_hours > 0 and ex.url in self._captured:
                continue
            original = None
            digest = payload_digest(ex.body) if ex.body and not ex.truncated else None
            if digest is not None and (earlier := self._originals.get(digest)) is not None:
                original = Original(record_id=earlier[0], url=earlier[1], date=earlier[2])
            try:
                written = self.store.write_exchange(ex, original)
            except OSError as e:
                if is_disk_full(e):
                    return out, f"could not save {ex.url} into {self.store.directory}"
                log.warning("could not write a WARC record for %s: %s", ex.url, e)
                break
            self._captured.add(ex.url)
            response = written[0]
            if digest is not None and original is None and response.record_id:
                self._originals.put(digest, (response.record_id, ex.url, warc_date(ex.started_at)))
            out.extend(written)
        return out, None

    def close(self) -> None:
        """Seal the current file (synced, renamed without `.open`) and drop the run's memos."""
        self.store.close()
        self._captured.close()
        self._originals.close()
