"""The article body on pages the rules were not written on: what is kept, what is not the article,
videos behind a site's own wrapper or a lazy loader, and nothing lost without a note."""

from provenance.extract import extract
from provenance.ingest import article_from_bytes

URL = "https://www.example-daily.com/2024/05/01/river-story.html"
FILLER = (
    "<p>The council met on Tuesday evening, and members argued for hours about the bridge, the budget "
    "and the timetable, before a late vote settled the question for another year.</p>"
)


def page(body: str, head: str = "") -> object:
    html = (
        f"<html><head><title>River story</title><link rel='canonical' href='{URL}'>{head}</head>"
        f"<body><article><div class='story-body'>{FILLER}{body}{FILLER}</div></article></body></html>"
    )
    return extract(article_from_bytes("page.html", html.encode(), url=URL))


def urls(ex, *kinds):
    return [c.url for c in ex.citations if c.kind.value in kinds]


def test_commerce_links_in_running_text_are_kept():
    ex = page(
        "<p>We found the kettle <a href='https://amzn.to/3xYz12'>on Amazon</a> for less, and the mug at "
        "<a href='https://www.shop.example.net/mug?tag=aff-20'>a small shop</a>, both worth a look.</p>"
    )
    assert urls(ex, "short_link") == ["https://amzn.to/3xYz12"]
    assert urls(ex, "link") == ["https://www.shop.example.net/mug?tag=aff-20"]


def test_lists_of_the_sites_own_stories_are_not_the_article():
    ex = page(
        "<p>Officials cited <a href='https://www.example-daily.com/2024/04/02/earlier.html'>an earlier "
        "report</a> and <a href='https://gov.example.org/report.pdf'>the audit</a> in their decision.</p>"
        "<div class='nextstory'><h2><a href='https://www.example-daily.com/2024/05/02/a.html'>Other story"
        "</a></h2></div>"
        "<ul><li><a href='https://www.example-daily.com/2024/04/30/b.html'>Baby shower ideas</a> - "
        "October 23, 2020</li><li><a href='https://www.example-daily.com/2024/04/29/c.html'>Ten nursery "
        "hacks</a> - October 22, 2020</li></ul>"
        "<ul><li><a href='https://www.example-daily.com/story/d/?itm_campaign=BottomRelated'>How a "
        "city reads its rivers</a> and what it learns</li></ul>"
        "<div class='trending'><a href='https://www.example-daily.com/2024/05/01/e.html'>Trending now</a></div>"
    )
    assert urls(ex, "link") == [
        "https://www.example-daily.com/2024/04/02/earlier.html",
        "https://gov.example.org/report.pdf",
    ]


def test_off_site_link_lists_are_kept():
    ex = page(
        "<ul><li><a href='https://one.example.org/report'>The first report</a></li>"
        "<li><a href='https://two.example.net/study'>The second study</a></li></ul>"
    )
    assert urls(ex, "link") == ["https://one.example.org/report", "https://two.example.net/study"]


def test_site_player_links_are_dropped_but_a_youtube_video_inside_one_is_found():
    ex = page(
        "<div class='featured featured-video'><div class='video-player'>"
        "<a href='https://video.example-daily.com/v/6099396703001'>Video</a></div></div>"
        "<div class='video-container'><iframe src='https://www.youtube.com/embed/dQw4w9WgXcQ'></iframe></div>"
    )
    assert urls(ex, "link") == []
    assert urls(ex, "video") == ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]


def test_video_inside_a_sites_own_wrapper_iframe_and_lazy_attributes():
    ex = page(
        "<div class='has-video embed-frame'><iframe data-src='https://www.example-daily.com/embed/inset/"
        "iframe?id=youtube-video-LlbUwLx785k&amp;start=0' class='lazyload'></iframe></div>"
        "<iframe data-lazy-src='https://player.vimeo.com/video/123456789'></iframe>"
        "<iframe data-rocket-src='https://www.youtube-nocookie.com/embed/abcdefghijk'></iframe>"
    )
    assert urls(ex, "video") == [
        "https://www.youtube.com/watch?v=LlbUwLx785k",
        "https://vimeo.com/123456789",
        "https://www.youtube.com/watch?v=abcdefghijk",
    ]


def test_tag_links_with_a_kind_suffix_are_navigation():
    ex = page(
        "<p>The minister, <a href='https://www.example-daily.com/tag_personnalite/jane-doe_4108/'>Jane Doe"
        "</a>, spoke after <a href='https://www.example-daily.com/sections/desk/2016/12/05/504414334/slug'>"
        "the hearing</a> last week.</p>"
    )
    assert urls(ex, "link") == ["https://www.example-daily.com/sections/desk/2016/12/05/504414334/slug"]
