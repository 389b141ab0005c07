"""Decoding and sniffing at the boundary: what a document is, and what its bytes say."""

from __future__ import annotations

from provenance import ingest


def test_pasted_text_that_mentions_a_tag_is_still_text():
    text = b"The council met on Monday.\n\nIts site showed <p> tags in the minutes, reuters.com\n"
    assert not ingest.article_from_bytes("a.txt", text).is_html
    assert ingest.article_from_bytes("b.html", b"<p>The council met.</p>\n<p>More.</p>").is_html
    assert ingest.article_from_bytes("c.html", b"Hello\n<!doctype html><title>x</title>").is_html


def test_a_quoted_charset_in_content_type_is_read():
    assert ingest.charset_of('text/html; charset="windows-1252"') == "windows-1252"
    assert ingest.charset_of("text/html;charset=UTF-8") == "UTF-8"
    assert ingest.charset_of("text/html") is None
    page = "<html><title>Café crème</title></html>".encode("windows-1252")
    article = ingest.article_from_bytes("x", page, declared=ingest.charset_of('text/html; charset="windows-1252"'))
    assert "Café crème" in article.content


def test_a_page_claiming_utf16_without_a_bom_is_read_as_utf8():
    page = '<html><head><meta charset="utf-16"><title>Résumé</title></head></html>'.encode("utf-8")
    assert "Résumé" in ingest.article_from_bytes("x", page).content
