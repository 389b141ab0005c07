"""A loopback web server that misbehaves on purpose, for testing the fetch limits.

Runs on 127.0.0.1 on an ephemeral port, in threads, inside the test process:

    with FaultServer(robots="disallow") as srv:
        srv.url("/drip")          # http://127.0.0.1:PORT/drip
        srv.hits("/drip")         # how many requests that path got
        srv.peak                  # most requests in flight at once

Paths (see `_Handler.route`): /ok /final /page/N / (a front page) /drip (a body at four
bytes a second) /drip-headers /silence /loop/a /loop/b /hops/N /big /gzip-bomb /short-body
/retry-after/short /retry-after/long /503 /404 /slow /slow/N (0.1 s each) /to-file /to-private /soft404
/bad-location /big-redirect /deep/article (301 to /) /meta /js /chain/a and /chain/b (both
through /chain/hub to /final) /ie-only (a live page whose meta refresh to a 404 sits in an IE
conditional comment) /to-cafe and /to-idn (a Location header in raw UTF-8: /page/café, and a host
café.test on this port) and /robots.txt. Unknown paths answer 404. Robots variants: "allow", "disallow" (everything
under /private), "404", "500", "all" (Disallow: /), "silence" (robots.txt never answers).
`FaultServer(tls=make_tls(...)[0])` serves HTTPS with a certificate from a throwaway CA.

`guard_loopback(monkeypatch)` is the body of a `loopback_only` fixture that fails a test on
any connect to anything but 127.0.0.1 and on any DNS query.
"""

from __future__ import annotations

import socket
import ssl
import struct
import subprocess
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_PAGE = (b"<!doctype html><html><head><title>A real article</title></head><body><h1>A real article</h1>"
         + b"<p>Words of a story that is really here.</p>" * 40 + b"</body></html>")
_HOME = b"<html><head><title>Example News - Home</title></head><body><h1>Top stories</h1>" \
    + b"<p>x</p>" * 200 \
    + b"</body></html>"
_SOFT404 = (b"<html><head><title>Page not found | Example News</title></head><body>"
            b"<h1>Sorry, the page you were looking for could not be found.</h1>" + b"<p>menu</p>" * 300
            + b"</body></html>")
_BIG = b"<html>" + b"m" * 3_000_000 + b"</html>"


def _gzip_bomb(mib: int) -> bytes:
    """A gzip stream of `mib` MiB of zeros, built from one compressed MiB repeated (each block after a full
    flush starts afresh, so all are alike): 0.05 s, where gzip.compress of 200 MB took 0.6 s and 200 MB."""
    mebibyte = bytes(1 << 20)
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = z.compress(mebibyte) + z.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(mebibyte, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no time
    final = b"\x03\x00"  # an empty last block
    return header + block * mib + final + struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)


