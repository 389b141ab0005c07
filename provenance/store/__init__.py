"""The store: every SQL statement of the project.

    queue.py   the batch work queue (`batch_jobs`, `batch_items`) and what a batch reads back
"""
