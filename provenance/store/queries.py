"""Queries: what the database knows, read back for grading, archiving, reports, exports and summaries.

Every question of the form "what is known of this URL" reads the `latest_resolutions`
view (its latest definitive resolution, else its latest attempt), so that a later run
that could not check never hides an earlier answer. Nothing here writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import sqlite_utils

from ..models import (
    CaptureKind,
    CheckKind,
    Citation,
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    Hop,
    Kind,
    LinkRule,
    Resolution,
    Snapshot,
    SnapshotStatus,
    Status,
)

Row = dict[str, Any]          # one row by column name
Record = tuple[Any, ...]       # one row by position

__all__ = [
    "export_checks",
    "article_ids",
    "capture_by_record_id",
    "check_rows",
    "check_verdicts",
    "copy_of",
    "article_claims",
    "article_of_claim",
    "article_row",
    "articles_citing",
    "best_snapshots",
    "cached_resolution",
    "capture_rows",
    "capture_with_payload",
    "captured_recently",
    "chain_citation_steps",
    "chain_rows",
    "chain_steps",
    "citation_rows",
    "claim_rows",
    "export_articles",
    "export_captures",
    "export_citations",
    "export_claim_links",
    "export_claims",
    "export_resolutions",
    "export_runs",
    "export_snapshots",
    "export_supports",
    "export_urls",
    "hops_of",
    "known_resolution",
    "latest_copies",
    "latest_resolution_id",
    "recent_snapshot",
    "support_rows",
    "url_states",
]


def _since(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).replace(microsecond=0).isoformat()


def cached_resolution(db: sqlite_utils.Database, url: str, freshness_hours: float) -> Resolution | None:
    """What is known of `url` if it is recent and definitive; failures are never served."""
    if freshness_hours <= 0:
        return None
    since = (datetime.now(timezone.utc) - timedelta(hours=freshness_hours)).replace(microsecond=0).isoformat()
    row = db.execute(
        "SELECT r.id, r.final_url, r.status, r.reason, r.http_status, r.elapsed_ms, r.checked_at, r.content_type "
        "FROM latest_resolutions r JOIN urls u ON u.id = r.url_id WHERE u.url = ?", [url],
    ).fetchone()
    if not row or row[6] < since or not Status(row[2]).is_cacheable:
        return None
    hops = [Hop(url=h[0], http_status=h[1], location=h[2], via=h[3]) for h in db.execute(
        "SELECT url, http_status, location, via FROM hops WHERE resolution_id = ? ORDER BY seq", [row[0]])]
    return Resolution(url=url, final_url=row[1], status=Status(row[2]), reason=row[3], http_status=row[4],
                      elapsed_ms=row[5], hops=hops, checked_at=row[6], content_type=row[7], from_cache=True)


def url_states(db: sqlite_utils.Database, urls: list[str]) -> dict[str, tuple[Status, bool]]:
    """For grading claims: what is known of each URL (`latest_resolutions`) and whether a copy of it
    is kept (a WARC capture, or an archive snapshot found or saved: the rule every report uses)."""
    out: dict[str, tuple[Status, bool]] = {}
    snapshots = ", ".join("?" * len(SnapshotStatus.archived()))
    for url in dict.fromkeys(urls):
        row = db.execute(
            "SELECT r.status, r.final_url FROM latest_resolutions r JOIN urls u ON u.id = r.url_id "
            "WHERE u.url = ?", [url]).fetchone()
        if not row:
            continue
        archived = db.execute(
            "SELECT 1 FROM captures c JOIN urls u ON u.id = c.url_id WHERE u.url IN (?, ?) "
            "AND c.record_type IN (?, ?) "
            "UNION SELECT 1 FROM snapshots s JOIN urls u ON u.id = s.url_id "
            f"WHERE u.url = ? AND s.status IN ({snapshots}) "
            "LIMIT 1", [url, row[1] or url, CaptureKind.RESPONSE, CaptureKind.REVISIT, url,
                        *SnapshotStatus.archived()]).fetchone() is not None
        out[url] = (Status(row[0]), archived)
    return out


def latest_resolution_id(db: sqlite_utils.Database, url: str) -> int | None:
    """The row of what is known of `url` (`latest_resolutions`), or None."""
    row = db.execute("SELECT r.id FROM latest_resolutions r JOIN urls u ON u.id = r.url_id WHERE u.url = ?",
                     [url]).fetchone()
    return row[0] if row else None


def captured_recently(db: sqlite_utils.Database, url: str, freshness_hours: float) -> bool:
    """Whether a response (or revisit) of `url` was written within the freshness window."""
    if freshness_hours <= 0:
        return False
    return db.execute(
        "SELECT 1 FROM captures c JOIN urls u ON u.id = c.url_id WHERE u.url = ? "
        "AND c.record_type IN ('response', 'revisit') AND c.captured_at >= ? LIMIT 1",
        [url, _since(freshness_hours)]).fetchone() is not None


def capture_with_payload(db: sqlite_utils.Database, digest: str) -> tuple[str, str, str] | None:
    """An earlier complete response record with this payload digest: (record id, URL, captured_at).

    What a `revisit` record refers to; truncated records never serve as originals.
    """
    row = db.execute(
        "SELECT c.record_id, u.url, c.captured_at FROM captures c JOIN urls u ON u.id = c.url_id "
        "WHERE c.payload_digest = ? AND c.record_type = 'response' AND c.truncated IS NULL "
        "AND c.record_id IS NOT NULL ORDER BY c.id LIMIT 1", [digest]).fetchone()
    return (row[0], row[1], row[2]) if row else None


def recent_snapshot(db: sqlite_utils.Database, url: str, target_date: str,
                    freshness_hours: float) -> Snapshot | None:
    """A conclusive Wayback look-up of `url` for the same target date within the freshness window."""
    if freshness_hours <= 0:
        return None
    row = db.execute(
        "SELECT s.status, s.timestamp, s.snapshot_url, s.http_status, s.distance_days, s.target_date, "
        "s.checked_at, s.reason FROM snapshots s JOIN urls u ON u.id = s.url_id "
        "WHERE u.url = ? AND s.target_date = ? AND s.status IN ('found', 'none') AND s.checked_at >= ? "
        "ORDER BY s.id DESC LIMIT 1", [url, target_date, _since(freshness_hours)]).fetchone()
    if not row:
        return None
    return Snapshot(url=url, status=row[0], timestamp=row[1], snapshot_url=row[2], http_status=row[3],
                    distance_days=row[4], target_date=row[5], checked_at=row[6], reason=row[7])


def capture_rows(db: sqlite_utils.Database, warc_files: list[str] | None = None) -> list[Row]:
    """Every `captures` row (or those of some files), for checking them against the WARC files."""
    sql = ("SELECT c.id, u.url, c.warc_file, c.\"offset\", c.length, c.record_type, c.record_id, "
           "c.payload_digest, c.block_digest FROM captures c JOIN urls u ON u.id = c.url_id")
    args: list[Any] = []
    if warc_files is not None:
        if not warc_files:
            return []
        sql += f" WHERE c.warc_file IN ({','.join('?' * len(warc_files))})"
        args = list(warc_files)
    return [dict(r) for r in db.query(sql + " ORDER BY c.warc_file, c.\"offset\"", args)]


def articles_citing(db: sqlite_utils.Database, urls: list[str]) -> list[int]:
    """The ids of the articles that cite any of `urls`."""
    if not urls:
        return []
    marks = ",".join("?" * len(urls))
    return [r for (r,) in db.execute(
        f"SELECT DISTINCT c.article_id FROM citations c JOIN urls u ON u.id = c.url_id WHERE u.url IN ({marks})",
        urls)]


def article_claims(db: sqlite_utils.Database, article_id: int) -> tuple[dict[int, Citation], dict[int, Claim]]:
    """One article's citations and claims (with their links) as recorded, keyed by row id, to grade again."""
    citations = {
        r["id"]: Citation(id=r["id"], kind=Kind(r["kind"]), text=r["text"] or "", url=r["url"],
                          outlet=r["outlet"], handle=r["handle"], speaker=r["speaker"], parent=r["parent_id"],
                          date=r["date"], start=r["start"] or 0, end=r["end"] or 0)
        for r in db.query("SELECT * FROM citations WHERE article_id = ?", [article_id])
    }
    claims = {r["id"]: Claim(id=r["id"], kind=ClaimKind(r["kind"]), text=r["text"], status=ClaimStatus(r["status"]))
              for r in db.query("SELECT id, kind, text, status FROM claims WHERE article_id = ?", [article_id])}
    for r in db.query("SELECT cc.* FROM claim_citations cc JOIN claims c ON c.id = cc.claim_id "
                      "WHERE c.article_id = ?", [article_id]):
        claims[r["claim_id"]].citations.append(
            ClaimLink(r["citation_id"], LinkRule(r["rule"]), r["confidence"] or 0.0, via=r.get("via_claim_id")))
    return citations, claims


