"""Benchmark `provenance resolve` from this checkout against the shared loopback web.

A thin driver around the shared harness (`shared/bench/run_peers.py`, peer
`provenance-resolve`): it writes a wrapper that runs `python -m provenance` with this
checkout first on PYTHONPATH (so the code measured is the code here, not an installed
copy), then runs the harness once per setting and prints one line per run with the
figures the resolver's targets are judged on (R1-R4, T3-T6, C1-C2).

    python bench/resolve.py --bench /work/shared/bench --venvs DIR --workload DIR \\
        --runs realistic-r0,realistic-r2,realistic-p2,clean-c8,clean-c32,clean-c128

The harness re-runs itself in a network namespace whose only interface is loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name: (workload key, workers, per-host, min-interval, retries)
RUNS = {
    "realistic-r0": ("realistic", 32, 4, 0.0, 0),
    "realistic-r2": ("realistic", 32, 4, 0.0, 2),
    "realistic-p2": ("realistic", 32, 2, 0.0, 0),
    "realistic-i025": ("realistic", 32, 2, 0.25, 0),
    "clean-c8": ("clean", 8, 4, 0.0, 0),
    "clean-c32": ("clean", 32, 4, 0.0, 0),
    "clean-c128": ("clean", 128, 4, 0.0, 0),
}


def wrapper(out: Path) -> Path:
    path = out / "provenance-here"
    path.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m provenance \"$@\"\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench",
                    help="the shared bench folder (run_peers.py, synthweb.py)")
    ap.add_argument("--venvs", type=Path, default=None, help="the harness venvs (run_peers.py --setup)")
    ap.add_argument("--workload", type=Path, required=True, help="realistic workload (make_workload.py)")
    ap.add_argument("--clean", type=Path, default=None, help="throughput workload (--no-traps)")
    ap.add_argument("--out", type=Path, default=Path("bench-results"))
    ap.add_argument("--runs", default="realistic-r0,realistic-r2,clean-c32")
    a = ap.parse_args()

    a.out.mkdir(parents=True, exist_ok=True)
    prov = wrapper(a.out.resolve())
    venvs = a.venvs or Path(os.environ.get("BENCH_VENVS", a.bench / ".venvs"))
    python = venvs / "bv-harness" / "bin" / "python"
    for name in a.runs.split(","):
        kind, workers, per_host, interval, retries = RUNS[name]
        workload = a.workload if kind == "realistic" else (a.clean or a.workload.with_name("workload-clean"))
        out = a.out.resolve() / name
        cmd = [str(python), str(a.bench / "run_peers.py"), "--venvs", str(venvs), "--workload", str(workload),
               "--out", str(out), "--peers", "provenance-resolve", "--provenance", str(prov),
               "--workers", str(workers), "--per-host", str(per_host), "--min-interval", f"{interval:g}",
               "--retries", str(retries)]
        subprocess.run(cmd, cwd=a.bench, check=True, stdout=subprocess.DEVNULL)
        [row] = [r for r in json.loads((out / "results.json").read_text())["rows"]
                 if r["peer"] == "provenance-resolve"] if (out / "results.json").exists() else [{}]
        print(json.dumps({"run": name, "C": workers, "P": per_host, "I": interval, "retries": retries, **{
            k: row.get(k) for k in ("wall_s", "ideal_wall_s", "ideal_greedy_s", "x_greedy_wall", "requests",
                                    "ideal_requests", "x_ideal_requests", "duplicate_requests",
                                    "head_requests",
                                    "robots_txt", "peak_inflight_host", "verdict_ok_pct", "final_url_ok_pct",
                                    "cpu_s", "peak_rss_mb", "note")},
            "cpu_ms_per_request": round(1000 * row["cpu_s"] / row["requests"], 2)
            if row.get("requests") else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
