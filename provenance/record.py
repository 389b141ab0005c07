"""Record: the only writer of the database.

Rows are keyed on natural keys — an article by its `source`, a claim or citation
by (article, position), a URL by its text — and written with upserts, so that
auditing the same article twice leaves the same rows. Resolutions, captures and
snapshots are observations: each new one is a new row, except a resolution
served from the cache, which is not written again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import sqlite_utils

from . import __version__
from .models import (
    Article,
    Capture,
    CaptureKind,
    Citation,
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    Extraction,
    Hop,
    Kind,
    LinkRule,
    Resolution,
    RunStatus,
    Snapshot,
    SnapshotStatus,
    Status,
)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _insert(db: sqlite_utils.Database, table: str, row: dict, replace: bool = False) -> int:
    """One plain INSERT. sqlite-utils' `insert` checks the table's shape on every call, which
    costs more than the write itself when an article brings a hundred rows."""
    cols = ", ".join(f'"{c}"' for c in row)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    return db.execute(f'{verb} INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(row))})',
                      list(row.values())).lastrowid


def _update(db: sqlite_utils.Database, table: str, rid: int, row: dict) -> None:
    sets = ", ".join(f'"{c}" = ?' for c in row)
    db.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*row.values(), rid])


class Transaction:
    """`BEGIN IMMEDIATE` … `COMMIT`: take the write lock up front so two writers queue, never deadlock."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def start_run(db: sqlite_utils.Database, command: str, args: dict) -> int:
    with Transaction(db):
        return db["runs"].insert({
            "command": command, "args": json.dumps(args, default=str), "version": __version__,
            "started_at": now_iso(), "status": RunStatus.RUNNING.value,
        }).last_pk


def mark_runs(db: sqlite_utils.Database, run_ids: list[int], status: str) -> None:
    """Give runs that never finished (their process was killed) a status that says so."""
    if run_ids:
        with Transaction(db):
            db.execute(f"UPDATE runs SET status = ? WHERE id IN ({','.join('?' * len(run_ids))})",
                       [status, *run_ids])


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, counts: dict, failures: list) -> None:
    with Transaction(db):
        db["runs"].update(run_id, {"finished_at": now_iso(), "status": status,
                                   "counts": json.dumps(counts), "failures": json.dumps(failures)})


def url_id(db: sqlite_utils.Database, url: str, is_short: bool = False) -> int:
    """The id of a URL's row, creating it the first time the URL is seen."""
    row = db.execute("SELECT id FROM urls WHERE url = ?", [url]).fetchone()
    if row:
        if is_short:
            db.execute("UPDATE urls SET is_short = 1 WHERE id = ? AND is_short = 0", [row[0]])
        return row[0]
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
            article_id = existing[0]
            _update(db, "articles", article_id, row)
        else:
            article_id = _insert(db, "articles", row)
        citation_ids = _write_citations(db, article_id, doc)
        _write_claims(db, article_id, doc, citation_ids)
    return article_id


def _write_citations(db, article_id: int, doc: Extraction) -> dict[int, int]:
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


def _write_claims(db, article_id: int, doc: Extraction, cit_ids: dict[int, int]) -> None:
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
                         "via_claim_id": claim_ids.get(link.via)}, replace=True)
        for other, confidence in cl.supported_by:
            if other in claim_ids:
                _insert(db, "claim_supports",
                        {"claim_id": claim_ids[cl.id], "supporting_claim_id": claim_ids[other],
                         "rule": "supports", "confidence": round(confidence, 3)}, replace=True)
    _drop_extra(db, "claims", article_id, len(doc.claims))


def _seq_ids(db, table: str, article_id: int) -> dict[int, int]:
    return {seq: rid for rid, seq in db.execute(f"SELECT id, seq FROM {table} WHERE article_id = ?", [article_id])}


def _drop_extra(db, table: str, article_id: int, keep: int) -> None:
    """Rows past the article's current length belong to an older extraction: remove them and their links."""
    stale = [r for (r,) in db.execute(f"SELECT id FROM {table} WHERE article_id = ? AND seq > ?", [article_id, keep])]
    if not stale:
        return
    marks = ",".join("?" * len(stale))
    if table == "claims":
        db.execute(f"DELETE FROM claim_citations WHERE claim_id IN ({marks})", stale)
        db.execute(f"DELETE FROM claim_supports WHERE claim_id IN ({marks}) OR supporting_claim_id IN ({marks})",
                   stale + stale)
    else:
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


