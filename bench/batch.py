"""Benchmark `provenance batch` on the loopback web of shared/bench, beside other tools.

Runs `run_peers.py` (which starts synthweb in a loopback-only network namespace) with the
`provenance-batch` peer and whichever peers are asked for, on the realistic workload and
optionally on a 4x workload for memory, and prints one line per run. It also times the
extraction step alone (`--offline`, no network), which the wall-time target adds to the
resolver's greedy ideal.

    python bench/batch.py --bench ../shared/bench              # realistic workload, C=32 P=4 I=0
    python bench/batch.py --bench ../shared/bench --peers linkchecker-files,requests-pool
    python bench/batch.py --bench ../shared/bench --politeness # the default P=2, I=0.25 as well
    python bench/batch.py --bench ../shared/bench --big         # N=2000 U=8000 for peak RSS
    python bench/batch.py --bench ../shared/bench --options=--no-check   # without the check stage

Not a test: nothing here asserts a time. The workloads are written under --work (not in the
shared bench folder), and provenance runs from this checkout through a small wrapper script.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def wrapper(work: Path, options: str = "") -> Path:
    """A `provenance` command that runs this checkout (never a pip-installed copy), with `options`
    after the harness's own (e.g. --no-check: the batch without its check stage)."""
    path = work / "provenance-here.sh"
    extra = f" {options}" if options else ""
    path.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m provenance "$@"{extra}\n')
    path.chmod(0o755)
    return path


def workload(bench: Path, out: Path, *extra: str) -> Path:
    if not (out / "meta.json").exists():
        subprocess.run([sys.executable, str(bench / "make_workload.py"), "--out", str(out), *extra], check=True)
    return out


def extraction_seconds(cmd: Path, articles: Path, work: Path) -> float:
    """Wall time of the batch with no network at all: reading, extraction, recording."""
    db = work / "offline.db"
    for p in work.glob("offline.db*"):
        p.unlink()
    t0 = time.monotonic()
    subprocess.run([str(cmd), "batch", str(articles), "--db", str(db), "--offline", "--quiet"],
                   check=False, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def run_peers(bench: Path, load: Path, out: Path, cmd: Path, peers: str, per_host: int, interval: float,
              retries: int, workers: int, peer_timeout: float = 900.0) -> list[dict]:
    python = bench / ".venvs" / "bv-harness" / "bin" / "python"
    subprocess.run([str(python if python.exists() else sys.executable), str(bench / "run_peers.py"),
                    "--workload", str(load), "--out", str(out), "--peers", peers, "--provenance", str(cmd),
                    "--workers", str(workers), "--per-host", str(per_host), "--min-interval", str(interval),
                    "--retries", str(retries), "--peer-timeout", str(peer_timeout)], check=True)
    data = json.loads((out / "results.json").read_text())
    return data["rows"]


def show(label: str, rows: list[dict], extraction: float | None) -> None:
    for r in rows:
        if not isinstance(r, dict) or "peer" not in r:
            continue
        greedy = r.get("ideal_greedy_s")
        budget = f" vs 1.2x(greedy+extraction)={1.2 * (greedy + extraction):.1f}s" \
            if greedy and extraction is not None and r["peer"] == "provenance-batch" else ""
        print(f"{label:12} {r['peer']:18} wall {r.get('wall_s')}s (x greedy {r.get('x_greedy_wall')}){budget}; "
              f"requests x{r.get('x_ideal_requests')}; verdicts {r.get('verdict_ok_pct')}%; "
              f"final URLs {r.get('final_url_ok_pct')}%; peak RSS {r.get('peak_rss_mb')} MB; CPU {r.get('cpu_s')}s"
              f"{'; ' + r['note'] if r.get('note') else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, required=True, help="the shared bench folder (run_peers.py, synthweb.py)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "provenance-batch-bench")
    ap.add_argument("--peers", default="", help="other peers to run beside provenance-batch (run_peers names)")
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--politeness", action="store_true",
                    help="also run with the defaults: --per-host 2 --min-interval 0.25")
    ap.add_argument("--big", action="store_true", help="also run on N=2000 U=8000 (peak RSS should stay flat)")
    ap.add_argument("--options", default="", help="more batch options for every run (e.g. --options=--no-check)")
    args = ap.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    cmd = wrapper(work, args.options)
    peers = ",".join(["provenance-batch", *[p for p in args.peers.split(",") if p]])
    real = workload(args.bench, work / "workload")
    extraction = extraction_seconds(cmd, real / "articles", work)
    n = len(os.listdir(real / "articles"))
    print(f"extraction alone (--offline): {extraction:.1f}s for {n} articles, {n / extraction:.0f} articles/s")
    show("realistic", run_peers(args.bench, real, work / "realistic", cmd, peers, 4, 0, args.retries, 32), extraction)
    if args.politeness:
        show("defaults", run_peers(args.bench, real, work / "defaults", cmd, "provenance-batch", 2, 0.25,
                                   args.retries, 32), extraction)
    if args.big:
        big = workload(args.bench, work / "workload-4x", "--articles", "2000", "--unique", "8000")
        show("4x", run_peers(args.bench, big, work / "big", cmd, "provenance-batch", 4, 0, args.retries, 32), None)


if __name__ == "__main__":
    main()
