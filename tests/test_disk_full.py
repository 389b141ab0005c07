"""A full disk stops a run with one line and loses nothing: the database stays whole, the WARC files
end at whole records, and nothing that could not be kept is marked done, so the same command run
again once space is freed ends where a run that had space all along ends.

The disk is made full two ways: by fault injection at the one call that writes WARC bytes (every
machine), and by a tiny tmpfs in a private mount namespace (`unshare -rm`, where the machine
allows it), which fills up under SQLite and the WARC writer alike. The web is served on 127.0.0.1
by the test itself.
"""

from __future__ import annotations

import base64
import errno
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from provenance import batch as batch_mod
from provenance.archive import warc
from provenance.archive.verify import check_file, warc_files
from provenance.errors import DiskFull

from .test_batch import Web, settings_for, write_articles

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _end_state(db) -> tuple[list, list]:
    """Each claim's status and each cited URL's saved copies: what a user reads at the end."""
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    claims = con.execute("SELECT a.source, c.seq, c.status FROM claims c JOIN articles a ON a.id = c.article_id "
                         "ORDER BY 1, 2").fetchall()
    kept = con.execute("SELECT u.url, count(*) FROM captures c JOIN urls u ON u.id = c.url_id "
                       "WHERE c.record_type IN ('response', 'revisit') GROUP BY u.url ORDER BY 1").fetchall()
    items = con.execute("SELECT state, count(*) FROM batch_items GROUP BY state").fetchall()
    con.close()
    return claims, kept, items


def _disk_fills_after(monkeypatch, writes: int) -> None:
    """The WARC writer's `writes`+1-th write puts half its bytes on disk, then every write fails: no space."""
    real, count = warc._write, [0]

    def write(fd, data):
        count[0] += 1
        if count[0] > writes:
            if count[0] == writes + 1:
                real(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(warc, "_write", write)


def test_a_batch_stopped_by_a_full_disk_ends_like_a_run_with_space_once_it_is_run_again(tmp_path, monkeypatch):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=6)
        control = batch_mod.run_batch(settings_for(tmp_path / "control" / "p.db"), [str(tmp_path / "in")],
                                      extract_workers=0)
        settings = settings_for(tmp_path / "full" / "p.db")
        with monkeypatch.context() as m:
            _disk_fills_after(m, 8)
            with pytest.raises(DiskFull, match=r"^disk full: could not save http://127\.0\.0\.1.*; free space and run "
                                               r"the same command again$"):
                batch_mod.run_batch(settings, [str(tmp_path / "in")], extract_workers=0)
        # stopped: the database is whole, every WARC file closed at a whole record
        stopped_claims, stopped_kept, stopped_items = _end_state(settings.db)
        files = warc_files(settings.warc_dir())
        assert files and all(f.name.endswith(".warc.gz") and check_file(f).ok for f in files)
        assert ("done", 6) not in stopped_items
        again = batch_mod.run_batch(settings, [str(tmp_path / "in")], extract_workers=0)
    assert again.articles == control.articles == 6 and again.exit_code() == control.exit_code()
    assert _end_state(settings.db) == _end_state(control_db := tmp_path / "control" / "p.db")
    assert "archived" in {status for _, _, status in _end_state(control_db)[0]}
    assert all(check_file(f).ok for f in warc_files(settings.warc_dir()))


def _tmpfs_allowed() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
                            "mount -t tmpfs -o size=64k tmpfs /tmp"], capture_output=True)
    return probe.returncode == 0


class _BulkyWeb(Web):
    """The test web, its pages made of text that does not compress (so that they fill a small disk)."""

    def __init__(self):
        super().__init__()
        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # each answer leaves at once, not 40 ms later on the client's delayed ACK
            def log_message(self, *a):
                pass

            def do_GET(self):
                m = re.match(r"/(p|s)/(\d+)", self.path)
                if m and m.group(1) == "s":
                    self.send_response(301)
                    self.send_header("Location", f"/p/{m.group(2)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                n = int(m.group(2)) if m else 0
                filler = base64.b64encode(os.urandom(24_000)).decode()  # differs on every fetch, as live pages do
                body = f"<html><head><title>Page {n}</title></head><body><p>Real content {n}. {filler}</p>" \
                       "</body></html>"
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server.server_close()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)


