"""Verify: the WARC files we wrote are whole, their digests hold, and the database points at them.

Three checks, each of which catches what the others cannot:

1. gzip integrity, member by member: a cut file or a flipped byte breaks a CRC or a stream;
2. a `warcio check`: each record parses and its block and payload digests are recomputed;
3. a read-back of every `captures` row: the bytes at (offset, length) are exactly one gzip
   member holding the record the row names, with the row's digests.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from warcio.exceptions import ArchiveLoadFailed

from ..sources import CappedArchiveIterator, MalformedRecord
from .warc import OPEN_SUFFIX, WARC_SUFFIX, payload_digest, target_uri

_CHUNK = 1 << 20


@dataclass
class FileCheck:
    """What checking one WARC file found."""

    path: Path
    records: int = 0
    members: list[tuple[int, int]] = field(default_factory=list)  # (offset, length) of each gzip member
    problems: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.path.name.endswith(OPEN_SUFFIX)

    @property
    def ok(self) -> bool:
        return not self.problems


def warc_files(directory: Path) -> list[Path]:
    """The WARC files in an archive directory, closed and still open."""
    if not directory.is_dir():
        return []
    suffixes = (WARC_SUFFIX, WARC_SUFFIX + OPEN_SUFFIX)
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(suffixes))


def gzip_members(path: Path) -> tuple[list[tuple[int, int]], str | None]:
    """The (offset, length) of each complete gzip member, and what is wrong if the file is not whole.

    Output is discarded in bounded pieces (only the framing and CRCs matter here), so a member that
    unpacks to many megabytes costs one chunk of memory. A member ends when the decompressor says
    so: asking it for more after its end would never run out of input.
    """
    members: list[tuple[int, int]] = []
    with open(path, "rb") as fh:
        buf_offset = 0  # file offset of the start of `buf`
        buf = b""
        start = 0
        d = None
        while True:
            if not buf:
                buf = fh.read(_CHUNK)
                if not buf:
                    break
            if d is None:
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                start = buf_offset
            try:
                d.decompress(buf, _CHUNK)
                while d.unconsumed_tail and not d.eof:
                    d.decompress(d.unconsumed_tail, _CHUNK)
            except zlib.error as e:
                return members, f"gzip member at offset {start} is corrupt ({e})"
            if d.eof:  # what follows the member is a suffix of `buf`: the next member's start
                used = len(buf) - len(d.unused_data)
                members.append((start, buf_offset + used - start))
                buf_offset += used
                buf = d.unused_data
                d = None
            else:
                buf_offset += len(buf)
                buf = b""
        if d is not None:
            return members, f"file ends inside the gzip member at offset {start}: truncated"
        if not members:
            return members, "empty file: no WARC record"
    return members, None


def revisit_problem(record: bytes) -> str | None:
    """The block digest of a revisit record, which warcio does not check (its block is the HTTP
    headers only): recomputed from the record's bytes."""
    head, _, rest = record.partition(b"\r\n\r\n")
    raw = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
    fields = {k.strip().lower().decode("utf-8", "replace"): v.strip().decode("utf-8", "replace")
              for k, v in raw.items()}
    digest = fields.get("warc-block-digest")
    if not digest or not digest.lower().startswith("sha1:"):
        return None
    try:
        block = rest[:int(fields.get("content-length", ""))]
    except ValueError:
        return "revisit record without a Content-Length"
    if payload_digest(block) != digest:
        return f"block digest failed: {digest}"
    return None


# A revisit record holds WARC and HTTP headers only: more than this unpacked is not one to check.
_MAX_REVISIT = 4 << 20


def _revisit(blob: bytes) -> bytes | None:
    """A revisit record's bytes from its gzip member, or None when it unpacks to more than a revisit holds."""
    record = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(blob, _MAX_REVISIT + 1)
    return None if len(record) > _MAX_REVISIT else record


def _revisit_problem(blob: bytes) -> str | None:
    record = _revisit(blob)
    return f"revisit record over {_MAX_REVISIT} bytes unpacked" if record is None else revisit_problem(record)


