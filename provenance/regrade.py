"""Grade recorded claims again when what is known of their URLs changed.

A later `resolve` or `archive` run may find a page alive, dead or saved: every claim of every
article citing one of those URLs is graded again from what the database now knows. Storage reads
the claims (and their check verdicts) and writes the grades; the grading itself is
`claims.grade_all`, so the store never runs domain rules.
"""

from __future__ import annotations

import sqlite_utils

from .claims import grade_all
from .store import queries, trace_queries, writes


def regrade(db: sqlite_utils.Database, urls: list[str]) -> int:
    """Grade again the claims of every article citing one of `urls`; returns how many changed."""
    return regrade_articles(db, queries.articles_citing(db, list(dict.fromkeys(urls))))


def regrade_articles(db: sqlite_utils.Database, article_ids: list[int]) -> int:
    """Grade again every claim of these articles, with their check verdicts; returns how many changed."""
    changed = 0
    for article_id in article_ids:
        citations, claims = queries.article_claims(db, article_id)
        before = {cid: c.status for cid, c in claims.items()}
        grade_all(list(claims.values()), citations,
                  queries.url_states(db, [c.url for c in citations.values() if c.url]),
                  queries.check_verdicts(db, article_id), trace_queries.traced_citations(db, article_id))
        updates = [(c.status, cid) for cid, c in claims.items() if c.status != before[cid]]
        writes.set_claim_statuses(db, updates)
        changed += len(updates)
    return changed
