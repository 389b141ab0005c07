"""URLs and Location headers as browsers put them on the wire and read them back."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import idna


def ascii_host(host: str) -> str:
    """An IDN host name in its ASCII (IDNA) form, as requests sends it; other names unchanged."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host  # not a valid name: the request fails on it as `invalid_url`


def wire_url(url: str) -> str:
    """The URL as browsers send it: an IDN host in ASCII, other non-ASCII text percent-encoded as
    UTF-8. An ASCII URL is returned unchanged (percent escapes already in it stay as they are)."""
    if url.isascii():
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        userinfo, _, hostport = netloc.rpartition("@")
        host = hostport.lower().replace(parts.hostname, ascii_host(parts.hostname), 1)
        netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme, _percent(netloc), _percent(parts.path), _percent(parts.query),
                       _percent(parts.fragment)))


def location_text(value: str) -> str:
    """A Location header as browsers read it. HTTP libraries decode header bytes as Latin-1, so raw
    UTF-8 (`/page/café`) arrives as mojibake (`/page/cafÃ©`); when the bytes are valid UTF-8 they
    are read as UTF-8, otherwise as Latin-1."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _percent(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c if c.isascii() else quote(c, safe="", errors="replace") for c in text)
