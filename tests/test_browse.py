"""Datasette metadata: every table and column described, facets and labels that exist, canned queries that
answer, and the metadata served under whatever name the database file has."""

from __future__ import annotations

import asyncio
import re

import pytest
from typer.testing import CliRunner

from provenance import browse
from provenance.cli import app
from provenance.store import schema as database

from .report_example import TCO, claim_id, recorded


def schema(db) -> dict[str, list[str]]:
    """Every table and view a migration made, with its columns (full-text search shadows aside)."""
    names = [t for t in db.table_names() if "_fts" not in t] + db.view_names()
    return {name: [row[1] for row in db.execute(f"PRAGMA table_info([{name}])")] for name in names}


@pytest.fixture
def meta():
    return browse.load_metadata()["databases"]["provenance"]


def test_every_table_and_column_of_the_schema_is_described(db_path, meta):
    db = database.connect(db_path)
    tables = meta["tables"]
    missing = []
    for table, columns in schema(db).items():
        if not tables.get(table, {}).get("description"):
            missing.append(table)
        missing += [f"{table}.{c}" for c in columns if not tables.get(table, {}).get("columns", {}).get(c)]
    assert not missing, f"describe these in provenance/metadata.yml: {missing}"
    stale = [
        f"{t}.{c}"
        for t, spec in tables.items()
        for c in spec.get("columns", {})
        if c not in schema(db).get(t, [])
    ]
    assert not stale, f"metadata.yml describes columns the schema does not have: {stale}"


def test_facets_and_label_columns_name_real_columns(db_path, meta):
    cols = schema(database.connect(db_path))
    for table, spec in meta["tables"].items():
        for facet in spec.get("facets", []):
            assert facet in cols[table], (table, facet)
        if "label_column" in spec:
            assert spec["label_column"] in cols[table], table
    assert "kind" in meta["tables"]["citations"]["facets"]
    assert "status" in meta["tables"]["claims"]["facets"]
    assert "host" in meta["tables"]["urls"]["facets"]
    assert meta["tables"]["_sqlite_migrations"]["hidden"] is True


def run_query(db, sql: str, **params):
    needed = set(re.findall(r":(\w+)", sql))
    assert needed <= set(params), f"query needs {needed}"
    return [dict(r) for r in db.query(sql, params)]


def test_canned_queries_answer_the_questions_they_name(db_path, meta):
    db, article_id = recorded(db_path)
    q = {name: spec["sql"] for name, spec in meta["queries"].items()}
    assert set(q) == {
        "unsourced_claims",
        "dead_citations",
        "claim_chain",
        "domains_by_dead_links",
        "citations_without_archive",
        "article_chains",
        "altered_or_absent_quotes",
        "drifted_sources",
        "verified_claims",
        "vague_citations_best_candidate",
        "primary_sources",
    }
    assert run_query(db, q["primary_sources"]) == []  # nothing traced deeper yet
    assert len(run_query(db, q["unsourced_claims"])) == 3
    vague = run_query(db, q["vague_citations_best_candidate"])  # recorded offline: nothing traced yet
    assert vague and all(r["best_candidate"] is None and r["kind"] in ("outlet", "tweet") for r in vague)
    chain = run_query(db, q["claim_chain"], claim_id=claim_id(db, article_id, 6))
    assert [r["step_kind"] for r in chain][:5] == ["claim", "article", "citation", "citation", "resolution"]
    assert any(r["url"] == TCO and r["step_kind"] == "hop" and r["detail"].startswith("301 →") for r in chain)
    assert (
        len(run_query(db, q["article_chains"], article_id=article_id))
        == db.execute("SELECT count(*) FROM chains").fetchone()[0]
    )
    assert run_query(db, q["dead_citations"]) == []
    assert run_query(db, q["citations_without_archive"]) == []  # the t.co link was captured
    assert run_query(db, q["domains_by_dead_links"]) == [
        {"host": "t.co", "urls_checked": 1, "dead": 0, "dead_rate": 0.0}
    ]
    # a dead link shows up where it should
    from provenance.models import Article as Art
    from provenance.models import Citation, Extraction, Kind, Resolution, Status
    from provenance.store import writes

    gone = "https://gone.example/story"
    writes.record_article(
        db,
        None,
        Art(source="b.txt", content="x", is_html=False),
        Extraction(source="b.txt", text="x", citations=[Citation(1, Kind.LINK, gone, url=gone)]),
    )
    writes.record_resolution(
        db, None, Resolution(url=gone, final_url=gone, status=Status.DEAD, http_status=404, reason="http_404")
    )
    [dead] = run_query(db, q["dead_citations"])
    assert dead["url"] == gone and dead["http_status"] == 404
    assert [r["url"] for r in run_query(db, q["citations_without_archive"])] == [gone]
    assert run_query(db, q["domains_by_dead_links"])[0] == {
        "host": "gone.example",
        "urls_checked": 1,
        "dead": 1,
        "dead_rate": 1.0,
    }


def test_metadata_is_keyed_by_the_served_file_name(tmp_path):
    renamed = browse.metadata_for(tmp_path / "newsroom-2026.db")
    assert list(renamed["databases"]) == ["newsroom-2026"]
    assert "claim_chain" in renamed["databases"]["newsroom-2026"]["queries"]
    command = browse.datasette_command(tmp_path / "x.db", tmp_path / "m.json", "127.0.0.1", 9999)
    assert command[1:4] == ["-m", "datasette", "serve"] and "--metadata" in command


