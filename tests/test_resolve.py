"""Resolving against the loopback fault server (127.0.0.1, so `allow_private=True` throughout).

Request counts are read from the server's own log, so "fetched once" means what the
server saw. No timed asserts except lower bounds the client cannot undercut by being slow.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.models import Resolution, Status
from provenance.politeness import limits_for, origin_of, retry_after_seconds
from provenance.quirks import strip_credentials
from provenance.resolve import Resolver
from provenance.settings import Settings
from provenance.store import schema as database
from tests.faultserver import FaultServer, guard_loopback

FAST = dict(allow_private=True, retries=0, deadline=2, read_timeout=1.5, connect_timeout=1,
            per_host=8, min_interval=0, robots="ignore")


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


def resolve_all(urls, **overrides) -> tuple[list[Resolution], Resolver]:
    r = Resolver(Settings(**{**FAST, **overrides}))
    try:
        return r.resolve_many(urls), r
    finally:
        r.close()


@pytest.fixture
def srv(loopback_only):
    with FaultServer() as s:
        yield s


def test_alive_page(srv):
    [res], _ = resolve_all([srv.url("/ok")])
    assert (res.status, res.reason, res.http_status) == (Status.ALIVE, None, 200)
    assert res.final_url == srv.url("/ok") and res.hops == []
    assert len(res.exchanges) == 1 and res.exchanges[0].http_status == 200


def test_every_hop_is_recorded_with_its_exchange(srv):
    [res], _ = resolve_all([srv.url("/hops/3")])
    assert res.status is Status.ALIVE and res.final_url == srv.url("/hops/0")
    assert [(h.url, h.http_status, h.location, h.via) for h in res.hops] == [
        (srv.url(f"/hops/{n}"), 302, srv.url(f"/hops/{n - 1}"), "http") for n in (3, 2, 1)]
    assert [ex.http_status for ex in res.exchanges] == [302, 302, 302, 200]


def test_meta_refresh_outside_head_and_script_redirect(srv):
    meta, js = resolve_all([srv.url("/meta"), srv.url("/js")])[0]
    assert meta.final_url == js.final_url == srv.url("/final")
    assert [h.via for h in meta.hops] == ["meta-refresh"]
    assert [h.via for h in js.hops] == ["js"]


def test_a_loop_stops_at_the_first_revisit(srv):
    [res], _ = resolve_all([srv.url("/loop/a")])
    assert (res.status, res.reason) == (Status.ERROR, "redirect_loop")
    assert srv.hits("/loop/a") == 1 and srv.hits("/loop/b") == 1


def test_too_many_hops(srv):
    [bad], _ = resolve_all([srv.url("/hops/5")], max_hops=4)
    assert (bad.status, bad.reason) == (Status.ERROR, "too_many_redirects")
    assert len(bad.hops) == 5 and srv.hits("/hops/0") == 0
    [ok], _ = resolve_all([srv.url("/hops/4")], max_hops=4)
    assert ok.status is Status.ALIVE and len(ok.hops) == 4


def test_a_redirect_to_another_scheme_is_refused(srv):
    [res], _ = resolve_all([srv.url("/to-file")])
    assert (res.status, res.reason) == (Status.REFUSED, "scheme_not_allowed")
    assert res.final_url == "file:///etc/passwd"


def test_a_malformed_location_is_an_error(srv):
    [res], _ = resolve_all([srv.url("/bad-location")])
    assert (res.status, res.reason, res.http_status) == (Status.ERROR, "bad_location", 302)


def test_dead_and_not_retried(srv):
    [res], _ = resolve_all([srv.url("/404")], retries=2)
    assert (res.status, res.reason, res.http_status) == (Status.DEAD, "http_404", 404)
    assert srv.hits("/404") == 1


def test_5xx_is_retried_then_dead(srv, quick_backoff):
    [res], _ = resolve_all([srv.url("/503")], retries=1)
    assert (res.status, res.reason) == (Status.DEAD, "http_503")
    assert srv.hits("/503") == 2


def test_short_retry_after_is_honoured_once(srv):
    [res], _ = resolve_all([srv.url("/retry-after/short")])
    assert res.status is Status.ALIVE
    assert srv.hits("/retry-after/short") == 2


def test_long_retry_after_is_deferred_with_one_request(srv):
    [res], _ = resolve_all([srv.url("/retry-after/long")], retries=2)
    assert (res.status, res.reason, res.http_status) == (Status.DEFERRED, "retry_after", 429)
    assert srv.hits("/retry-after/long") == 1
    assert res.elapsed_ms < 60_000  # it did not wait the hour


def test_timeouts_are_retried(srv, quick_backoff):
    [res], _ = resolve_all([srv.url("/silence")], retries=1, read_timeout=0.15, deadline=1)
    assert (res.status, res.reason) == (Status.TIMEOUT, "read_timeout")
    assert srv.hits("/silence") == 2


def test_a_dripping_page_is_alive_but_truncated(srv):
    [res], _ = resolve_all([srv.url("/drip")], deadline=0.6)  # a few of its bytes, four a second
    assert (res.status, res.reason) == (Status.ALIVE, "truncated")
    assert res.exchanges[-1].truncated == "time"


def test_soft_404_page_and_redirect_to_home(srv):
    (page, home, front), _ = resolve_all([srv.url("/soft404"), srv.url("/deep/article"), srv.url("/")])
    assert (page.status, page.reason) == (Status.SOFT404, "not_found_page")
    assert (home.status, home.reason) == (Status.SOFT404, "redirect_to_home")
    assert front.status is Status.ALIVE   # the front page itself, asked for, is fine


def test_shared_hops_and_repeats_are_fetched_once(srv):
    urls = [srv.url(p) for p in ("/chain/a", "/chain/b", "/chain/hub", "/final", "/chain/a", "/final#x")]
    results, r = resolve_all(urls, per_host=2)
    assert len(results) == 5                       # one per distinct input string
    assert {res.final_url for res in results} == {srv.url("/final")}
    for path in ("/chain/a", "/chain/b", "/chain/hub", "/final"):
        assert srv.hits(path) == 1, path
    assert r.requests_made == 4
    b = results[1]
    assert [h.url for h in b.hops] == [srv.url("/chain/b"), srv.url("/chain/hub")]
    assert [ex.http_status for ex in b.exchanges] == [301, 301, 200]   # shared exchanges are handed on


def test_per_host_limit_is_what_the_server_sees(srv):
    resolve_all([srv.url(f"/slow/{i}") for i in range(12)], per_host=2, concurrency=16)
    assert srv.hits("/slow/0") == 1 and srv.peak <= 2
    assert sum(1 for _, p in srv.log if p.startswith("/slow/")) == 12


def test_global_concurrency_holds(srv):
    resolve_all([srv.url(f"/slow/{i}") for i in range(12)], per_host=8, concurrency=3)
    assert srv.peak <= 3


def test_min_interval_spaces_request_starts(loopback_only):
    import time

    starts = []
    with FaultServer() as s:
        real = s._server.record

        def record(method, path, headers):
            starts.append(time.monotonic())
            real(method, path, headers)

        s._server.record = record
        resolve_all([s.url(f"/page/{i}") for i in range(4)], per_host=4, min_interval=0.1)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) == 4 and min(gaps) >= 0.075  # a lower bound: slowness cannot break it


def test_a_hanging_host_does_not_hold_up_others(loopback_only):
    """One origin's silent URLs take its slots; the other origin's work goes on meanwhile.

    The silence ends only once the other origin's 20 pages are all in, so the test races no clock:
    a resolver that let the silent host hold up the others would wait out its 20 s deadline first."""
    with FaultServer() as slow, FaultServer() as fast:
        urls = [slow.url(f"/silence?{i}") for i in range(3)] + [fast.url(f"/page/{i}") for i in range(20)]
        order = []

        def done(res) -> None:
            order.append(res.url)
            if sum(url.startswith(fast.url("/")) for url in order) == 20:
                slow.end_silence()

        r = Resolver(Settings(**{**FAST, "per_host": 1, "concurrency": 4, "read_timeout": 20, "deadline": 20}))
        try:
            r.resolve_many(urls, on_result=done)
        finally:
            r.close()
    assert set(order[:20]) == {fast.url(f"/page/{i}") for i in range(20)}
    assert len(order) == 23


@pytest.mark.parametrize("mode, path, status", [
    ("allow", "/ok", Status.ALIVE),
    ("404", "/ok", Status.ALIVE),               # no robots.txt: allow all
    ("500", "/ok", Status.SKIPPED),             # server error: disallow all (RFC 9309)
    ("disallow", "/private/page", Status.SKIPPED),
    ("disallow", "/ok", Status.ALIVE),
])
def test_robots(loopback_only, mode, path, status):
    with FaultServer(robots=mode) as s:
        [res], _ = resolve_all([s.url(path)], robots="obey")
        assert res.status is status
        if status is Status.SKIPPED:
            # `robots` only when robots.txt was read and disallows; a 5xx is robots.txt unavailable
            assert res.reason == ("robots_unavailable" if mode == "500" else "robots") and s.hits(path) == 0


def test_robots_is_fetched_once_per_origin_under_concurrency(loopback_only):
    with FaultServer(robots="disallow") as s:
        urls = [s.url(f"/page/{i}") for i in range(20)] + [s.url("/private/page")]
        results, _ = resolve_all(urls, robots="obey", concurrency=8)
        assert s.hits("/robots.txt") == 1
    assert [r.status for r in results].count(Status.ALIVE) == 20


def test_robots_ignore_fetches_no_robots(srv):
    resolve_all([srv.url("/ok")], robots="ignore")
    assert srv.hits("/robots.txt") == 0


def test_cache_gives_successes_only(srv):
    hit = Resolution(url=srv.url("/ok"), final_url=srv.url("/ok"), status=Status.ALIVE, http_status=200)
    stale_failure = Resolution(url=srv.url("/final"), final_url=None, status=Status.DEAD, reason="http_404")
    cache = {hit.url: hit, stale_failure.url: stale_failure}
    r = Resolver(Settings(**FAST), cache=cache.get)
    try:
        ok, final = r.resolve_many([srv.url("/ok"), srv.url("/final")])
    finally:
        r.close()
    assert ok.from_cache and srv.hits("/ok") == 0
    assert final.status is Status.ALIVE and not final.from_cache and srv.hits("/final") == 1


def test_offline_is_not_attempted(srv):
    [res], _ = resolve_all([srv.url("/ok")], offline=True)
    assert res.status is Status.OFFLINE and srv.log == []


def test_policy_defaults_per_origin():
    s = Settings()
    assert limits_for(s, origin_of("https://t.co/abc")) == (8, 0.0)
    assert limits_for(s, origin_of("https://www.example.com/a")) == (2, 0.25)
    given = Settings(per_host=3, min_interval=0.5)
    assert limits_for(given, origin_of("https://t.co/abc")) == (3, 0.5)
    assert origin_of("http://Example.com/x") != origin_of("https://example.com/x")
    assert origin_of("http://example.com:8080/") != origin_of("http://example.com/")


def test_helpers():
    assert strip_credentials("https://u:p@example.com/a?b#c") == "https://example.com/a?b#c"
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """The CLI records into ./provenance.db: keep it out of the checkout."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_json_one_object_per_input_in_order(srv, in_tmp):
    urls = [srv.url("/ok"), srv.url("/404"), srv.url("/ok")]
    out = CliRunner().invoke(app, ["resolve", *urls, "--format", "json", "--allow-private",
                                   "--robots", "ignore", "--retries", "0", "--min-interval", "0"])
    assert out.exit_code == 1, out.output
    data = json.loads(out.stdout)
    assert [d["url"] for d in data] == urls
    assert [d["status"] for d in data] == ["alive", "dead", "alive"]
    assert set(data[0]) == {"url", "final_url", "status", "reason", "http_status", "elapsed_ms", "hops"}
    recorded = database.connect(in_tmp / "provenance.db")
    rows = recorded.execute("SELECT u.url, r.status FROM resolutions r JOIN urls u ON u.id = r.url_id").fetchall()
    assert sorted(rows) == sorted([(urls[0], "alive"), (urls[1], "dead")]), "each distinct URL recorded once"


