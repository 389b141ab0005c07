"""Many SOURCEs in, a stream of items out: folders, WARC and ARC files, zips, URL lists and stdin.

This is the one input path of every command: `batch` streams all of a SOURCE's
items, while `extract` and `audit` take one article from a SOURCE with
`read_one`. Nothing holds more than the item at hand, so memory does not grow
with the archive: a folder is walked with `os.scandir`, a WARC or ARC file is
read record by record with warcio's `ArchiveIterator`, a zip member by member.

What a file is comes from its content, never its name: `WARC/` (or a gzip of
it) is a WARC file, `filedesc://` (or a gzip of it) an ARC file, `PK\\x03\\x04`
a zip, a gzip of anything else a compressed document, and a SOURCE whose lines
are http(s) URLs a list of URLs. Inside folders and zips, files are documents
(or archives, which are opened in turn); URL lists are only read where given as
a SOURCE or on stdin, so that a saved page that happens to be a bare list of
links is audited, not crawled.

Limits, the same on every path: a document is read up to `MAX_DOCUMENT_BYTES`
(one more byte tells ingestion to note the cut), however it is packed — a gzip,
a gzip inside a zip, a WARC payload and its content-encoding are all unpacked in
bounded pieces, so a bomb costs the cap and no more. A WARC/ARC or HTTP header
line is read up to `MAX_HEADER_LINE` bytes and a record's headers up to
`MAX_HEADER_BYTES`; a record over either is malformed.

Each item has a stable key, the article's natural key (`articles.source`):

    folder file    the path, as the folder was given joined with the walk (`news/2024/a.html`)
    zip member     `archive.zip#member/path.html`; a `..` part is written `%2E%2E` and a
                   leading `/` as `%2F`, so the key names the member without being a path out
    WARC record    `crawl.warc.gz#1234`: the file and the record's byte offset. The target URI
                   is the article's URL, but it is not the key: a crawl may hold the same URI
                   twice, while an offset names one record for good.
    URL            the URL itself
    stdin          `stdin:` and the first 16 hex digits of the SHA-256 of what was read

A caller that already finished an item says so through `wanted(key)`, and the
item's bytes are then never read: resuming a WARC file skips done records
without decompressing their payloads into memory.

Something unreadable — a missing file, a truncated gzip, a broken WARC record,
a corrupt zip, a symbolic link in a zip, a junk line in a URL list — comes out
as a `Broken` item with a reason; it never stops the stream. After damage in a
WARC file the reader resynchronises on the next record. What is read but is no
article (a redirect, an error page, an image, a hidden file, a revisit whose
original is elsewhere) is counted by reason in the caller's `skipped` counter.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import stat
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed

from .errors import InputError
from .ingest import MAX_DOCUMENT_BYTES, article_from_bytes, charset_of, is_url, stdin_key, unknown_scheme
from .models import Article

# A header line longer than this, or a record's headers all together, make the record malformed:
# a header is never a page, and one hostile line must not cost the memory of a page.
MAX_HEADER_LINE = 65_536
MAX_HEADER_BYTES = 1_048_576
# A SOURCE is a URL list when at least this share of its lines are URLs; the rest are junk lines.
URL_LIST_SHARE = 0.9

_URL_LINE = re.compile(r"(?i)^https?://\S+$")
_HTML_TYPES = ("text/html", "application/xhtml")
_SNIFF = 4096
_SCAN = 1 << 20
# Compressed bytes read at a time: deflate unpacks at most ~1032 times its input, so a block never
# unpacks to more than ~4 MiB however the record was packed.
_BLOCK = 4096
_ARCHIVES = ("warc", "warc.gz", "arc", "arc.gz")


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


def iter_sources(sources: list[str], wanted: Wanted = _always, stdin=None,
                 skipped: Counter[str] | None = None) -> Iterator[Item]:
    """Every item of every SOURCE, in order, one at a time.

    What is read but is no article (a redirect, an error page, an image, a hidden file...) is
    counted in `skipped` by reason, so that a summary can say how much was passed over and why.
    """
    skipped = skipped if skipped is not None else Counter()
    for source in sources:
        if source == "-":
            yield from _from_stdin(stdin if stdin is not None else sys.stdin.buffer, wanted)
        elif is_url(source):
            if wanted(source):
                yield Document(key=source, url=source)
        elif (reason := unknown_scheme(source)) and not Path(source).exists():
            yield Broken(source, reason)
        else:
            yield from _from_path(Path(source), wanted, skipped, top=True)


def read_one(source: str, fetch_document=None, stdin=None) -> Article:
    """The one article of a SOURCE, for the commands that take an article at a time (`extract`, `audit`).

    It is read as `batch` reads it, with the same sniffing and caps; a file is always a document
    here (never a URL list). `fetch_document(url) -> (bytes, final_url, charset, fetched_at)` is
    supplied by the caller for URLs, so that ingestion goes through the one HTTP seam and its limits.
    Raises InputError for what holds no article, or more than one.
    """
    if source == "-":
        doc = _stdin_document(stdin if stdin is not None else sys.stdin.buffer)
        if isinstance(doc, Broken):
            raise InputError(doc.key, doc.reason)
        return article_from_bytes(doc.key, doc.data or b"")
    if is_url(source):
        if fetch_document is None:
            raise InputError(source, "a URL needs the network, and this command is offline")
        data, final_url, charset, fetched_at = fetch_document(source)
        return article_from_bytes(source, data, url=final_url or source, declared=charset, fetched_at=fetched_at)
    path = Path(source)
    if (reason := unknown_scheme(source)) and not path.exists():
        raise InputError(source, reason)
    if path.is_dir():
        raise InputError(source, "is a folder: use `provenance batch` for folders")
    skipped: Counter[str] = Counter()
    items = _from_path(path, _always, skipped)
    first = next(items, None)
    if first is not None and next(items, None) is not None:
        raise InputError(source, "holds more than one article: use `provenance batch` for archives")
    if first is None:
        passed = ", ".join(f"{n} {why}" for why, n in skipped.items()) or "nothing"
        raise InputError(source, f"no article in it (passed over: {passed})")
    if isinstance(first, Broken):
        raise InputError(source if first.key == source else first.key, first.reason)
    return article_from_bytes(first.key, first.data or b"", url=first.url, declared=first.charset,
                              fetched_at=first.fetched_at)


def _stdin_document(stream) -> Item:
    """Standard input as one document: read up to the cap, and unpacked if it is a gzip.

    It has no name: its key is the digest of what was read, so two different articles piped in one
    after the other are two articles, and the same one piped twice is one."""
    raw = stream.read(MAX_DOCUMENT_BYTES + 1)
    key = stdin_key(raw)
    if _kind(raw[:_SNIFF]) != "gzip":
        return Document(key=key, data=raw)
    import io

    try:
        return Document(key=key, data=_gunzip(io.BytesIO(raw)))
    except (OSError, EOFError, zlib.error) as e:
        return Broken(key, f"broken gzip input ({e})")


def _from_stdin(stream, wanted: Wanted) -> Iterator[Item]:
    doc = _stdin_document(stream)
    if isinstance(doc, Broken):
        yield doc
        return
    listed = _url_list(doc.data or b"", "-")
    if listed is not None:
        yield from _list_items(listed, wanted)
    elif wanted(doc.key):
        yield doc


def url_list(data: bytes) -> list[str] | None:
    """The URLs, if the lines of `data` make a URL list (see `URL_LIST_SHARE`); else None (a document)."""
    listed = _url_list(data, "")
    return None if listed is None else listed[0]


def _url_list(data: bytes, key: str) -> tuple[list[str], list[Broken]] | None:
    """(URLs, junk lines) when `data` is a list of URLs, judged line by line; None when it is a document.

    Blank lines and `#` comments do not count. A list is mostly URLs: a line or two of junk in a long
    list is named (`urls.txt:17`) and skipped, while prose with a few links on lines of their own is
    a document.
    """
    if not data.strip() or b"\x00" in data[:_SNIFF]:
        return None
    cut = len(data) > MAX_DOCUMENT_BYTES  # read up to the cap: judge the whole lines, and say where it stopped
    if cut:
        data = data[: data.rfind(b"\n") + 1]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    urls: list[str] = []
    junk: list[Broken] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if _URL_LINE.match(line):
            urls.append(line)
        else:
            junk.append(Broken(f"{key}:{n}", f"not a URL, skipped: {line[:80]!r}"))
    if not urls or len(urls) < URL_LIST_SHARE * (len(urls) + len(junk)):
        return None
    if cut:
        lines = text.count("\n")
        junk.append(Broken(f"{key}:{lines + 1}", f"URL list over {MAX_DOCUMENT_BYTES} bytes: lines from here on "
                                                 "are not read (split the list)"))
    return list(dict.fromkeys(urls)), junk


def _list_items(listed: tuple[list[str], list[Broken]], wanted: Wanted) -> Iterator[Item]:
    urls, junk = listed
    yield from junk
    for url in urls:
        if wanted(url):
            yield Document(key=url, url=url)


def _kind(head: bytes) -> str:
    """What a file is, from its first bytes: warc, arc (or either .gz), zip, gzip or document."""
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"filedesc://"):
        return "arc"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            inner = b""
        if inner.startswith(b"WARC/"):
            return "warc.gz"
        return "arc.gz" if inner.startswith(b"filedesc://") else "gzip"
    return "document"


def _gunzip(stream: BinaryIO) -> bytes:
    """A gzip stream unpacked in bounded pieces, never more than the document cap (a bomb stops here)."""
    with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
        return unpacked.read(MAX_DOCUMENT_BYTES + 1)


def _read_document(stream: BinaryIO, kind: str) -> bytes:
    """A document's bytes, unpacked if it is a gzip, up to the cap plus one byte (so a cut is noted)."""
    return _gunzip(stream) if kind == "gzip" else stream.read(MAX_DOCUMENT_BYTES + 1)


