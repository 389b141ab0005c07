"""Tracing's reads and writes: the candidates of vague citations, where a claim's deep tracing
starts, and the `trace_of` rows it leaves.

A page deep tracing read is recorded as an article (its source is its URL), with the citations
near the passage that were followed; an article already recorded (audited on its own) keeps its
text and citations. `trace_of` links each page reached to the article that cited it.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..models import FoundBy, Kind, Verdict
from .queries import Row
from .writes import Transaction, _insert, now_iso, url_id

_FOUND = tuple(v.value for v in Verdict if v.is_found)
_MARKS = ", ".join("?" for _ in _FOUND)


def trace_starts(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """Per claim of the article, the pages that verified it, best first: the cited pages its quote and
    passage checks found it on, and the pages tracing found for its vague citations. Each row has the
    claim, the citation, the page's URL and the capture its copy is kept in."""
    return list(db.query(
        f"""SELECT * FROM (
              SELECT k.claim_id, k.citation_id, u.url, k.capture_id, k.score, k.kind AS how
              FROM checks k JOIN claims cl ON cl.id = k.claim_id JOIN urls u ON u.id = k.url_id
              WHERE cl.article_id = ? AND k.verdict IN ({_MARKS}) AND k.capture_id IS NOT NULL
              UNION ALL
              SELECT cc.claim_id, k.citation_id, u.url, k.capture_id, k.score, 'traced'
              FROM candidates k JOIN claim_citations cc ON cc.citation_id = k.citation_id
              JOIN claims cl ON cl.id = cc.claim_id JOIN urls u ON u.id = k.url_id
              WHERE cl.article_id = ? AND k.rank = 1 AND k.verdict IN ({_MARKS}) AND k.capture_id IS NOT NULL)
            ORDER BY claim_id, score DESC, citation_id""",
        [article_id, *_FOUND, article_id, *_FOUND]))


def capture_row(db: sqlite_utils.Database, capture_id: int) -> dict[str, Any] | None:
    return next(db.query("SELECT * FROM captures WHERE id = ?", [capture_id]), None)


def _page_article(db: sqlite_utils.Database, run_id: int | None, url: str, title: str | None, text: str,
                  followed: list[str]) -> int:
    """The article row of a page tracing read, created the first time, with the citations it followed."""
    found = db.execute("SELECT id FROM articles WHERE source = ?", [url]).fetchone()
    if found:
        article_id = int(found[0])
    else:
        article_id = _insert(db, "articles", {"source": url, "url": url, "title": title, "text": text,
                                              "is_html": 1, "fetched_at": now_iso(), "run_id": run_id})
    if db.execute("SELECT 1 FROM citations WHERE article_id = ? LIMIT 1", [article_id]).fetchone():
        return article_id  # audited on its own, or recorded by an earlier trace: its citations stand
    for seq, link in enumerate(followed, 1):
        _insert(db, "citations", {"article_id": article_id, "seq": seq, "kind": Kind.LINK.value,
                                  "url_id": url_id(db, link), "url": link, "found_by": FoundBy.LINK.value,
                                  "found_in": "a link near the passage that verified the claim (deep tracing)"})
    return article_id


def replace_trace(db: sqlite_utils.Database, run_id: int | None, claim_id: int, citation_id: int | None,
                  article_id: int, steps: list[dict[str, Any]]) -> None:
    """Record one claim's deep trace in place of the earlier one. `steps` are `deep.Step.row()` dicts with
    `title`, `text`, `followed`, `read` (the page was fetched and read) and `primary` added."""
    with Transaction(db):
        db.execute("DELETE FROM trace_of WHERE claim_id = ?", [claim_id])
        articles: dict[str, int] = {}
        for s in steps:
            page = None
            if s["read"]:
                page = articles[s["url"]] = _page_article(db, run_id, s["url"], s["title"], s["text"], s["followed"])
            parent = article_id if s["parent"] is None else articles.get(s["parent"])
            _insert(db, "trace_of", {
                "claim_id": claim_id, "citation_id": citation_id, "article_id": page, "parent_article_id": parent,
                "depth": s["depth"] + 1, "url_id": url_id(db, s["url"]), "verdict": s["verdict"],
                "score": s["score"], "passage": s["passage"], "stop": s["stop"], "is_primary": int(s["primary"]),
                "copy_of_url_id": url_id(db, s["copy_of"]) if s["copy_of"] else None, "wire": s["wire"],
                "run_id": run_id})


