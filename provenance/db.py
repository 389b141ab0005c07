"""The schema moved to `store.schema`; this name stays while callers move to `provenance.store`."""

from __future__ import annotations

from .store.schema import *  # noqa: F403
from .store.schema import CHAINS_VIEW, LATEST_RESOLUTIONS_VIEW, connect, migrate, migrations, schema_version

__all__ = ["CHAINS_VIEW", "LATEST_RESOLUTIONS_VIEW", "connect", "migrate", "migrations", "schema_version"]