def _unreadable(e: BaseException, kind: str) -> str:
    if kind == "gzip":
        return f"broken gzip file ({e})"
    return getattr(e, "strerror", None) or str(e)


def _from_path(path: Path, wanted: Wanted, skipped: Counter[str], top: bool = False,
               walked: set | None = None) -> Iterator[Item]:
    key = str(path)
    try:
        if path.is_dir():
            yield from _walk(path, wanted, skipped, set() if walked is None else walked)
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
    if kind in _ARCHIVES:
        yield from _from_archive(key, lambda: open(path, "rb"), kind, wanted, skipped)
    elif kind == "zip":
        yield from _from_zip(path, wanted, skipped)
    elif wanted(key):
        try:
            with open(path, "rb") as f:
                data = _read_document(f, kind)
        except (OSError, EOFError, zlib.error) as e:
            yield Broken(key, _unreadable(e, kind))
            return
        listed = _url_list(data, key) if top else None
        if listed is not None:
            yield from _list_items(listed, wanted)
        else:
            yield Document(key=key, data=data)


def _walk(folder: Path, wanted: Wanted, skipped: Counter[str], walked: set) -> Iterator[Item]:
    """Files under `folder`, depth first in name order; hidden ones (`.git`, `.DS_Store`) skipped.

    A folder reached twice (a symbolic link to a folder above, or to one walked already) is walked
    once: `walked` holds the identity of each folder read."""
    try:
        st = folder.stat()
        if (st.st_dev, st.st_ino) in walked:
            skipped["folder reached twice"] += 1
            return
        walked.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield Broken(str(folder), e.strerror or str(e))
        return
    for entry in entries:
        if entry.name.startswith("."):
            skipped["hidden file"] += 1
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(entry.path), wanted, skipped, walked)
        else:
            yield from _from_path(Path(entry.path), wanted, skipped, walked=walked)


