CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");
CREATE TABLE runs (
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
CREATE TABLE articles (
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
CREATE TABLE urls (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            host TEXT,
            is_short INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT
        );
CREATE TABLE claims (
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
CREATE TABLE citations (
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
            found_in TEXT, found_by TEXT, element TEXT, attribute TEXT, cue TEXT, trace_result TEXT,
            UNIQUE (article_id, seq)
        );
CREATE TABLE claim_citations (
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            citation_id INTEGER NOT NULL REFERENCES citations(id),
            rule TEXT NOT NULL,
            confidence REAL, via_claim_id INTEGER REFERENCES claims(id),
            PRIMARY KEY (claim_id, citation_id, rule)
        );
CREATE TABLE claim_supports (
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            supporting_claim_id INTEGER NOT NULL REFERENCES claims(id),
            rule TEXT NOT NULL DEFAULT 'supports',
            confidence REAL,
            PRIMARY KEY (claim_id, supporting_claim_id)
        );
CREATE TABLE resolutions (
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
CREATE TABLE hops (
            id INTEGER PRIMARY KEY,
            resolution_id INTEGER NOT NULL REFERENCES resolutions(id),
            seq INTEGER NOT NULL,
            url TEXT NOT NULL,
            http_status INTEGER,
            location TEXT,
            via TEXT NOT NULL,
            UNIQUE (resolution_id, seq)
        );
CREATE TABLE captures (
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
CREATE TABLE snapshots (
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
CREATE INDEX idx_articles_run ON articles(run_id);
CREATE INDEX idx_claims_article ON claims(article_id);
CREATE INDEX idx_claims_status ON claims(status);
CREATE INDEX idx_citations_article ON citations(article_id);
CREATE INDEX idx_citations_url ON citations(url_id);
CREATE INDEX idx_citations_parent ON citations(parent_id);
CREATE INDEX idx_citations_kind ON citations(kind);
CREATE INDEX idx_claim_citations_citation ON claim_citations(citation_id);
CREATE INDEX idx_claim_supports_supporting ON claim_supports(supporting_claim_id);
CREATE INDEX idx_resolutions_url ON resolutions(url_id);
CREATE INDEX idx_resolutions_run ON resolutions(run_id);
CREATE INDEX idx_hops_resolution ON hops(resolution_id);
CREATE INDEX idx_captures_url ON captures(url_id);
CREATE INDEX idx_captures_resolution ON captures(resolution_id);
CREATE INDEX idx_captures_run ON captures(run_id);
CREATE INDEX idx_captures_payload ON captures(payload_digest);
CREATE INDEX idx_snapshots_url ON snapshots(url_id);
CREATE INDEX idx_snapshots_run ON snapshots(run_id);
CREATE VIRTUAL TABLE "claims_fts" USING FTS5 (
    "text",
    content="claims"
);
CREATE TABLE 'claims_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
CREATE TABLE 'claims_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE 'claims_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE 'claims_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
CREATE TRIGGER "claims_ai" AFTER INSERT ON "claims" BEGIN
  INSERT INTO "claims_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE TRIGGER "claims_ad" AFTER DELETE ON "claims" BEGIN
  INSERT INTO "claims_fts" ("claims_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
END;
CREATE TRIGGER "claims_au" AFTER UPDATE ON "claims" BEGIN
  INSERT INTO "claims_fts" ("claims_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "claims_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "text",
    content="articles"
);
CREATE TABLE 'articles_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
CREATE TABLE 'articles_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE 'articles_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE 'articles_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN
  INSERT INTO "articles_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
END;
CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
  INSERT INTO "articles_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE TABLE batch_jobs (
            id INTEGER PRIMARY KEY,
            job TEXT NOT NULL UNIQUE,
            sources TEXT NOT NULL,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            run_id INTEGER REFERENCES runs(id)
        );
CREATE TABLE batch_items (
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
CREATE INDEX idx_batch_jobs_run ON batch_jobs(run_id);
CREATE INDEX idx_batch_items_state ON batch_items(job_id, state);
CREATE INDEX idx_batch_items_article ON batch_items(article_id);
CREATE INDEX idx_batch_items_run ON batch_items(run_id);
CREATE INDEX idx_claim_citations_via ON claim_citations(via_claim_id);
CREATE VIEW latest_resolutions AS
SELECT r.* FROM resolutions r
WHERE r.id = coalesce(
    (SELECT max(d.id) FROM resolutions d WHERE d.url_id = r.url_id AND d.status IN ('alive', 'dead', 'soft404')),
    (SELECT max(a.id) FROM resolutions a WHERE a.url_id = r.url_id));
CREATE INDEX idx_resolutions_url_status ON resolutions(url_id, status);
CREATE TABLE checks (
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
CREATE INDEX idx_checks_claim ON checks(claim_id);
CREATE INDEX idx_checks_citation ON checks(citation_id);
CREATE INDEX idx_checks_url ON checks(url_id, kind);
CREATE INDEX idx_checks_verdict ON checks(verdict);
CREATE INDEX idx_checks_capture ON checks(capture_id);
CREATE INDEX idx_checks_snapshot ON checks(snapshot_id);
CREATE INDEX idx_checks_run ON checks(run_id);
CREATE TABLE candidates (
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
CREATE INDEX idx_candidates_citation ON candidates(citation_id, rank);
CREATE INDEX idx_candidates_url ON candidates(url_id);
CREATE INDEX idx_candidates_verdict ON candidates(verdict);
CREATE INDEX idx_candidates_capture ON candidates(capture_id);
CREATE INDEX idx_candidates_run ON candidates(run_id);
CREATE TABLE trace_of (
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
CREATE INDEX idx_trace_of_claim ON trace_of(claim_id, depth);
CREATE INDEX idx_trace_of_citation ON trace_of(citation_id);
CREATE INDEX idx_trace_of_article ON trace_of(article_id);
CREATE INDEX idx_trace_of_parent ON trace_of(parent_article_id);
CREATE INDEX idx_trace_of_url ON trace_of(url_id);
CREATE INDEX idx_trace_of_copy ON trace_of(copy_of_url_id);
CREATE INDEX idx_trace_of_run ON trace_of(run_id);
CREATE VIEW chains AS
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
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest_resolutions l ON l.url_id = c.url_id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 10 + min(h.seq, 489), 'hop', h.via,
           coalesce(h.http_status, '') || ' → ' || coalesce(h.location, ''), h.url, NULL, NULL, NULL,
           w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest_resolutions l ON l.url_id = c.url_id
    JOIN hops h ON h.resolution_id = l.id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 500, 'final', NULL,
           coalesce(l.http_status, '') || ' ' || l.status, l.final_url, l.status, NULL, NULL,
           w.citation_id, l.id, NULL, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id JOIN latest_resolutions l ON l.url_id = c.url_id
    WHERE l.final_url IS NOT NULL AND l.status IN ('alive', 'dead', 'soft404')
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 600, 'capture', cap.record_type,
           cap.warc_file || '@' || cap."offset" || ' ' || coalesce(cap.payload_digest, ''), u.url,
           CASE WHEN cap.truncated IS NULL THEN 'captured' ELSE 'truncated' END, NULL, NULL,
           w.citation_id, NULL, cap.id, NULL
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN latest_resolutions l ON l.url_id = c.url_id
    JOIN urls u ON u.url = l.final_url
    JOIN captures cap ON cap.id = (SELECT max(c2.id) FROM captures c2
                                   WHERE c2.url_id = u.id AND c2.record_type IN ('response', 'revisit'))
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 800, 'snapshot', s.status,
           coalesce(s.timestamp, s.reason, ''), s.snapshot_url, s.status, NULL, NULL,
           w.citation_id, NULL, NULL, s.id
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN snapshots s ON s.id = (SELECT s2.id FROM snapshots s2 WHERE s2.url_id = c.url_id
                                ORDER BY s2.status IN ('found', 'saved') DESC, s2.status = 'none' DESC, s2.id DESC
                                LIMIT 1)
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 900, 'check', k.kind,
           coalesce(k.passage, k.detail, ''), u.url, k.verdict, k.against, k.score,
           w.citation_id, NULL, k.capture_id, k.snapshot_id
    FROM walk w JOIN checks k ON k.claim_id = w.claim_id AND k.citation_id = w.citation_id
    JOIN urls u ON u.id = k.url_id
    WHERE k.kind != 'drift'
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 950, 'check', k.kind,
           coalesce(k.detail, ''), u.url, k.verdict, k.against, k.score,
           w.citation_id, NULL, k.capture_id, k.snapshot_id
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN checks k ON k.url_id = c.url_id AND k.kind = 'drift'
    JOIN urls u ON u.id = k.url_id
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 970, 'traced', k.source,
           'found by tracing (' || k.source || ', archived ' || coalesce(k.timestamp, '?') || ', rank ' || k.rank
               || ')' || coalesce(': ' || k.passage, ''),
           u.url, k.verdict, 'tracing', k.score, w.citation_id, NULL, k.capture_id, NULL
    FROM walk w JOIN candidates k ON k.citation_id = w.citation_id AND k.verdict IN ('verbatim', 'close', 'matched')
    JOIN urls u ON u.id = k.url_id
    WHERE k.rank = 1
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * 1000 + 980 + min(t.depth, 19),
           'trace', coalesce(t.stop, 'followed'),
           'depth ' || t.depth || CASE WHEN t.is_primary THEN ', primary source (' || t.stop || ')' ELSE '' END
               || coalesce(', copy of ' || cu.url, '') || coalesce(', ' || t.wire || ' wire', '')
               || coalesce(': ' || t.passage, ''),
           u.url, t.verdict, 'trace_of', t.score, w.citation_id, NULL, NULL, NULL
    FROM walk w JOIN trace_of t ON t.claim_id = w.claim_id AND t.citation_id = w.citation_id
    JOIN urls u ON u.id = t.url_id
    LEFT JOIN urls cu ON cu.id = t.copy_of_url_id
)
SELECT cl.article_id, s.claim_id, s.chain, s.step, s.step_kind, s.kind, s.detail, s.url, s.status,
       s.rule, s.confidence, s.citation_id, s.resolution_id, s.capture_id, s.snapshot_id,
       CASE WHEN s.step_kind IN ('claim', 'article') THEN 0
            WHEN s.step_kind = 'trace' THEN s.step % 1000 - 980
            ELSE s.step / 1000 END AS depth
FROM steps s JOIN claims cl ON cl.id = s.claim_id
ORDER BY cl.article_id, s.claim_id, s.chain IS NOT NULL, s.chain, s.step;
