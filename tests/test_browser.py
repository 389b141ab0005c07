"""A real browser: headless Chromium opens Datasette (on 127.0.0.1) and the HTML report (a file), and what a
reader would see is checked in the rendered DOM. Screenshots are kept in tests/artifacts/ to look at.

Chromium only ever loads 127.0.0.1 or file:// pages here: background networking is off and every host
name but 127.0.0.1 resolves to nothing.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance import __version__, report
from provenance.cli import app
from provenance.models import Snapshot
from provenance.store import writes

from .conftest import EXAMPLES, ROOT, needs
from .headless import Browser, png_size
from .report_example import TCO, X_URL, audited_offline, post_claim

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    needs(CHROMIUM is not None, "chromium is not installed (scripts/setup.sh --test installs it)"),
    pytest.mark.slow,
]
WIDTHS = (1280, 800)
# Codes written for programs that a reader must never be shown.
JARGON = ("a[href]", "blockquote.twitter-tweet", "paragraph-outlet", "according-to:", "text: tweet residue",
          "embedded-post", "quote-attribution")
# Each facet word whose letters sit on more than one line: a word broken in the middle.
BROKEN_WORDS_JS = """
(() => {
  const broken = [];
  for (const item of document.querySelectorAll('.facet-info li')) {
    const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
})()
"""


def chromium(tmp_path: Path, url: str, *extra: str) -> str:
    assert url.startswith(("http://127.0.0.1:", "file://")), url
    profile = tmp_path / "chromium-profile"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        *extra,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(tmp_path: Path, url: str, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    # Tall enough for the whole page: headless Chromium leaves scrolled-past regions unpainted.
    chromium(tmp_path, url, f"--screenshot={path}", "--hide-scrollbars", "--window-size=1280,2400")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answering(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def add_the_html_article(path: Path, db) -> int:
    """The sample HTML page audited offline into the same database, and a URL of it that four past runs
    looked up in the Wayback Machine without finding anything. Returns the article's id."""
    source = EXAMPLES / "council-bridge.html"
    result = CliRunner().invoke(app, ["audit", str(source), "--offline", "--db", str(path)])
    assert result.exit_code == 0, result.output
    article = db.execute("SELECT id FROM articles WHERE source = ?", [str(source)]).fetchone()[0]
    url = db.execute(
        "SELECT url FROM citations WHERE article_id = ? AND kind = 'short_link'", [article]
    ).fetchone()[0]
    for hour in range(4):
        writes.record_snapshot(
            db, None, Snapshot(url=url, status="unknown", reason="cdx_error", checked_at=f"2026-11-30T0{hour}:00")
        )
    return article


def visible_once(text: str, line_start: str) -> None:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(line_start)]
    assert lines and len(lines) == len(set(lines)), lines


@pytest.fixture
def datasette(tmp_path):
    """`provenance browse` serving the example on 127.0.0.1; yields (base URL, db, article id)."""
    path = tmp_path / "study.db"
    db, article_id = audited_offline(path)
    add_the_html_article(path, db)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance", "browse", "--db", str(path), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if answering(f"{base}/-/versions.json"):
                break
            if proc.poll() is not None:
                pytest.fail(f"provenance browse exited: {proc.stdout.read().decode(errors='replace')}")
            time.sleep(0.1)
        else:
            pytest.fail("provenance browse did not start Datasette")
        yield base, db, article_id
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert not answering(f"{base}/-/versions.json"), "stopping provenance browse stops Datasette too"


def test_the_claim_chain_page_shows_the_short_link_and_its_hops(datasette, tmp_path):
    base, db, article_id = datasette
    url = f"{base}/study/claim_chain?claim_id={post_claim(db, article_id)}"
    dom = chromium(tmp_path, url, "--dump-dom")
    assert "Chain of one claim" in dom
    assert "Every step from one claim to its evidence" in dom
    assert TCO in dom
    assert f"301 → {X_URL}" in dom, "the first hop and where it pointed"
    assert "302 → https://twitter.com/United24media/status/1940000000000000000" in dom
    assert "embedded-post" in dom
    screenshot(tmp_path, url, "datasette-claim-chain.png")


def test_from_the_claims_table_a_link_leads_to_the_claims_evidence(datasette, tmp_path):
    base, db, article_id = datasette
    post = post_claim(db, article_id)
    dom = chromium(tmp_path, f"{base}/study/claims?_sort=id", "--dump-dom")
    assert "The assertions of each article" in dom
    assert "Macron and Putin’s rare two-hour call resonates" in dom, "articles show by title"
    links = re.findall(r'<a href="(/study/claim_chain\?claim_id=(\d+))"', dom)
    assert str(post) in {claim for _, claim in links}, "each claim's text links to its chain"
    href = next(h for h, claim in links if claim == str(post)).replace("&amp;", "&")
    chain = chromium(tmp_path, base + href, "--dump-dom")
    assert TCO in chain and f"301 → {X_URL}" in chain


