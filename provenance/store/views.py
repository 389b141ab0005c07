"""The views' SQL: `latest_resolutions`, and `chains` as each migration made it.

A view holds no data, so a migration that changes one drops it and creates it from the
definition of its time; the older definitions stay here so that old migrations stay what they were.
"""

from __future__ import annotations

from ..models import CaptureKind, CheckKind, SnapshotStatus, Status, Verdict

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
STEP_CHECK = 900  # a quote or passage check of the claim against this citation's page
STEP_DRIFT = 950  # the drift check of this citation's URL
MAX_HOP_STEPS = STEP_FINAL - STEP_HOP - 1

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



# One row per step from each claim to its evidence. A claim's chains start at each citation it
# cites; from a citation the chain goes on to its children (a tweet's t.co link) and, for a quote,
# to the outlet it is attributed to. Each URL step is followed by what is known of the URL
# (`latest_resolutions`), its hops, the final URL when it resolved, then the latest capture of the
# final URL and the best Wayback look-up (a snapshot found, else the latest answer). Step 1 is the
# article itself (where the claim was read, and the copy of it that was kept), the root of every chain.
CHAINS_VIEW_0004 = f"""
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

# `chains` from migration 0006 on: 0004's, with a step per check after each citation's evidence. In
# a check step `kind` is quote, passage or drift, `status` the verdict, `rule` what the page text
# was (capture, snapshot, live) and `confidence` the score.
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
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_CHECK}, 'check', k.kind,
           coalesce(k.passage, k.detail, ''), u.url, k.verdict, k.against, k.score,
           w.citation_id, NULL, k.capture_id, k.snapshot_id
    FROM walk w JOIN checks k ON k.claim_id = w.claim_id AND k.citation_id = w.citation_id
    JOIN urls u ON u.id = k.url_id
    WHERE k.kind != '{CheckKind.DRIFT.value}'
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_DRIFT}, 'check', k.kind,
           coalesce(k.detail, ''), u.url, k.verdict, k.against, k.score,
           w.citation_id, NULL, k.capture_id, k.snapshot_id
    FROM walk w JOIN citations c ON c.id = w.citation_id
    JOIN checks k ON k.url_id = c.url_id AND k.kind = '{CheckKind.DRIFT.value}'
    JOIN urls u ON u.id = k.url_id
)
SELECT cl.article_id, s.claim_id, s.chain, s.step, s.step_kind, s.kind, s.detail, s.url, s.status,
       s.rule, s.confidence, s.citation_id, s.resolution_id, s.capture_id, s.snapshot_id
FROM steps s JOIN claims cl ON cl.id = s.claim_id
ORDER BY cl.article_id, s.claim_id, s.chain IS NOT NULL, s.chain, s.step
"""


STEP_TRACED = 970  # the page tracing found for this (vague) citation, when it verified the claim

# `chains` from migration 0007 on: 0006's, with a `traced` step after a vague citation: the candidate
# page that verified the claim (`kind` how it was found: cdx, sitemap, tweet; `status` the check's
# verdict; `rule` 'tracing'; `confidence` the check's score; `capture_id` the copy fetched from the archive).
_FOUND = ", ".join(f"'{v.value}'" for v in Verdict if v.is_found)
CHAINS_VIEW_TRACED = CHAINS_VIEW.replace("\n)\nSELECT cl.article_id", f"""
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_TRACED}, 'traced', k.source,
           'found by tracing (' || k.source || ', archived ' || coalesce(k.timestamp, '?') || ', rank ' || k.rank
               || ')' || coalesce(': ' || k.passage, ''),
           u.url, k.verdict, 'tracing', k.score, w.citation_id, NULL, k.capture_id, NULL
    FROM walk w JOIN candidates k ON k.citation_id = w.citation_id AND k.verdict IN ({_FOUND})
    JOIN urls u ON u.id = k.url_id
    WHERE k.rank = 1
)
SELECT cl.article_id""", 1)


STEP_TRACE_HOP = 980  # a page reached by tracing below the cited page (`trace_of`), by trace depth
MAX_TRACE_STEPS = STEP_DEPTH - STEP_TRACE_HOP - 1

# `chains` from migration 0008 on: 0007's, with a `trace` step per page reached by deep tracing below a
# cited (or traced) page that verified the claim (`kind` why its branch ends, or `followed`; `status`
# the check's verdict there; `rule` 'trace_of'; `detail` its depth, primary-source and copy marks), and a
# `depth` column: 0 for the claim and its article, the citation's level for its own steps, and for a
# trace step the pages between it and the article (1 is the cited page itself).
CHAINS_VIEW_DEPTH = CHAINS_VIEW_TRACED.replace("\n)\nSELECT cl.article_id", f"""
    UNION ALL
    SELECT w.claim_id, w.chain, w.depth * {STEP_DEPTH} + {STEP_TRACE_HOP} + min(t.depth, {MAX_TRACE_STEPS}),
           'trace', coalesce(t.stop, 'followed'),
           'depth ' || t.depth || CASE WHEN t.is_primary THEN ', primary source (' || t.stop || ')' ELSE '' END
               || coalesce(', copy of ' || cu.url, '') || coalesce(', ' || t.wire || ' wire', '')
               || coalesce(': ' || t.passage, ''),
           u.url, t.verdict, 'trace_of', t.score, w.citation_id, NULL, NULL, NULL
    FROM walk w JOIN trace_of t ON t.claim_id = w.claim_id AND t.citation_id = w.citation_id
    JOIN urls u ON u.id = t.url_id
    LEFT JOIN urls cu ON cu.id = t.copy_of_url_id
)
SELECT cl.article_id""", 1).replace(
    "s.capture_id, s.snapshot_id\nFROM steps s",
    f"""s.capture_id, s.snapshot_id,
       CASE WHEN s.step_kind IN ('claim', 'article') THEN 0
            WHEN s.step_kind = 'trace' THEN s.step % {STEP_DEPTH} - {STEP_TRACE_HOP}
            ELSE s.step / {STEP_DEPTH} END AS depth
FROM steps s""", 1)
