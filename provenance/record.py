"""Record moved to `store.writes` (what is recorded) and `store.queries` (what is read back); this name
stays while callers move to `provenance.store`."""

from __future__ import annotations

from .store.queries import *  # noqa: F403
from .store.queries import __all__ as _queries
from .store.writes import *  # noqa: F403
from .store.writes import __all__ as _writes

__all__ = [*_queries, *_writes]
