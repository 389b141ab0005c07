"""The batch on a Dask cluster: the same items, rows and exit codes, with extraction and resolution on workers.

    reader (here) ──▶ extract_document (any worker) ──▶ writer (here) ──▶ new URLs by origin
                                                          ▲                      │
                                                          └── record, capture ◀──┴── the origin's owner
                                                              rows                  (an actor on one worker:
                                                                                     the pages into its WARC files)

This driver replaces only where documents are extracted (`ClusterExtraction`, the pool's
`submit`/`settle`/`shutdown`, in cluster_extraction.py) and who resolves (`ClusterResolver`, the resolver's
`resolve_many`); the reader, the writer, the feeds, the jobs and the work queue are the
local batch's, unchanged. The reader hands on where each document is rather than its bytes
(`defer_files`: a folder's file, a zip's member, a WARC or ARC file's record), and the worker
that extracts it reads it (`sources.read_deferred`); the reader walks only listings and
record headers, for the job's keys. So resuming, deadlines, bad inputs and the summary behave as they
do there, and one writer records everything into the one database.

Politeness across the cluster: every origin (scheme, host, port) of a cited URL is owned by
one worker at a time, an `OriginOwner` actor (`owners`) with a resolver of its own: its per-host limit,
interval, robots.txt and Retry-After hold for that origin across the whole cluster, without a
global lock. Which worker owns an origin follows from the live workers (rendezvous hashing),
computed alike here and on every worker; when a worker is lost only its origins move, and the
URLs it had in hand are asked again. A chain that redirects to another origin asks that hop of
its origin's owner, so every request to an origin, a first URL or a hop, leaves from one worker.

The owner writes the pages of the chains it resolves into WARC files of its own
(`provenance-RUN-WORKER-SEQ.warc.gz`, `archive.detached`) and sends back the capture rows only,
which the writer records (`ClusterArchiver`): pages never cross the network. At the end each
owner seals its file, and a lost worker's file is sealed after its last recorded record, as a
killed run's files are.

The Wayback gate stays in this process: the snapshot look-ups run here, so its rate is
the whole cluster's. A worker killed mid-run loses nothing: Dask runs its extractions
again elsewhere (an article that was in hand at three deaths fails with the reason), and
its URLs go to a new owner. A client killed mid-run resumes as the local batch does: the
work queue in the database names this process as the items' owner.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, cast

import dask
from distributed import Client, LocalCluster
from distributed.client import FutureCancelledError

from ..archive import Archiver, seal_killed_warcs
from ..errors import DiskFull
from ..models import Capture, Resolution, Status
from ..resolve import Resolver
from ..run import RunContext
from ..settings import Settings
from ..store import queries, writes
from ..store import queue as work
from .cluster_extraction import ClusterExtraction, quick_wait
from .driver import Batch
from .owners import OWNER_CHECK, Answered, OriginOwner, origin_key, owner_among

# How often the calls in flight are looked at for their answers (seconds).
CALL_POLL = 0.01
# How many URLs one call to an owner carries (its answers come back together: the rows, not the pages).
OWNER_CALL = 16
# How many owners a URL may lose before it is answered with an error.
OWNER_LOSSES = 3


# How long a LocalCluster waits for a lost worker to come back before it closes the worker's nanny (Dask's
# `lost-worker-timeout`, 15 s by default). The nannies restart their workers themselves; a page that kills
# every worker it lands on killed a worker again inside the window, the nanny was closed while it restarted
# it, and with both closed the run had no worker left and waited out its item deadline.
LOST_WORKER_WAIT = "1h"


@contextmanager
def cluster_client(address: str, workers: int | None = None) -> Iterator[tuple[Client, LocalCluster | None]]:
    """A client of the cluster at `address`, or of a new LocalCluster (on 127.0.0.1) for "local", closed at
    the end; Dask's settings for the run hold while it is open."""
    with dask.config.set({"distributed.deploy.lost-worker-timeout": LOST_WORKER_WAIT}):
        cluster = None
        if address == "local":
            n = workers or max(2, os.cpu_count() or 2)
            # No statistical profiler in the workers: it samples every thread's stack 100 times a second, which
            # a batch never reads, and on long runs it fails in its own thread with a traceback on stderr.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
        try:
            client = Client(cluster if cluster is not None else address)
        except BaseException:
            if cluster is not None:
                cluster.close()
            raise
        try:
            yield client, cluster
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def live_workers(client: Client, timeout: float) -> set[str]:
    """The workers' addresses, asked of the scheduler within `timeout` seconds (TimeoutError past it). Not
    `client.scheduler_info()`: every 2 s the client refreshes the object that returns, asking for no worker at
    all, and a read that crossed the refresh found none (a loaded run took its two live owners for lost three
    times over and answered 109 URLs with an error)."""
    return set(client.nthreads(callback_timeout=timeout))


