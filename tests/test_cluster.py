"""The batch on a Dask cluster: the same rows as the local batch, politeness across workers, faults.

Every test runs a real `LocalCluster(processes=True, n_workers=2)` bound to 127.0.0.1, against webs
served on 127.0.0.1 by the test itself (allow_private). Concurrency is counted by the test's server;
nothing here is timed.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import dask
import distributed
import pytest
from distributed.diagnostics.plugin import WorkerPlugin
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import batch as batch_mod
from provenance import sources
from provenance.archive.warc import payload_digest
from provenance.batch.cluster import ClusterBatch, ClusterExtraction
from provenance.batch.owners import _weight, owner_among
from provenance.usecases import verify_archive
from tests.test_batch import Web, assert_clean, cli, settings_for, table_counts, wait_for_done, write_articles

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    # A LocalCluster closes the nanny of a worker that left and has not come back `lost-worker-timeout` after it
    # left. The tests here kill workers and let their nannies restart them; with the default of 15 s the timer
    # of one test's kill went off during the next test's kill, before the nanny had its worker back, and the
    # module's cluster was left one worker short for every test after it.
    with dask.config.set({"distributed.deploy.lost-worker-timeout": "1h"}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None) as lc, distributed.Client(lc) as client:
        yield lc, client


@pytest.fixture(autouse=True)
def two_workers(request):
    """Each test that uses the cluster starts on two running workers, whatever a test before it did to them."""
    if "cluster" not in request.fixturenames:
        yield
        return
    lc, client = request.getfixturevalue("cluster")
    lc.scale(2)  # opens again a worker whose nanny was closed; nothing when both are there
    client.wait_for_workers(2, timeout=120)
    yield


def rows(db: Path) -> dict:
    """What a batch recorded, without ids, run numbers or times: the rows two runs must agree on."""
    con = sqlite3.connect(db)
    q = {
        "articles": "SELECT source, title FROM articles",
        "claims": "SELECT a.source, c.seq, c.status FROM claims c JOIN articles a ON a.id = c.article_id",
        "citations": "SELECT a.source, c.seq, c.url FROM citations c JOIN articles a ON a.id = c.article_id",
        "resolutions": "SELECT u.url, r.status, r.final_url, r.http_status FROM resolutions r "
                       "JOIN urls u ON u.id = r.url_id",
        "items": "SELECT source, state FROM batch_items",
    }
    out = {name: sorted(map(tuple, con.execute(sql))) for name, sql in q.items()}
    con.close()
    return out


def test_a_small_batch_gives_the_same_rows_as_the_local_batch(tmp_path, cluster, monkeypatch):
    lc, _ = cluster
    sent = []  # what the batch process sent to be extracted: a path, never the page
    submit = ClusterExtraction.submit
    monkeypatch.setattr(ClusterExtraction, "submit", lambda self, doc, done: (sent.append(doc),
                                                                              submit(self, doc, done)))
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=12)
        local = batch_mod.run_batch(settings_for(tmp_path / "local.db"), [str(tmp_path / "in")], extract_workers=0)
        hits_local = dict(web.hits)
        web.hits.clear()
        dist = batch_mod.run_batch(settings_for(tmp_path / "dist.db"), [str(tmp_path / "in")],
                                   cluster=lc.scheduler_address)
        hits_dist = dict(web.hits)
    assert len(sent) == 12 and all(d.data is None and Path(d.path).is_absolute() for d in sent)
    assert dist.articles == local.articles == 12 and dist.failed == 0
    assert dist.resolutions == local.resolutions and dist.exit_code() == local.exit_code() == 1
    assert dist.dead_link_rate == local.dead_link_rate
    assert hits_dist == hits_local and max(hits_dist.values()) == 1  # each request target once, as locally
    assert rows(tmp_path / "dist.db") == rows(tmp_path / "local.db")
    assert_clean(tmp_path / "dist.db")


def pack_inputs(folder: Path, out: Path) -> tuple[Path, Path]:
    """The articles of `folder` as a zip (with a hidden file, a symbolic link and a member whose bytes fail
    their CRC past the first 4 KB) and as a WARC file (with a redirect, and a revisit of its first page)."""
    pages = sorted(folder.iterdir())
    z = out / "pages.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for page in pages[:6]:
            zf.write(page, f"2024/{page.name}")
        zf.writestr("__MACOSX/._a.html", b"\x00\x05\x16\x07")
        link = zipfile.ZipInfo("link.html")
        link.create_system, link.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr(zipfile.ZipInfo("bad.html"), b"<html><body><p>" + b"Words. " * 2000 + b"</p></body></html>")
    data = bytearray(z.read_bytes())
    at = data.index(b"Words. Words.", data.index(b"bad.html") + 6000)  # stored, not deflated: its bytes are there
    data[at] ^= 0xFF
    z.write_bytes(bytes(data))
    warc = out / "crawl.warc.gz"
    with open(warc, "wb") as f:
        w = WARCWriter(f, gzip=True)
        html = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        moved = StatusAndHeaders("301 Moved", [("Location", "/elsewhere")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("http://news.example/old", "response", payload=BytesIO(b""),
                                            http_headers=moved))
        first = None
        for n, page in enumerate(pages[6:]):
            record = w.create_warc_record(f"http://news.example/{n}", "response",
                                          payload=BytesIO(page.read_bytes()), http_headers=html)
            w.write_record(record)
            first = first or record
        assert first is not None
        w.write_record(w.create_revisit_record("http://mirror.example/0", first.rec_headers.get_header(
            "WARC-Payload-Digest"), "http://news.example/0", first.rec_headers.get_header("WARC-Date"),
            http_headers=html))
    return z, warc


def test_the_workers_read_the_members_of_a_zip_and_the_records_of_a_warc_file(tmp_path, cluster, monkeypatch):
    """The batch process walks the zip's listing and the WARC file's headers and sends where each page is;
    the worker that extracts it reads it. The same rows and failures as the local batch, which reads them."""
    lc, _ = cluster
    sent = []
    submit = ClusterExtraction.submit
    monkeypatch.setattr(ClusterExtraction, "submit", lambda self, doc, done: (sent.append(doc),
                                                                              submit(self, doc, done)))
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=12)
        z, warc = pack_inputs(tmp_path / "in", tmp_path)
        inputs = [str(z), str(warc)]
        local = batch_mod.run_batch(settings_for(tmp_path / "local.db"), inputs, extract_workers=0)
        dist = batch_mod.run_batch(settings_for(tmp_path / "dist.db"), inputs, cluster=lc.scheduler_address)
    revisit = [d for d in sent if d.url == "http://mirror.example/0"]
    assert len(sent) == 14 and len(revisit) == 1 and revisit[0].data is not None  # a revisit is read here
    assert all(d.data is None and d.part is not None and Path(d.path).is_absolute() for d in sent if d not in revisit)
    assert {type(d.part) for d in sent if d not in revisit} == {sources.Member, sources.Record}
    assert dist.articles == local.articles == 13 and dist.failed == local.failed == 2
    assert sorted(map(str, dist.failures)) == sorted(map(str, local.failures))
    assert [f["reason"] for f in dist.failures if f["source"].endswith("bad.html")] == [
        "unreadable zip member (Bad CRC-32 for file 'bad.html')"]  # as the worker read it
    assert dist.skipped == local.skipped == {"hidden file": 1, "redirect": 1}
    assert dist.resolutions == local.resolutions and dist.exit_code() == local.exit_code()
    assert rows(tmp_path / "dist.db") == rows(tmp_path / "local.db")
    assert_clean(tmp_path / "dist.db")


EMPTY = payload_digest(b"")


def captures(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    out = list(con.execute('SELECT u.url, c.record_type, c.warc_file, c."offset", c.length, c.payload_digest '
                           "FROM captures c JOIN urls u ON u.id = c.url_id ORDER BY c.id"))
    con.close()
    return out


def read_back(warc_dir: Path, row: tuple) -> tuple[str, bytes]:
    """The target URI and payload of the record a captures row points at, read from its file alone."""
    _, _, warc_file, offset, length, _ = row
    with open(warc_dir / warc_file, "rb") as fh:
        fh.seek(offset)
        blob = fh.read(length)
    record = next(iter(ArchiveIterator(BytesIO(blob))))
    return record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()


def sent_at(url: str) -> bytes:
    """The body the test's own web (on 127.0.0.1) sends at `url`, asked again, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        con.request("GET", parts.path)
        return con.getresponse().read()
    finally:
        con.close()


