"""A loopback server (127.0.0.1) for the check stage: cited pages as they are now, a CDX endpoint that
lists one snapshot of each near 2025-07-01, and the snapshots themselves in raw (`id_`) form.

    /statement  says the quoted words verbatim, now as then              → verbatim, same
    /op-ed      says the quoted words without the article's negation    → altered
    /reaction   one sentence edited since the snapshot                  → matched passage, edited
    /report.pdf a PDF, no text to read and no snapshot                  → unavailable
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TIMESTAMP = "20250701120000"


def page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{body}</article></body></html>").encode()


STATEMENT = page(
    "Statement on the budget",
    "The finance ministry published its plans for the coming year on Tuesday morning.",
    "We will cut the deficit by 3 percent next year, and we will do it without new borrowing.",
    "The statement was signed by the minister and her two deputies.",
)
OP_ED = page(
    "Why the reform is fair",
    "Every household will see the change in its first payslip of the new year.",
    "The reform will raise taxes for families with more than two cars, and for no one else.",
    "Critics have called the plan rushed, but the numbers were published months ago.",
)
REACTION_THEN = page(
    "Opposition responds",
    "The opposition leader called the plan reckless in a speech to party members on Tuesday.",
    "The party will table amendments in the finance committee next week.",
    "Its spokesman said the vote would be close and that talks with smaller parties had begun.",
)
REACTION_NOW = page(
    "Opposition responds",
    "The opposition leader called the plan reckless in a speech to party members on Tuesday.",
    "The party will vote against the budget without tabling any amendments.",
    "Its spokesman said the vote would be close and that talks with smaller parties had begun.",
)
NOW = {"/statement": STATEMENT, "/op-ed": OP_ED, "/reaction": REACTION_NOW}
THEN = {"/statement": STATEMENT, "/op-ed": OP_ED, "/reaction": REACTION_THEN}

ARTICLE = """<!doctype html><html><head><title>Budget row deepens</title>
<meta property="article:published_time" content="2025-07-01T09:30:00Z"></head>
<body><article><h1>Budget row deepens</h1>
<p>“We will cut the deficit by 3 percent next year,” Jane Doe said in <a href="{base}/statement">a statement</a>.</p>
<p>“The reform will not raise taxes for families,” Jane Doe wrote in <a href="{base}/op-ed">an op-ed</a>.</p>
<p>The opposition leader called the plan reckless, <a href="{base}/reaction">according to a party release</a>.</p>
</article></body></html>"""


class Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, code: int, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.requests.append(self.path)
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif parts.path == "/report.pdf":
            self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n", "application/pdf")
        elif parts.path in NOW:
            self._send(200, NOW[parts.path])
        elif parts.path == "/cdx/search/cdx":
            url = parse_qs(parts.query)["url"][0]
            rows = [["timestamp", "original", "statuscode", "mimetype", "digest"]]
            if urlsplit(url).path in THEN:
                rows.append([TIMESTAMP, url, "200", "text/html", "DIGEST"])
            self._send(200, json.dumps(rows).encode(), "application/json")
        elif parts.path.startswith(f"/web/{TIMESTAMP}id_/"):
            original = self.path.split("id_/", 1)[1]
            body = THEN.get(urlsplit(original).path)
            self._send(200 if body else 404, body or b"not archived")
        else:
            self._send(404, b"not here")


class Server:
    """`with Server() as s:` serves the pages above on 127.0.0.1 at a free port."""

    def __enter__(self) -> Server:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def article(self) -> str:
        return ARTICLE.format(base=self.base)
