"""The seed's audit traces its vague citations end to end: a loopback CDX and replay archive on 127.0.0.1
(allow_private), seeded with the story pages written in test_trace_seed, is the only archive source. The
yournews.com claims get a traced page, the UNITED24 tweet its status URL, the france24.com quotes are checked
verbatim at the traced page; the terminal, `show`, HTML, Markdown, JSON and Datasette all show how each
page was found. With no archive reachable every vague citation says why it stays vague, in one line.

The seed's t.co link would leave the machine, so the article given to the audit points it at the
archive's raw copy of the status instead; every other word is the seed's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from provenance import browse, report, store, usecases
from provenance.settings import Settings

from .cdx_server import Archive
from .conftest import EXAMPLES, ROOT
from .test_trace_seed import PAGE, STATUS, STORIES

TWEET_PAGE = PAGE.format("UNITED24 Media on X", "<p>⚡️ Putin and Macron spoke by phone for the first time since "
                         "2022. https://t.co/Cnqgv5qgwV</p>")


def seeded_archive() -> Archive:
    archive = Archive()
    for i, (url, (title, body)) in enumerate(STORIES.items()):
        archive.add(url, f"2025070{1 + i % 2}1{i}0000", PAGE.format(title, body))
    archive.add(STATUS, "20250701160000", TWEET_PAGE)
    archive.add("https://twitter.com/United24media/status/1940062040542716999", "20250701170000",
                PAGE.format("UNITED24 Media on X", "<p>Drones struck an oil depot overnight.</p>"))
    return archive


def seed_for(base: str, tmp) -> str:
    text = (EXAMPLES / "macron-putin-call.txt").read_text(encoding="utf-8")
    path = tmp / "macron-putin-call.txt"
    path.write_text(text.replace("https://t.co/Cnqgv5qgwV", f"{base}/web/20250701160000id_/{STATUS}"),
                    encoding="utf-8")
    return str(path)


def settings_for(tmp, base: str, **extra) -> Settings:
    return Settings(db=tmp / "p.db", allow_private=True, wayback_interval=0.0, min_interval=0.0, retries=0,
                    deadline=5.0, connect_timeout=2.0, archive_sources=(base,), **extra)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trace")
    archive = seeded_archive()
    base = archive.serve()
    try:
        settings = settings_for(tmp, base)
        outcome = usecases.audit_sources(settings, [seed_for(base, tmp)])
        calls = archive.cdx_calls
    finally:
        archive.close()
    assert not outcome.failures
    db = store.connect(settings.db)
    return {"tmp": tmp, "settings": settings, "outcome": outcome, "db": db, "cdx_calls": calls, "base": base}


def citations(db, kind: str) -> list[dict]:
    return list(db.query("SELECT * FROM citations WHERE kind = ? ORDER BY seq", [kind]))


def candidates_of(db, citation_id: int) -> list[dict]:
    return list(db.query("SELECT k.*, u.url FROM candidates k JOIN urls u ON u.id = k.url_id "
                         "WHERE citation_id = ? ORDER BY rank", [citation_id]))


def test_the_audit_records_traced_pages_and_ranked_candidates(audited):
    db = audited["db"]
    outlets = {c["id"]: c for c in citations(db, "outlet")}
    yournews = [c for c in outlets.values() if c["outlet"] == "yournews.com"]
    assert len(yournews) == 2
    traced = sorted(candidates_of(db, c["id"])[0]["url"] for c in yournews)
    assert traced == sorted(u for u in STORIES if "yournews.com/2025/07/0" in u)
    for c in yournews:
        rows = candidates_of(db, c["id"])
        assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0]["verdict"] == "matched" and rows[0]["source"] == "cdx" and rows[0]["archive"] == audited["base"]
        assert all(r["verdict"] != "matched" for r in rows[1:])  # the decoys stay ranked, unverified
        assert c["trace_result"].startswith(f"traced: {rows[0]['url']}")
    france = [c for c in outlets.values() if c["outlet"] == "france24.com"]
    assert france
    for c in france:  # the quotes, checked at the traced page
        best = candidates_of(db, c["id"])[0]
        assert best["url"].endswith("-ukraine-ceasefire") and best["verdict"] == "verbatim" and best["score"] == 1.0


def test_the_tweet_gets_its_status_url_marked_traced(audited):
    db = audited["db"]
    (tweet,) = citations(db, "tweet")
    assert tweet["url"] == STATUS
    assert db.execute("SELECT url FROM urls WHERE id = ?", [tweet["url_id"]]).fetchone()[0] == STATUS
    (best, *_) = candidates_of(db, tweet["id"])
    assert (best["source"], best["url"], best["verdict"]) == ("tweet", STATUS, "verbatim")


def test_claims_resting_on_traced_citations_are_traced(audited):
    db = audited["db"]
    statuses = dict(db.execute("SELECT text, status FROM claims").fetchall())
    assert statuses["Conversely, Putin pointed fingers at Western policies as the primary catalyst for the crisis."] \
        == "traced"
    quotes = [s for t, s in statuses.items() if t.startswith("“Macron emphasized")]
    assert quotes == ["traced"]
    assert "vague" not in statuses.values()  # every vague citation of the seed was traced


def test_fetched_candidates_are_kept_in_the_warc_files_as_captures(audited):
    db = audited["db"]
    rows = list(db.query("SELECT k.capture_id, c.record_type, c.http_status, u.url FROM candidates k "
                         "JOIN captures c ON c.id = k.capture_id JOIN urls u ON u.id = c.url_id"))
    assert rows and all(r["record_type"] == "response" and r["http_status"] == 200 for r in rows)
    assert all("id_/" in r["url"] for r in rows)  # kept under the raw address asked of the archive
    outcome = usecases.verify_archive(audited["settings"])
    assert not outcome.report.problems


def test_cdx_calls_stay_within_the_budget(audited):
    vague = len(citations(audited["db"], "outlet")) + len(citations(audited["db"], "tweet"))
    assert audited["cdx_calls"] <= 20 * vague + 2 * 10  # the tracing budget, plus the snapshot look-ups


def test_show_the_terminal_html_markdown_and_json_say_how_each_page_was_found(audited):
    db, results = audited["db"], audited["outcome"].results
    article = results[0].article_id
    shown = usecases.show_chains(audited["settings"], f"article:{article}", width=200)
    assert "traced page: https://yournews.com/2025/07/01/putin-blames-west-ukraine-crisis/ (matched" in shown
    assert "found by tracing: cdx" in shown and "candidate 2:" in shown
    assert f"traced page: {STATUS} (verbatim 1.00" in shown
    table = report.render_audit("table", db, results, width=200)[0]
    assert "traced →" in table and "traced" in table
    html = report.render_audit("html", db, results)[0]
    assert 'class="badge s-traced"' in html and "found by tracing: cdx" in html
    markdown = report.render_audit("markdown", db, results)[0]
    assert "| traced |" in markdown and "traced page: https://www.france24.com" in markdown
    doc = json.loads(report.render_audit("json", db, results)[0])
    traced = [c for c in doc["citations"] if c.get("trace")]
    assert {c["kind"] for c in traced} == {"outlet", "tweet"}
    assert all(c["trace"]["candidates"][0]["rank"] == 1 for c in traced)
    assert {cl["status"] for cl in doc["claims"]} >= {"traced"}


def test_datasette_shows_candidates_and_the_canned_query(audited):
    pytest.importorskip("datasette")
    import asyncio

    from datasette.app import Datasette

    path = audited["settings"].db
    ds = Datasette([str(path)], metadata=browse.metadata_for(path), plugins_dir=str(browse.PLUGINS_DIR))

    async def get(url: str):
        return await ds.client.get(url)

    name = path.stem
    best = asyncio.run(get(f"/{name}/vague_citations_best_candidate.json?_shape=array")).json()
    assert len(best) == 5 and all(r["verdict"] in ("matched", "verbatim") for r in best)
    assert {r["best_candidate"] for r in best} >= {STATUS}
    page = asyncio.run(get(f"/{name}/candidates"))
    assert page.status_code == 200 and "found by tracing" in page.text


def test_prov_export_derives_traced_citations_from_their_candidates(audited):
    from prov.model import ProvDocument

    from .test_export import derivations, exported

    db = audited["db"]
    doc = ProvDocument.deserialize(content=exported(db, "prov-json"), format="json")
    edges = derivations(doc)
    best = list(db.query("SELECT * FROM candidates WHERE rank = 1 AND verdict IN ('verbatim', 'close', 'matched')"))
    assert len(best) == 5
    for k in best:
        candidate = f"pv:candidate/{k['id']}"
        assert candidate in edges[f"pv:citation/{k['citation_id']}"]
        assert {f"pv:url/{k['url_id']}", f"pv:capture/{k['capture_id']}"} <= edges[candidate]
    ids = {str(r.identifier) for r in doc.get_records()}
    assert all(f"pv:candidate/{i}" in ids for (i,) in db.execute("SELECT id FROM candidates"))
    assert all(f"pv:tracing/{k['citation_id']}" in ids for k in best)


def run_cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "provenance", *args], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)


NO_ARCHIVE = ("--allow-private", "--retries", "0", "--connect-timeout", "1", "--archive-source", "http://127.0.0.1:9")


@pytest.mark.slow  # the real CLI in a subprocess
def test_with_no_archive_reachable_every_vague_citation_says_why_in_one_line(tmp_path):
    """The audit and `provenance trace` with the only archive a closed port on 127.0.0.1: the reason is
    recorded for each vague citation, and the trace command prints it, one line each."""
    source = seed_for("http://127.0.0.1:9", tmp_path)
    db = tmp_path / "p.db"
    audit = run_cli("audit", source, "--db", str(db), *NO_ARCHIVE, cwd=tmp_path)
    assert audit.returncode == 1, audit.stderr
    recorded = store.connect(db)
    results = [r for (r,) in recorded.execute("SELECT trace_result FROM citations WHERE trace_result IS NOT NULL")]
    assert len(results) == 5 and all(r.startswith("stays vague: ") and "\n" not in r for r in results)
    assert all("unreachable" in r or "rate_limited" in r or "deferred" in r for r in results)
    assert recorded.execute("SELECT count(*) FROM candidates").fetchone()[0] == 0
    assert "traced" not in {r for (r,) in recorded.execute("SELECT status FROM claims")}
    again = run_cli("trace", "--article", "1", "--db", str(db), *NO_ARCHIVE, cwd=tmp_path)
    assert again.returncode == 1, again.stderr
    lines = [line for line in again.stdout.splitlines() if line.strip().startswith("citation")]
    assert len(lines) == 5 and all("stays vague: " in line for line in lines)


@pytest.mark.slow  # the real CLI in a subprocess
def test_tracing_again_with_no_answer_keeps_the_earlier_trace(audited, tmp_path):
    """`provenance trace` from what is recorded: an archive that does not answer never wipes what an
    earlier trace found (as a failed resolution never replaces an earlier definitive one)."""
    import shutil

    db = tmp_path / "p.db"
    source = store.connect(audited["settings"].db)
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(audited["settings"].db, db)
    out = run_cli("trace", "--article", "1", "--db", str(db), *NO_ARCHIVE, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.strip().startswith("citation")]
    assert len(lines) == 5 and all("the earlier trace kept" in line for line in lines)
    recorded = store.connect(db)
    assert recorded.execute("SELECT count(*) FROM claims WHERE status = 'traced'").fetchone()[0] == \
        audited["db"].execute("SELECT count(*) FROM claims WHERE status = 'traced'").fetchone()[0] > 0


def test_the_chains_view_continues_through_the_traced_page(audited):
    db = audited["db"]
    steps = list(db.query("SELECT c.claim_id, c.step, c.kind, c.url, c.status, c.rule, c.confidence, c.detail "
                          "FROM chains c JOIN claims cl ON cl.id = c.claim_id WHERE c.step_kind = 'traced' "
                          "AND cl.text LIKE 'Conversely, Putin pointed fingers%'"))
    assert len(steps) == 1
    (step,) = steps
    assert step["url"] == "https://yournews.com/2025/07/01/putin-blames-west-ukraine-crisis/"
    assert (step["kind"], step["status"], step["rule"]) == ("cdx", "matched", "tracing")
    assert step["confidence"] > 0.5 and step["detail"].startswith("found by tracing (cdx, archived 2025070")
    tweet = [r for (r,) in db.execute("SELECT url FROM chains WHERE step_kind = 'traced' AND kind = 'tweet'")]
    assert tweet and set(tweet) == {STATUS}