# --- one article's report (report/model.py) ------------------------------------------------------


def article_row(db: sqlite_utils.Database, article_id: int) -> Record | None:
    return cast("Record | None", db.execute(
        "SELECT id, source, title, url, published, outlet, text, audited_at FROM articles WHERE id = ?",
        [article_id],
    ).fetchone())


def article_of_claim(db: sqlite_utils.Database, claim_id: int) -> int | None:
    row = db.execute("SELECT article_id FROM claims WHERE id = ?", [claim_id]).fetchone()
    return row[0] if row else None


def citation_rows(db: sqlite_utils.Database, article_id: int) -> list[Record]:
    """id, seq, kind, text, url, outlet, handle, speaker, date, parent_id, found_in, start, end, found_by,
    url_id of each citation, in article order."""
    return db.execute(
        "SELECT c.id, c.seq, c.kind, c.text, c.url, c.outlet, c.handle, c.speaker, c.date, c.parent_id, "
        'c.found_in, c.start, c."end", c.found_by, c.url_id FROM citations c WHERE c.article_id = ? '
        "ORDER BY c.seq",
        [article_id],
    ).fetchall()


def known_url_id(db: sqlite_utils.Database, url: str) -> int | None:
    """The id of a URL's row, or None when the database has never seen the URL."""
    row = db.execute("SELECT id FROM urls WHERE url = ?", [url]).fetchone()
    return int(row[0]) if row else None


