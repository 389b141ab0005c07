"""Deep tracing against a loopback archive (127.0.0.1 only, allow_private): pages are fetched as raw `id_` copies."""

from __future__ import annotations

import urllib.request

import pytest

from provenance.archive.wayback import RateGate, Wayback
from provenance.fetch import Fetcher
from provenance.settings import Settings
from provenance.trace.deep import (
    BUDGET_SPENT,
    CITES_SEEN,
    DOCUMENT,
    GOVERNMENT,
    NO_CITATION,
    OWN_POST,
    OWN_SITE,
    DeepTracer,
    Page,
    fetch_page,
    is_government,
    normalise_url,
)
from tests.cdx_server import Archive

CLAIM = "The agency counted 4,312 bridges in poor condition across the state in its annual inspection report."
FILLER = [
    "Officials said the review took most of the year and covered every county in the state.",
    "Local leaders have asked for more money to repair roads for a decade, with mixed results so far.",
    "Traffic on the main routes has grown steadily since the last survey was published.",
    "Engineers who worked on the survey said the numbers matched what crews see every day.",
]


def page(title: str, claim_html: str, *, extra: str = "") -> str:
    paras = [FILLER[0], FILLER[1], claim_html, FILLER[2], extra or FILLER[3]]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def cite(url: str, text: str = "the report") -> str:
    return f'{CLAIM} The figures come from <a href="{url}">{text}</a>.'


@pytest.fixture
def archive():
    a = Archive()
    base = a.serve()
    a.base = base
    yield a
    a.close()


def fetcher(archive: Archive, calls: list[str]):
    """Raw copies from the loopback archive (allow_private: the only host is 127.0.0.1)."""

    def fetch(url: str) -> Page | None:
        calls.append(url)
        try:
            with urllib.request.urlopen(f"{archive.base}/web/2id_/{url}", timeout=10) as r:
                return Page(url, r.headers.get("Content-Type", ""), r.read().decode())
        except OSError:
            return None

    return fetch


def test_government_domains_from_the_table():
    assert is_government("https://www.census.gov/data/x.html")
    assert is_government("https://www.gov.uk/government/news/x")
    assert is_government("https://www.elysee.fr/x") and is_government("https://www.interieur.gouv.fr/x")
    assert is_government("https://curia.europa.eu/juris/x") and is_government("https://www.uscourts.gov/x")
    assert not is_government("https://www.reuters.com/world/x")
    assert not is_government("https://www.govexec.com/x")  # a trade paper, not a government


def test_reaches_a_gov_primary_at_depth_two(archive):
    archive.add("https://wire-org.test/b", "20250101", page("Wire", cite("https://www.dot.state.gov/report")))
    archive.add("https://www.dot.state.gov/report", "20250101", page("Report", CLAIM))
    archive.add("https://elsewhere-net.test/x", "20250101", page("Other", "Nothing here about bridges."))
    calls: list[str] = []
    start = page("Start", cite("https://wire-org.test/b"),
                 extra='A separate story on <a href="https://elsewhere-net.test/x">parks</a> ran last week.')
    t = DeepTracer(fetcher(archive, calls), depth=3).trace(CLAIM, "https://start-com.test/a", start)
    assert t.primary is not None and t.primary.url == "https://www.dot.state.gov/report"
    assert t.primary.depth == 2 and t.primary.stop == GOVERNMENT and t.primary.verdict == "matched"
    assert "https://elsewhere-net.test/x" not in calls  # a link far from the passage is not followed
    assert t.fetches == len(calls) == 2
    wire = next(s for s in t.steps if s.url == "https://wire-org.test/b")
    assert wire.copy_of == t.primary.url and t.primary.copy_of is None  # the same words: the story copied its source
    lines = t.chain().splitlines()
    assert lines[0].startswith("claim:") and "dot.state.gov/report" in lines[-2] and "not reached" not in lines[-1]