# -- zip ---------------------------------------------------------------------------------------------


def member_key(name: str) -> str:
    """A zip member's name as it goes in a key: `..` parts and a leading `/` spelled out, so that the
    key says where the member claims to be without ever being a path out of anywhere."""
    parts = re.split(r"[\\/]", name)
    lead = "%2F" if parts and parts[0] == "" and len(parts) > 1 else ""
    return lead + "/".join("%2E%2E" if p == ".." else p for p in parts if p or not lead)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _hidden(name: str) -> bool:
    """`.DS_Store`, `__MACOSX/._a.html`: a part that starts with a dot, `.` and `..` aside."""
    return any(p.startswith(".") and p not in (".", "..") for p in re.split(r"[\\/]", name))


def _from_zip(path: Path, wanted: Wanted, skipped: Counter[str]) -> Iterator[Item]:
    """Members one at a time, each judged by content; an archive inside a zip is read record by record.

    No member is ever written out or followed: a symbolic link is an unreadable item, a name with
    `..` is audited under a key that spells it out, a hidden file is counted as skipped.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        yield Broken(str(path), f"broken zip file ({e})")
        return
    keys: Counter[str] = Counter()
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            key = f"{path}#{member_key(info.filename)}"
            keys[key] += 1
            if keys[key] > 1:  # the same name twice in one zip: two members, two keys
                key = f"{key}~{keys[key]}"
            if _is_symlink(info):
                yield Broken(key, "a symbolic link inside a zip: not followed")
                continue
            if _hidden(info.filename):
                skipped["hidden file"] += 1
                continue
            kind = "document"
            try:
                with zf.open(info) as member:
                    kind = _kind(member.read(_SNIFF))
                    if kind in _ARCHIVES:
                        yield from _from_archive(key, functools.partial(_open_member, zf, info), kind, wanted,
                                                 skipped)
                        continue
                    if kind == "zip":
                        yield Broken(key, "a zip inside a zip is not read")
                        continue
                    if not wanted(key):
                        continue
                    member.seek(0)
                    data = _read_document(cast(BinaryIO, member), kind)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as e:
                yield Broken(key, f"unreadable zip member ({_unreadable(e, kind) if kind == 'gzip' else e})")
                continue
            yield Document(key=key, data=data)


# -- WARC and ARC ------------------------------------------------------------------------------------


class MalformedRecord(Exception):
    """A record whose headers break a limit: the record is skipped, the file read on."""


class _CappedReader(DecompressingBufferedReader):
    """warcio's reader with header lines capped: every header is read with `readline`, a payload with
    `read`, so capping the one keeps a 1 GiB header line from being read into memory whole."""

    header_bytes = 0

    def readline(self, length=None):
        want = MAX_HEADER_LINE + 1 if not length or length < 0 else min(length, MAX_HEADER_LINE + 1)
        pieces, got = [], 0
        while got < want:  # warcio's readline may stop short of `length` at a buffer's end: ask again
            piece = super().readline(want - got)
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
            if piece.endswith(b"\n"):
                break
        line = b"".join(pieces)
        if got > MAX_HEADER_LINE:
            raise MalformedRecord(f"a header line over {MAX_HEADER_LINE} bytes")
        self.header_bytes += len(line)
        if self.header_bytes > MAX_HEADER_BYTES:
            raise MalformedRecord(f"headers over {MAX_HEADER_BYTES} bytes")
        return line

    def read(self, length=None):
        self.header_bytes = 0  # a payload is being read: the header block is over
        return super().read(length)


class CappedArchiveIterator(ArchiveIterator):
    """warcio's `ArchiveIterator` reading through `_CappedReader` (headers capped: a record over a cap
    raises `MalformedRecord`), quiet about what it skips, and fixed to one format: a WARC file is never
    half-read as ARC, an ARC file is read as WARC records. `verify` reads with it too."""

    def __init__(self, fh, arc: bool = False, check_digests: bool = False):
        super().__init__(fh, arc2warc=arc, check_digests=check_digests)
        self.known_format = "arc" if arc else "warc"
        self.reader = _CappedReader(self.fh, block_size=_BLOCK)

    def _next_record(self, next_line):
        self.reader.header_bytes = 0
        return super()._next_record(next_line)

    def _consume_blanklines(self):
        """The lines between records; warcio's own version writes a warning to stderr."""
        skipped_bytes, first = 0, True
        while True:
            line = self.reader.readline()
            if not line:
                return None, skipped_bytes
            if not line.strip() or first:  # one stray line after a record is tolerated, as warcio does
                skipped_bytes += len(line)
                first = False
                continue
            return line, skipped_bytes