_BOMB = _gzip_bomb(190)  # ~197 KB on the wire, 199 MB inflated


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args):  # keep test output clean
        pass

    def do_HEAD(self):
        self.server.record("HEAD", self.path, self.headers)
        self._send(405, b"", [("Allow", "GET")])

    def do_GET(self):
        path = urlsplit(self.path).path
        self.server.record("GET", self.path, self.headers)
        with self.server.lock:
            self.server.in_flight += 1
            self.server.peak = max(self.server.peak, self.server.in_flight)
        try:
            self.route(path)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            with self.server.lock:
                self.server.in_flight -= 1

    def _send(self, code: int, body: bytes, headers=(), ctype="text/html; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, code: int = 302):
        self._send(code, b"moved", [("Location", location)])

    def route(self, path: str):
        srv = self.server
        if path == "/robots.txt":
            mode = srv.robots
            if mode == "silence":
                srv.stopping.wait(60)
                return
            if mode in ("404", "500"):
                return self._send(int(mode), b"no robots here")
            rules = {"allow": b"User-agent: *\nAllow: /\n",
                     "disallow": b"User-agent: *\nDisallow: /private\n",
                     "all": b"User-agent: *\nDisallow: /\n"}[mode]
            return self._send(200, rules, ctype="text/plain")
        if path in ("/ok", "/private/page", "/final") or path.startswith("/page/"):
            return self._send(200, _PAGE)
        if path == "/":
            return self._send(200, _HOME)
        if path == "/drip":  # a body of 100 bytes, four bytes a second: each well within a read timeout
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                if srv.stopping.wait(0.25):
                    return
                self.wfile.write(b"x")
                self.wfile.flush()
            return
        if path == "/drip-headers":  # the status line, then headers ten bytes a second
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            for ch in b"X-Slow: " + b"y" * 100:
                if srv.stopping.wait(0.1):
                    return
                self.wfile.write(bytes([ch]))
                self.wfile.flush()
            return
        if path == "/silence":
            srv.stopping.wait(60)
            self.close_connection = True  # no answer, ever: the client sees its connection closed
            return
        if path == "/loop/a":
            return self._redirect("/loop/b")
        if path == "/loop/b":
            return self._redirect("/loop/a")
        if path.startswith("/hops/"):
            n = int(path.rsplit("/", 1)[1])
            return self._redirect(f"/hops/{n - 1}") if n > 0 else self._send(200, _PAGE)
        if path == "/big":
            return self._send(200, b"<html>" + b"a" * 3_000_000 + b"</html>")
        if path == "/gzip-bomb":
            return self._send(200, _BOMB, [("Content-Encoding", "gzip")])
        if path == "/short-body":  # promises 1000 bytes, sends 10, closes
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.close_connection = True
            return
        if path == "/retry-after/short":
            if srv.hits(path) == 1:
                return self._send(429, b"slow down", [("Retry-After", "1")])
            return self._send(200, _PAGE)
        if path == "/retry-after/long":
            return self._send(429, b"slow down", [("Retry-After", "3600")])
        if path == "/503":
            return self._send(503, b"unavailable")
        if path == "/404":
            return self._send(404, b"not here")
        if path == "/slow" or path.startswith("/slow/"):
            time.sleep(0.1)  # long enough that requests let in together overlap
            return self._send(200, _PAGE)
        if path == "/to-file":
            return self._redirect("file:///etc/passwd")
        if path == "/soft404":
            return self._send(200, _SOFT404)
        if path == "/deep/article":
            return self._redirect("/", 301)
        if path == "/meta":
            return self._send(200, b'<html><body><p>moved</p>'
                                   b'<meta http-equiv="refresh" content="0; url=/final">'
                                   b"</body></html>")
        if path == "/js":
            return self._send(200, b'<html><head><title>x</title></head><script>window.opener = null; '
                                   b'location.replace("\\/final")</script></html>')
        if path in ("/chain/a", "/chain/b"):
            return self._redirect("/chain/hub", 301)
        if path == "/chain/hub":
            return self._redirect("/final", 301)
        if path == "/big-redirect":  # a redirect whose body is far larger than any cap
            return self._send(302, _BIG, [("Location", "/ok")])
        if path == "/bad-location":
            return self._redirect("http://[::1/broken")
        if path == "/ie-only":
            return self._send(200, b'<!DOCTYPE html><html><head><title>A real article</title>'
                                   b'<!--[if lte IE 9]><meta http-equiv="refresh" content="1;url=/unsupp.html">'
                                   b'<![endif]--></head><body>' + _PAGE + b"</body></html>")
        if path == "/to-cafe":  # header values go out as Latin-1: these are the UTF-8 bytes of "café"
            return self._redirect("/page/café".encode().decode("latin-1"))
        if path == "/to-idn":
            port = self.server.server_address[1]
            return self._redirect(f"http://café.test:{port}/page/idn".encode().decode("latin-1"))
        if path == "/to-private":
            return self._redirect("http://10.0.0.1/secret")
        return self._send(404, b"<html><title>404</title>nothing</html>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs when 8 clients connect at once on a busy machine;
    # the retransmitted SYN comes a second later, past a test's 1 s connect timeout
    request_queue_size = 128

    def __init__(self, robots: str, tls: ssl.SSLContext | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sni: list[str | None] = []
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.sni.append(name)
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.robots = robots
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.log: list[tuple[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.peak = 0

    def get_request(self):
        try:
            return super().get_request()
        except ssl.SSLError:  # a client that failed the handshake: not the server's problem
            raise OSError("handshake failed") from None

    def handle_error(self, request, client_address):  # clients hanging up is what tests do
        pass

    def record(self, method: str, path: str, headers) -> None:
        with self.lock:
            self.log.append((method, path))
            self.headers.append(dict(headers.items()))

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p in self.log if urlsplit(p).path == path)


class FaultServer:
    """Context manager: start the server on an ephemeral 127.0.0.1 port, stop it on exit."""

    def __init__(self, robots: str = "allow", tls: ssl.SSLContext | None = None):
        self._server = _Server(robots, tls)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def end_silence(self) -> None:
        """Silent answers (/silence, a silent robots.txt) end now, by closing their connections."""
        self._server.stopping.set()

    def hits(self, path: str) -> int:
        return self._server.hits(path)

    @property
    def log(self) -> list[tuple[str, str]]:
        with self._server.lock:
            return list(self._server.log)

    @property
    def headers(self) -> list[dict[str, str]]:
        """The request headers of every request, in arrival order."""
        with self._server.lock:
            return list(self._server.headers)

    @property
    def sni(self) -> list[str | None]:
        """The server names TLS clients asked for (SNI), in order."""
        return list(self._server.sni)

    @property
    def peak(self) -> int:
        return self._server.peak


def guard_loopback(monkeypatch):
    """Body of a `loopback_only` fixture: fail the test if anything dials an address other
    than 127.0.0.1 or makes a DNS query. Yields the list of violations.

    Violations are recorded as well as raised, since the code under test turns exceptions
    into statuses: the test fails at teardown even if the error was swallowed.

        @pytest.fixture
        def loopback_only(monkeypatch):
            yield from guard_loopback(monkeypatch)
    """
    violations: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host != "127.0.0.1":
            violations.append(f"connect {address!r}")
            raise AssertionError(f"tests may only reach 127.0.0.1, not {address!r}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", None):
            violations.append(f"getaddrinfo {host!r}")
            raise AssertionError(f"tests make no DNS query, not for {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield violations
    assert not violations, violations


def make_tls(folder, name: str) -> tuple[ssl.SSLContext, str]:
    """A server context with a certificate for `name`, signed by a throwaway CA; and the CA's
    path, for the client to trust. Needs the `openssl` command."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test CA")
    run("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", f"/CN={name}")
    (folder / "ext.cnf").write_text(f"subjectAltName=DNS:{name}\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "srv.pem", folder / "srv.key")
    return ctx, str(folder / "ca.pem")