def test_depth_one_stops_before_the_primary(archive):
    archive.add("https://news-com.test/story", "20250101", page("Story", cite("https://www.dot.state.gov/r")))
    archive.add("https://www.dot.state.gov/r", "20250101", page("Report", CLAIM))
    t = DeepTracer(fetcher(archive, []), depth=1).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://news-com.test/story")))
    assert t.primary is None and t.steps[-1].stop == "depth" and t.fetches == 1


def test_stops_at_a_pdf(archive):
    archive.add("https://news-com.test/story", "20250101", page("Story", cite("https://ngo-org.test/r.pdf")))
    archive.add("https://ngo-org.test/r.pdf", "20250101", b"%PDF-1.4 ...", mimetype="application/pdf")
    t = DeepTracer(fetcher(archive, []), depth=3).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://news-com.test/story")))
    assert t.primary is not None and t.primary.url.endswith("r.pdf") and t.primary.stop == DOCUMENT


def test_a_page_citing_nothing_near_the_passage_ends_the_chain(archive):
    archive.add("https://news-com.test/story", "20250101", page("Story", CLAIM))
    t = DeepTracer(fetcher(archive, []), depth=3).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://news-com.test/story")))
    assert t.primary is not None and t.primary.stop == NO_CITATION and t.primary.depth == 1


def test_a_cycle_is_never_revisited(archive):
    archive.add("https://a-com.test/x", "20250101", page("A", cite("https://b-org.test/y")))
    archive.add("https://b-org.test/y", "20250101", page("B", cite("http://www.a-com.test/x/#top")))
    calls: list[str] = []
    t = DeepTracer(fetcher(archive, calls), depth=5).trace(
        CLAIM, "https://a-com.test/x", page("A", cite("https://b-org.test/y")))
    assert calls == ["https://b-org.test/y"] and t.revisits == 1
    assert len({normalise_url(s.url) for s in t.steps}) == len(t.steps)
    assert t.primary is None and t.steps[-1].stop == CITES_SEEN  # a cycle is no primary source


def test_the_fetch_budget_is_a_hard_cap(archive):
    # A page citing three pages near the passage, each citing three more: more than the budget allows.
    def fan(prefix: str) -> str:
        links = " ".join(f'<a href="https://{prefix}{i}-org.test/p">source {i}</a>' for i in range(3))
        return f"{CLAIM} See {links}."

    for i in range(3):
        archive.add(f"https://s{i}-org.test/p", "20250101", page(f"S{i}", fan(f"t{i}")))
        for j in range(3):
            archive.add(f"https://t{i}{j}-org.test/p", "20250101", page(f"T{i}{j}", fan(f"u{i}{j}")))
    calls: list[str] = []
    t = DeepTracer(fetcher(archive, calls), depth=3, budget=5).trace(
        CLAIM, "https://start-com.test/a", page("Start", fan("s")))
    assert t.fetches == len(calls) == 5
    assert any(s.stop == BUDGET_SPENT for s in t.steps)


def test_a_wire_copy_is_marked_as_a_copy(archive):
    wire = ("WASHINGTON (AP) — " + CLAIM + " The inspection covered 11,000 structures, officials said, "
            "and found more than a third in need of repair within five years.")
    archive.add("https://paper-one-com.test/s", "20250101", page("One", wire))
    archive.add("https://paper-two-net.test/s", "20250101", page("Two", wire))
    start = (f'{CLAIM} It was reported by <a href="https://paper-one-com.test/s">one paper</a> and '
             '<a href="https://paper-two-net.test/s">another</a>.')
    t = DeepTracer(fetcher(archive, []), depth=3).trace(CLAIM, "https://start-com.test/a", page("Start", start))
    one, two = (next(s for s in t.steps if s.url == u) for u in
                ("https://paper-one-com.test/s", "https://paper-two-net.test/s"))
    assert one.wire == "AP" and one.copy_of is None
    assert two.copy_of == one.url and two.verdict == "matched"
    assert two not in t.independent and one in t.independent


