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

    items.py     Document and Broken: what a SOURCE yields
    sniff.py     what a file is, from its first bytes; a document read under the cap
    urllists.py  a SOURCE of http(s) URL lines
    archives.py  WARC and ARC files, record by record, headers capped
    zips.py      zip files, member by member
    folders.py   a path: a file by its content, or a folder walked

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

With `defer_files` (a cluster's reader), what can be read on its own is yielded
unread, as where to read it, for whoever extracts it (`read_deferred`, which gives
the item the reader would have given): a folder's document files (by path), a
zip's document members (path and place in the listing) and the pages of a WARC
or ARC file (path and offset). The reader still walks the listings and the
record headers, to judge each item and make its key; what stays read by it
(an archive inside a zip, a revisit, a damaged record, a file gzipped whole,
URL lists and stdin) is said where it is read.

Something unreadable — a missing file, a truncated gzip, a broken WARC record,
a corrupt zip, a symbolic link in a zip, a junk line in a URL list — comes out
as a `Broken` item with a reason; it never stops the stream. After damage in a
WARC file the reader resynchronises on the next record. What is read but is no
article (a redirect, an error page, an image, a hidden file, a revisit whose
original is elsewhere) is counted by reason in the caller's `skipped` counter.
"""

from __future__ import annotations

import io
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..ingest import MAX_DOCUMENT_BYTES, article_from_bytes, is_url, stdin_key, unknown_scheme
from ..models import Article
from .archives import MAX_HEADER_BYTES, MAX_HEADER_LINE, CappedArchiveIterator, MalformedRecord
from .folders import from_path, read_deferred
from .items import Broken, Document, Item, Member, Record, Wanted, always
from .sniff import SNIFF, gunzip, kind_of
from .urllists import URL_LIST_SHARE, list_items, split_url_list, url_list
from .zips import member_key

__all__ = ["MAX_HEADER_BYTES", "MAX_HEADER_LINE", "URL_LIST_SHARE", "Broken", "CappedArchiveIterator", "Document",
           "Item", "MalformedRecord", "Member", "Record", "Wanted", "iter_sources", "member_key", "read_deferred",
           "read_one", "url_list"]


def iter_sources(sources: list[str], wanted: Wanted = always, stdin=None,
                 skipped: Counter[str] | None = None, defer_files: bool = False) -> Iterator[Item]:
    """Every item of every SOURCE, in order, one at a time.

    What is read but is no article (a redirect, an error page, an image, a hidden file...) is
    counted in `skipped` by reason, so that a summary can say how much was passed over and why.
    With `defer_files`, a folder's document files, a zip's document members and a WARC or ARC file's
    pages are yielded unread, as where to read them (`read_deferred`).
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
            yield from from_path(Path(source), wanted, skipped, top=True, defer=defer_files)


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
    items = from_path(path, always, skipped)
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
    if kind_of(raw[:SNIFF]) != "gzip":
        return Document(key=key, data=raw)
    try:
        return Document(key=key, data=gunzip(io.BytesIO(raw)))
    except (OSError, EOFError, zlib.error) as e:
        return Broken(key, f"broken gzip input ({e})")


def _from_stdin(stream, wanted: Wanted) -> Iterator[Item]:
    doc = _stdin_document(stream)
    if isinstance(doc, Broken):
        yield doc
        return
    listed = split_url_list(doc.data or b"", "-")
    if listed is not None:
        yield from list_items(listed, wanted)
    elif wanted(doc.key):
        yield doc
