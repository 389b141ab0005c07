"""WARC and ARC files read record by record, with header lines and payloads capped.

Each HTML page is an article under the key `file#offset`; a revisit is resolved to the record it
repeats; a damaged record is a `Broken` item and reading resynchronises on the next WARC record.
A page's record may also be yielded unread, by file and offset, for whoever extracts it to read
(`read_record`): a cluster's workers read the payloads, and the reading process only the headers.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from typing import BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed

from ..ingest import MAX_DOCUMENT_BYTES, charset_of
from .items import Broken, Document, Item, Record, Wanted

# A header line longer than this, or a record's headers all together, make the record malformed:
# a header is never a page, and one hostile line must not cost the memory of a page.
MAX_HEADER_LINE = 65_536
MAX_HEADER_BYTES = 1_048_576

_HTML_TYPES = ("text/html", "application/xhtml")
_SCAN = 1 << 20
# Compressed bytes read at a time: deflate unpacks at most ~1032 times its input, so a block never
# unpacks to more than ~4 MiB however the record was packed.
_BLOCK = 4096


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


def from_archive(prefix: str, opener: Callable[[], BinaryIO], kind: str, wanted: Wanted,
                  skipped: Counter[str], path: str | None = None) -> Iterator[Item]:
    """Each HTML page of a WARC or ARC file is an article, with its target URI and date.

    Responses (and resource records) of HTML pages are articles; a revisit is resolved to the
    record it repeats, found by its payload digest. Redirects, error pages and other types are
    counted in `skipped`. A damaged record is a `Broken` item, and reading goes on at the next
    record (WARC files) or stops there (ARC files, which have no marker to find again). A file
    gzipped whole (`gzip crawl.warc`), not record by record, is read as the stream it packs, its
    keys' offsets counted in that stream.

    With `path` (the file's absolute path), a page's response or resource record is yielded unread
    (`Record`), with its URI, date and charset, once the walk is past it: whoever extracts it reads
    its payload (`read_record`). The walk still reads every record's headers, to judge it and make its
    key, and passes over the payloads without keeping them. Three kinds stay read here: a revisit (its
    page is the payload of a record the walk found earlier), a record found damaged or cut short while
    passing over it (read here so that what is said of it is what is said without `path`), and every
    record of a file gzipped whole, whose offsets count in the stream it packs and could be reached
    only by unpacking it from the start.
    """
    arc, gz = kind.startswith("arc"), kind.endswith(".gz")
    whole = yield from _records_of(prefix, opener, arc, gz, wanted, skipped, defer_to=path)
    if whole:
        yield from _records_of(prefix, lambda: cast(BinaryIO, _Unpacked(opener())), arc, False, wanted, skipped, done=0)


def read_record(doc: Document) -> Item:
    """A record yielded unread (`from_archive` with `path`), read at its offset as the walk reads a page's
    record: the same header and payload caps, content-encoding, charset, date and reasons."""
    assert doc.path is not None and isinstance(doc.part, Record)
    try:
        f = open(doc.path, "rb")
    except OSError as e:
        return Broken(doc.key, "no such file" if isinstance(e, FileNotFoundError) else e.strerror or str(e))
    return _record_at(doc.key, lambda: f, doc.part)  # which closes it


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
                skipped: Counter[str], done: int = -1, defer_to: str | None = None) -> Generator[Item, None, bool]:
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
            held: Document | None = None  # a page's record left unread: handed on once the walk is past it
            try:
                for record in records:
                    if held is not None:
                        yield _passed(held, last, opener)
                        held = None
                    offset, last = records.offset, record  # where this record starts
                    if offset <= done:
                        continue
                    for item in _article(record, f"{prefix}#{offset}", opener, arc, originals, wanted, skipped,
                                         defer_to):
                        if isinstance(item, Document) and item.part is not None:
                            held = item
                            continue
                        if _cut(item):
                            last = None  # said once
                        yield item
            except ArchiveLoadFailed as e:
                if gz and "non-chunked gzip" in str(e):
                    if held is not None:  # the first record, read whole before warcio found the rest packed in it
                        yield _passed(held, last, opener)
                    return True
                offset, damage = records.offset, f"{type(e).__name__}: {str(e).strip()[:200]}"
            except Exception as e:  # a malformed record, garbage, a cut gzip: this record is lost, not the file
                offset, damage = records.offset, f"{type(e).__name__}: {str(e)[:200]}"
            end = None  # damage found reading the last record to its end
            if damage is None and last is not None:  # the file may end inside its last record, whatever its type
                try:
                    records.read_to_end(last)
                except Exception as e:
                    end = f"{type(e).__name__}: {str(e)[:200]}"
            if held is not None:  # the walk stopped in or just after the record it holds
                item = _passed(held, last, opener)
                if _cut(item):
                    last, end = None, None  # said once, and its end was never read
                yield item
            if damage is None:
                if end is None:
                    if last is not None and getattr(last.raw_stream, "limit", 0) > 0:
                        yield Broken(f"{prefix}#{offset}",
                                     f"truncated WARC file: its last record lacks {last.raw_stream.limit} bytes")
                    start = None
                    continue
                damage = end
            what = "ARC" if arc else "WARC"
            yield Broken(f"{prefix}#{offset}", f"malformed {what} record at offset {offset} ({damage})")
            start = None if arc else _next_record_start(f, offset + 1, gz)
    return False


def _cut(item: Item) -> bool:
    return isinstance(item, Broken) and item.reason.startswith("truncated")


def _passed(held: Document, record, opener) -> Item:
    """A page's record left unread, now that the walk is past it: handed on when the walk read all of its
    bytes, else read here (it is damaged or cut short), so that what is said of it is the same."""
    if getattr(record.raw_stream, "limit", 0) <= 0:
        return held
    assert isinstance(held.part, Record)
    return _record_at(held.key, opener, held.part)


def _article(record, key: str, opener, arc: bool, originals: dict[str, int], wanted: Wanted,
             skipped: Counter[str], defer_to: str | None = None) -> Iterator[Item]:
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
    offset = int(key.rsplit("#", 1)[1])
    if digest:
        originals.setdefault(digest, offset)
    if not wanted(key):
        return
    if defer_to is not None:
        yield replace(_document(key, record, None, _content_type(record)), path=defer_to, part=Record(offset, arc))
        return
    yield _page(key, record)


def _page(key: str, record) -> Item:
    """A page's record read: its payload unpacked under the cap, or why it could not be."""
    try:
        data = _payload(record)
    except MalformedRecord:
        raise
    except Exception as e:  # a payload that will not decode is one broken record, not a broken file
        return Broken(key, f"unreadable WARC record ({type(e).__name__}: {e})")
    if len(data) <= MAX_DOCUMENT_BYTES and getattr(record.raw_stream, "limit", 0) > 0:
        return Broken(key, f"truncated WARC record: {record.raw_stream.limit} bytes missing")
    return _document(key, record, data, _content_type(record))


def _record_at(key: str, opener, at: Record) -> Item:
    """The page of the record at `at.offset`, read as the walk reads it (`_page`)."""
    try:
        with opener() as g:
            g.seek(at.offset)
            return _page(key, next(iter(CappedArchiveIterator(g, at.arc))))
    except MalformedRecord as e:
        what = "ARC" if at.arc else "WARC"
        return Broken(key, f"malformed {what} record at offset {at.offset} ({type(e).__name__}: {str(e)[:200]})")
    except Exception as e:
        return Broken(key, f"unreadable WARC record ({type(e).__name__}: {e})")


def _document(key: str, record, data: bytes | None, ctype: str) -> Document:
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
