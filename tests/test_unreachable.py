"""What a run records when a host, or the whole network, cannot be reached.

- A verdict never depends on DNS timing: `skipped`/`robots` only when a robots.txt was read and
  disallows; a host that gives no answer at all gets the network's status and reason.
- No network is known early: once the DNS canary resolves nothing, the rest of the run fails at once
  (`no_network`), without a lookup or a connection, and the resolver says so (`network_missing`).
- A name that does not resolve is failed once, remembered for the run, never retried, and spends
  no per-host interval.

Servers run on 127.0.0.1 (`allow_private` where one is dialled); every name is answered by a stub
lookup at the address guard's DNS seam, so no real DNS query is made (`loopback_only` fails on one).
"""

from __future__ import annotations

import socket
import threading
from collections import Counter

import pytest

from provenance.errors import FetchError
from provenance.fetch import Fetcher
from provenance.models import Status
from provenance.netguard import CANARY_NAMES, NETWORK_MISSING
from provenance.politeness import NoRequest, Scheduler
from provenance.resolve import Resolver
from provenance.settings import Settings
from tests.faultserver import FaultServer, guard_loopback

V4 = socket.AF_INET


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


def dns(table: dict[str, str], calls: list[str], errno: int = socket.EAI_NONAME):
    """A stub resolver: names in `table` resolve, every other name fails with `errno`."""
    def lookup(host, port):
        calls.append(host)
        if host in table:
            return [(V4, table[host])]
        raise socket.gaierror(errno, "stub: no answer")
    return lookup


WORKING_CANARY = {name: "93.184.215.14" for name in CANARY_NAMES}


def run(urls, lookup, **settings):
    r = Resolver(Settings(**{"retries": 0, "connect_timeout": 0.5, "deadline": 2, **settings}), lookup=lookup)
    try:
        return r.resolve_many(urls), r
    finally:
        r.close()


def run_bounded(urls, lookup, **settings):
    """`run` on a thread, given 60 s: a run that spends a long interval per URL never returns in time."""
    box = {}
    t = threading.Thread(target=lambda: box.update(out=run(urls, lookup, **settings)), daemon=True)
    t.start()
    t.join(60)
    assert "out" in box, "the run is waiting out per-host intervals on names that never resolved"
    return box["out"]


@pytest.mark.parametrize("errno", [socket.EAI_AGAIN, socket.EAI_NONAME])
def test_no_network_is_said_as_such_never_as_robots(loopback_only, errno):
    calls: list[str] = []
    urls = [f"https://site{h}.example/story/{i}" for h in range(10) for i in range(4)]
    results, r = run(urls, dns({}, calls, errno), robots="obey", retries=2)
    assert {x.status for x in results} == {Status.ERROR}
    assert {x.reason for x in results} <= NETWORK_MISSING
    assert r.network_missing and r.requests_made == 0
    names = Counter(c for c in calls if c not in CANARY_NAMES)
    assert max(names.values()) == 1, "a name is looked up once per run, never retried"
    assert calls.count(CANARY_NAMES[0]) == 1


def test_once_the_network_is_known_missing_nothing_more_is_looked_up(loopback_only):
    calls: list[str] = []
    f = Fetcher(Settings(retries=0), lookup=dns({}, calls))
    try:
        with pytest.raises(FetchError) as first:
            f.fetch("https://a.example/1")
        assert (first.value.status, first.value.reason) == (Status.ERROR, "dns_unavailable")
        assert f.network_missing
        calls.clear()
        with pytest.raises(FetchError) as later:
            f.fetch("https://b.example/2")
        assert (later.value.status, later.value.reason) == (Status.ERROR, "no_network")
        assert calls == []
    finally:
        f.close()


def test_a_literal_address_is_still_dialled_when_names_do_not_resolve(loopback_only):
    with FaultServer() as srv:
        calls: list[str] = []
        f = Fetcher(Settings(allow_private=True), lookup=dns({}, calls))
        try:
            with pytest.raises(FetchError):
                f.fetch("https://a.example/1")
            assert f.network_missing
            assert f.fetch(srv.url("/ok")).http_status == 200
        finally:
            f.close()