def assert_archive_whole(settings, reference_db: Path | None = None, *, latest_wrote: bool = True) -> list[tuple]:
    """No file left open; every capture row reads back as the page the server sends at that URL (asked again
    here), in a file named by run and worker (with `latest_wrote`, some in the latest run's); `provenance
    verify` finds nothing wrong. Returns the rows."""
    warc_dir = settings.warc_dir()
    names = sorted(p.name for p in warc_dir.iterdir())
    assert names and all(re.fullmatch(r"provenance-\d+-w\d+-\d{5}\.warc\.gz", n) for n in names), names
    run = sqlite3.connect(settings.db).execute("SELECT max(id) FROM runs").fetchone()[0]
    rows = captures(settings.db)
    assert rows and {r[2] for r in rows} <= set(names)
    assert not latest_wrote or any(r[2].startswith(f"provenance-{run}-") for r in rows)
    sent: dict[str, bytes] = {}
    for row in rows:
        if row[1] == "response":
            url, body = read_back(warc_dir, row)
            if url not in sent:
                sent[url] = sent_at(url)
            assert url == row[0] and body == sent[url], url
    assert sent
    assert verify_archive(settings).report.problems == 0
    return rows


def test_each_worker_writes_the_pages_it_resolved_into_warc_files_of_its_own(tmp_path, cluster):
    """The pages stay on the worker that fetched them: the database's capture rows point into files named by
    run and worker, and they are the same captures as the local batch makes, record for record."""
    lc, client = cluster
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    webs: list[Web] = []
    try:
        # origins until each worker owns two: webs that serve the same pages, on one worker and on both
        while not all([owner_among(workers, w.base) for w in webs].count(addr) >= 2 for addr in workers):
            assert len(webs) < 40
            webs.append(Web().__enter__())
        for i, web in enumerate(webs):
            write_articles(tmp_path / "in" / f"{i:02d}", web.base, n=3)
        local = settings_for(tmp_path / "local.db", archive_dir=tmp_path / "local-warc")
        batch_mod.run_batch(local, [str(tmp_path / "in")], extract_workers=0)
        dist = settings_for(tmp_path / "dist.db", archive_dir=tmp_path / "warc")
        summary = batch_mod.run_batch(dist, [str(tmp_path / "in")], cluster=lc.scheduler_address)
        assert summary.articles == 3 * len(webs) and summary.failed == 0
        rows = assert_archive_whole(dist)
    finally:
        for web in webs:
            web.__exit__()
    assert len({r[2].split("-")[2] for r in rows}) == 2  # both workers wrote
    # the same pages kept, each once, as the local batch keeps them
    kept = sorted((url, digest) for url, kind, _, _, _, digest in rows if kind != "request")
    assert kept == sorted((url, digest) for url, kind, _, _, _, digest in captures(tmp_path / "local.db")
                          if kind != "request")
    # a payload already stored becomes a revisit within a worker's files: the webs serve the same pages, so
    # each worker stores a page's payload in full once (the local batch once in all)
    responses = sorted((f.split("-")[2], digest) for _, kind, f, _, size, digest in rows
                       if kind == "response" and digest != EMPTY)  # an empty payload is never a revisit
    assert len(responses) == len(set(responses))
    assert {d for _, d in responses} == {d for _, kind, _, _, _, d in rows if kind == "revisit"} | {
        d for _, d in responses}
    assert any(kind == "revisit" for _, kind, *_ in rows)


