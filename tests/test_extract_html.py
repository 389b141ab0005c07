"""HTML pages: body links, embeds, boilerplate, metadata, and inputs that must never crash extraction."""

import gzip
from pathlib import Path

import pytest

from provenance.extract import extract
from provenance.ingest import article_from_bytes
from provenance.sources import read_one

from .conftest import missing

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "council-bridge.html"  # written as a sample page
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "pages"


def page(html: str | bytes, url: str | None = None):
    data = html.encode("utf-8") if isinstance(html, str) else html
    return extract(article_from_bytes("page.html", data, url=url))


@pytest.fixture(scope="module")
def ex():
    return extract(read_one(str(SAMPLE)))


def urls(ex, kind):
    return [c.url for c in ex.citations if c.kind.value == kind]


def test_metadata(ex):
    assert ex.title == "Council approves river bridge plan"
    assert ex.published == "2024-05-01"
    assert (
        ex.canonical_url == "https://www.example-times.com/2024/05/01/council-approves-river-bridge-plan.html"
    )
    assert ex.outlet == "The Example Times"
    assert ex.author == "Dana Reyes"


def test_body_links_resolved_and_boilerplate_left_out(ex):
    assert urls(ex, "link") == [
        "https://www.transport.example.gov/reports/bridge-study-2023.pdf",
        # relative, resolved against the canonical URL
        "https://www.example-times.com/2024/04/30/mayor-outlines-bridge-budget.html",
    ]
    everything = " ".join(c.url or "" for c in ex.citations)
    for left_out in (
        "/tag/",
        "/authors/",
        "intent/tweet",
        "other-story",
        "newsletters",
        "most-read",
        "about",
        "site-promo",
        "spam.example.net",
        "bridge-full.jpg",
    ):
        assert left_out not in everything


def test_short_link_in_body_is_a_short_link(ex):
    assert "https://bit.ly/bridge-budget" in urls(ex, "short_link")
    assert "https://bit.ly/bridge-budget" not in urls(ex, "link")


def test_embedded_tweet(ex):
    (tweet,) = [c for c in ex.citations if c.kind.value == "tweet"]
    assert tweet.url == "https://twitter.com/MayorLee/status/1785000000000000001"  # x.com form, query dropped
    assert tweet.handle == "@MayorLee" and tweet.date == "2024-05-01"
    children = [c for c in ex.citations if c.parent == tweet.id]
    assert [c.url for c in children] == ["https://t.co/AbCdEf1234", "https://t.co/PiCtUrE987"]
    assert all(c.kind.value == "short_link" for c in children)
    post = next(c for c in ex.claims if c.kind.value == "post")
    assert post.text.startswith("Huge day for the river crossing")
    assert [link.rule for link in post.citations] == ["embedded-post"]


def test_videos_lazy_nocookie_and_vimeo_but_not_comments(ex):
    assert urls(ex, "video") == ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://vimeo.com/76979871"]


def test_outlets_short_form_and_own_outlet(ex):
    outlets = [(c.outlet, c.text) for c in ex.citations if c.kind.value == "outlet"]
    assert outlets == [
        ("Reuters", "Reuters"),
        ("The Washington Post", "Washington Post"),
        ("The Washington Post", "Post"),
    ]


def test_quote_with_speaker(ex):
    (quote,) = [c for c in ex.citations if c.kind.value == "quote"]
    assert quote.speaker == "Councillor Ann Morrow"
    assert quote.text.startswith("This bridge will bankrupt")


def test_heading_is_not_a_claim_and_offsets_hold(ex):
    assert not [c for c in ex.claims if c.text == "What happens next"]
    for c in ex.claims:
        assert ex.text[c.start : c.end] == c.text
    for c in ex.citations:
        assert 0 <= c.start <= c.end <= len(ex.text)


def test_base_href_wins_for_relative_links():
    html = (
        '<html><head><base href="https://static.example.org/site/"><link rel="canonical" '
        'href="https://www.example.org/story"></head><body><article><p>Enough words here to make this a real '
        'paragraph of text, with <a href="docs/report-2024.html">a report</a> cited inline.</p></article>'
        "</body></html>"
    )
    assert urls(page(html), "link") == ["https://static.example.org/site/docs/report-2024.html"]


def test_og_url_when_no_canonical():
    html = (
        '<html><head><meta property="og:url" content="https://www.example.org/2024/story-slug-here">'
        "</head><body><article><p>Enough words here to make this a real paragraph of text, with "
        '<a href="/2023/01/01/older-story-on-this.html">an older story</a> cited.</p></article></body></html>'
    )
    assert urls(page(html), "link") == ["https://www.example.org/2023/01/01/older-story-on-this.html"]


