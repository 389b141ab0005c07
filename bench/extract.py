"""Benchmark: the whole `extract` (citations and claims, in-process) against two baselines.

    python bench/extract.py [--pages DIR] [--repeat N]

On the same pages in the same run it times:
  - provenance `extract` (body detection, links, embeds, outlets, quotes, claims, grading);
  - `trafilatura.extract` (main-text extraction only, links kept);
  - a plain lxml parse that collects every `<a href>` (the floor any HTML reader pays).
It reports pages/s on one core, MB/s of HTML, and median and p95 milliseconds per page, all
from the CPU time of this process (so other work on a shared machine does not skew them), with
the wall-clock pages/s beside them. Single process, single thread; pages decoded once before timing.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.extract import extract  # noqa: E402
from provenance.ingest import article_from_bytes  # noqa: E402

DEFAULT_PAGES = ROOT.parent / "shared" / "corpus" / "pages"


def load(pages_dir: Path):
    items = []
    for path in sorted(pages_dir.glob("*.html.gz")):
        data = gzip.decompress(path.read_bytes())
        items.append((path.name, data, article_from_bytes(path.name, data)))
    return items


def run_provenance(item):
    extract(item[2])


def run_trafilatura(item):
    import trafilatura

    trafilatura.extract(item[2].content, include_links=True, include_comments=False, fast=False)


def run_lxml_links(item):
    from lxml import html

    root = html.document_fromstring(item[2].content)
    [a.get("href") for a in root.iter("a") if a.get("href")]


# A page with no metadata at all: warming up on it too takes the imports made only for such pages
# (htmldate, the date fallback, and what it imports: a quarter of a second) out of the timing, as
# the first page's warm-up does for everything else.
BARE_PAGE = b"<html><body><p>A paragraph of text without a date, a title or a link.</p></body></html>"


def measure(fn, items, repeat: int) -> dict:
    fn(items[0])  # warm-up: imports, compiled patterns, data tables
    fn(("bare.html", BARE_PAGE, article_from_bytes("bare.html", BARE_PAGE)))
    times = []
    wall0 = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            t0 = time.process_time()
            fn(item)
            times.append((time.process_time() - t0) * 1000)
    wall_s = time.perf_counter() - wall0
    total_s = sum(times) / 1000
    mb = sum(len(i[1]) for i in items) * repeat / 1e6
    ordered = sorted(times)
    return {
        "pages_s": len(times) / total_s,
        "wall_pages_s": len(times) / wall_s,
        "mb_s": mb / total_s,
        "median_ms": statistics.median(times),
        "p95_ms": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
        "max_ms": ordered[-1],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the pages (default 3)")
    args = ap.parse_args()
    items = load(args.pages)
    if not items:
        print(f"no *.html.gz pages in {args.pages}")
        return 2
    size = sum(len(i[1]) for i in items) / 1e6
    print(f"{len(items)} pages, {size:.1f} MB of HTML, {args.repeat} passes, one process, one core")
    head = ("(CPU time)", "pages/s", "MB/s", "median ms", "p95 ms", "max ms", "wall p/s")
    print("{:24} {:>8} {:>7} {:>10} {:>8} {:>8} {:>9}".format(*head))
    for name, fn in (
        ("provenance extract", run_provenance),
        ("trafilatura.extract", run_trafilatura),
        ("lxml parse + <a href>", run_lxml_links),
    ):
        try:
            r = measure(fn, items, args.repeat)
        except ImportError as e:  # a baseline of the [bench] extra, not installed
            print(f"{name:24} not installed ({e.name}): pip install -e '.[bench]'")
            continue
        print(
            f"{name:24} {r['pages_s']:8.1f} {r['mb_s']:7.2f} {r['median_ms']:10.1f} {r['p95_ms']:8.1f} "
            f"{r['max_ms']:8.1f} {r['wall_pages_s']:9.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
