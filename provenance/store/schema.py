"""The schema: every table, its migrations, the views (`latest_resolutions`, `chains`) and full-text search.

Every table is declared here, once, as a named migration on sqlite-utils'
`Migrations`; a change to the schema is a new migration appended below, never
an edit of an old one. Only the store package (`writes`, `queries`, `queue`) runs SQL.

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
Views
    latest_resolutions  what is known of each URL: its latest definitive resolution, else its latest
    chains              one row per step from each claim to its evidence, in order
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..errors import DatabaseError
from ..models import CaptureKind, SnapshotStatus, Status

SCHEMA_VERSION_NAME = "provenance"
migrations = Migrations(SCHEMA_VERSION_NAME)


@migrations(name="0001_initial")
def m0001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            args TEXT,
            version TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            counts TEXT,
            failures TEXT
        );
        CREATE TABLE IF NOT EXISTS articles (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL UNIQUE,
            url TEXT,
            canonical_url TEXT,
            title TEXT,
            published TEXT,
            outlet TEXT,
            author TEXT,
            is_html INTEGER,
            encoding TEXT,
            sha256 TEXT,
            text TEXT,
            notes TEXT,
            fetched_at TEXT,
            audited_at TEXT,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE TABLE IF NOT EXISTS urls (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            host TEXT,
            is_short INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT
        );
        CREATE TABLE IF NOT EXISTS claims (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            start INTEGER,
            "end" INTEGER,
            status TEXT NOT NULL,
            UNIQUE (article_id, seq)
        );
        CREATE TABLE IF NOT EXISTS citations (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            url_id INTEGER REFERENCES urls(id),
            url TEXT,
            text TEXT,
            outlet TEXT,
            handle TEXT,
            speaker TEXT,
            date TEXT,
            parent_id INTEGER REFERENCES citations(id),
            start INTEGER,
            "end" INTEGER,
            found_in TEXT,
            UNIQUE (article_id, seq)
        );
        CREATE TABLE IF NOT EXISTS claim_citations (
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            citation_id INTEGER NOT NULL REFERENCES citations(id),
            rule TEXT NOT NULL,
            confidence REAL,
            PRIMARY KEY (claim_id, citation_id, rule)
        );
        CREATE TABLE IF NOT EXISTS claim_supports (
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            supporting_claim_id INTEGER NOT NULL REFERENCES claims(id),
            rule TEXT NOT NULL DEFAULT 'supports',
            confidence REAL,
            PRIMARY KEY (claim_id, supporting_claim_id)
        );
        CREATE TABLE IF NOT EXISTS resolutions (
            id INTEGER PRIMARY KEY,
            url_id INTEGER NOT NULL REFERENCES urls(id),
            final_url TEXT,
            status TEXT NOT NULL,
            reason TEXT,
            http_status INTEGER,
            elapsed_ms INTEGER,
            content_type TEXT,
            checked_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE TABLE IF NOT EXISTS hops (
            id INTEGER PRIMARY KEY,
            resolution_id INTEGER NOT NULL REFERENCES resolutions(id),
            seq INTEGER NOT NULL,
            url TEXT NOT NULL,
            http_status INTEGER,
            location TEXT,
            via TEXT NOT NULL,
            UNIQUE (resolution_id, seq)
        );
        CREATE TABLE IF NOT EXISTS captures (
            id INTEGER PRIMARY KEY,
            url_id INTEGER NOT NULL REFERENCES urls(id),
            resolution_id INTEGER REFERENCES resolutions(id),
            warc_file TEXT NOT NULL,
            "offset" INTEGER NOT NULL,
            length INTEGER NOT NULL,
            record_type TEXT NOT NULL,
            record_id TEXT,
            refers_to TEXT,
            payload_digest TEXT,
            block_digest TEXT,
            http_status INTEGER,
            content_type TEXT,
            size INTEGER,
            truncated TEXT,
            captured_at TEXT,
            run_id INTEGER REFERENCES runs(id),
            UNIQUE (warc_file, "offset")
        );
        CREATE TABLE IF NOT EXISTS snapshots (
            id INTEGER PRIMARY KEY,
            url_id INTEGER NOT NULL REFERENCES urls(id),
            status TEXT NOT NULL,
            timestamp TEXT,
            snapshot_url TEXT,
            http_status INTEGER,
            target_date TEXT,
            distance_days REAL,
            reason TEXT,
            checked_at TEXT,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE INDEX IF NOT EXISTS idx_articles_run ON articles(run_id);
        CREATE INDEX IF NOT EXISTS idx_claims_article ON claims(article_id);
        CREATE INDEX IF NOT EXISTS idx_claims_status ON claims(status);
        CREATE INDEX IF NOT EXISTS idx_citations_article ON citations(article_id);
        CREATE INDEX IF NOT EXISTS idx_citations_url ON citations(url_id);
        CREATE INDEX IF NOT EXISTS idx_citations_parent ON citations(parent_id);
        CREATE INDEX IF NOT EXISTS idx_citations_kind ON citations(kind);
        CREATE INDEX IF NOT EXISTS idx_claim_citations_citation ON claim_citations(citation_id);
        CREATE INDEX IF NOT EXISTS idx_claim_supports_supporting ON claim_supports(supporting_claim_id);
        CREATE INDEX IF NOT EXISTS idx_resolutions_url ON resolutions(url_id);
        CREATE INDEX IF NOT EXISTS idx_resolutions_run ON resolutions(run_id);
        CREATE INDEX IF NOT EXISTS idx_hops_resolution ON hops(resolution_id);
        CREATE INDEX IF NOT EXISTS idx_captures_url ON captures(url_id);
        CREATE INDEX IF NOT EXISTS idx_captures_resolution ON captures(resolution_id);
        CREATE INDEX IF NOT EXISTS idx_captures_run ON captures(run_id);
        CREATE INDEX IF NOT EXISTS idx_captures_payload ON captures(payload_digest);
        CREATE INDEX IF NOT EXISTS idx_snapshots_url ON snapshots(url_id);
        CREATE INDEX IF NOT EXISTS idx_snapshots_run ON snapshots(run_id);
        """
    )
    db.table("claims").enable_fts(["text"], create_triggers=True, replace=True)
    db.table("articles").enable_fts(["title", "text"], create_triggers=True, replace=True)
    db.execute(CHAINS_VIEW_0003)