def _http_status(record) -> int | None:
    try:
        return int(record.http_headers.get_statuscode()) if record.http_headers else None
    except (TypeError, ValueError):
        return None


def _content_type(record) -> str:
    if record.http_headers:
        return record.http_headers.get_header("Content-Type") or ""
    return record.rec_headers.get_header("Content-Type") or ""


def _passed_over(record) -> str | None:
    """Why a record is not an article, or None when it is one (an HTML page that the server gave)."""
    status = _http_status(record)
    revisit = record.rec_type == "revisit"
    if status is not None:
        if 300 <= status < 400 and not (revisit and status == 304):
            return "redirect"
        if status >= 400:
            return "HTTP error"
        if status < 200 or status == 204:
            return "no content"
    elif record.rec_type == "response" and not record.length:
        return "no content"
    ctype = _content_type(record)
    if ctype and not ctype.lower().startswith(_HTML_TYPES) and not (revisit and not record.http_headers):
        return "not HTML"
    return None


def _from_archive(prefix: str, opener: Callable[[], BinaryIO], kind: str, wanted: Wanted,
                  skipped: Counter[str]) -> Iterator[Item]:
    """Each HTML page of a WARC or ARC file is an article, with its target URI and date.

    Responses (and resource records) of HTML pages are articles; a revisit is resolved to the
    record it repeats, found by its payload digest. Redirects, error pages and other types are
    counted in `skipped`. A damaged record is a `Broken` item, and reading goes on at the next
    record (WARC files) or stops there (ARC files, which have no marker to find again). A file
    gzipped whole (`gzip crawl.warc`), not record by record, is read as the stream it packs, its
    keys' offsets counted in that stream.
    """
    arc, gz = kind.startswith("arc"), kind.endswith(".gz")
    whole = yield from _records_of(prefix, opener, arc, gz, wanted, skipped)
    if whole:
        yield from _records_of(prefix, lambda: cast(BinaryIO, _Unpacked(opener())), arc, False, wanted, skipped, done=0)


