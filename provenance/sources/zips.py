"""Zip files read member by member, each judged by content; nothing is written out or followed."""

from __future__ import annotations

import functools
import os
import re
import stat
import threading
import zipfile
import zlib
from collections import Counter, OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from .archives import from_archive
from .items import Broken, Document, Item, Member, Wanted
from .sniff import ARCHIVES, SNIFF, kind_of, read_document, unreadable


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


def from_zip(path: Path, wanted: Wanted, skipped: Counter[str], defer: bool = False) -> Iterator[Item]:
    """Members one at a time, each judged by content; an archive inside a zip is read record by record.

    No member is ever written out or followed: a symbolic link is an unreadable item, a name with
    `..` is audited under a key that spells it out, a hidden file is counted as skipped.

    With `defer`, a document member is yielded unread, by the zip's absolute path and its place in the
    listing (`Member`), once its first 4 KB have said what it is: whoever extracts it reads it
    (`read_member`). An archive inside a zip is still read here, record by record, as its records'
    offsets count in the unpacked member, which a reader elsewhere could reach only by unpacking it
    from the start for every record.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        yield Broken(str(path), f"broken zip file ({e})")
        return
    where = str(path.resolve()) if defer else None
    keys: Counter[str] = Counter()
    with zf:
        for index, info in enumerate(zf.infolist()):
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
                    kind = kind_of(member.read(SNIFF))
                    if kind in ARCHIVES:
                        yield from from_archive(key, functools.partial(_open_member, zf, info), kind, wanted,
                                                 skipped)
                        continue
                    if kind == "zip":
                        yield Broken(key, "a zip inside a zip is not read")
                        continue
                    if not wanted(key):
                        continue
                    if where is not None:
                        yield Document(key=key, path=where, part=Member(index, info.filename))
                        continue
                    member.seek(0)
                    data = read_document(cast(BinaryIO, member), kind)
            except _UNREADABLE as e:
                yield Broken(key, _unreadable_member(e, kind))
                continue
            yield Document(key=key, data=data)


def read_member(doc: Document) -> Item:
    """A member yielded unread (`from_zip` with `defer`), read as `from_zip` reads a document member: the
    same sniffing, cap and reasons, so the item is the one the zip's reader would have yielded."""
    assert doc.path is not None and isinstance(doc.part, Member)
    try:
        zf = _zip_at(doc.path)
    except FileNotFoundError:
        return Broken(doc.key, "no such file")
    except (zipfile.BadZipFile, OSError) as e:
        return Broken(doc.key, f"broken zip file ({e})")
    listing = zf.infolist()
    info = listing[doc.part.index] if doc.part.index < len(listing) else None
    if info is None or info.filename != doc.part.name:
        return Broken(doc.key, "the zip file changed after it was listed")
    kind = "document"
    try:
        with zf.open(info) as member:
            kind = kind_of(member.read(SNIFF))
            if kind in ARCHIVES or kind == "zip":
                return Broken(doc.key, "the zip file changed after it was listed")
            member.seek(0)
            return Document(key=doc.key, data=read_document(cast(BinaryIO, member), kind))
    except _UNREADABLE as e:
        return Broken(doc.key, _unreadable_member(e, kind))


_UNREADABLE = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError)


def _unreadable_member(e: BaseException, kind: str) -> str:
    return f"unreadable zip member ({unreadable(e, kind) if kind == 'gzip' else e})"


# A reader of deferred members (a cluster worker) reads a zip's members one task at a time; listing a zip
# anew for each costs ~40 ms per 5,000 members, so the last few zips read stay open, each known by its
# path and the identity of the file there (a zip replaced at the same path is opened afresh).
_OPEN_ZIPS = 4
_zips: OrderedDict[str, tuple[tuple[int, int, int, int], zipfile.ZipFile]] = OrderedDict()
_zips_lock = threading.Lock()


def _zip_at(path: str) -> zipfile.ZipFile:
    st = os.stat(path)
    ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _zips_lock:
        held = _zips.get(path)
        if held is not None and held[0] == ident:
            _zips.move_to_end(path)
            return held[1]
        zf = zipfile.ZipFile(path)  # reading members of one ZipFile from several threads is safe
        _zips[path] = (ident, zf)
        _zips.move_to_end(path)
        while len(_zips) > _OPEN_ZIPS:  # not closed here: a thread may be reading it; it closes when let go
            _zips.popitem(last=False)
        return zf


# -- WARC and ARC ------------------------------------------------------------------------------------


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """One member of a zip, opened afresh each time an archive reader asks for it."""
    return cast(BinaryIO, zf.open(info))
