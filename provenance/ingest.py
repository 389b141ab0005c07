"""Bytes in, `Article`s out: a document decoded once, at this boundary.

The bytes come from `sources`, the one input path of every command (files, archives, stdin, URLs
through the fetch seam), already unpacked and capped. Whether a document is HTML or plain text is
decided by its content, never its name. Bytes are decoded by the declared charset (BOM, HTTP header, `<meta>`),
then UTF-8, then detection, then UTF-8 with replacement, so nothing later in
the pipeline ever sees bytes.
"""

from __future__ import annotations

import difflib
import hashlib
import re

from .errors import InputError
from .models import Article

# Pages larger than this are cut (and the cut noted): the article is at the start.
MAX_DOCUMENT_BYTES = 20_000_000

# Tags that only a web page holds; the weaker ones (a paragraph, a link) also turn up in pasted
# text, so they count only when the document itself starts with markup.
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s>]|<title[\s>]", re.I)
_WEAK_HTML = re.compile(
    rb"<div[\s>]|<p[\s>]|<article[\s>]|<a\s+[^>]*href=|<blockquote[\s>]|<iframe[\s>]|<script[\s>]", re.I)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def looks_like_html(data: bytes) -> bool:
    """HTML if the first few KB hold a tag that only pages hold, or start with markup of any kind."""
    head = data[:4096]
    if _HTML_SNIFF.search(head):
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and bool(_WEAK_HTML.search(head))


def charset_of(content_type: str | None) -> str | None:
    """The charset an HTTP Content-Type declares (quoted or not), if any."""
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def looks_binary(data: bytes) -> bool:
    """Binary if the start has many control bytes that text never holds (NULs in UTF-16 excepted)."""
    head = data[:4096]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if head.count(b"\x00") > len(head) // 10:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20 + 1


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Bytes to text, and the encoding used: BOM, declared charset, <meta>, UTF-8, detection."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    candidates = []
    if declared:
        candidates.append(declared)
    m = _META_CHARSET.search(data[:8192])
    if m:
        candidates.append(m.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    # A page that says utf-16/32 without a BOM is ASCII-compatible after all (WHATWG: read it as UTF-8).
    candidates = ["utf-8" if re.match(r"(?i)utf-?(16|32)", enc) else enc for enc in candidates]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
        return text.replace("\x00", ""), enc.lower()
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace").replace("\x00", ""), best.encoding
    except Exception:  # detection is a hint; never let it stop ingestion
        pass
    return data.decode("utf-8", errors="replace").replace("\x00", ""), "utf-8"


def article_from_bytes(source: str, data: bytes, *, url: str | None = None, declared: str | None = None,
                       fetched_at: str | None = None) -> Article:
    """The one place raw bytes become an `Article`; raises InputError for what is not a document."""
    if not data or not data.strip():
        raise InputError(source, "empty input: nothing to audit")
    notes = []
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_DOCUMENT_BYTES:
        data = data[:MAX_DOCUMENT_BYTES]
        notes.append(f"truncated at {MAX_DOCUMENT_BYTES} bytes")
    if looks_binary(data):
        raise InputError(source, "binary file, not an HTML page or text")
    text, encoding = decode(data, declared)
    is_html = looks_like_html(text[:4096].encode("utf-8", "replace"))
    return Article(source=source, content=text, is_html=is_html, url=url, fetched_at=fetched_at,
                   encoding=encoding, sha256=digest, notes=notes)


def stdin_key(data: bytes) -> str:
    return f"stdin:{hashlib.sha256(data).hexdigest()[:16]}"


def is_url(source: str) -> bool:
    return bool(re.match(r"(?i)https?://", source))


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):/")


def unknown_scheme(source: str) -> str | None:
    """Why `source`, written like a URL with a scheme we do not read (`htp://…`), is not one; None otherwise.

    Without this, `htp://example.com/story` is taken for a path and reported as a missing file.
    A file that really has such a name is still read: callers ask only when no such path exists.
    """
    m = _SCHEME.match(source)
    if not m or is_url(source):
        return None
    scheme = m.group(1)
    near = difflib.get_close_matches(scheme.lower(), ["http", "https"], n=1, cutoff=0.75)
    hint = f" (did you mean {near[0]}?)" if near else ": only http and https URLs are read"
    return f"unknown URL scheme {scheme!r}{hint}"
