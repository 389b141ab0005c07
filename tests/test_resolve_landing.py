"""The page rules alone: redirects in disguise and pages that say they are missing."""

from __future__ import annotations

import pytest

from provenance import landing

BASE = "https://news.example/a/b"


@pytest.mark.parametrize("html, target", [
    (b'<meta http-equiv="refresh" content="0; url=https://x.example/p">', "https://x.example/p"),
    (b"<META HTTP-EQUIV=Refresh CONTENT=\"0;URL='/p?a=1&amp;b=2'\">", "https://news.example/p?a=1&b=2"),
    (b'<body><p>text</p><meta content="2;url=other" http-equiv="refresh"></body>', "https://news.example/a/other"),
    (b'<meta http-equiv="refresh" content="5">', None),                       # reloads itself
    (b'<meta http-equiv="refresh" content="1800;url=/?refresh_ce">', None),   # a front page's periodic reload
    (b'<meta name="description" content="url=https://x.example/">', None),
    (b'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
     b'<meta http-equiv="refresh" content="0;url=/xhtml"/></head></html>', "https://news.example/xhtml"),
    ('<meta http-equiv="refresh" content="0;url=/caf\u00e9">'.encode(), "https://news.example/caf\u00e9"),
])
def test_meta_refresh(html, target):
    assert landing.meta_refresh(html, BASE) == target


_IE_ONLY = (b'<!DOCTYPE html><html><head><title>A live story</title>'
            b'<!--[if lte IE 9]><meta http-equiv="refresh" content="1;url=/2016/unsupp.html"><![endif]-->'
            b'</head><body>' + b"<p>The story itself.</p>" * 2000 + b"</body></html>")


def test_a_refresh_inside_a_comment_is_not_followed():
    """Real news pages send only old IE away from inside a conditional comment; browsers skip it."""
    assert landing.meta_refresh(_IE_ONLY, BASE) is None
    assert landing.meta_refresh(b'<head><!-- <meta http-equiv="refresh" content="0;url=/x"> --></head>', BASE) is None


@pytest.mark.parametrize("html", [
    b'<script>document.write(\'<meta http-equiv="refresh" content="0;url=/s">\')</script>',
    b'<body><template><meta http-equiv="refresh" content="0;url=/t"></template></body>',
    b'<head><title><meta http-equiv="refresh" content="0;url=/t"></title></head>',
])
def test_a_refresh_that_is_text_or_inert_is_not_followed(html):
    assert landing.meta_refresh(html, BASE) is None


def test_noscript_refresh_is_followed_on_a_redirect_stub_only():
    """A browser with scripts ignores <noscript>: on a real page its refresh points to a 'no JavaScript'
    page; on a small stub (t.co's browser answer) a script sends the browser to the same target."""
    noscript = b'<noscript><meta http-equiv="refresh" content="0;url=/nojs.html"></noscript>'
    stub = b"<html><head>" + noscript + b"<script>window.location = '/nojs.html'</script></head></html>"
    page = (b"<html><head><title>Story</title>" + noscript + b"</head><body>"
            + b"<p>The story itself.</p>" * 2000 + b"</body></html>")
    assert landing.meta_refresh(stub, BASE) == "https://news.example/nojs.html"
    assert len(page) > landing.JS_PAGE_BYTES and landing.meta_refresh(page, BASE) is None


def test_a_refresh_in_the_body_is_followed_as_browsers_do():
    page = b"<html><head><title>x</title></head><body>" + b"<p>x</p>" * 3000 \
        + b'<meta http-equiv="refresh" content="0;url=/moved"></body></html>'
    assert landing.meta_refresh(page, BASE) == "https://news.example/moved"


def test_tco_style_script_redirect():
    page = (b'<head><noscript><META http-equiv="refresh" content="0;URL=https://bit.ly/x"></noscript>'
            b'</head><script>window.opener = null; '
            b'location.replace("https:\\/\\/bit.ly\\/x?a=1\\u0026b=2")</script>')
    assert landing.script_redirect(page, BASE) == "https://bit.ly/x?a=1&b=2"
    assert landing.script_redirect(b"<script>location.replace('/next')</script>", BASE) == "https://news.example/next"
    big = b"<script>location.replace('/next')</script>" + b" " * (landing.JS_PAGE_BYTES + 1)
    assert landing.script_redirect(big, BASE) is None   # only small redirect stubs


@pytest.mark.parametrize("html, missing", [
    (b"<title>Page not found | Example</title>", True),
    (b"<title>Example</title><h1>Sorry, this article is no longer available</h1>", True),
    (b"<title>404 - Example News</title>", True),
    (b"<html><body>Not Found</body></html>", True),
    (b"<title>Missing hiker not found after three days</title>" + b"<p>story</p>" * 3000, False),
    (b"<title>Route 404 reopens after repairs</title>" + b"<p>story</p>" * 3000, False),
    (b"<title>A real article</title><h1>A real article</h1>" + b"<p>words</p>" * 3000, False),
])
def test_says_missing(html, missing):
    assert landing.says_missing(html) is missing


def test_redirect_to_home():
    assert landing.redirected_to_home("https://news.example/2025/07/01/story", "https://news.example/")
    assert landing.redirected_to_home("http://news.example/story", "https://www.news.example/index.html")
    assert not landing.redirected_to_home("http://news.example/", "https://news.example/")
    # a shortened front page is what the author meant
    assert not landing.redirected_to_home("https://bit.ly/abc", "https://news.example/")
    assert not landing.redirected_to_home("https://news.example/a", "https://news.example/a/")
