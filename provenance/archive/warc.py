"""WARC files: the saved copy of every page a chain ends at.

Records are written explicitly from the bytes the fetcher saw (`Exchange`), with
warcio's `WARCWriter` — never by patching `http.client`, which would collide
with cassette replay and with the fetcher's own connection handling. Each
response gets a request record (`WARC-Concurrent-To`), a payload digest, the
peer's address when known, and `WARC-Truncated` when a cap or the deadline cut
the body. A stored response always tells the truth about its own length: when
the body was cut (or the server's `Content-Length` is otherwise not the length
of the body kept), the server's value is kept as `X-Archive-Orig-Content-Length`
and `Content-Length` is the stored length, so that a replay (pywb, say) never
promises bytes it does not have. A payload already stored earlier is written as
a `revisit` record that points at the original.

Files are named by run and sequence only, and by worker when several processes write one
run's records (a Dask worker: `provenance-RUN-WORKER-SEQ.warc.gz`; nothing from a URL or a
header ever reaches the file system), written as `NAME.warc.gz.open`, renamed to
`NAME.warc.gz` when closed, and rotated at a size. One lock guards the writer,
so several threads may archive at once.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from requests.utils import requote_uri
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .. import __version__
from ..fetch import decoded_body
from ..models import Capture, CaptureKind, Exchange

log = logging.getLogger("provenance.archive")

_write = os.write  # the one call that puts WARC bytes on disk (a test makes the disk full here)

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
# gzip's own default. warcio's level 9 took 1.4-1.6x the CPU of level 6 on news pages (5.6 against 3.4 ms for
# a 195 KB page) for files 0.4-0.7 % smaller; a batch compresses every page it fetches.
GZIP_LEVEL = 6
# Hop-by-hop framing the fetcher already removed: kept under another name so that readers
# do not try to undo it a second time.
_FRAMING_HEADERS = {"transfer-encoding"}


def payload_digest(body: bytes) -> str:
    """`sha1:BASE32` of a payload, the form WARC-Payload-Digest and CDX indexes use."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(iso: str | None) -> str:
    """An ISO timestamp (any offset) as a WARC-Date: UTC, seconds, `Z`."""
    when = datetime.fromisoformat(iso) if iso else datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_seconds(iso: str | None) -> str:
    when = datetime.fromisoformat(iso) if iso else datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Original:
    """An earlier response record with the same payload: what a revisit refers to."""

    record_id: str
    url: str
    date: str  # WARC-Date of the original


def target_uri(url: str) -> str:
    """The URL as it went on the wire (non-ASCII percent-encoded), for WARC-Target-URI and indexes."""
    return requote_uri(url)


class _WireHeaders(StatusAndHeaders):
    """HTTP headers written back as the bytes that came off the wire.

    http.client decodes header bytes as ISO-8859-1, so encoding them the same way restores them
    exactly; warcio's default would percent-encode (or fail on) anything outside ASCII.
    """

    def compute_headers_buffer(self, header_filter=None):
        text = self.to_str(header_filter)
        try:
            self.headers_buff = text.encode("iso-8859-1") + b"\r\n"
        except UnicodeEncodeError:
            self.headers_buff = text.encode("utf-8") + b"\r\n"


def _response_headers(ex: Exchange) -> StatusAndHeaders:
    headers = [(f"X-Archive-Orig-{k}" if k.lower() in _FRAMING_HEADERS else k, v)
               for k, v in ex.response_headers]
    stored = str(len(ex.body or b""))
    lengths = [v.strip() for k, v in headers if k.lower() == "content-length"]
    if lengths and ex.method != "HEAD" and lengths != [stored]:  # cut at a cap, or a server that lied
        at = next(i for i, (k, _) in enumerate(headers) if k.lower() == "content-length")
        headers = [(f"X-Archive-Orig-{k}", v) if k.lower() == "content-length" else (k, v) for k, v in headers]
        headers.insert(at, ("Content-Length", stored))
    return _WireHeaders(f"{ex.http_status} {ex.reason}".rstrip(), headers, protocol=ex.http_version)