def _frames_one_member(blob: bytes) -> bool:
    """Whether `blob` is exactly one whole gzip member, unpacked in bounded pieces and thrown away."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    d.decompress(blob, _CHUNK)
    while d.unconsumed_tail and not d.eof:
        d.decompress(d.unconsumed_tail, _CHUNK)
    return d.eof and not d.unused_data


def _digest_problems(stream, where: str) -> tuple[int, list[str], list]:
    """Parse every record of `stream` with digests checked; returns (records, problems, records' headers)."""
    problems, headers, count = [], [], 0
    try:
        it = CappedArchiveIterator(stream, check_digests=True)  # a hostile header line is a problem, not a read
        for rec in it:
            offset = it.get_record_offset()
            while rec.raw_stream.read(_CHUNK):  # reading to the end is what checks the digests
                pass
            count += 1
            headers.append(rec.rec_headers)
            if rec.digest_checker.passed is False:
                problems += [f"{where}record at offset {offset}: {p}" for p in rec.digest_checker.problems]
    except (ArchiveLoadFailed, MalformedRecord, ValueError, EOFError, OSError, zlib.error) as e:
        problems.append(f"{where}cannot be read as WARC: {str(e).strip()}")
    return count, problems, headers


def check_file(path: Path) -> FileCheck:
    """gzip integrity and digests of one file."""
    result = FileCheck(path=path)
    members, problem = gzip_members(path)
    result.members = members
    if problem:
        result.problems.append(problem)
        return result  # a broken stream makes the digest pass report the same fault less clearly
    with open(path, "rb") as fh:
        result.records, problems, headers = _digest_problems(fh, "")
    result.problems += problems
    for (offset, length), h in zip(members, headers, strict=False):
        if h.get_header("WARC-Type") == "revisit":
            with open(path, "rb") as fh:
                fh.seek(offset)
                problem = _revisit_problem(fh.read(length))
            if problem:
                result.problems.append(f"record at offset {offset}: {problem}")
    if headers and headers[0].get_header("WARC-Type") != "warcinfo":
        result.problems.append("the first record is not warcinfo")
    if result.records != len(members):
        result.problems.append(
            f"{len(members)} gzip members but {result.records} records: not one record per member")
    return result


def check_row(row: dict, path: Path) -> list[str]:
    """Read back one `captures` row: exactly one gzip member at (offset, length), the named record."""
    where = f"captures row {row['id']} ({row['warc_file']}@{row['offset']}): "
    if not path.exists():
        return [where + "file is missing"]
    with open(path, "rb") as fh:
        fh.seek(row["offset"])
        blob = fh.read(row["length"])
    if len(blob) != row["length"]:
        return [where + f"file ends before offset + length ({row['offset']} + {row['length']})"]
    try:
        whole = _frames_one_member(blob)
    except zlib.error as e:
        return [where + f"not a gzip member there ({e})"]
    if not whole:
        return [where + "offset and length do not frame exactly one gzip member"]
    count, problems, headers = _digest_problems(BytesIO(blob), where)
    if not problems and headers and headers[0].get_header("WARC-Type") == "revisit":
        problem = _revisit_problem(blob)
        problems = [where + problem] if problem else []
    if problems:
        return problems
    if count != 1:
        return [where + f"{count} records where one was expected"]
    h = headers[0]
    out = []
    expected = {**row, "url": target_uri(row["url"]) if row.get("url") else None}
    for column, name in (("record_type", "WARC-Type"), ("record_id", "WARC-Record-ID"),
                         ("payload_digest", "WARC-Payload-Digest"), ("block_digest", "WARC-Block-Digest"),
                         ("url", "WARC-Target-URI")):
        if expected.get(column) is not None and h.get_header(name) != expected[column]:
            out.append(where + f"{name} is {h.get_header(name)!r}, the database says {expected[column]!r}")
    return out


def check_rows(rows: list[dict], directory: Path) -> list[str]:
    """Every row read back from its file (a file still open is read under its `.open` name)."""
    problems = []
    for row in rows:
        path = directory / row["warc_file"]
        if not path.exists() and (directory / (row["warc_file"] + OPEN_SUFFIX)).exists():
            path = directory / (row["warc_file"] + OPEN_SUFFIX)
        problems += check_row(row, path)
    return problems


@dataclass
class Report:
    """Everything `verify` found: each file's check, and the read-back of the database's rows."""

    files: list[FileCheck]
    rows_checked: int | None = None  # None: no database to check against
    row_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(len(f.problems) for f in self.files) + len(self.row_problems)


def verify(files: list[Path], rows: list[dict] | None, directory: Path) -> Report:
    """Check `files`, then read back `rows` (captures rows) from those files or the archive directory."""
    checked = []
    for path in files:
        if not path.exists():
            checked.append(FileCheck(path=path, problems=["file is missing"]))
        else:
            checked.append(check_file(path))
    report = Report(files=checked)
    if rows is not None:
        where = {p.name.removesuffix(OPEN_SUFFIX): p.parent for p in files}
        report.rows_checked = len(rows)
        for row in rows:
            report.row_problems += check_rows([row], where.get(row["warc_file"], directory))
    return report
