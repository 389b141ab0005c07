"""What a SOURCE yields: a document to audit, or a broken input with its reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    """Where a zip member left unread is: its place in the zip's listing, and its name to know it by."""

    index: int
    name: str


@dataclass(frozen=True)
class Record:
    """Where a WARC or ARC record left unread is: the byte offset it starts at, and its file's format."""

    offset: int
    arc: bool = False


@dataclass
class Document:
    """An article's raw bytes (or a URL to fetch them from, or a file to read them from), not yet decoded."""

    key: str
    data: bytes | None = None  # None for a URL that is still to be fetched
    url: str | None = None  # where it lives on the web, when known
    fetched_at: str | None = None  # from a WARC record's date
    charset: str | None = None  # declared by the WARC record's HTTP headers
    path: str | None = None  # a file whose bytes are still to be read, by whoever extracts it (`read_deferred`)
    part: Member | Record | None = None  # where in that file: a zip member or a WARC/ARC record (None: all of it)


@dataclass
class Broken:
    """An input that could not be read: recorded with its reason, counted, and skipped."""

    key: str
    reason: str


Item = Document | Broken
Wanted = Callable[[str], bool]


def always(_key: str) -> bool:
    return True
