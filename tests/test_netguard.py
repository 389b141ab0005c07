"""The address guard: what may be dialled, checked on the address actually dialled, on every hop.

No test here resolves a real name (stub lookups) or dials anything but 127.0.0.1 (`loopback_only`).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket

import pytest

from provenance import netguard
from provenance.errors import FetchError
from provenance.fetch import Fetcher
from provenance.models import Status
from provenance.netguard import AddressGuard, BlockedAddress, parse_literal, why_blocked
from provenance.resolve import Resolver
from provenance.settings import Settings
from tests.faultserver import FaultServer, guard_loopback, make_tls

V4 = socket.AF_INET


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


def stub(table: dict[str, list[str]], calls: list | None = None):
    """A DNS stand-in: name -> addresses; unknown names are NXDOMAIN."""
    def lookup(host, port):
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in ip else V4, ip) for ip in table[host]]
    return lookup


@pytest.mark.parametrize("host", [
    "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]",
    "0.0.0.0", "10.1.2.3", "192.168.0.1", "172.16.5.5", "169.254.169.254", "100.64.0.1", "0.1.2.3",
    "[fe80::1]", "[fc00::1]", "224.0.0.1", "[2002:7f00:1::]", "[64:ff9b::7f00:1]", "[64:ff9b::a00:1]",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]", "[::7f00:1]", "[::]", "255.255.255.255",
])
def test_blocked_literals_are_refused_before_any_connect(host, loopback_only):
    guard = AddressGuard(allow_private=False, lookup=stub({}))
    with pytest.raises(BlockedAddress) as e:
        guard.check_literal(f"http://{host}/", host.strip("[]"))
    assert e.value.status == Status.REFUSED and e.value.reason == "blocked_address"


def test_legacy_ipv4_spellings_are_read_as_addresses():
    assert parse_literal("127.1") == ipaddress.ip_address("127.0.0.1")
    assert parse_literal("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert parse_literal("0x7f000001") == ipaddress.ip_address("127.0.0.1")
    assert parse_literal("[::ffff:127.0.0.1]") == ipaddress.ip_address("::ffff:127.0.0.1")
    assert parse_literal("example.com") is None
    assert parse_literal("1e100.net") is None


def test_embedded_ipv4_is_unwrapped():
    assert "loopback" in why_blocked(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert why_blocked(ipaddress.ip_address("2002:0a00:0001::1"))           # 6to4 of 10.0.0.1
    assert why_blocked(ipaddress.ip_address("64:ff9b::c0a8:0001"))          # NAT64 of 192.168.0.1
    assert why_blocked(ipaddress.ip_address("93.184.216.34")) is None
    assert why_blocked(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None
    assert why_blocked(ipaddress.ip_address("64:ff9b::5db8:d822")) is None  # NAT64 of a public address


def test_a_name_with_one_private_address_is_refused_whole(loopback_only):
    """Public first, loopback second: refused, and nothing is dialled at all."""
    calls: list[str] = []
    f = Fetcher(Settings(retries=0), lookup=stub({"rebind.example": ["93.184.216.34", "127.0.0.1"]}, calls))
    try:
        with pytest.raises(BlockedAddress):
            f.fetch("http://rebind.example/")
    finally:
        f.close()
    assert calls == ["rebind.example"]
    assert loopback_only == []  # no connect was even attempted


def test_a_name_resolving_to_loopback_is_refused_by_the_resolver(loopback_only):
    r = Resolver(Settings(retries=0, robots="ignore"), lookup=stub({"intranet.example": ["127.0.0.1"]}))
    try:
        res = r.resolve("http://intranet.example/admin")
    finally:
        r.close()
    assert (res.status, res.reason) == (Status.REFUSED, "blocked_address")


def test_robots_does_not_mask_a_refused_address(loopback_only):
    r = Resolver(Settings(retries=0), lookup=stub({"intranet.example": ["10.0.0.7"]}))
    try:
        res = r.resolve("http://intranet.example/")
    finally:
        r.close()
    assert (res.status, res.reason) == (Status.REFUSED, "blocked_address")


def test_nxdomain_is_dead_but_a_temporary_dns_failure_is_error(loopback_only):
    def again_for_news(host, port):
        if host == "news.example":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return stub({"example.com": ["93.184.215.14"]})(host, port)

    r = Resolver(Settings(retries=0), lookup=stub({"example.com": ["93.184.215.14"]}))
    try:
        gone = r.resolve("https://no-such-host.example/page")
    finally:
        r.close()
    r = Resolver(Settings(retries=0), lookup=again_for_news)
    try:
        offline = r.resolve("https://news.example/page")
    finally:
        r.close()
    assert (gone.status, gone.reason) == (Status.DEAD, "nxdomain")
    assert (offline.status, offline.reason) == (Status.ERROR, "dns_error")


@pytest.mark.parametrize("errno", [socket.EAI_NONAME, socket.EAI_AGAIN])
def test_when_no_name_resolves_at_all_unknown_names_are_errors_not_dead(loopback_only, errno):
    """A resolver that fails every name (a cut-off sandbox) must not make links dead."""
    calls: list[str] = []

    def nothing(host, port):
        calls.append(host)
        raise socket.gaierror(errno, "no")

    r = Resolver(Settings(retries=0), lookup=nothing)
    try:
        results = r.resolve_many(["https://a.example/1", "https://b.example/2"])
    finally:
        r.close()
    assert {(x.status, x.reason) for x in results} <= {(Status.ERROR, "dns_unavailable"), (Status.ERROR, "no_network")}
    assert calls.count("example.com") == 1, "the canary is asked once, then remembered"
    assert r.network_missing


def test_the_checked_address_is_dialled_and_the_host_name_kept(loopback_only):
    """With --allow-private the stub's 127.0.0.1 is used; the server still sees the name in Host."""
    calls: list[str] = []
    with FaultServer() as srv:
        f = Fetcher(Settings(allow_private=True), lookup=stub({"news.example": ["127.0.0.1"]}, calls))
        try:
            ex = f.fetch(f"http://news.example:{srv.port}/ok")
        finally:
            f.close()
        assert ex.http_status == 200 and ex.peer_ip == "127.0.0.1"
        assert srv.headers[-1]["Host"] == f"news.example:{srv.port}"
    assert calls == ["news.example"]


