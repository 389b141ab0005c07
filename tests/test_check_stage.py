"""The check stage wired into the pipeline: an audit of an article whose cited pages (and their Wayback
snapshots) a loopback server on 127.0.0.1 serves (allow_private) records a verbatim quote, an altered
quote and a drifted source, every report shows them inside the chain, and `provenance check` reaches
the same verdicts again offline, from the WARC files alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from provenance import browse, check_stage, report, store, usecases
from provenance.check import check_passage, check_quote
from provenance.export import write as export_write
from provenance.run import BYTES_PER_CHAR, PageTexts, RunContext
from provenance.settings import Settings

from .check_server import Server
from .conftest import ROOT, needs
from .test_browser import CHROMIUM, chromium, screenshot


def settings_for(tmp, server: Server | None = None, **extra) -> Settings:
    base = {"archive_sources": (server.base,)} if server else {}
    return Settings(db=tmp / "p.db", allow_private=True, wayback_interval=0.0, min_interval=0.0, **base, **extra)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """One audit for the whole module: the pages, the CDX answer and the raw snapshots all come from 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("check")
    with Server() as server:
        (tmp / "story.html").write_text(server.article(), encoding="utf-8")
        settings = settings_for(tmp, server)
        outcome = usecases.audit_sources(settings, [str(tmp / "story.html")])
        requests = list(server.httpd.requests)
    assert not outcome.failures
    db = store.connect(settings.db)
    claims = {r["text"]: r for r in db.query("SELECT id, text, status FROM claims")}
    return {"tmp": tmp, "settings": settings, "outcome": outcome, "db": db, "requests": requests,
            "claims": claims, "base": server.base}


def claim_id(audited, start: str) -> int:
    return next(c["id"] for text, c in audited["claims"].items() if text.lstrip("“").startswith(start))


def checks_by(db, **where) -> list[dict]:
    sql = " AND ".join(f"{k} = ?" for k in where)
    return list(db.query(f"SELECT * FROM checks WHERE {sql} ORDER BY id", list(where.values())))


def test_the_audit_records_a_verbatim_quote_an_altered_quote_and_a_drifted_source(audited):
    db = audited["db"]
    verbatim = checks_by(db, claim_id=claim_id(audited, "We will cut"), kind="quote")
    assert [(k["verdict"], k["against"], k["passage"]) for k in verbatim] == [
        ("verbatim", "capture", "We will cut the deficit by 3 percent next year")]
    altered = checks_by(db, claim_id=claim_id(audited, "The reform"), kind="quote")
    assert [k["verdict"] for k in altered] == ["altered"]
    assert altered[0]["passage"] == "The reform will raise taxes for families"
    assert json.loads(altered[0]["evidence"])["reasons"] == ["negation"]
    drift = {row["url"].rsplit("/", 1)[1]: row for row in db.query(
        "SELECT u.url, k.verdict, k.capture_id, k.snapshot_id, k.evidence FROM checks k JOIN urls u ON u.id = k.url_id "
        "WHERE k.kind = 'drift'")}
    assert {u: r["verdict"] for u, r in drift.items()} == {"statement": "same", "op-ed": "same", "reaction": "edited"}
    assert json.loads(drift["reaction"]["evidence"])["counts"] == {"added": 1, "removed": 1, "changed": 0,
                                                                  "cosmetic": 0}
    assert all(r["capture_id"] and r["snapshot_id"] for r in drift.values())
    passage = checks_by(db, claim_id=claim_id(audited, "The opposition"), kind="passage")
    assert len(passage) == 1 and "opposition leader called the plan reckless" in passage[0]["passage"]
    # offsets index the page's main text, so the passage can be found again
    assert passage[0]["end"] - passage[0]["start"] == len(passage[0]["passage"])


def test_the_claim_statuses_say_verified_and_disputed(audited):
    statuses = {text[:12]: c["status"] for text, c in audited["claims"].items()}
    assert statuses["“We will cut"] == "verified"
    assert statuses["“The reform "] == "disputed"
    assert statuses["The oppositi"] == "archived"  # a weak lexical match verifies nothing


