"""The HTTP seam's limits against a misbehaving loopback server (127.0.0.1, so `allow_private=True`).

No timed asserts: each limit is checked by what came back (bytes read, reason), never by a
stopwatch. A test that waits a limit out gives it a fraction of a second, still several of the
server's drips long, so the file stays quick.
"""

from __future__ import annotations

import tracemalloc

import pytest

from provenance.errors import FetchError
from provenance.fetch import Fetcher, decoded_body, header
from provenance.models import Status
from provenance.settings import USER_AGENT, Settings
from tests.faultserver import FaultServer, guard_loopback

LOOPBACK = dict(allow_private=True, retries=0)  # the fault server lives on 127.0.0.1


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


@pytest.fixture(scope="module")
def srv():
    with FaultServer() as s:
        yield s


@pytest.fixture
def fetcher(loopback_only):
    f = Fetcher(Settings(**LOOPBACK, deadline=1.5, read_timeout=5, connect_timeout=1.0, max_bytes=200_000))
    yield f
    f.close()


def test_a_plain_get_with_a_descriptive_agent(srv, fetcher):
    ex = fetcher.fetch(srv.url("/ok"))
    assert ex.http_status == 200 and ex.method == "GET" and ex.truncated is None
    assert b"A real article" in ex.body
    assert srv.headers[-1]["User-Agent"] == USER_AGENT and "provenance/" in USER_AGENT
    assert ex.peer_ip == "127.0.0.1"
    assert all(m == "GET" for m, _ in srv.log)
    sent = dict(ex.request_headers)   # what a WARC request record needs
    assert sent["Host"] == f"127.0.0.1:{srv.port}" and sent["User-Agent"] == USER_AGENT


def test_redirects_are_not_followed_by_the_seam(srv, fetcher):
    ex = fetcher.fetch(srv.url("/loop/a"))
    assert ex.http_status == 302 and header(ex, "Location") == "/loop/b"


def test_a_dripping_body_is_cut_at_the_deadline(srv, loopback_only):
    """100 bytes at four a second, each within the read timeout: the 0.6 s deadline keeps a few and says why."""
    f = Fetcher(Settings(**LOOPBACK, deadline=0.6, read_timeout=5, connect_timeout=1.0))
    try:
        ex = f.fetch(srv.url("/drip"))
    finally:
        f.close()
    assert ex.http_status == 200
    assert ex.truncated == "time"
    assert len(ex.body) < 20


def test_headers_dripped_a_byte_at_a_time_cannot_stretch_the_deadline(srv, loopback_only):
    """Each byte comes well within the read timeout, several within the deadline; only the deadline stops this."""
    f = Fetcher(Settings(**LOOPBACK, deadline=0.6, read_timeout=5, connect_timeout=1.0))
    try:
        with pytest.raises(FetchError) as e:
            f.fetch(srv.url("/drip-headers"))
    finally:
        f.close()
    assert (e.value.status, e.value.reason) == (Status.TIMEOUT, "deadline")


def test_silence_is_a_read_timeout(srv, loopback_only):
    f = Fetcher(Settings(**LOOPBACK, deadline=5, read_timeout=0.2))
    try:
        with pytest.raises(FetchError) as e:
            f.fetch(srv.url("/silence"))
    finally:
        f.close()
    assert (e.value.status, e.value.reason) == (Status.TIMEOUT, "read_timeout")


def test_silence_past_the_deadline_is_a_deadline_timeout(srv, loopback_only):
    f = Fetcher(Settings(**LOOPBACK, deadline=0.3, read_timeout=10))
    try:
        with pytest.raises(FetchError) as e:
            f.fetch(srv.url("/silence"))
    finally:
        f.close()
    assert (e.value.status, e.value.reason) == (Status.TIMEOUT, "deadline")


def test_an_oversize_body_is_cut_at_max_bytes(srv, fetcher):
    ex = fetcher.fetch(srv.url("/big"))
    assert ex.truncated == "length" and len(ex.body) == 200_000


