"""Archives nobody on the team wrote: bombs, climbing zip names, huge header lines, ARC files,
redirects and revisits, damage in the middle, junk in URL lists. Every input is built here, small
on disk; a bomb is one compressed block repeated, so building it takes well under a second."""

from __future__ import annotations

import gzip
import io
import stat
import tracemalloc
import zipfile
import zlib
from collections import Counter

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import sources
from provenance.cli import app
from provenance.errors import InputError
from provenance.ingest import MAX_DOCUMENT_BYTES
from tests.test_sources import assert_read_alike, items

PAGE = b"<html><head><title>T</title></head><body><p>Story <a href='http://127.0.0.1:9/x'>x</a></p></body></html>"
MIB = 1 << 20


def deflate_bomb(prefix: bytes, unit: bytes, count: int, suffix: bytes = b"") -> bytes:
    """One gzip member of `prefix + unit * count + suffix`, made by repeating one compressed block:
    a full flush ends each block on a byte boundary with no history, so its bytes can be repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(suffix) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    size = (len(prefix) + len(unit) * count + len(suffix)) & 0xFFFFFFFF
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head + block * count + tail
            + crc.to_bytes(4, "little") + size.to_bytes(4, "little"))


def gzip_bomb(mib: int) -> bytes:
    """A gzipped 'page' of `mib` MiB: HTML, then spaces."""
    return deflate_bomb(b"<html><body><p>Bomb.</p>", b" " * MIB, mib)


def peak_of(fn):
    """What `fn` returns, and the most memory Python held meanwhile (bytes objects included)."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()




# -- 1, 18: every decompression capped, on every path -----------------------------------------------


def test_bomb_builder_makes_valid_gzip():
    assert gzip.decompress(gzip_bomb(3)).startswith(b"<html>") and len(gzip.decompress(gzip_bomb(3))) == 3 * MIB + 24


def test_a_gzipped_page_inside_a_zip_is_cut_at_the_cap(tmp_path):
    z = tmp_path / "pages.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("story.html.gz", gzip_bomb(256))
        zf.writestr("other.html", PAGE)
    got, peak = peak_of(lambda: items([z], deferred_too=False))  # both readings at once would hold twice
    assert [i.key for i in got] == [f"{z}#story.html.gz", f"{z}#other.html"]
    assert len(got[0].data) == MAX_DOCUMENT_BYTES + 1 and got[0].data.startswith(b"<html>")
    assert peak < 3 * MAX_DOCUMENT_BYTES  # 256 MiB unpacked would be read whole without the cap
    unread, peak = peak_of(lambda: assert_read_alike([z], got))  # yielded unread, read where extracted: cut alike
    assert [i.key for i in unread] == [i.key for i in got] and peak < 3 * MAX_DOCUMENT_BYTES


def test_a_gzip_bomb_on_every_path_is_cut_and_noted(tmp_path):
    bomb = gzip_bomb(128)
    (tmp_path / "a.html").write_bytes(bomb)  # the name says HTML, the content says gzip
    for got in (items([tmp_path / "a.html"]), items(["-"], stdin=io.BytesIO(bomb))):
        assert len(got) == 1 and len(got[0].data) == MAX_DOCUMENT_BYTES + 1
    article, peak = peak_of(lambda: sources.read_one(str(tmp_path / "a.html")))
    assert article.notes == [f"truncated at {MAX_DOCUMENT_BYTES} bytes"] and article.is_html
    assert peak < 4 * MAX_DOCUMENT_BYTES
    assert sources.read_one("-", stdin=io.BytesIO(bomb)).notes == article.notes


def test_a_content_encoded_warc_payload_is_cut_at_the_cap(tmp_path):
    warc = tmp_path / "enc.warc.gz"
    with open(warc, "wb") as f:
        w = WARCWriter(f, gzip=True)
        body = gzip_bomb(64)
        hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                         ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("http://news.example/enc", "response", payload=io.BytesIO(body),
                                            http_headers=hh))
    got, peak = peak_of(lambda: items([warc], deferred_too=False))  # both readings at once would hold twice
    assert len(got) == 1 and len(got[0].data) == MAX_DOCUMENT_BYTES + 1
    assert peak < 4 * MAX_DOCUMENT_BYTES
    walked, peak = peak_of(lambda: list(sources.iter_sources([str(warc)], defer_files=True)))
    assert walked[0].data is None and peak < MAX_DOCUMENT_BYTES  # the walk passes over the payload, holding none
    assert [sources.read_deferred(walked[0])] == got


