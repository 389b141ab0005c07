"""A path given as a SOURCE: a file judged by its content, or a folder walked depth first."""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .archives import from_archive, read_record
from .items import Broken, Document, Item, Member, Record, Wanted
from .sniff import ARCHIVES, SNIFF, kind_of, read_document, unreadable
from .urllists import list_items, split_url_list
from .zips import from_zip, read_member


def from_path(path: Path, wanted: Wanted, skipped: Counter[str], top: bool = False,
               walked: set | None = None, defer: bool = False) -> Iterator[Item]:
    """The items of a file or folder. With `defer`, a document file found in a folder is yielded by its
    absolute path, unread (`Document.path`), and so are a zip's document members and a WARC or ARC
    file's pages (`Document.part` says where in the file): a cluster's worker reads them, not the
    reading process (`read_deferred`)."""
    key = str(path)
    try:
        if path.is_dir():
            yield from _walk(path, wanted, skipped, set() if walked is None else walked, defer)
            return
        with open(path, "rb") as f:
            head = f.read(SNIFF)
    except FileNotFoundError:
        yield Broken(key, "no such file")
        return
    except OSError as e:
        yield Broken(key, e.strerror or str(e))
        return
    kind = kind_of(head)
    if kind in ARCHIVES:
        yield from from_archive(key, lambda: open(path, "rb"), kind, wanted, skipped,
                                str(path.resolve()) if defer else None)
    elif kind == "zip":
        yield from from_zip(path, wanted, skipped, defer)
    elif wanted(key):
        if defer and not top:  # a file of a folder is a document (never a URL list): its reader reads it
            yield Document(key=key, path=str(path.resolve()))
            return
        try:
            with open(path, "rb") as f:
                data = read_document(f, kind)
        except (OSError, EOFError, zlib.error) as e:
            yield Broken(key, unreadable(e, kind))
            return
        listed = split_url_list(data, key) if top else None
        if listed is not None:
            yield from list_items(listed, wanted)
        else:
            yield Document(key=key, data=data)


def _walk(folder: Path, wanted: Wanted, skipped: Counter[str], walked: set, defer: bool = False) -> Iterator[Item]:
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
            yield from _walk(Path(entry.path), wanted, skipped, walked, defer)
        else:
            yield from from_path(Path(entry.path), wanted, skipped, walked=walked, defer=defer)


def read_deferred(doc: Document) -> Item:
    """A document yielded unread (`defer`), read as the reader would have read it: the same sniffing, caps
    and reasons, so the item is the one the reader yields without `defer`."""
    if isinstance(doc.part, Member):
        return read_member(doc)
    if isinstance(doc.part, Record):
        return read_record(doc)
    assert doc.path is not None
    kind = "document"
    try:
        with open(doc.path, "rb") as f:
            kind = kind_of(f.read(SNIFF))
            f.seek(0)
            return Document(key=doc.key, data=read_document(f, kind))
    except FileNotFoundError:
        return Broken(doc.key, "no such file")
    except (OSError, EOFError, zlib.error) as e:
        return Broken(doc.key, unreadable(e, kind))
