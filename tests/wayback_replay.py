"""Replaying the Wayback Machine from hand-written cassettes (cassettes/wayback)."""

from __future__ import annotations

import inspect
import socket

import requests
import vcr

from provenance.fetch import Fetcher
from provenance.settings import Settings

from .conftest import ROOT

CASSETTES = ROOT / "cassettes" / "wayback"
replay = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode="none")
# web.archive.org's public address, for a fetcher that checks the address of every name it dials.
ARCHIVE_ORG = (socket.AF_INET, "207.241.224.2")


def replay_fetcher(settings: Settings | None = None) -> Fetcher:
    """A Fetcher whose requests vcrpy can replay.

    A plain session, because vcrpy patches urllib3's stock connections and a fetcher that dials
    checked addresses itself would slip under the patch; and, where the Fetcher looks names up
    for its address guard, a stub resolver, so that no DNS query leaves the machine either.
    """
    kwargs: dict = {"session": requests.Session()}
    if "lookup" in inspect.signature(Fetcher).parameters:
        kwargs["lookup"] = lambda host, port: [ARCHIVE_ORG]
    return Fetcher(settings or Settings(), **kwargs)
