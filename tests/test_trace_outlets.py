"""Tracing a vague outlet citation against a loopback CDX + replay archive (127.0.0.1, allow_private)."""

from __future__ import annotations

from datetime import date

import pytest

from provenance.archive.wayback import RateGate, Wayback
from provenance.fetch import Fetcher
from provenance.settings import Settings
from provenance.trace import (
    BUDGET_SPENT,
    NO_ARCHIVE,
    NO_CAPTURES,
    NO_DOMAIN,
    NOT_VERIFIED,
    Tracer,
    outlet_domains,
)
from provenance.trace.rank import score, slug_terms
from provenance.trace.sitemaps import parse

from .cdx_server import Archive
from .conftest import EXAMPLES

SEED = (EXAMPLES / "macron-putin-call.txt").read_text(encoding="utf-8")
CLAIM = ("Conversely, Putin pointed fingers at Western policies as the primary catalyst for the crisis. "
         "He reiterated that a sustainable peace deal must reflect the new territorial realities. yournews.com")
STORY = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body}</p><p>Officials in both capitals declined to comment further on the call on Tuesday.</p>
</article></body></html>"""
DECOYS = [
    ("2025/07/01/local-council-approves-new-bridge-budget", "Council approves new bridge budget",
     "The town council voted to approve the bridge budget after a long debate about repairs."),
    ("2025/06/30/heatwave-grips-southern-europe", "Heatwave grips southern Europe",
     "Temperatures rose above forty degrees in Spain and Italy as the heatwave continued."),
    ("2025/07/02/stock-markets-rally-on-rate-hopes", "Stock markets rally on rate hopes",
     "Shares climbed across Asia and Europe as traders bet on lower interest rates."),
]


@pytest.fixture
def archive():
    a = Archive()
    yield a
    a.close()


def tracer(base: str, **kw) -> Tracer:
    fetcher = Fetcher(Settings(allow_private=True, retries=0, deadline=5.0, connect_timeout=2.0))
    return Tracer(Wayback(fetcher, RateGate(0.0), base=base), **kw)


def seed_yournews(archive: Archive) -> str:
    target = "https://yournews.com/2025/07/01/putin-macron-phone-call-ukraine-iran/"
    archive.add(target, "20250701183000", STORY.format(
        title="Putin and Macron hold first phone call since 2022",
        body="Putin pointed fingers at Western policies as the primary catalyst for the crisis, and he "
             "reiterated that a sustainable peace deal must reflect the new territorial realities."))
    for slug, title, body in DECOYS:
        archive.add(f"https://yournews.com/{slug}/", slug[:10].replace("/", "") + "090000",
                    STORY.format(title=title, body=body))
    archive.add("https://yournews.com/", "20250701000000", "<html><body>front page</body></html>")
    archive.add("https://yournews.com/style.css", "20250701000000", "body{}", mimetype="text/css")
    return target


def test_the_seeds_yournews_claim_is_traced_to_its_story(archive):
    target = seed_yournews(archive)
    base = archive.serve()
    trace = tracer(base).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM, title="Macron and Putin call",
                                      text=SEED)
    assert trace.status == "traced"
    assert trace.traced.url == target and trace.traced.rank == 1
    assert trace.traced.verdict == "matched" and trace.traced.score > 0.5
    assert trace.traced.replay_url == f"{base}/web/20250701183000/{target}"
    # the front page and the stylesheet are no candidates; the decoys stay ranked below
    assert sorted(c.url for c in trace.candidates[1:]) == sorted(f"https://yournews.com/{s}/" for s, _, _ in DECOYS)
    assert [c.rank for c in trace.candidates] == [1, 2, 3, 4]
    assert trace.cdx_calls == archive.cdx_calls <= 20
    assert "traced: " + target in trace.line()
    row = trace.traced.row()
    assert row == {"url": target, "source": "cdx", "archive": base, "timestamp": "20250701183000", "rank": 1,
                   "score": trace.traced.score, "verdict": "matched"}


def test_a_quote_is_checked_at_the_candidate(archive):
    seed_yournews(archive)
    archive.add("https://yournews.com/2025/07/01/france-statement-ukraine/", "20250701120000", STORY.format(
        title="France statement", body="Macron emphasized France's unwavering support for Ukraine's sovereignty "
                                       "and territorial integrity, the office said."))
    base = archive.serve()
    quote = "Macron emphasized France’s unwavering support for Ukraine’s sovereignty and territorial integrity"
    trace = tracer(base).trace_outlet("yournews.com", date(2025, 7, 1), "— office " + quote, quotes=[quote])
    assert trace.status == "traced"
    assert trace.traced.url.endswith("/france-statement-ukraine/")
    assert trace.traced.verdict in ("verbatim", "close")


def test_checking_goes_on_down_the_ranking_while_none_verifies(archive):
    target = seed_yournews(archive)
    archive.add("https://yournews.com/2025/07/01/putin-macron-western-policies-peace-deal-territorial-realities/",
                "20250701100000", STORY.format(title="Putin, Macron", body="Markets were calm on the news."))
    base = archive.serve()
    short = tracer(base, fetch_top=1, fetch_max=2).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    listed = next(c.listed_rank for c in short.candidates if c.url == target)
    assert listed == 3 and short.status == "candidates"  # the slug made to fit, and a word-sharing decoy, above
    assert [c.verdict is not None for c in short.candidates] == [True, True, False, False, False]
    further = tracer(base, fetch_top=1, fetch_max=3).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert further.status == "traced" and further.traced.url == target
    assert further.traced.listed_rank == 3 and further.traced.rank == 1 and further.fetches == 3


def test_ranked_candidates_stay_when_none_verifies(archive):
    for slug, title, body in DECOYS:
        archive.add(f"https://yournews.com/{slug}/", slug[:10].replace("/", ""), STORY.format(title=title, body=body))
    trace = tracer(archive.serve()).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert trace.status == "candidates" and trace.reason == NOT_VERIFIED
    assert len(trace.candidates) == 3 and all(c.verdict is not None for c in trace.candidates)


def test_the_window_and_the_budget_are_kept(archive):
    seed_yournews(archive)
    archive.add("https://yournews.com/2025/07/09/putin-macron-phone-call-follow-up/", "20250709120000",
                STORY.format(title="Putin Macron call", body=CLAIM))
    base = archive.serve()
    small = tracer(base, budget=3).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert archive.cdx_calls == small.cdx_calls == 2  # no room for a query a day: one for the window, a sitemap
    assert small.status == "traced" and all("07/09" not in c.url for c in small.candidates)  # outside ±3 days
    archive.cdx_calls = 0
    spent = tracer(base, budget=1).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM,
                                                domains=["yournews.com", "yournews.net"])
    assert archive.cdx_calls == spent.cdx_calls == 1 and spent.reason == BUDGET_SPENT
    archive.cdx_calls = 0
    full = tracer(base).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert full.cdx_calls == archive.cdx_calls == 8  # a query for each of 7 days, nearest first, and one sitemap
    assert all("07/09" not in c.url for c in full.candidates)


def test_news_sitemap_titles_rank_a_slug_that_says_nothing(archive):
    target = "https://yournews.com/a/7731"
    archive.add(target, "20250701120000", STORY.format(title="x", body=CLAIM))
    for i in range(6):
        archive.add(f"https://yournews.com/a/{i}", "20250701120000", STORY.format(title="x", body="Weather."))
    archive.add("https://yournews.com/news-sitemap.xml", "20250701200000", f"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{target}</loc><news:news><news:publication_date>2025-07-01</news:publication_date>
<news:title>Putin and Macron speak about Ukraine peace deal</news:title></news:news></url>
</urlset>""", mimetype="application/xml")
    trace = tracer(archive.serve(), fetch_top=1).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert trace.status == "traced" and trace.traced.url == target
    assert trace.traced.title == "Putin and Macron speak about Ukraine peace deal"


