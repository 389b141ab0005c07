"""What a batch and the URL commands owe their user in numbers and lines: a total (and so a time left)
as soon as the inputs are counted, a resumed job summed up whole with what this run added, a missing
source said in one line, where `-o` wrote, and "no network" said once before the tables.

The web is served on 127.0.0.1 by the tests; "no network" is a name resolver that fails every look-up.
"""

from __future__ import annotations

import socket
import sqlite3

import pytest
from typer.testing import CliRunner

from provenance import batch as batch_mod
from provenance import netguard
from provenance.cli import app

from .conftest import EXAMPLES
from .test_batch import Web, settings_for, write_articles

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def no_network(monkeypatch):
    def lookup(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(netguard, "system_lookup", lookup)


def test_progress_has_its_total_long_before_the_sources_are_all_read(tmp_path):
    seen = []
    with Web(latency=0.05) as web:
        write_articles(tmp_path / "in", web.base, n=8, links=3, shared=2)
        summary = batch_mod.run_batch(settings_for(tmp_path / "p.db"), [str(tmp_path / "in")], extract_workers=0,
                                      window=1, on_progress=lambda p: seen.append((p.total, p.reading_done,
                                                                                   p.articles)))
    assert summary.articles == 8
    # the reader waits for a free slot before each item, so it is done near the end; the count is not
    assert any(total == 8 and not done and articles < 8 for total, done, articles in seen), seen


def test_a_resumed_job_is_summed_up_whole_and_says_what_this_run_added(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=4, links=3, shared=2)
        s = settings_for(tmp_path / "p.db")
        whole = batch_mod.run_batch(s, [str(tmp_path / "in")], extract_workers=0)
        con = sqlite3.connect(s.db)  # as if the run had been killed with two items left
        con.execute("UPDATE batch_jobs SET finished_at = NULL")
        con.execute("UPDATE batch_items SET state = 'pending', article_id = NULL WHERE id IN "
                    "(SELECT id FROM batch_items ORDER BY id DESC LIMIT 2)")
        con.commit()
        con.close()
        resumed = batch_mod.run_batch(s, [str(tmp_path / "in")], extract_workers=0)
    assert resumed.resumed and resumed.articles == whole.articles == 4
    assert whole.captures > 0 and resumed.captures == whole.captures  # the job's saved copies, not the run's
    assert resumed.resolutions == whole.resolutions
    assert resumed.added["articles"] == 2 and resumed.added["captures"] == 0  # copies were kept the first time
    from provenance.report import plain

    text = plain.render_batch_summary(resumed)
    assert f"captures     {whole.captures}" in text and "this run     2 articles" in text
    row = sqlite3.connect(s.db).execute("SELECT counts FROM runs WHERE id = ?", [resumed.run_id]).fetchone()[0]
    assert '"added": {"articles": 2' in row


def test_a_missing_source_is_one_line(tmp_path):
    missing = tmp_path / "nowhere.html"
    got = run("batch", missing, "--db", tmp_path / "p.db", "--offline")
    assert got.exit_code == 2
    assert got.stdout == "" and got.stderr == f"provenance: {missing}: no such file\n"


def test_output_to_a_file_says_where_it_wrote(tmp_path):
    out = tmp_path / "report.json"
    got = run("audit", EXAMPLES / "council-bridge.html", "--db", tmp_path / "p.db", "--offline", "--format", "json",
              "-o", out)
    assert got.exit_code == 0, got.output
    assert out.read_text().startswith("[") or out.read_text().startswith("{")
    assert got.stderr.strip().splitlines()[-1] == f"wrote {out}"


def _first_line_says_no_network(got) -> None:
    assert got.exit_code == 1, got.output
    first = got.output.splitlines()[0]
    assert first.startswith("provenance: no network: ") and "could not be checked (no network" in first
    assert got.output.count("provenance: no network") == 1


def test_no_network_is_said_once_before_the_batch_summary(tmp_path, no_network):
    got = run("batch", EXAMPLES / "council-bridge.html", "--db", tmp_path / "p.db", "--no-wayback", "--retries", "0")
    _first_line_says_no_network(got)
    assert "articles audited" in got.stdout


def test_no_network_is_said_once_before_the_resolve_table(tmp_path, no_network):
    got = run("resolve", "https://example.org/a", "https://example.net/b", "--db", tmp_path / "p.db",
              "--retries", "0")
    _first_line_says_no_network(got)
    assert "example.org/a" in got.stdout


def test_no_network_is_said_once_before_the_audit_table(tmp_path, no_network):
    got = run("audit", EXAMPLES / "council-bridge.html", "--db", tmp_path / "p.db", "--no-wayback", "--retries", "0")
    _first_line_says_no_network(got)


def test_a_batch_with_a_network_says_nothing_of_it(tmp_path):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=2, links=2, shared=1)
        got = run("batch", tmp_path / "in", "--db", tmp_path / "p.db", "--allow-private", "--robots", "ignore",
                  "--no-wayback", "--retries", "0", "--min-interval", "0")
    assert "no network" not in got.output and "articles audited" in got.stdout


def test_what_is_no_article_is_counted_by_reason_in_the_summary_and_the_run(tmp_path):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from provenance.report import plain

    from .test_sources import write_warc

    page = b"<html><head><title>A story</title></head><body><article><h1>A story</h1><p>" + \
        b"It happened on Monday, officials said. " * 20 + b"</p></article></body></html>"
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("http://news.example/story", page)])  # and a PNG response, which is no article
    with open(warc, "ab") as f:
        w = WARCWriter(f, gzip=True)
        moved = StatusAndHeaders("302 Found", [("Location", "http://news.example/story")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("http://news.example/old", "response", payload=io.BytesIO(b""),
                                            http_headers=moved))
    summary = batch_mod.run_batch(settings_for(tmp_path / "p.db", offline=True), [str(warc)], extract_workers=0)
    assert summary.articles == 1 and summary.failed == 0
    assert sum(summary.skipped.values()) == 2 and len(summary.skipped) == 2, summary.skipped
    text = plain.render_batch_summary(summary)
    assert "not articles 2 skipped: " in text
    counts = sqlite3.connect(tmp_path / "p.db").execute("SELECT counts FROM runs WHERE id = ?",
                                                        [summary.run_id]).fetchone()[0]
    assert '"skipped": {' in counts


def test_no_network_is_said_first_when_a_batch_of_urls_could_fetch_no_article(tmp_path, no_network):
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.org/a\nhttps://example.net/b\n", encoding="utf-8")
    got = run("batch", urls, "--db", tmp_path / "p.db", "--no-wayback", "--retries", "0")
    lines = got.output.splitlines()
    assert lines[0].startswith("provenance: no network: 2 URLs: 0 checked, 2 could not be checked (no network"), lines
    assert got.output.count("provenance: no network") == 1 and len(lines) == 3  # then one line per article


def test_no_network_is_said_once_before_the_archive_lines(tmp_path, no_network):
    got = run("archive", "https://example.org/a", "--db", tmp_path / "p.db", "--no-wayback", "--retries", "0")
    _first_line_says_no_network(got)


def test_the_resolvers_own_signal_says_no_network_even_when_a_loopback_page_was_checked(tmp_path, no_network):
    with Web() as web:
        got = run("resolve", f"{web.base}/p/1", "https://example.org/a", "--db", tmp_path / "p.db", "--retries", "0",
                  "--allow-private", "--robots", "ignore")
    first = got.output.splitlines()[0]
    assert first.startswith("provenance: no network: 2 URLs: 1 checked, 1 could not be checked"), got.output
    assert got.output.count("provenance: no network") == 1