def test_each_snapshot_was_fetched_raw_once_and_kept_as_a_capture(audited):
    raw = [p for p in audited["requests"] if p.startswith("/web/")]
    assert len(raw) == 3 and all("id_/" in p for p in raw)
    kept = [r["url"] for r in audited["db"].query(
        "SELECT u.url FROM captures c JOIN urls u ON u.id = c.url_id WHERE c.record_type = 'response' "
        "AND u.url LIKE '%/web/%id_/%'")]
    assert len(kept) == 3


def test_every_report_shows_the_checks_inside_the_chain(audited):
    outcome, db = audited["outcome"], audited["db"]
    table = report.render_audit("table", db, outcome.results, color=False, width=160)[0]
    assert "quote verbatim 1.00" in table and "quote altered 0.91" in table and "drift edited" in table
    assert "“The reform will raise taxes for families”" in table
    assert "1 verified" in table and "1 disputed" in table

    html = report.render_audit("html", db, outcome.results)[0]
    assert '<span class="r-found">verbatim</span>' in html
    assert '<span class="r-flagged">altered</span>' in html and "<del>not</del>" in html
    assert '<span class="r-flagged">edited</span>' in html
    assert "<ins>The party will vote against the budget without tabling any amendments.</ins>" in html
    assert 'class="badge s-disputed"' in html

    markdown = report.render_audit("markdown", db, outcome.results)[0]
    assert "quote altered 0.91: “The reform will raise taxes for families”" in markdown

    doc = json.loads(report.render_audit("json", db, outcome.results)[0])
    by_text = {c["text"][:12]: c for c in doc["claims"]}
    quote = by_text["“We will cut"]
    assert quote["status"] == "verified"
    assert {(k["kind"], k["verdict"]) for k in quote["checks"]} == {("quote", "verbatim"), ("drift", "same")}
    reaction = by_text["The oppositi"]["checks"]
    edited = next(k for k in reaction if k["kind"] == "drift")
    assert edited["verdict"] == "edited" and edited["counts"]["added"] == 1
    assert any(step["text"].startswith("drift edited") for step in by_text["The oppositi"]["chain"])

    shown = usecases.show_chains(audited["settings"], claim_id(audited, "The reform"), width=200)
    assert "quote check: altered (0.91) in the capture" in shown and "negation differs" in shown
    shown = usecases.show_chains(audited["settings"], claim_id(audited, "The opposition"), width=200)
    assert "drift: edited (0.76)" in shown
    assert "+ The party will vote against the budget without tabling any amendments." in shown


def test_chains_datasette_queries_and_prov_carry_the_checks(audited, tmp_path):
    db = audited["db"]
    steps = list(db.query("SELECT kind, status, rule, confidence FROM chains WHERE step_kind = 'check' "
                          "AND claim_id = ?", [claim_id(audited, "The reform")]))
    assert {(s["kind"], s["status"], s["rule"]) for s in steps} == {("quote", "altered", "capture"),
                                                                    ("drift", "same", "live")}
    queries = browse.load_metadata()["databases"]["provenance"]["queries"]
    altered = list(db.query(queries["altered_or_absent_quotes"]["sql"]))
    assert [(r["verdict"], r["passage"]) for r in altered] == [("altered", "The reform will raise taxes for families")]
    drifted = list(db.query(queries["drifted_sources"]["sql"]))
    assert [r["url"].rsplit("/", 1)[1] for r in drifted] == ["reaction"]
    verified = list(db.query(queries["verified_claims"]["sql"]))
    assert [r["claim_id"] for r in verified] == [claim_id(audited, "We will cut")]

    with open(tmp_path / "prov.json", "w", encoding="utf-8") as out:
        export_write(db, "prov-json", out)
    prov = json.loads((tmp_path / "prov.json").read_text(encoding="utf-8"))
    checks = {k: v for k, v in prov["activity"].items() if k.startswith("pv:check/")}
    assert len(checks) == db.execute("SELECT count(*) FROM checks").fetchone()[0]
    used = {(u["prov:activity"], u["prov:entity"].split("/")[0]) for u in prov["used"].values()}
    assert all((act, "pv:capture") in used for act in checks)
    generated = {g["prov:entity"]: g["prov:activity"] for g in prov["wasGeneratedBy"].values()}
    assert all(generated[f"pv:verdict/{act.split('/')[1]}"] == act for act in checks)


