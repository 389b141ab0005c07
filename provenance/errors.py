"""The exception tree. Outcomes of fetching are data (`models.Status`), not exceptions;
these are for input and usage problems that stop a command.

    ProvenanceError
    ├── UsageError        a setting or argument no run can work with (`Settings(concurrency=0)`)
    ├── InputError        a source cannot be read (missing, empty, binary, bad URL)
    ├── DatabaseError     the database cannot be opened or is not ours
    ├── NotFound          `show` was asked for an id that is not there
    ├── DiskFull          the disk filled while writing the database or a WARC file: the run stops (exit 1)
    └── FetchError        one request got no usable answer (status + reason, recorded, never fatal)
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from .models import Status


class ProvenanceError(Exception):
    """Root of every error the library raises on purpose."""


class UsageError(ProvenanceError, ValueError):
    """A value that makes no sense (a limit below its least, an unknown choice): bad usage, exit 2."""


class InputError(ProvenanceError):
    def __init__(self, source: str, why: str) -> None:
        super().__init__(f"{source}: {why}")
        self.source = source
        self.why = why

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (InputError, (self.source, self.why))


class DatabaseError(ProvenanceError):
    pass


class NotFound(ProvenanceError):
    pass


class DiskFull(ProvenanceError):
    """No space left while writing: the run stops at once, with what it recorded whole. Nothing that
    could not be written is marked done, so the same command, run again once space is freed, ends
    where a run with space would have."""

    exit_code = 1

    def __init__(self, what: str) -> None:
        super().__init__(f"disk full: {what}; free space and run the same command again")
        self.what = what


_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 13  # sqlite3.SQLITE_FULL, named here so that the stages below the store never import sqlite3


def is_disk_full(e: BaseException) -> bool:
    """An OSError of a full disk or quota, or SQLite's 'database or disk is full' (SQLITE_FULL)."""
    if isinstance(e, OSError):
        return e.errno in _FULL_ERRNOS
    return getattr(e, "sqlite_errorcode", None) == SQLITE_FULL or (
        type(e).__module__ == "sqlite3" and "database or disk is full" in str(e))


@contextmanager
def stop_when_disk_full(what: str) -> Iterator[None]:
    """Turn a full disk met inside the block into one `DiskFull` naming `what`; other errors pass."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 - only a full disk is translated; the rest is raised as it was
        if not is_disk_full(e):
            raise
        raise DiskFull(what) from e


class FetchError(ProvenanceError):
    """A request that got no usable answer. Carries the `Status` and `reason` the resolver records."""

    def __init__(self, url: str, status: Status, reason: str, detail: str = ""):
        super().__init__(f"{url}: {reason}{': ' + detail if detail else ''}")
        self.url = url
        self.status = Status(status)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickled with its own arguments (Exception's default passes only the message): a fetch's
        outcome crosses processes in the cluster batch."""
        return (FetchError, (self.url, self.status, self.reason, self.detail))
