"""One run of a command: what its stages share from the run's start to its end.

`RunContext` holds the settings, the database, the run's row, the resolver (and
so its per-host limits and robots cache), the archiver and the Wayback gate. An
audit of one article, a batch of thousands and `resolve`/`archive` of a few URLs
each stand on one, so none of them reaches into another's parts, and the gate
that spaces Wayback requests belongs to the run rather than to the process.

The recent-answer cache is asked here, on the calling thread (it reads the
database), before the resolver is: the resolver itself never holds a cache, so
fetching afresh (an article, a page whose evidence was never kept) needs no
swapping of its parts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from . import store
from .archive import Archiver, RateGate, WarcStore
from .models import Resolution, RunStatus, Status
from .regrade import regrade
from .resolve import Resolver
from .settings import Settings
from .store import memo, queries, writes

# What the page texts kept for the run's later articles may weigh: indexed for checking, in memory (each
# sentence's terms and their weights, and for quote checks the folded words and their offsets: about 2.5
# bytes a character indexed alone, 4 with the fold, on the benchmark's long pages; counted as five), and
# packed on disk (pickled, index and all, not compressed: about 1.8 bytes a character indexed alone, 3.5
# with the fold, so some 6,000 pages of 45,000 characters; a page that has left both is read again from
# its WARC record).
PAGE_TEXT_BUDGET = 48 * 1024 * 1024
PACKED_TEXT_BUDGET = 512 * 1024 * 1024
BYTES_PER_CHAR = 5


class _Recent:
    """A map that forgets its least recently used entries once their sizes pass a budget."""

    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self._kept: OrderedDict[int, tuple[Any, int]] = OrderedDict()

    def get(self, key: int) -> tuple[bool, Any]:
        got = self._kept.get(key)
        if got is None:
            return False, None
        self._kept.move_to_end(key)
        return True, got[0]

    def __contains__(self, key: int) -> bool:
        return key in self._kept

    def put(self, key: int, value: Any, size: int) -> None:
        old = self._kept.pop(key, None)
        self.used -= old[1] if old else 0
        if size > self.budget:
            return
        self._kept[key] = (value, size)
        self.used += size
        while self.used > self.budget:
            _, (_, gone) = self._kept.popitem(last=False)
            self.used -= gone


class PageTexts:
    """The texts the check stage read back from the WARC files, by capture id, kept for the run's
    later articles: a page that many articles of a batch cite is read and indexed once, not once per
    article.

    Two tiers, each letting go of the entries it took first past its budget, so a long batch stays
    flat: pages ready to check, in memory (indexed, the most costly to keep: the least recently used
    go first), and the same packed (pickled, index and all) on disk for many more."""

    def __init__(self, budget: int = PAGE_TEXT_BUDGET, packed_budget: int = PACKED_TEXT_BUDGET):
        self.ready, self.packed = _Recent(budget), memo.Packed(packed_budget)
        self._lock = threading.Lock()

    def get(self, capture_id: int) -> tuple[bool, Any]:
        """(True, the text or None) for a capture kept ready; (False, None) otherwise."""
        with self._lock:
            return self.ready.get(capture_id)

    def put(self, capture_id: int, text: Any, chars: int) -> None:
        with self._lock:
            self.ready.put(capture_id, text, 64 + chars * BYTES_PER_CHAR)

    def knows(self, capture_id: int) -> bool:
        """Whether the text of a capture is kept, ready or packed."""
        with self._lock:
            if capture_id in self.ready:
                return True
        return capture_id in self.packed

    def packed_of(self, capture_id: int) -> bytes | None:
        """A capture's text as packed by the check stage (with its index), or None."""
        return self.packed.get(capture_id)

    def pack(self, capture_id: int, packed: bytes) -> None:
        self.packed.put(capture_id, packed)

    def close(self) -> None:
        self.packed.close()


