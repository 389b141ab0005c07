"""Export: W3C PROV that the `prov` package reads back, the chains as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from prov.model import ProvDerivation, ProvDocument
from typer.testing import CliRunner

from provenance import __version__, export
from provenance.cli import app
from provenance.store.schema import schema_version

from .report_example import FINAL, TCO, claim_id, recorded


@pytest.fixture
def example(db_path):
    return recorded(db_path)


def exported(db, fmt: str) -> str:
    out = io.StringIO()
    export.write(db, fmt, out)
    return out.getvalue()


def derivations(doc: ProvDocument) -> dict[str, set[str]]:
    """generated entity → the entities it was derived from."""
    edges: dict[str, set[str]] = {}
    for rec in doc.get_records(ProvDerivation):
        args = dict(rec.formal_attributes)
        generated = str(args[next(k for k in args if str(k) == "prov:generatedEntity")])
        used = str(args[next(k for k in args if str(k) == "prov:usedEntity")])
        edges.setdefault(generated, set()).add(used)
    return edges


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_prov_json_round_trips_through_the_prov_package(example):
    db, article_id = example
    text = exported(db, "prov-json")
    doc = ProvDocument.deserialize(content=text, format="json")
    assert doc == export.build_prov(db)
    records = doc.get_records()
    kinds = {}
    for rec in records:
        kinds[rec.get_type().localpart] = kinds.get(rec.get_type().localpart, 0) + 1
    # 2 URLs + 1 article + 9 citations + 12 claims + 1 capture + 1 snapshot
    assert kinds["Entity"] == 26
    # one extraction, two resolutions (offline, then online), one archiving, one Wayback look-up
    assert kinds["Activity"] == 5
    assert kinds["Derivation"] > 20 and kinds["Generation"] > 20 and kinds["Attribution"] > 10
    assert kinds["Agent"] >= 3  # the tool, and each run
    ids = {str(r.identifier) for r in records if r.identifier is not None}
    assert {"pv:tool/provenance-0.1.0", "pv:run/1", "pv:run/2"} <= ids


def test_prov_derivations_lead_from_a_claim_to_its_url_and_on_to_its_saved_copies(example):
    db, article_id = example
    doc = ProvDocument.deserialize(content=exported(db, "prov-json"), format="json")
    edges = derivations(doc)
    urls = {u["url"]: u["id"] for u in db.query("SELECT id, url FROM urls")}
    post = claim_id(db, article_id, 6)
    assert f"pv:url/{urls[TCO]}" in reachable(edges, f"pv:claim/{post}")
    assert f"pv:url/{urls[TCO]}" in edges[f"pv:url/{urls[FINAL]}"], "the final URL derives from the t.co link"
    assert edges["pv:capture/1"] == {f"pv:url/{urls[FINAL]}"}
    assert edges["pv:snapshot/1"] == {f"pv:url/{urls[TCO]}"}
    # an unsourced claim derives from nothing
    assert f"pv:claim/{claim_id(db, article_id, 1)}" not in edges


def test_json_export_holds_every_claim_with_the_steps_of_its_chain(example):
    db, article_id = example
    data = json.loads(exported(db, "json"))
    assert data["schema"] == schema_version(db) and data["provenance"] == __version__
    [article] = data["articles"]
    assert article["title"] == "Macron and Putin’s rare two-hour call"
    assert [c["seq"] for c in article["claims"]] == list(range(1, 13))
    post = next(c for c in article["claims"] if c["kind"] == "post")
    kinds = [s["step_kind"] for s in post["steps"]]
    assert kinds == ["article", "citation", "citation", "resolution", "hop", "hop", "final", "capture", "snapshot"]
    assert post["steps"][2]["url"] == TCO


def test_csv_export_is_the_chains_view(example):
    db, article_id = example
    rows = list(csv.DictReader(io.StringIO(exported(db, "csv"))))
    assert len(rows) == db.execute("SELECT count(*) FROM chains").fetchone()[0]
    assert tuple(rows[0]) == export.CHAIN_COLUMNS
    hops = [r for r in rows if r["step_kind"] == "hop"]
    assert [h["detail"] for h in hops] == [
        "301 → https://x.com/United24media/status/1940000000000000000",
        f"302 → {FINAL}",
    ]


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_command_writes_to_stdout_or_a_file(example, db_path, tmp_path, fmt):
    runner = CliRunner()
    to_stdout = runner.invoke(app, ["export", "--db", str(db_path), "--format", fmt])
    assert to_stdout.exit_code == 0, to_stdout.output
    out = tmp_path / f"out.{fmt}"
    to_file = runner.invoke(app, ["export", "--db", str(db_path), "--format", fmt, "-o", str(out)])
    assert to_file.exit_code == 0 and out.stat().st_size > 100
    if fmt == "csv":
        assert out.read_text(encoding="utf-8") == to_stdout.output


def test_export_of_a_missing_database_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(app, ["export", "--db", str(tmp_path / "nope.db"), "--format", "json"])
    assert result.exit_code == 2 and "no such database" in result.output


HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
           "\tTabbed", "\rReturned"]


def test_csv_cells_never_run_as_formulas(example):
    """OWASP CSV injection: a cell that starts like a formula gets a leading quote; the rest is as it was."""
    db, article_id = example
    claim_ids = [r[0] for r in db.execute("SELECT id FROM claims WHERE article_id = ? ORDER BY seq", [article_id])]
    for cid, text in zip(claim_ids, HOSTILE, strict=False):
        db.execute("UPDATE claims SET text = ? WHERE id = ?", [text, cid])
    db.execute("UPDATE citations SET text = '=1+2' WHERE id = (SELECT min(id) FROM citations)")
    db.conn.commit()
    rows = list(csv.reader(io.StringIO(exported(db, "csv"), newline="")))
    assert all(len(row) == len(export.CHAIN_COLUMNS) for row in rows)
    cells = [cell for row in rows for cell in row]
    for text in HOSTILE[: len(claim_ids)]:
        assert "'" + text.replace("\r", "\n") in cells and text not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.startswith("'=1+2") or c.endswith(": =1+2") for c in cells)
    assert "claim" in cells and "https://t.co/Cnqgv5qgwV" in cells  # ordinary cells untouched


def test_text_that_xml_forbids_never_reaches_an_export(example):
    """A control character from a page made PROV-XML conversion fail; every export replaces it."""
    db, article_id = example
    db.execute("UPDATE claims SET text = ? WHERE id = (SELECT min(id) FROM claims)", ["Before\x10after\x00."])
    db.execute("UPDATE articles SET title = ? WHERE id = ?", ["Title\x1b", article_id])
    db.conn.commit()
    doc = ProvDocument.deserialize(content=exported(db, "prov-json"), format="json")
    xml = doc.serialize(format="xml")  # what `prov-convert -f xml` does; it failed on the control character
    assert "Before&#65533;after&#65533;." in xml and "Title&#65533;" in xml
    assert ProvDocument.deserialize(content=xml, format="xml") == doc
    claim_text = json.loads(exported(db, "json"))["articles"][0]["claims"][0]["text"]
    assert claim_text == "Before\ufffdafter\ufffd."
    assert "Before\ufffdafter\ufffd." in exported(db, "csv")
    for fmt in export.FORMATS:
        text = exported(db, fmt)
        assert not any(ch in text for ch in "\x00\x10\x1b") and "\\u0010" not in text
