"""Grading stays linear in the size of a page: an article is graded in one pass, its citation tree
indexed once, however many claims it holds (bench/bigpage.py times a 5.7 MB page)."""

from __future__ import annotations

from provenance import claims, usecases
from provenance.settings import Settings


def _many_claims(path, n: int) -> None:
    body = "".join(f'<p>Claim number {i} is reported here, <a href="https://example.org/s/{i}">source</a>. '
                   f'Another sentence {i} cites <a href="https://example.net/t/{i}">a second page</a>.</p>'
                   for i in range(n))
    path.write_text(f"<html><head><title>Many claims</title></head><body><article><h1>Many claims</h1>{body}"
                    "</article></body></html>", encoding="utf-8")


def test_an_audit_indexes_the_citation_tree_once_per_article_not_once_per_claim(tmp_path, monkeypatch):
    page = tmp_path / "many.html"
    _many_claims(page, 60)
    calls = []
    real = claims.children_index

    def counted(citations_by_id):
        calls.append(len(citations_by_id))
        return real(citations_by_id)

    monkeypatch.setattr(claims, "children_index", counted)
    outcome = usecases.audit_sources(Settings(db=tmp_path / "p.db", offline=True), [str(page)])
    doc = outcome.results[0].doc
    assert len(doc.claims) >= 100 and len(doc.citations) >= 100
    # Once when extraction grades the claims as unresolved, once when the audit grades them again.
    assert len(calls) == 2
