"""Deep tracing recorded end to end: an audit at --depth 3 against a loopback archive (127.0.0.1 only,
allow_private) records every page below a verified claim's cited page, and `chains`, `show` and the
reports show the chain down to the primary source.

The article cites two stories kept in the loopback archive. Their sources sit on 127.0.0.2, .3 and .4
at a closed port: the live fetch is refused at once and each page is read from the archive's raw copy,
as for a page gone from the web. Two chains:

- bridges, 3 hops: the story (a copy of the wire's text) → the AP wire story → the agency's PDF (a document);
- budget, 2 hops: the story → the council's minutes, which cite nothing near the passage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import batch, browse, cli_render, report, store, usecases
from provenance.report.markdown import md
from provenance.settings import Settings

from .cdx_server import Archive

BRIDGES = "The agency counted 4,312 bridges in poor condition across the state in its annual inspection report."
BUDGET = "The city council approved a budget of 2.1 billion dollars for the coming fiscal year on Tuesday night."
WIRE_TEXT = (" The inspection covered 11,000 structures, officials said, and found more than a third in need of "
             "repair within five years. Crews will start with the oldest spans on the northern routes.")
FILLER = ("Officials said the review took most of the year and covered every county in the state. "
          "Local leaders have asked for more money to repair roads for a decade, with mixed results so far.")

STORY_ONE = "https://news-one.test/2025/bridges"
STORY_TWO = "https://news-two.test/2025/budget"
WIRE = "http://127.0.0.2:9/wire/bridges"
PDF = "http://127.0.0.3:9/reports/bridges.pdf"
MINUTES = "http://127.0.0.4:9/council/minutes"


def page(title: str, *paras: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in (FILLER, *paras, FILLER))
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def seeded(tmp) -> tuple[Archive, str, Path]:
    """The loopback archive holding both chains (started), and the article citing them, written in `tmp`."""
    archive = Archive()
    base = archive.serve()
    archive.add(STORY_ONE, "20250701", page("Bridges", f'{BRIDGES}{WIRE_TEXT} (<a href="{WIRE}">the wire story</a>)'))
    archive.add(WIRE, "20250701", page("Bridges (AP)", f'WASHINGTON (AP) — {BRIDGES}{WIRE_TEXT} '
                                       f'The <a href="{PDF}">inspection report</a> is online.'))
    archive.add(PDF, "20250701", b"%PDF-1.4 bridges report", mimetype="application/pdf")
    archive.add(STORY_TWO, "20250702", page("Budget", f'{BUDGET} The <a href="{MINUTES}">minutes</a> say so.'))
    archive.add(MINUTES, "20250702", "<html><head><title>Minutes</title></head><body><article><h1>Minutes</h1>"
                f"<p>Item 4. {BUDGET} The vote was six to three, with the mayor abstaining.</p>"
                "<p>Item 5. The parks committee will report in September.</p></article></body></html>")
    article = tmp / "in" / "roads.html"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(page(
        "Roads and money",
        BRIDGES.replace("annual inspection", f'<a href="{base}/web/2id_/{STORY_ONE}">annual inspection</a>'),
        BUDGET.replace("fiscal year", f'<a href="{base}/web/2id_/{STORY_TWO}">fiscal year</a>')), encoding="utf-8")
    return archive, base, article


def settings_for(db: Path, base: str, **extra) -> Settings:
    return Settings(db=db, allow_private=True, wayback_interval=0.0, min_interval=0.0, retries=0, deadline=5.0,
                    connect_timeout=2.0, archive_sources=(base,), **extra)


def audited(tmp: Path, seed) -> tuple[Settings, object, object, str]:
    """Audit the article `seed` writes beside its archive (traced to depth 3): settings, outcome, db, base."""
    archive, base, article = seed(tmp)
    settings = settings_for(tmp / "p.db", base, depth=3)
    try:
        outcome = usecases.audit_sources(settings, [str(article)])
    finally:
        archive.close()
    assert not outcome.failures
    return settings, outcome, store.connect(settings.db), base


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    settings, outcome, db, base = audited(tmp_path_factory.mktemp("deep"), seeded)
    claims = {text: cid for cid, text in db.execute("SELECT id, text FROM claims")}
    return {"settings": settings, "outcome": outcome, "db": db, "base": base,
            "bridges": next(cid for text, cid in claims.items() if text.startswith(BRIDGES[:30])),
            "budget": next(cid for text, cid in claims.items() if text.startswith(BUDGET[:30]))}


def hops(db, claim_id: int) -> list[dict]:
    return list(db.query("SELECT t.*, u.url FROM trace_of t JOIN urls u ON u.id = t.url_id WHERE claim_id = ? "
                         "ORDER BY depth, t.id", [claim_id]))


def test_a_three_hop_chain_is_recorded_down_to_the_document(traced):
    db, base = traced["db"], traced["base"]
    rows = hops(db, traced["bridges"])
    assert [(r["depth"], r["url"]) for r in rows] == [(1, f"{base}/web/2id_/{STORY_ONE}"), (2, WIRE), (3, PDF)]
    story, wire, pdf = rows
    assert pdf["stop"] == "document" and pdf["is_primary"] == 1
    assert [r["is_primary"] for r in (story, wire)] == [0, 0] and story["stop"] is None and wire["stop"] is None
    assert wire["wire"] == "AP" and wire["verdict"] == "matched" and story["wire"] is None
    copied = db.execute("SELECT url FROM urls WHERE id = ?", [story["copy_of_url_id"]]).fetchone()[0]
    assert copied == WIRE and wire["copy_of_url_id"] is None  # the story carries the wire's text: a copy
    # each page read is an article, linked to the article that cited it, with the link it followed
    article = traced["outcome"].results[0].article_id
    assert story["parent_article_id"] == article
    assert wire["parent_article_id"] == story["article_id"] and pdf["parent_article_id"] == wire["article_id"]
    followed = [u for (u,) in db.execute("SELECT url FROM citations WHERE article_id = ?", [wire["article_id"]])]
    assert followed == [PDF]
    assert db.execute("SELECT url, title FROM articles WHERE id = ?", [wire["article_id"]]).fetchone() == \
        (WIRE, "Bridges (AP)")


def test_each_page_reached_is_kept_as_evidence(traced):
    """A page below the cited one is resolved and recorded like a cited page; refused live (a closed port), its
    archived raw copy is what was read, and it is kept in the WARC files."""
    db, base = traced["db"], traced["base"]
    for url in (WIRE, PDF, MINUTES):
        (status,) = db.execute("SELECT r.status FROM resolutions r JOIN urls u ON u.id = r.url_id WHERE u.url = ?",
                               [url]).fetchone()
        assert status in ("refused", "error")
        kept = db.execute("SELECT c.http_status FROM captures c JOIN urls u ON u.id = c.url_id "
                          "WHERE u.url = ? AND c.record_type = 'response'", [f"{base}/web/2id_/{url}"]).fetchall()
        assert kept == [(200,)]
    assert not usecases.verify_archive(traced["settings"]).report.problems


def test_a_two_hop_chain_ends_at_a_page_citing_nothing(traced):
    rows = hops(traced["db"], traced["budget"])
    assert [(r["depth"], r["url"]) for r in rows] == [(1, f"{traced['base']}/web/2id_/{STORY_TWO}"), (2, MINUTES)]
    assert rows[1]["stop"] == "no_citation" and rows[1]["is_primary"] == 1 and rows[1]["verdict"] == "matched"
    assert rows[1]["copy_of_url_id"] is None  # different words around the passage: no copy


def test_the_chains_view_shows_the_depth(traced):
    db = traced["db"]
    steps = list(db.query("SELECT step_kind, kind, url, status, depth, detail FROM chains WHERE claim_id = ? "
                          "ORDER BY step", [traced["bridges"]]))
    assert [s["depth"] for s in steps if s["step_kind"] in ("claim", "article")] == [0, 0]
    assert {s["depth"] for s in steps if s["step_kind"] == "citation"} == {1}
    trace = [s for s in steps if s["step_kind"] == "trace"]
    assert [(s["depth"], s["url"]) for s in trace][1:] == [(2, WIRE), (3, PDF)]
    assert trace[-1]["kind"] == "document" and "primary source (document)" in trace[-1]["detail"]
    assert "copy of " + WIRE in trace[0]["detail"] and "AP wire" in trace[1]["detail"]
    assert [s["step_kind"] for s in steps][-3:] == ["trace"] * 3  # after the citation's own evidence


def test_show_prints_the_chain_down_to_the_primary_source(traced):
    shown = usecases.show_chains(traced["settings"], traced["bridges"], width=240)
    lines = shown.splitlines()
    at = next(i for i, line in enumerate(lines) if "traced down to the source" in line)
    below = "\n".join(lines[at:])
    assert below.index(f"depth 1: {traced['base']}/web/2id_/{STORY_ONE}") < below.index(f"depth 2: {WIRE}") \
        < below.index(f"depth 3: {PDF}") < below.index(f"primary source: {PDF} (document, depth 3)")
    assert f"copy of {WIRE}" in below and "AP wire" in below
    two = usecases.show_chains(traced["settings"], traced["budget"], width=240)
    assert f"primary source: {MINUTES} (no_citation, depth 2)" in two


def test_the_reports_show_the_chain(traced):
    db, results = traced["db"], traced["outcome"].results
    html = report.render_audit("html", db, results)[0]
    assert "traced down to the source" in html and f"primary source: {PDF} (document, depth 3)" in html
    markdown = report.render_audit("markdown", db, results)[0]
    assert md(f"primary source: {MINUTES} (no_citation, depth 2)") in markdown
    doc = json.loads(report.render_audit("json", db, results)[0])
    by_text = {c["text"][:30]: c for c in doc["claims"]}
    assert by_text[BRIDGES[:30]]["primary_source"] == PDF
    assert [h["depth"] for h in by_text[BRIDGES[:30]]["trace_of"]] == [1, 2, 3]
    assert by_text[BUDGET[:30]]["primary_source"] == MINUTES


def test_datasette_shows_trace_of_and_the_primary_sources_query(traced):
    pytest.importorskip("datasette")
    import asyncio

    from datasette.app import Datasette

    path = traced["settings"].db
    ds = Datasette([str(path)], metadata=browse.metadata_for(path), plugins_dir=str(browse.PLUGINS_DIR))

    async def get(url: str):
        return await ds.client.get(url)

    rows = asyncio.run(get(f"/{path.stem}/primary_sources.json?_shape=array")).json()
    assert {(r["primary_source"], r["stop"], r["depth"]) for r in rows} == {(PDF, "document", 3),
                                                                           (MINUTES, "no_citation", 2)}
    assert {r["pages_reached"] for r in rows} == {3, 2} and sum(r["copies"] for r in rows) == 1
    page = asyncio.run(get(f"/{path.stem}/trace_of"))
    assert page.status_code == 200 and "deep tracing" in page.text


def test_batch_traces_only_when_asked(tmp_path):
    """`batch` traces nothing by default (depth 0); with --depth 3 it records the same chains as the audit."""
    archive, base, article = seeded(tmp_path)
    try:
        plain = batch.run_batch(settings_for(tmp_path / "plain.db", base), [str(article.parent)], extract_workers=0)
        deep = batch.run_batch(settings_for(tmp_path / "deep.db", base, depth=3), [str(article.parent)],
                               extract_workers=0)
    finally:
        archive.close()
    assert plain.articles == deep.articles == 1 and plain.failed == deep.failed == 0
    assert store.connect(tmp_path / "plain.db").execute("SELECT count(*) FROM trace_of").fetchone()[0] == 0
    recorded = store.connect(tmp_path / "deep.db")
    ends = recorded.execute("SELECT u.url, t.stop, t.depth FROM trace_of t JOIN urls u ON u.id = t.url_id "
                            "WHERE t.is_primary = 1 ORDER BY t.depth").fetchall()
    assert ends == [(MINUTES, "no_citation", 2), (PDF, "document", 3)]


def test_prov_export_carries_the_traced_pages(traced):
    from prov.model import ProvDocument

    from .test_export import derivations, exported, reachable

    db = traced["db"]
    doc = ProvDocument.deserialize(content=exported(db, "prov-json"), format="json")
    edges = derivations(doc)
    rows = {r["depth"]: r for r in hops(db, traced["bridges"])}
    page = {d: f"pv:traced-page/{r['id']}" for d, r in rows.items()}
    citation = f"pv:citation/{rows[1]['citation_id']}"
    assert page[1] in edges[citation] and page[2] in edges[page[1]] and page[3] in edges[page[2]]
    assert f"pv:url/{rows[3]['url_id']}" in reachable(edges, f"pv:claim/{traced['bridges']}")  # claim → … → the PDF
    derived = json.loads(exported(db, "prov-json"))["wasDerivedFrom"].values()
    quoted = {(d["prov:generatedEntity"], d["prov:usedEntity"]) for d in derived
              if "Quotation" in str(d.get("prov:type", ""))}
    assert (page[1], page[2]) in quoted  # the story copies the wire's text
    ids = {str(r.identifier) for r in doc.get_records()}
    assert f"pv:deep-tracing/{traced['bridges']}" in ids and f"pv:article/{rows[2]['article_id']}" in ids


def test_audit_at_depth_one_goes_no_deeper_and_trace_does_later(tmp_path):
    """audit's default depth (1) records no `trace_of` row; `provenance trace --article N --depth 3` then traces
    from what is recorded, says where each claim ends, and a second run replaces the rows instead of adding."""
    archive, base, article = seeded(tmp_path)
    try:
        outcome = usecases.audit_sources(settings_for(tmp_path / "p.db", base), [str(article)])
        db = store.connect(tmp_path / "p.db")
        assert db.execute("SELECT count(*) FROM trace_of").fetchone()[0] == 0
        article_id = outcome.results[0].article_id
        first = usecases.trace_claims(settings_for(tmp_path / "p.db", base, depth=3), article=article_id)
        count = db.execute("SELECT count(*) FROM trace_of").fetchone()[0]
        again = usecases.trace_claims(settings_for(tmp_path / "p.db", base, depth=3), article=article_id)
    finally:
        archive.close()
    assert count == db.execute("SELECT count(*) FROM trace_of").fetchone()[0] == 5
    assert db.execute("SELECT count(DISTINCT run_id) FROM trace_of").fetchone()[0] == 1  # the second run's rows
    printed = cli_render.render_traces(again)
    assert f"primary source: {PDF} (document, depth 3); 3 pages" in printed
    assert f"primary source: {MINUTES} (no_citation, depth 2); 2 pages" in printed
    assert set(first.deeper[article_id]) == set(again.deeper[article_id])


# -- the quoted organisation's own site ------------------------------------------------------------------
# A third chain: the article quotes an invented company and links a story that quotes it; the story links the
# company's own page, which cites a contractor's page near the same words. The company's domain spells its
# name, so tracing stops there (own_site) and the contractor's page is never fetched. The company's host name
# is answered by a stub at the address guard's DNS seam (no real query): 127.0.0.5, a closed port, so the
# page is read from the archive's raw copy like the pages above.
ORG = "Quillmere Robotics"
QUOTE = "Our drones found 312 cracked bridge decks across the northern counties during the spring survey"
STORY_THREE = "https://news-three.test/2025/decks"
ORG_PAGE = "http://www.quillmererobotics.com:9/news/bridge-decks"
CONTRACTOR = "http://127.0.0.6:9/decks/survey"


def seeded_own(tmp) -> tuple[Archive, str, Path]:
    archive = Archive()
    base = archive.serve()
    archive.add(STORY_THREE, "20250703", page(
        "Cracked decks", f'“{QUOTE},” the company said, in <a href="{ORG_PAGE}">a statement</a> on Thursday.'))
    archive.add(ORG_PAGE, "20250703", page(
        "Spring survey results", f'{QUOTE}. The survey was carried out with <a href="{CONTRACTOR}">our partner'
        '</a> between March and May.'))
    archive.add(CONTRACTOR, "20250703", page("Survey partner", f"{QUOTE}. We flew the drones."))
    article = tmp / "in" / "decks.html"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(page(
        "Bridge decks", f'“{QUOTE},” said {ORG} in a statement first <a href="{base}/web/2id_/{STORY_THREE}">'
        'reported by the Courier</a>.'), encoding="utf-8")
    return archive, base, article


@pytest.fixture(scope="module")
def own_site(tmp_path_factory):
    import socket

    from provenance import netguard

    def lookup(host: str, port: int):
        if host == "www.quillmererobotics.com":
            return [(socket.AF_INET, "127.0.0.5")]
        raise socket.gaierror(socket.EAI_NONAME, "stub: no such name")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(netguard, "system_lookup", lookup)
        settings, outcome, db, base = audited(tmp_path_factory.mktemp("own"), seeded_own)
    (claim,) = [cid for cid, text in db.execute("SELECT id, text FROM claims") if QUOTE[:30] in text]
    return {"settings": settings, "outcome": outcome, "db": db, "base": base, "claim": claim}


def test_the_quoted_organisations_own_site_ends_the_chain(own_site):
    db, base = own_site["db"], own_site["base"]
    speakers = [s for (s,) in db.execute("SELECT speaker FROM citations WHERE kind = 'quote'")]
    assert speakers == [ORG]
    rows = hops(db, own_site["claim"])
    assert [(r["depth"], r["url"], r["stop"]) for r in rows] == [
        (1, f"{base}/web/2id_/{STORY_THREE}", None), (2, ORG_PAGE, "own_site")]
    assert rows[1]["is_primary"] == 1 and rows[1]["verdict"] == "verbatim"
    # the contractor's page cited next to the words on the company's page was never fetched
    assert not db.execute("SELECT 1 FROM urls WHERE url = ?", [CONTRACTOR]).fetchone()
    shown = usecases.show_chains(own_site["settings"], own_site["claim"], width=240)
    assert f"primary source: {ORG_PAGE} (own_site, depth 2)" in shown
    steps = list(db.query("SELECT kind, url, detail FROM chains WHERE claim_id = ? AND step_kind = 'trace' "
                          "ORDER BY step", [own_site["claim"]]))
    assert steps[-1]["url"] == ORG_PAGE and steps[-1]["kind"] == "own_site"
    assert "primary source (own_site)" in steps[-1]["detail"]
    html = report.render_audit("html", db, own_site["outcome"].results)[0]
    assert f"primary source: {ORG_PAGE} (own_site, depth 2)" in html
