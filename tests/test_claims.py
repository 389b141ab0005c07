"""Claim splitting, the linking rules, and grading precedence."""

import pytest

from provenance.claims import content_words, grade, split_sentences
from provenance.extract import extract
from provenance.ingest import article_from_bytes
from provenance.models import Citation, Claim, ClaimKind, ClaimLink, ClaimStatus, Kind, Status


def text_article(text: str):
    return extract(article_from_bytes("pasted.txt", text.encode("utf-8")))


def test_sentences_do_not_split_on_abbreviations_or_glued_urls():
    text = (
        "Gov. Kristi Noem met Mr. Smith in the U.S. on Monday. She left at 5 p.m. They spoke since "
        "2022.https://t.co/x and then left! “Is it real?” he asked."
    )
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == [
        "Gov. Kristi Noem met Mr. Smith in the U.S. on Monday.",
        "She left at 5 p.m.",
        "They spoke since 2022.https://t.co/x and then left!",
        "“Is it real?” he asked.",
    ]


def test_a_short_quotation_is_not_split():
    text = "Just what is the slogan? “Meth. We’re on it.” Yes, that is it."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Just what is the slogan?", "“Meth. We’re on it.”", "Yes, that is it."]


def test_offsets_of_sentences_are_shifted():
    assert split_sentences("One two three. Four five six.", 10) == [(10, 24), (25, 39)]


def test_headings_are_recognised_by_shape_not_words():
    ex = text_article(
        "A headline that is the first line of the text.\nZebra Crossings Of The Mind\n"
        "A paragraph follows the heading and says something.\nnot a heading because lowercase\n"
        "Another paragraph here.\n"
    )
    texts = [c.text for c in ex.claims]
    assert "Zebra Crossings Of The Mind" not in texts
    assert "not a heading because lowercase" in texts


def test_inline_and_according_to_rules():
    html = (
        "<html><body><article><p>The dam failed in 2019, according to Reuters. Engineers had warned in "
        '<a href="https://example.org/report-2018">a 2018 report</a> that it could fail.</p>'
        "</article></body></html>"
    )
    ex = extract(article_from_bytes("p.html", html.encode()))
    first, second = [c for c in ex.claims if c.kind == ClaimKind.SENTENCE]
    assert [(ex.citation(link.citation).kind.value, link.rule) for link in first.citations] == [
        ("outlet", "according-to")
    ]
    assert first.status == ClaimStatus.VAGUE
    assert [(ex.citation(link.citation).url, link.rule) for link in second.citations] == [
        ("https://example.org/report-2018", "inline")
    ]
    assert second.status == ClaimStatus.SOURCED


def test_bullet_supported_by_body_sentence_inherits_its_citations():
    ex = text_article(
        "Dam report\n- Engineers warned the dam could fail.\nBody Section Heading\n"
        "Engineers warned for years that the old dam could fail, according to Reuters.\n"
        "Unrelated musings about the weather.\n"
    )
    bullet = next(c for c in ex.claims if c.kind == ClaimKind.BULLET)
    body = next(c for c in ex.claims if c.text.startswith("Engineers warned for years"))
    assert [cid for cid, _ in bullet.supported_by] == [body.id]
    assert {link.rule for link in bullet.citations} == {"supports"}
    assert all(link.via == body.id for link in bullet.citations)
    assert bullet.status == body.status == ClaimStatus.VAGUE


def test_content_words_ignore_stopwords_and_inflection():
    assert content_words("The engineers warned") == content_words("engineer warning the")


# --- grading ------------------------------------------------------------------------------------


def cits(*items):
    return {c.id: c for c in items}


LINK = Citation(1, Kind.LINK, "a", url="https://a.example/1")
LINK2 = Citation(2, Kind.LINK, "b", url="https://b.example/2")
TWEET = Citation(3, Kind.TWEET, "post", url=None, handle="@u")
TCO = Citation(4, Kind.SHORT_LINK, "t.co", url="https://t.co/x", parent=3)
OUTLET = Citation(5, Kind.OUTLET, "Reuters", outlet="Reuters")
QUOTE = Citation(6, Kind.QUOTE, "q", speaker="X", parent=5)
VIDEO = Citation(7, Kind.VIDEO, "Watch: x", url=None)
ALL = cits(LINK, LINK2, TWEET, TCO, OUTLET, QUOTE, VIDEO)


def claim(*ids, rule="inline"):
    return Claim(1, ClaimKind.SENTENCE, "x", citations=[ClaimLink(i, rule, 0.9) for i in ids])


