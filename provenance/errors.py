"""The exception tree. Outcomes of fetching are data (`models.Status`), not exceptions;
these are for input and usage problems that stop a command.

    ProvenanceError
    ├── InputError        a source cannot be read (missing, empty, binary, bad URL)
    ├── DatabaseError     the database cannot be opened or is not ours
    └── NotFound          `show` was asked for an id that is not there
"""


class ProvenanceError(Exception):
    """Root of every error the library raises on purpose."""


class InputError(ProvenanceError):
    def __init__(self, source: str, why: str):
        super().__init__(f"{source}: {why}")
        self.source = source
        self.why = why


class DatabaseError(ProvenanceError):
    pass


class NotFound(ProvenanceError):
    pass
