"""Tweet residue → status URL, against a loopback CDX + replay archive (127.0.0.1, allow_private)."""

from __future__ import annotations

from datetime import date

import pytest

from provenance.archive.wayback import RateGate, Wayback
from provenance.fetch import Fetcher
from provenance.settings import Settings
from provenance.trace import NO_STATUSES, find_residue, trace_tweet

from .cdx_server import Archive
from .conftest import EXAMPLES

SEED = (EXAMPLES / "macron-putin-call.txt").read_text(encoding="utf-8")
STATUS_PAGE = """<html><head><meta property="og:description" content="{text}"><title>{name} on X</title></head>
<body><article><p>{text}</p></article></body></html>"""


@pytest.fixture
def archive():
    a = Archive()
    yield a
    a.close()


def wayback(base: str) -> Wayback:
    fetcher = Fetcher(Settings(allow_private=True, retries=0, deadline=5.0, connect_timeout=2.0))
    return Wayback(fetcher, RateGate(0.0), base=base)


def test_the_residue_is_read_from_the_seed():
    r = find_residue(SEED)
    assert (r.name, r.handle, r.day) == ("UNITED24 Media", "United24media", date(2025, 7, 1))
    assert r.text.startswith("⚡️ Putin and Macron spoke by phone for the first time since 2022.")
    thread = find_residue("An article paragraph that runs on. " * 12 + "\nfirst line of the post\nsecond line\n"
                          "— Someone (@someone) March 3, 2020")
    assert thread.text == "first line of the post\nsecond line"
    assert find_residue("No tweet here — just a dash (and a parenthesis) July 1, 2025") is None


def test_the_united24_residue_is_found_as_its_status_url(archive):
    status = "https://twitter.com/United24media/status/1940000000000000001"
    archive.add(status, "20250701153000", STATUS_PAGE.format(
        name="UNITED24 Media", text="⚡️ Putin and Macron spoke by phone for the first time since 2022. "
                                   "https://t.co/Cnqgv5qgwV"))
    # the same account's other posts that day, and the next, and one under x.com
    archive.add("https://twitter.com/United24media/status/1940000000000000002", "20250701170000",
                STATUS_PAGE.format(name="UNITED24 Media", text="Ukraine's drones struck a depot overnight."))
    archive.add("https://x.com/United24media/status/1940000000000000003", "20250702090000",
                STATUS_PAGE.format(name="UNITED24 Media", text="Macron and Putin: what we know about the call."))
    archive.add("https://twitter.com/United24media/status/1930000000000000000", "20250601090000",
                STATUS_PAGE.format(name="UNITED24 Media", text="Putin and Macron spoke by phone, a month before."))
    trace = trace_tweet(wayback(archive.serve()), find_residue(SEED))
    assert trace.status == "traced"
    assert trace.traced.url == status and trace.traced.verdict in ("verbatim", "close")
    assert {c.url.rsplit("/", 1)[1] for c in trace.candidates} == {
        "1940000000000000001", "1940000000000000002", "1940000000000000003"}  # the month-old post is outside
    assert trace.cdx_calls == archive.cdx_calls == 2  # twitter.com and x.com


def test_a_residue_whose_status_was_never_archived_says_so(archive):
    archive.add("https://twitter.com/someone_else/status/1", "20250701120000", STATUS_PAGE.format(name="x", text="y"))
    trace = trace_tweet(wayback(archive.serve()), find_residue(SEED))
    assert trace.status == "vague" and trace.reason == NO_STATUSES
    assert trace.line() == f"stays vague: {NO_STATUSES}"
