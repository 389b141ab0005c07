"""End to end: auditing an article served from 127.0.0.1 leaves WARC files that verify, captures rows,
Wayback snapshots, and chains that end at a capture."""

from __future__ import annotations

import vcr

from provenance import audit
from provenance.archive import verify as checks
from provenance.run import RunContext
from provenance.settings import Settings
from provenance.store import queries, writes

from .archive_server import Server
from .wayback_replay import CASSETTES, replay_fetcher

ARTICLE = """<!doctype html><html><head><title>Minister resigns over budget row</title>
<meta property="article:published_time" content="2025-07-01T09:30:00Z"></head>
<body><article><h1>Minister resigns over budget row</h1>
<p>The finance minister resigned on Tuesday,
<a href="{base}/2025/07/01/redirect">according to a government statement</a>.</p>
<p>The opposition welcomed the move in <a href="{base}/2025/07/01/gzip">a statement of its own</a>.</p>
<p>An earlier report, <a href="{base}/2025/07/01/gone">since removed</a>, said the minister would stay.</p>
</article></body></html>"""

REDIRECT, GZIP, GONE = "/2025/07/01/redirect", "/2025/07/01/gzip", "/2025/07/01/gone"
# Any CDX query is answered with one snapshot: the URLs carry the test server's random port.
wayback = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode="none",
                  ignore_localhost=True, match_on=("method", "scheme", "host", "path"))


def test_audit_of_a_url_archives_the_article_and_its_sources(tmp_path):
    settings = Settings(db=tmp_path / "p.db", allow_private=True, wayback_interval=0.0, min_interval=0.0)
    ctx = RunContext.open(settings, "audit", {})
    db = ctx.db
    with Server() as server, wayback.use_cassette("cdx_any.yaml", allow_playback_repeats=True):
        server.httpd.article_html = ARTICLE.format(base=server.url("")).encode()
        auditor = audit.Auditor(ctx)
        ctx.archiver.wayback.fetcher = replay_fetcher(settings)  # see wayback_replay.replay_fetcher
        try:
            result = auditor.audit(auditor.load(server.url("/article")))
        finally:
            ctx.close()
        page, article_url = server.url("/page"), server.url("/article")

    # WARC files: closed, readable, whole, and in step with the database.
    files = checks.warc_files(settings.warc_dir())
    assert files and all(p.name.endswith(".warc.gz") for p in files)
    rows = queries.capture_rows(db)
    report = checks.verify(files, rows, settings.warc_dir())
    assert report.problems == 0, [f.problems for f in report.files] + report.row_problems

    captured = {r["url"] for r in rows if r["record_type"] == "response"}
    # Once saved, the bodies are let go: a run of many articles must not hold every page it fetched.
    assert result.resolutions and all(not res.exchanges for res in result.resolutions.values())
    assert {article_url, server.url(REDIRECT), page, server.url(GZIP)} <= captured
    assert server.url(GONE) not in captured  # dead pages are not captured

    # Wayback: every cited URL looked up near the publication date.
    snaps = db.execute("SELECT DISTINCT status, target_date FROM snapshots").fetchall()
    assert snaps == [("found", "2025-07-01 (published)")]
    assert set(result.snapshots) == {server.url(REDIRECT), server.url(GZIP), server.url(GONE)}
    looked_up = {u for (u,) in db.execute("SELECT u.url FROM snapshots s JOIN urls u ON u.id = s.url_id")}
    assert looked_up == set(result.snapshots) | {article_url}  # the article's own copy near its date too

    # Chains: the claim citing the redirect ends at the capture of the page it led to, then a snapshot.
    chain = db.execute(
        "SELECT step_kind, url FROM chains WHERE citation_id IN "
        "(SELECT id FROM citations WHERE url = ?) AND step_kind IN ('final', 'capture', 'snapshot') "
        "ORDER BY claim_id, step", [server.url(REDIRECT)]).fetchall()
    assert ("final", page) in chain and ("capture", page) in chain and chain[-1][0] == "snapshot"
    statuses = dict(db.execute("SELECT text, status FROM claims").fetchall())
    assert any(s == "archived" for s in statuses.values())


def test_a_page_resolved_earlier_but_never_saved_is_fetched_again_for_its_evidence(tmp_path):
    from provenance.models import Resolution, Status

    settings = Settings(db=tmp_path / "p.db", allow_private=True, wayback=False, min_interval=0.0)
    ctx = RunContext.open(settings, "audit", {})
    db = ctx.db
    with Server() as server:
        server.httpd.article_html = ARTICLE.format(base=server.url("")).encode()
        gzip_url = server.url(GZIP)
        # What `provenance resolve` leaves: a fresh, conclusive resolution and no capture.
        writes.record_resolution(db, None, Resolution(url=gzip_url, final_url=gzip_url, status=Status.ALIVE,
                                                      http_status=200))
        auditor = audit.Auditor(ctx)
        try:
            auditor.audit(auditor.load(server.url("/article")))
        finally:
            ctx.close()
    captured = {r["url"] for r in queries.capture_rows(db) if r["record_type"] == "response"}
    assert gzip_url in captured
    assert db.execute("SELECT count(*) FROM resolutions r JOIN urls u ON u.id = r.url_id WHERE u.url = ?",
                      [gzip_url]).fetchone()[0] == 2  # the new observation is recorded too
