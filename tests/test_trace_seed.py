"""The seed's vague citations traced through a loopback archive seeded with story pages written here
(CDX + replay on 127.0.0.1, allow_private): the yournews.com claims, the france24.com quotes, the tweet."""

from __future__ import annotations

import pytest

from provenance.archive.wayback import RateGate, Wayback
from provenance.extract import extract
from provenance.fetch import Fetcher
from provenance.ingest import article_from_bytes
from provenance.models import Kind
from provenance.settings import Settings
from provenance.trace import NOT_VAGUE, Tracer, trace_citation

from .cdx_server import Archive
from .conftest import EXAMPLES

PAGE = "<html><head><title>{0}</title></head><body><article><h1>{0}</h1>{1}</article></body></html>"
STORIES = {
    "https://yournews.com/2025/07/01/putin-blames-west-ukraine-crisis/": (
        "Putin blames the West for the Ukraine crisis",
        "<p>Putin pointed fingers at Western policies as the primary catalyst for the crisis.</p>"
        "<p>He reiterated that a sustainable peace deal must reflect the new territorial realities.</p>"),
    "https://yournews.com/2025/07/02/macron-putin-agree-to-keep-talking/": (
        "Macron and Putin agree to keep talking",
        "<p>Both leaders agreed to maintain communication after the call, a dialogue that could pave the way "
        "for future diplomacy despite the current geopolitical tensions.</p>"),
    "https://yournews.com/2025/06/30/heatwave-closes-schools/": (
        "Heatwave closes schools", "<p>Schools closed early as temperatures passed forty degrees.</p>"),
    "https://www.france24.com/en/europe/20250701-macron-putin-phone-call-ukraine-ceasefire": (
        "Macron and Putin speak by phone for the first time in three years",
        "<p>Macron emphasized France's unwavering support for Ukraine's sovereignty and territorial integrity, "
        "the French presidential office said.</p><p>He called for the establishment, as soon as possible, of a "
        "ceasefire and the launch of negotiations between Ukraine and Russia for a solid and lasting settlement "
        "of the conflict.</p>"),
    "https://www.france24.com/en/sport/20250701-tour-de-france-stage-three": (
        "Tour de France: stage three", "<p>The sprinters fought for the stage win in a rainy finish.</p>"),
}
STATUS = "https://twitter.com/United24media/status/1940062040542716326"


@pytest.fixture
def seed():
    return extract(article_from_bytes("macron-putin-call.txt", (EXAMPLES / "macron-putin-call.txt").read_bytes()))


def tracer(base: str) -> Tracer:
    fetcher = Fetcher(Settings(allow_private=True, retries=0, deadline=5.0, connect_timeout=2.0))
    return Tracer(Wayback(fetcher, RateGate(0.0), base=base))


def vague(ex):
    return [c for c in ex.citations if c.kind in (Kind.OUTLET, Kind.TWEET) and not c.url]


def test_the_seeds_vague_citations_are_traced(seed):
    archive = Archive()
    for i, (url, (title, body)) in enumerate(STORIES.items()):
        archive.add(url, f"2025070{1 + i % 2}1{i}0000", PAGE.format(title, body))
    archive.add(STATUS, "20250701160000", PAGE.format("UNITED24 Media on X", "<p>⚡️ Putin and Macron spoke by phone "
                                                      "for the first time since 2022. https://t.co/Cnqgv5qgwV</p>"))
    archive.add("https://twitter.com/United24media/status/1940062040542716999", "20250701170000",
                PAGE.format("UNITED24 Media on X", "<p>Drones struck an oil depot overnight.</p>"))
    t = tracer(archive.serve())
    try:
        traces = {c.id: (c, trace_citation(t, seed, c)) for c in vague(seed)}
    finally:
        archive.close()
    found = {c.id: (c.kind, c.outlet, tr.status, tr.traced and tr.traced.url) for c, tr in traces.values()}
    yournews = [v for v in found.values() if v[1] == "yournews.com"]
    assert sorted(v[3] for v in yournews) == sorted(u for u in STORIES if "yournews.com/2025/07/0" in u
                                                    and "heatwave" not in u)
    france = [tr for c, tr in traces.values() if c.outlet == "france24.com"]
    assert france and all(tr.status == "traced" and tr.traced.url.endswith("-ukraine-ceasefire") for tr in france)
    assert all(tr.traced.verdict in ("verbatim", "close") for tr in france)  # the quotes, checked at the page
    tweet = next(tr for c, tr in traces.values() if c.kind == Kind.TWEET)
    assert tweet.status == "traced" and tweet.traced.url == STATUS
    assert all(tr.cdx_calls <= 20 for _, tr in traces.values())


def test_with_no_archive_reachable_every_vague_citation_says_why(seed):
    t = tracer("http://127.0.0.1:9")
    lines = [trace_citation(t, seed, c).line() for c in vague(seed)]
    assert len(lines) == 5
    assert all(line.startswith("stays vague: ") and "\n" not in line for line in lines)
    assert all(("unreachable" in line or "rate_limited" in line) for line in lines)


def test_a_citation_with_its_url_is_not_traced(seed):
    link = next(c for c in seed.citations if c.url)
    assert trace_citation(tracer("http://127.0.0.1:9"), seed, link).reason == NOT_VAGUE


def test_several_archives_share_one_budget_per_citation(seed):
    """Three loopback archives (127.0.0.1), none holding a yournews.com page: the CDX calls for one citation
    across all three stay within the one budget; an archive that has the page is reached after an empty one."""
    empty = [Archive() for _ in range(3)]
    holding = Archive()
    url, (title, body) = next(iter(STORIES.items()))
    holding.add(url, "20250701100000", PAGE.format(title, body))
    bases = [a.serve() for a in (*empty, holding)]
    try:
        citation = next(c for c in vague(seed) if c.outlet == "yournews.com")
        tracers = [tracer(b) for b in bases[:3]]
        for t in tracers:
            t.budget = 10
        lost = trace_citation(tracers, seed, citation)
        calls = [a.cdx_calls for a in empty]
        assert sum(calls) == lost.cdx_calls == 10 and calls[0] > 0 and calls[1] > 0 and calls[2] < calls[0]
        assert lost.status == "vague"
        for a in empty:
            a.cdx_calls = 0
        found = trace_citation([tracer(bases[0]), tracer(bases[3])], seed, citation)
        assert found.traced is not None and found.traced.url == url and found.traced.archive == bases[3]
        assert found.cdx_calls == empty[0].cdx_calls + holding.cdx_calls <= 20
    finally:
        for a in (*empty, holding):
            a.close()
