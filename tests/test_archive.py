"""WARC capture of real exchanges with a loopback server: what is written, standard tools read back."""

from __future__ import annotations

import errno
import gzip
import os
import subprocess
import sys
import threading
import zlib

import pytest
from warcio.archiveiterator import ArchiveIterator

from provenance.archive import Archiver, payload_digest
from provenance.archive.verify import warc_files
from provenance.models import Status
from provenance.resolve import Resolver
from provenance.settings import Settings
from provenance.store import queries, writes
from provenance.store import schema as database

from .archive_server import BIG, CHUNKS, GZIP_HTML, PAGE, SAME, Server

# The `warcio` command, run by this interpreter whatever is on PATH.
WARCIO = [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())"]
CDXJ_INDEXER = [sys.executable, "-c", "import sys; from cdxj_indexer.main import main; sys.exit(main())"]


@pytest.fixture
def server():
    with Server() as s:
        yield s


# The loopback server is one origin: no interval between its requests, no retries of its 404s.
LOCAL = {"allow_private": True, "wayback": False, "min_interval": 0.0, "retries": 0}


@pytest.fixture
def setup(tmp_path):
    settings = Settings(db=tmp_path / "p.db", max_bytes=50_000, archive_dir=tmp_path / "archive", **LOCAL)
    db = database.connect(settings.db)
    run_id = writes.start_run(db, "archive", {})
    resolver = Resolver(settings)
    archiver = Archiver(settings, db, run_id, resolver.fetcher)
    yield settings, db, resolver, archiver
    archiver.close()
    resolver.close()


def resolve_and_capture(resolver, db, archiver, url):
    res = resolver.resolve(url)
    writes.record_resolution(db, archiver.run_id, res)
    return res, archiver.capture(res)


def records(directory):
    """Every record of every file, read with digests checked: (headers, http headers, raw payload)."""
    out = []
    for path in warc_files(directory):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for rec in it:
                raw = rec.raw_stream.read()
                assert rec.digest_checker.passed is not False, rec.digest_checker.problems
                rec.offset = it.get_record_offset()
                out.append((rec.rec_headers, rec.http_headers, raw, rec))
    return out


def test_gzip_chunked_and_truncated_bodies_are_stored_as_received(server, setup):
    settings, db, resolver, archiver = setup
    for path in ("/gzip", "/chunked", "/big"):
        res, caps = resolve_and_capture(resolver, db, archiver, server.url(path))
        assert res.status is Status.ALIVE
        assert [c.record_type for c in caps] == ["response", "request"]
    archiver.close()
    [path] = warc_files(settings.warc_dir())
    assert path.name == f"provenance-{archiver.run_id}-00001.warc.gz"  # named by run and sequence, and closed
    recs = records(settings.warc_dir())
    assert recs[0][0].get_header("WARC-Type") == "warcinfo"
    responses = {h.get_header("WARC-Target-URI"): (h, http, raw) for h, http, raw, _ in recs
                 if h.get_header("WARC-Type") == "response"}

    h, http, raw = responses[server.url("/gzip")]
    assert http.get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(raw) == GZIP_HTML  # stored content-encoded, as the server sent it
    assert h.get_header("WARC-Payload-Digest") == payload_digest(raw)
    assert h.get_header("WARC-Truncated") is None
    assert h.get_header("WARC-IP-Address") == "127.0.0.1"  # the address the fetcher dialled

    h, http, raw = responses[server.url("/chunked")]
    assert raw == b"".join(CHUNKS)  # chunk framing removed …
    assert http.get_header("Transfer-Encoding") is None  # … so the header no longer claims it
    assert http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"

    h, http, raw = responses[server.url("/big")]
    assert h.get_header("WARC-Truncated") == "length"
    assert raw == BIG[:50_000]

    requests_ = [h for h, *_ in recs if h.get_header("WARC-Type") == "request"]
    response_ids = {h.get_header("WARC-Record-ID") for h, *_ in responses.values()}
    assert len(requests_) == 3
    assert {h.get_header("WARC-Concurrent-To") for h in requests_} == response_ids
    first_request = next(r for r in recs if r[0].get_header("WARC-Type") == "request")
    assert first_request[1].protocol == "GET" and first_request[1].get_header("Host").startswith("127.0.0.1:")