def test_tweet_without_date_text_and_tweet_iframe():
    html = (
        "<html><body><article><p>Words enough for a paragraph about the planes that flew over the city.</p>"
        '<blockquote class="twitter-tweet" data-lang="en"><a href="https://twitter.com/someone/status/42">'
        "Tweet may have been deleted</a></blockquote>"
        '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=99"></iframe></article></body></html>'
    )
    tweets = [c for c in page(html).citations if c.kind.value == "tweet"]
    assert [(t.url, t.date) for t in tweets] == [
        ("https://twitter.com/someone/status/42", None),
        ("https://twitter.com/i/status/99", None),
    ]


def test_deep_nesting_keeps_links():
    """libxml2 drops what is nested past its depth limit; the link must survive."""
    for depth in (300, 5000):
        html = (
            "<html><body><article><p>A first paragraph that is long enough to be the article body.</p>"
            + "<div>" * depth
            + '<p>Deep, with <a href="https://example.org/deep/story-page">a link</a>, '
            "according to Reuters.</p>" + "</div>" * depth + "</article></body></html>"
        )
        ex = page(html)
        assert urls(ex, "link") == ["https://example.org/deep/story-page"], depth
        assert [c.outlet for c in ex.citations if c.kind.value == "outlet"] == ["Reuters"]


@pytest.mark.parametrize(
    "data",
    [
        # latin-1 bytes
        b"<html><body><p>Caf\xe9 owners said the plan, according to Reuters, was late.</p></body></html>",
        b"<html><body><p>Broken <a href='https://t.co/x1'>link<div><table><tr><td>never closed",
        b"<html><body><p>Nul \x00 bytes\x00 in text <a href='https://bit.ly/nul'>here</a></p></body></html>",
        b"<?xml version='1.0' encoding='utf-8'?><html><body><p>XML declaration first.</p></body></html>",
        b"<html><head><script type='application/ld+json'>{broken json</script></head><body></body></html>",
        "<html><body><p>UTF-16 page with a link <a href='https://ow.ly/u16'>x</a></p></body></html>".encode(
            "utf-16"
        ),
    ],
)
def test_robust_inputs_never_raise(data):
    ex = page(data)
    assert isinstance(ex.text, str)
    for c in ex.citations:
        assert 0 <= c.start <= c.end <= len(ex.text)


def test_links_survive_broken_markup_and_nul_bytes():
    assert urls(
        page(b"<html><body><p>Broken <a href='https://t.co/x1'>link<div>never closed"), "short_link"
    ) == ["https://t.co/x1"]
    ex = page(
        b"<html><body><p>Nul \x00 bytes\x00 in text <a href='https://bit.ly/nul'>here</a></p></body></html>"
    )
    assert "\x00" not in ex.text and urls(ex, "short_link") == ["https://bit.ly/nul"]


def test_huge_page_is_cut_with_a_note(monkeypatch):
    from provenance.extract import html as html_reader

    monkeypatch.setattr(html_reader, "MAX_HTML_CHARS", 5000)
    filler = "<p>" + "word " * 200 + "</p>"
    ex = page(
        "<html><body><article>"
        + '<p>Early <a href="https://bit.ly/early">link</a></p>'
        + filler * 50
        + '<p><a href="https://bit.ly/late">late</a></p></article></body></html>'
    )
    assert urls(ex, "short_link") == ["https://bit.ly/early"]
    assert any("cut" in n for n in ex.notes)


# --- real pages (from the evaluation corpus, when it is there) ------------------------------------------


def corpus_page(name):
    path = CORPUS / f"{name}.html.gz"
    if not path.exists():
        missing(f"evaluation corpus not found at {CORPUS}")
    return extract(article_from_bytes(name, gzip.decompress(path.read_bytes())))


def test_real_page_tag_links_are_not_citations():
    ex = corpus_page("deadline-2019-trump-boeing")
    assert not [c for c in ex.citations if c.kind.value == "link" and "/tag/" in c.url]
    assert len([c for c in ex.citations if c.kind.value == "tweet"]) == 3


def test_real_page_video_in_reader_comment_is_not_the_articles():
    ex = corpus_page("uproxx-2014-shaun-stage-show")
    assert len([c for c in ex.citations if c.kind.value == "video"]) == 1


def test_real_page_feature_split_over_several_containers():
    ex = corpus_page("arstechnica-2017-youtube-stars")
    assert len([c for c in ex.citations if c.kind.value == "video"]) == 4


