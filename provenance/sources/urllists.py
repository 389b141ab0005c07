"""A SOURCE whose lines are http(s) URLs is a list of URLs to fetch; junk lines are named and skipped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..ingest import MAX_DOCUMENT_BYTES
from .items import Broken, Document, Item, Wanted
from .sniff import SNIFF

# A SOURCE is a URL list when at least this share of its lines are URLs; the rest are junk lines.
URL_LIST_SHARE = 0.9

_URL_LINE = re.compile(r"(?i)^https?://\S+$")


def url_list(data: bytes) -> list[str] | None:
    """The URLs, if the lines of `data` make a URL list (see `URL_LIST_SHARE`); else None (a document)."""
    listed = split_url_list(data, "")
    return None if listed is None else listed[0]


def split_url_list(data: bytes, key: str) -> tuple[list[str], list[Broken]] | None:
    """(URLs, junk lines) when `data` is a list of URLs, judged line by line; None when it is a document.

    Blank lines and `#` comments do not count. A list is mostly URLs: a line or two of junk in a long
    list is named (`urls.txt:17`) and skipped, while prose with a few links on lines of their own is
    a document.
    """
    if not data.strip() or b"\x00" in data[:SNIFF]:
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


def list_items(listed: tuple[list[str], list[Broken]], wanted: Wanted) -> Iterator[Item]:
    urls, junk = listed
    yield from junk
    for url in urls:
        if wanted(url):
            yield Document(key=url, url=url)
