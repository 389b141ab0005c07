"""The example article as a database, for the report, export and browse tests.

`hand_made` is the article as extraction should read it, written out by hand
so the report tests do not depend on how extraction evolves. `recorded` writes
it as an offline audit would, then adds what a later online run found for the
t.co link: its redirect hops, the final page, a WARC capture and a Wayback
snapshot.
"""

from __future__ import annotations

from provenance.models import (
    Article,
    Capture,
    Citation,
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    Extraction,
    FoundBy,
    Hop,
    Kind,
    Resolution,
    Snapshot,
    Status,
)
from provenance.store import schema as database
from provenance.store import writes

from .conftest import SEED

TCO = "https://t.co/Cnqgv5qgwV"
X_URL = "https://x.com/United24media/status/1940000000000000000"
FINAL = "https://twitter.com/United24media/status/1940000000000000000"
WAYBACK = "https://web.archive.org/web/20250701120000/" + TCO


def _at(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    start = text.index(needle, after)
    return start, start + len(needle)


def hand_made() -> tuple[Article, Extraction]:
    text = SEED.read_text(encoding="utf-8")
    post = "⚡️ Putin and Macron spoke by phone for the first time since 2022."
    quote1 = (
        "Macron emphasized France’s unwavering support for Ukraine’s sovereignty and territorial integrity"
    )
    quote2 = "called for the establishment, as soon as possible, of a ceasefire"
    yn1 = _at(text, "yournews.com")
    yn2 = _at(text, "yournews.com", yn1[1])
    f1 = _at(text, "france24.com")
    f2 = _at(text, "france24.com", f1[1])
    citations = [
        Citation(
            1,
            Kind.TWEET,
            post,
            handle="@United24media",
            date="2025-07-01",
            found_by=FoundBy.TWEET_RESIDUE,
            start=_at(text, post)[0],
            end=_at(text, "July 1, 2025")[1],
        ),
        Citation(
            2,
            Kind.SHORT_LINK,
            TCO,
            url=TCO,
            parent=1,
            found_by=FoundBy.BARE_URL,
            start=_at(text, TCO)[0],
            end=_at(text, TCO)[1],
        ),
        Citation(
            3,
            Kind.OUTLET,
            "yournews.com",
            outlet="yournews.com",
            found_by=FoundBy.PARAGRAPH_OUTLET,
            start=yn1[0],
            end=yn1[1],
        ),
        Citation(
            4,
            Kind.VIDEO,
            "Watch a report: Putin, Macron resume talk after 3 years, discuss Ukraine, Iran",
            found_by=FoundBy.WATCH_LINE,
            start=_at(text, "Watch a report")[0],
        ),
        Citation(
            5, Kind.OUTLET, "france24.com", outlet="france24.com", found_by=FoundBy.QUOTE_ATTRIBUTION,
            start=f1[0], end=f1[1],
        ),
        Citation(
            6,
            Kind.QUOTE,
            quote1,
            speaker="French presidential office",
            outlet="france24.com",
            parent=5,
            found_by=FoundBy.QUOTATION,
            start=_at(text, quote1)[0],
            end=_at(text, quote1)[1],
        ),
        Citation(
            7, Kind.OUTLET, "france24.com", outlet="france24.com", found_by=FoundBy.QUOTE_ATTRIBUTION,
            start=f2[0], end=f2[1],
        ),
        Citation(
            8,
            Kind.QUOTE,
            quote2,
            speaker="French presidential office",
            outlet="france24.com",
            parent=7,
            found_by=FoundBy.QUOTATION,
            start=_at(text, quote2)[0],
            end=_at(text, quote2)[1],
        ),
        Citation(
            9,
            Kind.OUTLET,
            "yournews.com",
            outlet="yournews.com",
            found_by=FoundBy.PARAGRAPH_OUTLET,
            start=yn2[0],
            end=yn2[1],
        ),
    ]

    def claim(i, kind, snippet, links=(), status=ClaimStatus.UNSOURCED, supported_by=()):
        start, end = _at(text, snippet)
        return Claim(
            i, kind, snippet, start, end, [ClaimLink(*link) for link in links], list(supported_by), status
        )

    claims = [
        claim(
            1,
            ClaimKind.HEADLINE,
            "Macron and Putin’s rare two-hour call resonates with global implications, "
            "as they debate the future of Ukraine and Iran’s nuclear ambitions.",
        ),
        claim(
            2,
            ClaimKind.BULLET,
            "Macron urged Putin to cease fire in Ukraine.",
            status=ClaimStatus.VAGUE,
            supported_by=[(11, 0.55)],
        ),
        claim(
            3,
            ClaimKind.BULLET,
            "France supports Ukraine’s sovereignty.",
            status=ClaimStatus.VAGUE,
            supported_by=[(10, 0.62)],
        ),
        claim(
            4,
            ClaimKind.BULLET,
            "Putin blames the West for the Ukraine conflict.",
            status=ClaimStatus.VAGUE,
            supported_by=[(8, 0.48)],
        ),
        claim(
            5,
            ClaimKind.SENTENCE,
            "French President Emmanuel Macron and Russian President Vladimir Putin "
            "re-engaged after a lengthy silence",
        ),
        claim(6, ClaimKind.POST, post, [(1, "embedded-post", 0.95)], ClaimStatus.ARCHIVED),
        claim(
            7,
            ClaimKind.SENTENCE,
            "Conversely, Putin pointed fingers at Western policies as the primary catalyst for the crisis.",
            [(3, "paragraph-outlet", 0.8)],
            ClaimStatus.VAGUE,
        ),
        claim(
            8,
            ClaimKind.SENTENCE,
            "He reiterated that a sustainable peace deal must reflect the new territorial realities.",
            [(3, "paragraph-outlet", 0.8)],
            ClaimStatus.VAGUE,
        ),
        claim(
            9,
            ClaimKind.SENTENCE,
            "Nuclear discussions unfolded with Macron emphasizing Iran’s need to adhere to "
            "the UN Non-Proliferation Treaty while collaborating with the IAEA.",
        ),
        claim(10, ClaimKind.QUOTE, quote1, [(6, "quote-attribution", 0.9)], ClaimStatus.VAGUE),
        claim(11, ClaimKind.QUOTE, quote2, [(8, "quote-attribution", 0.9)], ClaimStatus.VAGUE),
        claim(
            12,
            ClaimKind.SENTENCE,
            "Moving forward, both leaders agreed to maintain communication",
            [(9, "paragraph-outlet", 0.8)],
            ClaimStatus.VAGUE,
        ),
    ]
    doc = Extraction(
        source=str(SEED),
        text=text,
        title="Macron and Putin’s rare two-hour call",
        published="2025-07-01",
        citations=citations,
        claims=claims,
    )
    return Article(source=str(SEED), content=text, is_html=False), doc


def add_tco_evidence(db, run_id=None) -> int:
    """What an online run finds for the t.co link: two redirects, a live page, a capture, a snapshot."""
    rid = writes.record_resolution(
        db,
        run_id,
        Resolution(
            url=TCO,
            final_url=FINAL,
            status=Status.ALIVE,
            http_status=200,
            elapsed_ms=412,
            checked_at="2026-11-30T01:00:00+00:00",
            hops=[Hop(TCO, 301, X_URL, "http"), Hop(X_URL, 302, FINAL, "http")],
        ),
    )
    writes.record_capture(
        db,
        run_id,
        Capture(
            url=FINAL,
            warc_file="provenance-20261130.warc.gz",
            offset=0,
            length=48213,
            record_type="response",
            payload_digest="sha1:2C5KSXJ4JUFWZ7TO5OL7ANZGZ4L4FQ7V",
            http_status=200,
            content_type="text/html",
            size=151022,
            captured_at="2026-11-30T01:00:01+00:00",
        ),
        rid,
    )
    writes.record_snapshot(
        db,
        run_id,
        Snapshot(
            url=TCO,
            status="found",
            timestamp="20250701120000",
            snapshot_url=WAYBACK,
            http_status=200,
            distance_days=0.5,
            target_date="2025-07-01",
            checked_at="2026-11-30T01:00:02+00:00",
        ),
    )
    return rid


def recorded(path) -> tuple[object, int]:
    """The example recorded as an offline audit would, then the t.co evidence of a later run.

    Returns the open database and the article's id.
    """
    db = database.connect(path)
    run_id = writes.start_run(db, "audit", {"sources": [str(SEED)], "offline": True})
    article, doc = hand_made()
    article_id = writes.record_article(db, run_id, article, doc)
    writes.record_resolution(
        db,
        run_id,
        Resolution(
            url=TCO,
            final_url=None,
            status=Status.OFFLINE,
            reason="offline",
            checked_at="2026-11-30T00:00:00+00:00",
        ),
    )
    writes.finish_run(db, run_id, "done", {"articles": 1}, [])
    later = writes.start_run(db, "resolve", {"urls": [TCO]})
    add_tco_evidence(db, later)
    writes.finish_run(db, later, "done", {"urls": 1}, [])
    return db, article_id


def claim_id(db, article_id: int, seq: int) -> int:
    return db.execute("SELECT id FROM claims WHERE article_id = ? AND seq = ?", [article_id, seq]).fetchone()[
        0
    ]


# Text a hostile page or article could carry: terminal escapes (set the window title, clear the screen),
# rich markup, HTML that would run script, and URLs that are not web addresses.
EVIL_TITLE = "\x1b]0;pwned\x07\x1b[2J[red]Evil[/red] <script>alert('title')</script>"
EVIL_CLAIM = "Markup [bold]here[/bold] \x1b[31mred\x1b[0m <img src=x onerror=alert('claim')> \u202eends."
JS_URL = "javascript:alert('href')"
EVIL_URL = "https://evil.example/a\"><script>alert('url')</script>?q=[link]"
EVIL_FINAL = "https://evil.example/b' onmouseover='alert(1)"


def hostile(path) -> tuple[object, int]:
    """An article whose every text field and URL tries to escape into the terminal or the page."""
    db = database.connect(path)
    text = f"{EVIL_CLAIM}\nSee <a href=x onclick=alert(2)>this</a> and {JS_URL}."
    start = text.index(EVIL_CLAIM)
    citations = [
        Citation(1, Kind.LINK, "<b onclick=alert(3)>this</b>", url=EVIL_URL, found_by=FoundBy.LINK, element="a <i>"),
        Citation(2, Kind.LINK, JS_URL, url=JS_URL, found_by=FoundBy.BARE_URL),
        Citation(3, Kind.OUTLET, "[red]outlet[/red]", outlet="\x1b[2J<svg onload=alert(4)>"),
    ]
    claims = [
        Claim(
            1,
            ClaimKind.SENTENCE,
            EVIL_CLAIM,
            start,
            start + len(EVIL_CLAIM),
            [ClaimLink(1, "inline", 0.9), ClaimLink(2, "inline", 0.9)],
            status=ClaimStatus.BROKEN,
        ),
        Claim(
            2,
            ClaimKind.SENTENCE,
            "See <a href=x onclick=alert(2)>this</a>",
            text.index("See"),
            text.index("See") + len("See <a href=x onclick=alert(2)>this</a>"),
            [ClaimLink(3, "according-to", 0.5)],
            status=ClaimStatus.VAGUE,
        ),
    ]
    doc = Extraction(
        source="evil<script>.html", text=text, title=EVIL_TITLE, citations=citations, claims=claims
    )
    article_id = writes.record_article(
        db, None, Article(source="evil<script>.html", content=text, is_html=True), doc
    )
    writes.record_resolution(
        db,
        None,
        Resolution(
            url=EVIL_URL,
            final_url=EVIL_FINAL,
            status=Status.DEAD,
            reason="http_404",
            http_status=404,
            hops=[Hop(EVIL_URL, 302, EVIL_FINAL, "js")],
            checked_at="2026-11-30T00:00:00+00:00",
        ),
    )
    writes.record_snapshot(
        db, None, Snapshot(url=EVIL_URL, status="found", timestamp="20250101000000", snapshot_url=JS_URL)
    )
    return db, article_id


def audited_offline(path) -> tuple[object, int]:
    """The example as `provenance audit --offline` records it, then the t.co evidence of a later run.

    Unlike `recorded`, this goes through extraction, so its claims are whatever extraction finds today.
    """
    from typer.testing import CliRunner

    from provenance.cli import app

    result = CliRunner().invoke(app, ["audit", str(SEED), "--offline", "--db", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    db = database.connect(path)
    add_tco_evidence(db)
    article_id = db.execute("SELECT id FROM articles WHERE source = ?", [str(SEED)]).fetchone()[0]
    return db, article_id


def post_claim(db, article_id: int) -> int:
    """The claim made by the embedded post, whose chain runs through the t.co link."""
    return db.execute(
        "SELECT id FROM claims WHERE article_id = ? AND kind = 'post' ORDER BY seq LIMIT 1", [article_id]
    ).fetchone()[0]