def record_resolution(db: sqlite_utils.Database, run_id: int | None, res: Resolution) -> int | None:
    """Store one resolution with its hops; a cache hit is not stored again. Returns the row id."""
    if res.from_cache:
        return latest_resolution_id(db, res.url)
    with Transaction(db):
        uid = url_id(db, res.url)
        if res.final_url:
            url_id(db, res.final_url)
        rid = db["resolutions"].insert({
            "url_id": uid, "final_url": res.final_url, "status": Status(res.status).value, "reason": res.reason,
            "http_status": res.http_status, "elapsed_ms": res.elapsed_ms, "content_type": res.content_type,
            "checked_at": res.checked_at or now_iso(), "run_id": run_id,
        }).last_pk
        for seq, hop in enumerate(res.hops, 1):
            _insert(db, "hops", {"resolution_id": rid, "seq": seq, "url": hop.url, "http_status": hop.http_status,
                                 "location": hop.location, "via": hop.via})
    return rid


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


def record_captures(db: sqlite_utils.Database, run_id: int | None, caps: list[Capture],
                    resolution_id: int | None = None) -> list[int]:
    """The WARC records of one exchange (request and response) in one transaction: a run killed
    between them must not leave one recorded and the other not."""
    with Transaction(db):
        return [db["captures"].insert({
            "url_id": url_id(db, cap.url), "resolution_id": resolution_id, "warc_file": cap.warc_file,
            "offset": cap.offset, "length": cap.length, "record_type": cap.record_type, "record_id": cap.record_id,
            "refers_to": cap.refers_to, "payload_digest": cap.payload_digest, "block_digest": cap.block_digest,
            "http_status": cap.http_status, "content_type": cap.content_type, "size": cap.size,
            "truncated": cap.truncated, "captured_at": cap.captured_at or now_iso(), "run_id": run_id,
        }, replace=True).last_pk for cap in caps]


def record_capture(db: sqlite_utils.Database, run_id: int | None, cap: Capture,
                   resolution_id: int | None = None) -> int:
    return record_captures(db, run_id, [cap], resolution_id)[0]


def record_snapshot(db: sqlite_utils.Database, run_id: int | None, snap: Snapshot) -> int:
    with Transaction(db):
        return db["snapshots"].insert({
            "url_id": url_id(db, snap.url), "status": snap.status, "timestamp": snap.timestamp,
            "snapshot_url": snap.snapshot_url, "http_status": snap.http_status, "target_date": snap.target_date,
            "distance_days": snap.distance_days, "reason": snap.reason, "checked_at": snap.checked_at or now_iso(),
            "run_id": run_id,
        }).last_pk


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


# -- Archive look-ups: what is already kept, so a page is not captured twice -------------------

def _since(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).replace(microsecond=0).isoformat()


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


def capture_rows(db: sqlite_utils.Database, warc_files: list[str] | None = None) -> list[dict]:
    """Every `captures` row (or those of some files), for checking them against the WARC files."""
    sql = ("SELECT c.id, u.url, c.warc_file, c.\"offset\", c.length, c.record_type, c.record_id, "
           "c.payload_digest, c.block_digest FROM captures c JOIN urls u ON u.id = c.url_id")
    args: list = []
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
                          outlet=r["outlet"], handle=r["handle"], speaker=r["speaker"], parent=r["parent_id"])
        for r in db.query("SELECT * FROM citations WHERE article_id = ?", [article_id])
    }
    claims = {r["id"]: Claim(id=r["id"], kind=ClaimKind(r["kind"]), text=r["text"], status=ClaimStatus(r["status"]))
              for r in db.query("SELECT id, kind, text, status FROM claims WHERE article_id = ?", [article_id])}
    for r in db.query("SELECT cc.* FROM claim_citations cc JOIN claims c ON c.id = cc.claim_id "
                      "WHERE c.article_id = ?", [article_id]):
        claims[r["claim_id"]].citations.append(
            ClaimLink(r["citation_id"], LinkRule(r["rule"]), r["confidence"] or 0.0, via=r.get("via_claim_id")))
    return citations, claims


def set_claim_statuses(db: sqlite_utils.Database, statuses: list[tuple[ClaimStatus, int]]) -> None:
    """(status, claim row id) pairs, written in one transaction."""
    if statuses:
        with Transaction(db):
            db.conn.executemany("UPDATE claims SET status = ? WHERE id = ?",
                                [(ClaimStatus(s).value, cid) for s, cid in statuses])


# --- the batch work queue (batch_jobs, batch_items) ---------------------------------------------

