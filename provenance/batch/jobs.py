"""A batch job's identity and its items' owners: which SOURCEs make a job, who holds an item, who is gone.

The same SOURCEs make the same job wherever the run starts, so running the
command again resumes it. An item being worked on names its owner (host:pid);
an owner on this host whose process has gone held its items when it was killed,
so they are handed out again. Owners on other hosts are never judged from here.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket

from ..ingest import is_url
from ..models import Status


def job_key(sources: list[str]) -> str:
    """The same SOURCEs (as absolute paths, in order) make the same job, wherever the run starts."""
    norm = [s if s == "-" or is_url(s) else os.path.abspath(s) for s in sources]
    return hashlib.sha256(json.dumps(norm).encode()).hexdigest()[:16]


def owner() -> str:
    """This process, as items and runs name their owner."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_gone(who: str | None) -> bool:
    """Whether `who` (host:pid) is a process of this host that no longer exists."""
    if not who:
        return False
    host, _, pid = who.rpartition(":")
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def dead_owners(owners: list[str]) -> list[str]:
    """Owners (host:pid) on this host whose process has gone; other hosts' are left alone."""
    return [o for o in owners if is_gone(o)]


def is_network_failure(reason: str) -> bool:
    """A failure that was the network's, not the input's: an article URL that could not be fetched
    for want of an answer (timeout, connection error, deferred). A rerun tries it again by default."""
    prefix = "could not fetch the article ("
    if not reason.startswith(prefix):
        return False
    status = reason[len(prefix):].split(":", 1)[0]
    return status in NETWORK_FAILURES


# What a URL's fetch ends in when the network, not the page, failed.
NETWORK_FAILURES = frozenset(s.value for s in (Status.TIMEOUT, Status.ERROR, Status.DEFERRED))