def verdicts(db) -> list[tuple]:
    return sorted(((k["claim_id"], k["url_id"], k["kind"], k["verdict"], k["passage"])
                   for k in db.query("SELECT * FROM checks")), key=repr)


@pytest.mark.slow
def test_check_runs_again_offline_from_the_warc_files(audited):
    """The server is gone and --offline is given: every page is read back from the WARC files."""
    db, settings = audited["db"], audited["settings"]
    article = audited["outcome"].results[0].article_id
    before = verdicts(db)
    captures = db.execute("SELECT count(*) FROM captures").fetchone()[0]
    db.execute("DELETE FROM checks")
    db.conn.commit()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "provenance", "check", "--db", str(settings.db), "--offline",
                           "--article", str(article)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr  # an altered quote and a drifted source: something to look at
    assert "altered" in done.stdout and "edited" in done.stdout and "2 to look at" in done.stdout
    assert verdicts(db) == before
    assert db.execute("SELECT count(*) FROM captures").fetchone()[0] == captures  # nothing fetched or written
    claim = claim_id(audited, "The reform")
    one = subprocess.run([sys.executable, "-m", "provenance", "check", "--db", str(settings.db), "--offline",
                          "--claim", str(claim)], env=env, capture_output=True, text=True, timeout=60)
    assert f"claim {claim}" in one.stdout and "verbatim" not in one.stdout


def test_no_check_records_no_verdicts_and_a_later_check_fetches_the_snapshots_once(tmp_path):
    with Server() as server:
        (tmp_path / "story.html").write_text(server.article(), encoding="utf-8")
        settings = settings_for(tmp_path, server, check=False)
        usecases.audit_sources(settings, [str(tmp_path / "story.html")])
        db = store.connect(settings.db)
        assert db.execute("SELECT count(*) FROM checks").fetchone()[0] == 0
        assert {r["status"] for r in db.query("SELECT status FROM claims")} <= {"archived", "unsourced"}
        assert not [p for p in server.httpd.requests if p.startswith("/web/")]  # no snapshot kept raw
        outcome = usecases.check_recorded(settings_for(tmp_path, server))
        assert len([p for p in server.httpd.requests if p.startswith("/web/")]) == 3
        usecases.check_recorded(settings_for(tmp_path, server))
        assert len([p for p in server.httpd.requests if p.startswith("/web/")]) == 3  # kept: read back, not fetched
    assert {(k["kind"], k["verdict"]) for rows in outcome.checks.values() for k in rows} >= {
        ("quote", "verbatim"), ("quote", "altered"), ("drift", "edited")}
    assert outcome.regraded == 2  # verified and disputed
    assert {r["status"] for r in db.query("SELECT status FROM claims")} >= {"verified", "disputed"}


def test_an_offline_audit_checks_nothing_it_never_read(tmp_path):
    with Server() as server:
        (tmp_path / "story.html").write_text(server.article(), encoding="utf-8")
    settings = settings_for(tmp_path, offline=True)
    usecases.audit_sources(settings, [str(tmp_path / "story.html")])
    db = store.connect(settings.db)
    assert db.execute("SELECT count(*) FROM checks").fetchone()[0] == 0


def test_batch_runs_the_check_stage_too(tmp_path):
    with Server() as server:
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "story.html").write_text(server.article(), encoding="utf-8")
        settings = settings_for(tmp_path, server)
        summary = usecases.run_batch(settings, [str(tmp_path / "in")])
    assert summary.articles == 1
    db = store.connect(settings.db)
    found = {(k["kind"], k["verdict"]) for k in db.query("SELECT kind, verdict FROM checks")}
    assert {("quote", "verbatim"), ("quote", "altered"), ("drift", "edited")} <= found
    assert {r["status"] for r in db.query("SELECT status FROM claims")} >= {"verified", "disputed"}


