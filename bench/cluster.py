"""Benchmark `provenance batch --cluster local` beside the local batch, on the loopback web of shared/bench.

Runs `run_peers.py` (synthweb in a loopback-only network namespace) twice on the same workload:
the `provenance-batch` peer as it is, then with `--cluster local` (a LocalCluster on 127.0.0.1),
and prints, for each: wall time against the greedy ideal plus extraction, requests against the
ideal, verdicts and final URLs right, the per-host peak in flight counted by the server, and the
peak RSS of each process (the batch process, and the largest of its children: extraction
processes, or the Dask scheduler, nannies and workers).

    python bench/cluster.py --bench ../shared/bench                   # realistic workload (N=500)
    python bench/cluster.py --bench ../shared/bench --scales 1,4,10   # memory at 500, 2000, 5000 articles: a table
    python bench/cluster.py --bench ../shared/bench --scales 1,4,10 --modes local   # this machine's batch only
    python bench/cluster.py --bench ../shared/bench --scales 1,4,10 --options=--no-check  # memory, less CPU
    python bench/cluster.py --bench ../shared/bench --inputs folder,zip,warc --modes cluster   # the same articles
                                                               # as one zip, one WARC file: who reads them

Not a test: nothing here asserts a time. Run it once, on a quiet machine, and say how quiet it was.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import psutil
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import extraction_seconds, run_peers, workload  # noqa: E402 (bench/batch.py, beside this file)

ROOT = Path(__file__).resolve().parent.parent


def wrapper(work: Path, cluster: bool, options: str = "", packed: Path | None = None) -> Path:
    """A `provenance` command that runs this checkout; with `--cluster local` (and `options`) after the
    peer's arguments. With `packed`, the workload's articles folder, wherever the peer names it, is
    replaced by that zip or WARC file of the same articles."""
    name = ("provenance-cluster" if cluster else "provenance-here") + (f"-{packed.name}" if packed else "")
    path = work / f"{name}.sh"
    extra = (" --cluster local" if cluster else "") + (f" {options}" if options else "")
    swap = (f'for a do shift; case "$a" in */articles|*/articles/) a={packed};; esac; set -- "$@" "$a"; done\n'
            if packed else "")
    path.write_text(f'#!/bin/sh\n{swap}PYTHONPATH={ROOT} exec {sys.executable} -m provenance "$@"{extra}\n')
    path.chmod(0o755)
    return path


def pack(articles: Path, form: str) -> Path | None:
    """The workload's articles as one zip or one gzipped WARC file (built once beside them); None for the
    folder itself. A WARC record's URI is the file's own `file:` URL: no host a relative link could resolve
    against, so the articles cite what they cite as files."""
    if form == "folder":
        return None
    out = articles.parent / ("articles.zip" if form == "zip" else "articles.warc.gz")
    if out.exists():
        return out
    part = out.with_name(out.name + ".part")
    pages = sorted(articles.iterdir())
    if form == "zip":
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for page in pages:
                zf.write(page, page.name)
    else:
        with open(part, "wb") as f:
            w = WARCWriter(f, gzip=True)
            for page in pages:  # resource records: warcio reads HTTP headers only under an http(s) URI
                w.write_record(w.create_warc_record(page.resolve().as_uri(), "resource",
                                                    payload=io.BytesIO(page.read_bytes()),
                                                    warc_content_type="text/html; charset=utf-8"))
    part.rename(out)
    return out


class RssSampler:
    """Peak RSS per process of the batch whose command line names `marker`, and of its children."""

    def __init__(self, marker: str):
        self.marker = marker
        self.peaks: dict[int, tuple[str, int]] = {}
        self.batch_cpu = 0.0  # the batch process's CPU seconds, user and system, as last seen (0.25 s apart)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for p in psutil.process_iter(["pid", "cmdline"]):
                cmd = " ".join(p.info["cmdline"] or [])
                if self.marker not in cmd or " batch " not in cmd or "provenance" not in cmd:
                    continue
                try:
                    cpu = p.cpu_times()
                    self.batch_cpu = max(self.batch_cpu, cpu.user + cpu.system)
                    procs = [("batch", p)] + [("child", c) for c in p.children(recursive=True)]
                    for role, q in procs:
                        rss = q.memory_info().rss
                        if rss > self.peaks.get(q.pid, ("", 0))[1]:
                            self.peaks[q.pid] = (role, rss)
                except psutil.Error:
                    continue

    def batch_mb(self) -> float:
        return max((r for role, r in self.peaks.values() if role == "batch"), default=0) / 2**20

    def child_mb(self) -> float:
        return max((r for role, r in self.peaks.values() if role == "child"), default=0) / 2**20

    def summary(self) -> str:
        children = sum(1 for role, _ in self.peaks.values() if role == "child")
        return (f"batch process {self.batch_mb():.0f} MB and {self.batch_cpu:.1f} s CPU, largest child "
                f"{self.child_mb():.0f} MB ({children} children)")


def memory_table(peaks: dict[tuple[int, str, str], tuple[float, float]]) -> None:
    """Peak RSS per process at each scale, and each scale against the smallest (the target: 10x within 15 %)."""
    print("\n| workload | mode | input | batch process | largest child (extraction process / Dask worker) "
          "| vs smallest |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (scale, mode, form), (batch, child) in sorted(peaks.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        base = peaks[min(s for s, m, f in peaks if (m, f) == (mode, form)), mode, form]
        vs = f"batch {100 * (batch / base[0] - 1):+.0f} %, child {100 * (child / base[1] - 1):+.0f} %" \
            if base[0] and base[1] else ""
        print(f"| {scale}x ({500 * scale} articles) | {mode} | {form} | {batch:.0f} MB | {child:.0f} MB | {vs} |")


def show(label: str, rows: list[dict], extraction: float | None, rss: str) -> None:
    for r in rows:
        if not isinstance(r, dict) or r.get("peer") != "provenance-batch":
            continue
        greedy = r.get("ideal_greedy_s")
        budget = f"; 1.2x(greedy+extraction)={1.2 * (greedy + extraction):.1f}s" \
            if greedy and extraction is not None else ""
        print(f"{label:18} wall {r.get('wall_s')}s (x greedy {r.get('x_greedy_wall')}; greedy {greedy}s{budget}); "
              f"requests x{r.get('x_ideal_requests')}; verdicts {r.get('verdict_ok_pct')}%; "
              f"final URLs {r.get('final_url_ok_pct')}%; per-host peak {r.get('peak_inflight_host')} "
              f"(limit {r.get('per_host')}); tree RSS {r.get('peak_rss_mb')} MB; CPU {r.get('cpu_s')}s; {rss}"
              f"{'; ' + r['note'] if r.get('note') else ''}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, required=True, help="the shared bench folder (run_peers.py, synthweb.py)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "provenance-cluster-bench")
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--scales", default="1", help="workload sizes, in multiples of the realistic one (1,4,10)")
    ap.add_argument("--modes", default="local,cluster", help="local, cluster or both")
    ap.add_argument("--peer-timeout", type=float, default=3600.0, help="stop a run after this many seconds")
    ap.add_argument("--options", default="", help="more batch options for every run (e.g. --no-check)")
    ap.add_argument("--inputs", default="folder", help="the articles as a folder, a zip, a WARC file, or several")
    args = ap.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores at the start", flush=True)
    peaks: dict[tuple[int, str, str], tuple[float, float]] = {}
    for scale in [int(s) for s in args.scales.split(",")]:
        extra = () if scale == 1 else ("--articles", str(500 * scale), "--unique", str(2000 * scale))
        load = workload(args.bench, work / f"workload-{scale}x", *extra)
        extraction = None
        if scale == 1:
            extraction = extraction_seconds(wrapper(work, False), load / "articles", work)
            print(f"extraction alone (--offline, local): {extraction:.1f}s", flush=True)
        for form in args.inputs.split(","):
            packed = pack(load / "articles", form)
            for mode in args.modes.split(","):
                cmd = wrapper(work, mode == "cluster", args.options, packed)
                out = work / f"{mode}-{scale}x" if form == "folder" else work / f"{mode}-{scale}x-{form}"
                with RssSampler(str(out)) as rss:
                    rows = run_peers(args.bench, load, out, cmd, "provenance-batch", 4, 0, args.retries, 32,
                                     args.peer_timeout)
                show(f"{scale}x {mode} {form}", rows, extraction, rss.summary())
                peaks[scale, mode, form] = (rss.batch_mb(), rss.child_mb())
                print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end", flush=True)
    memory_table(peaks)


if __name__ == "__main__":
    main()
