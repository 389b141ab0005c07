"""The exception tree. Outcomes of fetching are data (`models.Status`), not exceptions;
these are for input and usage problems that stop a command.

    ProvenanceError
    ├── UsageError        a setting or argument no run can work with (`Settings(concurrency=0)`)
    ├── InputError        a source cannot be read (missing, empty, binary, bad URL)
    ├── DatabaseError     the database cannot be opened or is not ours
    ├── NotFound          `show` was asked for an id that is not there
    └── FetchError        one request got no usable answer (status + reason, recorded, never fatal)
"""

from __future__ import annotations

from .models import Status


class ProvenanceError(Exception):
    """Root of every error the library raises on purpose."""


class UsageError(ProvenanceError, ValueError):
    """A value that makes no sense (a limit below its least, an unknown choice): bad usage, exit 2."""


class InputError(ProvenanceError):
    def __init__(self, source: str, why: str) -> None:
        super().__init__(f"{source}: {why}")
        self.source = source
        self.why = why

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (InputError, (self.source, self.why))


class DatabaseError(ProvenanceError):
    pass


class NotFound(ProvenanceError):
    pass


class FetchError(ProvenanceError):
    """A request that got no usable answer. Carries the `Status` and `reason` the resolver records."""

    def __init__(self, url: str, status: Status, reason: str, detail: str = ""):
        super().__init__(f"{url}: {reason}{': ' + detail if detail else ''}")
        self.url = url
        self.status = Status(status)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickled with its own arguments (Exception's default passes only the message): a fetch's
        outcome crosses processes in the cluster batch."""
        return (FetchError, (self.url, self.status, self.reason, self.detail))
