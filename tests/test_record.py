"""Recording: natural keys make a second audit change nothing; the chains view walks claim → evidence."""

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
    Hop,
    Kind,
    Resolution,
    Snapshot,
    Status,
)
from provenance.regrade import regrade
from provenance.store import queries, writes
from provenance.store import schema as database

TCO = "https://t.co/Cnqgv5qgwV"
FINAL = "https://twitter.com/United24media/status/1"


def sample() -> tuple[Article, Extraction]:
    text = "Putin and Macron spoke. https://t.co/Cnqgv5qgwV\nIran sentence."
    tweet = Citation(
        id=1, kind=Kind.TWEET, text="Putin and Macron spoke.", handle="@United24media", date="2025-07-01"
    )
    short = Citation(id=2, kind=Kind.SHORT_LINK, text=TCO, url=TCO, parent=1, start=24, end=47)
    outlet = Citation(id=3, kind=Kind.OUTLET, text="france24.com", outlet="france24.com")
    quote = Citation(
        id=4,
        kind=Kind.QUOTE,
        text="territorial integrity",
        speaker="French presidential office",
        outlet="france24.com",
        parent=3,
    )
    claims = [
        Claim(
            id=1,
            kind=ClaimKind.POST,
            text="Putin and Macron spoke.",
            start=0,
            end=23,
            citations=[ClaimLink(1, "embedded-post", 0.95)],
            status=ClaimStatus.SOURCED,
        ),
        Claim(
            id=2,
            kind=ClaimKind.QUOTE,
            text="territorial integrity",
            citations=[ClaimLink(4, "quote-attribution", 0.9)],
            status=ClaimStatus.VAGUE,
        ),
        Claim(id=3, kind=ClaimKind.SENTENCE, text="Iran sentence.", status=ClaimStatus.UNSOURCED),
        Claim(id=4, kind=ClaimKind.BULLET, text="They spoke.", supported_by=[(1, 0.6)], status=ClaimStatus.SOURCED),
    ]
    doc = Extraction(
        source="seed.txt", text=text, title="Macron and Putin", citations=[tweet, short, outlet, quote], claims=claims
    )
    return Article(source="seed.txt", content=text, is_html=False), doc


def counts(db) -> dict:
    return {t: db[t].count for t in ("articles", "claims", "citations", "claim_citations", "claim_supports", "urls")}


def test_recording_the_same_article_twice_changes_nothing(db_path):
    db = database.connect(db_path)
    article, doc = sample()
    first = writes.record_article(db, None, article, doc)
    before = counts(db)
    rows_before = list(db.query("SELECT * FROM citations ORDER BY id"))
    second = writes.record_article(db, None, *sample())
    assert first == second
    assert (
        counts(db)
        == before
        == {"articles": 1, "claims": 4, "citations": 4, "claim_citations": 2, "claim_supports": 1, "urls": 1}
    )
    assert list(db.query("SELECT * FROM citations ORDER BY id")) == rows_before


def test_a_shorter_extraction_removes_stale_rows(db_path):
    db = database.connect(db_path)
    article, doc = sample()
    writes.record_article(db, None, article, doc)
    doc.claims = doc.claims[:1]
    doc.citations = doc.citations[:2]
    writes.record_article(db, None, article, doc)
    assert db["claims"].count == 1 and db["citations"].count == 2 and db["claim_supports"].count == 0


def test_parent_links_survive_into_the_database(db_path):
    db = database.connect(db_path)
    writes.record_article(db, None, *sample())
    rows = {r["kind"]: r for r in db.query("SELECT * FROM citations")}
    assert rows["short_link"]["parent_id"] == rows["tweet"]["id"]
    assert rows["quote"]["parent_id"] == rows["outlet"]["id"]
    assert db.execute("SELECT is_short FROM urls WHERE url = ?", [TCO]).fetchone()[0] == 1


def test_chains_view_walks_from_post_claim_through_tweet_to_tco_and_evidence(db_path):
    db = database.connect(db_path)
    writes.record_article(db, None, *sample())
    res = Resolution(
        url=TCO,
        final_url=FINAL,
        status=Status.ALIVE,
        http_status=200,
        hops=[Hop(url=TCO, http_status=301, location=FINAL, via="http")],
        checked_at="2026-01-01T00:00:00+00:00",
    )
    rid = writes.record_resolution(db, None, res)
    writes.record_capture(
        db,
        None,
        Capture(
            url=FINAL, warc_file="a.warc.gz", offset=0, length=10, record_type="response", payload_digest="sha1:X"
        ),
        rid,
    )
    writes.record_snapshot(
        db,
        None,
        Snapshot(
            url=TCO,
            status="found",
            timestamp="20250701000000",
            snapshot_url="https://web.archive.org/web/20250701000000/" + TCO,
        ),
    )
    claim_id = db.execute("SELECT id FROM claims WHERE kind = 'post'").fetchone()[0]
    steps = list(db.query("SELECT step_kind, kind, url FROM chains WHERE claim_id = ?", [claim_id]))
    kinds = [s["step_kind"] for s in steps]
    assert kinds == ["claim", "article", "citation", "citation", "resolution", "hop", "final", "capture", "snapshot"]
    assert steps[1]["url"] == "seed.txt", "every chain starts at the article the claim was read in"
    assert steps[2]["kind"] == "tweet" and steps[3]["kind"] == "short_link" and steps[3]["url"] == TCO
    assert steps[6]["url"] == FINAL