class Poison(WorkerPlugin):
    """On every worker, also those the nanny restarts: a page that says POISON kills its worker process."""

    name = "poison"

    def setup(self, worker):
        from provenance.batch import extraction

        real = extraction.extract_document

        def extract_document(doc):
            data = doc.data if doc.data is not None else Path(doc.path).read_bytes()  # read here, by the worker
            if b"POISON" in data:
                os._exit(1)
            return real(doc)

        extraction.extract_document = extract_document


def test_a_poisoned_input_that_kills_its_workers_is_recorded_with_a_reason(tmp_path, cluster):
    lc, client = cluster
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        link = f"<a href='http://127.0.0.1:9/{n}'>a link</a>"
        (folder / f"good{n}.html").write_text(f"<html><body><article><h1>Fine {n}</h1><p>Words, {link}.</p>"
                                              "</article></body></html>")
    (folder / "poison.html").write_text("<html><body><article><h1>POISON</h1></article></body></html>")
    client.register_plugin(Poison())
    try:
        summary = batch_mod.run_batch(settings_for(tmp_path / "p.db", offline=True), [str(folder)],
                                      cluster=lc.scheduler_address)
    finally:
        client.unregister_worker_plugin("poison")
        client.wait_for_workers(2, timeout=60)
    assert summary.articles == 4 and summary.failed == 1, summary.failures
    assert summary.failures[0]["source"].endswith("poison.html")
    assert "died" in summary.failures[0]["reason"]
    assert summary.exit_code() == 1


