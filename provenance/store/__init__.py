"""The store: every SQL statement of the project. Nothing outside this package writes a query.

    schema.py      `connect` opens a database and migrates it; `schema_version` says how far it is
    migrations.py  every table and index, as named migrations (`migrations.migrations`)
    views.py       the views' SQL (`latest_resolutions`, `chains`) and the chain step offsets
    writes.py      what the pipeline records (articles, claims, citations, resolutions, captures, runs)
    queries.py     what is read back: for grading, archiving, reports and exports
    queue.py       the batch work queue (`batch_jobs`, `batch_items`) and what a batch reads back
    memo.py        a run's memos on disk (what each URL gave, URLs seen), in private temporary databases

"What is known of a URL" has one definition, the `latest_resolutions` view: the latest
definitive resolution (alive, dead, soft-404), else the latest attempt.
"""

from __future__ import annotations

from .schema import connect, migrate, schema_version
from .writes import Transaction

__all__ = ["Transaction", "connect", "migrate", "schema_version"]