def test_real_page_wrapper_named_social_still_holds_its_tweets():
    ex = corpus_page("njcom-2019-meth-slogan")
    assert len([c for c in ex.citations if c.kind.value == "tweet"]) == 5


def test_embeds_beside_the_text_column_but_inside_the_article():
    html = (
        '<html><body><article><div class="text"><p>Some long paragraph of text that goes on about the topic '
        "at hand, really long.</p><p>Another paragraph with more words, commas, and stuff.</p></div>"
        '<div class="embeds"><blockquote class="twitter-tweet"><p>hello <a href="https://t.co/zzz">t.co/zzz</a>'
        '</p>&mdash; A (@a) <a href="https://twitter.com/a/status/5">May 1, 2020</a></blockquote>'
        '<iframe data-tweet-id="777" src="https://platform.twitter.com/embed/index.html"></iframe></div>'
        '</article><aside><blockquote class="twitter-tweet"><a href="https://twitter.com/b/status/6">x</a>'
        "</blockquote></aside></body></html>"
    )
    ex = page(html)
    assert urls(ex, "tweet") == ["https://twitter.com/a/status/5", "https://twitter.com/i/status/777"]
    assert urls(ex, "short_link") == ["https://t.co/zzz"]


def test_bare_urls_in_pasted_text_even_glued():
    ex = extract(
        article_from_bytes(
            "t.txt",
            "Title line here.\n\nSee https://example.org/a-report. A campaign.pic.twitter.com/Zq4RbW8nTe\n\n"
            "— Jane Roe (@janeroe_news) November 18, 2019\n".encode(),
        )
    )
    assert [(c.kind.value, c.url) for c in ex.citations if c.url] == [
        ("link", "https://example.org/a-report"),
        ("short_link", "https://pic.twitter.com/Zq4RbW8nTe"),
    ]
    tweet = next(c for c in ex.citations if c.kind.value == "tweet")
    assert ex.citations[-1].parent == tweet.id


def test_extraction_never_touches_the_network(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("extraction tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    from provenance import quirks

    quirks._suffix_rules.cache_clear()  # the suffix list is read afresh, from the package's data file
    quirks._split_host.cache_clear()
    extract(read_one(str(SAMPLE)))
    # no date in the markup: the htmldate fallback runs, on the tree only
    ex = page(
        "<html><body><article><p>Undated page, posted by someone, with a line of text that "
        'ends in a domain. <a href="/x/y-z-w">rel</a></p><p>More. example.com</p></article></body></html>'
    )
    assert ex.published is None


def test_json_ld_article_body_picks_the_container():
    story = [
        "The harbour authority approved the new ferry terminal on Monday after a long public consultation.",
        "Critics said the terminal would crowd the old quay, and asked for a second review of the plans.",
        "Work is due to start in the autumn and finish within two years, the authority said in a statement.",
    ]
    body_text = " ".join(story)
    sidebar = "".join(
        f"<p>Another long teaser paragraph number {i}, with commas, words, and more words, to look dense. "
        f'<a href="https://www.example.org/2024/01/0{i}/teaser-story-number-{i}">teaser</a></p>'
        for i in range(1, 9)
    )
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "'
        + body_text
        + '"}</script></head><body><div class="wrap"><div class="col-a">'
        + "".join(f"<p>{s}</p>" for s in story[:2])
        + "<p>Work is due to start in the autumn and finish within two years, the authority said in "
        '<a href="https://harbour.example.gov/statement-2024">a statement</a>.</p></div>'
        '<div class="col-b">' + sidebar + "</div></div></body></html>"
    )
    ex = page(html)
    assert urls(ex, "link") == ["https://harbour.example.gov/statement-2024"]


# --- outlet citations in running text ---------------------------------------------------------------


def outlets_in(paragraphs: list[str], site="The Example Times", url="https://example-times.com/a"):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f'<html><head><meta property="og:site_name" content="{site}"><link rel="canonical" href="{url}">'
        f"</head><body><article>{body}</article></body></html>"
    )
    return [(c.outlet, c.text) for c in page(html).citations if c.kind.value == "outlet"]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The plant will close in May, according to Reuters.", ["Reuters"]),
        ("A spokesman told The New York Times that talks had stalled.", ["The New York Times"]),
        ("The deal was first reported by Bloomberg on Friday.", ["Bloomberg"]),
        ("The Guardian reported that the minister resigned.", ["The Guardian"]),
        ("(Via CNN)", ["CNN"]),
        ("The casting is final, according to reports from The Wrap and Variety.", ["The Wrap", "Variety"]),
        ("An official told Norwegian newspaper Fjordposten that the road would reopen.", ["Fjordposten"]),
        ("It was reported by the Springfield Gazette-Herald last week.", ["Springfield Gazette-Herald"]),
        ("Reuters, citing two people familiar with the matter, said the bid failed.", ["Reuters"]),
        ("09.15 Reuters - COUNCIL SAYS BRIDGE REOPENED", ["Reuters"]),
    ],
)
def test_outlet_attributions(sentence, expected):
    assert [outlet for outlet, _ in outlets_in([sentence])] == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Vice President Jane Roe said the plan was sound.",  # an outlet name inside a title
        "Daniel J. Fox said he was moved by the letters.",  # a person named like an outlet
        "People said the queue was too long.",  # an outlet name that is an ordinary word
        "Hill told reporters he would run again.",  # a surname
        "The study appeared in the Northern Journal of Marine Biology.",  # a journal, not a newsroom
        "Engineers posted on Twitter and Reddit about the outage.",  # platforms
        "Readers on Engadget forums said the update broke their phones.",
        "The company sued Time Lattice over the contract.",
    ],
)
def test_not_outlet_attributions(sentence):
    assert outlets_in([sentence]) == []