def test_with_no_archive_reachable_each_vague_citation_says_why_in_one_line():
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    t = tracer(dead)
    trace = t.trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert trace.status == "vague" and trace.reason.startswith(("wayback_unreachable", NO_ARCHIVE))
    assert trace.cdx_calls <= 3  # three unanswered requests stop the asking
    assert "\n" not in trace.line() and trace.line().startswith("stays vague: ")
    unknown = t.trace_outlet("Some Local Blog", date(2025, 7, 1), "Some Local Blog reported it.")
    assert unknown.reason == NO_DOMAIN and unknown.cdx_calls == 0


def test_a_429_stops_the_asking_and_says_so(archive):
    seed_yournews(archive)
    archive.cdx_answer = (429, {"Retry-After": "3600"})
    t = tracer(archive.serve())
    trace = t.trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert trace.status == "vague" and trace.reason == "rate_limited"
    assert archive.cdx_calls == 1 and trace.cdx_calls == 1
    again = t.trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)  # the run's gate stays shut
    assert again.reason == "rate_limited" and archive.cdx_calls == 1


def test_an_outlet_with_many_domains_asks_once_per_window(archive):
    seed_yournews(archive)
    domains = ["yournews.com", "yournews.net", "yournews.org"]
    trace = tracer(archive.serve()).trace_outlet("Your News", date(2025, 7, 1), CLAIM, domains=domains)
    assert trace.status == "traced" and trace.cdx_calls == archive.cdx_calls == 6  # 3 listings, 3 sitemaps


def test_an_empty_archive_is_not_an_unreachable_one(archive):
    trace = tracer(archive.serve()).trace_outlet("yournews.com", date(2025, 7, 1), CLAIM)
    assert trace.status == "vague" and trace.reason == NO_CAPTURES


def test_outlet_domains_come_from_the_table_or_the_text():
    assert outlet_domains("Associated Press") == ["apnews.com", "ap.org"]
    assert outlet_domains("French presidential office", "office france24.com") == []
    assert outlet_domains("France 24", "– French presidential office france24.com") == ["france24.com"]


def test_slug_words_rank_the_story_the_claim_describes():
    claim = frozenset(slug_terms("/putin-macron-phone-call-ukraine"))
    assert score("https://a.com/2025/07/01/putin-macron-call/", None, claim, frozenset()) > \
        score("https://a.com/2025/07/01/heatwave-europe/", None, claim, frozenset())
    assert slug_terms("https://a.com/news/2025/07/01/index.html") == []


def test_a_sitemap_with_entities_is_not_read():
    assert parse(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><urlset/>') == []
    assert parse(b"not xml") == []