class _Unpacked(gzip.GzipFile):
    """A file gzipped whole, read as the stream it packs (in bounded pieces); closing it closes the file."""

    def __init__(self, raw: BinaryIO):
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _records_of(prefix: str, opener: Callable[[], BinaryIO], arc: bool, gz: bool, wanted: Wanted,
                skipped: Counter[str], done: int = -1) -> Generator[Item, None, bool]:
    """The items of one archive (records at offsets up to `done` were read already). Returns True
    when the file turns out to be gzipped whole, for the caller to read it again unpacked."""
    try:
        f = opener()
    except OSError as e:
        yield Broken(prefix, e.strerror or str(e))
        return False
    originals: dict[str, int] = {}  # payload digest of each HTML page read → its record's offset
    with f:
        start: int | None = 0
        while start is not None:
            f.seek(start)
            records = CappedArchiveIterator(f, arc)
            offset, last, damage = start, None, None
            try:
                for record in records:
                    offset, last = records.offset, record  # where this record starts
                    if offset <= done:
                        continue
                    for item in _article(record, f"{prefix}#{offset}", opener, arc, originals, wanted, skipped):
                        if isinstance(item, Broken) and item.reason.startswith("truncated"):
                            last = None  # said once
                        yield item
            except ArchiveLoadFailed as e:
                if gz and "non-chunked gzip" in str(e):
                    return True
                offset, damage = records.offset, f"{type(e).__name__}: {str(e).strip()[:200]}"
            except Exception as e:  # a malformed record, garbage, a cut gzip: this record is lost, not the file
                offset, damage = records.offset, f"{type(e).__name__}: {str(e)[:200]}"
            if damage is None:
                if last is not None:  # the file may end inside its last record, whatever its type
                    try:
                        records.read_to_end(last)
                    except Exception as e:
                        damage = f"{type(e).__name__}: {str(e)[:200]}"
                    else:
                        if getattr(last.raw_stream, "limit", 0) > 0:
                            yield Broken(f"{prefix}#{offset}",
                                         f"truncated WARC file: its last record lacks {last.raw_stream.limit} bytes")
                start = None
                continue
            what = "ARC" if arc else "WARC"
            yield Broken(f"{prefix}#{offset}", f"malformed {what} record at offset {offset} ({damage})")
            start = None if arc else _next_record_start(f, offset + 1, gz)
    return False


