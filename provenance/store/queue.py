"""The batch work queue's SQL (`batch_jobs`, `batch_items`), and what a batch reads back at its end.

A job is named by its SOURCEs; an item is one article (natural key `source`) that
moves pending → working → done, or → failed with a reason. Every write takes the
write lock up front (`Transaction`), so two batches on one database queue rather
than deadlock. The batch package holds no SQL: it asks here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlite_utils

from ..models import ItemState, LinkTally, RunStatus, Status
from .writes import Transaction, _insert, mark_runs, now_iso

__all__ = ["claim_item", "fail_unseen", "finish_item", "finish_job", "item_is_open", "item_is_runs", "killed_runs",
           "open_job", "recorded_end", "release_items", "reopen_failed", "job_counts"]

# An item's states, as the SQL parameters and row values they are (plain strings for sqlite3).
PENDING, WORKING, DONE, FAILED = (s.value for s in (ItemState.PENDING, ItemState.WORKING, ItemState.DONE,
                                                      ItemState.FAILED))

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
            db.execute("UPDATE batch_items SET state = ?, attempts = 0, reason = NULL, owner = NULL "
                       "WHERE job_id = ?", [PENDING, job_id])
            return job_id, False
        owners = [o for (o,) in db.execute("SELECT DISTINCT owner FROM batch_items WHERE job_id = ? "
                                           "AND state = ?", [job_id, WORKING])]
        gone = dead_owners(owners)
        if gone:
            marks = ",".join("?" * len(gone))
            db.execute(f"UPDATE batch_items SET state = ?, owner = NULL WHERE job_id = ? "
                       f"AND state = ? AND owner IN ({marks})", [PENDING, job_id, WORKING, *gone])
        return job_id, True


def item_is_open(db: sqlite_utils.Database, job_id: int, source: str) -> bool:
    """Whether an item is still to do: new or pending. Only reads, so it never waits for the write lock."""
    row = db.execute("SELECT state FROM batch_items WHERE job_id = ? AND source = ?",
                     [job_id, source]).fetchone()
    return row is None or row[0] == PENDING


def item_is_runs(db: sqlite_utils.Database, job_id: int, source: str, owner: str, run_id: int) -> bool:
    """Whether an item is part of what run `run_id` (process `owner`) has to do: new, pending, being
    worked on by it, or finished by it already (a count taken while the run goes). Only reads."""
    row = db.execute("SELECT state, owner, run_id FROM batch_items WHERE job_id = ? AND source = ?",
                     [job_id, source]).fetchone()
    return (row is None or row[0] == PENDING or (row[0] == WORKING and row[1] == owner)
            or (row[0] in (DONE, FAILED) and row[2] == run_id))


def claim_item(db: sqlite_utils.Database, job_id: int, source: str, run_id: int | None, owner: str) -> bool:
    """Take one item for this process if it is new or pending; False to skip it (done, failed, or taken).

    `attempts` counts the times an item was taken: more than one means a run stopped while it was
    in flight, which is worth knowing when one input keeps killing a run.
    """
    with Transaction(db):
        row = db.execute("SELECT id, state FROM batch_items WHERE job_id = ? AND source = ?",
                         [job_id, source]).fetchone()
        if row is None:
            db.table("batch_items").insert({"job_id": job_id, "source": source, "state": WORKING, "attempts": 1,
                                      "owner": owner, "run_id": run_id, "updated_at": now_iso()})
            return True
        if row[1] != PENDING:
            return False
        db.execute("UPDATE batch_items SET state = ?, attempts = attempts + 1, owner = ?, "
                   "run_id = ?, "
                   "updated_at = ? WHERE id = ?", [WORKING, owner, run_id, now_iso(), row[0]])
        return True


def finish_item(db: sqlite_utils.Database, job_id: int, source: str, run_id: int | None,
                article_id: int | None = None, failure: str | None = None) -> None:
    """Mark an item done (with its article) or failed (with the reason); unknown items are added."""
    state = FAILED if failure else DONE
    with Transaction(db):
        cur = db.execute("UPDATE batch_items SET state = ?, reason = ?, article_id = ?, owner = NULL, "
                         "run_id = ?, "
                         "updated_at = ? WHERE job_id = ? AND source = ?",
                         [state, failure, article_id, run_id, now_iso(), job_id, source])
        if cur.rowcount == 0:
            db.table("batch_items").insert({"job_id": job_id, "source": source, "state": state, "reason": failure,
                                      "attempts": 1, "article_id": article_id, "run_id": run_id,
                                      "updated_at": now_iso()})


def fail_unseen(db: sqlite_utils.Database, job_id: int, seen: set[str], run_id: int | None) -> int:
    """Pending items that a complete reading of the sources no longer found (a file deleted, a
    different stdin since the run was killed) are failed, so that the job can finish."""
    gone = [(rid,) for rid, source in db.execute(
        "SELECT id, source FROM batch_items WHERE job_id = ? AND state = ?", [job_id, PENDING]) if source not in seen]
    if gone:
        with Transaction(db):
            db.conn.executemany(
                "UPDATE batch_items SET state = ?, reason = 'no longer among the sources', run_id = ? "
                "WHERE id = ? AND state = ?", [(FAILED, run_id, rid, PENDING) for (rid,) in gone])
    return len(gone)


def release_items(db: sqlite_utils.Database, job_id: int, owner: str) -> int:
    """Give back what this process was working on (Ctrl-C): pending again, the attempt not counted."""
    with Transaction(db):
        return db.execute("UPDATE batch_items SET state = ?, owner = NULL, "
                          "attempts = max(attempts - 1, 0) "
                          "WHERE job_id = ? AND state = ? AND owner = ?",
                          [PENDING, job_id, WORKING, owner]).rowcount


def finish_job(db: sqlite_utils.Database, job_id: int) -> bool:
    """Close the job if no item is left to do; True when it is complete."""
    with Transaction(db):
        left = db.execute("SELECT count(*) FROM batch_items "
                          "WHERE job_id = ? AND state IN (?, ?)",
                          [job_id, PENDING, WORKING]).fetchone()[0]
        if left:
            return False
        db.execute("UPDATE batch_jobs SET finished_at = ? WHERE id = ?", [now_iso(), job_id])
        return True


def reopen_failed(db: sqlite_utils.Database, job_id: int, *, only: Callable[[str], bool] | None = None) -> int:
    """Make failed items of a job pending again, so a resumed run takes them; `only(reason)` picks which."""
    rows = db.execute("SELECT id, reason FROM batch_items WHERE job_id = ? AND state = ?", [job_id, FAILED]).fetchall()
    again = [(rid,) for rid, reason in rows if only is None or only(reason or "")]
    if again:
        with Transaction(db):
            db.conn.executemany("UPDATE batch_items SET state = ?, reason = NULL, owner = NULL "
                                "WHERE id = ? AND state = ?", [(PENDING, rid, FAILED) for (rid,) in again])
    return len(again)


def killed_runs(db: sqlite_utils.Database, command: str, is_gone: Callable[[str], bool]) -> list[int]:
    """Runs of `command` still marked running whose owner process `is_gone`: marked `killed`, returned."""
    killed = []
    for run_id, args in db.execute("SELECT id, args FROM runs WHERE command = ? AND status = ?",
                                   [command, RunStatus.RUNNING.value]):
        owner = (json.loads(args or "{}") or {}).get("owner")
        if owner and is_gone(owner):
            killed.append(int(run_id))
    mark_runs(db, killed, RunStatus.KILLED.value)
    return killed


def recorded_end(db: sqlite_utils.Database, warc_file: str) -> int | None:
    """Where the last record of `warc_file` that a `captures` row knows of ends; None when none does."""
    end: int | None = db.execute('SELECT max("offset" + length) FROM captures WHERE warc_file = ?',
                                 [warc_file]).fetchone()[0]
    return end


def job_counts(db: sqlite_utils.Database, job_id: int, run_id: int) -> dict[str, Any]:
    """What a job found over all its runs, read back from the database: done items, failures (in
    order), claims by status and citations by kind of the done articles, their distinct cited URLs
    by what is known of them (`latest_resolutions`), the dead-link rate over URLs checked definitively,
    and the saved copies (WARC response and revisit records) of those URLs; then what this run
    added (`added`), and this run's own attempts (`tried`: (status, reason) per URL it resolved)."""
    q = db.execute
    job = [job_id, DONE]  # the parameters of `done`, and so of `cited`
    done = "SELECT article_id FROM batch_items WHERE job_id = ? AND state = ?"
    cited = f"SELECT DISTINCT url_id FROM citations WHERE article_id IN ({done}) AND url_id IS NOT NULL"
    copies = "c.record_type IN ('response', 'revisit')"
    failures = [{"source": src, "reason": why} for src, why in q(
        "SELECT source, reason FROM batch_items WHERE job_id = ? AND state = ? ORDER BY id", [job_id, FAILED])]
    resolutions = dict(q(
        f"SELECT r.status, count(*) FROM ({cited}) u "
        "JOIN latest_resolutions r ON r.url_id = u.url_id "
        "GROUP BY r.status ORDER BY count(*) DESC", job).fetchall())
    tried = q("SELECT status, reason FROM resolutions WHERE run_id = ?", [run_id]).fetchall()
    definitive = ", ".join("?" * len(Status.definitive()))
    unchecked = dict(q(
        f"SELECT coalesce(r.reason, r.status), count(*) FROM ({cited}) u "
        "JOIN latest_resolutions r ON r.url_id = u.url_id "
        f"WHERE r.status NOT IN ({definitive}, ?) GROUP BY 1 ORDER BY count(*) DESC",
        [*job, *Status.definitive(), Status.OFFLINE.value]).fetchall())
    return {
        "articles": q(f"SELECT count(*) FROM ({done})", job).fetchone()[0],
        "failures": failures,
        "claims": dict(q(f"SELECT status, count(*) FROM claims WHERE article_id IN ({done}) GROUP BY status "
                         "ORDER BY count(*) DESC", job).fetchall()),
        "citations": dict(q(f"SELECT kind, count(*) FROM citations WHERE article_id IN ({done}) GROUP BY kind "
                            "ORDER BY count(*) DESC", job).fetchall()),
        "resolutions": resolutions,
        "unchecked": unchecked,
        "dead_link_rate": LinkTally.of_counts(resolutions).dead_link_rate,
        "captures": q(f"SELECT count(*) FROM captures c JOIN resolutions r ON r.id = c.resolution_id "
                      f"WHERE {copies} AND r.url_id IN ({cited})", job).fetchone()[0],
        "added": {
            "articles": q("SELECT count(*) FROM batch_items WHERE job_id = ? AND state = ? AND run_id = ?",
                          [job_id, DONE, run_id]).fetchone()[0],
            "resolutions": len(tried),
            "captures": q(f"SELECT count(*) FROM captures c WHERE {copies} AND c.run_id = ?", [run_id]).fetchone()[0],
        },
        "tried": tried,
    }
