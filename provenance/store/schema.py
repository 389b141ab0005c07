"""The schema: every table, its migrations, the views (`latest_resolutions`, `chains`) and full-text search.

Here: `connect` opens a database and migrates it, `schema_version` says how far it is.
Every table is declared once, as a named migration on sqlite-utils' `Migrations`, in
`migrations`; the views' SQL is in `views`. Only the store package (`writes`, `queries`,
`queue`) runs SQL.

Tables
    runs             one row per command run: what was asked, what happened
    articles         one row per source (natural key `source`)
    claims           assertions of an article, in order
    citations        references of an article (links, short links, tweets, videos, outlets, quotes)
    claim_citations  claim → citation, with the linking rule and confidence
    claim_supports   claim → claim (`supports`): a summary bullet backed by body sentences
    urls             every distinct URL seen (natural key `url`)
    resolutions      each time a URL was resolved: final URL, status, reason
    hops             the redirect steps of one resolution, in order
    captures         WARC records written for a URL
    snapshots        Wayback Machine snapshots found for a URL
    batch_jobs       one row per batch (the same SOURCEs make the same job): resumable work
    batch_items      a batch's work queue: one row per article to audit, with its state
    checks           what reading a cited page found: quote, passage and drift verdicts (the latest of each)
    candidates       archived pages a vague citation may mean, ranked by tracing, the verified one `traced`
    trace_of         pages deep tracing reached below a verified claim's page, each linked to the article citing it
Views
    latest_resolutions  what is known of each URL: its latest definitive resolution, else its latest
    chains              one row per step from each claim to its evidence, in order
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlite_utils

from ..errors import DatabaseError
from .migrations import SCHEMA_VERSION_NAME, migrations

__all__ = ["SCHEMA_VERSION_NAME", "connect", "migrate", "migrations", "schema_version"]


def connect(path: Path | str, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (and migrate) the database: WAL, foreign keys on, a busy timeout so two writers wait."""
    path = Path(path)
    if readonly:
        if not path.exists():
            raise DatabaseError(f"{path}: no such database")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                                   check_same_thread=False)
            conn.execute("SELECT 1 FROM claims LIMIT 1")
        except sqlite3.Error as e:
            raise DatabaseError(f"{path}: not a provenance database ({e})") from e
        return sqlite_utils.Database(conn)
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        _prepare(db)
    except sqlite3.Error as e:
        raise DatabaseError(f"{path}: {e}") from e
    except OSError as e:
        raise DatabaseError(f"{path}: {e.strerror or e}") from e
    return db


def _prepare(db: sqlite_utils.Database, attempts: int = 6) -> None:
    """WAL, foreign keys, migrations, and a write probe (a read-only file or folder fails here, not
    mid-run). SQLite may answer "locked" at once instead of waiting, when waiting could deadlock —
    as when two processes switch a brand-new file to WAL together — so the sequence is retried."""
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            migrate(db)
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return
        except sqlite3.OperationalError as e:
            if db.conn.in_transaction:
                db.conn.rollback()
            if attempt == attempts - 1 or not ("locked" in str(e) or "busy" in str(e)):
                raise
            time.sleep(0.2 * (attempt + 1))


def migrate(db: sqlite_utils.Database, attempts: int = 5) -> None:
    """Apply pending migrations. Two processes that open a new database at once both see them
    pending; the one that loses the race fails on what the winner created, waits, and finds
    nothing left to do."""
    for attempt in range(attempts):
        try:
            if migrations.pending(db):
                migrations.apply(db)
            return
        except sqlite3.DatabaseError:
            if attempt == attempts - 1:
                raise
            if db.conn.in_transaction:
                db.conn.rollback()
            time.sleep(0.2 * (attempt + 1))


def schema_version(db: sqlite_utils.Database) -> str | None:
    applied = migrations.applied(db)
    return applied[-1].name if applied else None