def _article(record, key: str, opener, arc: bool, originals: dict[str, int], wanted: Wanted,
             skipped: Counter[str]) -> Iterator[Item]:
    if record.rec_type not in ("response", "resource", "revisit"):
        return  # requests, metadata, warcinfo: not pages
    why = _passed_over(record)
    if why is not None:
        skipped[why] += 1
        return
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    if record.rec_type == "revisit":
        at = originals.get(digest or "")
        if at is None:
            skipped["revisit of a record not read"] += 1
            return
        if not wanted(key):
            return
        yield _original(key, record, opener, arc, at)
        return
    if digest:
        originals.setdefault(digest, int(key.rsplit("#", 1)[1]))
    if not wanted(key):
        return
    try:
        data = _payload(record)
    except MalformedRecord:
        raise
    except Exception as e:  # a payload that will not decode is one broken record, not a broken file
        yield Broken(key, f"unreadable WARC record ({type(e).__name__}: {e})")
        return
    if len(data) <= MAX_DOCUMENT_BYTES and getattr(record.raw_stream, "limit", 0) > 0:
        yield Broken(key, f"truncated WARC record: {record.raw_stream.limit} bytes missing")
        return
    yield _document(key, record, data, _content_type(record))


def _document(key: str, record, data: bytes, ctype: str) -> Document:
    return Document(key=key, data=data, url=record.rec_headers.get_header("WARC-Target-URI"),
                    fetched_at=record.rec_headers.get_header("WARC-Date"), charset=charset_of(ctype))


def _original(key: str, revisit, opener, arc: bool, at: int) -> Item:
    """A revisit's page: the payload of the record it repeats, under the revisit's URI and date."""
    try:
        with opener() as g:
            g.seek(at)
            record = next(iter(CappedArchiveIterator(g, arc)))
            data = _payload(record)
            ctype = _content_type(revisit) or _content_type(record)
    except Exception as e:
        return Broken(key, f"unreadable original of a revisit record ({type(e).__name__}: {e})")
    return _document(key, revisit, data, ctype)


def _payload(record) -> bytes:
    """A record's payload with its chunking and gzip or deflate content-encoding undone, unpacked in
    bounded pieces up to the document cap (warcio's own decoding unpacks a block whole, and a brotli
    block, where brotli is installed, without any bound: other encodings are left as they are)."""
    stream = record.raw_stream
    headers = record.http_headers
    if headers is None:
        return stream.read(MAX_DOCUMENT_BYTES + 1)
    if (headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        stream = ChunkedDataReader(stream)  # falls back to the bytes as they are if they are not chunked
    encoding = (headers.get_header("Content-Encoding") or "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return stream.read(MAX_DOCUMENT_BYTES + 1)
    first = stream.read(_BLOCK)
    if "gzip" in encoding:
        wbits = 16 + zlib.MAX_WBITS
    else:  # "deflate" is a zlib stream, or raw deflate from servers that read the name literally
        wbits = zlib.MAX_WBITS if first[:1] == b"\x78" else -zlib.MAX_WBITS
    inflater, out, chunk = zlib.decompressobj(wbits), bytearray(), first
    while chunk and not inflater.eof and len(out) <= MAX_DOCUMENT_BYTES:
        out += inflater.decompress(chunk, MAX_DOCUMENT_BYTES + 1 - len(out))
        while inflater.unconsumed_tail and len(out) <= MAX_DOCUMENT_BYTES:
            out += inflater.decompress(inflater.unconsumed_tail, MAX_DOCUMENT_BYTES + 1 - len(out))
        chunk = stream.read(_BLOCK)
    return bytes(out)


def _next_record_start(f: BinaryIO, after: int, gz: bool) -> int | None:
    """Where the next whole record starts at or after `after`, or None: a gzip member that unpacks to
    `WARC/` (a compressed file), a `WARC/1.0` or `WARC/1.1` line (an uncompressed one)."""
    magic = b"\x1f\x8b\x08" if gz else b"WARC/1."
    f.seek(after)
    base, buf = after, b""
    keep = 1024  # bytes a candidate needs to be judged, carried into the next round
    while True:
        chunk = f.read(_SCAN)
        buf += chunk
        end = len(buf) if not chunk else max(len(buf) - keep, 0)
        j = buf.find(magic, 0, end + len(magic) - 1 if chunk else len(buf))
        while j >= 0 and j < end:
            if gz:
                try:
                    ok = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(buf[j:j + keep], 8).startswith(b"WARC/")
                except zlib.error:
                    ok = False
            else:
                ok = re.match(rb"WARC/1\.[01]\r?\n", buf[j:j + 16]) is not None
            if ok:
                return base + j
            j = buf.find(magic, j + 1)
        if not chunk:
            return None
        base, buf = base + end, buf[end:]


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """One member of a zip, opened afresh each time an archive reader asks for it."""
    return cast(BinaryIO, zf.open(info))