def test_a_lookup_that_hangs_everywhere_is_no_network_not_robots(loopback_only):
    release = threading.Event()

    def stuck(host, port):
        release.wait(20)
        raise socket.gaierror(socket.EAI_AGAIN, "stub: no answer")

    try:
        results, r = run([f"https://site{h}.example/{i}" for h in range(3) for i in range(3)], stuck,
                         robots="obey", connect_timeout=0.1)  # every lookup hangs, the canary's too
    finally:
        release.set()
    assert {(x.status, x.reason) for x in results} <= {(Status.ERROR, reason) for reason in NETWORK_MISSING}
    assert r.network_missing


def test_a_host_that_refuses_connections_gets_that_reason_not_robots(loopback_only):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    results, r = run([f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"], dns({}, []),
                     robots="obey", allow_private=True)
    assert [(x.status, x.reason) for x in results] == [(Status.ERROR, "connection_refused")] * 2
    assert r.requests_made == 0, "robots.txt unreachable means disallow (RFC 9309): the pages are not requested"
    assert not r.network_missing


def test_a_robots_txt_that_never_answers_is_a_timeout_and_the_page_is_not_requested(loopback_only):
    with FaultServer(robots="silence") as srv:
        [res], r = run([srv.url("/ok")], dns({}, []), robots="obey", allow_private=True, read_timeout=0.15)
        assert res.status is Status.TIMEOUT and res.reason in ("read_timeout", "deadline")
        assert srv.hits("/ok") == 0 and srv.hits("/robots.txt") == 1


def test_a_robots_txt_that_never_answers_is_retried_as_a_page_would_be(loopback_only, quick_backoff):
    with FaultServer(robots="silence") as srv:
        [res], _ = run([srv.url("/ok")], dns({}, []), robots="obey", allow_private=True, read_timeout=0.15,
                       retries=1)
        assert res.status is Status.TIMEOUT
        assert srv.hits("/robots.txt") == 2 and srv.hits("/ok") == 0


@pytest.mark.parametrize("robots", ["obey", "ignore"])
def test_names_that_do_not_resolve_are_failed_once_and_spend_no_interval(loopback_only, robots):
    """30 URLs on three dead names, an interval of 30 s per host and two retries: each name is looked
    up once and every URL is `dead`/`nxdomain` at once (30 s per URL would not end within the bound)."""
    calls: list[str] = []
    urls = [f"https://gone{h}.example/story/{i}" for h in range(3) for i in range(10)]
    results, r = run_bounded(urls, dns(WORKING_CANARY, calls), robots=robots, min_interval=30, retries=2)
    assert {(x.status, x.reason) for x in results} == {(Status.DEAD, "nxdomain")}
    assert Counter(c for c in calls if c not in CANARY_NAMES) == {f"gone{h}.example": 1 for h in range(3)}
    assert not r.network_missing and r.requests_made == 0


def test_a_temporary_dns_failure_of_one_name_is_not_retried_or_spaced(loopback_only):
    calls: list[str] = []
    urls = [f"https://flaky.example/story/{i}" for i in range(10)]
    results, r = run_bounded(urls, dns(WORKING_CANARY, calls, socket.EAI_AGAIN), robots="ignore",
                             min_interval=30, retries=2)
    assert {(x.status, x.reason) for x in results} == {(Status.ERROR, "dns_error")}
    assert calls.count("flaky.example") == 1
    assert not r.network_missing


def test_a_task_that_sent_nothing_gives_its_interval_back():
    """Five tasks on one origin an hour apart: those that return NoRequest do not wait for one another."""
    done = threading.Event()
    ran: list[int] = []

    def task(i):
        ran.append(i)
        if len(ran) == 5:
            done.set()
        return NoRequest()

    s = Scheduler(2, lambda origin: (1, 3600.0))
    try:
        for i in range(5):
            s.submit(("https", "gone.example", 443), lambda i=i: task(i))
        assert done.wait(30), ran
    finally:
        s.close()
    assert sorted(ran) == list(range(5))


def test_many_names_that_hang_do_not_make_a_working_network_look_missing(loopback_only):
    """More hanging names than lookup threads: the canary still gets its answer, so each is `dns_timeout`."""
    release = threading.Event()

    def slow_names(host, port):
        if host in WORKING_CANARY:
            return [(V4, WORKING_CANARY[host])]
        release.wait(20)
        raise socket.gaierror(socket.EAI_AGAIN, "stub: no answer")

    try:
        results, r = run([f"https://slow{h}.example/" for h in range(12)], slow_names, robots="ignore",
                         concurrency=16, connect_timeout=0.3)
    finally:
        release.set()
    assert {(x.status, x.reason) for x in results} == {(Status.TIMEOUT, "dns_timeout")}
    assert not r.network_missing