def test_captures_rows_point_at_the_records(server, setup):
    settings, db, resolver, archiver = setup
    resolve_and_capture(resolver, db, archiver, server.url("/redirect"))
    archiver.close()
    rows = list(db.query("SELECT u.url, c.* FROM captures c JOIN urls u ON u.id = c.url_id ORDER BY c.id"))
    # the hop (301) and the final page, each a response + request pair
    assert [(r["url"], r["record_type"], r["http_status"]) for r in rows] == [
        (server.url("/redirect"), "response", 301), (server.url("/redirect"), "request", None),
        (server.url("/page"), "response", 200), (server.url("/page"), "request", None)]
    page = rows[2]
    assert page["size"] == len(PAGE) and page["content_type"].startswith("text/html")
    assert page["resolution_id"] == queries.latest_resolution_id(db, server.url("/redirect"))
    with open(settings.warc_dir() / page["warc_file"], "rb") as fh:
        fh.seek(page["offset"])
        blob = fh.read(page["length"])
    rec = next(iter(ArchiveIterator(__import__("io").BytesIO(blob))))
    assert rec.rec_headers.get_header("WARC-Record-ID") == page["record_id"]
    assert rec.rec_headers.get_header("WARC-Payload-Digest") == page["payload_digest"] == payload_digest(PAGE)


def test_same_url_not_captured_twice_within_the_freshness_window(server, setup):
    settings, db, resolver, archiver = setup
    _, first = resolve_and_capture(resolver, db, archiver, server.url("/page"))
    _, second = resolve_and_capture(resolver, db, archiver, server.url("/page"))
    assert len(first) == 2 and second == []


def test_identical_payload_is_written_as_a_revisit(server, setup):
    settings, db, resolver, archiver = setup
    _, first = resolve_and_capture(resolver, db, archiver, server.url("/same-a"))
    _, second = resolve_and_capture(resolver, db, archiver, server.url("/same-b"))
    assert second[0].record_type == "revisit" and second[0].refers_to == first[0].record_id
    archiver.close()
    revisit = next(h for h, *_ in records(settings.warc_dir()) if h.get_header("WARC-Type") == "revisit")
    assert revisit.get_header("WARC-Refers-To") == first[0].record_id
    assert revisit.get_header("WARC-Refers-To-Target-URI") == server.url("/same-a")
    assert revisit.get_header("WARC-Payload-Digest") == payload_digest(SAME)
    assert revisit.get_header("WARC-Profile").endswith("identical-payload-digest")


def test_dead_pages_and_cached_resolutions_are_not_captured(server, setup):
    settings, db, resolver, archiver = setup
    res, caps = resolve_and_capture(resolver, db, archiver, server.url("/gone"))
    assert res.status is Status.DEAD and caps == []
    res = resolver.resolve(server.url("/page"))
    res.exchanges, res.from_cache = [], True
    assert archiver.capture(res) == []


def test_files_rotate_at_the_size_setting(server, tmp_path):
    settings = Settings(db=tmp_path / "p.db", warc_size=1, freshness_hours=0,
                        archive_dir=tmp_path / "archive", **LOCAL)
    db = database.connect(settings.db)
    resolver = Resolver(settings)
    run_id = writes.start_run(db, "archive", {})
    archiver = Archiver(settings, db, run_id, resolver.fetcher)
    for path in ("/page", "/gzip", "/chunked"):
        resolve_and_capture(resolver, db, archiver, server.url(path))
    archiver.close()
    resolver.close()
    names = [p.name for p in warc_files(settings.warc_dir())]
    assert names == [f"provenance-{run_id}-0000{i}.warc.gz" for i in (1, 2, 3)]
    for path in warc_files(settings.warc_dir()):  # each file starts with its own warcinfo
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_headers.get_header("WARC-Type") == "warcinfo"


