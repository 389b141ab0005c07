"""Shared fixtures. No test touches the network: a guard fails any connection outside 127.0.0.1.

Where a test needs a tool or data set that is not on the machine (Chromium, the evaluation corpus,
ruff), it is skipped on a workstation, but fails where the `CI` environment variable is set: a gate
that cannot run must not pass silently. `@pytest.mark.slow` marks tests that start processes or a
browser; `pytest -m "not slow"` is the fast lane.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "macron-putin-call.txt"


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def missing(reason: str) -> None:
    """Inside a test: skip for want of `reason`'s tool or data — or fail, where CI is set."""
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so a gate that cannot run fails instead of skipping", pytrace=False)
    pytest.skip(reason)


def needs(present: bool, reason: str) -> pytest.MarkDecorator:
    """A mark for tests that need a tool or data set: skipped when absent — failed where CI is set."""
    if present:
        return pytest.mark.needs(reason=None)
    return pytest.mark.needs(reason=reason) if in_ci() else pytest.mark.skip(reason=reason)


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs"):
        if mark.kwargs.get("reason"):
            missing(mark.kwargs["reason"])


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Any connect to an address other than loopback fails the test instead of leaving the machine."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")) \
                and self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"test tried to connect to {address!r}: tests may only reach 127.0.0.1")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture
def quick_backoff(monkeypatch):
    """Retries come 10 ms apart instead of a jittered 0.25-0.75 s: for tests that count retries, not the wait.

    The retry is still scheduled as a delayed task, as every backoff is."""
    from provenance import fetch_once, politeness

    monkeypatch.setattr(politeness, "backoff", lambda attempt: 0.01)
    monkeypatch.setattr(fetch_once, "backoff", lambda attempt: 0.01)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "provenance.db"