@migrations(name="0002_batch_queue")
def m0002_batch_queue(db: sqlite_utils.Database) -> None:
    """The work queue of `provenance batch`, in the database so that a killed run resumes.

    A job is named by its SOURCEs; while it is unfinished, running the same command again
    resumes it. An item is one article (natural key `source`, as in `articles`) and moves
    pending → working → done, or → failed with a reason.
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS batch_jobs (
            id INTEGER PRIMARY KEY,
            job TEXT NOT NULL UNIQUE,
            sources TEXT NOT NULL,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE TABLE IF NOT EXISTS batch_items (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES batch_jobs(id),
            source TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            reason TEXT,
            owner TEXT,
            article_id INTEGER REFERENCES articles(id),
            run_id INTEGER REFERENCES runs(id),
            updated_at TEXT,
            UNIQUE (job_id, source)
        );
        CREATE INDEX IF NOT EXISTS idx_batch_jobs_run ON batch_jobs(run_id);
        CREATE INDEX IF NOT EXISTS idx_batch_items_state ON batch_items(job_id, state);
        CREATE INDEX IF NOT EXISTS idx_batch_items_article ON batch_items(article_id);
        CREATE INDEX IF NOT EXISTS idx_batch_items_run ON batch_items(run_id);
        """
    )


@migrations(name="0003_supports_via_and_article_step")
def m0003_supports_via_and_article_step(db: sqlite_utils.Database) -> None:
    """A `supports` link remembers which claim it came through; `chains` starts at the article.

    The view holds no data, so it is replaced by the definition of its time.
    """
    if "via_claim_id" not in db.table("claim_citations").columns_dict:
        db.execute("ALTER TABLE claim_citations ADD COLUMN via_claim_id INTEGER REFERENCES claims(id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_claim_citations_via ON claim_citations(via_claim_id)")
    db.execute("DROP VIEW IF EXISTS chains")
    db.execute(CHAINS_VIEW)