def test_short_form_after_full_name_and_own_outlet_left_out():
    found = outlets_in(
        [
            "The mayor spoke to The Washington Post on Monday.",
            "She told the Post that the bridge would open in June.",
            "She also told The Example Times that costs had doubled.",  # the page's own outlet
            "According to the newspaper, bids open next week.",
        ]
    )
    assert found == [
        ("The Washington Post", "Washington Post"),
        ("The Washington Post", "Post"),
        ("The Washington Post", "According to the newspaper"),
    ]


def test_page_headline_is_not_read_for_outlets():
    html = (
        "<html><head><title>Mayor tells Reuters the bridge is late</title></head><body><article>"
        "<p>The bridge is late, the mayor said on Monday in a long interview about the project.</p>"
        "</article></body></html>"
    )
    assert [c for c in page(html).citations if c.kind.value == "outlet"] == []


def test_a_failing_stage_is_noted_and_the_rest_extracted(monkeypatch):
    import provenance.extract as extract_package

    def broken(doc):
        raise RuntimeError("quotation reader broke")

    monkeypatch.setattr(extract_package, "find_quotes", broken)
    ex = extract(read_one(str(SAMPLE)))
    assert any("quotations skipped" in n for n in ex.notes)
    assert urls(ex, "tweet") and urls(ex, "video") and ex.claims


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The Associated Press contributed to this report.", ["Associated Press"]),
        ("The plan was first reported by the Sun-Times on Monday.", ["Sun-Times"]),
        ("This article originally appeared in The Conversation.", ["The Conversation"]),
        ("Reuters and the Associated Press reported the deal on Friday.", ["Reuters", "Associated Press"]),
    ],
)
def test_more_outlet_attributions(sentence, expected):
    assert [outlet for outlet, _ in outlets_in([sentence])] == expected


def test_story_split_over_unnamed_columns():
    def column(n):
        return (
            '<div class="css-1x9 col"><div>'
            + "".join(
                f"<p>Paragraph {n}.{i} of the story, with enough words, commas, and clauses to count.</p>"
                for i in range(4)
            )
            + f'<p>Column {n} cites <a href="https://source{n}.example.org/report-{n}">a source</a>.</p>'
            "</div></div>"
        )

    html = (
        '<html><body><main><div class="story">'
        + column(1)
        + '<div class="ad-slot"><a href="https://ads.example.com/click">Ad</a></div>'
        + column(2)
        + column(3)
        + "</div>"
        '<div class="most-read"><p>Short teaser <a href="https://www.example.org/2020/01/01/a-b-c">x</a></p></div>'
        "</main></body></html>"
    )
    assert urls(page(html), "link") == [f"https://source{n}.example.org/report-{n}" for n in (1, 2, 3)]


def test_property_article_body_marks_the_body():
    html = (
        '<html><body><div class="wrap"><div property="articleBody"><p>The council met on Tuesday to debate '
        "the proposal, which has split residents, and "
        '<a href="https://council.example.gov/minutes-2024">the minutes</a> are online.</p>'
        "<p>A second paragraph follows with more words, commas, and detail, and a third "
        "sentence that makes the marked body long enough to trust.</p></div>"
        '<div class="x">'
        + "<p>Unrelated long text in a widget, with commas, words, and more words.</p>" * 8
        + "</div></div></body></html>"
    )
    assert urls(page(html), "link") == ["https://council.example.gov/minutes-2024"]


