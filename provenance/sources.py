"""Many SOURCEs in, a stream of items out: folders, WARC files, zips, URL lists and stdin.

`ingest.load` reads one document; a batch reads archives of thousands, so this
module streams: a folder is walked with `os.scandir`, a WARC file is read record
by record with warcio's `ArchiveIterator`, a zip member by member. Nothing holds
more than the item at hand, so memory does not grow with the archive.

What a file is comes from its content, never its name: `WARC/` (or a gzip of
it) is a WARC file, `PK\\x03\\x04` a zip, a gzip of anything else a compressed
document, and a SOURCE whose every non-blank line is an http(s) URL a list of
URLs. Inside folders and zips, files are documents (or WARC/zip files, which are
opened in turn); URL lists are only read where given as a SOURCE or on stdin, so
that a saved page that happens to be a bare list of links is audited, not crawled.

Each item has a stable key, the article's natural key (`articles.source`):

    folder file    the path, as the folder was given joined with the walk (`news/2024/a.html`)
    zip member     `archive.zip#member/path.html`
    WARC record    `crawl.warc.gz#1234`: the file and the record's byte offset. The target URI
                   is the article's URL, but it is not the key: a crawl may hold the same URI
                   twice, while an offset names one record for good.
    URL            the URL itself
    stdin          `stdin:` and a digest of what was piped in (`ingest.stdin_key`), so that a
                   different page piped in is a different article, and the same one the same

A caller that already finished an item says so through `wanted(key)`, and the
item's bytes are then never read: resuming a WARC file skips done records
without decompressing their payloads into memory.

Something unreadable — a missing file, a truncated gzip, a broken WARC record,
a corrupt zip — comes out as a `Broken` item with a reason; it never stops the
stream.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .ingest import MAX_DOCUMENT_BYTES, charset_of, is_url, stdin_key

_URL_LINE = re.compile(r"(?i)^https?://\S+$")
_HTML_TYPES = ("text/html", "application/xhtml")
_SNIFF = 4096


@dataclass
class Document:
    """An article's raw bytes (or a URL to fetch them from), not yet decoded."""

    key: str
    data: bytes | None = None  # None for a URL that is still to be fetched
    url: str | None = None  # where it lives on the web, when known
    fetched_at: str | None = None  # from a WARC record's date
    charset: str | None = None  # declared by the WARC record's HTTP headers


@dataclass
class Broken:
    """An input that could not be read: recorded with its reason, counted, and skipped."""

    key: str
    reason: str


Item = Document | Broken
Wanted = Callable[[str], bool]


def _always(_key: str) -> bool:
    return True


def iter_sources(sources: list[str], wanted: Wanted = _always, stdin=None) -> Iterator[Item]:
    """Every item of every SOURCE, in order, one at a time."""
    for source in sources:
        if source == "-":
            yield from _from_stdin(stdin if stdin is not None else sys.stdin.buffer, wanted)
        elif is_url(source):
            if wanted(source):
                yield Document(key=source, url=source)
        else:
            yield from _from_path(Path(source), wanted, top=True)


def _from_stdin(stream, wanted: Wanted) -> Iterator[Item]:
    data = stream.read()
    urls = url_list(data)
    if urls is not None:
        for url in urls:
            if wanted(url):
                yield Document(key=url, url=url)
    elif wanted(stdin_key(data)):
        yield Document(key=stdin_key(data), data=data)


def url_list(data: bytes) -> list[str] | None:
    """The URLs, if every non-blank line is one http(s) URL; else None (it is a document)."""
    if not data.strip() or b"\x00" in data[:_SNIFF]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not all(_URL_LINE.match(ln) for ln in lines):
        return None
    return list(dict.fromkeys(lines))


def _kind(head: bytes) -> str:
    """What a file is, from its first bytes: warc, warc.gz, zip, gzip or document."""
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            inner = b""
        return "warc.gz" if inner.startswith(b"WARC/") else "gzip"
    return "document"


def _from_path(path: Path, wanted: Wanted, top: bool = False) -> Iterator[Item]:
    key = str(path)
    try:
        if path.is_dir():
            yield from _walk(path, wanted)
            return
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
    except FileNotFoundError:
        yield Broken(key, "no such file")
        return
    except OSError as e:
        yield Broken(key, e.strerror or str(e))
        return
    kind = _kind(head)
    if kind in ("warc", "warc.gz"):
        yield from _from_warc(path, wanted)
    elif kind == "zip":
        yield from _from_zip(path, wanted)
    elif wanted(key):
        yield from _from_document_file(path, kind, top, wanted)


def _walk(folder: Path, wanted: Wanted) -> Iterator[Item]:
    """Files under `folder`, depth first in name order; hidden ones (`.git`, `.DS_Store`) skipped."""
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as e:
        yield Broken(str(folder), e.strerror or str(e))
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(entry.path), wanted)
        else:
            yield from _from_path(Path(entry.path), wanted)