# The chains view as migrations 0001 and 0003 made it (0004 replaces it; kept so that old
# migrations stay what they were).
# One row per step from each claim to its evidence. A claim's chains start at each citation it
# cites; from a citation the chain goes on to its children (a tweet's t.co link) and, for a quote,
# to the outlet it is attributed to. Each URL step is followed by the latest resolution of that
# URL, its hops, the final URL, then captures and Wayback snapshots. Step 1 is the article itself
# (where the claim was read, and the copy of it that was kept), the root of every chain.
CHAINS_VIEW_0003 = """
CREATE VIEW IF NOT EXISTS chains AS
WITH RECURSIVE walk(claim_id, chain, citation_id, depth, rule, confidence, path) AS (
    SELECT cc.claim_id, cc.citation_id, cc.citation_id, 1, cc.rule, cc.confidence, ',' || cc.citation_id || ','
    FROM claim_citations cc
    UNION ALL
    SELECT w.claim_id, w.chain, c.id, w.depth + 1, 'contains', NULL, w.path || c.id || ','
    FROM walk w JOIN citations c ON c.parent_id = w.citation_id
    WHERE w.depth < 8 AND instr(w.path, ',' || c.id || ',') = 0
    UNION ALL
    SELECT w.claim_id, w.chain, p.id, w.depth + 1, 'attributed-to', NULL, w.path || p.id || ','
    FROM walk w JOIN citations q ON q.id = w.citation_id AND q.kind = 'quote'
    JOIN citations p ON p.id = q.parent_id
    WHERE w.depth < 8 AND instr(w.path, ',' || p.id || ',') = 0
),
latest AS (
    SELECT r.* FROM resolutions r
    WHERE r.id = (SELECT max(r2.id) FROM resolutions r2 WHERE r2.url_id = r.url_id)
),
steps AS (
    SELECT cl.id AS claim_id, NULL AS chain, 0 AS step, 'claim' AS step_kind, cl.kind AS kind,
           cl.text AS detail, NULL AS url, cl.status AS status, NULL AS rule, NULL AS confidence,
           NULL AS citation_id, NULL AS resolution_id, NULL AS capture_id, NULL AS snapshot_id
    FROM claims cl
    UNION ALL
    SELECT cl.id, NULL, 1, 'article', NULL, coalesce(a.title, a.source), coalesce(a.url, a.source),
           CASE WHEN cap.id IS NOT NULL THEN 'captured' END, NULL, NULL, NULL, NULL, cap.id, NULL
    FROM claims cl JOIN articles a ON a.id = cl.article_id
    LEFT JOIN urls au ON au.url = a.url
    LEFT JOIN captures cap ON cap.id = (SELECT max(c2.id) FROM captures c2
                                        WHERE c2.url_id = au.id AND c2.record_type IN ('response', 'revisit'))
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000, 'citation', c.kind,
           CASE WHEN coalesce(c.handle, c.outlet, c.speaker) IS NULL THEN coalesce(c.text, '')
                ELSE coalesce(c.handle, c.outlet, c.speaker) || coalesce(': ' || c.text, '') END,
           c.url, NULL, w.rule, w.confidence, c.id, NULL, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 1, 'resolution', NULL,
           coalesce(l.reason, '') , l.final_url, l.status, NULL, NULL, w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest l ON l.url_id = c.url_id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 10 + h.seq, 'hop', h.via,
           coalesce(h.http_status, '') || ' → ' || coalesce(h.location, ''), h.url, NULL, NULL, NULL,
           w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest l ON l.url_id = c.url_id
    JOIN hops h ON h.resolution_id = l.id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 500, 'final', NULL,
           coalesce(l.http_status, '') || ' ' || l.status, l.final_url, l.status, NULL, NULL,
           w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest l ON l.url_id = c.url_id
    WHERE l.final_url IS NOT NULL
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 600 + (cap.id % 100), 'capture', cap.record_type,
           cap.warc_file || '@' || cap."offset" || ' ' || coalesce(cap.payload_digest, ''), u.url,
           CASE WHEN cap.truncated IS NULL THEN 'captured' ELSE 'truncated' END, NULL, NULL,
           w.citation_id, NULL, cap.id, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN latest l ON l.url_id = c.url_id
    JOIN urls u ON u.url = l.final_url
    JOIN captures cap ON cap.url_id = u.id AND cap.record_type IN ('response', 'revisit')
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 800 + (s.id % 100), 'snapshot', s.status,
           coalesce(s.timestamp, s.reason, ''), s.snapshot_url, s.status, NULL, NULL,
           w.citation_id, NULL, NULL, s.id
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN snapshots s ON s.url_id = c.url_id
)
SELECT cl.article_id, s.claim_id, s.chain, s.step, s.step_kind, s.kind, s.detail, s.url, s.status,
       s.rule, s.confidence, s.citation_id, s.resolution_id, s.capture_id, s.snapshot_id
FROM steps s JOIN claims cl ON cl.id = s.claim_id
ORDER BY cl.article_id, s.claim_id, s.chain IS NOT NULL, s.chain, s.step
"""


