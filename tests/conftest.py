"""Shared fixtures. No test touches the network: a guard fails any connection outside 127.0.0.1."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "macron-putin-call.txt"


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
def db_path(tmp_path) -> Path:
    return tmp_path / "provenance.db"