@dataclass(eq=False)
class _Call:
    """One call to an owner in flight: its URLs, and where their answers go."""

    addr: str
    urls: list[str]
    answers: queue.SimpleQueue
    losses: int
    future: Any = None
    due: float = float("inf")  # when it is answered with an error if its owner has not answered


class ClusterResolver:
    """`resolve_many` as the writer's feed calls it, answered by the owners of the URLs' origins.

    `fetcher` is the local resolver's: the Wayback look-ups of this process use it. The WARC records an
    owner wrote of a URL's pages wait in `written` until the writer records them (`ClusterArchiver`).

    No wait on the cluster is unbounded. A call its owner has not answered within `wait` seconds (the
    batch's item deadline: by then the articles that asked for its URLs have failed at theirs) answers
    its URLs as timed out, with the reason, so that articles citing them later are not held by it, and
    a later run asks again (a timeout is never cached); calls that do no network work of their own are
    bounded by `quick_wait`.
    """

    def __init__(self, client: Client, ctx: RunContext, wait: float):
        self.client, self.settings, self.local = client, ctx.settings, ctx.resolver
        self.wait, self.quick = wait, quick_wait(ctx.settings)
        # A worker runs elsewhere (another folder, another machine): it writes WARC files where this process
        # reads them back, so the folder is given whole (on several machines, a path they share).
        self.owner_settings = replace(ctx.settings, archive_dir=ctx.settings.warc_dir().resolve())
        self.db, self.run_id = ctx.db, ctx.run_id
        self.fetcher = self.local.fetcher
        self.written: dict[str, tuple[list[Capture], str | None]] = {}  # URL → its owner's records (in flight)
        self.warc_files: list[str] = []  # the files the owners sealed at the end
        self._lock = threading.Lock()
        self._owners: dict[str, Any] = {}  # worker address → its OriginOwner actor
        self._held: dict[str, Any] = {}  # the actors' futures: an actor lives as long as its future is held
        self._origin_owner: dict[str, str] = {}  # origin → the owner it was last sent to (origins: few)
        self._live_lock = threading.Lock()
        self._calls_lock = threading.Lock()
        self._calls: set[_Call] = set()
        self._poller: threading.Thread | None = None
        self._closing = threading.Event()
        self._live: set[str] = set()
        self._live_at = float("-inf")
        self._refresh()

    # -- owners ----------------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Owners for the workers there now; the origins of workers gone go to the rest."""
        live = live_workers(self.client, self.quick)
        with self._lock:
            for gone in set(self._owners) - live:
                del self._owners[gone]
                self._held.pop(gone, None)
            for addr in sorted(live - set(self._owners)):
                future = self.client.submit(OriginOwner, self.owner_settings, str(self.run_id), self.wait,
                                            actor=True, workers=[addr], allow_other_workers=False, pure=False)
                try:
                    self._owners[addr] = future.result(timeout=self.quick)
                except Exception:
                    continue  # it left while we asked: the next refresh will know
                self._held[addr] = future
            if not self._owners:
                raise RuntimeError("no Dask worker is left to resolve URLs")
            peers = dict(self._owners)
        for actor in peers.values():
            try:
                actor.set_peers(peers).result(timeout=self.quick)
            except Exception:
                continue  # a worker lost meanwhile: the next refresh tells the rest

    def owner_of(self, url: str) -> str:
        with self._lock:
            addr = owner_among(self._owners, url)
            assert addr is not None  # _refresh leaves at least one owner
            self._origin_owner[origin_key(url)] = addr
            return addr

    def _alive(self, addr: str) -> bool:
        """Whether `addr` is still a worker: asked of the scheduler at most once per `OWNER_CHECK`,
        however many calls are waiting."""
        with self._live_lock:
            if time.monotonic() - self._live_at >= OWNER_CHECK:
                self._live = live_workers(self.client, self.quick)
                self._live_at = time.monotonic()
            return addr in self._live

    # -- resolving -------------------------------------------------------------------------------

    def resolve(self, url: str) -> Resolution:
        return self.resolve_many([url])[0]

    def resolve_many(self, urls: Iterable[str],
                     on_result: Callable[[Resolution], None] | None = None) -> list[Resolution]:
        """One Resolution per distinct URL, in first-seen order; `on_result` runs on this thread."""
        unique = list(dict.fromkeys(urls))
        if self.settings.offline:
            return self.local.resolve_many(unique, on_result=on_result)
        answers: queue.SimpleQueue[tuple[list[str], list[Answered]]] = queue.SimpleQueue()
        self._send(unique, answers, losses=0)
        results: dict[str, Resolution] = {}
        while len(results) < len(unique):
            asked, got = answers.get()
            for url, (res, captures, disk_full) in zip(asked, got, strict=True):
                results[url] = res
                if captures or disk_full:
                    self.written[res.url] = (captures, disk_full)
                if on_result is not None:
                    on_result(res)
        return [results[u] for u in unique]

    def _send(self, urls: list[str], answers: queue.SimpleQueue, losses: int) -> None:
        """Each owner is asked for its URLs in calls of at most `OWNER_CALL`: a call answers when its slowest
        URL is done, so small calls let each answer be recorded soon after its chain ends."""
        groups: dict[str, list[str]] = {}
        for url in urls:
            groups.setdefault(self.owner_of(url), []).append(url)
        for addr, group in groups.items():
            for i in range(0, len(group), OWNER_CALL):
                self._call(_Call(addr, group[i:i + OWNER_CALL], answers, losses))

    def _call(self, call: _Call) -> None:
        with self._lock:
            actor = self._owners.get(call.addr)
        if actor is None:
            self._lost(call, LookupError(call.addr))
            return
        call.future = actor.resolve(call.urls)
        call.due = time.monotonic() + self.wait
        with self._calls_lock:
            self._calls.add(call)
            if self._poller is None:
                self._poller = threading.Thread(target=self._poll, name="owner-calls", daemon=True)
                self._poller.start()

    def _poll(self) -> None:
        """One thread waits for every call in flight, however many: a thread per call (hundreds of them when
        many URLs wait on a slow host) made the batch process grow with the URLs in flight."""
        checked = time.monotonic()
        while not self._closing.wait(CALL_POLL):
            with self._calls_lock:
                calls = list(self._calls)
            check = time.monotonic() - checked >= OWNER_CHECK
            if check:
                checked = time.monotonic()
            for call in calls:
                if call.future.done():
                    self._settle(call)
                elif time.monotonic() >= call.due:  # its owner is there but does not answer: never a hang
                    self._forget(call)
                    call.answers.put((call.urls, [Answered(_unanswered(u, self.wait), []) for u in call.urls]))
                elif check and not self._still_there(call.addr):
                    self._forget(call)
                    self._lost(call, LookupError(call.addr))

    def _still_there(self, addr: str) -> bool:
        try:
            return self._alive(addr)
        except Exception:  # the scheduler did not say: ask again at the next check
            return True

    def _forget(self, call: _Call) -> None:
        with self._calls_lock:
            self._calls.discard(call)

    def _settle(self, call: _Call) -> None:
        self._forget(call)
        try:
            call.answers.put((call.urls, call.future.result()))
        except (FutureCancelledError, OSError) as e:
            self._lost(call, e)
        except Exception as e:  # the owner's resolver failed: these URLs are answered with the reason
            call.answers.put((call.urls, [Answered(_error(u, e), []) for u in call.urls]))

    def _lost(self, call: _Call, lost: BaseException) -> None:
        """The call's owner is gone: ask the origins' new owners (on a thread of its own, as learning who
        they are waits on the scheduler), or answer with the reason once the URLs lost `OWNER_LOSSES` owners."""
        def again() -> None:
            if call.losses + 1 >= OWNER_LOSSES:
                call.answers.put((call.urls, [Answered(_error(u, lost), []) for u in call.urls]))
                return
            try:
                self._refresh()
            except (RuntimeError, TimeoutError) as e:  # no worker left, or the scheduler did not say in time
                call.answers.put((call.urls, [Answered(_error(u, e), []) for u in call.urls]))
                return
            self._send(call.urls, call.answers, call.losses + 1)

        threading.Thread(target=again, name="owner-lost", daemon=True).start()

    def _live_owners(self) -> list:
        """The owners whose workers the scheduler still has: one whose worker died (and came back under
        another address, if its nanny restarted it) would only let a call to it wait out its bound."""
        try:
            live = live_workers(self.client, self.quick)
        except Exception:  # noqa: BLE001 - the scheduler did not say: every owner is asked, each within its bound
            live = None
        with self._lock:
            return [owner for addr, owner in self._owners.items() if live is None or addr in live]

    def requests_made(self) -> int:
        """Requests the owners sent (for tests and benchmarks)."""
        owners = self._live_owners()
        return sum(o.requests_made().result(timeout=self.quick) for o in owners)

    @property
    def network_missing(self) -> bool:
        """Whether this process or any owner found no network (the resolver's DNS canary)."""
        owners = self._live_owners()
        missing = self.local.network_missing
        for owner in owners:
            try:
                missing = missing or owner.network_missing().result(timeout=self.quick)
            except Exception:
                continue  # a worker lost at the end: it can't say
        return missing

    def close(self) -> None:
        """At the end of the run: each owner seals its WARC file; then the files a lost worker left open are
        sealed after their last recorded record, as a killed run's are (`seal_killed_warcs`)."""
        for owner in self._live_owners():
            try:
                self.warc_files += owner.close_archive().result(timeout=self.quick)
            except Exception:
                continue  # lost at the end: its file is sealed below
        self.warc_files += seal_killed_warcs(self.settings.warc_dir(), [self.run_id],
                                             lambda name: work.recorded_end(self.db, name))
        self._closing.set()
        self.local.close()