def test_a_batch_reads_and_indexes_a_page_many_articles_cite_once(tmp_path, monkeypatch):
    """Two articles citing the same pages: both get their verdicts, and each kept page is read back from
    the WARC files once for the run, not once per article (the batch's cost grew with every citation)."""
    reads = []
    original = check_stage.read_record

    def counted(warc_dir, row, max_bytes):
        reads.append(row["id"])
        return original(warc_dir, row, max_bytes)

    monkeypatch.setattr(check_stage, "read_record", counted)
    with Server() as server:
        (tmp_path / "in").mkdir()
        for name in ("one.html", "two.html"):
            (tmp_path / "in" / name).write_text(server.article(), encoding="utf-8")
        settings = settings_for(tmp_path, server)
        summary = usecases.run_batch(settings, [str(tmp_path / "in")])
    assert summary.articles == 2
    db = store.connect(settings.db)
    per_article = {r["article_id"]: r["n"] for r in db.query(
        "SELECT claims.article_id, count(*) AS n FROM checks JOIN claims ON claims.id = checks.claim_id GROUP BY 1")}
    assert len(per_article) == 2 and len(set(per_article.values())) == 1
    assert reads and len(reads) == len(set(reads))


def test_the_run_keeps_page_texts_within_its_budget_the_least_recently_used_going_first():
    texts = PageTexts(budget=3 * (64 + 100 * BYTES_PER_CHAR))
    for capture in (1, 2, 3):
        texts.put(capture, f"text {capture}", 100)
    assert texts.get(1) == (True, "text 1")  # 1 is now the most recently used
    texts.put(4, "text 4", 100)
    assert texts.get(2) == (False, None) and texts.get(1) == (True, "text 1") and texts.get(4) == (True, "text 4")
    texts.put(5, None, 0)  # an unreadable page is remembered as such, cheaply
    assert texts.get(5) == (True, None)
    assert texts.ready.used <= texts.ready.budget
    texts.put(6, "huge", 10**9)  # more than the whole budget: not kept, and nothing else thrown out for it
    assert texts.get(6) == (False, None) and texts.get(4) == (True, "text 4")
    # The second tier keeps pages packed (a page's text with its index, pickled) on disk, within a budget
    # of its own: past it, the pages packed first go.
    texts = PageTexts(packed_budget=100)
    texts.put(5, None, 0)
    texts.pack(2, b"2" * 40)
    assert texts.packed_of(2) == b"2" * 40 and texts.packed_of(3) is None
    assert texts.knows(2) and texts.knows(5) and not texts.knows(3)  # packed, ready (as unreadable), neither
    texts.pack(3, b"3" * 40)
    texts.pack(2, b"2" * 30)  # packed again: counted once
    assert texts.packed.used == 70 and texts.packed_of(2) == b"2" * 30
    texts.pack(4, b"4" * 40)
    assert texts.packed_of(3) is None and texts.packed_of(2) == b"2" * 30 and texts.packed_of(4) == b"4" * 40
    assert texts.packed.used == 70 <= texts.packed.budget
    texts.pack(6, b"6" * 101)  # more than the whole budget: not kept, and nothing else let go for it
    assert texts.packed_of(6) is None and texts.knows(2) and texts.knows(4)
    texts.close()


def test_a_page_packed_for_later_comes_back_indexed_and_checks_as_it_did():
    page = "Der Bürgermeister sagte: «Die Brücke bleibt zu.» Der Rat stimmte am Montag ab. " * 200
    text = check_stage.Text(page, 7)
    text.prepare()
    packed = text.pack()
    assert len(packed) < 5 * len(page)  # pickled, index and all: a few bytes a character, as the packed tier counts
    again = check_stage.Text.unpack(packed, 9)
    assert again.capture_id == 9 and again.text == page
    assert again._folded is not None and again._sentences is not None  # indexed, not to be indexed again
    assert again.folded == text.folded and again.sentences == text.sentences
    claim = "The council voted on Monday, the mayor said the bridge stays closed"
    assert check_passage(claim, again.sentences) == check_passage(claim, text.sentences)
    assert check_quote("Die Brücke bleibt zu", again.folded) == check_quote("Die Brücke bleibt zu", text.folded)
    # Read and indexed in another process (a batch's extraction worker), it is the same page.
    body = f"<html><body><article><h1>Rat</h1><p>{page}</p></article></body></html>".encode()
    shipped = check_stage.Text.unpack(check_stage.prepare_text(body, "text/html; charset=utf-8"), 1)
    assert shipped.text == check_stage.read_text(body, "text/html; charset=utf-8")
    assert shipped.sentences == check_stage.Text(shipped.text, 1).sentences
    # Read for passage checks alone, a page is indexed and not folded (its index is made without the fold), and
    # packs smaller; a quote check that comes for it later folds it then, to the same verdict.
    passages = check_stage.Text.unpack(check_stage.prepare_text(body, "text/html; charset=utf-8", (False, True)), 2)
    assert passages._folded is None and passages._sentences == shipped.sentences
    assert len(check_stage.prepare_text(body, "text/html; charset=utf-8", (False, True))) < len(
        check_stage.prepare_text(body, "text/html; charset=utf-8"))
    assert check_quote("Die Brücke bleibt zu", passages.folded) == check_quote("Die Brücke bleibt zu", shipped.folded)
    quotes = check_stage.Text.unpack(check_stage.prepare_text(body, "text/html; charset=utf-8", (True, False)), 3)
    assert quotes._sentences is None and quotes._folded == shipped.folded and quotes.sentences == shipped.sentences