def test_cli_exit_codes_and_stdin(srv, in_tmp):
    good = CliRunner().invoke(app, ["resolve", "-", "--format", "json", "--allow-private",
                                    "--robots", "ignore", "--min-interval", "0"],
                              input=srv.url("/meta") + "\n\n")
    assert good.exit_code == 0, good.output
    [d] = json.loads(good.stdout)
    assert d["final_url"] == srv.url("/final")
    assert d["hops"] == [{"url": srv.url("/meta"), "http_status": 200, "location": srv.url("/final"),
                          "via": "meta-refresh"}]


def test_cli_bad_url_is_one_clear_line(loopback_only, in_tmp):
    mixed = CliRunner().invoke(app, ["resolve", "http://exa mple.com/", "ftp://x/", "--format", "json"])
    assert mixed.exit_code == 2
    assert [d["reason"] for d in json.loads(mixed.stdout)] == ["invalid_url", "invalid_url"]
    out = CliRunner().invoke(app, ["resolve", "not a url"])
    assert out.exit_code == 2
    assert "not an http(s) URL" in out.output and "Traceback" not in out.output


def test_a_bug_costs_one_url_and_never_hangs_the_run(srv, monkeypatch):
    from provenance import landing

    def broken(body, base):
        raise RuntimeError("a bug in a page rule")

    monkeypatch.setattr(landing, "meta_refresh", broken)
    results, _ = resolve_all([srv.url("/ok"), srv.url("/404")])
    assert [(r.status, r.reason) for r in results] == [
        (Status.ERROR, "internal_error"), (Status.DEAD, "http_404")]


