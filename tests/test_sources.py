"""Batch sources: folders, WARC, zip, URL lists and stdin become items, judged by content, streamed."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections import Counter

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import sources
from provenance.ingest import stdin_key

PAGE = b"<html><head><title>T</title></head><body><p>Story <a href='http://127.0.0.1:9/x'>x</a></p></body></html>"


def write_warc(path, pages, gz=True, extra_types=True):
    """A WARC with one response record per (uri, body), plus a request and a non-HTML response."""
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=gz)
        for uri, body in pages:
            hh = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=iso-8859-1")], protocol="HTTP/1.1"
            )
            w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=hh))
            if extra_types:
                req = StatusAndHeaders(
                    f"GET {uri} HTTP/1.1", [("Host", "news.example")], is_http_request=True
                )
                w.write_record(
                    w.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=req)
                )
        if extra_types:
            hh = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            w.write_record(
                w.create_warc_record(
                    "http://news.example/logo.png",
                    "response",
                    payload=io.BytesIO(b"\x89PNG\r\n\x1a\n"),
                    http_headers=hh,
                )
            )


def items(srcs, deferred_too=True, **kw):
    """The items of `srcs`; unless told not to, each call also shows that yielding them unread and reading
    each where it is extracted (`read_deferred`, as a cluster's worker does) gives the same items, in the
    same order, with the same counts of what was passed over."""
    skipped = kw.pop("skipped", None)
    skipped = Counter() if skipped is None else skipped
    got = list(sources.iter_sources([str(s) for s in srcs], skipped=skipped, **kw))
    if deferred_too and "-" not in srcs and "wanted" not in kw and not kw.get("defer_files"):
        assert_read_alike(srcs, got, skipped, **kw)
    return got


def assert_read_alike(srcs, eager, skipped=None, **kw) -> list:
    """What `srcs` yield unread, once read where they are extracted, is `eager` item for item; returns the
    items that were yielded unread (with where to read them)."""
    passed: Counter[str] = Counter()
    lazy = list(sources.iter_sources([str(s) for s in srcs], skipped=passed, defer_files=True, **kw))
    unread = [i for i in lazy if isinstance(i, sources.Document) and i.path is not None]
    assert all(i.data is None for i in unread)
    assert [sources.read_deferred(i) if i in unread else i for i in lazy] == eager
    if skipped is not None:
        assert passed == skipped
    return unread


def test_folder_is_walked_recursively_and_judged_by_content(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a.html").write_bytes(PAGE)
    (tmp_path / "b" / "story.dat").write_text("Plain text story. According to Reuters, it rained.")
    (tmp_path / "b" / "deep" / "c.gz").write_bytes(gzip.compress(PAGE))
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    got = items([tmp_path])
    assert [i.key for i in got] == [
        str(tmp_path / "a.html"),
        str(tmp_path / "b" / "deep" / "c.gz"),
        str(tmp_path / "b" / "story.dat"),
    ]
    assert got[1].data == PAGE  # a gzip of a page is read as the page
    assert all(isinstance(i, sources.Document) for i in got)


def test_warc_response_records_with_html_are_articles_keyed_by_offset(tmp_path):
    warc = tmp_path / "crawl.bin"  # the name says nothing: the content does
    write_warc(
        warc, [("http://news.example/1", PAGE), ("http://news.example/2", PAGE.replace(b"Story", b"Other"))]
    )
    got = items([warc])
    assert [i.url for i in got] == ["http://news.example/1", "http://news.example/2"]
    assert got[0].key == f"{warc}#0" and got[1].key.startswith(f"{warc}#") and got[1].key != got[0].key
    assert got[0].charset == "iso-8859-1" and got[0].fetched_at and got[1].data.startswith(b"<html>")


def test_uncompressed_warc_and_warc_inside_a_folder(tmp_path):
    write_warc(tmp_path / "x.warc", [("http://news.example/1", PAGE)], gz=False)
    got = items([tmp_path])
    assert [i.url for i in got] == ["http://news.example/1"]


def test_resuming_skips_done_records_without_reading_them(tmp_path):
    warc = tmp_path / "c.warc.gz"
    write_warc(warc, [(f"http://news.example/{n}", PAGE) for n in range(5)])
    keys = [i.key for i in items([warc])]
    asked = []
    got = items([warc], wanted=lambda k: asked.append(k) or k not in keys[:3])
    assert asked == keys and [i.key for i in got] == keys[3:]


def test_zip_members_one_by_one(tmp_path):
    z = tmp_path / "pages.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("2024/a.html", PAGE)
        zf.writestr("2024/b.txt", "A plain story.")
        zf.writestr("__MACOSX/.junk", "x")
        buf = io.BytesIO()
        write_warc(tmp_path / "inner.warc.gz", [("http://news.example/z", PAGE)], extra_types=False)
        zf.write(tmp_path / "inner.warc.gz", "crawl/inner.warc.gz")
        (tmp_path / "inner.warc.gz").unlink()
        del buf
    got = items([z])
    assert [i.key for i in got] == [f"{z}#2024/a.html", f"{z}#2024/b.txt", f"{z}#crawl/inner.warc.gz#0"]
    assert got[2].url == "http://news.example/z" and got[2].data == PAGE


def test_url_list_by_content_and_not_inside_folders(tmp_path):
    lst = tmp_path / "links.whatever"
    lst.write_text("https://news.example/a\n\n  http://news.example/b  \nhttps://news.example/a\n")
    got = items([lst])
    assert [(i.key, i.url, i.data) for i in got] == [
        ("https://news.example/a", "https://news.example/a", None),
        ("http://news.example/b", "http://news.example/b", None),
    ]
    prose = tmp_path / "prose.txt"
    prose.write_text("https://news.example/a\nSee the report above.\n")
    assert [i.key for i in items([prose])] == [str(prose)]
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "l.txt").write_text("https://news.example/a\n")
    assert [i.key for i in items([folder])] == [str(folder / "l.txt")]  # inside a folder it is an article


def test_stdin_document_or_url_list():
    doc = items(["-"], stdin=io.BytesIO(PAGE))
    assert [(i.key, i.data) for i in doc] == [(stdin_key(PAGE), PAGE)]
    urls = items(["-"], stdin=io.BytesIO(b"http://news.example/1\nhttp://news.example/2\n"))
    assert [i.key for i in urls] == ["http://news.example/1", "http://news.example/2"]


def test_broken_inputs_are_items_with_reasons_and_the_rest_still_comes(tmp_path):
    good = tmp_path / "good.warc.gz"
    write_warc(good, [(f"http://news.example/{n}", PAGE) for n in range(3)], extra_types=False)
    data = good.read_bytes()
    (tmp_path / "trunc.warc.gz").write_bytes(data[:-25])
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "z.html").write_bytes(PAGE)
    got = items([tmp_path, tmp_path / "missing.html"])
    broken = {i.key: i.reason for i in got if isinstance(i, sources.Broken)}
    docs = [i.key for i in got if isinstance(i, sources.Document)]
    assert any("truncated" in r or "broken WARC" in r for k, r in broken.items() if "trunc" in k)
    assert any("zip" in r for k, r in broken.items() if k.endswith("bad.zip"))
    assert broken[str(tmp_path / "missing.html")] == "no such file"
    assert len([d for d in docs if "good.warc.gz" in d]) == 3 and str(tmp_path / "z.html") in docs
    assert len([d for d in docs if "trunc.warc.gz" in d]) == 2


def test_garbage_after_good_records_keeps_the_good_ones(tmp_path):
    warc = tmp_path / "g.warc"
    write_warc(warc, [("http://news.example/1", PAGE)], gz=False, extra_types=False)
    with open(warc, "ab") as f:
        f.write(b"this is not a WARC record\r\n\r\n" * 3)
    got = items([warc])
    assert isinstance(got[0], sources.Document) and got[0].url == "http://news.example/1"
    assert all(isinstance(i, sources.Broken) for i in got[1:]) and len(got) == 2


def test_a_folder_can_yield_its_documents_unread_for_whoever_extracts_them(tmp_path):
    """A cluster's reader hands on where to read each document: a file's path, a zip member's place, a WARC
    record's offset; the worker reads the same item the reader would have read."""
    folder = tmp_path / "in"
    (folder / "deep").mkdir(parents=True)
    (folder / "a.html").write_bytes(PAGE)
    (folder / "deep" / "c.gz").write_bytes(gzip.compress(PAGE))
    (folder / "deep" / "bad.gz").write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    with zipfile.ZipFile(folder / "z.zip", "w") as z:
        z.writestr("m.html", PAGE)
        z.writestr("n/m.html.gz", gzip.compress(PAGE))
    write_warc(folder / "w.warc.gz", [("http://news.example/1", PAGE)])
    read = items([folder])  # and the same items once the unread ones are read (`items` shows it)
    unread = assert_read_alike([folder], read)
    root = tmp_path.resolve() / "in"
    assert [(i.key, i.path, i.part) for i in unread] == [
        (str(folder / "a.html"), str(root / "a.html"), None),
        (str(folder / "deep" / "bad.gz"), str(root / "deep" / "bad.gz"), None),
        (str(folder / "deep" / "c.gz"), str(root / "deep" / "c.gz"), None),
        (f"{folder / 'w.warc.gz'}#0", str(root / "w.warc.gz"), sources.Record(0)),
        (f"{folder / 'z.zip'}#m.html", str(root / "z.zip"), sources.Member(0, "m.html")),
        (f"{folder / 'z.zip'}#n/m.html.gz", str(root / "z.zip"), sources.Member(1, "n/m.html.gz")),
    ]
    record = unread[3]  # what a page's record says of itself travels with it; its payload does not
    assert (record.url, record.charset, record.fetched_at) == (read[3].url, "iso-8859-1", read[3].fetched_at)
    by_key = {i.key: i for i in read}
    assert sources.read_deferred(unread[2]) == by_key[unread[2].key] == sources.Document(unread[2].key, data=PAGE)
    assert isinstance(by_key[unread[1].key], sources.Broken)
    assert sources.read_deferred(unread[1]) == by_key[unread[1].key]  # the same reason
    gone = [sources.Document(str(folder / "gone.html"), path=str(root / "gone.html")),
            sources.Document("z#m.html", path=str(root / "gone.zip"), part=sources.Member(0, "m.html")),
            sources.Document("w#0", path=str(root / "gone.warc"), part=sources.Record(0))]
    assert [sources.read_deferred(d) for d in gone] == [sources.Broken(d.key, "no such file") for d in gone]


def test_a_deferred_item_of_a_file_changed_since_is_no_other_item(tmp_path):
    """A zip rewritten between the walk and the read is said to have changed, not read as another member."""
    z = tmp_path / "z.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.html", PAGE)
        zf.writestr("b.html", PAGE)
    unread = assert_read_alike([z], items([z]))
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("b.html", PAGE)
    assert [sources.read_deferred(d) for d in unread] == [
        sources.Broken(f"{z}#a.html", "the zip file changed after it was listed"),
        sources.Broken(f"{z}#b.html", "the zip file changed after it was listed")]


def test_a_resumed_walk_yields_unread_only_what_is_wanted(tmp_path):
    warc, z = tmp_path / "c.warc.gz", tmp_path / "z.zip"
    write_warc(warc, [(f"http://news.example/{n}", PAGE) for n in range(4)])
    with zipfile.ZipFile(z, "w") as zf:
        for n in range(4):
            zf.writestr(f"{n}.html", PAGE)
    keys = [i.key for i in items([warc, z])]
    asked = []
    got = list(sources.iter_sources([str(warc), str(z)], lambda k: asked.append(k) or k not in keys[1:6],
                                    defer_files=True))
    assert asked == keys and [i.key for i in got] == keys[:1] + keys[6:]
    assert all(i.data is None and i.part is not None for i in got)