def test_file_is_open_while_written_and_renamed_when_closed(server, setup):
    settings, db, resolver, archiver = setup
    resolve_and_capture(resolver, db, archiver, server.url("/page"))
    assert [p.name.endswith(".warc.gz.open") for p in warc_files(settings.warc_dir())] == [True]
    archiver.close()
    assert [p.name.endswith(".warc.gz") for p in warc_files(settings.warc_dir())] == [True]


def test_concurrent_writers_leave_whole_records(server, setup):
    settings, db, resolver, archiver = setup
    paths = ("/page", "/gzip", "/chunked", "/big")
    exchanges = [resolver.resolve(server.url(p)).exchanges[-1] for p in paths]
    written = []

    def write(ex):
        written.extend(archiver.store.write_exchange(ex))

    threads = [threading.Thread(target=write, args=(ex,)) for ex in exchanges * 5]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    archiver.close()
    recs = records(settings.warc_dir())
    assert len(recs) == 1 + 40 and len(written) == 40
    offsets = {(c.warc_file, c.offset) for c in written}
    assert len(offsets) == 40  # no two records share a place


@pytest.mark.slow  # warcio and cdxj-indexer in subprocesses
def test_standard_indexers_accept_the_files(server, setup):
    settings, db, resolver, archiver = setup
    for path in ("/redirect", "/gzip", "/chunked", "/big", "/same-a", "/same-b"):
        resolve_and_capture(resolver, db, archiver, server.url(path))
    archiver.close()
    files = [str(p) for p in warc_files(settings.warc_dir())]
    index = subprocess.run([*WARCIO, "index", "-f", "warc-type,warc-target-uri,offset",
                            *files], capture_output=True, text=True, check=True).stdout
    assert index.count('"warc-type": "response"') == 6 and '"warc-type": "revisit"' in index
    check = subprocess.run([*WARCIO, "check", "-v", *files], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    cdxj = subprocess.run([*CDXJ_INDEXER, *files], capture_output=True, text=True, check=True).stdout
    lines = [line for line in cdxj.splitlines() if line.strip()]
    assert len(lines) == 7  # 6 responses (the 301 hop included) + 1 revisit; requests are not indexed
    assert any(f'"url": "{server.url("/page")}"' in line and '"status": "200"' in line for line in lines)


def test_archive_command_records_and_prints_what_it_captured(tmp_path, server):
    from typer.testing import CliRunner

    from provenance.cli import app

    db, arch = tmp_path / "p.db", tmp_path / "archive"
    args = ["--allow-private", "--no-wayback", "--min-interval", "0",
            "--db", str(db), "--archive-dir", str(arch)]
    result = CliRunner().invoke(app, ["archive", server.url("/redirect"), *args])
    assert result.exit_code == 0, result.output
    assert "warc     response provenance-1-00001.warc.gz@" in result.output
    conn = database.connect(db)
    assert conn.execute("SELECT command, status FROM runs").fetchall() == [("archive", "done")]
    assert conn.execute("SELECT count(*) FROM resolutions").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM captures WHERE run_id = 1").fetchone()[0] == 4
    again = CliRunner().invoke(app, ["archive", server.url("/redirect"), *args])
    assert again.exit_code == 0 and "already captured within the last 24 h" in again.output
    result = CliRunner().invoke(app, ["archive", server.url("/gone"), *args])
    assert result.exit_code == 1 and "dead" in result.output  # a dead URL: done, with broken references
    assert CliRunner().invoke(app, ["archive", "--save", server.url("/page"), *args],
                              env={"PROVENANCE_SPN_ACCESS_KEY": ""}).exit_code == 2  # --save without keys


def test_peer_address_and_time_cut_are_written(tmp_path):
    from provenance.archive import WarcStore
    from provenance.models import Exchange

    ex = Exchange(url="https://example.org/a?b=1", method="GET", request_headers=[("User-Agent", "t")],
                  http_status=200, reason="OK", response_headers=[("Content-Type", "text/html")],
                  body=b"<p>part", peer_ip="203.0.113.5", started_at="2025-07-01T10:00:00.5+02:00",
                  truncated="time")
    store = WarcStore(tmp_path, "t")
    resp, req = store.write_exchange(ex)
    store.close()
    assert (resp.truncated, resp.captured_at) == ("time", "2025-07-01T08:00:00+00:00")
    [(h, http, raw, _), (rh, rhttp, _, _)] = [r for r in records(tmp_path)
                                              if r[0].get_header("WARC-Type") != "warcinfo"]
    assert h.get_header("WARC-IP-Address") == rh.get_header("WARC-IP-Address") == "203.0.113.5"
    assert h.get_header("WARC-Truncated") == "time" and raw == b"<p>part"
    assert h.get_header("WARC-Date") == "2025-07-01T08:00:00Z"
    assert rhttp.statusline == "/a?b=1 HTTP/1.1" and rhttp.get_header("Host") == "example.org"


def test_archivers_of_one_run_share_the_wayback_gate_and_another_run_has_its_own(tmp_path):
    """The run owns its gate: every archiver of it (a batch holds two) waits on it; a second run in
    the same process (a library user's) is not slowed down or paused by the first one's 429."""
    from provenance.run import RunContext

    settings = Settings(db=tmp_path / "p.db", archive_dir=tmp_path / "archive", wayback_interval=1.5)
    with RunContext.open(settings, "archive", {}) as ctx, RunContext.open(settings, "archive", {}) as other:
        two = ctx.archiver_on(ctx.connect())
        assert ctx.archiver.wayback.gate is two.wayback.gate is ctx.gate and ctx.gate.interval == 1.5
        assert two.store is ctx.archiver.store  # one run's records go into one run's files
        ctx.gate.pause("rate_limited")
        assert other.gate is not ctx.gate and other.gate.paused is None


def test_non_ascii_headers_and_urls_are_written_as_on_the_wire(tmp_path):
    from provenance.archive import WarcStore
    from provenance.archive.verify import check_file
    from provenance.models import Exchange

    # http.client hands header bytes over decoded as ISO-8859-1: "cafÃ©" is the UTF-8 of "café".
    ex = Exchange(url="https://example.org/café?q=ü", method="GET", request_headers=[], http_status=200,
                  reason="OK", body=b"ok",
                  response_headers=[("X-Title", "cafÃ©"), ("Link", "<https://example.org/é>; rel=x")])
    store = WarcStore(tmp_path, "t")
    store.write_exchange(ex)
    store.close()
    [path] = warc_files(tmp_path)
    assert check_file(path).ok
    resp = next(r for r in records(tmp_path) if r[0].get_header("WARC-Type") == "response")
    assert resp[0].get_header("WARC-Target-URI") == "https://example.org/caf%C3%A9?q=%C3%BC"
    block = zlib.decompress(path.read_bytes()[resp[3].offset:], 16 + zlib.MAX_WBITS)
    assert b"X-Title: caf\xc3\xa9\r\n" in block  # the server's own bytes, not re-encoded
    assert resp[1].get_header("X-Title") == "café"  # which a reader decodes as the UTF-8 they were


def _failing_write(monkeypatch, err: int):
    """The WARC file's next write puts half a record on disk, then fails with `err`."""
    from provenance.archive import warc

    real = warc._write
    state = {"failed": False}

    def write(fd, data):
        if not state["failed"]:
            state["failed"] = True
            real(fd, bytes(data[: len(data) // 2]))
            raise OSError(err, os.strerror(err))
        return real(fd, data)

    monkeypatch.setattr(warc, "_write", write)
    return state


def test_a_failed_write_leaves_whole_records_and_the_audit_going(server, setup, monkeypatch):
    from provenance.archive.verify import check_file

    settings, db, resolver, archiver = setup
    resolve_and_capture(resolver, db, archiver, server.url("/page"))
    _failing_write(monkeypatch, errno.EIO)
    res, caps = resolve_and_capture(resolver, db, archiver, server.url("/gzip"))
    assert res.status is Status.ALIVE and caps == []
    archiver.close()
    [path] = warc_files(settings.warc_dir())
    assert check_file(path).ok and db["captures"].count == 2


def test_a_full_disk_stops_the_capture_with_whole_records_and_nothing_recorded(server, setup, monkeypatch):
    from provenance.archive.verify import check_file
    from provenance.errors import DiskFull

    settings, db, resolver, archiver = setup
    resolve_and_capture(resolver, db, archiver, server.url("/page"))
    _failing_write(monkeypatch, errno.ENOSPC)
    with pytest.raises(DiskFull, match="disk full: could not save .*/gzip.*free space and run the same command"):
        resolve_and_capture(resolver, db, archiver, server.url("/gzip"))
    archiver.close()  # closes without a second error
    [path] = warc_files(settings.warc_dir())
    assert check_file(path).ok and db["captures"].count == 2


def test_a_body_cut_by_the_deadline_is_marked_truncated_time(server, tmp_path):
    settings = Settings(db=tmp_path / "p.db", archive_dir=tmp_path / "archive", deadline=0.5, **LOCAL)
    db = database.connect(settings.db)
    resolver = Resolver(settings)
    archiver = Archiver(settings, db, None, resolver.fetcher)
    try:
        res, caps = resolve_and_capture(resolver, db, archiver, server.url("/drip"))
    finally:
        archiver.close()
        resolver.close()
    assert res.status is Status.ALIVE
    assert caps[0].truncated == "time" and 0 < caps[0].size < len(BIG)
    [(h, http, raw, _)] = [r for r in records(settings.warc_dir()) if r[0].get_header("WARC-Type") == "response"]
    assert h.get_header("WARC-Truncated") == "time" and BIG.startswith(raw)
    assert http.get_header("Content-Length") == str(len(raw))  # a replay promises what is stored
    assert http.get_header("X-Archive-Orig-Content-Length") == str(len(BIG))


def replay(status_and_headers, payload: bytes) -> bytes:
    """Serve a stored response on 127.0.0.1 as a replay tool does (its headers, then its payload, then
    close), and fetch it with a client that trusts Content-Length: what the client received."""
    import socket

    import requests

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(status_and_headers.to_bytes() + payload)
        listener.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        return requests.get(f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=30).content
    finally:
        t.join(30)


def test_a_truncated_capture_says_its_true_length_and_replays_whole(server, setup):
    """A body cut at the size cap kept the server's Content-Length, over the bytes stored: a replay
    promised bytes it did not have, and its clients stalled. The stored length is now the true one."""
    settings, db, resolver, archiver = setup
    resolve_and_capture(resolver, db, archiver, server.url("/big"))
    archiver.close()
    [(h, http, raw, _)] = [r for r in records(settings.warc_dir()) if r[0].get_header("WARC-Type") == "response"]
    assert h.get_header("WARC-Truncated") == "length" and len(raw) == 50_000
    assert http.get_header("Content-Length") == str(len(raw))
    assert http.get_header("X-Archive-Orig-Content-Length") == str(len(BIG))
    assert replay(http, raw) == raw


def test_a_whole_capture_keeps_its_content_length_as_sent(server, setup):
    settings, db, resolver, archiver = setup
    resolve_and_capture(resolver, db, archiver, server.url("/gzip"))
    archiver.close()
    [(h, http, raw, _)] = [r for r in records(settings.warc_dir()) if r[0].get_header("WARC-Type") == "response"]
    assert http.get_header("Content-Length") == str(len(raw))
    assert http.get_header("X-Archive-Orig-Content-Length") is None


# --- captures written away from the database (a cluster's worker) ----------------------------------


def _page(url: str, body: bytes, status: int = 200):
    from provenance.models import Exchange

    return Exchange(url=url, method="GET", request_headers=[("User-Agent", "t")], http_status=status, reason="OK",
                    response_headers=[("Content-Type", "text/html")], body=body,
                    started_at="2025-07-01T10:00:00+00:00")


def _alive(url: str, *exchanges):
    from provenance.models import Resolution, Status

    return Resolution(url=url, final_url=exchanges[-1].url, status=Status.ALIVE, exchanges=list(exchanges))


def test_a_detached_writer_decides_as_the_archiver_does_from_what_it_wrote(tmp_path):
    """A worker has no database: a page it kept this run is not kept again, a payload it stored becomes a
    revisit of its own record, and its files carry the run and the worker in their names."""
    from provenance.archive.detached import DetachedCapture
    from provenance.models import Resolution, Status
    from provenance.settings import Settings

    cap = DetachedCapture(Settings(db=tmp_path / "p.db", archive_dir=tmp_path / "warc"), "7", "w3")
    first, err = cap.capture(_alive("http://a.test/s", _page("http://a.test/s", b"", 301),
                                    _page("http://a.test/p", b"<p>same</p>")))
    assert err is None and [c.record_type for c in first] == ["response", "request", "response", "request"]
    again, _ = cap.capture(_alive("http://a.test/p", _page("http://a.test/p", b"<p>same</p>")))
    assert again == []  # kept already this run
    copy, _ = cap.capture(_alive("http://b.test/q", _page("http://b.test/q", b"<p>same</p>")))
    assert copy[0].record_type == "revisit" and copy[0].refers_to == first[2].record_id
    dead = Resolution(url="http://a.test/x", final_url=None, status=Status.DEAD,
                      exchanges=[_page("http://a.test/x", b"gone", 404)])
    assert cap.capture(dead) == ([], None)
    cap.close()
    assert [p.name for p in (tmp_path / "warc").iterdir()] == ["provenance-7-w3-00001.warc.gz"]
    assert {c.warc_file for c in first + copy} == {"provenance-7-w3-00001.warc.gz"}
    uris = [h.get_header("WARC-Target-URI") for h, *_ in records(tmp_path / "warc")
            if h.get_header("WARC-Type") == "response"]
    assert uris == ["http://a.test/s", "http://a.test/p"]


def test_a_detached_writer_on_a_full_disk_gives_back_what_it_wrote_and_what_it_could_not(tmp_path, monkeypatch):
    from provenance.archive.detached import DetachedCapture
    from provenance.settings import Settings

    cap = DetachedCapture(Settings(db=tmp_path / "p.db", archive_dir=tmp_path / "warc"), "7", "w0")
    cap.capture(_alive("http://a.test/0", _page("http://a.test/0", b"<p>0</p>")))  # the file is open
    from provenance.archive import warc

    real, calls = warc._write, []

    def write(fd, data):  # the second exchange finds the disk full
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(warc, "_write", write)
    written, full = cap.capture(_alive("http://a.test/1", _page("http://a.test/1", b"<p>1</p>"),
                                       _page("http://a.test/2", b"<p>2</p>")))
    assert [c.url for c in written] == ["http://a.test/1"] * 2  # recorded by the writer before the run stops
    assert full is not None and "http://a.test/2" in full
    cap.close()
    assert [h.get_header("WARC-Target-URI") for h, *_ in records(tmp_path / "warc")
            if h.get_header("WARC-Type") == "response"] == ["http://a.test/0", "http://a.test/1"]
