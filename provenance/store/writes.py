"""Writes: every row the pipeline records, and nothing that reads for a report.

Rows are keyed on natural keys — an article by its `source`, a claim or citation
by (article, position), a URL by its text — and written with upserts, so that
auditing the same article twice leaves the same rows. Resolutions, captures and
snapshots are observations: each new one is a new row (a check that could not
reach the page is history too, never a replacement: see `latest_resolutions`),
except a resolution served from the cache, which is not written again.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

import sqlite_utils

from .. import __version__
from ..models import (
    Article,
    Capture,
    CaptureKind,
    CheckKind,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    Extraction,
    HopKind,
    Kind,
    Resolution,
    RunStatus,
    Snapshot,
    SnapshotStatus,
    Status,
)
from .queries import known_url_id, latest_resolution_id

__all__ = [
    "replace_checks",
    "Transaction",
    "finish_run",
    "mark_runs",
    "now_iso",
    "record_article",
    "record_capture",
    "record_captures",
    "record_resolution",
    "record_snapshot",
    "set_claim_statuses",
    "start_run",
    "update_claim_statuses",
    "url_id",
]


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _insert(db: sqlite_utils.Database, table: str, row: dict[str, Any], replace: bool = False) -> int:
    """One plain INSERT. sqlite-utils' `insert` checks the table's shape on every call, which
    costs more than the write itself when an article brings a hundred rows."""
    cols = ", ".join(f'"{c}"' for c in row)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    rowid = db.execute(f'{verb} INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(row))})',
                       list(row.values())).lastrowid
    assert rowid is not None
    return rowid


def _update(db: sqlite_utils.Database, table: str, rid: int, row: dict[str, Any]) -> None:
    sets = ", ".join(f'"{c}" = ?' for c in row)
    db.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*row.values(), rid])


class Transaction:
    """`BEGIN IMMEDIATE` … `COMMIT`: take the write lock up front so two writers queue, never deadlock."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def __enter__(self) -> sqlite_utils.Database:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def start_run(db: sqlite_utils.Database, command: str, args: dict[str, Any]) -> int:
    with Transaction(db):
        return _insert(db, "runs", {
            "command": command, "args": json.dumps(args, default=str), "version": __version__,
            "started_at": now_iso(), "status": RunStatus.RUNNING.value,
        })


def mark_runs(db: sqlite_utils.Database, run_ids: list[int], status: str) -> None:
    """Give runs that never finished (their process was killed) a status that says so."""
    if run_ids:
        with Transaction(db):
            db.execute(f"UPDATE runs SET status = ? WHERE id IN ({','.join('?' * len(run_ids))})",
                       [status, *run_ids])


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, counts: dict[str, Any],
               failures: list[dict[str, Any]]) -> None:
    with Transaction(db):
        db.table("runs").update(run_id, {"finished_at": now_iso(), "status": status,
                                   "counts": json.dumps(counts), "failures": json.dumps(failures)})


def url_id(db: sqlite_utils.Database, url: str, is_short: bool = False) -> int:
    """The id of a URL's row, creating it the first time the URL is seen."""
    known = known_url_id(db, url)
    if known is not None:
        if is_short:
            db.execute("UPDATE urls SET is_short = 1 WHERE id = ? AND is_short = 0", [known])
        return known
    return _insert(db, "urls", {"url": url, "host": (urlsplit(url).hostname or "").lower(),
                                "is_short": int(is_short), "first_seen": now_iso()})


def record_article(db: sqlite_utils.Database, run_id: int | None, article: Article, doc: Extraction) -> int:
    """Write one article with its claims and citations; returns the article's id."""
    with Transaction(db):
        existing = db.execute("SELECT id FROM articles WHERE source = ?", [article.source]).fetchone()
        row = {
            "source": article.source, "url": article.url or doc.canonical_url, "canonical_url": doc.canonical_url,
            "title": doc.title, "published": doc.published, "outlet": doc.outlet, "author": doc.author,
            "is_html": int(article.is_html), "encoding": article.encoding, "sha256": article.sha256,
            "text": doc.text, "notes": json.dumps(article.notes + doc.notes) if (article.notes or doc.notes) else None,
            "fetched_at": article.fetched_at, "audited_at": now_iso(), "run_id": run_id,
        }
        if existing:
            article_id = int(existing[0])
            _update(db, "articles", article_id, row)
        else:
            article_id = _insert(db, "articles", row)
        citation_ids = _write_citations(db, article_id, doc)
        _write_claims(db, article_id, doc, citation_ids)
    return article_id