class ClusterArchiver(Archiver):
    """The run's archiver, recording the WARC records an owner wrote on its worker; a page fetched here
    (an article given as a URL) is written here, into the batch process's own files."""

    def __init__(self, ctx: RunContext, resolver: ClusterResolver):
        super().__init__(ctx.settings, ctx.db, ctx.run_id, ctx.resolver.fetcher, gate=ctx.gate, gates=ctx.gates,
                         store=ctx.archiver.store)
        self.resolver = resolver

    def capture(self, res: Resolution) -> list[Capture]:
        written = self.resolver.written.pop(res.url, None)
        if written is None:
            return super().capture(res)
        captures, disk_full = written
        if captures:
            writes.record_captures(self.db, self.run_id, captures, queries.latest_resolution_id(self.db, res.url))
        if disk_full:
            raise DiskFull(disk_full)
        return captures


def _error(url: str, e: BaseException) -> Resolution:
    return _answer(url, Status.ERROR, f"internal_error: {type(e).__name__}: {str(e)[:200]}")


def _unanswered(url: str, wait: float) -> Resolution:
    return _answer(url, Status.TIMEOUT, f"owner_timeout: its origin's owner did not answer within {wait:g} s")


def _answer(url: str, status: Status, reason: str) -> Resolution:
    """A URL's answer when no owner gave one: no hop, the reason said."""
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return Resolution(url=url, final_url=None, status=status, reason=reason, checked_at=now)


