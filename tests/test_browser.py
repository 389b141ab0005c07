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

from provenance import report

from .conftest import ROOT
from .report_example import TCO, X_URL, audited_offline, post_claim

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh --test installs it)"
)


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


@pytest.fixture
def datasette(tmp_path):
    """`provenance browse` serving the example on 127.0.0.1; yields (base URL, db, article id)."""
    path = tmp_path / "study.db"
    db, article_id = audited_offline(path)
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