def _du(folder) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@pytest.mark.slow
@pytest.mark.skipif(not _tmpfs_allowed(), reason="needs unshare -rm and tmpfs mounts (a user namespace)")
def test_a_full_tmpfs_is_one_line_and_exit_1_and_a_rerun_with_space_completes_the_job(tmp_path):
    cmd = f"PYTHONPATH={ROOT} {sys.executable} -m provenance batch IN --db DISK/p.db --quiet --allow-private " \
          "--robots ignore --no-wayback --retries 0 --min-interval 0 --per-host 4"
    with _BulkyWeb() as web:
        write_articles(tmp_path / "in", web.base, n=8)
        control = tmp_path / "control"
        control.mkdir()
        first = subprocess.run(cmd.replace("IN", str(tmp_path / "in")).replace("DISK", str(control)), shell=True,
                               capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        full_size = _du(control)
        disk = tmp_path / "disk"
        disk.mkdir()
        run = cmd.replace("IN", str(tmp_path / "in")).replace("DISK", str(disk))
        script = (f"mount -t tmpfs -o size={full_size // 2} tmpfs {disk} || exit 99\n"
                  f"{run} >{tmp_path}/out1 2>{tmp_path}/err1; echo $? >{tmp_path}/rc1\n"
                  f"mount -o remount,size={full_size * 4} {disk}\n"
                  f"{run} >{tmp_path}/out2 2>{tmp_path}/err2; echo $? >{tmp_path}/rc2\n"
                  f"cp -r {disk} {tmp_path}/kept\n")
        done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    err1 = (tmp_path / "err1").read_text()
    assert (tmp_path / "rc1").read_text().strip() == "1", err1
    assert err1.count("\n") == 1 and err1.startswith("provenance: disk full: ") \
        and err1.rstrip().endswith("; free space and run the same command again"), err1
    assert "Traceback" not in err1 and "Errno" not in err1
    assert (tmp_path / "rc2").read_text().strip() == "0", (tmp_path / "err2").read_text()
    kept = tmp_path / "kept"
    assert _end_state(kept / "p.db")[0] == _end_state(control / "p.db")[0]
    assert all(check_file(f).ok for f in warc_files(kept / "archive"))
    assert not list((kept / "archive").glob("*.open"))


def test_an_audit_stopped_by_a_full_disk_ends_like_one_with_space_once_run_again(tmp_path, monkeypatch):
    from provenance import usecases

    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=1, links=5, shared=1)
        article = str(tmp_path / "in" / "a0000.html")
        first = usecases.audit_sources(settings_for(tmp_path / "control" / "p.db"), [article])
        settings = settings_for(tmp_path / "full" / "p.db")
        with monkeypatch.context() as m:
            _disk_fills_after(m, 3)
            with pytest.raises(DiskFull):
                usecases.audit_sources(settings, [article])
        assert all(check_file(f).ok for f in warc_files(settings.warc_dir()))
        again = usecases.audit_sources(settings, [article])
    assert again.exit_code() == first.exit_code()
    control = sqlite3.connect(tmp_path / "control" / "p.db")
    full = sqlite3.connect(settings.db)
    statuses = "SELECT seq, status FROM claims WHERE article_id = (SELECT max(id) FROM articles) ORDER BY seq"
    assert full.execute(statuses).fetchall() == control.execute(statuses).fetchall()
    assert "archived" in {s for _, s in control.execute(statuses)}
    # The stopped run says so (it read `running` for ever); the one run again is done.
    runs = full.execute("SELECT status, failures FROM runs ORDER BY id").fetchall()
    assert [status for status, _ in runs] == ["failed", "done"]
    assert "space" in runs[0][1].lower() or "full" in runs[0][1].lower(), runs[0][1]


def test_a_run_stopped_by_ctrl_c_or_a_failure_says_so_on_its_row(tmp_path, monkeypatch):
    """No stopped run reads as `running`: Ctrl-C marks it interrupted, any other error failed."""
    from provenance import usecases
    from provenance.audit import Auditor

    write_articles(tmp_path / "in", "http://127.0.0.1:9", n=1, links=2)
    article = str(tmp_path / "in" / "a0000.html")
    settings = settings_for(tmp_path / "p.db", offline=True)
    for error in (KeyboardInterrupt(), RuntimeError("a parser bug")):
        def stop(self, *args, error=error):
            raise error

        with monkeypatch.context() as m:
            m.setattr(Auditor, "audit", stop)
            with pytest.raises(type(error)):
                usecases.audit_sources(settings, [article])
    runs = sqlite3.connect(settings.db).execute("SELECT status, failures FROM runs ORDER BY id").fetchall()
    assert [status for status, _ in runs] == ["interrupted", "failed"]
    assert "a parser bug" in runs[1][1]