# --- politeness across workers --------------------------------------------------------------------


class CountingWeb(Web):
    """The test web, counting requests in flight at once (its peak) on this one origin.

    A request is in flight from its arrival until its answer starts. Once the answer is on the wire
    the client may send its next request before this thread runs again, so counting to the end of
    `do_GET` counts that next request early: a loaded run saw a peak of 3 with 2 allowed that way.
    """

    def __init__(self, latency: float):
        super().__init__(latency)
        self.inflight = self.peak = 0
        web, handler = self, self.server.RequestHandlerClass

        class Counting(handler):
            answered = True

            def do_GET(self):
                with web.lock:
                    web.inflight += 1
                    web.peak = max(web.peak, web.inflight)
                self.answered = False
                try:
                    super().do_GET()
                finally:
                    self.settle()

            def send_response(self, *args, **kwargs):
                self.settle()
                super().send_response(*args, **kwargs)

            def settle(self):
                if not self.answered:
                    self.answered = True
                    with web.lock:
                        web.inflight -= 1

        self.server.RequestHandlerClass = Counting


class Redirector:
    """Another origin, a shortener: /r/I/N answers 301 to page N of origin I."""

    def __init__(self, bases: list[str]):
        self.hits = 0
        web = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
            def log_message(self, *a):
                pass

            def do_GET(self):
                if not self.path.startswith("/r/"):  # robots.txt: none
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                web.hits += 1
                _, _, i, n = self.path.split("/")
                self.send_response(301)
                self.send_header("Location", f"{bases[int(i)]}/p/{n}")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def write_mixed(folder: Path, bases: list[str], n: int, short: str) -> None:
    """`n` articles, each citing three pages on every origin, and three more of them through a shortener."""
    folder.mkdir(parents=True, exist_ok=True)
    for a in range(n):
        links = "".join(f'<p>Claim {i}-{k}, <a href="{b}/p/{a * 3 + k + 1}">source</a>.</p>'
                        for i, b in enumerate(bases) for k in range(3))
        links += "".join(f'<p>Claim s{i}-{k}, <a href="{short}/r/{i}/{500 + a * 3 + k}">source</a>.</p>'
                         for i in range(len(bases)) for k in range(3))
        (folder / f"a{a:03d}.html").write_text(f"<html><body><article><h1>Story {a}</h1>{links}"
                                               "</article></body></html>")


def test_per_host_limits_hold_across_workers(tmp_path, cluster):
    lc, client = cluster
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    per_host = 2
    webs: list[CountingWeb] = []
    short: Redirector | None = None
    try:
        # origins until each worker owns at least two (owners are chosen by rendezvous hashing)
        while True:
            web = CountingWeb(latency=0.05).__enter__()
            webs.append(web)
            port = web.server.server_address[1]
            owners = [max(workers, key=lambda w, o=f"http://127.0.0.1:{p}": _weight(o, w))
                      for p in [w.server.server_address[1] for w in webs]]
            if len(webs) >= 4 and all(owners.count(w) >= 2 for w in workers):
                break
            assert port and len(webs) < 40
        short = Redirector([w.base for w in webs])
        write_mixed(tmp_path / "in", [w.base for w in webs], n=10, short=short.base)
        job = ClusterBatch(settings_for(tmp_path / "p.db", per_host=per_host, concurrency=64, robots="obey"),
                           [str(tmp_path / "in")], cluster=lc.scheduler_address)
        summary = job.run()
    finally:
        for web in webs:
            web.__exit__()
        if short is not None:
            short.close()
    assert summary.articles == 10 and summary.failed == 0
    assert short is not None and short.hits == 10 * 3 * len(webs)
    # each page and robots.txt once across the cluster: robots.txt by the origin's owner only, also for the
    # hops the shortener's owner reached (a worker that asked for it itself counted as a second request)
    assert all(set(w.hits.values()) == {1} and "/robots.txt" in w.hits for w in webs), [w.hits for w in webs]
    # 60 pages an origin, half of them reached through another origin's redirects, 64 allowed in flight per
    # worker: only the per-host limit holds them back, and it holds whichever worker's chain reached the page
    peaks = [w.peak for w in webs]
    assert max(peaks) == per_host and all(p <= per_host for p in peaks), peaks  # reached, never passed
    assert set(job.resolver._origin_owner.values()) == set(workers)  # both workers resolved


