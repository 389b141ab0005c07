"""The article body on pages the rules were not written on: what is kept, what is not the article,
videos behind a site's own wrapper or a lazy loader, and nothing lost without a note."""

from pathlib import Path

from provenance.extract import extract
from provenance.ingest import article_from_bytes

from .conftest import needs

CORPUS_PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "pages"

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


def test_the_body_is_the_block_that_opens_with_the_description_not_a_teaser_list():
    teasers = "".join(
        f"<li><a href='https://www.example-daily.com/story-{i}/'>Headline number {i} about a matter</a> "
        f"CITY: A teaser of the story number {i}, with a clause, another clause, and more words, to be long."
        "</li>"
        for i in range(6)
    )
    html = (
        f"<html><head><link rel='canonical' href='{URL}'><meta name='description' content='Their plans "
        "shattered and savings gone, travellers came home broke on Wednesday'></head><body>"
        f"<div class='breaking'><ul>{teasers}</ul></div>"
        "<div class='shortcode-content'><p>NEW DELHI: Their plans shattered and savings gone, travellers came "
        "home broke on Wednesday, officials said, after a long flight.</p>"
        "<p>They were sent back, said <a href='https://gov.example.org/notice'>a notice</a>, which gave no "
        "reason for it, nor a date, nor a number.</p>"
        f"{FILLER}{FILLER}"
        "<div style='position:absolute; top:0; left:-9999px;'><a href='https://spam.example.net'>Free themes"
        "</a></div></div></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode(), url=URL))
    assert urls(ex, "link") == ["https://gov.example.org/notice"]


def test_a_sources_line_after_the_body_is_body_text():
    html = (
        f"<html><head><link rel='canonical' href='{URL}'></head><body><section><div class='body'>"
        f"{FILLER}{FILLER}</div><div class='source'><p>Sources: <a href='https://news.example.com/a'>Example "
        "News</a>, <a href='https://paper.example.org/b'>The Paper</a></p></div></section></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode(), url=URL))
    assert urls(ex, "link") == ["https://news.example.com/a", "https://paper.example.org/b"]


def test_a_shopping_gallery_between_text_blocks_belongs_to_the_body():
    text = "<div class='md-text'><p>{0}</p><p>{0}</p></div>"
    item = (
        "<div><section><figure><img src='x.jpg'></figure><a href='https://amzn.to/3gh{n}Ws5'><h2>Product {n}</h2></a>"
        "<span>$3.00 from <a href='https://amzn.to/3gh{n}Ws5'>Amazon</a></span>"
        "<div class='md-text'><p>Review: it was fine, they said, and cheap, and good.</p></div></section></div>"
    )
    parts = [text.format(FILLER[3:-4])]
    for n in range(3):
        parts += [item.format(n=n), text.format(FILLER[3:-4])]
    html = (
        f"<html><head><link rel='canonical' href='{URL}'></head><body><article><section class='main'>"
        f"{''.join(parts)}</section></article><div class='md-text'><p>Footer words</p></div></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode(), url=URL))
    assert list(dict.fromkeys(urls(ex, "short_link"))) == [f"https://amzn.to/3gh{n}Ws5" for n in range(3)]


def test_image_files_widget_links_and_embed_code_are_not_citations():
    ex = page(
        "<div class='imagewrap'><a href='https://media.example-daily.com/img/photo-s1200.jpg'>Enlarge</a></div>"
        "<p>Ads by <a href='https://www.revcontent.com/popup?utm_source=ads'>Revcontent</a></p>"
        "<p>Embed &lt;iframe src=\"https://www.example-daily.com/player/embed/505592252/505592253\"&gt;</p>"
    )
    assert urls(ex, "link", "short_link") == []


SENTENCES = (
    "<p>The mayor said the bridge will open in May, and the council agreed to pay for it, officials said "
    "on Monday. It was a long meeting. Everyone left late.</p>"
)


def test_thousands_of_unclosed_tags_lose_no_text_and_leave_a_note():
    for tag in ("div", "span", "blockquote", "q"):
        html = (
            "<html><head><title>T</title></head><body><article><h1>Headline here</h1>"
            + f"<{tag}>" * 33000
            + SENTENCES * 5
            + "<p>See <a href='https://example.org/report'>the report</a>.</p></article></body></html>"
        )
        ex = extract(article_from_bytes("page.html", html.encode()))
        assert len([c for c in ex.claims if c.kind.value == "sentence"]) >= 15, tag
        assert urls(ex, "link") == ["https://example.org/report"], tag
        assert ex.notes and ("flattened" in ex.notes[0] or "reduced" in ex.notes[0]), tag


def test_a_linkless_body_beside_a_block_that_cites_several_sites_is_not_taken_silently():
    cites = "".join(
        f"<p>Officials per <a href='https://site{i}.example.org/report'>report {i}</a> said the river rose "
        "again on Monday and the bridge was closed and nobody was allowed across it until the water went "
        "down, which took the whole of the week and most of the next one as well.</p>"
        for i in range(4)
    )
    html = (
        f"<html><head><link rel='canonical' href='{URL}'></head><body>"
        f"<div class='article-body'>{FILLER}{FILLER}{FILLER}</div>"
        f"<div class='x'><div class='y'>{cites}</div></div></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode(), url=URL))
    assert len(urls(ex, "link")) == 4
    assert any("no links" in n for n in ex.notes)
    assert ex.to_json()["notes"] == ex.notes


def links_of(ex, text_start: str) -> list[tuple[str, str]]:
    claim = next(c for c in ex.claims if c.text.startswith(text_start))
    by_id = {c.id: c for c in ex.citations}
    return [(by_id[link.citation].kind.value, link.rule) for link in claim.citations]


def test_a_video_after_the_sentence_that_announces_it_is_cited_by_that_sentence():
    ex = page(
        "<p>The mayor spoke on Tuesday.</p><p>Watch her full remarks in the video below.</p>"
        "<iframe src='https://www.youtube.com/embed/abcdefghijk'></iframe>"
        "<p>The council votes next week, officials said.</p>"
        "<iframe src='https://www.youtube.com/embed/bbcdefghijk'></iframe>"
    )
    assert links_of(ex, "Watch her full remarks") == [("video", "announced-video")]
    # a sentence that does not announce it does not cite the next video
    assert links_of(ex, "The council votes") == []


def test_a_watch_line_under_a_sentence_is_cited_by_it():
    text = (
        "Leaders meet again\n\nMacron and Putin spoke by phone on Tuesday for the first time in three years.\n\n"
        "Watch a report: Putin, Macron resume talks after three years\n\nThe call lasted two hours, they said.\n"
    )
    ex = extract(article_from_bytes("pasted.txt", text.encode()))
    assert links_of(ex, "Macron and Putin spoke") == [("video", "announced-video")]
    assert links_of(ex, "The call lasted") == []


def test_a_posts_own_tag_classes_do_not_make_it_boilerplate():
    html = (
        f"<html><head><link rel='canonical' href='{URL}'></head><body><main class='main-box'>"
        "<article class='post-4725 post type-post hentry category-news tag-twitter'><div class='entry-content'>"
        "<p>After looking into how <a href='https://www.example-daily.com/2018/11/27/tips/'>a few small tricks"
        "</a> build reach, today we look at practice, and at what works, and why, and for whom.</p>"
        f"{FILLER}{FILLER}</div></article><div class='sidebar'><p>{'Side words, more, and more. ' * 20}</p>"
        "</div></main></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode(), url=URL))
    assert urls(ex, "link") == ["https://www.example-daily.com/2018/11/27/tips/"]


def test_a_lazy_loaders_placeholder_is_the_video():
    ex = page(
        "<div class='rll-youtube-player' data-src='https://www.youtube.com/embed/Xy9abcdEFGh' data-id='Xy9abcdEFGh'>"
        "</div><noscript><iframe src='https://www.youtube.com/embed/Xy9abcdEFGh'></iframe></noscript>"
    )
    assert urls(ex, "video") == ["https://www.youtube.com/watch?v=Xy9abcdEFGh"]


def test_stories_appended_below_the_first_are_not_its_body():
    def story(n: int, link: str) -> str:
        return (
            f"<article><h1>Story {n}</h1><p>The council met on Tuesday evening, and members argued for hours "
            f"about <a href='{link}'>the plan</a>, the budget and the timetable, before a late vote.</p>"
            f"{FILLER}{FILLER}</article>"
        )

    html = (
        f"<html><head><link rel='canonical' href='{URL}'></head><body><div class='feed'>"
        + story(1, "https://first.example.org/plan")
        + story(2, "https://second.example.org/plan")
        + story(3, "https://third.example.org/plan")
        + "</div></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode(), url=URL))
    assert urls(ex, "link") == ["https://first.example.org/plan"]


def _real_pages() -> list[str]:
    """The example page, and the corpus pages where the corpus is beside the repository."""
    import gzip
    from pathlib import Path

    root_dir = Path(__file__).resolve().parents[1]
    pages = [(root_dir / "examples" / "council-bridge.html").read_text(encoding="utf-8")]
    pages += [gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
              for p in sorted((root_dir.parent / "shared" / "corpus" / "pages").glob("*.html.gz"))]
    return pages


def test_the_candidate_xpaths_written_as_unions_find_what_one_predicate_finds():
    """`_SCORED` and `_JSON_LD_SPANNED` are unions of one step per tag: the same elements, in the same order,
    as the single predicate they replace."""
    from lxml import etree
    from lxml import html as lhtml

    from provenance.extract import body

    text_div = "(self::div and text()[normalize-space()])"
    one_predicate = {
        body._SCORED: etree.XPath(f"descendant-or-self::*[self::p or self::pre or self::td or self::li or {text_div}]"),
        body._JSON_LD_SPANNED: etree.XPath(
            f"descendant-or-self::*[self::p or self::li or self::h2 or self::h3 or self::blockquote or {text_div}]"
        ),
    }
    pages = _real_pages() + ["<div>Own text <div> </div><p>a</p><div><li>b</li>\n</div><h2>c</h2></div>"]
    found = 0
    for page in pages:
        root = lhtml.document_fromstring(page)
        for union, predicate in one_predicate.items():
            expected = predicate(root)
            assert union(root) == expected
            found += len(expected)
    assert found > len(pages)


def test_the_marked_body_xpath_finds_what_reading_each_attribute_finds():
    """`body._MARKED` folds case inside libxml2: it must find the elements a reading of the three attributes
    in Python finds, on the example page, the corpus pages where they are, and mixed-case names."""
    from lxml import html as lhtml

    from provenance.extract import body

    def by_reading(root):
        return [
            el for el in root.iter()
            if isinstance(el.tag, str)
            and "articlebody" in " ".join(el.get(a) or "" for a in ("itemprop", "property", "name")).lower()
        ]

    pages = _real_pages()
    pages.append(
        "<html><body><div itemprop='ArticleBody' name='x'><p>a</p><span property='og:ARTICLEBODY'>b</span></div>"
        "<i name='article body'>c</i><b itemprop='articleBody' property='articlebody'>d</b>"
        "<u name='art\u0130clebody'>e</u></body></html>"
    )
    found = 0
    for page in pages:
        root = lhtml.document_fromstring(page)
        expected = by_reading(root)
        assert body._MARKED(root) == expected
        found += len(expected)
    assert found >= 4


def test_a_page_parsed_from_its_utf8_bytes_gives_the_tree_its_str_gives():
    """`body._parse` hands libxml2 UTF-8 bytes: the tree must be the one the str itself parses to, whatever
    charset the page declares and whatever characters it holds."""
    from lxml import etree
    from lxml import html as lhtml

    from provenance.extract import body

    def from_str(page):
        try:
            return lhtml.document_fromstring(page, parser=body._parser())
        except (etree.ParserError, ValueError):
            return lhtml.document_fromstring("<html><body></body></html>")

    pages = _real_pages() + [
        "<html><head><meta charset='iso-8859-1'></head><body><p>caf\u00e9 \u2019quoted\u2019</p></body></html>",
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'></head>"
        "<body><p>na\u00efve</p></body></html>",
        "<html><head><meta charset='shift_jis'></head><body><p>\u65e5\u672c\u8a9e</p></body></html>",
        "<html><body><p>Latin-1 only \u00e9\u00ff</p><meta charset=koi8-r><p>\u00e9</p></body></html>",
        "\ufeff<html><body><p>a byte order mark \u00e9</p></body></html>",
        "<html><body><p>astral \U0001F600, controls \x01\x0b\x7f\x85, \r\n\r and \ufffe</p></body></html>",
        "<?xml version='1.0' encoding='iso-8859-1'?><p>refused in a str</p>",
        "\ud800 a lone surrogate", "", "   ", "<", "<!-- a comment only -->",
    ]
    for page in pages:
        assert etree.tostring(body._parse(page)) == etree.tostring(from_str(page))


@needs(CORPUS_PAGES.is_dir(), f"evaluation corpus not found at {CORPUS_PAGES} (beside the repository)")
def test_an_elements_text_joined_by_xpath_is_its_itertext_joined():
    """`body._string` joins an element's text inside libxml2: it must give "".join(el.itertext()) for every
    element of the pages as the body finder parses them."""
    from provenance.extract import body

    pages = _real_pages() + [
        "<p>a<?php echo 1 ?>b<!-- gone --><b>c<i>d</i>e</b>f<br>g&amp;&nbsp;&unknown;h"
        "<script>var x = '<a>';</script><svg><text>i</text></svg></p>"
    ]
    checked = 0
    for page in pages:
        for el in body._parse(page).iter():
            assert body._string(el) == "".join(el.itertext())
            checked += 1
    assert checked > 1000


def test_links_in_the_source_are_counted_as_the_backtracking_pattern_counts_them():
    """`body._RAW_LINK` looks ahead for "href" instead of backing off to it: the count of tags must be
    the one of r"<a\\s[^>]*href", on real pages and on tags that nest "<a" or "href" in their attributes."""
    import re

    from provenance.extract import body

    reference = re.compile(r"<a\s[^>]*href", re.I)
    pages = _real_pages() + [
        "<a href=x><A\nHREF='y'><a name=z><a title='<a href'>",
        "<a title='<a x' href=1 <a y href=2> <a\thref=3 href=4>",
        "<a class=x>text href</a> <abbr href=1> <a href", "<a hrefhref <a href <a",
    ]
    for page in pages:
        assert len(body._RAW_LINK.findall(page)) == len(reference.findall(page))