def _request_headers(ex: Exchange) -> StatusAndHeaders:
    parts = urlsplit(target_uri(ex.url))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return _WireHeaders(f"{ex.method} {target} {ex.http_version}", headers, is_http_request=True)


class WarcStore:
    """Writes request/response (or revisit) records into rotating, gzip-per-record WARC files."""

    def __init__(self, directory: Path, run: str, *, max_size: int = 1_000_000_000,
                 info: dict[str, str] | None = None, worker: str | None = None):
        """`worker` names the process writing (letters and digits) when the run has several writers."""
        if worker is not None and not (worker.isascii() and worker.isalnum()):
            raise ValueError(f"a worker's name in a WARC file name is letters and digits: {worker!r}")
        self.directory = Path(directory)
        self.run = run
        self.worker = worker
        self.max_size = max_size
        self.info = info or {}
        self._lock = threading.Lock()
        self._fd: int | None = None  # the open file, written with os.write: no buffer to lose or to flush late
        self._end = 0  # where its last whole record ends
        self._name: str | None = None
        self._seq = 0
        self.closed_files: list[str] = []

    # -- files -------------------------------------------------------------------------------
    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._seq += 1
            who = f"{self.run}-{self.worker}" if self.worker else self.run
            name = f"provenance-{who}-{self._seq:05d}{WARC_SUFFIX}"
            final, partial = self.directory / name, self.directory / (name + OPEN_SUFFIX)
            if final.exists():
                continue
            try:  # O_EXCL: two writers sharing a directory never share a file
                fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            break
        self._fd, self._end, self._name = fd, 0, name
        info = {"software": f"provenance/{__version__} (warcio)", "format": "WARC File Format 1.0",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
                "isPartOf": f"provenance-{self.run}", **self.info}
        try:
            self._append(self._encode(WARCWriter(BytesIO(), gzip=True).create_warcinfo_record(name, info)))
        except OSError:  # not even the header fits: leave no empty file behind
            os.close(fd)
            self._fd, self._name = None, None
            partial.unlink(missing_ok=True)
            raise

    def _close_file(self) -> None:
        """Sync, close and rename the current file. A sync that fails (a full disk on some file
        systems) is logged: every record was written whole already, and the file is closed anyway."""
        fd, name = self._fd, self._name
        if fd is None or name is None:
            return
        try:
            os.fsync(fd)
        except OSError as e:
            log.warning("could not sync %s: %s", name, e)
        finally:
            os.close(fd)
        os.replace(self.directory / (name + OPEN_SUFFIX), self.directory / name)
        self.closed_files.append(name)
        self._fd = self._name = None

    def close(self) -> None:
        """Finish the current file: synced, and renamed without `.open`."""
        with self._lock:
            self._close_file()

    # -- records -----------------------------------------------------------------------------
    @staticmethod
    def _encode(record) -> bytes:
        """One record as its gzip member, built in memory so that it reaches the file whole or not at all.
        Compressed here at `GZIP_LEVEL`, not by warcio (which compresses at level 9)."""
        out = BytesIO()
        WARCWriter(out, gzip=False).write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        return member.compress(out.getbuffer()) + member.flush()

    def _append(self, data: bytes) -> None:
        """Write `data` at the end of the current file. On failure (a full disk) the file is cut back to
        its last whole record and the error raised: nothing half-written stays behind."""
        fd = self._fd
        assert fd is not None, "a file is open: _open came first"
        view, written = memoryview(data), 0
        try:
            while written < len(data):
                written += _write(fd, view[written:])
        except OSError:
            try:
                os.ftruncate(fd, self._end)
                os.lseek(fd, self._end, os.SEEK_SET)
            except OSError:
                pass
            raise
        self._end += len(data)

    def write_exchange(self, ex: Exchange, original: Original | None = None) -> list[Capture]:
        """Write one exchange as response (or revisit) + request records; returns both as Captures.

        `original` is an earlier record with the same payload: the response is then written as
        a revisit (headers only) that refers to it. A truncated body is never deduplicated.
        """
        body = ex.body or b""
        digest = payload_digest(body)
        date = warc_date(ex.started_at)
        uri = target_uri(ex.url)
        ctype = next((v for k, v in ex.response_headers if k.lower() == "content-type"), None)
        writer = WARCWriter(BytesIO(), gzip=True)  # builds the records; they are encoded one by one below
        with self._lock:
            if self._fd is None:
                self._open()
            warc_headers = {"WARC-Date": date}
            if ex.peer_ip:
                warc_headers["WARC-IP-Address"] = ex.peer_ip
            if original is not None and not ex.truncated:
                warc_headers["WARC-Refers-To"] = original.record_id
                resp = writer.create_revisit_record(
                    uri, digest, target_uri(original.url), original.date, http_headers=_response_headers(ex),
                    warc_headers_dict=warc_headers)
                kind = CaptureKind.REVISIT
            else:
                if ex.truncated:
                    warc_headers["WARC-Truncated"] = ex.truncated
                resp = writer.create_warc_record(
                    uri, "response", payload=BytesIO(body), length=len(body),
                    http_headers=_response_headers(ex), warc_headers_dict=warc_headers)
                kind = CaptureKind.RESPONSE
            resp_id = resp.rec_headers.get_header("WARC-Record-ID")
            req = writer.create_warc_record(
                uri, "request", payload=BytesIO(b""), length=0, http_headers=_request_headers(ex),
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": resp_id,
                                   **({"WARC-IP-Address": ex.peer_ip} if ex.peer_ip else {})})
            name, start = self._name, self._end
            assert name is not None
            resp_bytes, req_bytes = self._encode(resp), self._encode(req)
            self._append(resp_bytes + req_bytes)  # both records of the exchange, or neither
            resp_at, req_at = (start, len(resp_bytes)), (start + len(resp_bytes), len(req_bytes))
            if self._end >= self.max_size:
                self._close_file()
        when = _iso_seconds(ex.started_at)
        return [
            Capture(url=ex.url, warc_file=name, offset=resp_at[0], length=resp_at[1], record_type=kind,
                    payload_digest=digest, block_digest=resp.rec_headers.get_header("WARC-Block-Digest"),
                    http_status=ex.http_status, content_type=ctype, size=len(body), truncated=ex.truncated,
                    captured_at=when, record_id=resp_id,
                    refers_to=original.record_id if original is not None and kind is CaptureKind.REVISIT
                    else None),
            Capture(url=ex.url, warc_file=name, offset=req_at[0], length=req_at[1], record_type=CaptureKind.REQUEST,
                    payload_digest=req.rec_headers.get_header("WARC-Payload-Digest"),
                    block_digest=req.rec_headers.get_header("WARC-Block-Digest"), captured_at=when,
                    record_id=req.rec_headers.get_header("WARC-Record-ID"), refers_to=resp_id),
        ]


def read_record(warc_dir: Path, row: dict, max_bytes: int) -> tuple[bytes, str | None] | None:
    """The decoded payload and content type of the WARC response record a `captures` row points at (the
    check and trace stages read pages back through it)."""
    path = warc_dir / row["warc_file"]
    if not path.exists() and (warc_dir / (row["warc_file"] + OPEN_SUFFIX)).exists():
        path = warc_dir / (row["warc_file"] + OPEN_SUFFIX)
    try:
        with open(path, "rb") as fh:
            fh.seek(row["offset"])
            blob = fh.read(row["length"])
        for record in ArchiveIterator(BytesIO(blob)):
            if record.rec_type != "response" or record.http_headers is None:
                return None
            headers = list(record.http_headers.headers)
            body = record.raw_stream.read(max_bytes + 1)[:max_bytes]
            ex = Exchange(url="", method="GET", request_headers=[], http_status=0, reason="",
                          response_headers=headers, body=body)
            return decoded_body(ex, max_bytes), record.http_headers.get_header("content-type")
    except (OSError, ValueError, EOFError, zlib.error) as e:
        log.warning("could not read %s@%s back: %s", row["warc_file"], row["offset"], e)
    return None