def known_resolution(db: sqlite_utils.Database, url_id: int) -> Record | None:
    """What is known of one URL: id, final_url, status, reason, http_status, checked_at, elapsed_ms."""
    row: Record | None = db.execute(
        "SELECT id, final_url, status, reason, http_status, checked_at, elapsed_ms FROM latest_resolutions "
        "WHERE url_id = ?",
        [url_id],
    ).fetchone()
    return row


def hops_of(db: sqlite_utils.Database, resolution_id: int) -> list[Row]:
    return list(db.query(
        "SELECT seq, url, http_status, location, via FROM hops WHERE resolution_id = ? ORDER BY seq",
        [resolution_id],
    ))


def latest_copies(db: sqlite_utils.Database, url: str) -> list[Row]:
    """The latest WARC record that keeps `url`'s page (a response or revisit), as a list of at most one."""
    return list(db.query(
        'SELECT cap.id, cap.warc_file, cap."offset", cap.length, cap.record_type, cap.payload_digest, '
        "cap.http_status, cap.size, cap.truncated, cap.captured_at, cap.record_id "
        "FROM captures cap JOIN urls u ON u.id = cap.url_id "
        "WHERE u.url = ? AND cap.record_type IN (?, ?) ORDER BY cap.id DESC LIMIT 1",
        [url, CaptureKind.RESPONSE.value, CaptureKind.REVISIT.value],
    ))


def best_snapshots(db: sqlite_utils.Database, url_id: int) -> list[Row]:
    """The latest archive look-up of each outcome (found, none, unknown, …), the one that says most
    first (a copy found, then 'none'): look-ups repeated by every audit are history, not new evidence."""
    archived = ", ".join("?" * len(SnapshotStatus.archived()))
    return list(db.query(
        "SELECT id, status, timestamp, snapshot_url, distance_days, reason FROM snapshots s "
        "WHERE url_id = ? AND id = (SELECT max(id) FROM snapshots s2 WHERE s2.url_id = s.url_id "
        "AND s2.status = s.status) "
        f"ORDER BY status IN ({archived}) DESC, status = ? DESC, id DESC",
        [url_id, *SnapshotStatus.archived(), SnapshotStatus.NONE.value],
    ))