def _chunked(body: bytes) -> bytes:
    half = len(body) // 2
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:half], body[half:])) + b"0\r\n\r\n"


@pytest.mark.parametrize("encoding, pack", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
    ("identity", lambda b: b),
])
@pytest.mark.parametrize("chunked", [False, True])
def test_warc_payloads_are_unpacked_whatever_their_framing(tmp_path, encoding, pack, chunked):
    body = pack(PAGE)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", encoding)]
    if chunked:
        body, headers = _chunked(body), [*headers, ("Transfer-Encoding", "chunked")]
    warc = tmp_path / "p.warc"
    warc.write_bytes(warc_record("http://news.example/p", body, extra=headers[1:]))
    [doc] = items([warc])
    assert doc.data == PAGE


def test_extract_reads_a_gzipped_page_whatever_its_name(tmp_path):
    page = tmp_path / "story.html"
    page.write_bytes(gzip.compress(PAGE))
    result = CliRunner().invoke(app, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:9/x" in result.output


def test_audit_reads_through_the_same_path(tmp_path):
    page = tmp_path / "story.html"
    page.write_bytes(gzip.compress(PAGE))
    result = CliRunner().invoke(app, ["audit", str(page), "--offline", "--db", str(tmp_path / "p.db"),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:9/x" in result.output


def test_extract_of_an_archive_with_many_articles_points_to_batch(tmp_path):
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.html", PAGE)
        zf.writestr("b.html", PAGE)
    with pytest.raises(InputError, match="more than one article"):
        sources.read_one(str(z))
    with zipfile.ZipFile(tmp_path / "one.zip", "w") as zf:
        zf.writestr("a.html", PAGE)
    assert sources.read_one(str(tmp_path / "one.zip")).source == f"{tmp_path / 'one.zip'}#a.html"


# -- 2: zip names that climb out, symbolic links, hidden files ---------------------------------------


def test_zip_members_named_with_dotdot_are_read_under_a_safe_key(tmp_path):
    z = tmp_path / "climb.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("story.html", PAGE)
        for n in range(4):
            zf.writestr(f"../../story{n}.html", PAGE)
        zf.writestr("/etc/story.html", PAGE)
        link = zipfile.ZipInfo("link.html")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("__MACOSX/._story.html", b"\x00\x05\x16\x07")
    skipped = Counter()
    got = items([z], skipped=skipped)
    docs = [i.key for i in got if isinstance(i, sources.Document)]
    assert docs == [f"{z}#story.html"] + [f"{z}#%2E%2E/%2E%2E/story{n}.html" for n in range(4)] + [
        f"{z}#%2Fetc/story.html"]
    assert [(i.key, i.reason) for i in got if isinstance(i, sources.Broken)] == [
        (f"{z}#link.html", "a symbolic link inside a zip: not followed")]
    assert skipped == {"hidden file": 1}
    assert not (tmp_path.parent / "story0.html").exists()


def test_the_same_name_twice_in_a_zip_is_two_items(tmp_path):
    z = tmp_path / "dup.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.html", PAGE)
        with pytest.warns(UserWarning):
            zf.writestr("a.html", PAGE.replace(b"Story", b"Other"))
    assert [i.key for i in items([z])] == [f"{z}#a.html", f"{z}#a.html~2"]


# -- 3: huge header lines ---------------------------------------------------------------------------


def warc_record(uri: str, body: bytes, status: str = "200 OK", ctype: str = "text/html",
                extra: list[tuple[str, str]] | None = None) -> bytes:
    """One WARC response record, uncompressed."""
    out = io.BytesIO()
    w = WARCWriter(out, gzip=False)
    hh = StatusAndHeaders(status, [("Content-Type", ctype), *(extra or [])], protocol="HTTP/1.1")
    w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=hh))
    return out.getvalue()


def header_bomb(mib: int) -> bytes:
    """A gzipped WARC response record whose one HTTP header line is `mib` MiB long."""
    http_len = len(b"HTTP/1.1 200 OK\r\nX-Junk: ") + mib * MIB + len(b"\r\n\r\n" + PAGE)
    prefix = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:bomb>\r\n"
              b"WARC-Target-URI: http://news.example/bomb\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
              b"Content-Type: application/http; msgtype=response\r\n"
              + f"Content-Length: {http_len}\r\n\r\n".encode() + b"HTTP/1.1 200 OK\r\nX-Junk: ")
    return deflate_bomb(prefix, b"a" * MIB, mib, b"\r\n\r\n" + PAGE + b"\r\n\r\n")