def _write_citations(db: sqlite_utils.Database, article_id: int, doc: Extraction) -> dict[int, int]:
    ids = _seq_ids(db, "citations", article_id)
    out: dict[int, int] = {}
    for seq, c in enumerate(doc.citations, 1):
        uid = url_id(db, c.url, Kind(c.kind) is Kind.SHORT_LINK) if c.url else None
        row = {"article_id": article_id, "seq": seq, "kind": Kind(c.kind).value, "url_id": uid, "url": c.url,
               "text": c.text, "outlet": c.outlet, "handle": c.handle, "speaker": c.speaker, "date": c.date,
               "parent_id": None, "start": c.start, "end": c.end, "found_in": c.found_words or None,
               "found_by": c.found_by.value if c.found_by else None, "element": c.element,
               "attribute": c.attribute, "cue": c.cue}
        if seq in ids:
            _update(db, "citations", ids[seq], row)
            out[c.id] = ids[seq]
        else:
            out[c.id] = _insert(db, "citations", row)
    for c in doc.citations:  # parents second: a parent may come after its child in page order
        db.execute("UPDATE citations SET parent_id = ? WHERE id = ?",
                   [out.get(c.parent) if c.parent is not None else None, out[c.id]])
    _drop_extra(db, "citations", article_id, len(doc.citations))
    return out


def _write_claims(db: sqlite_utils.Database, article_id: int, doc: Extraction, cit_ids: dict[int, int]) -> None:
    ids = _seq_ids(db, "claims", article_id)
    claim_ids: dict[int, int] = {}
    for seq, cl in enumerate(doc.claims, 1):
        row = {"article_id": article_id, "seq": seq, "kind": ClaimKind(cl.kind).value, "text": cl.text,
               "start": cl.start, "end": cl.end, "status": ClaimStatus(cl.status).value}
        if seq in ids:
            _update(db, "claims", ids[seq], row)
            claim_ids[cl.id] = ids[seq]
        else:
            claim_ids[cl.id] = _insert(db, "claims", row)
    all_ids = list(claim_ids.values()) + list(ids.values())
    if all_ids:
        marks = ",".join("?" * len(all_ids))
        db.execute(f"DELETE FROM claim_citations WHERE claim_id IN ({marks})", all_ids)
        db.execute(f"DELETE FROM claim_supports WHERE claim_id IN ({marks})", all_ids)
    for cl in doc.claims:
        # One row per (citation, rule): a citation reached through several supporters keeps its strongest path.
        strongest: dict[tuple[int, str], ClaimLink] = {}
        for link in cl.citations:
            key = (link.citation, link.rule)
            if key not in strongest or link.confidence > strongest[key].confidence:
                strongest[key] = link
        for link in strongest.values():
            if link.citation in cit_ids:
                _insert(db, "claim_citations",
                        {"claim_id": claim_ids[cl.id], "citation_id": cit_ids[link.citation],
                         "rule": link.rule, "confidence": round(link.confidence, 3),
                         "via_claim_id": claim_ids.get(link.via) if link.via is not None else None},
                        replace=True)
        for other, confidence in cl.supported_by:
            if other in claim_ids:
                _insert(db, "claim_supports",
                        {"claim_id": claim_ids[cl.id], "supporting_claim_id": claim_ids[other],
                         "rule": "supports", "confidence": round(confidence, 3)}, replace=True)
    _drop_extra(db, "claims", article_id, len(doc.claims))


def _seq_ids(db: sqlite_utils.Database, table: str, article_id: int) -> dict[int, int]:
    return {seq: rid for rid, seq in db.execute(f"SELECT id, seq FROM {table} WHERE article_id = ?", [article_id])}


def _drop_extra(db: sqlite_utils.Database, table: str, article_id: int, keep: int) -> None:
    """Rows past the article's current length belong to an older extraction: remove them and their links."""
    stale = [r for (r,) in db.execute(f"SELECT id FROM {table} WHERE article_id = ? AND seq > ?", [article_id, keep])]
    if not stale:
        return
    marks = ",".join("?" * len(stale))
    if table == "claims":
        db.execute(f"DELETE FROM checks WHERE claim_id IN ({marks})", stale)
        db.execute(f"DELETE FROM claim_citations WHERE claim_id IN ({marks})", stale)
        db.execute(f"DELETE FROM claim_supports WHERE claim_id IN ({marks}) OR supporting_claim_id IN ({marks})",
                   stale + stale)
    else:
        db.execute(f"DELETE FROM checks WHERE citation_id IN ({marks})", stale)
        db.execute(f"DELETE FROM claim_citations WHERE citation_id IN ({marks})", stale)
        db.execute(f"UPDATE citations SET parent_id = NULL WHERE parent_id IN ({marks})", stale)
    db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", stale)


def update_claim_statuses(db: sqlite_utils.Database, article_id: int, doc: Extraction) -> None:
    """Write the claims' statuses again after resolution and archiving graded them."""
    with Transaction(db):
        ids = _seq_ids(db, "claims", article_id)
        for seq, cl in enumerate(doc.claims, 1):
            if seq in ids:
                db.execute("UPDATE claims SET status = ? WHERE id = ?", [ClaimStatus(cl.status).value, ids[seq]])