def claim_rows(db: sqlite_utils.Database, article_id: int) -> list[Record]:
    return db.execute(
        'SELECT id, seq, kind, text, start, "end", status FROM claims WHERE article_id = ? ORDER BY seq',
        [article_id],
    ).fetchall()


def support_rows(db: sqlite_utils.Database, article_id: int) -> list[Record]:
    """(claim, supporting claim, confidence) of one article, strongest first per claim."""
    return db.execute(
        "SELECT s.claim_id, s.supporting_claim_id, s.confidence FROM claim_supports s "
        "JOIN claims c ON c.id = s.claim_id WHERE c.article_id = ? ORDER BY s.claim_id, s.confidence DESC",
        [article_id],
    ).fetchall()


def chain_citation_steps(db: sqlite_utils.Database, article_id: int) -> list[Record]:
    """(claim_id, chain, step, rule, confidence, citation_id) of every citation step of one article's chains."""
    return db.execute(
        "SELECT claim_id, chain, step, rule, confidence, citation_id FROM chains "
        "WHERE article_id = ? AND step_kind = 'citation'",
        [article_id],
    ).fetchall()


# --- exports (export/) -----------------------------------------------------------------------------


def export_articles(db: sqlite_utils.Database, with_canonical: bool = False) -> Iterator[Row]:
    extra = "canonical_url, " if with_canonical else ""
    run = "" if with_canonical else ", run_id"
    return db.query(f"SELECT id, source, url, {extra}title, published, outlet, author, audited_at{run} "
                    "FROM articles ORDER BY id")


def export_runs(db: sqlite_utils.Database) -> Iterator[Row]:
    return db.query("SELECT id, command, version, started_at, status FROM runs ORDER BY id")


def export_urls(db: sqlite_utils.Database) -> Iterator[Row]:
    return db.query("SELECT id, url, host, is_short FROM urls")


def export_citations(db: sqlite_utils.Database, article_id: int) -> Iterator[Row]:
    return db.query("SELECT id, kind, text, url, url_id, outlet, handle, speaker, date, parent_id "
                    "FROM citations WHERE article_id = ? ORDER BY seq", [article_id])


def export_claims(db: sqlite_utils.Database, article_id: int, with_offsets: bool = False) -> list[Row]:
    cols = 'id, seq, kind, text, start, "end", status' if with_offsets else "id, seq, kind, text, status"
    return list(db.query(f"SELECT {cols} FROM claims WHERE article_id = ? ORDER BY seq", [article_id]))


def export_claim_links(db: sqlite_utils.Database, article_id: int) -> Iterator[Row]:
    return db.query("SELECT cc.claim_id, cc.citation_id, cc.rule, cc.confidence FROM claim_citations cc "
                    "JOIN claims cl ON cl.id = cc.claim_id WHERE cl.article_id = ?", [article_id])


def export_supports(db: sqlite_utils.Database, article_id: int) -> Iterator[Row]:
    return db.query("SELECT s.claim_id, s.supporting_claim_id, s.confidence FROM claim_supports s "
                    "JOIN claims cl ON cl.id = s.claim_id WHERE cl.article_id = ?", [article_id])


def export_resolutions(db: sqlite_utils.Database) -> Iterator[Row]:
    """Every resolution, history included: PROV records each attempt as an activity."""
    return db.query("SELECT id, url_id, final_url, status, reason, http_status, checked_at, run_id "
                    "FROM resolutions ORDER BY id")


def export_captures(db: sqlite_utils.Database) -> Iterator[Row]:
    return db.query('SELECT id, url_id, warc_file, "offset", length, record_type, record_id, payload_digest, '
                    "http_status, truncated, captured_at, run_id FROM captures ORDER BY id")


