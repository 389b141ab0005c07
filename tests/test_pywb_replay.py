"""A capture cut at the size cap or the deadline, replayed by pywb: the replay ends with the bytes stored.

A truncated record once kept the server's Content-Length over the fewer bytes stored; pywb passed
that header on and its clients waited for bytes that never came. Here the project's own `archive`
command captures a page cut at `--max-bytes` or at `--deadline` from a loopback server, pywb (in the virtualenv
of its own that `scripts/setup.sh --test` makes, since its dependencies would change the project's)
serves the WARC from 127.0.0.1, and a client that trusts Content-Length reads the replay.
Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance.archive.verify import warc_files

from .archive_server import BIG, Server
from .conftest import ROOT, needs

PYWB_BIN = ROOT / ".venv-pywb" / "bin"
CAP = 50_000

pytestmark = [
    needs((PYWB_BIN / "wayback").exists() and (PYWB_BIN / "wb-manager").exists(),
          "pywb's virtualenv .venv-pywb is missing (scripts/setup.sh --test makes it)"),
    pytest.mark.slow,
]


# How a body gets cut: past `--max-bytes`, or by the deadline while the server stalls mid-body (/drip).
BY_SIZE = ("/big", ["--max-bytes", str(CAP)], "length")
BY_DEADLINE = ("/drip", ["--deadline", "1"], "time")


def capture_truncated(tmp_path: Path, path: str = BY_SIZE[0], limit: list[str] = BY_SIZE[1]) -> Path:
    """Run `provenance archive` on a page it must cut; return the directory of its WARC files."""
    archive_dir = tmp_path / "archive"
    with Server() as server:
        url = server.url(path)
        subprocess.run(
            [sys.executable, "-m", "provenance", "archive", url, "--db", str(tmp_path / "p.db"),
             "--archive-dir", str(archive_dir), "--allow-private", "--no-wayback", "--min-interval", "0",
             "--retries", "0", *limit],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True, timeout=120)
    return archive_dir


def stored_response(archive_dir: Path) -> tuple[str, str, bytes, StatusAndHeaders, str | None]:
    """The one response record: (target URL, 14-digit timestamp, payload as stored, HTTP headers, truncation)."""
    found = []
    for path in warc_files(archive_dir):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    date = rec.rec_headers.get_header("WARC-Date")
                    stamp = "".join(ch for ch in date if ch.isdigit())[:14]
                    found.append((rec.rec_headers.get_header("WARC-Target-URI"), stamp,
                                  rec.raw_stream.read(), rec.http_headers,
                                  rec.rec_headers.get_header("WARC-Truncated")))
    [one] = found
    return one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pywb:
    """A pywb collection `evidence` holding one WARC, served by the venv's `wayback` on 127.0.0.1."""

    def __init__(self, root: Path, warc: Path):
        self.root, self.port = root, free_port()
        # pywb's own interpreter and libraries only: nothing of the project's on its path
        env = self.env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        for args in (["init", "evidence"], ["add", "evidence", str(warc)]):
            subprocess.run([str(PYWB_BIN / "wb-manager"), *args], cwd=root, env=env, check=True,
                           capture_output=True, timeout=120)

    def __enter__(self) -> Pywb:
        self.log = open(self.root / "wayback.log", "wb")
        self.proc = subprocess.Popen([str(PYWB_BIN / "wayback"), "-b", "127.0.0.1", "-p", str(self.port)],
                                     cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        until = time.monotonic() + 60  # a wait for start-up on a loaded machine, not a measure of speed
        while time.monotonic() < until:
            if self.proc.poll() is not None:
                raise AssertionError(f"wayback exited: {(self.root / 'wayback.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise AssertionError("wayback did not start listening")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """GET from the replay as a client that trusts Content-Length: a short read or a stall raises."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


@pytest.mark.parametrize(("path", "limit", "cut"), [BY_SIZE, BY_DEADLINE], ids=["size-cap", "deadline"])
def test_pywb_replays_a_truncated_capture_whole_and_to_its_end(tmp_path, path, limit, cut):
    archive_dir = capture_truncated(tmp_path, path, limit)
    url, stamp, stored, http_headers, truncated = stored_response(archive_dir)
    assert truncated == cut and 0 < len(stored) < len(BIG) and BIG.startswith(stored)
    assert http_headers.get_header("Content-Length") == str(len(stored))  # the stored length, not the server's
    assert http_headers.get_header("X-Archive-Orig-Content-Length") == str(len(BIG))
    [warc] = warc_files(archive_dir)
    root = tmp_path / "pywb"
    root.mkdir()
    with Pywb(root, warc) as pywb:
        status, headers, body = pywb.get(f"/evidence/{stamp}id_/{url}")
    assert status == 200
    assert body == stored
    assert headers.get("content-length") == str(len(stored))


def test_a_record_keeping_the_servers_length_stalls_the_replay(tmp_path):
    """The defect, written by hand: a cut body under the server's Content-Length makes pywb's replay
    promise bytes it does not have; pywb keeps the connection open and the client stalls until its timeout.
    The test above would fail on such a record."""
    archive_dir = capture_truncated(tmp_path)
    url, stamp, stored, http_headers, _ = stored_response(archive_dir)
    headers = [(k, v) for k, v in http_headers.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(BIG))))
    warc = tmp_path / "old.warc.gz"
    with open(warc, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(stored),
            http_headers=StatusAndHeaders(http_headers.statusline, headers, protocol=http_headers.protocol),
            warc_headers_dict={"WARC-Date": f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:"
                                            f"{stamp[12:14]}Z", "WARC-Truncated": "length"})
        writer.write_record(record)
    root = tmp_path / "pywb"
    root.mkdir()
    with Pywb(root, warc) as pywb, pytest.raises((http.client.IncompleteRead, TimeoutError, socket.timeout)):
        pywb.get(f"/evidence/{stamp}id_/{url}")
