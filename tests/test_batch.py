"""Batch runs: every article once, every URL once, resumable after SIGKILL, two writers, bad inputs.

The subprocess tests run the real CLI against a web served on 127.0.0.1 by the test itself, with a
little latency so that a run can be killed in the middle. Nothing here is timed.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from provenance import batch as batch_mod
from provenance.ingest import stdin_key
from provenance.settings import Settings
from provenance.store import schema as database

ROOT = Path(__file__).resolve().parents[1]


# --- a small web on 127.0.0.1 -----------------------------------------------------------------


class Web:
    """Pages /p/N (200, or 404 when N % 7 == 0), /s/N redirects to /p/N; each answer waits `latency`.
    The page /p/`hold` is answered only once `release` is set: a run stays mid-way for as long as a
    test needs it to (to be signalled, say), whatever the machine's speed; one held page takes one of
    the host's slots, so everything else goes on."""

    def __init__(self, latency: float = 0.0, hold: int | None = None):
        self.latency = latency
        self.hold = hold
        self.release = threading.Event()
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
            def log_message(self, *a):
                pass

            def do_GET(self):
                with web.lock:
                    web.hits[self.path] = web.hits.get(self.path, 0) + 1
                time.sleep(web.latency)
                m = re.match(r"/(p|s)/(\d+)", self.path)
                if m and m.group(1) == "p" and int(m.group(2)) == web.hold:
                    web.release.wait(timeout=120)
                if m and m.group(1) == "s":
                    self.send_response(301)
                    self.send_header("Location", f"/p/{m.group(2)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if not m or int(m.group(2)) % 7 == 0:
                    body = b"<html><body>gone</body></html>"
                    self.send_response(404)
                else:
                    body = (
                        f"<html><head><title>Page {m.group(2)}</title></head><body>"
                        f"<p>{'Some real content. ' * 40}</p></body></html>"
                    ).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client was killed mid-answer: that is what some tests do
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def write_articles(folder: Path, base: str, n: int, links: int = 6, shared: int = 5) -> None:
    """`n` articles of `links` links: one of `shared` recurring short links, the rest pages of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    for a in range(n):
        targets = [f"{base}/s/{1000 + a % shared}"] + [f"{base}/p/{a * links + k + 1}" for k in range(links - 1)]
        anchors = "".join(f'<p>Claim {k} says so, <a href="{u}">source</a>.</p>' for k, u in enumerate(targets))
        (folder / f"a{a:04d}.html").write_text(
            f"<!doctype html><html><head><title>Story {a}</title></head><body><article>"
            f"<h1>Story {a}</h1>{anchors}</article></body></html>",
            encoding="utf-8",
        )


def settings_for(db: Path, **kw) -> Settings:
    base = dict(
        db=db,
        allow_private=True,
        robots="ignore",
        wayback=False,
        retries=0,
        min_interval=0.0,
        per_host=4,
        deadline=5.0,
        connect_timeout=2.0,
        read_timeout=3.0,
    )
    base.update(kw)
    return Settings(**base)


def dupes(con, table: str, cols: str) -> int:
    return con.execute(
        f"SELECT count(*) FROM (SELECT {cols} FROM {table} GROUP BY {cols} HAVING count(*) > 1)"
    ).fetchone()[0]


def assert_clean(db: Path) -> None:
    """No duplicate rows where natural keys say there is one, one resolution per URL per run, intact file."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert dupes(con, "articles", "source") == 0
    assert dupes(con, "claims", "article_id, seq") == 0
    assert dupes(con, "citations", "article_id, seq") == 0
    assert dupes(con, "urls", "url") == 0
    assert dupes(con, "resolutions", "url_id, run_id") == 0
    assert dupes(con, "batch_items", "job_id, source") == 0
    con.close()


# --- in-process runs ----------------------------------------------------------------------------


def test_each_url_is_resolved_once_however_many_articles_cite_it(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=12)
        seen = []
        summary = batch_mod.run_batch(
            settings_for(tmp_path / "p.db"),
            [str(tmp_path / "in")],
            extract_workers=0,
            on_progress=lambda p: seen.append((p.articles, p.resolved)),
        )
    assert summary.articles == 12 and summary.failed == 0
    # every request target was asked for exactly once: shared short links, their targets, every page
    assert web.hits and max(web.hits.values()) == 1
    con = sqlite3.connect(tmp_path / "p.db")
    assert con.execute("SELECT count(*) FROM resolutions").fetchone()[0] == 12 * 5 + 5
    assert summary.resolutions.get("dead", 0) > 0 and summary.exit_code() == 1
    assert summary.dead_link_rate == round(summary.broken / sum(summary.resolutions.values()), 4)
    assert seen and seen[-1] == (12, 65)
    run = con.execute("SELECT status, counts FROM runs WHERE id = ?", [summary.run_id]).fetchone()
    assert run[0] == "done" and '"articles": 12' in run[1]
    assert_clean(tmp_path / "p.db")


def test_a_second_run_within_the_freshness_window_fetches_only_failures(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=4)
        s = settings_for(tmp_path / "p.db")
        batch_mod.run_batch(s, [str(tmp_path / "in")], extract_workers=0)
        first = dict(web.hits)
        web.hits.clear()
        again = batch_mod.run_batch(s, [str(tmp_path / "in")], extract_workers=0)
    assert again.articles == 4 and not again.resumed  # a finished job starts over: articles audited again
    # conclusive answers (alive, dead) come from the database; nothing was fetched again
    assert web.hits == {} and first
    assert_clean(tmp_path / "p.db")


def test_bad_items_never_stop_a_run(tmp_path):
    from .test_sources import write_warc

    folder = tmp_path / "in"
    with Web() as web:
        write_articles(folder, web.base, n=3)
        page = f'<html><body><p>Archived <a href="{web.base}/p/1">x</a></p></body></html>'.encode()
        write_warc(folder / "crawl.warc.gz", [(f"http://news.example/{n}", page) for n in range(3)])
        data = (folder / "crawl.warc.gz").read_bytes()
        (folder / "cut.warc.gz").write_bytes(data[:-30])  # ends inside its last record
        (folder / "image.bin").write_bytes(bytes(range(256)) * 8)
        (folder / "empty.html").write_bytes(b"")
        summary = batch_mod.run_batch(
            settings_for(tmp_path / "p.db"), [str(folder), str(tmp_path / "nope")], extract_workers=0
        )
    reasons = {f["source"].replace(str(folder) + "/", ""): f["reason"] for f in summary.failures}
    cut = sum(
        1 for (s,) in sqlite3.connect(tmp_path / "p.db").execute("SELECT source FROM articles") if "cut.warc.gz#" in s
    )
    assert cut == 3 and summary.articles == 3 + 3 + cut  # the files, the good WARC, what came before the cut
    assert "image.bin" in reasons and "binary" in reasons["image.bin"]
    assert "empty.html" in reasons and "empty" in reasons["empty.html"]
    assert any(k.startswith("cut.warc.gz") for k in reasons)
    assert reasons[str(tmp_path / "nope")] == "no such file"
    assert summary.exit_code() == 1
    con = sqlite3.connect(tmp_path / "p.db")
    failures = con.execute("SELECT failures FROM runs WHERE id = ?", [summary.run_id]).fetchone()[0]
    assert "image.bin" in failures and "no such file" in failures
    urls = {u for (u,) in con.execute("SELECT url FROM articles WHERE source LIKE '%crawl.warc.gz#%'")}
    assert urls == {f"http://news.example/{n}" for n in range(3)}


def test_nothing_readable_is_exit_2(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "blob").write_bytes(b"\x00\x01\x02" * 100)
    summary = batch_mod.run_batch(
        settings_for(tmp_path / "p.db", offline=True), [str(tmp_path / "in")], extract_workers=0
    )
    assert summary.articles == 0 and summary.failed == 1 and summary.exit_code() == 2
    status = sqlite3.connect(tmp_path / "p.db").execute("SELECT status FROM runs").fetchone()[0]
    assert status == "failed"


def test_offline_records_every_reference_as_offline(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=3)
        summary = batch_mod.run_batch(
            settings_for(tmp_path / "p.db", offline=True), [str(tmp_path / "in")], extract_workers=0
        )
    assert web.hits == {}
    assert summary.resolutions == {"offline": 3 * 5 + 3} and summary.dead_link_rate is None
    assert summary.exit_code() == 0


def test_a_url_with_credentials_is_one_key_in_every_stage(tmp_path):
    """A citation of `http://user:pw@host/…` is recorded, resolved and waited for under the same URL, the
    one without its credentials: the batch once waited forever for an answer under the other key."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_text(
        "<html><body><article><h1>Council</h1><p>The council said so, "
        "<a href='http://user:pw@example.com/report'>in a report</a>.</p></article></body></html>")
    out: dict = {}
    runner = threading.Thread(target=lambda: out.setdefault("summary", batch_mod.run_batch(
        settings_for(tmp_path / "p.db", offline=True), [str(tmp_path / "in")], extract_workers=0,
        item_deadline=60.0)))
    runner.start()
    runner.join(timeout=120)
    assert not runner.is_alive(), "the batch waited for an answer that never came"
    summary = out["summary"]
    assert summary.articles == 1 and summary.failed == 0, summary.failures
    con = database.connect(tmp_path / "p.db")
    assert [u for (u,) in con.execute("SELECT url FROM urls")] == ["http://example.com/report"]
    assert "pw@" not in " ".join(str(v) for row in con.execute("SELECT * FROM citations") for v in row)


def test_url_list_and_stdin_articles_are_fetched_then_audited(tmp_path):
    with Web() as web:
        lst = tmp_path / "urls.txt"
        lst.write_text(f"{web.base}/p/1\n{web.base}/p/7\n")
        page = f'<html><body><p>From stdin <a href="{web.base}/p/2">x</a></p></body></html>'.encode()
        summary = batch_mod.run_batch(
            settings_for(tmp_path / "p.db"), [str(lst), "-"], extract_workers=0, stdin=io.BytesIO(page)
        )
    assert summary.articles == 2 and summary.failed == 1  # /p/7 is a 404: that article cannot be read
    con = sqlite3.connect(tmp_path / "p.db")
    assert {s for (s,) in con.execute("SELECT source FROM articles")} == {f"{web.base}/p/1", stdin_key(page)}


@pytest.mark.slow
def test_extraction_in_worker_processes(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=6)
        summary = batch_mod.run_batch(settings_for(tmp_path / "p.db"), [str(tmp_path / "in")], extract_workers=2)
    assert summary.articles == 6
    assert_clean(tmp_path / "p.db")


# --- the real command, killed and resumed ---------------------------------------------------------


def cli(args: list[str], tmp_path: Path, new_group: bool = False) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return Run(
        [
            sys.executable,
            "-m",
            "provenance",
            "batch",
            *args,
            "--quiet",
            "--allow-private",
            "--robots",
            "ignore",
            "--no-wayback",
            "--retries",
            "0",
            "--min-interval",
            "0",
            "--per-host",
            "2",
        ],
        tmp_path,
        env,
        new_group,
    )


class Run(subprocess.Popen):
    """A CLI run whose output goes to files: a pipe would stay open as long as any child process lives."""

    count = 0

    def __init__(self, argv, cwd: Path, env, new_group: bool = False):
        Run.count += 1
        self.out_path, self.err_path = cwd / f"out{Run.count}.txt", cwd / f"err{Run.count}.txt"
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            super().__init__(argv, cwd=cwd, env=env, stdout=out, stderr=err, text=True, start_new_session=new_group)

    def communicate(self, timeout=None):
        self.wait(timeout=timeout)
        return self.out_path.read_text(), self.err_path.read_text()


def wait_for_done(db: Path, at_least: int, proc: subprocess.Popen, limit: float = 120) -> int:
    """Poll the queue until `at_least` items are done (or the run ended); returns how many are."""
    end = time.monotonic() + limit
    done = 0
    while time.monotonic() < end and proc.poll() is None:
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            done = con.execute("SELECT count(*) FROM batch_items WHERE state = 'done'").fetchone()[0]
            con.close()
        except sqlite3.Error:
            done = 0
        if done >= at_least:
            break
        time.sleep(0.05)
    return done


def warc_responses(folder: Path) -> dict[str, int]:
    """{target URI: response records} over every WARC file in `folder`."""
    from warcio.archiveiterator import ArchiveIterator

    seen: dict[str, int] = {}
    for path in sorted(folder.iterdir()):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                if rec.rec_type in ("response", "revisit"):
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    seen[uri] = seen.get(uri, 0) + 1
    return seen


def assert_archive_once(folder: Path, con: sqlite3.Connection) -> None:
    from provenance.archive import verify

    assert not [p for p in folder.iterdir() if p.name.endswith(".open")], "a WARC file was left open"
    counts = warc_responses(folder)
    assert counts and max(counts.values()) == 1, {u: n for u, n in counts.items() if n > 1}
    con.row_factory = sqlite3.Row
    rows = [
        dict(r)
        for r in con.execute(
            'SELECT c.id, u.url, c.warc_file, c."offset", c.length, c.record_type, c.record_id, c.payload_digest, '
            "c.block_digest FROM captures c JOIN urls u ON u.id = c.url_id"
        )
    ]
    con.row_factory = None
    report = verify.verify(verify.warc_files(folder), rows, folder)
    assert report.problems == 0, [f.problems for f in report.files] + report.row_problems
    assert len(rows) == 2 * sum(counts.values())  # a response (or revisit) and its request, each recorded


def job_unfinished(db: Path) -> bool:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT finished_at FROM batch_jobs").fetchone()[0] is None
    finally:
        con.close()


def table_counts(db: Path) -> dict:
    con = sqlite3.connect(db)
    out = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("articles", "claims", "citations", "claim_citations", "urls")
    }
    out["done"] = con.execute("SELECT count(*) FROM batch_items WHERE state = 'done'").fetchone()[0]
    con.close()
    return out


@pytest.mark.slow  # the real CLI in a subprocess
def test_sigkill_at_any_moment_then_rerun_finishes_with_nothing_lost_or_duplicated(tmp_path):
    n = 60
    with Web(latency=0.03) as web:
        write_articles(tmp_path / "in", web.base, n=n)
        clean = cli(["in", "--db", "clean.db", "--archive-dir", "clean-warc"], tmp_path)
        assert clean.wait(timeout=300) == 1, clean.communicate()[1]
        reference = table_counts(tmp_path / "clean.db")
        db = tmp_path / "killed.db"
        kills, cut_short = 0, 0
        for at in (3, 15, 30, n):  # kill at several points; the last run is left to finish
            proc = cli(["in", "--db", "killed.db", "--archive-dir", "killed-warc"], tmp_path)
            wait_for_done(db, at, proc)
            if at < n and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            out, err = proc.communicate(timeout=300)
            assert "Traceback" not in err
            if proc.returncode != -signal.SIGKILL:
                break  # this run finished the job
            if job_unfinished(db):
                cut_short += 1
                resumes = True
            else:
                resumes = False  # killed just after the job was complete: the next run starts afresh
        assert resumes == ("(resumed)" in out)
    assert cut_short >= 1, "no kill landed while work was left: the test proved nothing"
    assert proc.returncode == 1, err  # the web has dead links
    assert table_counts(db) == reference and reference["done"] == n
    assert_clean(db)
    con = sqlite3.connect(db)
    statuses = [s for (s,) in con.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] == "done" and "running" not in statuses and statuses.count("killed") <= kills
    # the evidence: every page is in the archive once, and every captures row reads back whole
    assert_archive_once(tmp_path / "killed-warc", con)
    assert_archive_once(tmp_path / "clean-warc", sqlite3.connect(tmp_path / "clean.db"))
    assert warc_responses(tmp_path / "killed-warc").keys() == warc_responses(tmp_path / "clean-warc").keys()
    # each URL has an answer; none was resolved twice in one run
    unanswered = con.execute(
        "SELECT count(*) FROM urls u WHERE u.id IN (SELECT url_id FROM citations) "
        "AND NOT EXISTS (SELECT 1 FROM resolutions r WHERE r.url_id = u.id)"
    ).fetchone()[0]
    assert unanswered == 0


@pytest.mark.slow  # the real CLI in a subprocess
def test_ctrl_c_stops_cleanly_with_130_and_the_next_run_resumes(tmp_path):
    with Web(latency=0.03, hold=29 * 6 + 1) as web:  # a page of the last article waits for the signal
        write_articles(tmp_path / "in", web.base, n=30)
        proc = cli(["in", "--db", "p.db"], tmp_path)
        wait_for_done(tmp_path / "p.db", 3, proc)
        assert proc.poll() is None, "the run ended before it could be interrupted: the test proved nothing"
        proc.send_signal(signal.SIGINT)
        web.release.set()
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130 and "resume" in err and "Traceback" not in err
        con = sqlite3.connect(tmp_path / "p.db")
        assert con.execute("SELECT count(*) FROM batch_items WHERE state = 'working'").fetchone()[0] == 0
        assert con.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
        con.close()
        again = cli(["in", "--db", "p.db"], tmp_path)
        out, err = again.communicate(timeout=300)
    assert again.returncode == 1, err
    assert table_counts(tmp_path / "p.db")["done"] == 30
    assert_clean(tmp_path / "p.db")


@pytest.mark.slow  # the real CLI in a subprocess
def test_two_batches_on_one_database_at_once_both_succeed(tmp_path):
    # the database does not exist yet: both processes create and migrate it at the same moment
    with Web(latency=0.01) as web:
        write_articles(tmp_path / "one", web.base, n=25)
        write_articles(tmp_path / "two", web.base, n=25, shared=3)
        procs = [cli([folder, "--db", "p.db"], tmp_path) for folder in ("one", "two")]
        outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 1, err
        assert "locked" not in err and "Traceback" not in err
    con = sqlite3.connect(tmp_path / "p.db")
    assert con.execute("SELECT count(*) FROM batch_items WHERE state = 'done'").fetchone()[0] == 50
    assert_clean(tmp_path / "p.db")


@pytest.mark.slow
def test_warc_records_a_killed_run_wrote_but_never_recorded_are_cut_away(tmp_path):
    """Written to WARC, killed before the captures row: the resumed run would capture the page again."""
    from provenance.archive import seal_killed_warcs
    from provenance.archive.warc import WarcStore
    from provenance.batch import jobs
    from provenance.models import Exchange
    from provenance.store import queue, writes

    db = database.connect(tmp_path / "p.db")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    run_id = writes.start_run(db, "batch", {"sources": ["in"], "owner": f"{socket.gethostname()}:{gone.pid}"})
    live_run = writes.start_run(db, "batch", {"sources": ["other"], "owner": jobs.owner()})
    warcs = tmp_path / "archive"

    def exchange(n: int) -> Exchange:
        return Exchange(
            url=f"http://127.0.0.1:9/p/{n}",
            method="GET",
            request_headers=[("Host", "127.0.0.1:9")],
            http_status=200,
            reason="OK",
            response_headers=[("Content-Type", "text/html")],
            body=f"<p>page {n}</p>".encode(),
            started_at="2026-01-01T00:00:00+00:00",
        )

    store = WarcStore(warcs, str(run_id))
    for cap in store.write_exchange(exchange(1)):
        writes.record_capture(db, run_id, cap)
    store.write_exchange(exchange(2))  # killed here: no row (records reach the file unbuffered)
    other = WarcStore(warcs, str(live_run))
    other.write_exchange(exchange(3))  # a run still going: its file is not ours to touch

    killed = queue.killed_runs(db, "batch", jobs.is_gone)
    assert killed == [run_id]
    sealed = seal_killed_warcs(warcs, killed, lambda name: queue.recorded_end(db, name))
    assert sealed == [f"provenance-{run_id}-00001.warc.gz"]
    assert warc_responses_in(warcs / sealed[0]) == ["http://127.0.0.1:9/p/1"]
    assert (warcs / f"provenance-{live_run}-00001.warc.gz.open").exists()
    assert db.execute("SELECT status FROM runs WHERE id = ?", [run_id]).fetchone()[0] == "killed"
    assert db.execute("SELECT status FROM runs WHERE id = ?", [live_run]).fetchone()[0] == "running"


def warc_responses_in(path: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as f:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f) if r.rec_type == "response"]


@pytest.mark.slow
def test_an_extraction_process_that_dies_takes_no_article_with_it(tmp_path, monkeypatch):
    """A worker killed mid-article (out of memory, a parser crash) breaks the pool: a new one takes over."""
    from provenance import extract as extraction

    real = extraction.extract

    def dies_on_the_third(article):
        if article.source.endswith("a0003.html") and os.environ.get("BATCH_TEST_FORKED") == "1":
            os._exit(9)  # only in the first, forked pool: workers of the new pool run the real code
        return real(article)

    monkeypatch.setattr(extraction, "extract", dies_on_the_third)
    monkeypatch.setenv("BATCH_TEST_FORKED", "1")
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the stand-in reaches workers only through fork")
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=8)
        b = batch_mod.Batch(settings_for(tmp_path / "p.db"), [str(tmp_path / "in")], extract_workers=1)
        real_renew, renewed = batch_mod.ExtractionPool.renew, []

        def renew(pool):  # the new pool's workers must not die too
            os.environ["BATCH_TEST_FORKED"] = "0"
            renewed.append(1)
            real_renew(pool)

        monkeypatch.setattr(batch_mod.ExtractionPool, "renew", renew)
        summary = b.run()
    assert renewed, "no worker died: the test proved nothing"
    assert summary.articles == 8 and summary.failed == 0, summary.failures
    assert_clean(tmp_path / "p.db")


def test_a_resumed_job_whose_sources_lost_a_file_still_finishes(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=3)
        s = settings_for(tmp_path / "p.db", offline=True)
        batch_mod.run_batch(s, [str(tmp_path / "in")], extract_workers=0)
        con = sqlite3.connect(tmp_path / "p.db")
        with con:  # as a run killed before it did anything would leave it
            con.execute("UPDATE batch_jobs SET finished_at = NULL")
            con.execute("UPDATE batch_items SET state = 'pending'")
        (tmp_path / "in" / "a0001.html").unlink()
        summary = batch_mod.run_batch(s, [str(tmp_path / "in")], extract_workers=0)
    assert summary.resumed and summary.articles == 2
    assert summary.failures == [
        {"source": str(tmp_path / "in" / "a0001.html"), "reason": "no longer among the sources"}
    ]
    assert con.execute("SELECT finished_at IS NOT NULL FROM batch_jobs").fetchone()[0] == 1


def test_wayback_lookups_run_beside_the_writer_once_per_url(tmp_path, monkeypatch):
    """Look-ups wait on their own gate on a thread of their own; each URL once; articles wait for them."""
    from provenance.archive import Archiver
    from provenance.models import Snapshot
    from provenance.store import writes

    asked = []

    def snapshot(self, url, target):  # stands in for the CDX look-up: no request leaves the machine
        asked.append((url, threading.current_thread().name))
        time.sleep(0.005)
        snap = Snapshot(url=url, status="none", target_date=target.label(), checked_at=writes.now_iso())
        writes.record_snapshot(self.db, self.run_id, snap)
        return snap

    monkeypatch.setattr(Archiver, "snapshot", snapshot)
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=6)
        summary = batch_mod.run_batch(
            settings_for(tmp_path / "p.db", wayback=True), [str(tmp_path / "in")], extract_workers=0
        )
    urls = [u for u, _ in asked]
    assert summary.articles == 6 and len(urls) == len(set(urls)) == 6 * 5 + 5
    assert {name for _, name in asked} == {"wayback"}
    con = sqlite3.connect(tmp_path / "p.db")
    assert con.execute("SELECT count(*) FROM snapshots").fetchone()[0] == len(urls)
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "done"


@pytest.mark.slow
def test_sigterm_to_the_process_group_stops_cleanly_without_a_worker_traceback(tmp_path):
    """`timeout`, `kill -TERM -PGID` and service managers signal the whole group: only the batch
    process decides what stopping means; its extraction workers say nothing."""
    with Web(latency=0.03, hold=39 * 6 + 1) as web:  # a page of the last article waits for the signal
        write_articles(tmp_path / "in", web.base, n=40)
        proc = cli(["in", "--db", "p.db"], tmp_path, new_group=True)
        wait_for_done(tmp_path / "p.db", 3, proc)
        assert proc.poll() is None, "the run ended before it could be signalled: the test proved nothing"
        os.killpg(proc.pid, signal.SIGTERM)
        web.release.set()
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "resume" in err


def test_no_item_holds_a_batch_forever(tmp_path, monkeypatch):
    """An article whose URL never gets an answer (as one citing user:pw@host did) is failed at its
    deadline with the reason; the others are done and the run finishes."""
    from provenance.resolve import Resolver

    real, release = Resolver.resolve_many, threading.Event()

    def one_never_answers(self, urls, on_result=None):
        urls = list(urls)
        answered = real(self, [u for u in urls if not u.endswith("/p/8")], on_result=on_result)
        if len(answered) < len(urls):
            release.wait()  # the hanging wave: released when the test ends
        return answered

    monkeypatch.setattr(Resolver, "resolve_many", one_never_answers)
    out: dict = {}
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=3)
        runner = threading.Thread(target=lambda: out.setdefault("summary", batch_mod.run_batch(
            settings_for(tmp_path / "p.db"), [str(tmp_path / "in")], extract_workers=0, item_deadline=1.0)))
        runner.start()
        runner.join(timeout=120)
        release.set()
    assert not runner.is_alive(), "the batch waited forever on one item"
    summary = out["summary"]
    assert summary.articles == 2 and summary.failed == 1
    failure = summary.failures[0]
    assert failure["source"].endswith("a0001.html")  # its links are /p/7 … /p/11
    assert failure["reason"].startswith("deadline:") and "/p/8" in failure["reason"]


def test_a_resumed_job_retries_network_failures_and_with_retry_failed_every_failure(tmp_path):
    import socket as sockets

    with sockets.socket() as s:  # a port nobody listens on: the article URL is refused, a network failure
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    (tmp_path / "urls.txt").write_text(f"http://127.0.0.1:{closed}/story\n")
    (tmp_path / "junk.html").write_bytes(bytes(range(256)) * 20)  # the input's own failure: binary
    s = settings_for(tmp_path / "p.db")
    sources = [str(tmp_path / "urls.txt"), str(tmp_path / "junk.html")]
    def runs_of_failures() -> dict[str, int]:
        con = sqlite3.connect(tmp_path / "p.db")
        rows = dict(con.execute("SELECT source, run_id FROM batch_items WHERE state = 'failed'").fetchall())
        con.execute("UPDATE batch_jobs SET finished_at = NULL")  # as a run killed at its end would leave it
        con.commit()
        con.close()
        return rows

    first = batch_mod.run_batch(s, sources, extract_workers=0)
    assert first.failed == 2
    before = runs_of_failures()
    again = batch_mod.run_batch(s, sources, extract_workers=0)
    after = runs_of_failures()
    url, junk = f"http://127.0.0.1:{closed}/story", str(tmp_path / "junk.html")
    assert again.resumed
    assert after[url] == again.run_id != before[url]  # the network's failure was tried again
    assert after[junk] == before[junk]  # the input's own failure was not
    last = batch_mod.run_batch(s, sources, extract_workers=0, retry_failed=True)
    assert runs_of_failures()[junk] == last.run_id  # --retry-failed takes every failure again


def test_another_driver_can_feed_the_writer_the_same_events(tmp_path):
    """The parts a distributed batch reuses: a run context, the extraction pool and the writer, fed
    by hand here instead of by this process's driver. Nothing but events crosses between them."""
    from provenance import sources
    from provenance.batch import events, jobs
    from provenance.batch.writer import Writer
    from provenance.run import RunContext
    from provenance.store import queue

    write_articles(tmp_path / "in", "http://127.0.0.1:9", n=2)
    settings = settings_for(tmp_path / "p.db", offline=True)
    ctx = RunContext.open(settings, "batch", {"owner": jobs.owner()})
    job_id, _ = queue.open_job(ctx.db, "elsewhere", ["in"], ctx.run_id, jobs.dead_owners)
    pool = batch_mod.ExtractionPool(0)
    writer = Writer(ctx, job_id, jobs.owner(), pool, window=4, item_deadline=60, on_progress=lambda p: None)
    keys = []
    for path in sorted((tmp_path / "in").iterdir()):
        doc = sources.Document(key=path.name, data=path.read_bytes())
        keys.append(doc.key)
        writer.window.acquire()  # a taken item holds a slot of the window until it is done or failed
        writer.post(events.Taken(doc.key))
        pool.submit(doc, lambda key, future: writer.post(events.Extracted(key, future)))
    writer.post(events.ReadingDone(frozenset(keys)))
    writer.run()
    pool.shutdown()
    ctx.close()
    assert writer.progress.articles == 2 and writer.progress.urls == 12
    states = dict(ctx.db.execute("SELECT source, state FROM batch_items").fetchall())
    assert states == {"a0000.html": "done", "a0001.html": "done"}