@migrations(name="0004_latest_resolutions")
def m0004_latest_resolutions(db: sqlite_utils.Database) -> None:
    """`latest_resolutions`: what is known of each URL, the one definition every reader uses.

    The latest definitive resolution (alive, dead, soft-404), else the latest of any kind: a later
    run that could not check (offline, no network, timeout) is history and never hides an earlier
    answer. `chains` is rebuilt on it, showing each capture and snapshot once (the latest per URL),
    ordered by named step offsets that cannot wrap.
    """
    db.execute(LATEST_RESOLUTIONS_VIEW)
    db.execute("CREATE INDEX IF NOT EXISTS idx_resolutions_url_status ON resolutions(url_id, status)")
    db.execute("DROP VIEW IF EXISTS chains")
    db.execute(CHAINS_VIEW)


@migrations(name="0005_citation_found_by")
def m0005_citation_found_by(db: sqlite_utils.Database) -> None:
    """How a citation was found, as data: the rule (`found_by`), the element and attribute it came
    from, and an attribution's cue; `found_in` holds the same in words for people."""
    for column in ("found_by", "element", "attribute", "cue"):
        if column not in db.table("citations").columns_dict:
            db.execute(f"ALTER TABLE citations ADD COLUMN {column} TEXT")


_DEFINITIVE = ", ".join(f"'{s.value}'" for s in Status.definitive())
_ARCHIVED_SNAPSHOT = ", ".join(f"'{s.value}'" for s in SnapshotStatus.archived())
_COPIES = ", ".join(f"'{k.value}'" for k in CaptureKind if k.is_copy)

LATEST_RESOLUTIONS_VIEW = f"""
CREATE VIEW IF NOT EXISTS latest_resolutions AS
SELECT r.* FROM resolutions r
WHERE r.id = coalesce(
    (SELECT max(d.id) FROM resolutions d WHERE d.url_id = r.url_id AND d.status IN ({_DEFINITIVE})),
    (SELECT max(a.id) FROM resolutions a WHERE a.url_id = r.url_id))
"""

# Where each kind of step sits within one citation's depth in `chains.step`: depth * STEP_DEPTH +
# offset. A chain shows one resolution, its hops (by seq, at most MAX_HOP_STEPS apart), one final
# URL, one capture and one snapshot per citation, so the offsets never run into each other.
STEP_DEPTH = 1000
STEP_RESOLUTION = 1
STEP_HOP = 10
STEP_FINAL = 500
STEP_CAPTURE = 600
STEP_SNAPSHOT = 800
MAX_HOP_STEPS = STEP_FINAL - STEP_HOP - 1


