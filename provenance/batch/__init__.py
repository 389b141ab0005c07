"""Many articles in one run: a pipeline that overlaps reading, extraction and resolution, and resumes.

    sources ──▶ extract (processes) ──▶ record article, claim ──▶ its new URLs ──▶ resolver (waves)
    (stream,                            (the writer thread)                            │
     skips done)                              ▲                                        ▼
                                              └── grade, item done ◀── record, capture into WARC

    launch.py      run_batch: picks this process's batch or the cluster's
    driver.py      this process's batch: reads the sources, fetches articles, runs the writer
    cluster.py     the same batch on a Dask cluster (an optional extra), built on driver.py
    owners.py      the cluster's origin owners: one worker's resolver and WARC files per origin
    cluster_extraction.py  extraction on the cluster's workers, every wait on them bounded
    writer.py      the writer loop: typed events in, every database write of the run
    events.py      the events the other threads send the writer
    extraction.py  the extraction process pool and its crash policy
    feeds.py       URLs to the resolver in waves, Wayback look-ups, article fetches (threads)
    jobs.py        a job's key, an item's owner, whether an owner is still alive
    progress.py    Progress as the run goes, Summary at its end
    heap.py        glibc's allocator set so a long run's resident memory stays flat

Which thread owns what:

| thread                | owns                                        | talks to the writer by |
| --------------------- | ------------------------------------------- | ---------------------- |
| writer (`Batch.run`)  | the run's database connection, every write, | —                      |
|                       | the WARC files, the items' state            |                        |
| read-sources          | a read-only connection; reading the inputs  | Taken, Skipped, Failed |
| fetch-article-N       | fetching articles given as URLs             | Fetched, Failed        |
| extraction processes  | decoding and extraction (no database)       | Extracted              |
| resolve-wave-N        | one `resolve_many` call each                | Resolved               |
| wayback               | its own connection; snapshot look-ups,      | Snapshotted            |
|                       | waiting on the run's Wayback gate           |                        |

Why it is shaped like this:

- Each distinct URL is resolved once per run, whichever articles cite it, and not again within
  the freshness window across runs (a recent conclusive answer comes from the database).
  URLs go to the resolver as soon as their article is extracted, so resolution of early
  articles overlaps extraction of later ones; an article waits only for its own URLs.
- Extraction is CPU-bound: it runs in worker processes. Resolution waits on the network: the
  resolver schedules it (limits, robots, one fetch per target), fed in waves that run side by side.
- The work queue lives in the database (`batch_items`, through `store.queue`): a run killed at
  any moment and started again with the same SOURCEs takes up the items that were not done, and
  those that failed for the network's sake (all failed ones with `retry_failed`); natural keys
  make redoing a half-finished item harmless. At most `window` articles are in flight, and the
  run's per-URL memos (what each request target gave, which URLs are queued or answered) live in
  private temporary SQLite files (`store.memo`), so memory does not grow with the size of the
  archive; no article is in flight longer than its deadline.
- Bad inputs are items that failed, with a reason; they never stop the run.
- Several batches may share one database: each process writes through its own writer, and SQLite
  queues their transactions.

The library never prints: progress goes to an `on_progress` callback, which the CLI draws.
"""

from __future__ import annotations

from .driver import ITEM_DEADLINE, Batch
from .extraction import ExtractionPool, extract_document
from .jobs import job_key
from .launch import run_batch
from .progress import Progress, Summary

__all__ = ["ITEM_DEADLINE", "Batch", "ExtractionPool", "Progress", "Summary", "extract_document", "job_key",
           "run_batch"]
