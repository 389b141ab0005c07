"""`provenance verify`: good files pass; a flipped byte, a cut file, a forged record, a wrong row: exit 1."""

from __future__ import annotations

import gzip
import zlib

import pytest
from typer.testing import CliRunner

from provenance.archive.verify import gzip_members, warc_files
from provenance.cli import app
from provenance.store import schema as database

from .archive_server import Server

runner = CliRunner()


@pytest.fixture
def archived(tmp_path):
    """A database and an archive directory filled by `provenance archive` from a loopback server."""
    db, arch = tmp_path / "p.db", tmp_path / "archive"
    with Server() as s:
        urls = [s.url("/redirect"), s.url("/gzip"), s.url("/chunked")]
        result = runner.invoke(app, ["archive", *urls, "--allow-private", "--no-wayback",
                                     "--min-interval", "0", "--db", str(db), "--archive-dir", str(arch)])
    assert result.exit_code == 0, result.output
    return db, arch


def run_verify(db, arch, *files):
    return runner.invoke(app, ["verify", *map(str, files), "--db", str(db), "--archive-dir", str(arch)])


def test_good_files_pass(archived):
    db, arch = archived
    result = run_verify(db, arch)
    assert result.exit_code == 0, result.output
    assert "DAMAGED" not in result.output
    rows = database.connect(db)["captures"].count
    assert rows == 8 and f"{rows} captures rows read back" in result.output


def test_a_flipped_byte_is_reported(archived):
    db, arch = archived
    [path] = warc_files(arch)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = run_verify(db, arch)
    assert result.exit_code == 1
    assert "DAMAGED" in result.output and "corrupt" in result.output


def test_a_truncated_file_is_reported(archived):
    db, arch = archived
    [path] = warc_files(arch)
    path.write_bytes(path.read_bytes()[:-200])
    result = run_verify(db, arch, path)
    assert result.exit_code == 1
    assert "truncated" in result.output
    assert "file ends before offset + length" in result.output  # the last rows point past the end


def test_a_rewritten_record_with_valid_gzip_fails_its_digest(archived):
    """Tampering that recompresses cleanly passes gzip; the recomputed digests catch it."""
    db, arch = archived
    [path] = warc_files(arch)
    data = path.read_bytes()
    members, problem = gzip_members(path)
    assert problem is None
    row = database.connect(db).execute(
        "SELECT \"offset\", length FROM captures WHERE record_type = 'response' AND http_status = 200 "
        "ORDER BY id LIMIT 1").fetchone()
    record = zlib.decompress(data[row[0]:row[0] + row[1]], 16 + zlib.MAX_WBITS)
    forged = record.replace(b"The minister said so.", b"The minister denied.!")  # same length
    assert forged != record
    path.write_bytes(data[:row[0]] + gzip.compress(forged) + data[row[0] + row[1]:])
    result = run_verify(db, arch)
    assert result.exit_code == 1
    assert "payload digest failed" in result.output


def test_a_row_that_points_elsewhere_is_reported(archived):
    db, arch = archived
    conn = database.connect(db)
    conn.execute("UPDATE captures SET \"offset\" = \"offset\" + 1 WHERE id = 3")
    conn.execute("UPDATE captures SET payload_digest = 'sha1:AAAA' WHERE id = 5")
    result = run_verify(db, arch)
    assert result.exit_code == 1
    assert "captures row 3" in result.output and "not a gzip member" in result.output
    assert "captures row 5" in result.output and "the database says 'sha1:AAAA'" in result.output


def test_missing_files_and_nothing_to_check(archived, tmp_path):
    db, arch = archived
    [path] = warc_files(arch)
    path.rename(tmp_path / "elsewhere.warc.gz")
    assert run_verify(db, arch).exit_code == 2  # nothing in the archive directory
    result = run_verify(db, arch, arch / path.name)
    assert result.exit_code == 1 and "file is missing" in result.output


def test_a_forged_revisit_fails_its_block_digest(tmp_path):
    """warcio does not check revisit records; verify recomputes their block digest itself."""
    db, arch = tmp_path / "p.db", tmp_path / "archive"
    with Server() as s:
        urls = [s.url("/same-a"), s.url("/same-b")]
        result = runner.invoke(app, ["archive", *urls, "--allow-private", "--no-wayback",
                                     "--min-interval", "0", "--db", str(db), "--archive-dir", str(arch)])
    assert result.exit_code == 0, result.output
    assert run_verify(db, arch).exit_code == 0
    [path] = warc_files(arch)
    offset, length = database.connect(db).execute(
        "SELECT \"offset\", length FROM captures WHERE record_type = 'revisit'").fetchone()
    data = path.read_bytes()
    record = zlib.decompress(data[offset:offset + length], 16 + zlib.MAX_WBITS)
    forged = record.replace(b"HTTP/1.1 200 OK", b"HTTP/1.1 200 Ok")
    assert forged != record
    path.write_bytes(data[:offset] + gzip.compress(forged) + data[offset + length:])
    result = run_verify(db, arch)
    assert result.exit_code == 1
    assert "block digest failed" in result.output


@pytest.mark.parametrize("size", [3_000_000, 10_000_000])
def test_a_capture_over_a_mebibyte_is_checked_to_the_end(tmp_path, size):
    """A record that unpacks to more than one read chunk ends its gzip member like any other
    (the member loop once kept asking a finished decompressor for more, forever)."""
    from provenance.archive.verify import check_file
    from provenance.archive.warc import WarcStore
    from provenance.models import Exchange

    store = WarcStore(tmp_path, "big")
    body = bytes(range(256)) * (size // 256)
    store.write_exchange(Exchange("http://news.example/big", "GET", [], 200, "OK",
                                  [("Content-Type", "text/html"), ("Content-Length", str(size + 1000))],
                                  body, truncated="length"))
    store.close()
    [path] = warc_files(tmp_path)
    members, problem = gzip_members(path)
    assert problem is None
    assert len(members) == 3 and sum(length for _, length in members) == path.stat().st_size
    check = check_file(path)
    assert check.ok, check.problems
    assert check.records == 3


def test_a_revisit_record_that_unpacks_to_a_bomb_is_reported_not_read_whole(tmp_path):
    """A revisit holds headers only; one that unpacks to 64 MiB is a problem, checked in bounded memory."""
    import tracemalloc

    from provenance.archive.verify import _revisit_problem, check_file

    from .test_hostile_inputs import MIB, deflate_bomb

    store_dir = tmp_path / "a"
    store_dir.mkdir()
    path = store_dir / "x.warc.gz"
    info = (b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:i>\r\n"
            b"WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Length: 0\r\n\r\n\r\n\r\n")
    size = 64 * MIB
    head = (b"WARC/1.0\r\nWARC-Type: revisit\r\nWARC-Record-ID: <urn:uuid:r>\r\n"
            b"WARC-Target-URI: http://news.example/r\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            b"WARC-Block-Digest: sha1:AAAA\r\n" + f"Content-Length: {size}\r\n\r\n".encode())
    path.write_bytes(gzip.compress(info) + deflate_bomb(head, b"a" * MIB, 64, b"\r\n\r\n"))
    tracemalloc.start()
    try:
        check = check_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert any("header line over" in p for p in check.problems), check.problems
    assert peak < 32 * MIB
    assert _revisit_problem(path.read_bytes()[len(gzip.compress(info)):]).startswith("revisit record over")