def _from_document_file(path: Path, kind: str, top: bool, wanted: Wanted) -> Iterator[Item]:
    key = str(path)
    try:
        if kind == "gzip":
            with gzip.open(path, "rb") as f:
                data = f.read(MAX_DOCUMENT_BYTES + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, EOFError, zlib.error) as e:
        yield Broken(
            key, f"broken gzip file ({e})" if kind == "gzip" else (getattr(e, "strerror", None) or str(e))
        )
        return
    urls = url_list(data) if top else None
    if urls is not None:
        for url in urls:
            if wanted(url):
                yield Document(key=url, url=url)
    else:
        yield Document(key=key, data=data)


def _from_warc(path: Path, wanted: Wanted, stream=None, prefix: str | None = None) -> Iterator[Item]:
    """Each `response` record with an HTML payload is an article: its target URI and date come along."""
    from warcio.archiveiterator import ArchiveIterator

    prefix = prefix or str(path)
    try:
        f = stream or open(path, "rb")
    except OSError as e:
        yield Broken(prefix, e.strerror or str(e))
        return
    offset, last = 0, None
    try:
        records = ArchiveIterator(f)
        for record in records:
            last = record
            offset = records.offset  # where this record starts (get_record_offset() would read it to the end)
            if not str(getattr(record, "format", "warc")).startswith("warc"):  # garbage read as an ARC header
                yield Broken(f"{prefix}#{offset}", f"broken WARC file: no WARC record at offset {offset}")
                return
            if record.rec_type != "response":
                continue
            key = f"{prefix}#{offset}"
            ctype = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
            if ctype and not ctype.lower().startswith(_HTML_TYPES):
                continue
            if not wanted(key):
                continue
            try:
                data = record.content_stream().read(MAX_DOCUMENT_BYTES + 1)
            except Exception as e:  # a payload that will not decode is one broken record, not a broken file
                yield Broken(key, f"unreadable WARC record ({type(e).__name__}: {e})")
                continue
            if len(data) <= MAX_DOCUMENT_BYTES and getattr(record.raw_stream, "limit", 0) > 0:
                last = None  # said once
                yield Broken(key, f"truncated WARC record: {record.raw_stream.limit} bytes missing")
                continue
            yield Document(
                key=key,
                data=data,
                url=record.rec_headers.get_header("WARC-Target-URI"),
                fetched_at=record.rec_headers.get_header("WARC-Date"),
                charset=charset_of(ctype),
            )
        if last is not None:  # the file may end inside its last record, whatever its type
            records.read_to_end(last)
            if getattr(last.raw_stream, "limit", 0) > 0:
                yield Broken(
                    f"{prefix}#{offset}",
                    f"truncated WARC file: its last record lacks {last.raw_stream.limit} bytes",
                )
    except Exception as e:  # truncated gzip, garbage between records: keep what came before
        yield Broken(
            f"{prefix}#{offset}" if offset else prefix,
            f"broken WARC file after offset {offset} ({type(e).__name__}: {str(e)[:200]})",
        )
    finally:
        if stream is None:
            f.close()


def _from_zip(path: Path, wanted: Wanted) -> Iterator[Item]:
    """Members one at a time, each judged by content; a WARC file inside a zip is read record by record."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        yield Broken(str(path), f"broken zip file ({e})")
        return
    with zf:
        for info in zf.infolist():
            if info.is_dir() or any(part.startswith(".") for part in info.filename.split("/")):
                continue
            key = f"{path}#{info.filename}"
            try:
                with zf.open(info) as member:
                    head = member.read(_SNIFF)
                    kind = _kind(head)
                    if kind in ("warc", "warc.gz"):
                        rest = io.BufferedReader(_Prepend(head, member))
                        yield from _from_warc(path, wanted, stream=rest, prefix=key)
                        continue
                    if kind == "zip" or not wanted(key):
                        if kind == "zip":
                            yield Broken(key, "a zip inside a zip is not read")
                        continue
                    data = head + member.read(MAX_DOCUMENT_BYTES + 1 - len(head))
                if kind == "gzip":
                    data = gzip.decompress(data)
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                zlib.error,
                NotImplementedError,
                RuntimeError,
            ) as e:
                yield Broken(key, f"unreadable zip member ({e})")
                continue
            yield Document(key=key, data=data)


class _Prepend(io.RawIOBase):
    """A stream that gives back `head` and then the rest of `tail` (a sniffed zip member, unread)."""

    def __init__(self, head: bytes, tail):
        self.head, self.tail = head, tail

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.head:
            n = min(len(b), len(self.head))
            b[:n], self.head = self.head[:n], self.head[n:]
            return n
        chunk = self.tail.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)
