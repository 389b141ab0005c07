"""`run_batch`: the library entry point behind `provenance batch`, which picks the driver.

This process's batch (driver.py) or the Dask cluster's (cluster.py, which builds on it). The
choice is made here, above both, so the local driver never imports the cluster's, nor Dask.
"""

from __future__ import annotations

from ..errors import stop_when_disk_full
from ..settings import Settings
from .driver import Batch
from .progress import Summary


def run_batch(settings: Settings, sources_, *, cluster: str | None = None, **kwargs) -> Summary:
    """Run a batch over `sources_`. A full disk stops it (`DiskFull`) with every item not finished
    left to do: the same command resumes it.

    `cluster` ("local", or a Dask scheduler's address) runs extraction and resolution on a Dask cluster."""
    with stop_when_disk_full(f"could not write the database {settings.db}"):
        if cluster:
            from .cluster import ClusterBatch  # Dask is an optional extra: imported only when asked for

            return ClusterBatch(settings, list(sources_), cluster=cluster, **kwargs).run()
        return Batch(settings, list(sources_), **kwargs).run()