def test_tweet_in_an_aside_inside_the_body():
    html = (
        "<html><body><article><p>Enough words to make this the article body, with commas, and clauses.</p>"
        '<aside class="social-share"><blockquote class="twitter-tweet"><p>Post text</p>&mdash; A (@a) '
        '<a href="https://twitter.com/a/status/77">June 2, 2021</a></blockquote>'
        '<a href="https://twitter.com/intent/tweet">Share</a></aside>'
        "<p>Another paragraph of the article, with more words, and more commas.</p></article></body></html>"
    )
    ex = page(html)
    assert [(t.url, t.date) for t in ex.citations if t.kind.value == "tweet"] == [
        ("https://twitter.com/a/status/77", "2021-06-02")
    ]
    assert urls(ex, "link") == []


def test_metadata_cleanups():
    html = (
        '<html><head><title>Storm hits the coast | NJ.com</title><meta property="og:site_name" content="nj">'
        '<link rel="canonical" href="https://www.nj.com/weather/2024/01/storm-hits-the-coast.html">'
        '<meta name="author" content="Analysis by Jane Doe, Senior Weather Editor">'
        '<meta property="article:published_time" content="2024-01-09T10:00:00-05:00"></head>'
        "<body><article><p>The storm reached the coast at dawn, officials said, and roads were closed.</p>"
        "</article></body></html>"
    )
    ex = page(html)
    assert (ex.title, ex.outlet, ex.author, ex.published) == (
        "Storm hits the coast",
        "NJ.com",
        "Jane Doe",
        "2024-01-09",
    )


def test_instagram_and_tiktok_embeds():
    html = (
        "<html><body><article><p>Enough words to make this the article body, with commas, and clauses.</p>"
        '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/B4xYz/?utm_source'
        '=ig_embed"><div><p>A caption on the post</p><a href="https://www.instagram.com/p/B4xYz/?utm_source=x">'
        "A post shared by Someone (@someone)</a></div></blockquote>"
        '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@creator/video/7012345678901234567">'
        "<section><p>dance</p></section></blockquote></article></body></html>"
    )
    ex = page(html)
    assert [(c.kind.value, c.url) for c in ex.citations] == [
        ("link", "https://www.instagram.com/p/B4xYz/"),
        ("video", "https://www.tiktok.com/@creator/video/7012345678901234567"),
    ]
    assert [c.kind.value for c in ex.claims if c.kind.value == "post"] == ["post"]


def test_huge_pasted_text_is_cut_with_a_note(monkeypatch):
    import provenance.extract as extract_package

    monkeypatch.setattr(extract_package, "MAX_TEXT_CHARS", 200)
    text = "A first line of the text.\n" + "Some sentence here that repeats itself. " * 20 + "https://bit.ly/late"
    ex = extract(article_from_bytes("t.txt", text.encode()))
    assert len(ex.text) == 200 and not [c for c in ex.citations if c.url]
    assert any("cut" in n for n in ex.notes)


def test_the_fast_boilerplate_check_gives_the_pattern_s_answer():
    from provenance.extract.boilerplate import BOILERPLATE_LINES, is_boilerplate_line

    lines = ["Related: the vote", "— See also: our guide", "Photo: Jane Doe", "Photos by AP", "Sign up",
             "Get our newsletter — subscribe now", "We may earn a commission from links", "Follow him on Twitter",
             "Jane Doe is a staff writer at the paper", "The mayor said the vote would be held in May.",
             "Subscribe to our newsletter", "He read more than 40 reports.", "A related story ran."]
    answers = [is_boilerplate_line(s) for s in lines]
    assert answers == [bool(BOILERPLATE_LINES.search(s)) for s in lines]
    assert answers[:9] == [True] * 9 and answers[9] is False


def test_a_link_repeated_in_a_page_is_cited_each_time_and_a_menu_link_never():
    """A page's links are read once per URL: a source cited twice is two citations, a tag page linked
    from every paragraph none."""
    para = (
        "<p>The ministry's figures, published on Monday and covering every region of the country, "
        '<a href="https://stats.example.org/report-2024">showed a rise</a> in the count; see '
        '<a href="/tag/economy">economy</a>.</p>'
    )
    ex = page(f"<html><body><article>{para * 3}</article></body></html>", url="https://news.example.com/a/b-c-1")
    links = [c for c in ex.citations if c.kind == "link"]
    assert [c.url for c in links] == ["https://stats.example.org/report-2024"] * 3
    assert len({c.start for c in links}) == 3