def export_snapshots(db: sqlite_utils.Database) -> Iterator[Row]:
    return db.query("SELECT id, url_id, status, timestamp, snapshot_url, distance_days, reason, "
                    "checked_at, run_id FROM snapshots ORDER BY id")


def export_checks(db: sqlite_utils.Database) -> Iterator[Row]:
    return db.query('SELECT id, claim_id, citation_id, url_id, kind, against, capture_id, snapshot_id, verdict, score, '
                    'passage, start, "end", detail, run_id, checked_at FROM checks ORDER BY id')


def chain_rows(db: sqlite_utils.Database, columns: tuple[str, ...]) -> sqlite3.Cursor:
    """Every row of the `chains` view, in its order, as tuples of `columns`."""
    return db.execute(f"SELECT {', '.join(columns)} FROM chains")


def chain_steps(db: sqlite_utils.Database, columns: tuple[str, ...]) -> Iterator[Row]:
    """Every step of the `chains` view below the claim's own row, in its order, as dicts."""
    return db.query(f"SELECT {', '.join(columns)} FROM chains WHERE step_kind != 'claim'")



# --- the check stage (check_stage.py) ---------------------------------------------------------------


def copy_of(db: sqlite_utils.Database, url: str) -> Row | None:
    """The latest WARC record that keeps `url`'s page (response or revisit), with where it lies."""
    rows = db.query(
        'SELECT cap.id, cap.warc_file, cap."offset", cap.length, cap.record_type, cap.refers_to, cap.truncated '
        "FROM captures cap JOIN urls u ON u.id = cap.url_id "
        "WHERE u.url = ? AND cap.record_type IN (?, ?) ORDER BY cap.id DESC LIMIT 1",
        [url, CaptureKind.RESPONSE.value, CaptureKind.REVISIT.value])
    return next(iter(rows), None)


def capture_by_record_id(db: sqlite_utils.Database, record_id: str) -> Row | None:
    """The response record a revisit refers to."""
    rows = db.query('SELECT id, warc_file, "offset", length, record_type, refers_to, truncated FROM captures '
                    "WHERE record_id = ? AND record_type = ? LIMIT 1", [record_id, CaptureKind.RESPONSE.value])
    return next(iter(rows), None)


def article_ids(db: sqlite_utils.Database) -> list[int]:
    return [r for (r,) in db.execute("SELECT id FROM articles ORDER BY id")]


def check_verdicts(db: sqlite_utils.Database, article_id: int, *, by_seq: bool = False) -> dict[int, list[str]]:
    """The quote and passage verdicts of one article's claims, keyed by claim id (or by seq), to grade."""
    out: dict[int, list[str]] = {}
    for key, verdict in db.execute(
        f"SELECT cl.{'seq' if by_seq else 'id'}, k.verdict FROM checks k JOIN claims cl ON cl.id = k.claim_id "
        "WHERE cl.article_id = ? AND k.kind != ?", [article_id, CheckKind.DRIFT.value]):
        out.setdefault(key, []).append(verdict)
    return out


def check_rows(db: sqlite_utils.Database, article_id: int) -> list[Row]:
    """Every check that bears on one article: its claims' quote and passage checks, and the drift
    checks of the URLs it cites (`claim_id` None), each with its URL and evidence (JSON) decoded."""
    rows = list(db.query(
        'SELECT k.id, k.claim_id, k.citation_id, k.url_id, u.url, k.kind, k.against, k.capture_id, k.snapshot_id, '
        'k.verdict, k.score, k.passage, k.start, k."end", k.detail, k.evidence, k.run_id, k.checked_at '
        "FROM checks k JOIN urls u ON u.id = k.url_id "
        "WHERE k.claim_id IN (SELECT id FROM claims WHERE article_id = ?) "
        "OR (k.kind = ? AND k.url_id IN (SELECT url_id FROM citations WHERE article_id = ?)) ORDER BY k.id",
        [article_id, CheckKind.DRIFT.value, article_id]))
    for r in rows:
        r["evidence"] = json.loads(r["evidence"]) if r["evidence"] else {}
    return rows
