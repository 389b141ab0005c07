"""A run's memos on disk, so that a batch's memory stays flat however many URLs its archive cites.

Three kinds, each in a private temporary SQLite database of its own (`sqlite3.connect("")`):
SQLite keeps a small page cache in memory and spills the rest to a temporary file, which
it deletes when the memo is closed. Nothing here outlives the run, so nothing is journalled
or synced.

    Settled   what each request target gave (the resolver's fetch-once memo), by URL
    UrlSet    a set of URLs (the writer's "queued this run" and "answered this run")
    Packed    the check stage's pages, read and indexed, packed, by capture id (within a budget)

Each is used from several threads: each call takes the memo's own lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

CACHE_KIB = 1024  # the page cache each memo keeps in memory; the rest lives in its temporary file


def _private() -> sqlite3.Connection:
    conn = sqlite3.connect("", check_same_thread=False, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE", f"cache_size = -{CACHE_KIB}"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


class _Memo:
    """One private on-disk table (keyed by URL unless `columns` say otherwise), behind the memo's own lock."""

    table = ""

    def __init__(self, columns: str = "url TEXT PRIMARY KEY", rowid: bool = False):
        self._conn = _private()
        self._lock = threading.Lock()
        self._conn.execute(f"CREATE TABLE {self.table} ({columns}){'' if rowid else ' WITHOUT ROWID'}")

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class Settled(_Memo):
    """Each settled request target's outcome as a row of plain values (`fetch_once.Outcome.row`)."""

    table = "settled"

    def __init__(self, columns: int):
        names = ", ".join(f"c{i}" for i in range(columns))
        super().__init__(f"url TEXT PRIMARY KEY, {names}")
        self._columns = columns
        self._insert = f"INSERT OR REPLACE INTO settled VALUES (?, {', '.join('?' * columns)})"
        self._select = f"SELECT {names} FROM settled WHERE url = ?"

    def get(self, url: str) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(self._select, (url,)).fetchone()
        return row

    def put(self, url: str, row: Sequence[Any]) -> None:
        assert len(row) == self._columns
        with self._lock:
            self._conn.execute(self._insert, (url, *row))


class UrlSet(_Memo):
    """A set of URLs on disk: `add` says whether the URL was new."""

    table = "urls"

    def add(self, url: str) -> bool:
        with self._lock:
            return self._conn.execute("INSERT OR IGNORE INTO urls VALUES (?)", (url,)).rowcount == 1

    def __contains__(self, url: object) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM urls WHERE url = ?", (url,)).fetchone() is not None


class Packed(_Memo):
    """Packed pages by capture id, on disk: a batch's check stage reads and indexes a page once, however
    many of the run's articles cite it and however long after. Past `budget` bytes, the pages packed
    first are let go (a page let go is read again from its WARC record if cited again)."""

    table = "packed"

    def __init__(self, budget: int):
        super().__init__("seq INTEGER PRIMARY KEY, capture INTEGER UNIQUE, size INTEGER, data BLOB", rowid=True)
        self.budget, self.used = budget, 0

    def get(self, capture: int) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT data FROM packed WHERE capture = ?", (capture,)).fetchone()
        return bytes(row[0]) if row is not None else None

    def __contains__(self, capture: object) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM packed WHERE capture = ?", (capture,)).fetchone() is not None

    def put(self, capture: int, data: bytes) -> None:
        if len(data) > self.budget:
            return
        with self._lock:
            old = self._conn.execute("SELECT size FROM packed WHERE capture = ?", (capture,)).fetchone()
            try:
                self._conn.execute("INSERT OR REPLACE INTO packed (capture, size, data) VALUES (?, ?, ?)",
                                   (capture, len(data), data))
            except sqlite3.Error:  # a full disk: the page is not kept, and read again if cited again
                return
            self.used += len(data) - (old[0] if old else 0)
            while self.used > self.budget:
                seq, size = self._conn.execute("SELECT seq, size FROM packed ORDER BY seq LIMIT 1").fetchone()
                self._conn.execute("DELETE FROM packed WHERE seq = ?", (seq,))
                self.used -= size
