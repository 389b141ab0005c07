"""What a file is, from its content, never its name; and a document's bytes read under the cap."""

from __future__ import annotations

import gzip
import zlib
from typing import BinaryIO

from ..ingest import MAX_DOCUMENT_BYTES

SNIFF = 4096  # bytes read to tell what a file is
ARCHIVES = ("warc", "warc.gz", "arc", "arc.gz")


def kind_of(head: bytes) -> str:
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


def gunzip(stream: BinaryIO) -> bytes:
    """A gzip stream unpacked in bounded pieces, never more than the document cap (a bomb stops here)."""
    with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
        return unpacked.read(MAX_DOCUMENT_BYTES + 1)


def read_document(stream: BinaryIO, kind: str) -> bytes:
    """A document's bytes, unpacked if it is a gzip, up to the cap plus one byte (so a cut is noted)."""
    return gunzip(stream) if kind == "gzip" else stream.read(MAX_DOCUMENT_BYTES + 1)


def unreadable(e: BaseException, kind: str) -> str:
    if kind == "gzip":
        return f"broken gzip file ({e})"
    return getattr(e, "strerror", None) or str(e)