class ClusterBatch(Batch):
    """`provenance batch --cluster ADDRESS`: the local batch, extracting and resolving on a Dask cluster."""

    def __init__(self, settings: Settings, sources_: list[str], *, cluster: str, cluster_workers: int | None = None,
                 **kwargs):
        super().__init__(settings, sources_, **kwargs)
        self.address = cluster
        self.defer_files = True  # files, zip members and WARC records are read by the worker that extracts them
        self.cluster_workers = cluster_workers
        self.client: Client | None = None
        self.local_cluster: LocalCluster | None = None

    def run(self):
        with cluster_client(self.address, self.cluster_workers) as (self.client, self.local_cluster):
            return super().run()

    def _extraction(self) -> ClusterExtraction:
        assert self.client is not None
        workers = len(live_workers(self.client, quick_wait(self.settings)))
        return ClusterExtraction(self.client, workers, self.item_deadline, quick_wait(self.settings))

    def _context(self, ctx: RunContext) -> RunContext:
        assert self.client is not None
        self.resolver = ClusterResolver(self.client, ctx, self.item_deadline)
        # The run's stages call only resolve_many, resolve, fetcher and close of their resolver.
        return replace(ctx, resolver=cast(Resolver, self.resolver), archiver=ClusterArchiver(ctx, self.resolver))

    def _run_args(self) -> dict:
        return {**super()._run_args(), "cluster": self.address}