@pytest.mark.parametrize("gz", [True, False])
def test_a_huge_header_line_makes_one_malformed_record_and_the_rest_still_count(tmp_path, gz):
    first = warc_record("http://news.example/1", PAGE)
    last = warc_record("http://news.example/2", PAGE)
    bomb = header_bomb(64)
    if gz:
        data = gzip.compress(first) + bomb + gzip.compress(last)
    else:
        data = first + zlib.decompress(bomb, 16 + zlib.MAX_WBITS) + last
    warc = tmp_path / ("h.warc.gz" if gz else "h.warc")
    warc.write_bytes(data)
    got, peak = peak_of(lambda: items([warc], deferred_too=False))  # both readings at once would hold twice
    assert [i.url for i in got if isinstance(i, sources.Document)] == ["http://news.example/1",
                                                                        "http://news.example/2"]
    [broken] = [i for i in got if isinstance(i, sources.Broken)]
    assert "malformed WARC record" in broken.reason and "header line over" in broken.reason
    assert peak < 16 * MIB
    unread, peak = peak_of(lambda: assert_read_alike([warc], got))
    assert len(unread) == 2 and peak < 16 * MIB


# -- 12: ARC files ---------------------------------------------------------------------------------


def arc_file(pages: list[tuple[str, str, bytes]]) -> bytes:
    """An ARC v1 file: the filedesc record, then one record per (uri, content type, HTTP response)."""
    version = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://t.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(version) + version + b"\n"
    for uri, ctype, response in pages:
        out += f"{uri} 127.0.0.1 20240101000000 {ctype} {len(response)}\n".encode() + response + b"\n"
    return out


def http(body: bytes, ctype: str = "text/html", status: str = "200 OK") -> bytes:
    return f"HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\n\r\n".encode() + body


@pytest.mark.parametrize("gz", [False, True])
def test_arc_files_are_read_as_archives(tmp_path, gz):
    data = arc_file([("http://news.example/a", "text/html", http(PAGE)),
                     ("http://news.example/logo.png", "image/png", http(b"\x89PNG", "image/png")),
                     ("http://news.example/b", "text/html", http(PAGE.replace(b"Story", b"Other")))])
    arc = tmp_path / "crawl.bin"
    if gz:  # one gzip member a record, as ARC files are compressed
        records = data.split(b"\n\n", 1)[0] + b"\n\n", data.split(b"\n\n", 1)[1]
        data = gzip.compress(records[0]) + b"".join(
            gzip.compress(r + b"\n") for r in records[1].split(b"\nhttp://")[0:1]) + b"".join(
            gzip.compress(b"http://" + r + b"\n") for r in records[1].split(b"\nhttp://")[1:])
    arc.write_bytes(data)
    skipped = Counter()
    got = items([arc], skipped=skipped)
    assert [(type(i).__name__, i.url) for i in got] == [("Document", "http://news.example/a"),
                                                        ("Document", "http://news.example/b")]
    assert got[1].data.startswith(b"<html>") and b"Other" in got[1].data
    assert skipped == {"not HTML": 1}


# -- 13: redirects, error pages, revisits, damage in the middle ------------------------------------


def test_redirects_and_error_pages_are_skipped_and_counted(tmp_path):
    warc = tmp_path / "r.warc"
    warc.write_bytes(
        warc_record("http://news.example/moved", b"", "302 Found", extra=[("Location", "/new")])
        + warc_record("http://news.example/moved2", b"<html><title>302 Found</title></html>", "302 Found")
        + warc_record("http://news.example/gone", b"<html><title>Not here</title></html>", "404 Not Found")
        + warc_record("http://news.example/new", PAGE))
    skipped = Counter()
    got = items([warc], skipped=skipped)
    assert [i.url for i in got] == ["http://news.example/new"] and isinstance(got[0], sources.Document)
    assert skipped == {"redirect": 2, "HTTP error": 1}


def test_a_revisit_under_another_url_is_its_original_page(tmp_path):
    warc = tmp_path / "v.warc.gz"
    with open(warc, "wb") as f:
        w = WARCWriter(f, gzip=True)
        hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        orig = w.create_warc_record("http://news.example/a", "response", payload=io.BytesIO(PAGE), http_headers=hh)
        w.write_record(orig)
        digest = orig.rec_headers.get_header("WARC-Payload-Digest")
        w.write_record(w.create_revisit_record("http://mirror.example/a", digest, "http://news.example/a",
                                               orig.rec_headers.get_header("WARC-Date"), http_headers=hh))
        w.write_record(w.create_revisit_record("http://mirror.example/b", "sha1:NOTHERE", "http://x.example/",
                                               "2024-01-01T00:00:00Z", http_headers=hh))
    skipped = Counter()
    got = items([warc], skipped=skipped)
    assert [(i.url, i.data) for i in got] == [("http://news.example/a", PAGE), ("http://mirror.example/a", PAGE)]
    assert got[1].charset == "utf-8" and got[1].key != got[0].key
    assert skipped == {"revisit of a record not read": 1}


