"""Each URL rule alone: shortener hosts, tracking parameters, embeds, navigation links."""

import json
import re
from urllib.parse import urljoin

import pytest

from provenance import quirks


@pytest.mark.parametrize(
    "url",
    [
        "https://t.co/Cnqgv5qgwV",
        "http://bit.ly/abc",
        "https://amzn.to/2xyz",
        "https://tinyurl.com/y3k",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://ow.ly/x",
        "https://buff.ly/x",
        "https://trib.al/x",
        "https://dlvr.it/x",
        "https://goo.gl/x",
        "https://www.bit.ly/abc",
        "https://pic.twitter.com/3BDnrvkoms",
    ],
)
def test_shortener_hosts(url):
    assert quirks.is_short_link(url)


@pytest.mark.parametrize(
    "url",
    ["https://twitter.com/u/status/1", "https://bitly.example.com/x", "https://example.com/t.co/x", None, ""],
)
def test_not_shorteners(url):
    assert not quirks.is_short_link(url)


def test_absolute_resolves_relative_and_protocol_relative():
    base = "https://www.example.com/news/2024/story.html"
    assert quirks.absolute("/a/b", base) == "https://www.example.com/a/b"
    assert quirks.absolute("c.html", base) == "https://www.example.com/news/2024/c.html"
    assert quirks.absolute("//cdn.example.org/x", base) == "https://cdn.example.org/x"
    for href in ("#top", "mailto:a@b.c", "javascript:void(0)", "tel:123", "", None):
        assert quirks.absolute(href, base) is None
    assert quirks.absolute("/a", None) is None


@pytest.mark.parametrize(
    "base", ["https://www.example.com/news/2024/story", "HTTP://Example.COM", "http://user:pw@h.example:8080/a;p?q=1#f"]
)
@pytest.mark.parametrize(
    "href",
    ["/a/b", "/", "/a//b/", "/a/./b", "/a/../b", "/..", "/a?", "/a?x=1#top", "/a#", "/a;p", "/a\rb", "/é %20"]
    + ["/a:b", "/a@b", "/.well-known/x"],
)
def test_absolute_writes_root_relative_paths_as_urljoin_does(href, base):
    """A root-relative href written straight after the base's scheme and host reads as `urljoin` reads it,
    dot segments, an empty query, parameters and all."""
    assert quirks.absolute(href, base) == urljoin(base, href)


def test_absolute_on_a_base_urlsplit_refuses_is_none():
    assert quirks.absolute("/a", "https://[::1/x") is None


def test_tracking_parameters_are_dropped_for_comparison_only():
    url = "https://www.example.com/a/?utm_source=tw&fbclid=1&id=7#frag"
    assert quirks.strip_tracking(url) == "https://www.example.com/a/?id=7"
    assert quirks.dedup_key(url) == quirks.dedup_key("http://example.com/a?id=7")


def test_tweet_urls_normalise_to_twitter_com_and_keep_handle_case():
    assert (
        quirks.tweet_url("https://x.com/MayorLee/status/123?ref_src=twsrc")
        == "https://twitter.com/MayorLee/status/123"
    )
    assert quirks.tweet_url("https://mobile.twitter.com/a_b/statuses/9") == "https://twitter.com/a_b/status/9"
    assert quirks.tweet_url("https://twitter.com/MayorLee") is None


@pytest.mark.parametrize(
    "src,expected",
    [
        ("https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("//www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://player.vimeo.com/video/76979871?h=1", "https://vimeo.com/76979871"),
        ("https://vine.co/v/OjqeYWWpVWK/embed/simple", "https://vine.co/v/OjqeYWWpVWK"),
        ("https://www.youtube.com/embed/videoseries?list=PLabc", "https://www.youtube.com/playlist?list=PLabc"),
    ("https://www.example.com/embed/123", None),
    ],
)
def test_video_embeds(src, expected):
    assert quirks.video_url(src) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/intent/tweet?url=x",
        "https://www.facebook.com/sharer/sharer.php?u=x",
        "https://www.youtube.com/channel/UCabc?sub_confirmation=1",
        "https://www.linkedin.com/shareArticle?x",
    ],
)
def test_share_and_follow_links(url):
    assert quirks.is_share_or_follow(url)


def test_navigation_links():
    page = "https://www.example.com/2024/05/01/story-slug.html"
    assert quirks.is_navigation("https://www.example.com/tag/politics/", page)
    assert quirks.is_navigation("https://www.example.com/people/ilhan-omar", page)
    assert quirks.is_navigation("https://www.example.com/by/jane-doe", page)
    assert quirks.is_navigation("https://www.example.com/news/world/asia/", page)  # a section front
    assert quirks.is_navigation("https://www.sbnation.com/nfl/players/123/some-player", page)
    assert quirks.is_navigation("https://www.example.com/quote/AAPL", page)
    # An article on the same site, or another site's topic page cited in text, is not navigation.
    assert not quirks.is_navigation("https://www.example.com/2024/04/30/earlier-story.html", page)
    assert not quirks.is_navigation(
        "https://www.example.com/culture/rudy-giuliani-not-secretary-of-state/", page
    )
    assert not quirks.is_navigation("https://www.history.com/topics/middle-ages/black-death", page)