def test_chains_view_goes_from_a_quote_to_the_outlet_it_is_attributed_to(db_path):
    db = database.connect(db_path)
    writes.record_article(db, None, *sample())
    claim_id = db.execute("SELECT id FROM claims WHERE kind = 'quote'").fetchone()[0]
    kinds = [
        r["kind"]
        for r in db.query("SELECT kind FROM chains WHERE claim_id = ? AND step_kind = 'citation'", [claim_id])
    ]
    assert kinds == ["quote", "outlet"]


def test_cache_serves_recent_successes_and_never_failures(db_path):
    db = database.connect(db_path)
    now = writes.now_iso()
    writes.record_resolution(
        db,
        None,
        Resolution(
            url="https://a.example/",
            final_url="https://a.example/",
            status=Status.ALIVE,
            http_status=200,
            checked_at=now,
        ),
    )
    writes.record_resolution(
        db,
        None,
        Resolution(
            url="https://b.example/", final_url=None, status=Status.TIMEOUT, reason="read_timeout", checked_at=now
        ),
    )
    hit = queries.cached_resolution(db, "https://a.example/", 24)
    assert hit is not None and hit.status is Status.ALIVE and hit.from_cache
    assert queries.cached_resolution(db, "https://b.example/", 24) is None
    assert queries.cached_resolution(db, "https://a.example/", 0) is None
    # a cache hit is not written again
    writes.record_resolution(db, None, hit)
    assert db["resolutions"].count == 2


def test_url_states_know_about_archived_copies(db_path):
    db = database.connect(db_path)
    now = writes.now_iso()
    rid = writes.record_resolution(
        db, None, Resolution(url=TCO, final_url=FINAL, status=Status.ALIVE, checked_at=now)
    )
    assert queries.url_states(db, [TCO]) == {TCO: (Status.ALIVE, False)}
    writes.record_capture(
        db,
        None,
        Capture(url=FINAL, warc_file="a.warc.gz", offset=0, length=1, record_type="response", payload_digest=None),
        rid,
    )
    assert queries.url_states(db, [TCO, "https://never.example/"]) == {TCO: (Status.ALIVE, True)}


def test_regrade_follows_what_a_later_run_learned(db_path):
    """A claim recorded while its page was unchecked is graded again when a resolution and a capture arrive."""
    db = database.connect(db_path)
    writes.record_article(db, None, *sample())
    post = "SELECT status FROM claims WHERE kind = 'post'"
    writes.record_resolution(db, None, Resolution(url=TCO, final_url=FINAL, status=Status.DEAD, reason="http_404",
                                                  checked_at=writes.now_iso()))
    assert regrade(db, [TCO]) >= 1
    assert db.execute(post).fetchone()[0] == "broken"
    rid = writes.record_resolution(db, None, Resolution(url=TCO, final_url=FINAL, status=Status.ALIVE,
                                                        checked_at=writes.now_iso()))
    writes.record_capture(db, None, Capture(url=FINAL, warc_file="a.warc.gz", offset=0, length=1,
                                            record_type="response", payload_digest=None), rid)
    regrade(db, [TCO])
    assert db.execute(post).fetchone()[0] == "archived"
    assert regrade(db, [TCO]) == 0, "nothing new: nothing changes"


def test_a_citation_inherited_through_two_supporters_keeps_the_stronger_path(db_path):
    db = database.connect(db_path)
    article, doc = sample()
    bullet = doc.claims[3]
    bullet.citations = [ClaimLink(3, "supports", 0.7, via=1), ClaimLink(3, "supports", 0.6, via=2)]
    writes.record_article(db, None, article, doc)
    rows = db.execute("SELECT confidence, via_claim_id FROM claim_citations WHERE rule = 'supports'").fetchall()
    first_claim = db.execute("SELECT id FROM claims WHERE seq = 1").fetchone()[0]
    assert rows == [(0.7, first_claim)]