@pytest.mark.parametrize("gz", [True, False])
def test_garbage_in_the_middle_is_one_broken_item_and_reading_resumes(tmp_path, gz):
    records = [warc_record(f"http://news.example/{n}", PAGE) for n in range(20)]
    pack = gzip.compress if gz else (lambda b: b)
    garbage = b"\x00\x01 this is not a WARC record \xff" * 50
    warc = tmp_path / "g.warc"
    warc.write_bytes(b"".join(pack(r) for r in records[:3]) + garbage + b"".join(pack(r) for r in records[3:]))
    got = items([warc])
    assert [i.url for i in got if isinstance(i, sources.Document)] == [f"http://news.example/{n}" for n in range(20)]
    assert len([i for i in got if isinstance(i, sources.Broken)]) == 1


def test_a_record_cut_inside_a_compressed_member_loses_only_itself(tmp_path):
    records = [gzip.compress(warc_record(f"http://news.example/{n}", PAGE)) for n in range(5)]
    records[2] = records[2][: len(records[2]) // 2]
    warc = tmp_path / "c.warc.gz"
    warc.write_bytes(b"".join(records))
    got = items([warc])
    assert [i.url for i in got if isinstance(i, sources.Document)] == [
        f"http://news.example/{n}" for n in (0, 1, 3, 4)]
    assert any(isinstance(i, sources.Broken) for i in got)


# -- 14: URL lists judged line by line -------------------------------------------------------------


def test_junk_lines_in_a_url_list_are_named_and_skipped(tmp_path):
    lines = [f"https://news.example/{n}" for n in range(1000)]
    for n in range(9):
        lines.insert(100 * n + 50, f"junk line {n}")
    lst = tmp_path / "urls.txt"
    lst.write_text("# my list\n" + "\n".join(lines) + "\n")
    got = items([lst])
    docs = [i for i in got if isinstance(i, sources.Document)]
    broken = [i for i in got if isinstance(i, sources.Broken)]
    assert len(docs) == 1000 and all(d.data is None and d.key == d.url for d in docs)
    assert [b.key for b in broken] == [f"{lst}:{100 * n + 52}" for n in range(9)]
    assert all(b.reason.startswith("not a URL") for b in broken)


def test_prose_with_links_on_their_own_lines_stays_an_article(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("Sources for the story:\nhttps://news.example/a\nhttps://news.example/b\nSee both.\n")
    assert [i.key for i in items([text])] == [str(text)]


# -- the same, through a batch -----------------------------------------------------------------------


def test_a_batch_over_a_crawl_audits_its_pages_and_nothing_else(tmp_path):
    """Redirects (with and without a body) are no failure and no article; a revisit is its original's
    page; garbage in the middle is one failure and the pages after it are audited."""
    from provenance import batch as batch_mod
    from provenance.settings import Settings

    pages = [warc_record(f"http://news.example/{n}", PAGE.replace(b"Story", b"Story %d" % n)) for n in range(6)]
    crawl = (warc_record("http://news.example/old", b"", "301 Moved Permanently", extra=[("Location", "/0")])
             + warc_record("http://news.example/old2", b"<html><title>302 Found</title></html>", "302 Found")
             + b"".join(pages))
    (tmp_path / "crawl.warc").write_bytes(crawl)
    settings = Settings(db=tmp_path / "p.db", offline=True, wayback=False)
    summary = batch_mod.run_batch(settings, [str(tmp_path / "crawl.warc")], extract_workers=0)
    assert (summary.articles, summary.failed, summary.exit_code()) == (6, 0, 0)

    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(b"".join(pages[:2]) + b"garbage\r\n" * 40 + b"".join(pages[2:]))
    summary = batch_mod.run_batch(Settings(db=tmp_path / "q.db", offline=True, wayback=False), [str(damaged)],
                                  extract_workers=0)
    assert (summary.articles, summary.failed, summary.exit_code()) == (6, 1, 1)
    assert "malformed WARC record" in summary.failures[0]["reason"]


def test_a_url_list_over_the_cap_says_where_it_stopped(tmp_path, monkeypatch):
    for reader in (sources.sniff, sources.urllists):  # the file is read up to the cap, the list judged up to it
        monkeypatch.setattr(reader, "MAX_DOCUMENT_BYTES", 1000)
    lst = tmp_path / "long.txt"
    lst.write_text("".join(f"https://news.example/{n:04d}\n" for n in range(100)))  # 26 bytes a line
    got = items([lst])
    docs = [i for i in got if isinstance(i, sources.Document)]
    [cut] = [i for i in got if isinstance(i, sources.Broken)]
    assert [d.url for d in docs] == [f"https://news.example/{n:04d}" for n in range(38)]  # 38 whole lines in 1001
    assert cut.key == f"{lst}:39" and "not read" in cut.reason


def test_a_symbolic_link_loop_in_a_folder_is_walked_once(tmp_path):
    (tmp_path / "in" / "real").mkdir(parents=True)
    (tmp_path / "in" / "real" / "a.html").write_bytes(PAGE)
    (tmp_path / "in" / "real" / "up").symlink_to(tmp_path / "in")  # a loop
    skipped = Counter()
    got = items([tmp_path / "in"], skipped=skipped)
    assert [i.key for i in got] == [str(tmp_path / "in" / "real" / "a.html")]
    assert skipped == {"folder reached twice": 1}


@pytest.mark.parametrize("arc", [False, True])
def test_an_archive_gzipped_whole_is_read_as_the_stream_it_packs(tmp_path, arc):
    """`gzip crawl.warc` makes one member for the whole file, which warcio refuses after one record."""
    if arc:
        data = arc_file([(f"http://news.example/{n}", "text/html", http(PAGE)) for n in range(5)])
    else:
        data = b"".join(warc_record(f"http://news.example/{n}", PAGE) for n in range(5))
    path = tmp_path / "whole.gz"
    path.write_bytes(gzip.compress(data))
    got = items([path])
    assert [(type(i).__name__, i.url) for i in got] == [("Document", f"http://news.example/{n}") for n in range(5)]
    assert len({i.key for i in got}) == 5
    assert [i.key for i in got] == [i.key for i in items([path])]  # the same keys on every read


# -- what is yielded unread (a cluster's reader) is judged alike where it is read -------------------------


def test_damage_that_only_a_whole_read_finds_is_said_alike_by_whoever_reads_it(tmp_path):
    """A member whose bytes fail their CRC past the first 4 KB, and a record whose gzip content-encoding is
    junk: the walk passes over both unread, and the reader of each says what the walk alone would say."""
    big = PAGE.replace(b"</p>", b"</p>" + b"<p>More words.</p>" * 8000)
    z = tmp_path / "crc.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("bad.html", big)
        zf.writestr("good.html", PAGE)
    data = bytearray(z.read_bytes())
    at = data.index(b"More words.", len(data) // 2)
    data[at] ^= 0xFF
    z.write_bytes(bytes(data))
    warc = tmp_path / "enc.warc"
    warc.write_bytes(warc_record("http://news.example/junk", b"\x1f\x8b\x08\x00" + b"junk" * 100,
                                 extra=[("Content-Encoding", "gzip")])
                     + warc_record("http://news.example/fine", PAGE))
    got = items([z, warc])
    assert [(type(i).__name__, i.key) for i in got] == [
        ("Broken", f"{z}#bad.html"), ("Document", f"{z}#good.html"),
        ("Broken", f"{warc}#0"), ("Document", got[3].key)]
    assert got[0].reason.startswith("unreadable zip member (Bad CRC-32")
    assert got[2].reason.startswith("unreadable WARC record (")
    unread = assert_read_alike([z, warc], got)
    assert [i.key for i in unread] == [i.key for i in got]  # every one read by whoever extracts it


@pytest.mark.parametrize("gz", [True, False])
def test_a_file_that_ends_inside_a_page_says_so_once_however_it_is_read(tmp_path, gz):
    """The walk reads a page's record itself when it finds it cut short, so the one reason is the same."""
    pack = gzip.compress if gz else (lambda b: b)
    body = PAGE.replace(b"</p>", b"</p>" + b"<p>More.</p>" * 200)
    records = [pack(warc_record(f"http://news.example/{n}", body)) for n in range(3)]
    warc = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    warc.write_bytes(b"".join(records)[:-25 if gz else -len(records[2]) // 2])  # into its gzip trailer, or its page
    got = items([warc])  # the same items unread and read where extracted (`items` shows it)
    assert [type(i).__name__ for i in got] == ["Document", "Document", "Broken"]
    assert "truncated" in got[2].reason or "malformed" in got[2].reason
