"""--archive-source: any CDX-API archive, each with its own rate limit. Two archives on 127.0.0.1
(allow_private): one laid out as the Wayback Machine (/cdx/search/cdx, /web/), one as a pywb collection
(/coll/cdx, /coll/). The nearest copy wins, both answers are recorded, and a 429 from one archive
pauses that archive alone."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from provenance import store, usecases
from provenance.archive import Archiver
from provenance.archive.wayback import ArchiveSource, raw_form
from provenance.cli import app
from provenance.errors import UsageError
from provenance.fetch import Fetcher
from provenance.settings import Settings

from .check_server import Server as Pages

PAGE = (b"<html><body><article><h1>Then</h1><p>The council voted to close the old bridge in June.</p>"
        b"</article></body></html>")


class Archive:
    """An archive at 127.0.0.1: `prefix` is '' (Wayback layout) or '/coll' (pywb); `timestamp` the one copy
    it holds of any URL; `busy` makes it answer 429 to every look-up."""

    def __init__(self, prefix: str, timestamp: str, busy: bool = False):
        self.prefix, self.timestamp, self.busy = prefix, timestamp, busy
        self.requests: list[str] = []

    def __enter__(self) -> Archive:
        archive = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, code, body, ctype="application/json", headers=()):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                archive.requests.append(self.path)
                parts = urlsplit(self.path)
                cdx = "/cdx/search/cdx" if not archive.prefix else f"{archive.prefix}/cdx"
                replay = "/web" if not archive.prefix else archive.prefix
                if archive.busy:
                    self._send(429, b"slow down", headers=[("Retry-After", "3600")])
                elif parts.path == cdx:
                    url = parse_qs(parts.query)["url"][0]
                    rows = [["timestamp", "original", "statuscode"], [archive.timestamp, url, "200"]]
                    self._send(200, json.dumps(rows).encode())
                elif self.path.startswith(f"{replay}/{archive.timestamp}id_/"):
                    self._send(200, PAGE, "text/html")
                else:
                    self._send(404, b"no")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_archive_sources_are_read_in_each_ones_own_layout():
    wb = ArchiveSource.parse("https://web.archive.org/")
    assert (wb.cdx, wb.replay) == ("https://web.archive.org/cdx/search/cdx", "https://web.archive.org/web/")
    coll = ArchiveSource.parse("http://127.0.0.1:8080/my-coll/cdx")
    assert (coll.cdx, coll.replay) == ("http://127.0.0.1:8080/my-coll/cdx", "http://127.0.0.1:8080/my-coll/")
    outback = ArchiveSource.parse("http://127.0.0.1:8080/index|")
    assert (outback.cdx, outback.replay) == ("http://127.0.0.1:8080/index", None)
    assert raw_form("http://127.0.0.1:8080/my-coll/20250701120000/http://x.org/a") == \
        "http://127.0.0.1:8080/my-coll/20250701120000id_/http://x.org/a"
    with pytest.raises(UsageError):
        Archiver(Settings(archive_sources=("not an address",)), None, None, Fetcher(Settings()))


def test_the_nearest_copy_of_two_archives_wins_and_both_answers_are_kept(tmp_path):
    with Pages() as pages, Archive("", "20250601120000") as far, Archive("/coll", "20250701100000") as near:
        (tmp_path / "story.html").write_text(pages.article(), encoding="utf-8")
        settings = Settings(db=tmp_path / "p.db", allow_private=True, wayback_interval=0.0, min_interval=0.0,
                            archive_sources=(far.base, near.base))
        usecases.audit_sources(settings, [str(tmp_path / "story.html")])
    db = store.connect(settings.db)
    rows = list(db.query("SELECT snapshot_url, distance_days FROM snapshots WHERE status = 'found'"))
    assert len(rows) == 6  # three URLs, two archives
    shown = list(db.query("SELECT DISTINCT s.snapshot_url FROM chains c JOIN snapshots s ON s.id = c.snapshot_id "
                          "WHERE c.step_kind = 'snapshot'"))
    assert shown and all(r["snapshot_url"].startswith(near.base + "/20250701100000/") for r in shown)
    assert [p for p in near.requests if "id_/" in p] and not [p for p in far.requests if "id_/" in p]
    drift = {r["verdict"] for r in db.query("SELECT verdict FROM checks WHERE kind = 'drift'")}
    assert drift == {"replaced"}  # the near archive's copy of each URL is another page than the live one


def test_a_busy_archive_pauses_alone(tmp_path):
    with Pages() as pages, Archive("", "20250701120000", busy=True) as busy, Archive("/coll", "20250701100000") as ok:
        (tmp_path / "story.html").write_text(pages.article(), encoding="utf-8")
        settings = Settings(db=tmp_path / "p.db", allow_private=True, wayback_interval=0.0, min_interval=0.0,
                            archive_sources=(busy.base, ok.base))
        usecases.audit_sources(settings, [str(tmp_path / "story.html")])
    db = store.connect(settings.db)
    found = [r["snapshot_url"] for r in db.query("SELECT snapshot_url FROM snapshots WHERE status = 'found'")]
    assert len(found) == 3 and all(u.startswith(ok.base) for u in found)
    unknown = [r["reason"] for r in db.query("SELECT reason FROM snapshots WHERE status = 'unknown'")]
    assert unknown and set(unknown) == {"rate_limited"}
    assert len([p for p in busy.requests if "cdx" in p]) == 1  # paused after its 429: asked no more
    assert len([p for p in ok.requests if "cdx" in p]) == 3


def test_archive_source_is_an_option_of_audit_and_repeats(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "--offline", "--db", str(tmp_path / "p.db"), "--archive-source",
                                 "http://127.0.0.1:9/a", "--archive-source", "http://127.0.0.1:9/b|", "-"],
                           input="<p>Nothing cited.</p>")
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["audit", "--offline", "--db", str(tmp_path / "p.db"), "--archive-source", "nowhere", "-"],
                        input="<p>Nothing cited.</p>")
    assert bad.exit_code == 2 and "--archive-source" in bad.output
