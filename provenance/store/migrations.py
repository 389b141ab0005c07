"""The named migrations: every table, index and full-text index, each change a function.

A change to the schema is a new migration appended below, never an edit of an old one:
existing databases migrate the same way. The views' SQL lives in `views`.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .views import (
    CHAINS_VIEW,
    CHAINS_VIEW_0003,
    CHAINS_VIEW_0004,
    CHAINS_VIEW_DEPTH,
    CHAINS_VIEW_TRACED,
    LATEST_RESOLUTIONS_VIEW,
)

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
    db.execute(CHAINS_VIEW_0004)


@migrations(name="0005_citation_found_by")
def m0005_citation_found_by(db: sqlite_utils.Database) -> None:
    """How a citation was found, as data: the rule (`found_by`), the element and attribute it came
    from, and an attribution's cue; `found_in` holds the same in words for people."""
    for column in ("found_by", "element", "attribute", "cue"):
        if column not in db.table("citations").columns_dict:
            db.execute(f"ALTER TABLE citations ADD COLUMN {column} TEXT")


@migrations(name="0006_checks")
def m0006_checks(db: sqlite_utils.Database) -> None:
    """`checks`: does the cited page say what the article says it says, and has it changed since?

    One row per verdict of the check stage: a quote or passage check belongs to a claim and the
    citation whose page it read; a drift check belongs to a URL alone. A check run again replaces
    its row, so each row is the current verdict (`run_id` says which run reached it). The words
    around the passage, the differing words, the reasons and the drift counts ride in `evidence`
    (JSON). `chains` gains a step per check.
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS checks (
            id INTEGER PRIMARY KEY,
            claim_id INTEGER REFERENCES claims(id),
            citation_id INTEGER REFERENCES citations(id),
            url_id INTEGER NOT NULL REFERENCES urls(id),
            kind TEXT NOT NULL,
            against TEXT NOT NULL,
            capture_id INTEGER REFERENCES captures(id),
            snapshot_id INTEGER REFERENCES snapshots(id),
            verdict TEXT NOT NULL,
            score REAL,
            passage TEXT,
            start INTEGER,
            "end" INTEGER,
            detail TEXT,
            evidence TEXT,
            run_id INTEGER REFERENCES runs(id),
            checked_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_checks_claim ON checks(claim_id);
        CREATE INDEX IF NOT EXISTS idx_checks_citation ON checks(citation_id);
        CREATE INDEX IF NOT EXISTS idx_checks_url ON checks(url_id, kind);
        CREATE INDEX IF NOT EXISTS idx_checks_verdict ON checks(verdict);
        CREATE INDEX IF NOT EXISTS idx_checks_capture ON checks(capture_id);
        CREATE INDEX IF NOT EXISTS idx_checks_snapshot ON checks(snapshot_id);
        CREATE INDEX IF NOT EXISTS idx_checks_run ON checks(run_id);
        """
    )
    db.execute("DROP VIEW IF EXISTS chains")
    db.execute(CHAINS_VIEW)


@migrations(name="0007_candidates")
def m0007_candidates(db: sqlite_utils.Database) -> None:
    """`candidates`: the archived pages a vague citation (an outlet named without a link, a pasted
    tweet) may mean, found by tracing and ranked; a candidate whose text verified the claim has its
    check `verdict`. Tracing a citation again replaces its rows. `citations.trace_result` says what
    tracing found in one line, the reason included when it stays vague. `chains` gains a `traced` step:
    the page tracing found for a vague citation, when it verified the claim."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS candidates (
            id INTEGER PRIMARY KEY,
            citation_id INTEGER NOT NULL REFERENCES citations(id),
            url_id INTEGER NOT NULL REFERENCES urls(id),
            source TEXT NOT NULL,
            archive TEXT,
            timestamp TEXT,
            rank INTEGER,
            score REAL,
            verdict TEXT,
            passage TEXT,
            capture_id INTEGER REFERENCES captures(id),
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE INDEX IF NOT EXISTS idx_candidates_citation ON candidates(citation_id, rank);
        CREATE INDEX IF NOT EXISTS idx_candidates_url ON candidates(url_id);
        CREATE INDEX IF NOT EXISTS idx_candidates_verdict ON candidates(verdict);
        CREATE INDEX IF NOT EXISTS idx_candidates_capture ON candidates(capture_id);
        CREATE INDEX IF NOT EXISTS idx_candidates_run ON candidates(run_id);
        """
    )
    if "trace_result" not in db.table("citations").columns_dict:
        db.execute("ALTER TABLE citations ADD COLUMN trace_result TEXT")
    db.execute("DROP VIEW IF EXISTS chains")
    db.execute(CHAINS_VIEW_TRACED)


@migrations(name="0008_trace_of")
def m0008_trace_of(db: sqlite_utils.Database) -> None:
    """`trace_of`: the pages deep tracing reached below the page that verified a claim, down to the
    primary source. One row per page reached (a page can be reached from several claims, so a table
    rather than a parent column on `articles`): the page is recorded as an article (`article_id`, with
    the citations near the passage that were followed) and linked to the article that cited it
    (`parent_article_id`) at its `depth` (1 is the cited page itself). `stop` says why its branch ends
    (a primary source: government, document, own_site, own_post, no_citation; or not_supported,
    unreachable, depth, cites_seen, budget, source_found), `is_primary` whether it is the claim's
    primary source, `copy_of_url_id` the page it copies (a wire story or press release on several
    sites). Tracing a claim again replaces its rows. `chains` gains a `trace` step per row and a `depth`.
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS trace_of (
            id INTEGER PRIMARY KEY,
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            citation_id INTEGER REFERENCES citations(id),
            article_id INTEGER REFERENCES articles(id),
            parent_article_id INTEGER REFERENCES articles(id),
            depth INTEGER NOT NULL,
            url_id INTEGER NOT NULL REFERENCES urls(id),
            verdict TEXT,
            score REAL,
            passage TEXT,
            stop TEXT,
            is_primary INTEGER NOT NULL DEFAULT 0,
            copy_of_url_id INTEGER REFERENCES urls(id),
            wire TEXT,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE INDEX IF NOT EXISTS idx_trace_of_claim ON trace_of(claim_id, depth);
        CREATE INDEX IF NOT EXISTS idx_trace_of_citation ON trace_of(citation_id);
        CREATE INDEX IF NOT EXISTS idx_trace_of_article ON trace_of(article_id);
        CREATE INDEX IF NOT EXISTS idx_trace_of_parent ON trace_of(parent_article_id);
        CREATE INDEX IF NOT EXISTS idx_trace_of_url ON trace_of(url_id);
        CREATE INDEX IF NOT EXISTS idx_trace_of_copy ON trace_of(copy_of_url_id);
        CREATE INDEX IF NOT EXISTS idx_trace_of_run ON trace_of(run_id);
        """
    )
    db.execute("DROP VIEW IF EXISTS chains")
    db.execute(CHAINS_VIEW_DEPTH)
