"""What the batch's threads tell the writer, as typed events (the writer dispatches them with `match`).

Every event crosses threads through one queue; nothing in them is shared state.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from ..models import Resolution


@dataclass(frozen=True, slots=True)
class Taken:
    """The reader handed an item on. The sender first takes a slot of `Writer.window`, which the
    writer gives back once the item is done or failed: at most `window` items are in flight."""

    key: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item already done, failed, or being done by another process."""

    key: str


@dataclass(frozen=True, slots=True)
class Failed:
    """An item that cannot be audited, with the reason; `holds_slot` when it had been taken."""

    key: str
    reason: str
    holds_slot: bool


@dataclass(frozen=True, slots=True)
class Fetched:
    """An article read from a URL: the resolution that fetched it is its own evidence."""

    key: str
    page: Resolution


@dataclass(frozen=True, slots=True)
class Extracted:
    """An item's extraction settled (its outcome, or a worker's death, is in the future)."""

    key: str
    future: Future


@dataclass(frozen=True, slots=True)
class Resolved:
    """One URL's answer from the resolver."""

    resolution: Resolution


@dataclass(frozen=True, slots=True)
class Snapshotted:
    """Every snapshot look-up of an item's URLs is recorded."""

    key: str


@dataclass(frozen=True, slots=True)
class Counted:
    """The sources were counted ahead of the reading: `total` items are to do in this run."""

    total: int


@dataclass(frozen=True, slots=True)
class ReadingDone:
    """The reader is done; `seen` holds every key when each source was read to its end (else None)."""

    seen: frozenset[str] | None


Event = Taken | Skipped | Failed | Fetched | Extracted | Resolved | Snapshotted | Counted | ReadingDone
