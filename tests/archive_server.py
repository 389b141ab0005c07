"""An HTTP server on 127.0.0.1 for archive tests: gzip, chunked, large, redirected and duplicate pages."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"<html><head><title>Evidence</title></head><body><p>The minister said so.</p></body></html>"
GZIP_HTML = b"<html><body><p>" + b"compressed evidence " * 200 + b"</p></body></html>"
CHUNKS = [b"<html><body>", b"<p>first chunk</p>", b"<p>second chunk</p>", b"</body></html>"]
BIG = b"<html><body>" + b"x" * 200_000 + b"</body></html>"
SAME = b"<html><body><p>Identical payload served at two addresses.</p></body></html>"


class Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, code: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(code)
        for k, v in {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body)),
                     **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/2025/"):  # dated story paths, as articles cite them: /2025/07/01/page → /page
            path = "/" + path.rsplit("/", 1)[-1]
        if path == "/page":
            self._send(200, PAGE)
        elif path == "/gzip":
            self._send(200, gzip.compress(GZIP_HTML, mtime=0), {"Content-Encoding": "gzip"})
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/big":
            self._send(200, BIG)
        elif path == "/drip":  # a start, then a stall longer than a short deadline
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(BIG)))
            self.end_headers()
            self.wfile.write(BIG[:1000])
            self.wfile.flush()
            time.sleep(3)
            try:
                self.wfile.write(BIG[1000:])
            except OSError:
                pass
        elif path == "/redirect":
            self._send(301, b"", {"Location": "/page"})
        elif path in ("/same-a", "/same-b"):
            self._send(200, SAME)
        elif path == "/article":
            self._send(200, self.server.article_html)
        elif path == "/gone":
            self._send(404, b"<html><body>Not found</body></html>")
        elif path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        else:
            self._send(404, b"not here")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that stops reading early is expected here
        pass


class Server:
    """`with Server() as s: s.url("/page")` — a real server on an ephemeral loopback port."""

    def __init__(self):
        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.article_html = b""  # what /article serves: set it once the port is known
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