def test_every_hop_is_checked(loopback_only, monkeypatch):
    """A public page that redirects to a private address is refused at that hop.

    The policy is narrowed for this test to let the fault server (127.0.0.1) through while
    10.0.0.0/8 stays blocked: the redirect target must be refused without a connect.
    """
    real = netguard.why_blocked
    monkeypatch.setattr(netguard, "why_blocked",
                        lambda a: None if str(a) == "127.0.0.1" else real(a))
    with FaultServer() as srv:
        r = Resolver(Settings(retries=0, robots="ignore"))
        try:
            res = r.resolve(srv.url("/to-private"))
        finally:
            r.close()
    assert (res.status, res.reason) == (Status.REFUSED, "blocked_address")
    assert [h.location for h in res.hops] == ["http://10.0.0.1/secret"]


def test_loopback_is_refused_without_allow_private(loopback_only):
    with FaultServer() as srv:
        f = Fetcher(Settings())
        try:
            with pytest.raises(FetchError) as e:
                f.fetch(srv.url("/ok"))
        finally:
            f.close()
        assert e.value.reason == "blocked_address"
        assert srv.log == []


def test_credentials_never_leave_the_url(loopback_only):
    with FaultServer() as srv:
        r = Resolver(Settings(allow_private=True, retries=0, robots="ignore", min_interval=0))
        try:
            res = r.resolve(f"http://alice:s3cret@127.0.0.1:{srv.port}/deep/article")
        finally:
            r.close()
        sent = srv.headers
    text = repr(res.to_json())
    assert "s3cret" not in text and "alice" not in text
    assert all("Authorization" not in h for h in sent)
    assert res.url == f"http://127.0.0.1:{srv.port}/deep/article"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for a test CA")
def test_tls_keeps_the_name_for_sni_and_the_certificate_while_dialling_the_checked_address(
        loopback_only, tmp_path):
    ctx, ca = make_tls(tmp_path, "news.example")
    lookup = stub({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    with FaultServer(tls=ctx) as srv:
        f = Fetcher(Settings(allow_private=True, deadline=5), lookup=lookup)
        f.session.verify = ca
        try:
            ex = f.fetch(f"https://news.example:{srv.port}/ok")
            with pytest.raises(FetchError) as e:
                f.fetch(f"https://other.example:{srv.port}/ok")  # the certificate names news.example only
        finally:
            f.close()
        assert ex.http_status == 200 and ex.peer_ip == "127.0.0.1"
        assert srv.sni[0] == "news.example"
    assert (e.value.status, e.value.reason) == (Status.ERROR, "tls_error")


def test_a_hanging_name_lookup_is_a_timeout(loopback_only):
    """The system resolver cannot be interrupted; the fetch stops waiting for it at the connect timeout."""
    import threading

    release = threading.Event()

    def stuck(host, port):
        if host in netguard.CANARY_NAMES:
            return [(V4, "93.184.215.14")]
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    f = Fetcher(Settings(connect_timeout=0.3, deadline=5), lookup=stuck)
    try:
        with pytest.raises(FetchError) as e:
            f.fetch("https://slow-dns.example/")
    finally:
        release.set()
        f.close()
    assert (e.value.status, e.value.reason) == (Status.TIMEOUT, "dns_timeout")
    assert not f.network_missing