@pytest.mark.parametrize(
    "ids,state,expected",
    [
        ((1,), {"https://a.example/1": (Status.ALIVE, True)}, ClaimStatus.ARCHIVED),
        ((1,), {"https://a.example/1": (Status.ALIVE, False)}, ClaimStatus.SOURCED),
        (
            (1, 2),
            {"https://a.example/1": (Status.DEAD, False), "https://b.example/2": (Status.ALIVE, False)},
            ClaimStatus.SOURCED,
        ),
        (
            (1, 2),
            {"https://a.example/1": (Status.DEAD, True), "https://b.example/2": (Status.SOFT404, False)},
            ClaimStatus.BROKEN,
        ),
        ((1,), None, ClaimStatus.SOURCED),
        ((1,), {}, ClaimStatus.SOURCED),
        ((1,), {"https://a.example/1": (Status.OFFLINE, False)}, ClaimStatus.SOURCED),
        # A page that could not be checked leaves the claim sourced: a failed network never
        # downgrades it, and `vague` means only that no specific page was cited.
        ((1,), {"https://a.example/1": (Status.TIMEOUT, False)}, ClaimStatus.SOURCED),
        ((1, 5), {"https://a.example/1": (Status.SKIPPED, False)}, ClaimStatus.SOURCED),
        (
            (1, 2),
            {"https://a.example/1": (Status.ERROR, False), "https://b.example/2": (Status.DEAD, False)},
            ClaimStatus.SOURCED,
        ),
        ((1, 2), {"https://a.example/1": (Status.DEAD, False)}, ClaimStatus.SOURCED),
        ((5,), None, ClaimStatus.VAGUE),
        ((6,), None, ClaimStatus.VAGUE),
        ((7,), None, ClaimStatus.VAGUE),
        ((), None, ClaimStatus.UNSOURCED),
    ],
)
def test_grade_precedence(ids, state, expected):
    assert grade(claim(*ids), ALL, state) == expected


def test_grade_follows_a_tweet_to_its_tco_child():
    c = claim(3, rule="embedded-post")
    assert grade(c, ALL, None) == ClaimStatus.SOURCED
    assert grade(c, ALL, {"https://t.co/x": (Status.DEAD, False)}) == ClaimStatus.BROKEN
    assert grade(c, ALL, {"https://t.co/x": (Status.ALIVE, True)}) == ClaimStatus.ARCHIVED
    assert grade(claim(3), cits(TWEET), None) == ClaimStatus.VAGUE  # a tweet with no URL and no links


def test_grade_follows_a_quote_to_its_outlet():
    assert grade(claim(6, rule="quote-attribution"), cits(QUOTE), None) == ClaimStatus.VAGUE
    linked = Citation(8, Kind.QUOTE, "q", speaker="X", parent=1)
    assert (
        grade(claim(8), cits(linked, LINK), {"https://a.example/1": (Status.ALIVE, False)})
        == ClaimStatus.SOURCED
    )


def test_grade_supported_only_takes_the_best_supporter():
    c = Claim(
        1,
        ClaimKind.BULLET,
        "x",
        supported_by=[(10, 0.8), (11, 0.6)],
        citations=[ClaimLink(1, "supports", 0.7, via=10), ClaimLink(5, "supports", 0.5, via=11)],
    )
    assert grade(c, ALL, {"https://a.example/1": (Status.DEAD, False)}) == ClaimStatus.VAGUE
    assert grade(c, ALL, {"https://a.example/1": (Status.ALIVE, True)}) == ClaimStatus.ARCHIVED


def test_quotes_with_speakers_are_linked_to_the_claims_holding_them():
    ex = text_article(
        "Bridge vote\n"
        'The mayor said: "This is the best day for the city in years." Then she left.\n'
        "“We will appeal the decision in court,” said Ann Morrow, a councillor.\n"
        "“It is a sad day for everyone,” he said.\n"
    )
    quotes = [(c.speaker, c.text) for c in ex.citations if c.kind == Kind.QUOTE]
    assert quotes == [
        ("The mayor", "This is the best day for the city in years."),
        ("Ann Morrow", "We will appeal the decision in court"),
        ("Ann Morrow", "It is a sad day for everyone"),
    ]  # "he" stands for the person named last before it
    holding = next(c for c in ex.claims if "best day" in c.text)
    assert [link.rule for link in holding.citations] == ["quote-attribution"]
    standing = next(c for c in ex.claims if "appeal the decision" in c.text)
    assert standing.kind == ClaimKind.QUOTE


def test_a_sentence_passed_over_for_support_shares_fewer_than_two_words_with_the_summaries():
    """`link_supports` skips a body sentence when `_may_share_two` says no: that must hold only for sentences
    sharing fewer than two content words with the summaries, on the example, the corpus pages where they
    are, and sentences of possessives, curly apostrophes, a capital sigma, a dotted I and Chinese."""
    import gzip
    from pathlib import Path

    from provenance.claims import _may_share_two

    root_dir = Path(__file__).resolve().parents[1]
    pages = [(root_dir / "examples" / "council-bridge.html").read_bytes()]
    pages += [gzip.decompress(p.read_bytes())
              for p in sorted((root_dir.parent / "shared" / "corpus" / "pages").glob("*.html.gz"))]
    cases = []
    for data in pages:
        ex = extract(article_from_bytes("page.html", data))
        wanted = set().union(*(content_words(c.text) for c in ex.claims
                               if c.kind in (ClaimKind.HEADLINE, ClaimKind.DEK, ClaimKind.BULLET)))
        cases += [(c.text, wanted) for c in ex.claims if c.kind in (ClaimKind.SENTENCE, ClaimKind.QUOTE)]
    headline = content_words("Council’s bridge plans approved despite ΟΔΟΣ İstanbul 桥梁计划 vote")
    cases += [(t, headline) for t in ("The council’s vote on bridges", "The COUNCIL'S BRIDGE", "ΟΔΟΣ plans",
                                      "İSTANBUL approved", "桥梁计划获批", "Nothing in common here")]
    shared_two = 0
    for text, wanted in cases:
        if len(content_words(text) & wanted) >= 2:
            shared_two += 1
            assert _may_share_two(text, wanted), text
    assert shared_two >= 5
    assert not _may_share_two("Nothing in common here", headline)