@dataclass
class RunContext:
    """The parts one run's stages share. Build it with `RunContext.open`; `close` it at the end."""

    settings: Settings
    db: sqlite_utils.Database
    run_id: int
    resolver: Resolver
    archiver: Archiver
    gate: RateGate
    resolved: dict[str, Resolution] = field(default_factory=dict)  # this run's answers: each URL once
    gates: dict[str, RateGate] = field(default_factory=dict)  # one per archive asked (`gate`: the first's)
    page_texts: PageTexts = field(default_factory=PageTexts)  # the check stage's, shared by the run's articles

    @classmethod
    def open(cls, settings: Settings, command: str, args: dict) -> RunContext:
        """Open the database, start the run's row, and build the resolver, the gate and the archiver."""
        db = store.connect(settings.db)
        run_id = writes.start_run(db, command, args)
        resolver = Resolver(settings)
        gate, gates = RateGate(settings.wayback_interval), dict[str, RateGate]()
        archiver = Archiver(settings, db, run_id, resolver.fetcher, gate=gate, gates=gates)
        return cls(settings, db, run_id, resolver, archiver, gate, gates=gates)

    def connect(self, *, readonly: bool = False) -> sqlite_utils.Database:
        """Another connection to the run's database, for a thread of its own."""
        return store.connect(self.settings.db, readonly=readonly)

    def archiver_on(self, db: sqlite_utils.Database, store: WarcStore | None = None) -> Archiver:
        """An archiver for another thread's connection that shares this run's gate, fetcher and WARC files."""
        return Archiver(self.settings, db, self.run_id, self.resolver.fetcher, gate=self.gate, gates=self.gates,
                        store=store or self.archiver.store)

    def cached(self, url: str, *, live_only: bool = False) -> Resolution | None:
        """A recent conclusive answer for `url` from the database (never a failure), or None;
        `live_only` serves only a live page (what the resolver of one audit takes)."""
        hit = queries.cached_resolution(self.db, url, self.settings.freshness_hours)
        if hit is None or (live_only and hit.status is not Status.ALIVE):
            return None
        hit.from_cache = True
        return hit

    def resolve(self, urls: Iterable[str], *, fresh: bool = False,
                on_result: Callable[[Resolution], None] | None = None) -> dict[str, Resolution]:
        """Resolve and record each distinct URL; recent answers come from the database unless `fresh`.

        `on_result` is called on this thread as each answer is recorded."""
        unique = list(dict.fromkeys(urls))
        out: dict[str, Resolution] = {}

        def got(res: Resolution) -> None:
            writes.record_resolution(self.db, self.run_id, res)
            self.resolved[res.url] = res
            if on_result is not None:
                on_result(res)

        todo = []
        for url in unique:
            hit = None if fresh or self.settings.offline else self.cached(url, live_only=True)
            if hit is None:
                todo.append(url)
            else:
                out[url] = hit
                got(hit)
        for url, res in zip(todo, self.resolver.resolve_many(todo, on_result=got), strict=True):
            out[url] = res
        return {u: out[u] for u in unique}

    def record(self, res: Resolution) -> None:
        writes.record_resolution(self.db, self.run_id, res)

    def regrade(self, urls: list[str]) -> int:
        """Grade again every recorded claim that cites one of `urls`."""
        return regrade(self.db, urls)

    def finish(self, status: str, counts: dict, failures: list) -> None:
        writes.finish_run(self.db, self.run_id, status, counts, failures)

    def stopped_by(self, error: BaseException) -> None:
        """Say on the run's row that `error` stopped it (a signal: interrupted; anything else, a full
        disk among them: failed), so a stopped run never reads as `running`. A database that refuses
        even this (the disk still full) leaves the row as it was, and the error goes on as it is."""
        status = RunStatus.INTERRUPTED if isinstance(error, KeyboardInterrupt) else RunStatus.FAILED
        try:
            writes.finish_run(self.db, self.run_id, status, {}, [{"error": str(error) or type(error).__name__}])
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self.archiver.close()
        self.resolver.close()
        self.page_texts.close()

    def __enter__(self) -> RunContext:
        return self

    def __exit__(self, exc_type, error: BaseException | None, tb) -> None:
        """`with ctx:` closes the run's parts; an error or a signal that ends the block is said on the run's row."""
        if error is not None:
            self.stopped_by(error)
        self.close()
