"""Verdicts a reader can trust: a later run never hides better evidence, "could not check" is never
"checked", every format counts the same, and a chain shows each thing once.

The "online" runs resolve against a server on 127.0.0.1 (`--allow-private`); "no network" is a name
resolver that fails every look-up, as a machine without network does (EAI_AGAIN).
"""

from __future__ import annotations

import json
import re
import socket
from datetime import datetime, timezone

import pytest
import yaml
from typer.testing import CliRunner

from provenance import batch as batch_mod
from provenance import netguard, report
from provenance.cli import app
from provenance.models import (
    Capture,
    CaptureKind,
    LinkTally,
    Resolution,
    Snapshot,
    SnapshotStatus,
    Status,
    dead_link_rate,
    exit_code,
)
from provenance.settings import Settings
from provenance.store import queries, writes
from provenance.store import schema as database

from .conftest import EXAMPLES, ROOT
from .faultserver import FaultServer, guard_loopback
from .report_example import TCO, recorded

runner = CliRunner()
LOOPBACK = ("--allow-private", "--robots", "ignore", "--retries", "0", "--no-wayback", "--min-interval", "0")


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


@pytest.fixture
def no_network(monkeypatch):
    """Every name look-up fails the way it does with no network (temporary failure, not NXDOMAIN)."""

    def lookup(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(netguard, "system_lookup", lookup)


def story(tmp_path, srv) -> tuple:
    """An article citing one live page and one gone (404), both on the loopback server."""
    alive, gone = srv.url("/ok"), srv.url("/404")
    page = tmp_path / "story.html"
    page.write_text(
        "<html><head><title>Bridge</title></head><body><article><h1>The bridge will close</h1>"
        f"<p>The bridge closes on Monday for repairs, <a href='{alive}'>the council said</a>.</p>"
        f"<p>Repairs were promised three years ago, <a href='{gone}'>minutes show</a>.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    return page, alive, gone


def said(result) -> str:
    """What a command printed, with line wrapping undone."""
    return " ".join(result.output.split())


def claim_statuses(db) -> list[tuple[int, str]]:
    return db.execute("SELECT seq, status FROM claims ORDER BY seq").fetchall()


# --- 11.1: a later run never hides better evidence -----------------------------------------------


def test_an_offline_re_audit_keeps_the_404_and_the_grades_an_online_audit_found(tmp_path, loopback_only):
    dbp = tmp_path / "p.db"
    with FaultServer() as srv:
        page, alive, gone = story(tmp_path, srv)
        online = run("audit", page, "--db", dbp, "--archive-dir", tmp_path / "warc", *LOOPBACK)
    assert online.exit_code == 1, online.output  # a dead citation
    db = database.connect(dbp)
    before = claim_statuses(db)
    assert ("archived" in dict(before).values()) and ("broken" in dict(before).values())

    offline = run("audit", page, "--db", dbp, "--offline")
    assert offline.exit_code == 1, offline.output  # the 404 is still known: still broken
    assert claim_statuses(db) == before
    assert "2 URLs: 2 checked, 1 dead: dead-link rate 50%" in said(offline)
    assert "not checked yet (offline run)" not in offline.output
    # the offline attempt is history, kept beside the answer it did not replace
    statuses = [s for (s,) in db.execute(
        "SELECT r.status FROM resolutions r JOIN urls u ON u.id = r.url_id WHERE u.url = ? ORDER BY r.id", [gone])]
    assert statuses == ["dead", "offline"]

    broken_claim = db.execute("SELECT id FROM claims WHERE status = 'broken'").fetchone()[0]
    shown = run("show", broken_claim, "--db", dbp)
    assert "404 dead" in shown.output and "offline" not in shown.output

    exported = run("export", "--db", dbp, "--format", "json")
    steps = [s for a in json.loads(exported.output)["articles"] for c in a["claims"] for s in c["steps"]]
    assert {(s["url"], s["status"]) for s in steps if s["step_kind"] == "resolution"} >= {(gone, "dead")}

    canned = yaml.safe_load((ROOT / "provenance" / "metadata.yml").read_text())["databases"]["provenance"]["queries"]
    dead = list(db.query(canned["dead_citations"]["sql"]))
    assert [r["url"] for r in dead] == [gone]
    hosts = list(db.query(canned["domains_by_dead_links"]["sql"]))
    assert [(h["urls_checked"], h["dead"], h["dead_rate"]) for h in hosts] == [(2, 1, 0.5)]


def test_a_failed_check_never_replaces_a_definitive_one_but_a_newer_definitive_does(tmp_path):
    db, article_id = recorded(tmp_path / "p.db")
    # the example's answers carry a fixed date: a freshness window from then to whatever day this runs
    fresh = (datetime.now(timezone.utc) - datetime(2026, 11, 29, tzinfo=timezone.utc)).total_seconds() / 3600
    assert queries.url_states(db, [TCO])[TCO][0] is Status.ALIVE
    for status, reason in ((Status.TIMEOUT, "read_timeout"), (Status.ERROR, "dns_unavailable"),
                           (Status.OFFLINE, "offline"), (Status.DEFERRED, "retry_after"),
                           (Status.REFUSED, "blocked_address")):
        writes.record_resolution(db, None, Resolution(url=TCO, final_url=None, status=status, reason=reason))
        assert queries.url_states(db, [TCO])[TCO][0] is Status.ALIVE, status
        assert queries.cached_resolution(db, TCO, fresh).status is Status.ALIVE, status
    writes.record_resolution(db, None, Resolution(url=TCO, final_url=TCO, status=Status.DEAD, http_status=410))
    assert queries.url_states(db, [TCO])[TCO][0] is Status.DEAD
    ev = next(c.evidence for c in report.load(db, article_id).citations if c.url == TCO)
    assert (ev.status, ev.http_status) == ("dead", 410)


# --- 11.2: "could not check" is never "checked", and never downgrades a claim ---------------------


def test_no_network_says_so_keeps_claims_as_offline_would_and_exits_1(tmp_path, no_network):
    article = EXAMPLES / "council-bridge.html"
    cut = run("audit", article, "--db", tmp_path / "cut.db", "--no-wayback", "--retries", "0")
    assert cut.exit_code == 1, cut.output
    assert "8 URLs: 0 checked, 8 could not be checked (no network: DNS unavailable)" in said(cut)
    assert "dead-link rate" not in cut.output

    asked = run("audit", article, "--db", tmp_path / "off.db", "--offline")
    assert asked.exit_code == 0, asked.output
    assert "8 URLs: 0 checked, 8 not checked (offline run)" in said(asked)
    # the same article grades the same whether the look-ups failed or were never tried
    cut_db, off_db = database.connect(tmp_path / "cut.db"), database.connect(tmp_path / "off.db")
    assert claim_statuses(cut_db) == claim_statuses(off_db)
    assert "sourced" in dict(claim_statuses(cut_db)).values()
    # and the reason is shown where the claim's chain ends
    assert re.search(r"could not be checked: error \((dns_unavailable|no_network)\)", said(cut))


def test_vague_means_no_specific_page_only(tmp_path):
    db, article_id = recorded(tmp_path / "p.db")
    db.execute("UPDATE captures SET resolution_id = NULL")
    db.execute("DELETE FROM hops")
    db.execute("DELETE FROM resolutions")
    writes.record_resolution(db, None, Resolution(url=TCO, final_url=None, status=Status.TIMEOUT,
                                                  reason="connect_timeout"))
    from provenance.regrade import regrade

    regrade(db, [TCO])
    r = report.load(db, article_id)
    post = next(c for c in r.claims if c.kind == "post")
    assert post.status == "sourced"
    assert r.summary()["links"] == "1 URL: 0 checked, 1 could not be checked (connect timeout)"


def test_exit_code_and_dead_link_rate_have_one_definition():
    assert exit_code(readable=0) == 2
    assert exit_code(readable=1) == 0
    assert exit_code(readable=1, broken=1) == 1
    assert exit_code(readable=1, unreadable=1) == 1
    assert exit_code(readable=1, unchecked=3) == 1
    assert exit_code(readable=1, unchecked=3, offline=True) == 0
    assert exit_code(readable=1, broken=1, offline=True) == 1
    assert exit_code(readable=5, interrupted=True) == 130
    assert dead_link_rate(1, 4) == 0.25 and dead_link_rate(0, 0) is None
    t = LinkTally.of([(Status.ALIVE, None), (Status.DEAD, "http_404"), (Status.TIMEOUT, "read_timeout"),
                      (Status.OFFLINE, "offline"), (None, None)])
    assert (t.urls, t.checked, t.broken, t.unchecked, t.offline, t.never) == (5, 2, 1, 1, 1, 1)
    assert t.dead_link_rate == 0.5


def test_every_format_and_the_batch_summary_agree_on_one_run(tmp_path, loopback_only):
    """JSON, terminal, Markdown, HTML and the batch summary of the same article say the same numbers."""
    dbp = tmp_path / "p.db"
    with FaultServer() as srv:
        page, _, _ = story(tmp_path, srv)
        outs = {fmt: run("audit", page, "--db", dbp, "--format", fmt, "--archive-dir", tmp_path / "w", *LOOPBACK)
                for fmt in ("json", "table", "markdown", "html")}
        summary = batch_mod.run_batch(
            Settings(db=dbp, allow_private=True, robots="ignore", retries=0, wayback=False, min_interval=0,
                     archive_dir=tmp_path / "w"),
            [str(page)], extract_workers=0)
    words = "2 URLs: 2 checked, 1 dead: dead-link rate 50%"
    js = json.loads(outs["json"].output)["summary"]
    assert (js["urls"], js["urls_checked"], js["urls_dead"], js["dead_link_rate"], js["links"]) == (
        2, 2, 1, 0.5, words)
    for fmt in ("table", "markdown", "html"):
        assert words in said(outs[fmt]), fmt
    assert summary.dead_link_rate == 0.5 and summary.links.words() == words
    assert summary.exit_code() == 1 and all(o.exit_code == 1 for o in outs.values())
    claims = {k: v for k, v in json.loads(outs["json"].output)["summary"]["claims"].items() if v}
    assert summary.claims == claims


# --- 11.6: chains show each thing once ----------------------------------------------------------


def test_chains_show_the_latest_capture_and_best_snapshot_once_in_order_past_id_100(tmp_path):
    db, article_id = recorded(tmp_path / "p.db")
    final = db.execute("SELECT final_url FROM latest_resolutions r JOIN urls u ON u.id = r.url_id "
                       "WHERE u.url = ?", [TCO]).fetchone()[0]
    found = None
    for i in range(130):  # ids well past 100: one look-up per past audit
        status = SnapshotStatus.FOUND if i == 110 else SnapshotStatus.UNKNOWN
        sid = writes.record_snapshot(db, None, Snapshot(url=TCO, status=status, reason="busy",
                                                        timestamp="20250701000000" if i == 110 else None))
        found = sid if i == 110 else found
        writes.record_capture(db, None, Capture(url=final, warc_file="x.warc.gz", offset=10_000 + i, length=1,
                                                record_type=CaptureKind.REVISIT, payload_digest=f"d{i}"))
    latest_capture = db.execute("SELECT max(id) FROM captures").fetchone()[0]
    assert latest_capture > 100 and found > 100
    rows = list(db.query("SELECT claim_id, chain, step, step_kind, capture_id, snapshot_id FROM chains "
                         "WHERE article_id = ? AND citation_id IN (SELECT id FROM citations WHERE url = ?)",
                         [article_id, TCO]))
    by_chain: dict = {}
    for r in rows:
        by_chain.setdefault((r["claim_id"], r["chain"]), []).append(r)
    assert by_chain
    for steps in by_chain.values():
        kinds = [s["step_kind"] for s in steps]
        assert kinds.count("capture") == 1 and kinds.count("snapshot") == 1
        assert kinds.index("resolution") < kinds.index("final") < kinds.index("capture") < kinds.index("snapshot")
        assert [s["step"] for s in steps] == sorted(s["step"] for s in steps)
        assert next(s["capture_id"] for s in steps if s["step_kind"] == "capture") == latest_capture
        assert next(s["snapshot_id"] for s in steps if s["step_kind"] == "snapshot") == found
    text = report.show(db, article_id, article=True, width=200)
    citing = len({c.id for c in report.load(db, article_id).citations if c.url == TCO})
    assert text.count("snapshot: unknown") == citing and text.count("snapshot: found") == citing


def test_show_says_nothing_checked_and_no_final_page_for_a_url_that_never_resolved(tmp_path):
    db, article_id = recorded(tmp_path / "p.db")
    db.execute("UPDATE captures SET resolution_id = NULL")
    db.execute("DELETE FROM hops")
    db.execute("DELETE FROM resolutions")
    writes.record_resolution(db, None, Resolution(url=TCO, final_url=TCO, status=Status.OFFLINE, reason="offline",
                                                  checked_at="2026-01-01T00:00:00+00:00"))
    text = report.show(db, article_id, article=True, width=200)
    line = next(x for x in text.splitlines() if "offline run" in x)
    assert "checked 2026" not in line
    assert "final:" not in text
    assert not list(db.query("SELECT 1 FROM chains WHERE step_kind = 'final'"))


def test_a_batch_with_no_network_says_so_and_exits_1_but_offline_exits_0(tmp_path, no_network):
    article = str(EXAMPLES / "council-bridge.html")
    cut = batch_mod.run_batch(Settings(db=tmp_path / "cut.db", wayback=False, retries=0,
                                       archive_dir=tmp_path / "w"), [article], extract_workers=0)
    assert cut.links.words() == "8 URLs: 0 checked, 8 could not be checked (no network: DNS unavailable)"
    assert cut.dead_link_rate is None and cut.exit_code() == 1
    asked = batch_mod.run_batch(Settings(db=tmp_path / "off.db", offline=True), [article], extract_workers=0)
    assert asked.links.words() == "8 URLs: 0 checked, 8 not checked (offline run)" and asked.exit_code() == 0
    assert cut.claims == asked.claims, "a failed network grades no claim lower than not asking"