def test_the_html_report_renders_its_claims_and_opens_a_chain(tmp_path, db_path):
    db, article_id = audited_offline(db_path)
    page = tmp_path / "report.html"
    page.write_text(report.render_html(report.load(db, article_id)), encoding="utf-8")
    post = post_claim(db, article_id)
    url = page.as_uri() + f"#claim-{post}"
    dom = chromium(tmp_path, url, "--dump-dom")
    assert 'data-ready="1"' in dom, "the inline script ran: the page's own policy allows it"
    claims = db.execute("SELECT count(*) FROM claims WHERE article_id = ?", [article_id]).fetchone()[0]
    assert len(set(re.findall(r'class="claim s-\w+[^"]*"[^>]*data-claim="(\d+)"', dom))) == claims
    section = dom[dom.index(f'id="claim-{post}"') - 40 :]
    assert 'class="chain open"' in section[:80], "the chain named in the address is open"
    assert TCO in section and "hop 1:" in section
    screenshot(tmp_path, url, "html-report.png")


def test_the_html_report_reads_as_a_person_sees_it_at_1280_and_800(tmp_path, db_path):
    db, seed_id = audited_offline(db_path)
    bridge_id = add_the_html_article(db_path, db)
    version = f"provenance {__version__}"  # what `provenance --version` prints
    with Browser(tmp_path / "profile") as browser:
        for article_id in (seed_id, bridge_id):
            r = report.load(db, article_id)
            page_path = tmp_path / f"article-{article_id}.html"
            page_path.write_text(report.render_html(r), encoding="utf-8")
            # the chain that runs through the short link: its evidence panel is open
            claim = db.execute(
                "SELECT cc.claim_id FROM claim_citations cc JOIN citations c ON c.id = cc.citation_id "
                "WHERE c.article_id = ? AND c.kind = 'short_link' ORDER BY cc.claim_id LIMIT 1",
                [article_id],
            ).fetchone()
            claim = claim[0] if claim else post_claim(db, article_id)
            for width in WIDTHS:
                page = browser.open(f"{page_path.as_uri()}#claim-{claim}", width)
                assert page.eval("document.body.dataset.ready") == "1"
                seen = page.text()
                for code in JARGON:
                    assert code not in seen, (article_id, width, code)
                assert seen.count(r.title) == 1, "the headline once, as the page's heading"
                assert "\n\n\n" not in page.text("#text"), "one blank line between paragraphs"
                panel = page.text(".chain.open")
                assert "Wayback:" in panel or "no specific page" in panel
                if "Wayback:" in panel:
                    visible_once(panel, "Wayback:")
                assert version in seen, "the footer names the version"
                assert page.fits_width(), "no sideways scrolling"
                columns = page.eval(
                    "getComputedStyle(document.querySelector('.layout')).gridTemplateColumns.split(' ').length"
                )
                assert columns == (2 if width > 900 else 1), "text and panel side by side only when there is room"
                shot = page.screenshot(ARTIFACTS / f"html-report-{article_id}-{width}.png")
                assert png_size(shot)[0] == width


def test_datasette_reads_as_a_person_sees_it_at_1280_and_800(datasette, tmp_path):
    base, db, article_id = datasette
    post = post_claim(db, article_id)
    headline = db.execute("SELECT title FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    with Browser(tmp_path / "profile") as browser:
        for width in WIDTHS:
            index = browser.open(f"{base}/", width).text()
            assert "canned queries below" not in index and "canned query below" not in index
            database = browser.open(f"{base}/study", width).text()
            assert database.index("Unsourced claims") < database.index("Tables"), "the queries head the page"

            claims = browser.open(f"{base}/study/claims?_sort=id", width)
            cells = claims.eval("Array.from(document.querySelectorAll('td.col-article_id')).map(td => td.innerText)")
            assert cells and set(cells) <= {f"article {n}" for n in range(1, 10)}, "an id, not a headline per row"
            assert headline in claims.text(), "the headline is still shown once, in the facet"
            assert claims.eval(BROKEN_WORDS_JS) == [], "facet values wrap between words"
            claims.screenshot(ARTIFACTS / f"datasette-claims-{width}.png")

            citations = browser.open(f"{base}/study/citations?_sort=id", width)
            seen = citations.text()
            for code in JARGON:
                assert code not in seen, (width, code)
            assert "link in the text" in seen and "embedded tweet" in seen
            citations.screenshot(ARTIFACTS / f"datasette-citations-{width}.png")

            chain = browser.open(f"{base}/study/claim_chain?claim_id={post}", width)
            seen = chain.text()
            for code in JARGON:
                assert code not in seen, (width, code)
            assert TCO in seen and "the embedded post's text" in seen
            shot = chain.screenshot(ARTIFACTS / f"datasette-claim-chain-{width}.png")
            assert png_size(shot)[0] == width