def trace_rows(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """Every page deep tracing reached from the article's claims, by claim, depth and order reached."""
    return list(db.query(
        """SELECT t.claim_id, t.citation_id, t.depth, u.url, t.verdict, t.score, t.passage, t.stop, t.is_primary,
                  cu.url AS copy_of, t.wire, t.article_id, t.parent_article_id, pa.url AS parent_url
           FROM trace_of t JOIN claims cl ON cl.id = t.claim_id JOIN urls u ON u.id = t.url_id
           LEFT JOIN urls cu ON cu.id = t.copy_of_url_id LEFT JOIN articles pa ON pa.id = t.parent_article_id
           WHERE cl.article_id = ? ORDER BY t.claim_id, t.depth, t.id""", [article_id]))


def all_trace_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every `trace_of` row with its URLs, for the exports."""
    return list(db.query(
        """SELECT t.id, t.claim_id, t.citation_id, t.depth, u.url, t.verdict, t.score, t.stop, t.is_primary,
                  cu.url AS copy_of, t.wire, t.article_id, t.parent_article_id, pa.url AS parent_url, t.run_id
           FROM trace_of t JOIN urls u ON u.id = t.url_id LEFT JOIN urls cu ON cu.id = t.copy_of_url_id
           LEFT JOIN articles pa ON pa.id = t.parent_article_id ORDER BY t.id"""))


def export_candidates(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every candidate page tracing found, with the citation it was traced for, for the exports."""
    return list(db.query("SELECT k.id, k.citation_id, k.url_id, k.source, k.archive, k.timestamp, k.rank, k.score, "
                         "k.verdict, k.capture_id, k.run_id, r.started_at FROM candidates k "
                         "LEFT JOIN runs r ON r.id = k.run_id ORDER BY k.citation_id, k.rank"))


def export_trace_of(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every `trace_of` row, with the ids of the page it was reached from and of the page it copies (within
    the same claim's trace), for the exports."""
    return list(db.query(
        """SELECT t.*, r.started_at,
                  (SELECT p.id FROM trace_of p WHERE p.claim_id = t.claim_id AND p.article_id = t.parent_article_id
                   AND p.depth = t.depth - 1 ORDER BY p.id LIMIT 1) AS parent_id,
                  (SELECT c.id FROM trace_of c WHERE c.claim_id = t.claim_id AND c.url_id = t.copy_of_url_id
                   ORDER BY c.id LIMIT 1) AS copy_of_id
           FROM trace_of t LEFT JOIN runs r ON r.id = t.run_id ORDER BY t.id"""))


def traced_citations(db: sqlite_utils.Database, article_id: int, *, by_seq: bool = False) -> set[int]:
    """The citations of one article that tracing traced (a candidate of theirs verified the claim), by
    id (or by seq)."""
    found = ", ".join(f"'{v.value}'" for v in Verdict if v.is_found)
    return {r for (r,) in db.execute(
        f"SELECT DISTINCT c.{'seq' if by_seq else 'id'} FROM candidates k JOIN citations c ON c.id = k.citation_id "
        f"WHERE c.article_id = ? AND k.verdict IN ({found})", [article_id])}


def candidate_rows(db: sqlite_utils.Database, article_id: int) -> list[Row]:
    """Every candidate page tracing found for one article's vague citations, best first per citation."""
    return list(db.query(
        "SELECT k.id, k.citation_id, u.url, k.source, k.archive, k.timestamp, k.rank, k.score, k.verdict, "
        "k.passage, k.capture_id, k.run_id FROM candidates k JOIN urls u ON u.id = k.url_id "
        "JOIN citations c ON c.id = k.citation_id WHERE c.article_id = ? ORDER BY k.citation_id, k.rank",
        [article_id]))


def trace_results(db: sqlite_utils.Database, article_id: int) -> dict[int, str]:
    """What tracing found for each traced citation of one article, in one line, by citation id."""
    return dict(db.execute("SELECT id, trace_result FROM citations WHERE article_id = ? AND trace_result IS NOT NULL",
                           [article_id]).fetchall())


def traced_by_tracing(db: sqlite_utils.Database, article_id: int) -> dict[int, str]:
    """Citations whose URL tracing found (a pasted tweet's status), by citation id: that URL."""
    return dict(db.execute(
        "SELECT c.id, c.url FROM citations c WHERE c.article_id = ? AND c.url IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM candidates k JOIN urls u ON u.id = k.url_id WHERE k.citation_id = c.id AND u.url = c.url "
        "AND k.rank = 1)", [article_id]).fetchall())


def has_candidates(db: sqlite_utils.Database, citation_id: int) -> bool:
    return db.execute("SELECT 1 FROM candidates WHERE citation_id = ? LIMIT 1", [citation_id]).fetchone() is not None
