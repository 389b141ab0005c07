"""A fetched answer's headers and its body with the content-encoding undone, under a cap."""

from __future__ import annotations

import zlib

from ..models import Exchange


def header(exchange: Exchange, name: str) -> str | None:
    name = name.lower()
    for k, v in exchange.response_headers:
        if k.lower() == name:
            return v
    return None


def decoded_body(exchange: Exchange, max_bytes: int) -> bytes:
    """The body with its content-encoding undone, never more than `max_bytes` (gzip bombs stop here)."""
    encoding = (header(exchange, "content-encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
        try:
            return zlib.decompressobj(wbits).decompress(exchange.body, max_bytes)
        except zlib.error:
            try:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(exchange.body, max_bytes)
            except zlib.error:
                return b""
    return exchange.body[:max_bytes]