# --- faults ---------------------------------------------------------------------------------------


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(tmp_path, cluster):
    lc, client = cluster
    n = 40
    with Web(latency=0.03) as web:
        write_articles(tmp_path / "in", web.base, n=n)
        batch_mod.run_batch(settings_for(tmp_path / "ref.db", per_host=2, archive_dir=tmp_path / "ref"),
                            [str(tmp_path / "in")], extract_workers=0)
        reference = rows(tmp_path / "ref.db")
        done = threading.Event()
        out = {}

        settings = settings_for(tmp_path / "p.db", per_host=2)

        def run():
            out["summary"] = batch_mod.run_batch(settings, [str(tmp_path / "in")], cluster=lc.scheduler_address)
            done.set()

        threading.Thread(target=run, daemon=True).start()
        killed = None
        end = time.monotonic() + 120
        while not done.is_set() and time.monotonic() < end:
            try:
                con = sqlite3.connect(f"file:{tmp_path / 'p.db'}?mode=ro", uri=True, timeout=5)
                finished = con.execute("SELECT count(*) FROM batch_items WHERE state = 'done'").fetchone()[0]
                con.close()
            except sqlite3.Error:
                finished = 0
            if finished >= 5:
                pids = client.run(os.getpid)
                victim = sorted(pids)[0]
                killed = (victim, finished)
                os.kill(pids[victim], signal.SIGKILL)
                break
            time.sleep(0.02)
        assert done.wait(180)
        # the dead worker's file is sealed after its last recorded record, and what it recorded reads back
        archived = assert_archive_whole(settings)
    assert killed is not None and killed[1] < n, "the kill landed after the run: the test proved nothing"
    summary = out["summary"]
    assert summary.articles == n and summary.failed == 0, summary.failures
    assert rows(tmp_path / "p.db") == reference
    assert_clean(tmp_path / "p.db")
    kept = [(url, kind) for url, kind, *_ in archived if kind != "request"]
    assert len(kept) == len(set(kept))  # each page kept once, the dead worker's or its successor's
    client.wait_for_workers(2, timeout=60)  # the nanny brings it back for the next test


def test_a_client_killed_mid_run_resumes_with_the_same_command(tmp_path, cluster):
    lc, _ = cluster
    n = 40
    with Web(latency=0.03) as web:
        write_articles(tmp_path / "in", web.base, n=n)
        batch_mod.run_batch(settings_for(tmp_path / "ref.db", per_host=2), [str(tmp_path / "in")],
                            extract_workers=0)
        reference = table_counts(tmp_path / "ref.db")
        args = ["in", "--db", "p.db", "--archive-dir", "warc", "--cluster", lc.scheduler_address]
        first = cli(args, tmp_path)
        got = wait_for_done(tmp_path / "p.db", 8, first)
        assert first.poll() is None and got < n, "the run ended before the kill: the test proved nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
        second = cli(args, tmp_path)
        out, err = second.communicate(timeout=300)
        # the killed run's worker files were sealed after their last recorded record by the resumed run (which
        # may have had nothing left to capture: the killed run can have kept every page before its items were done)
        archived = assert_archive_whole(settings_for(tmp_path / "p.db", archive_dir=tmp_path / "warc"),
                                        latest_wrote=False)
    assert second.returncode == 1, err  # the web has dead links, as the local batch says
    assert "(resumed)" in out and "Traceback" not in err
    assert table_counts(tmp_path / "p.db") == reference
    assert_clean(tmp_path / "p.db")
    statuses = [s for (s,) in sqlite3.connect(tmp_path / "p.db").execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] == "done" and "running" not in statuses
    assert re.search(r"\d+ articles audited", out)
    kept = [(url, kind) for url, kind, *_ in archived if kind != "request"]
    assert len(kept) == len(set(kept))  # each page kept once, by the killed run or the resumed one