@pytest.mark.slow
@needs(CHROMIUM is not None, "chromium is not installed (scripts/setup.sh installs it)")
def test_headless_chromium_shows_the_disputed_claim_with_its_altered_quote(audited, tmp_path):
    db, outcome = audited["db"], audited["outcome"]
    page = tmp_path / "report.html"
    page.write_text(report.render_audit("html", db, outcome.results)[0], encoding="utf-8")
    disputed = claim_id(audited, "The reform")
    url = page.as_uri() + f"#claim-{disputed}"
    dom = chromium(tmp_path, url, "--dump-dom")
    assert 'data-ready="1"' in dom
    at = dom.index(f'id="claim-{disputed}"')
    section = dom[at - 40: dom.index("</section>", at)]
    assert 'class="chain open"' in section[:80], "the chain named in the address is open"
    assert '<span class="r-flagged">altered</span>' in section and "<del>not</del>" in section
    assert "<q>The reform will raise taxes for families</q>" in section
    assert screenshot(tmp_path, url, "html-report-checks.png").stat().st_size > 10_000


def test_a_page_with_no_text_to_read_is_unavailable_and_the_audit_goes_on(tmp_path):
    with Server() as server:
        (tmp_path / "story.html").write_text(
            "<html><head><title>Report out</title></head><body><article><h1>Report out</h1>"
            f"<p>“Emissions fell by 12 percent over the decade,” Ann Lee said in <a href='{server.base}/report.pdf'>"
            "the report</a>.</p></article></body></html>", encoding="utf-8")
        settings = settings_for(tmp_path, server)
        outcome = usecases.audit_sources(settings, [str(tmp_path / "story.html")])
    assert outcome.results and not outcome.failures
    db = store.connect(settings.db)
    assert [(k["kind"], k["verdict"]) for k in db.query("SELECT kind, verdict FROM checks")] == [
        ("quote", "unavailable")]


def test_the_verdict_vocabulary_is_the_check_cores_own():
    from provenance.check import DRIFT_VERDICTS, PASSAGE_VERDICTS, QUOTE_VERDICTS
    from provenance.models import CheckKind, ClaimStatus, Verdict

    assert {v.value for v in Verdict} == set(QUOTE_VERDICTS) | set(PASSAGE_VERDICTS) | set(DRIFT_VERDICTS)
    assert {k.value for k in CheckKind} == {"quote", "passage", "drift"}
    assert [s.value for s in ClaimStatus][0] == "verified" and "disputed" in {s.value for s in ClaimStatus}


def test_datasette_shows_the_checks_in_a_claims_chain_and_the_canned_queries(audited):
    import asyncio

    from datasette.app import Datasette

    path = audited["settings"].db
    ds = Datasette([str(path)], metadata=browse.metadata_for(path), plugins_dir=str(browse.PLUGINS_DIR))
    name = path.stem
    disputed = claim_id(audited, "The reform")

    async def get(url):
        response = await ds.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    async def pages():
        chain = (await get(f"/{name}/claim_chain.json?claim_id={disputed}&_shape=array")).json()
        altered = (await get(f"/{name}/altered_or_absent_quotes")).text
        checks = (await get(f"/{name}/checks")).text
        return chain, altered, checks

    chain, altered, checks = asyncio.run(pages())
    steps = [(s["step_kind"], s["kind"], s["status"]) for s in chain]
    assert ("check", "quote", "altered") in steps and ("check", "drift", "same") in steps
    assert "The reform will raise taxes for families" in altered
    assert "Does the cited page say what the article says it says" in checks