def test_datasette_serves_descriptions_labels_and_the_claim_chain_query(tmp_path):
    from datasette.app import Datasette

    path = tmp_path / "study.db"
    db, article_id = recorded(path)
    post = claim_id(db, article_id, 6)
    db.conn.close()
    ds = Datasette([str(path)], metadata=browse.metadata_for(path), plugins_dir=str(browse.PLUGINS_DIR))

    async def get(url):
        response = await ds.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    async def pages():
        chain = (await get(f"/study/claim_chain.json?claim_id={post}&_shape=array")).json()
        claims_page = (await get("/study/claims")).text
        claim_row = (await get(f"/study/claims?id={post}")).text
        hidden = (await get("/study.json")).json()
        return chain, claims_page, claim_row, hidden

    chain, claims_page, claim_row, hidden = asyncio.run(pages())
    assert any(step["url"] == TCO and step["step_kind"] == "hop" for step in chain)
    assert "The assertions of each article" in claims_page
    assert '<a href="/study/articles/1" title="Macron and Putin’s rare two-hour call">article 1</a>' in claim_row, (
        "the article shows by its id, its headline as the link's title: not a long headline on every row"
    )
    assert "_sqlite_migrations" in {t["name"] for t in hidden["tables"] if t["hidden"]}
    # a claim's text is one click from its chain
    assert (
        f'<a href="/study/claim_chain?claim_id={post}" title="follow this claim to its evidence">'
        in claim_row
    )


def test_browse_says_in_one_line_what_is_missing(tmp_path, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(app, ["browse", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such database" in result.output
    monkeypatch.setattr(browse, "available", lambda: False)
    result = runner.invoke(app, ["browse", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert result.output.strip() == "provenance: browse needs Datasette: pip install 'provenance-audit[browse]'"


def test_every_install_hint_names_the_distribution_not_the_import_package():
    """`provenance` on the package index is an unrelated project: a hint must install this one."""
    import tomllib

    from .conftest import ROOT

    name = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    assert name != "provenance"
    files = [ROOT / "README.md", ROOT / "scripts" / "setup.sh", *sorted((ROOT / "provenance").rglob("*.py"))]
    hints = []
    for path in files:
        for m in re.finditer(r"pip install (?:-e )?'?([\w.\-]+)\[", path.read_text(encoding="utf-8")):
            hints.append((path.name, m.group(1)))
    assert hints, "the README names how to install the browse extra"
    assert all(dist in (name, ".") for _, dist in hints), hints


def test_browse_on_a_busy_port_says_so_in_one_line_and_starts_nothing(db_path):
    """A loopback socket holds the port (127.0.0.1 only); browse must refuse before it announces a server."""
    import socket

    recorded(db_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(app, ["browse", "--db", str(db_path), "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"provenance: port {port} on 127.0.0.1 is in use: pick another with --port (0: any free port)"
    )
    assert browse.listen_problem("127.0.0.1", port) is None, "free again once the holder is closed"


def test_datasette_shows_words_for_codes_and_points_to_where_the_queries_are(tmp_path):
    from datasette.app import Datasette

    from .conftest import EXAMPLES

    path = tmp_path / "study.db"
    args = ["audit", str(EXAMPLES / "council-bridge.html"), "--offline", "--db", str(path)]
    assert CliRunner().invoke(app, args).exit_code == 0
    ds = Datasette([str(path)], metadata=browse.metadata_for(path), plugins_dir=str(browse.PLUGINS_DIR))

    async def pages():
        out = {}
        for url in ("/", "/study", "/study/citations?_sort=id", "/study/claim_citations", "/-/provenance.css"):
            response = await ds.client.get(url)
            assert response.status_code == 200, url
            out[url] = response.text
        out["json"] = (await ds.client.get("/study/citations.json?_shape=array")).json()
        return out

    got = asyncio.run(pages())
    citations = got["/study/citations?_sort=id"]
    assert '<span title="link">link in the text</span>' in citations
    assert '<span title="embedded-tweet">embedded tweet</span>' in citations
    assert "link" in {row["found_by"] for row in got["json"]}, "programs still get the code"
    first = next(row for row in got["json"] if row["url_id"])
    assert f'<a href="/study/urls/{first["url_id"]}" title="{first["url"]}">URL {first["url_id"]}</a>' in citations, (
        "the URL once per row: its own column, not again as the url_id label"
    )
    assert "<span title=\"embedded-post\">the embedded post&#39;s text</span>" in got["/study/claim_citations"]
    # facet values (headlines) wrap between words, not inside them
    assert "word-break: normal" in got["/-/provenance.css"]
    assert 'href="/-/provenance.css"' in citations
    index, database_page = got["/"], got["/study"]
    assert "canned query below" not in index and "canned queries below" not in index
    assert "its page starts with the" in index
    assert database_page.index("Unsourced claims") < database_page.index('id="tables">Tables<'), "as the index says"


def test_browse_on_any_free_port_announces_the_port_it_serves(db_path, monkeypatch):
    recorded(db_path)
    served = []
    monkeypatch.setattr(browse, "serve", lambda db, host, port: served.append(port) or 0)
    result = CliRunner().invoke(app, ["browse", "--db", str(db_path), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert served and served[0] > 0
    assert f"on http://127.0.0.1:{served[0]}/ (Ctrl-C to stop)" in result.output