def test_a_refresh_inside_a_comment_does_not_make_a_live_page_dead(srv):
    """Real pages carry `<!--[if lte IE 9]><meta http-equiv="refresh" …><![endif]-->`: browsers skip it."""
    [res], _ = resolve_all([srv.url("/ie-only")])
    assert (res.status, res.reason, res.final_url, res.hops) == (Status.ALIVE, None, srv.url("/ie-only"), [])
    assert srv.hits("/unsupp.html") == 0


def test_a_location_in_raw_utf8_is_followed_where_a_browser_goes(srv):
    [res], _ = resolve_all([srv.url("/to-cafe")])
    assert res.status is Status.ALIVE
    assert res.hops[0].location == res.final_url == srv.url("/page/caf%C3%A9")
    assert [path for _, path in srv.log if path.startswith("/page/")] == ["/page/caf%C3%A9"]


def test_an_idn_host_in_a_location_is_looked_up_and_sent_in_ascii(srv):
    """The name is given to the (stub) resolver and the Host header in IDNA form, once."""
    import socket

    asked = []

    def lookup(host, port):
        asked.append(host)
        if host == "xn--caf-dma.test":
            return [(socket.AF_INET, "127.0.0.1")]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    r = Resolver(Settings(**FAST), lookup=lookup)
    try:
        [res] = r.resolve_many([srv.url("/to-idn")])
    finally:
        r.close()
    assert res.status is Status.ALIVE and res.final_url == f"http://xn--caf-dma.test:{srv.port}/page/idn"
    assert asked == ["xn--caf-dma.test"]
    assert srv.headers[-1]["Host"] == f"xn--caf-dma.test:{srv.port}"


def test_a_url_with_an_idn_host_given_directly_is_looked_up_once_in_ascii(srv):
    import socket

    asked = []

    def lookup(host, port):
        asked.append(host)
        return [(socket.AF_INET, "127.0.0.1")]

    r = Resolver(Settings(**FAST), lookup=lookup)
    try:
        [res] = r.resolve_many([f"http://café.test:{srv.port}/page/é"])
    finally:
        r.close()
    assert res.url == f"http://café.test:{srv.port}/page/é"
    assert res.status is Status.ALIVE and res.final_url == f"http://xn--caf-dma.test:{srv.port}/page/%C3%A9"
    assert asked == ["xn--caf-dma.test"]