# Three articles citing the same pages for different words: the drift check of a page carries the words each
# article found there, so a check given to the wrong article, or its words to the wrong drift row, shows.
OTHERS = (
    "<p>“The finance ministry published its plans for the coming year,” the ministry said in "
    "<a href='{base}/statement'>a statement</a>.</p><p>“The statement was signed by the minister and her two "
    "deputies,” Jane Doe said in <a href='{base}/statement'>the statement</a>.</p>"
    "<p>The party will table amendments in the finance committee, <a href='{base}/reaction'>a release said</a>.</p>",
    "<p>Critics have called the plan rushed, <a href='{base}/op-ed'>an op-ed</a> says.</p>"
    "<p>“We will cut the deficit by 5 percent next year,” Jane Doe said in <a href='{base}/statement'>a statement</a>."
    "</p><p>The leader called the plan reckless, <a href='{base}/reaction'>according to a party release</a>.</p>",
)


def check_rows(db) -> list[tuple]:
    """Every recorded check, in the order written, without what differs between two runs (ids, times)."""
    return [tuple(r) for r in db.execute(
        'SELECT claim_id, citation_id, url_id, kind, against, capture_id, snapshot_id, verdict, score, passage, '
        '"start", "end", detail, evidence FROM checks ORDER BY id')]


def test_a_block_of_articles_is_checked_page_by_page_with_the_rows_of_checking_them_one_by_one(tmp_path):
    with Server() as server:
        sources = []
        for i, body in enumerate((None, *OTHERS)):
            path = tmp_path / f"story{i}.html"
            path.write_text(server.article() if body is None else (
                "<html><head><meta property='article:published_time' content='2025-07-01T09:30:00Z'></head><body>"
                f"<article><h1>Budget, day {i}</h1>{body.format(base=server.base)}</article></body></html>"),
                encoding="utf-8")
            sources.append(str(path))
        settings = settings_for(tmp_path, server)
        outcome = usecases.audit_sources(settings, sources)
    articles = [r.article_id for r in outcome.results]
    assert len(articles) == 3
    offline = settings_for(tmp_path, offline=True)
    db = store.connect(settings.db)

    def checked(block: bool, reader=None) -> tuple[list[tuple], dict[int, list[dict]]]:
        db.execute("DELETE FROM checks")
        db.conn.commit()
        with RunContext.open(offline, "check", {}) as ctx:
            checker = check_stage.Checker(ctx, reader)
            rows = checker.check_articles(articles) if block else {a: checker.check_article(a) for a in articles}
        return check_rows(db), rows

    one_by_one, returned_one_by_one = checked(block=False)
    block, returned_block = checked(block=True)
    assert block == one_by_one and returned_block == returned_one_by_one
    # The pages' texts read from their records and indexed in another process (as a batch's extraction workers
    # do) make the same rows.
    sent = []
    with ProcessPoolExecutor(1) as pool:
        def reader(fn, *args):
            sent.append(fn)
            return pool.submit(fn, *args)

        assert checked(block=True, reader=reader) == (block, returned_block)
    assert sent and set(sent) == {check_stage.prepare_capture}
    kinds = {(kind, verdict) for _, _, _, kind, _, _, _, verdict, *_ in block}
    assert {("quote", "verbatim"), ("quote", "altered"), ("passage", "weak"), ("drift", "edited")} <= kinds
    # Each article got checks of its own, and the pages they share were checked for each of them.
    by_article = {a: {r["kind"] for r in rows} for a, rows in returned_block.items()}
    assert all({"quote", "drift"} <= kinds for kinds in by_article.values())
    drift_words = {(r["url"], r["passage"]) for rows in returned_block.values() for r in rows if r["kind"] == "drift"}
    assert len(drift_words) > len({url for url, _ in drift_words})  # the same page, other words, other rows