def test_a_failed_fetch_crosses_processes_whole():
    """A hop forwarded to another origin's owner comes back pickled; a failure must come back as itself."""
    import pickle

    from provenance.errors import FetchError, InputError
    from provenance.models import Status

    back = pickle.loads(pickle.dumps(FetchError("http://127.0.0.1:9/x", Status.TIMEOUT, "read_timeout", "3 s")))
    assert (back.url, back.status, back.reason, back.detail) == ("http://127.0.0.1:9/x", Status.TIMEOUT,
                                                                "read_timeout", "3 s")
    assert pickle.loads(pickle.dumps(InputError("a.html", "empty"))).why == "empty"


# --- no wait on the cluster is unbounded -----------------------------------------------------------


class Stall(WorkerPlugin):
    """On every worker, also those restarted: the extraction of a page that says STALL never returns."""

    name = "stall"

    def setup(self, worker):
        from provenance.batch import extraction

        real = extraction.extract_document

        def extract_document(doc):
            data = doc.data if doc.data is not None else Path(doc.path).read_bytes()
            if b"STALL" in data:
                threading.Event().wait(900)  # holds the worker's one thread until the worker is restarted
            return real(doc)

        extraction.extract_document = extract_document


def test_an_extraction_that_never_returns_fails_its_article_and_frees_its_worker(tmp_path, cluster):
    """Two stalled extractions hold both workers' threads; at the deadline they are stopped and their workers
    restarted, so the article read after them is extracted and done rather than failed in its turn."""
    lc, client = cluster
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a-stall", "b-stall"):
        (folder / f"{name}.html").write_text("<html><body><article><h1>STALL</h1></article></body></html>")
    (folder / "c-good.html").write_text("<html><body><article><h1>Fine</h1><p>Words, and more words.</p>"
                                        "</article></body></html>")
    client.register_plugin(Stall())
    out: dict = {}
    done = threading.Event()

    def run():
        out["summary"] = batch_mod.run_batch(settings_for(tmp_path / "p.db", offline=True), [str(folder)],
                                             cluster=lc.scheduler_address, window=2, item_deadline=15.0)
        done.set()

    try:
        threading.Thread(target=run, daemon=True).start()
        assert done.wait(300), "the batch waits for ever on extractions that never return"
    finally:
        client.unregister_worker_plugin("stall")
        client.restart_workers(list(client.nthreads()))  # no stalled thread left
        client.wait_for_workers(2, timeout=60)
    summary = out["summary"]
    assert summary.articles == 1 and summary.failed == 2, summary.failures
    assert sorted(Path(f["source"]).name for f in summary.failures) == ["a-stall.html", "b-stall.html"]
    assert all("not done within 15 s" in f["reason"] for f in summary.failures), summary.failures


class Deaf(WorkerPlugin):
    """On every worker: an owner asked for a URL under /deaf never answers the call."""

    name = "deaf"

    def setup(self, worker):
        import asyncio

        from provenance.batch import owners

        real = owners.OriginOwner.resolve

        async def resolve(self, urls):
            if any("/deaf" in u for u in urls):
                await asyncio.Event().wait()
            return await real(self, urls)

        owners.OriginOwner.resolve = resolve


