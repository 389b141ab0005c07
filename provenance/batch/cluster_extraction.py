"""Extraction on a Dask cluster's workers, behind the extraction pool's interface (`submit`, `settle`,
`shutdown`), with a bound on every wait.

The local pool's crash policy holds here by Dask's own: a task whose worker dies runs again
elsewhere, and one whose workers died `distributed.scheduler.allowed-failures` times is failed.
What Dask does not bound is a task that never returns, or a finished task whose result does not
come back (a batch under heavy load once waited 18 minutes for one). So an extraction not done by
the batch's item deadline is cancelled and its worker restarted, and a result is fetched within
`quick_wait` or its document sent again; either way the article ends failed with the reason or
extracted, never lost and never waited on for ever. The writer fetches each result as the local
pool's writer does (`settle`), not Dask's one callback thread: a result being computed again after
its worker died would hold every other callback behind it, and the results waiting on the workers
were lost with the next worker to die.
"""

from __future__ import annotations

import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dask
from distributed import Client

from ..settings import Settings
from .extraction import Outcome, extract_document

# How often the extractions in flight are looked at for their deadlines (seconds).
DEADLINE_CHECK = 1.0
# The least time a call that does no network work of its own may take (making an owner, sealing its file,
# fetching a finished extraction's result): on a loaded machine a worker may take a while to answer.
QUICK_WAIT = 60.0
# How many times an extraction is sent again when its result, its task finished, does not come back.
RESULT_TRIES = 3


def quick_wait(settings: Settings) -> float:
    """The bound on a call that does no network work of its own: `QUICK_WAIT`, or one fetch's `--deadline`
    when that is longer (a worker busy fetching answers no faster than it fetches)."""
    return max(QUICK_WAIT, settings.deadline)


@dataclass(eq=False)
class _Sent:
    """One extraction in flight: its document, whom to tell, how many times it was sent before, its future,
    when it is late, and whether it was stopped as late."""

    doc: Any
    done: Callable
    tries: int
    future: Any
    due: float
    late: bool = False


class ClusterExtraction:
    """The extraction pool's interface on the cluster's workers: an extraction not done within `wait`
    seconds is cancelled and its worker restarted, a result is fetched within `fetch_wait` seconds."""

    def __init__(self, client: Client, workers: int, wait: float, fetch_wait: float):
        self.client, self.wait, self.fetch_wait = client, wait, fetch_wait
        self._room = threading.BoundedSemaphore(4 * max(1, workers))  # raw pages in flight, as locally
        self._stopping = False
        self._lock = threading.Lock()
        self._sent: dict[str, _Sent] = {}  # by Dask key: each extraction in flight
        self._watcher: threading.Thread | None = None
        self._closed = threading.Event()

    def submit(self, doc, done: Callable) -> None:
        self._room.acquire()
        if self._stopping:
            self._room.release()
            return
        self._send(doc, done, 0)

    def _send(self, doc, done: Callable, tries: int) -> None:
        future = self.client.submit(extract_document, doc, pure=False, key=f"extract-{zlib.crc32(doc.key.encode())}"
                                    f"-{uuid.uuid4().hex}")
        with self._lock:
            self._sent[str(future.key)] = _Sent(doc, done, tries, future, time.monotonic() + self.wait)
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="extraction-deadlines", daemon=True)
                self._watcher.start()
        future.add_done_callback(lambda f, key=doc.key: done(key, f))

    def _watch(self) -> None:
        """Cancel the extractions past their deadline, and restart the workers they were running on."""
        while not self._closed.wait(DEADLINE_CHECK):
            now = time.monotonic()
            with self._lock:
                late = {key: sent.future for key, sent in self._sent.items() if not sent.late and sent.due <= now}
                for key in late:
                    self._sent[key].late = True
            if late:
                self._stop(late)

    def _stop(self, late: dict[str, Any]) -> None:
        """Each call to the scheduler within `fetch_wait`: this thread watches every other extraction's deadline."""
        client, bound = self.client, self.fetch_wait
        try:
            assert client.scheduler is not None  # a client that is connected has its scheduler
            processing = client.sync(client.scheduler.processing, workers=None, callback_timeout=bound)
            running = [addr for addr, keys in processing.items() if late.keys() & set(keys)]
        except Exception:  # the scheduler did not say: cancelled all the same, their workers left as they are
            running = []
        try:  # before the restart, or Dask would run them again elsewhere
            client.sync(client._cancel, list(late.values()), callback_timeout=bound)
        except Exception:  # noqa: BLE001 - not cancelled in time: the restart below still frees their threads
            pass
        if running:
            try:
                self.client.restart_workers(running, timeout=self.fetch_wait, raise_for_error=False)
            except Exception:  # noqa: BLE001 - a worker without a nanny cannot be restarted: it keeps its thread
                pass

    def settle(self, key: str, future) -> Outcome | None:
        """The outcome of `key`'s extraction, on the writer's thread once its task is done; None when its
        result did not come back and the document was sent again (`done` is called again)."""
        with self._lock:
            sent = self._sent.pop(str(future.key))
        doc, done, tries = sent.doc, sent.done, sent.tries
        if sent.late:
            out: Outcome = f"extraction not done within {self.wait:g} s: stopped, and its worker restarted"
        else:
            try:
                out = future.result(timeout=self.fetch_wait)
            except TimeoutError:  # done, but its result does not come: ask again, a bounded number of times
                if tries + 1 < RESULT_TRIES and not self._stopping:
                    future.release()
                    self._send(doc, done, tries + 1)
                    return None
                out = f"the extraction's result did not come back within {self.fetch_wait:g} s, {RESULT_TRIES} times"
            except Exception as e:
                name = type(e).__name__
                deaths = dask.config.get("distributed.scheduler.allowed-failures", 3) + 1
                out = (f"the extraction worker died {deaths} times while it had this article"
                       if name == "KilledWorker" else f"extraction failed ({name}: {str(e)[:200]})")
        future.release()
        self._room.release()
        return out

    def shutdown(self) -> None:
        self._stopping = True
        self._closed.set()
