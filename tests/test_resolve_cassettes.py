"""The resolver on real services' formats, replayed from hand-written cassettes (cassettes/README.md).

vcrpy in record_mode "none": nothing reaches the network. DNS neither: the address guard gets
a stub lookup answering public addresses, and `loopback_only` fails the test on any real
connect or lookup.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import vcr

from provenance.fetch import Fetcher, build_session
from provenance.models import Status
from provenance.resolve import Resolver
from provenance.settings import Settings
from tests.faultserver import guard_loopback

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PUBLIC = {"t.co": "104.244.42.69", "bit.ly": "67.199.248.10", "www.france24.com": "23.52.40.73",
          "www.example-news.com": "93.184.215.14", "www.yournews.com": "104.21.32.1"}


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


def _is_browser(r) -> bool:
    return "Mozilla/" in (r.headers.get("User-Agent") or "")


def _agent(r1, r2):
    assert _is_browser(r1) == _is_browser(r2)


replay = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode="none",
                 match_on=["method", "scheme", "host", "port", "path", "query", "agent"])
replay.register_matcher("agent", lambda r1, r2: _agent(r1, r2) if "t.co" in (r1.host, r2.host) else None)


@pytest.fixture
def lookups():
    return []


@pytest.fixture
def resolver(loopback_only, lookups):
    made = []

    def make(**overrides):
        s = Settings(**{"robots": "ignore", "retries": 0, **overrides})

        def lookup(host, port):
            lookups.append(host)
            return [(socket.AF_INET, PUBLIC[host])]

        # urllib3's own pools, which vcrpy replaces; the Fetcher's guard still checks every host
        r = Resolver(s, fetcher=Fetcher(s, session=build_session(s), lookup=lookup))
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def test_tco_to_a_non_browser_agent_is_a_301_chain(resolver, lookups):
    with replay.use_cassette("tco.yaml", allow_playback_repeats=True):
        res = resolver().resolve("https://t.co/Cnqgv5qgwV")
    assert res.status is Status.ALIVE, res
    assert res.final_url == "https://www.france24.com/en/europe/20250701-macron-putin-phone-call-ukraine-iran"
    assert [(h.url, h.http_status, h.via) for h in res.hops] == [
        ("https://t.co/Cnqgv5qgwV", 301, "http"), ("https://bit.ly/4lC9xQe", 301, "http")]
    assert set(lookups) == {"t.co", "bit.ly", "www.france24.com"}  # the guard saw every hop's host


def test_tco_to_a_browser_is_a_meta_refresh_page(resolver):
    with replay.use_cassette("tco.yaml", allow_playback_repeats=True):
        res = resolver(user_agent=BROWSER).resolve("https://t.co/Cnqgv5qgwV")
    assert res.status is Status.ALIVE
    assert res.hops[0].via == "meta-refresh" and res.hops[0].http_status == 200
    assert res.hops[0].location == "https://bit.ly/4lC9xQe"
    assert res.final_url.endswith("20250701-macron-putin-phone-call-ukraine-iran")


def test_bitly_chain_through_an_https_upgrade(resolver):
    with replay.use_cassette("bitly-chain.yaml") as cass:
        res = resolver().resolve("https://bit.ly/3Ng7hYs")
        assert cass.play_count == 3
    assert res.status is Status.ALIVE and len(res.hops) == 2
    assert res.final_url == "https://www.france24.com/en/europe/20250701-france-russia-talks?utm_source=twitter"
    assert [ex.http_status for ex in res.exchanges] == [301, 301, 200]


def test_dead_page(resolver):
    with replay.use_cassette("dead-page.yaml"):
        res = resolver(retries=2).resolve("https://www.example-news.com/world/2019/03/12/removed-story.html")
    assert (res.status, res.reason, res.http_status) == (Status.DEAD, "http_404", 404)


def test_outlet_front_page_is_a_soft_404(resolver):
    with replay.use_cassette("front-page.yaml"):
        res = resolver().resolve("https://www.yournews.com/2025/07/01/macron-putin-call-ukraine/")
    assert (res.status, res.reason) == (Status.SOFT404, "redirect_to_home")
    assert res.final_url == "https://www.yournews.com/"


def test_a_request_outside_the_cassette_is_not_sent(resolver):
    with replay.use_cassette("dead-page.yaml"):
        res = resolver().resolve("https://www.yournews.com/elsewhere")
    assert res.status is Status.ERROR  # vcrpy refused it; no connection was made