def set_claim_statuses(db: sqlite_utils.Database, statuses: list[tuple[ClaimStatus, int]]) -> None:
    """(status, claim row id) pairs, written in one transaction."""
    if statuses:
        with Transaction(db):
            db.conn.executemany("UPDATE claims SET status = ? WHERE id = ?",
                                [(ClaimStatus(s).value, cid) for s, cid in statuses])


def record_resolution(db: sqlite_utils.Database, run_id: int | None, res: Resolution) -> int | None:
    """Store one resolution with its hops; a cache hit is not stored again. Returns the row id."""
    if res.from_cache:
        return latest_resolution_id(db, res.url)
    with Transaction(db):
        uid = url_id(db, res.url)
        if res.final_url:
            url_id(db, res.final_url)
        rid = _insert(db, "resolutions", {
            "url_id": uid, "final_url": res.final_url, "status": Status(res.status).value, "reason": res.reason,
            "http_status": res.http_status, "elapsed_ms": res.elapsed_ms, "content_type": res.content_type,
            "checked_at": res.checked_at or now_iso(), "run_id": run_id,
        })
        for seq, hop in enumerate(res.hops, 1):
            _insert(db, "hops", {"resolution_id": rid, "seq": seq, "url": hop.url, "http_status": hop.http_status,
                                 "location": hop.location, "via": HopKind(hop.via).value})
    return rid


def record_captures(db: sqlite_utils.Database, run_id: int | None, caps: list[Capture],
                    resolution_id: int | None = None) -> list[int]:
    """The WARC records of one exchange (request and response) in one transaction: a run killed
    between them must not leave one recorded and the other not."""
    with Transaction(db):
        return [_insert(db, "captures", {
            "url_id": url_id(db, cap.url), "resolution_id": resolution_id, "warc_file": cap.warc_file,
            "offset": cap.offset, "length": cap.length, "record_type": CaptureKind(cap.record_type).value,
            "record_id": cap.record_id,
            "refers_to": cap.refers_to, "payload_digest": cap.payload_digest, "block_digest": cap.block_digest,
            "http_status": cap.http_status, "content_type": cap.content_type, "size": cap.size,
            "truncated": cap.truncated, "captured_at": cap.captured_at or now_iso(), "run_id": run_id,
        }, replace=True) for cap in caps]


def record_capture(db: sqlite_utils.Database, run_id: int | None, cap: Capture,
                   resolution_id: int | None = None) -> int:
    return record_captures(db, run_id, [cap], resolution_id)[0]


def record_snapshot(db: sqlite_utils.Database, run_id: int | None, snap: Snapshot) -> int:
    with Transaction(db):
        return _insert(db, "snapshots", {
            "url_id": url_id(db, snap.url), "status": SnapshotStatus(snap.status).value, "timestamp": snap.timestamp,
            "snapshot_url": snap.snapshot_url, "http_status": snap.http_status, "target_date": snap.target_date,
            "distance_days": snap.distance_days, "reason": snap.reason, "checked_at": snap.checked_at or now_iso(),
            "run_id": run_id,
        })


def replace_checks(db: sqlite_utils.Database, run_id: int | None, claim_ids: list[int], rows: list[dict[str, Any]],
                   drift_urls: list[str]) -> None:
    """The check stage's verdicts, replacing the earlier ones: the quote and passage checks of
    `claim_ids`, and the drift checks of `drift_urls` (a drift check belongs to the URL, so every
    article citing it sees the same). Each row holds the `checks` columns, with `url` for `url_id`."""
    with Transaction(db):
        for claim_id in claim_ids:
            db.execute("DELETE FROM checks WHERE claim_id = ?", [claim_id])
        for url in drift_urls:
            db.execute("DELETE FROM checks WHERE kind = ? AND url_id = ?", [CheckKind.DRIFT.value, url_id(db, url)])
        when = now_iso()
        for row in rows:
            row = dict(row)
            row["url_id"] = url_id(db, row.pop("url"))
            _insert(db, "checks", {**row, "run_id": run_id, "checked_at": when})


def replace_candidates(db: sqlite_utils.Database, run_id: int | None, citation_id: int,
                       rows: list[dict[str, Any]], result: str, traced_url: str | None = None) -> None:
    """Tracing's candidates for one citation, replacing the earlier ones. Each row holds the
    `candidates` columns with `url` for `url_id`; `result` is the trace in one line. `traced_url`:
    a pasted tweet's status URL, found by tracing, recorded as the citation's URL."""
    with Transaction(db):
        db.execute("DELETE FROM candidates WHERE citation_id = ?", [citation_id])
        for row in rows:
            row = dict(row)
            row["url_id"] = url_id(db, row.pop("url"))
            _insert(db, "candidates", {**row, "citation_id": citation_id, "run_id": run_id})
        db.execute("UPDATE citations SET trace_result = ? WHERE id = ?", [result, citation_id])
        if traced_url is not None:
            db.execute("UPDATE citations SET url = ?, url_id = ? WHERE id = ?",
                       [traced_url, url_id(db, traced_url), citation_id])
