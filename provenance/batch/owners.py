"""The owner of an origin on a Dask worker: the one place every request to that origin leaves from.

An `OriginOwner` is an actor, one per worker, with a resolver of its own: its per-host limit,
interval, robots.txt and Retry-After hold for the origins the worker owns across the whole
cluster. Which worker owns an origin is `owner_among` the live workers (rendezvous hashing),
computed alike in the batch process (`cluster.ClusterResolver`) and on every worker. A hop of
a chain on an origin another worker owns is asked of that owner (`_Forwarding`), and so is its
robots.txt (`_OwnRobots`). The owner writes the pages of the chains it resolves into WARC files
of its own and answers with the capture rows only (`Answered`).
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from distributed import Actor, get_worker

from ..archive.detached import DetachedCapture
from ..fetch_once import ROW_COLUMNS
from ..models import Capture, Resolution
from ..politeness import origin_of
from ..resolve import Resolver
from ..settings import Settings
from ..store.memo import Settled
from .heap import keep_flat

# How often a wait on an owner checks that its worker is still there (seconds).
OWNER_CHECK = 1.0
# How long a hop whose owner was lost waits to learn the origin's new owner before it is fetched here (seconds).
REROUTE_WAIT = 30.0
# The most page bodies of chains done but not yet written into this worker's WARC files (bytes); past it a chain
# that ends waits for the writing to catch up.
ARCHIVE_BACKLOG = 8_000_000


class Answered(NamedTuple):
    """An owner's answer for one URL: the resolution without its pages, the WARC records the owner wrote
    of them, and why it could not write them when the disk was full."""

    resolution: Resolution
    captures: list[Capture]
    disk_full: str | None = None


def worker_tag(name: object, address: str) -> str:
    """A worker's part of its WARC files' names: `w` and its Dask name when that is letters and digits
    (a LocalCluster's 0, 1, …), else a hash of its address."""
    text = str(name)
    return f"w{text}" if text.isascii() and text.isalnum() else f"w{zlib.crc32(address.encode()):08x}"


class _OwnerCall:
    """One call to an owner: its URLs, the answers so far, and the future its caller awaits on the event loop."""

    def __init__(self, urls: list[str], loop: asyncio.AbstractEventLoop, answer: asyncio.Future):
        self.urls, self.loop, self.answer = urls, loop, answer
        self.out: dict[int, Answered] = {}  # by the URL's place in `urls`

    def settle(self, i: int, kept: Answered) -> None:
        self.out[i] = kept
        if len(self.out) == len(self.urls):
            self.loop.call_soon_threadsafe(_set, self.answer, [self.out[i] for i in range(len(self.urls))], None)

    def fail(self, e: BaseException) -> None:
        self.loop.call_soon_threadsafe(_set, self.answer, None, e)


def _set(answer: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if not answer.done():
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(result)


class OriginOwner:
    """A Dask actor on one worker: the resolver of the origins that worker owns, and their archiver.

    Its resolver lives as long as the worker, so limits, robots.txt and Retry-After carry from
    one call to the next. A call starts its chains and the event loop awaits their answers, so calls
    run side by side with no thread each; each page is written into this worker's WARC files as soon
    as its chain is done (one thread for all), and only the capture rows go back. `wait` (the batch's
    item deadline) bounds what it waits for: a hop asked of another owner, a request target asked of it.
    """

    def __init__(self, settings: Settings, run: str, wait: float):
        keep_flat()  # this worker's process now fetches and holds pages as the batch process does
        self.resolver = Resolver(settings)
        self.resolver.remember_in(Settled(ROW_COLUMNS))  # on this worker's disk: flat memory, however many URLs
        self.worker = get_worker()
        self.key = self.worker.get_current_task()  # this actor's: the worker forgets it once the batch lets go
        self.archive = DetachedCapture(settings, run, worker_tag(self.worker.name, self.worker.address))
        self._starts: queue.SimpleQueue[_OwnerCall] = queue.SimpleQueue()
        self._finished: queue.SimpleQueue[tuple[_OwnerCall, int, Resolution, int]] = queue.SimpleQueue()
        self._backlog = 0  # bytes of the page bodies in `_finished`
        self._backlog_room = threading.Condition()
        threading.Thread(target=self._start_calls, name="owner-start", daemon=True).start()
        threading.Thread(target=self._archive_finished, name="owner-archive", daemon=True).start()
        self.wait = wait
        self.fetches = _Forwarding(self.resolver.fetches, self.worker.address, wait)
        self.resolver.fetches = self.fetches  # type: ignore[assignment]
        if self.resolver.robots is not None:
            self.resolver.robots = _OwnRobots(self.resolver.robots, self.fetches)  # type: ignore[assignment]

    def set_peers(self, peers: dict[str, Any]) -> None:
        """Every worker's owner, by address: who owns which origin follows from it. The handles are
        bound to this worker, so that the resolver's own threads can call them."""
        self.fetches.peers = {addr: Actor(OriginOwner, addr, a.key, worker=self.worker) for addr, a in peers.items()}

    async def fetch(self, url: str) -> Any:
        """One request target of an origin this worker owns, asked by another owner's chain."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future = loop.create_future()
        def settled(out: Any) -> None:
            loop.call_soon_threadsafe(_set, answer, out, None)  # not if it was given up on meanwhile

        known = self.resolver.fetch_once(url, settled, self.fetches.inner)
        return known if known is not None else await asyncio.wait_for(answer, self.wait)

    async def resolve(self, urls: list[str]) -> list[Answered]:
        """The answers for `urls`, once the last of their chains is done and archived."""
        loop = asyncio.get_running_loop()
        call = _OwnerCall(list(dict.fromkeys(urls)), loop, loop.create_future())
        self._starts.put(call)
        return await call.answer

    def _start_calls(self) -> None:
        """Start each call's chains (off the event loop: a chain's first steps may wait on a lock or the
        memo); they run on the resolver's own threads, and end in `_finished`."""
        while True:
            call = self._starts.get()
            try:
                for i, url in enumerate(call.urls):
                    self.resolver.start(url, functools.partial(self._finished_put, call, i))
            except Exception as e:  # said to the batch process, which answers these URLs with the reason
                call.fail(e)

    def _finished_put(self, call: _OwnerCall, i: int, res: Resolution) -> None:
        """A chain is done: to the archive thread, once the bodies waiting for it are under `ARCHIVE_BACKLOG`.

        Writing WARC records (compressing every page) is slower than fetching on a busy machine: without the
        wait, the chains done and not yet written piled up through the run, each holding its pages, and a
        worker's memory grew with the run's length (812 chains waiting 40 s into a 2,000-article run). The
        thread that ends a chain (one of the resolver's) waits instead, so fetching slows to the pace of
        writing; the event loop's thread never waits."""
        size = sum(len(ex.body) for ex in res.exchanges)
        with self._backlog_room:
            while self._backlog and self._backlog + size > ARCHIVE_BACKLOG and not _on_event_loop():
                self._backlog_room.wait(OWNER_CHECK)
            self._backlog += size
        self._finished.put((call, i, res, size))

    def _archive_finished(self) -> None:
        """Each chain as it ends: its pages into this worker's WARC files, its answer to its call (one thread
        for every call in flight, so a worker does not hold a thread per call waiting on a slow host)."""
        while True:
            call, i, res, size = self._finished.get()
            try:
                kept = Answered(res, *self.archive.capture(res)) if self.wanted() else Answered(res, [])
            except Exception as e:
                call.fail(e)
                continue
            finally:
                res.exchanges = []
                with self._backlog_room:
                    self._backlog -= size
                    self._backlog_room.notify_all()
            call.settle(i, kept)

    def wanted(self) -> bool:
        """Whether the batch process still holds this owner. A batch process killed mid-run lets go of it
        (the scheduler sees its client gone): its calls in hand may finish, but write no more into files
        that the resumed run seals (`seal_killed_warcs`)."""
        return self.key in self.worker.state.actors

    def close_archive(self) -> list[str]:
        """Seal this worker's WARC file at the end of the run; the names of the files it wrote."""
        self.archive.close()
        return list(self.archive.store.closed_files)

    def requests_made(self) -> int:
        return self.resolver.requests_made

    def network_missing(self) -> bool:
        return self.resolver.network_missing


def _on_event_loop() -> bool:
    """Whether this thread runs an event loop (the worker's): it must never wait."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _weight(origin: str, worker: str) -> int:
    return zlib.crc32(f"{origin} {worker}".encode())


def origin_key(url: str) -> str:
    scheme, host, port = origin_of(url)
    return f"{scheme}://{host}:{port}"


def owner_among(workers: Iterable[str], url: str) -> str | None:
    """The worker that owns `url`'s origin among `workers` (rendezvous hashing: when one leaves,
    only its origins move). The batch process and every worker compute the same answer."""
    origin = origin_key(url)
    return max(workers, key=lambda w: _weight(origin, w), default=None)


class _Forwarding:
    """An owner's fetches: a request target on an origin another worker owns (a redirect hop) is
    asked of that worker's owner, so every request to an origin leaves from its one owner; one not
    answered within `wait` seconds is fetched here, rather than hold its chain for ever."""

    def __init__(self, fetches, me: str, wait: float):
        self.inner, self.me, self.wait = fetches, me, wait
        self.peers: dict[str, Any] = {}

    @property
    def requests(self) -> int:
        return self.inner.requests

    def owns(self, url: str) -> bool:
        owner = owner_among(self.peers, url)
        return owner is None or owner == self.me

    def get(self, url: str, callback: Callable) -> Any:
        owner = owner_among(self.peers, url)
        if owner is None or owner == self.me:
            return self.inner.get(url, callback)
        peer = self.peers[owner]

        def ask() -> None:
            try:
                out = peer.fetch(url).result(timeout=self.wait)
            except Exception:  # the owner is gone (or never answers)
                out = self._after_loss(owner, url, callback)
                if out is None:
                    return
            callback(out)

        threading.Thread(target=ask, name="forward-hop", daemon=True).start()
        return None

    def _after_loss(self, owner: str, url: str, callback: Callable) -> Any:
        """The owner asked for a hop is gone: once the batch process has said who is left (`set_peers`),
        ask the hop's new owner, perhaps this worker, so the origin still has one owner. If nobody says
        within `REROUTE_WAIT`, fetch it here rather than lose the chain."""
        end = time.monotonic() + REROUTE_WAIT
        while owner in self.peers and time.monotonic() < end:
            time.sleep(OWNER_CHECK)
        if owner in self.peers:
            return self.inner.get(url, callback)
        return self.get(url, callback)


class _OwnRobots:
    """An owner's robots.txt: only of the origins it owns. A hop to another origin is checked by that
    origin's owner when it is asked for the hop (`Resolver.fetch_once`): every request to an origin,
    robots.txt too, leaves from its owner."""

    def __init__(self, robots, fetches: _Forwarding):
        self.inner, self.fetches = robots, fetches

    def verdict(self, origin, url: str):
        return self.inner.verdict(origin, url) if self.fetches.owns(url) else True

    def when_ready(self, origin, callback: Callable[[], None]) -> None:
        self.inner.when_ready(origin, callback)
