"""The total deadline of one fetch, held on the socket.

A watchdog thread shuts a fetch's socket down when its deadline passes, which unblocks any read
(headers dripped a byte at a time included); a check between chunks could not, since one read may
block for the whole read timeout. The fetch in progress on a thread is found through
`current_attempt`, so that the connection classes dial under its deadline.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time


class Attempt:
    """The state of one fetch, shared by the thread that runs it and the watchdog."""

    __slots__ = ("deadline", "connect_timeout", "host", "port", "addrs", "sock", "peer_ip", "expired", "done",
                 "lock")

    def __init__(self, deadline: float, connect_timeout: float, host: str, port: int,
                 addrs: list[tuple[int, str]]):
        self.deadline = deadline
        self.connect_timeout = connect_timeout
        self.host = host
        self.port = port
        self.addrs = addrs  # what the guard checked for this fetch: the only addresses dialled
        self.sock: socket.socket | None = None
        self.peer_ip: str | None = None
        self.expired = False
        self.done = False
        self.lock = threading.Lock()

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self.lock:
            self.sock = sock
            if self.expired and not self.done:
                _shutdown(sock)

    def expire(self) -> None:
        with self.lock:
            if self.done:
                return
            self.expired = True
            if self.sock is not None:
                _shutdown(self.sock)

    def finish(self) -> None:
        with self.lock:
            self.done = True

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def _shutdown(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for an SSLSocket: it unblocks a reader in another
    # thread without tearing down the SSL object under it.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


_local = threading.local()


def current_attempt() -> Attempt | None:
    """The fetch this thread is running, if any."""
    return getattr(_local, "attempt", None)


def set_current_attempt(attempt: Attempt | None) -> None:
    _local.attempt = attempt


class Watchdog:
    """One thread that expires fetches whose deadline has passed (a heap of deadlines)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Attempt]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def arm(self, attempt: Attempt) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="provenance-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (attempt.deadline, next(self._seq), attempt))
            if self._heap[0][2] is attempt:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                while self._heap and (self._heap[0][0] <= now or self._heap[0][2].done):
                    _, _, attempt = heapq.heappop(self._heap)
                    attempt.expire()
                self._cond.wait(self._heap[0][0] - now if self._heap else None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
