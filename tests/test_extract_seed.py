"""Golden test on the seed article (pasted text, markup lost): what a fact-checker must get from it."""

from pathlib import Path

import pytest

from provenance.extract import extract
from provenance.sources import read_one

SEED = Path(__file__).resolve().parents[1] / "examples" / "macron-putin-call.txt"


@pytest.fixture(scope="module")
def ex():
    return extract(read_one(str(SEED)))


def kind(ex, k):
    return [c for c in ex.citations if c.kind.value == k]


def claim_at(ex, phrase):
    return next(c for c in ex.claims if phrase in c.text)


def test_one_tweet_from_its_residue(ex):
    (tweet,) = kind(ex, "tweet")
    assert tweet.handle == "@United24media"
    assert tweet.date == "2025-07-01"
    assert tweet.url is None


def test_glued_short_link_starts_at_https_and_belongs_to_the_tweet(ex):
    (short,) = kind(ex, "short_link")
    assert short.url == "https://t.co/Cnqgv5qgwV"
    assert short.parent == kind(ex, "tweet")[0].id
    assert ex.text[short.start : short.end] == "https://t.co/Cnqgv5qgwV"


def test_tweet_text_is_a_post_claim_citing_the_tweet(ex):
    post = next(c for c in ex.claims if c.kind.value == "post")
    assert post.text.startswith("⚡️ Putin and Macron spoke by phone")
    assert [(link.citation, link.rule) for link in post.citations] == [
        (kind(ex, "tweet")[0].id, "embedded-post")
    ]
    assert post.status.value == "sourced"  # the t.co child is a page not yet checked


def test_paragraphs_ending_in_a_domain_source_every_sentence(ex):
    outlets = kind(ex, "outlet")
    assert sorted(o.outlet for o in outlets) == [
        "france24.com",
        "france24.com",
        "yournews.com",
        "yournews.com",
    ]
    first = next(o for o in outlets if o.outlet == "yournews.com")
    for phrase in ("Conversely, Putin pointed fingers", "He reiterated that a sustainable peace deal"):
        claim = claim_at(ex, phrase)
        assert (first.id, "paragraph-outlet") in [(link.citation, link.rule) for link in claim.citations]
        assert claim.status.value == "vague"
        assert "yournews.com" not in claim.text


def test_quotes_have_speaker_and_outlet_parent(ex):
    quotes = kind(ex, "quote")
    assert len(quotes) == 2
    by_id = {c.id: c for c in ex.citations}
    for q in quotes:
        assert q.speaker == "French presidential office"
        assert q.outlet == "france24.com"
        parent = by_id[q.parent]
        assert parent.kind.value == "outlet" and parent.outlet == "france24.com"
    assert quotes[0].parent != quotes[1].parent
    claim = claim_at(ex, "Macron emphasized France’s unwavering support")
    assert claim.kind.value == "quote"
    assert [link.rule for link in claim.citations] == ["quote-attribution"]


def test_watch_line_is_a_video_without_url(ex):
    (video,) = kind(ex, "video")
    assert video.url is None
    assert video.text.startswith("Watch a report:")


def test_no_link_citations(ex):
    assert kind(ex, "link") == []


def test_structure_headline_bullets_and_no_headings(ex):
    assert ex.claims[0].kind.value == "headline"
    assert ex.claims[0].text.startswith("Macron and Putin’s rare two-hour call")
    bullets = [c for c in ex.claims if c.kind.value == "bullet"]
    assert [b.text for b in bullets] == [
        "Macron urged Putin to cease fire in Ukraine.",
        "France supports Ukraine’s sovereignty.",
        "Putin blames the West for the Ukraine conflict.",
        "Leaders discussed Iran’s nuclear program diplomacy.",
    ]
    headings = (
        "At a Glance",
        "Diplomatic Momentum Restored",
        "Iran’s Nuclear Ambitions Under Scrutiny",
        "Future Diplomatic Prospects",
    )
    assert not [c for c in ex.claims if c.text.strip() in headings]


def test_iran_paragraph_is_unsourced(ex):
    for phrase in ("Nuclear discussions unfolded", "Putin, championing Iran’s right"):
        assert claim_at(ex, phrase).status.value == "unsourced"


def test_offsets_point_into_the_text(ex):
    for c in ex.citations:
        assert 0 <= c.start <= c.end <= len(ex.text)
    for c in ex.claims:
        assert ex.text[c.start : c.end] == c.text


def test_json_contract(ex):
    doc = ex.to_json()
    assert {"source", "title", "published", "citations", "claims"} <= set(doc)
    for c in doc["citations"]:
        assert {
            "id",
            "kind",
            "url",
            "text",
            "outlet",
            "handle",
            "speaker",
            "date",
            "parent",
            "start",
            "end",
        } <= set(c)
    for c in doc["claims"]:
        assert {"id", "kind", "text", "start", "end", "status", "citations"} <= set(c)
        for link in c["citations"]:
            assert {"citation", "rule", "confidence"} <= set(link)
    ids = [c["id"] for c in doc["citations"]]
    assert ids == list(range(1, len(ids) + 1))


def test_claims_are_graded_as_grade_would_with_nothing_resolved(ex):
    from provenance.claims import grade

    by_id = {c.id: c for c in ex.citations}
    assert [c.status for c in ex.claims] == [grade(c, by_id, None) for c in ex.claims]