def test_a_call_its_owner_never_answers_is_answered_as_timed_out_at_the_deadline(tmp_path, cluster):
    """The first article waits for the URL until its deadline; the second, read after it and citing the same
    URL, gets that URL's answer (timed out, with the reason) rather than wait out a deadline of its own."""
    lc, client = cluster
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.html").write_text(f"<html><body><article><h1>Story {name}</h1><p>A claim, "
                                             "<a href='http://127.0.0.1:9/deaf'>its source</a>.</p>"
                                             "</article></body></html>")
    client.register_plugin(Deaf())
    out: dict = {}
    done = threading.Event()

    def run():
        out["summary"] = batch_mod.run_batch(settings_for(tmp_path / "p.db"), [str(folder)],
                                             cluster=lc.scheduler_address, window=1, item_deadline=15.0)
        done.set()

    try:
        threading.Thread(target=run, daemon=True).start()
        assert done.wait(300)
    finally:
        client.unregister_worker_plugin("deaf")
    summary = out["summary"]
    # a either failed at its deadline or, answered just before it, was done; b was done either way
    assert summary.articles + summary.failed == 2 and summary.articles >= 1, summary.failures
    assert all(Path(f["source"]).name == "a.html" and "still waiting for its URLs" in f["reason"]
               for f in summary.failures), summary.failures
    con = sqlite3.connect(tmp_path / "p.db")
    got = con.execute("SELECT r.status, r.reason FROM resolutions r JOIN urls u ON u.id = r.url_id "
                      "WHERE u.url = 'http://127.0.0.1:9/deaf'").fetchall()
    con.close()
    assert len(got) == 1 and got[0][0] == "timeout" and got[0][1].startswith("owner_timeout"), got


def test_a_scheduler_that_stops_answering_is_asked_within_a_bound(tmp_path):
    """Who the workers are is asked of the scheduler within a bound: a scheduler that stops answering (stopped,
    or cut off) makes the question fail in time, for the caller to answer its URLs with the reason."""
    from provenance.batch.cluster import live_workers

    file = tmp_path / "scheduler.json"
    proc = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                             "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = distributed.Client(scheduler_file=str(file), timeout=60)
        try:
            assert live_workers(client, 30.0) == set()  # it answers: no worker yet
            proc.send_signal(signal.SIGSTOP)
            out: dict = {}

            def ask():
                try:
                    out["workers"] = live_workers(client, 1.0)
                except Exception as e:  # noqa: BLE001 - what the caller is given is what this test checks
                    out["error"] = e

            asking = threading.Thread(target=ask, daemon=True)
            asking.start()
            asking.join(120)
            assert not asking.is_alive(), "the question waited on a silent scheduler for ever"
            assert isinstance(out.get("error"), TimeoutError), out
        finally:
            proc.send_signal(signal.SIGCONT)
            client.close(timeout=10)
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_batchs_local_cluster_keeps_a_worker_killed_again_while_its_nanny_restarts_it(tmp_path):
    """A worker killed, back, and killed again so that it is still restarting 15 s after its first death (Dask's
    `lost-worker-timeout`; a page that kills every worker it lands on does this) is restarted by its nanny
    both times: the cluster the batch starts does not close that nanny, and keeps its two workers."""
    from provenance.batch.cluster import cluster_client

    slow = tmp_path / "slow"  # once it exists, a worker takes 3 s to start: its restart outlasts the window
    preload = tmp_path / "slow_start.py"
    preload.write_text("import os, time\n\n\ndef dask_setup(worker):\n"
                       f"    if os.path.exists({str(slow)!r}):\n        time.sleep(3)\n")
    with dask.config.set({"distributed.worker.preload": [str(preload)]}), \
            cluster_client("local", 2) as (client, lc):
        assert lc is not None
        client.wait_for_workers(2, timeout=120)
        victim = sorted(client.run(os.getpid))[0]

        def workers() -> dict:
            return client.run_on_scheduler(lambda dask_scheduler: {
                a: (w.name, w.status.name) for a, w in dask_scheduler.workers.items()})

        name = workers()[victim][0]

        def worker_named() -> str | None:
            return next((a for a, (n, status) in workers().items() if n == name and status == "running"), None)

        slow.touch()
        first = time.monotonic()
        os.kill(client.run(os.getpid, workers=[victim])[victim], signal.SIGKILL)
        while (again := worker_named()) in (None, victim):
            time.sleep(0.1)
        time.sleep(max(0.0, first + 13.5 - time.monotonic()))
        os.kill(client.run(os.getpid, workers=[again])[again], signal.SIGKILL)
        while worker_named() in (None, again):
            time.sleep(0.05)
        assert time.monotonic() > first + 15.5, "the worker was back before the first death's timer: nothing proved"
        time.sleep(max(0.0, first + 18.0 - time.monotonic()))  # past the first death's 15 s
        assert len(lc.workers) == 2, "a nanny was closed"
        client.wait_for_workers(2, timeout=60)