def open_job(db: sqlite_utils.Database, job: str, sources: list[str], run_id: int | None,
             dead_owners: Callable[[list[str]], list[str]]) -> tuple[int, bool]:
    """The job for these SOURCEs and whether this run resumes it.

    A finished job starts over (every item pending again); an unfinished one resumes, and the
    items that a process no longer alive was working on are pending again. `dead_owners` says
    which of the owners seen are gone.
    """
    with Transaction(db):
        row = db.execute("SELECT id, finished_at FROM batch_jobs WHERE job = ?", [job]).fetchone()
        if row is None:
            job_id = _insert(db, "batch_jobs", {"job": job, "sources": json.dumps(sources),
                                                "created_at": now_iso(), "run_id": run_id})
            return job_id, False
        job_id, finished = row
        db.execute("UPDATE batch_jobs SET finished_at = NULL, run_id = ? WHERE id = ?", [run_id, job_id])
        if finished:
            db.execute("UPDATE batch_items SET state = 'pending', attempts = 0, reason = NULL, owner = NULL "
                       "WHERE job_id = ?", [job_id])
            return job_id, False
        owners = [o for (o,) in db.execute("SELECT DISTINCT owner FROM batch_items WHERE job_id = ? "
                                           "AND state = 'working'", [job_id])]
        gone = dead_owners(owners)
        if gone:
            marks = ",".join("?" * len(gone))
            db.execute(f"UPDATE batch_items SET state = 'pending', owner = NULL WHERE job_id = ? "
                       f"AND state = 'working' AND owner IN ({marks})", [job_id, *gone])
        return job_id, True


def item_is_open(db: sqlite_utils.Database, job_id: int, source: str) -> bool:
    """Whether an item is still to do: new or pending. Only reads, so it never waits for the write lock."""
    row = db.execute("SELECT state FROM batch_items WHERE job_id = ? AND source = ?",
                     [job_id, source]).fetchone()
    return row is None or row[0] == "pending"


def claim_item(db: sqlite_utils.Database, job_id: int, source: str, run_id: int | None, owner: str) -> bool:
    """Take one item for this process if it is new or pending; False to skip it (done, failed, or taken).

    `attempts` counts the times an item was taken: more than one means a run stopped while it was
    in flight, which is worth knowing when one input keeps killing a run.
    """
    with Transaction(db):
        row = db.execute("SELECT id, state FROM batch_items WHERE job_id = ? AND source = ?",
                         [job_id, source]).fetchone()
        if row is None:
            db["batch_items"].insert({"job_id": job_id, "source": source, "state": "working", "attempts": 1,
                                      "owner": owner, "run_id": run_id, "updated_at": now_iso()})
            return True
        if row[1] != "pending":
            return False
        db.execute("UPDATE batch_items SET state = 'working', attempts = attempts + 1, owner = ?, "
                   "run_id = ?, "
                   "updated_at = ? WHERE id = ?", [owner, run_id, now_iso(), row[0]])
        return True


def finish_item(db: sqlite_utils.Database, job_id: int, source: str, run_id: int | None,
                article_id: int | None = None, failure: str | None = None) -> None:
    """Mark an item done (with its article) or failed (with the reason); unknown items are added."""
    state = "failed" if failure else "done"
    with Transaction(db):
        cur = db.execute("UPDATE batch_items SET state = ?, reason = ?, article_id = ?, owner = NULL, "
                         "run_id = ?, "
                         "updated_at = ? WHERE job_id = ? AND source = ?",
                         [state, failure, article_id, run_id, now_iso(), job_id, source])
        if cur.rowcount == 0:
            db["batch_items"].insert({"job_id": job_id, "source": source, "state": state, "reason": failure,
                                      "attempts": 1, "article_id": article_id, "run_id": run_id,
                                      "updated_at": now_iso()})


def fail_unseen(db: sqlite_utils.Database, job_id: int, seen: set[str], run_id: int | None) -> int:
    """Pending items that a complete reading of the sources no longer found (a file deleted, a
    different stdin since the run was killed) are failed, so that the job can finish."""
    gone = [(rid,) for rid, source in db.execute(
        "SELECT id, source FROM batch_items WHERE job_id = ? AND state = 'pending'", [job_id]) if source not in seen]
    if gone:
        with Transaction(db):
            db.conn.executemany(
                "UPDATE batch_items SET state = 'failed', reason = 'no longer among the sources', "
                f"run_id = {int(run_id) if run_id is not None else 'NULL'} WHERE id = ? AND state = 'pending'", gone)
    return len(gone)


def release_items(db: sqlite_utils.Database, job_id: int, owner: str) -> int:
    """Give back what this process was working on (Ctrl-C): pending again, the attempt not counted."""
    with Transaction(db):
        return db.execute("UPDATE batch_items SET state = 'pending', owner = NULL, "
                          "attempts = max(attempts - 1, 0) "
                          "WHERE job_id = ? AND state = 'working' AND owner = ?",
                          [job_id, owner]).rowcount


def finish_job(db: sqlite_utils.Database, job_id: int) -> bool:
    """Close the job if no item is left to do; True when it is complete."""
    with Transaction(db):
        left = db.execute("SELECT count(*) FROM batch_items "
                          "WHERE job_id = ? AND state IN ('pending', 'working')",
                          [job_id]).fetchone()[0]
        if left:
            return False
        db.execute("UPDATE batch_jobs SET finished_at = ? WHERE id = ?", [now_iso(), job_id])
        return True
