"""Zip files read member by member, each judged by content; nothing is written out or followed."""

from __future__ import annotations

import functools
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from .archives import from_archive
from .items import Broken, Document, Item, Wanted
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


def from_zip(path: Path, wanted: Wanted, skipped: Counter[str]) -> Iterator[Item]:
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
                    member.seek(0)
                    data = read_document(cast(BinaryIO, member), kind)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as e:
                yield Broken(key, f"unreadable zip member ({unreadable(e, kind) if kind == 'gzip' else e})")
                continue
            yield Document(key=key, data=data)


# -- WARC and ARC ------------------------------------------------------------------------------------


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """One member of a zip, opened afresh each time an archive reader asks for it."""
    return cast(BinaryIO, zf.open(info))