def test_a_post_by_the_quoted_handle_is_the_primary(archive):
    archive.add("https://twitter.com/StateDOT/status/1801", "20250101", page("StateDOT", CLAIM))
    t = DeepTracer(fetcher(archive, []), depth=2).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://twitter.com/StateDOT/status/1801", "a post")),
        handle="@statedot")
    assert t.primary is not None and t.primary.stop == OWN_POST and t.primary.depth == 1


def test_fetch_page_falls_back_to_the_archived_copy_when_the_live_page_is_gone(archive):
    # Both the "live" site and the archive are the loopback server (allow_private): the live path answers 404.
    gone = f"{archive.base}/gone/report"
    archive.add(gone, "20250101", page("Report", CLAIM))
    fetcher_ = Fetcher(Settings(allow_private=True, retries=0, deadline=5.0, connect_timeout=2.0))
    fetch = fetch_page(fetcher_, Wayback(fetcher_, RateGate(0.0), base=archive.base))
    got = fetch(gone)
    assert got is not None and got.url == gone and CLAIM in got.body
    assert fetch(f"{archive.base}/never/archived") is None


def test_a_wire_named_in_the_story_is_no_credit(archive):
    mention = f"{CLAIM} The figure was first reported by Reuters and the Associated Press."
    archive.add("https://paper-one-com.test/s", "20250101", page("One", mention))
    t = DeepTracer(fetcher(archive, []), depth=1).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://paper-one-com.test/s")))
    assert t.steps[1].verdict == "matched" and t.steps[1].wire is None


def test_the_organisations_own_site_is_the_primary(archive):
    archive.add("https://www.bridgecouncil.org/news/report", "20250101",
                page("Council", cite("https://www.contractor-com.test/x")))
    t = DeepTracer(fetcher(archive, []), depth=3).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://www.bridgecouncil.org/news/report")),
        own_domains=["bridgecouncil.org"])
    assert t.primary is not None and t.primary.stop == OWN_SITE and t.fetches == 1


def test_a_page_whose_domain_spells_the_quoted_name_is_its_own_site(archive):
    # The company's page cites a contractor near the passage: without the name, tracing would go on.
    archive.add("https://www.quillmererobotics.com/news/report", "20250101",
                page("Report", cite("https://contractor-net.test/x")))
    archive.add("https://contractor-net.test/x", "20250101", page("Contractor", CLAIM))
    start = page("Start", cite("https://www.quillmererobotics.com/news/report"))
    calls: list[str] = []
    t = DeepTracer(fetcher(archive, calls), depth=3).trace(
        CLAIM, "https://start-com.test/a", start, owners=["Marla Ostravik", "Quillmere Robotics"])
    assert t.primary is not None and t.primary.stop == OWN_SITE and t.primary.owner == "Quillmere Robotics"
    assert calls == ["https://www.quillmererobotics.com/news/report"]
    assert "own_site (Quillmere Robotics)" in t.chain()
    other = DeepTracer(fetcher(archive, []), depth=3).trace(CLAIM, "https://start-com.test/a", start,
                                                            owners=["Quillmere Systems"])
    assert other.primary is not None and other.primary.url == "https://contractor-net.test/x"
    assert other.primary.stop == NO_CITATION


def test_a_page_that_says_it_is_the_organisations_is_its_own_site(archive):
    meta = '<meta property="og:site_name" content="Northmere Bridge Safety Council">'
    archive.add("https://bridgedata-org.test/2025/report", "20250101",
                page("Report", cite("https://contractor-net.test/x")).replace("<head>", f"<head>{meta}"))
    archive.add("https://contractor-net.test/x", "20250101", page("Contractor", CLAIM))
    t = DeepTracer(fetcher(archive, []), depth=3).trace(
        CLAIM, "https://start-com.test/a", page("Start", cite("https://bridgedata-org.test/2025/report")),
        owners=["the Northmere Bridge Safety Council"])
    assert t.primary is not None and t.primary.stop == OWN_SITE and t.primary.depth == 1
    assert t.primary.owner == "the Northmere Bridge Safety Council" and t.fetches == 1