def test_a_redirect_body_is_capped_like_any_other(srv, fetcher):
    """requests would read a 30x body whole to prepare the next hop; the seam must not."""
    tracemalloc.start()
    try:
        ex = fetcher.fetch(srv.url("/big-redirect"), max_bytes=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ex.http_status == 302 and header(ex, "Location") == "/ok"
    assert ex.truncated == "length" and len(ex.body) == 1000
    assert peak < 1_000_000


def test_max_bytes_per_call(srv, fetcher):
    ex = fetcher.fetch(srv.url("/big"), max_bytes=1000)
    assert ex.truncated == "length" and len(ex.body) == 1000


def test_a_gzip_bomb_is_capped_decoded_and_raw(srv, fetcher):
    tracemalloc.start()
    try:
        ex = fetcher.fetch(srv.url("/gzip-bomb"))
        body = decoded_body(ex, 1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert header(ex, "Content-Encoding") == "gzip"
    assert ex.body[:2] == b"\x1f\x8b"            # kept as on the wire, for the WARC record
    assert len(body) == 1_000_000                  # 200 MB inflated, never more than asked
    assert peak < 30_000_000


def test_a_body_shorter_than_its_content_length_is_an_error(srv, fetcher):
    with pytest.raises(FetchError) as e:
        fetcher.fetch(srv.url("/short-body"))
    assert (e.value.status, e.value.reason) == (Status.ERROR, "incomplete_body")


def test_tls_failure_is_an_error(srv, fetcher):
    """https to a plain-HTTP port: the handshake fails."""
    with pytest.raises(FetchError) as e:
        fetcher.fetch(f"https://127.0.0.1:{srv.port}/ok")
    assert (e.value.status, e.value.reason) == (Status.ERROR, "tls_error")


def test_connection_refused_is_an_error_not_dead(loopback_only):
    with FaultServer() as s:
        port = s.port
    f = Fetcher(Settings(**LOOPBACK, deadline=2))
    try:
        with pytest.raises(FetchError) as e:
            f.fetch(f"http://127.0.0.1:{port}/ok")
    finally:
        f.close()
    assert e.value.status == Status.ERROR


def test_proxies_from_the_environment_are_ignored(srv, loopback_only, monkeypatch):
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, "http://10.9.9.9:3128")
    f = Fetcher(Settings(**LOOPBACK))
    try:
        ex = f.fetch(srv.url("/ok"))
    finally:
        f.close()
    assert ex.http_status == 200 and f.session.trust_env is False


def test_offline_sends_nothing(srv, loopback_only):
    f = Fetcher(Settings(**LOOPBACK, offline=True))
    before = len(srv.log)
    with pytest.raises(FetchError) as e:
        f.fetch(srv.url("/ok"))
    f.close()
    assert e.value.status == Status.OFFLINE and len(srv.log) == before


def test_only_http_and_https(fetcher):
    with pytest.raises(FetchError) as e:
        fetcher.fetch("file:///etc/passwd")
    assert e.value.reason == "invalid_url"


def test_a_dripped_tls_handshake_is_cut_at_the_deadline(loopback_only):
    """A server that answers the TLS hello one byte at a time: the deadline holds in the handshake."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def drip():
        conn, _ = listener.accept()
        conn.recv(4096)                              # the client hello
        conn.sendall(b"\x16\x03\x03\x3e\x80")        # a handshake record of 16 000 bytes...
        while not stop.wait(0.1):
            try:
                conn.sendall(b"\x02")               # ...that arrives a byte at a time
            except OSError:
                break
        conn.close()

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    f = Fetcher(Settings(**LOOPBACK, deadline=0.5, connect_timeout=30, read_timeout=30))
    try:
        with pytest.raises(FetchError) as e:
            f.fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/")
    finally:
        stop.set()
        f.close()
        t.join(5)
        listener.close()
    assert (e.value.status, e.value.reason) == (Status.TIMEOUT, "deadline")


def test_a_location_is_read_as_utf8_when_it_is_utf8_and_sent_percent_encoded():
    from provenance.fetch import location_text, wire_url

    as_received = "/page/café".encode().decode("latin-1")          # what http.client hands over
    assert location_text(as_received) == "/page/café"
    assert location_text("/page/caf\xe9") == "/page/caf\xe9"        # a Latin-1 byte alone: kept as Latin-1
    assert location_text("/plain?a=1") == "/plain?a=1"
    assert wire_url("https://café.example/page/é?q=ü") == "https://xn--caf-dma.example/page/%C3%A9?q=%C3%BC"
    assert wire_url("https://news.example/a%20b?x=%C3%A9") == "https://news.example/a%20b?x=%C3%A9"
    assert wire_url("https://u:p@Bücher.example:8443/") == "https://u:p@xn--bcher-kva.example:8443/"
