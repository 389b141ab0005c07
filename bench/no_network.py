"""Benchmark `provenance resolve` on a machine with no network: how soon does it say so?

A long URL list whose names can't be resolved must end in seconds, every URL `error` with
`dns_unavailable` or `no_network`, never `dead` or `skipped (robots)`. Two ways a network goes
missing are measured, each in a private network and mount namespace where only loopback exists:

- `fail`: lookups fail at once (the name server's port is closed: a sandbox, a plane);
- `hang`: the name server never answers (it drops queries: a captive or broken network). It is a
  UDP socket on 127.0.0.1:53 that reads and never replies, named in a resolv.conf bound over
  /etc/resolv.conf inside the namespace only (`--resolv-options`, default `timeout:2 attempts:1`).

    python bench/no_network.py --urls 2000 --names 500 --modes fail,hang [--timeout 300] [--checkout DIR]
        [--resolv-options "timeout:5 attempts:2"]

Each mode prints one JSON line: wall seconds, exit code, and the count of each (status, reason).
Default settings otherwise (robots obeyed, per-host interval, retries). Nothing leaves the namespace.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _in_namespace() -> None:
    """Re-run this script inside a new user, network and mount namespace, loopback up."""
    if os.environ.get("PROVENANCE_BENCH_NS") == "1":
        return
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rnm", "true"], capture_output=True).returncode:
        sys.exit("cannot make a private network namespace (unshare -rnm): not measured")
    os.environ["PROVENANCE_BENCH_NS"] = "1"
    os.execvp("unshare", ["unshare", "-rnm", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
                          sys.executable, *sys.argv])


def _silent_name_server() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    threading.Thread(target=lambda: [sock.recvfrom(4096) for _ in iter(int, 1)], daemon=True).start()


def _point_dns_at(conf: str, folder: Path) -> None:
    path = folder / "resolv.conf"
    path.write_text(conf)
    subprocess.run(["mount", "--bind", str(path), "/etc/resolv.conf"], check=True)


def run(mode: str, urls: Path, timeout: float, folder: Path, checkout: Path, options: str) -> dict:
    _point_dns_at(f"nameserver 127.0.0.1\noptions {options}\n", folder)
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    t0 = time.monotonic()
    with urls.open("rb") as stdin:
        try:
            p = subprocess.run([sys.executable, "-m", "provenance", "resolve", "-", "--format", "json"],
                               stdin=stdin, capture_output=True, env=env, cwd=folder, timeout=timeout)
            code, out = p.returncode, p.stdout
        except subprocess.TimeoutExpired:
            code, out = None, b""
        finally:
            subprocess.run(["umount", "/etc/resolv.conf"], check=False)
    wall = round(time.monotonic() - t0, 2)
    counts = Counter(f"{r['status']}/{r['reason']}" for r in json.loads(out)) if out.strip() else {}
    return {"mode": mode, "wall_s": wall, "exit": code, "finished": code is not None, "verdicts": dict(counts)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--urls", type=int, default=2000, help="URLs in the list")
    ap.add_argument("--names", type=int, default=500, help="distinct host names among them")
    ap.add_argument("--modes", default="fail,hang")
    ap.add_argument("--timeout", type=float, default=300.0, help="give up on a run after this many seconds")
    ap.add_argument("--checkout", type=Path, default=ROOT, help="the code measured (default: this checkout)")
    ap.add_argument("--resolv-options", default="timeout:2 attempts:1",
                    help="resolv.conf options (glibc's defaults are timeout:5 attempts:2)")
    a = ap.parse_args()
    _in_namespace()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        urls = folder / "urls.txt"
        urls.write_text("".join(f"https://site{i % a.names}.example-news.org/2024/story-{i}.html\n"
                                for i in range(a.urls)))
        for mode in sorted(set(a.modes.split(",")), key=("fail", "hang").index):  # nothing on :53, then a mute one
            if mode == "hang":
                _silent_name_server()
            row = run(mode, urls, a.timeout, folder, a.checkout.resolve(), a.resolv_options)
            print(json.dumps({"urls": a.urls, "names": a.names, **row}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