# One row per step from each claim to its evidence. A claim's chains start at each citation it
# cites; from a citation the chain goes on to its children (a tweet's t.co link) and, for a quote,
# to the outlet it is attributed to. Each URL step is followed by what is known of the URL
# (`latest_resolutions`), its hops, the final URL when it resolved, then the latest capture of the
# final URL and the best Wayback look-up (a snapshot found, else the latest answer). Step 1 is the
# article itself (where the claim was read, and the copy of it that was kept), the root of every chain.
CHAINS_VIEW = f"""
CREATE VIEW IF NOT EXISTS chains AS
WITH RECURSIVE walk(claim_id, chain, citation_id, depth, rule, confidence, path) AS (
    SELECT cc.claim_id, cc.citation_id, cc.citation_id, 1, cc.rule, cc.confidence, ',' || cc.citation_id || ','
    FROM claim_citations cc
    UNION ALL
    SELECT w.claim_id, w.chain, c.id, w.depth + 1, 'contains', NULL, w.path || c.id || ','
    FROM walk w JOIN citations c ON c.parent_id = w.citation_id
    WHERE w.depth < 8 AND instr(w.path, ',' || c.id || ',') = 0
    UNION ALL
    SELECT w.claim_id, w.chain, p.id, w.depth + 1, 'attributed-to', NULL, w.path || p.id || ','
    FROM walk w JOIN citations q ON q.id = w.citation_id AND q.kind = 'quote'
    JOIN citations p ON p.id = q.parent_id
    WHERE w.depth < 8 AND instr(w.path, ',' || p.id || ',') = 0
),
steps AS (
    SELECT cl.id AS claim_id, NULL AS chain, 0 AS step, 'claim' AS step_kind, cl.kind AS kind,
           cl.text AS detail, NULL AS url, cl.status AS status, NULL AS rule, NULL AS confidence,
           NULL AS citation_id, NULL AS resolution_id, NULL AS capture_id, NULL AS snapshot_id
    FROM claims cl
    UNION ALL
    SELECT cl.id, NULL, 1, 'article', NULL, coalesce(a.title, a.source), coalesce(a.url, a.source),
           CASE WHEN cap.id IS NOT NULL THEN 'captured' END, NULL, NULL, NULL, NULL, cap.id, NULL
    FROM claims cl JOIN articles a ON a.id = cl.article_id
    LEFT JOIN urls au ON au.url = a.url
    LEFT JOIN captures cap ON cap.id = (SELECT max(c2.id) FROM captures c2
                                        WHERE c2.url_id = au.id AND c2.record_type IN ({_COPIES}))
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH}, 'citation', c.kind,
           CASE WHEN coalesce(c.handle, c.outlet, c.speaker) IS NULL THEN coalesce(c.text, '')
                ELSE coalesce(c.handle, c.outlet, c.speaker) || coalesce(': ' || c.text, '') END,
           c.url, NULL, w.rule, w.confidence, c.id, NULL, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_RESOLUTION}, 'resolution', NULL,
           coalesce(l.reason, '') , l.final_url, l.status, NULL, NULL, w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest_resolutions l ON l.url_id = c.url_id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_HOP} + min(h.seq, {MAX_HOP_STEPS}), 'hop', h.via,
           coalesce(h.http_status, '') || ' → ' || coalesce(h.location, ''), h.url, NULL, NULL, NULL,
           w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest_resolutions l ON l.url_id = c.url_id
    JOIN hops h ON h.resolution_id = l.id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_FINAL}, 'final', NULL,
           coalesce(l.http_status, '') || ' ' || l.status, l.final_url, l.status, NULL, NULL,
           w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest_resolutions l ON l.url_id = c.url_id
    WHERE l.final_url IS NOT NULL AND l.status IN ({_DEFINITIVE})
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_CAPTURE}, 'capture', cap.record_type,
           cap.warc_file || '@' || cap."offset" || ' ' || coalesce(cap.payload_digest, ''), u.url,
           CASE WHEN cap.truncated IS NULL THEN 'captured' ELSE 'truncated' END, NULL, NULL,
           w.citation_id, NULL, cap.id, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN latest_resolutions l ON l.url_id = c.url_id
    JOIN urls u ON u.url = l.final_url
    JOIN captures cap ON cap.id = (SELECT max(c2.id) FROM captures c2
                                   WHERE c2.url_id = u.id AND c2.record_type IN ({_COPIES}))
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_SNAPSHOT}, 'snapshot', s.status,
           coalesce(s.timestamp, s.reason, ''), s.snapshot_url, s.status, NULL, NULL,
           w.citation_id, NULL, NULL, s.id
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN snapshots s ON s.id = (SELECT s2.id FROM snapshots s2 WHERE s2.url_id = c.url_id
                                ORDER BY s2.status IN ({_ARCHIVED_SNAPSHOT}) DESC, s2.status = 'none' DESC, s2.id DESC
                                LIMIT 1)
)
SELECT cl.article_id, s.claim_id, s.chain, s.step, s.step_kind, s.kind, s.detail, s.url, s.status,
       s.rule, s.confidence, s.citation_id, s.resolution_id, s.capture_id, s.snapshot_id
FROM steps s JOIN claims cl ON cl.id = s.claim_id
ORDER BY cl.article_id, s.claim_id, s.chain IS NOT NULL, s.chain, s.step
"""


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
