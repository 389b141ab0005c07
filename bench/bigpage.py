"""Benchmark one very large page: `extract`, `audit --offline` and `batch --offline` on ~5.7 MB of HTML.

    python bench/bigpage.py [--page corpus.html.gz] [--mb 5.7] [--work DIR]

The page is built here: the linked paragraphs of a real corpus page are repeated inside
its own article body until the file reaches the size asked for, each repetition citing
its URLs with a query of its own and opening each paragraph with its number (so the page
holds tens of thousands of claims and of distinct cited URLs, as a long live blog or an
archive page does). Each command runs
from this checkout in a subprocess of its own with a fresh database, and the wall time
of each is printed with the page's claim and citation counts. Grading and recording
must stay linear in the size of the page: a quadratic step shows here first.

Not a test: nothing here asserts a time. No network is used (every command is offline);
run it under `unshare -rn` to be sure of that.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAGE = ROOT.parent / "shared" / "corpus" / "pages" / "fivethirtyeight-2020-endorsement-race.html.gz"
_PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.S)
_OPEN = re.compile(r"<p\b[^>]*>")
_HREF = re.compile(r'href="(https?://[^"#?]+)')


def build_page(source: Path, megabytes: float) -> str:
    """The source page with its linked paragraphs repeated after the first one until it is `megabytes` long."""
    html = gzip.decompress(source.read_bytes()).decode("utf-8", "replace")
    paragraphs = _PARAGRAPH.findall(html)
    if not any("href=" in p for p in paragraphs):
        raise SystemExit(f"{source}: no linked <p> paragraphs to repeat")
    linked = [p for p in paragraphs if "href=" in p]
    block = "\n".join(linked)
    at = html.find(linked[0]) + len(linked[0])  # inside the article's body, after its first linked paragraph
    parts, size, i = [], len(html), 0
    while size < megabytes * 1e6:
        i += 1
        copy = _HREF.sub(lambda m, i=i: f'href="{m.group(1)}?part={i}', block)
        copy = _OPEN.sub(lambda m, i=i: f"{m.group(0)}Update {i}: ", copy)
        parts.append(copy)
        size += len(copy) + 1
    return html[:at] + "\n" + "\n".join(parts) + html[at:]


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "provenance", *cmd], cwd=cwd, env=env, capture_output=True,
                          text=True)
    return time.monotonic() - t0, done.returncode, done.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", type=Path, default=DEFAULT_PAGE, help="a gzipped corpus page to grow")
    ap.add_argument("--mb", type=float, default=5.7, help="size of the built page in MB (default 5.7)")
    ap.add_argument("--work", type=Path, default=None, help="folder for the page and databases (default: temp)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bigpage-"))
    work.mkdir(parents=True, exist_ok=True)
    page = work / "big.html"
    page.write_text(build_page(args.page, args.mb), encoding="utf-8")
    print(f"page: {page} ({page.stat().st_size / 1e6:.1f} MB, built from {args.page.name})")

    seconds, code, out = timed(["extract", str(page)], work)
    doc = json.loads(out) if code == 0 else {"claims": [], "citations": []}
    print(f"{len(doc['claims'])} claims, {len(doc['citations'])} citations")
    print(f"{'extract':22} {seconds:8.1f} s  (exit {code})")
    for name, cmd in (("audit --offline", ["audit", str(page), "--offline", "--format", "json"]),
                      ("batch --offline", ["batch", str(page), "--offline", "--quiet"])):
        db = work / f"{name.split()[0]}.db"
        for p in work.glob(db.name + "*"):
            p.unlink()
        seconds, code, _ = timed([*cmd, "--db", str(db)], work)
        print(f"{name:22} {seconds:8.1f} s  (exit {code})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