def test_each_link_rule_set_read_as_one_pattern_matches_where_one_of_its_rules_does():
    rules = quirks._link_rules()
    raw = json.loads((quirks._DATA / "link_rules.json").read_text(encoding="utf-8"))
    navigation = [re.compile(p, re.I) for p in raw["navigation_paths"]]
    follow = [re.compile(p, re.I) for p in raw["follow_paths"]]
    paths = ["/quote/AAPL", "/nfl/players/1", "/newsletters", "/subscribe?x", "/feed/", "/rss", "/news/a-b", "/",
             "/QUOTE/aapl/", "/feedback", "/signup-now"]
    urls = ["https://twitter.com/intent/follow?x=1", "https://x.com/intent/follow", "https://www.youtube.com/@chan",
            "https://youtube.com/c/name/?sub_confirmation=1", "https://youtube.com/c/name/videos",
            "https://example.com/a?b=1&sub_confirmation=1", "https://example.com/a", "HTTPS://X.COM/INTENT/FOLLOW"]
    for path in paths:
        assert bool(rules["any_navigation"].search(path)) == any(p.search(path) for p in navigation), path
    for url in urls:
        assert bool(rules["any_follow"].search(url)) == any(p.search(url) for p in follow), url


def test_registrable_domain_is_offline():
    assert quirks.registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert quirks.has_public_suffix("yournews.com")
    assert not quirks.has_public_suffix("node.js")


@pytest.mark.parametrize(
    "url",
    ["https://ctt.ec/rWu67", "https://flic.kr/p/2aBc9", "https://shrt.io/Xy12?t=5", "https://go.example.com/2xYz9Q"],
)
def test_short_links_by_shape_on_hosts_the_table_lacks(url):
    assert quirks.host(url) not in quirks.shortener_hosts()
    assert quirks.is_short_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a1B2c3",  # a site's gTLD: a short path there is a page
        "https://news.bbc.co.uk/abc12",  # a second-level suffix and a subdomain
        "https://t.me/durov",  # a word, not a code
        "https://spiegel.de/politik/a1B2c3",  # two segments
        "https://ctt.ec/12345",  # digits only: an id, not a code
        "https://ctt.ec/rWu67/some-article-slug",
        "https://www.example.se/gift-voucher",  # words joined like a slug
        "https://www.example.in/zero1-awards/",
    ],
)
def test_not_short_by_shape(url):
    assert not quirks.looks_short(url)


def test_site_paths_spare_stories_filed_under_a_section_and_other_sites_about_pages():
    page = "https://www.example.com/2024/05/01/story-slug.html"
    assert quirks.is_navigation("https://www.example.com/tag_person/jane-doe_123/", page)
    assert quirks.is_navigation("https://www.example.com/about/", page)
    # a story under a section keyword, and another organisation's membership or staff page
    assert not quirks.is_navigation(
        "https://www.example.com/sections/desk/2016/12/05/504414334/a-story-slug", page
    )
    assert not quirks.is_navigation("https://cbc.example.gov/membership", page)
    assert not quirks.is_navigation("https://www.example.org/en/about/who-we-are/staff-profiles/a-b", page)


def test_own_links_with_campaign_tracking_are_recirculation():
    page = "https://www.example.com/2024/05/01/story-slug.html"
    assert quirks.is_recirculation("https://www.example.com/story/other/?itm_campaign=BottomRelated", page)
    assert quirks.is_recirculation("https://example.com/2019/x.html?utm_source=moreat", page)
    assert quirks.is_recirculation("https://example.com/2019/x.html?a=1&UTM_medium=x", page)
    assert quirks.is_recirculation("https://example.com/2019/x.html?%75tm_source=x", page)  # the key as parsed
    assert not quirks.is_recirculation("https://www.example.com/story/other/", page)
    assert not quirks.is_recirculation("https://other.example.org/x?utm_source=feed", page)


@pytest.mark.parametrize(
    "host, registered",
    [
        ("news.bbc.co.uk", "bbc.co.uk"),  # a two-label suffix
        ("WWW.Example.COM.", "example.com"),  # case and a trailing dot
        ("a.b.foo.ck", "b.foo.ck"),  # `*.ck`: every name under ck is a suffix
        ("www.ck", "www.ck"),  # `!www.ck`: the exception is itself registered
        ("x.city.kawasaki.jp", "city.kawasaki.jp"),  # `!city.kawasaki.jp` under `*.kawasaki.jp`
        ("xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),  # an IDN suffix (рф) in its ASCII form
        ("user@mail.example.org:8080", "example.org"),  # user info and port are no part of the name
        ("127.0.0.1", "127.0.0.1"),  # an address has no suffix: itself
        ("node.js", "node.js"),  # `js` is no public suffix
    ],
)
def test_registrable_domain_follows_the_public_suffix_rules(host, registered):
    assert quirks.registrable_domain(host) == registered


def test_a_public_suffix_needs_a_name_before_it():
    assert quirks.has_public_suffix("france24.com") and quirks.has_public_suffix("bbc.co.uk")
    assert not quirks.has_public_suffix("co.uk") and not quirks.has_public_suffix("node.js")
    assert not quirks.has_public_suffix("") and not quirks.has_public_suffix("localhost")
