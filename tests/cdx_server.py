"""A loopback CDX and replay server (127.0.0.1): an archive seeded with pages the caller writes.

It answers `/cdx/search/cdx` with the Wayback Machine's JSON rows (url with matchType exact,
prefix or domain; from/to; filter on mimetype and statuscode; collapse=urlkey; limit) and
`/web/<timestamp>id_/<url>` with the stored payload. It counts the CDX queries it answered.
Used by the trace tests and by bench/trace.py.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Capture:
    url: str
    timestamp: str  # 14 digits
    body: bytes
    mimetype: str = "text/html"
    status: str = "200"


def _key(url: str) -> tuple[str, str]:
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return host, parts.path + (f"?{parts.query}" if parts.query else "")


class Archive:
    """The captures and the counters; `serve()` starts it on 127.0.0.1 and returns the base URL."""

    def __init__(self):
        self.captures: list[Capture] = []
        self.cdx_calls = 0
        self.replays = 0
        self.cdx_answer: tuple[int, dict] | None = None  # (status, headers) to answer every CDX query with
        self._server: ThreadingHTTPServer | None = None

    def add(self, url: str, timestamp: str, body: bytes | str, mimetype: str = "text/html") -> None:
        self.captures.append(Capture(url, timestamp.ljust(14, "0"),
                                     body.encode() if isinstance(body, str) else body, mimetype))

    def query(self, q: dict[str, list[str]]) -> list[list[str]]:
        url = q.get("url", [""])[0]
        match = q.get("matchType", ["exact"])[0]
        if url.endswith("*"):
            url, match = url[:-1], "prefix"
        host, path = _key(url)
        lo, hi = q.get("from", [""])[0], q.get("to", [""])[0]
        filters = q.get("filter", [])
        rows, seen = [], set()
        for c in sorted(self.captures, key=lambda c: (_key(c.url), c.timestamp)):
            h, p = _key(c.url)
            if match == "domain":
                ok = h == host or h.endswith("." + host)
            elif match == "prefix":
                ok = h == host and p.startswith(path or "/")
            else:
                ok = (h, p.rstrip("/")) == (host, path.rstrip("/"))
            if not ok or (lo and c.timestamp < lo.ljust(14, "0")) or (hi and c.timestamp > hi.ljust(14, "9")):
                continue
            if any(f.startswith("mimetype:") and c.mimetype != f[9:] for f in filters):
                continue
            if any(f.startswith("statuscode:") and c.status != f[11:] for f in filters):
                continue
            if q.get("collapse") == ["urlkey"]:
                if (h, p.rstrip("/").lower()) in seen:
                    continue
                seen.add((h, p.rstrip("/").lower()))
            rows.append([c.timestamp, c.url, c.status, c.mimetype, "-"])
        return rows[: int(q.get("limit", ["100000"])[0])]

    def replay(self, timestamp: str, url: str) -> Capture | None:
        key = _key(url)
        same = [c for c in self.captures if _key(c.url) == key]
        return min(same, key=lambda c: abs(int(c.timestamp) - int(timestamp.ljust(14, "0"))), default=None)

    def serve(self) -> str:
        archive = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # small answers on a kept-alive connection go out at once

            def log_message(self, *args):
                pass

            def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/cdx/search/cdx":
                    archive.cdx_calls += 1
                    if archive.cdx_answer is not None:
                        code, headers = archive.cdx_answer
                        self.send_response(code)
                        for k, v in {**headers, "Content-Length": "0"}.items():
                            self.send_header(k, v)
                        self.end_headers()
                        return
                    rows = archive.query(parse_qs(parts.query))
                    head = ["timestamp", "original", "statuscode", "mimetype", "digest"]
                    self._send(200, json.dumps([head, *rows] if rows else []).encode())
                    return
                if parts.path.startswith("/web/"):
                    archive.replays += 1
                    stamp, _, url = self.path[5:].partition("/")
                    found = archive.replay(stamp.removesuffix("id_"), unquote(url))
                    if found is None:
                        self._send(404, b"not archived", "text/plain")
                    else:
                        self._send(200, found.body, found.mimetype + "; charset=utf-8")
                    return
                self._send(404, b"", "text/plain")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
