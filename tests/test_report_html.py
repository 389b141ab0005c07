"""The HTML report: one self-contained page that stays inert whatever the article or the web put in it."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from provenance import report
from provenance.cli import app
from provenance.report.model import ArticleReport, ClaimView
from provenance.store import schema as database

from .conftest import SEED
from .report_example import EVIL_FINAL, EVIL_URL, TCO, hostile, recorded

ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "p",
    "span",
    "div",
    "article",
    "aside",
    "section",
    "a",
    "blockquote",
    "ol",
    "ul",
    "li",
    "strong",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "footer",
    "script",
}


class Page(HTMLParser):
    """Every tag, attribute and script/style body of a page, as a browser's parser sees them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.blocks:
            self._in = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag):
        self._in = None if tag == self._in else self._in

    def handle_data(self, data):
        if self._in:
            self.blocks[self._in][-1] += data

    def attrs(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def example_page(db_path):
    db, article_id = recorded(db_path)
    return report.render_html(report.load(db, article_id))


def test_the_page_is_self_contained_and_its_policy_allows_only_its_own_style_and_script(example_page):
    page = Page(example_page)
    assert not page.attrs("link") and not page.attrs("img") and not page.attrs("iframe")
    assert all("src" not in a for _, a in page.tags), "nothing is loaded from anywhere"
    csp = next(a["content"] for a in page.attrs("meta") if a.get("http-equiv") == "Content-Security-Policy")
    policy = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert (
        policy["default-src"] == "'none'" and policy["img-src"] == "'none'" and policy["base-uri"] == "'none'"
    )
    [script] = page.blocks["script"]
    [style] = page.blocks["style"]
    assert policy["script-src"] == sha256(script) and policy["style-src"] == sha256(style)
    assert "unsafe-inline" not in csp
    assert all("style" not in a for _, a in page.tags), (
        "inline style attributes would be blocked by the policy"
    )


def test_each_claim_is_marked_in_the_text_by_status_and_links_to_its_chain(example_page):
    page = Page(example_page)
    marks = [a for a in page.attrs("a") if "claim" in a.get("class", "").split()]
    assert len({a["data-claim"] for a in marks}) == 12
    post = next(a for a in marks if a.get("id") == "t-6")
    assert post["href"] == "#claim-6" and "s-archived" in post["class"]
    sections = {a["id"] for a in page.attrs("section") if a.get("class") == "chain"}
    assert {a["href"][1:] for a in marks} <= sections
    chain6 = example_page[example_page.index('id="claim-6"') :]
    chain6 = chain6[: chain6.index("</section>")]
    for needed in (
        "tweet 1</strong> @United24media",
        TCO,
        'hop 1: <span class="url">301 http',
        'hop 2: <span class="url">302 http',
        "saved copy: <code>response provenance-20261130.warc.gz @0+48213, digest sha1:2C5KSXJ4",
        "Wayback: found 2025-07-01",
    ):
        assert needed in chain6


def test_the_article_text_is_all_there_in_order(example_page, db_path):
    text_html = example_page[example_page.index('<article class="text"') : example_page.index("</article>")]
    visible = re.sub(r"<[^>]+>", "", text_html)
    import html

    assert " ".join(html.unescape(visible).split()) == " ".join(SEED.read_text(encoding="utf-8").split())


def test_hostile_titles_claims_and_urls_stay_inert(db_path):
    db, article_id = hostile(db_path)
    text = report.render_html(report.load(db, article_id))
    page = Page(text)
    assert {t for t, _ in page.tags} <= ALLOWED_TAGS
    assert len(page.attrs("script")) == 1 and "alert" not in page.blocks["script"][0]
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith(("#", "https://", "http://")), attrs["href"]
    hrefs = [a["href"] for a in page.attrs("a") if "href" in a]
    assert EVIL_URL in hrefs, "a hostile but real web URL is a link, with its quotes escaped in the attribute"
    assert EVIL_FINAL in hrefs
    assert not any(h.lower().startswith("javascript") for h in hrefs)
    assert "javascript:alert(&#x27;href&#x27;)" in text, "a javascript: URL is shown as text"
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "&lt;script&gt;alert(&#x27;title&#x27;)" in text


def test_overlapping_claims_never_nest_links_and_none_is_lost():
    text = "Alpha beta gamma delta."
    claims = [
        ClaimView(1, 1, "sentence", text, 0, len(text), "vague"),
        ClaimView(2, 2, "quote", "beta gamma", 6, 16, "sourced"),
        ClaimView(3, 3, "quote", "gamma delta", 11, 22, "broken"),
        ClaimView(4, 4, "sentence", "nowhere", None, None, "unsourced"),
    ]
    page_text = report.render_html(ArticleReport(1, "s", "t", None, None, None, text, None, claims, []))
    body = page_text[page_text.index('<article class="text"') : page_text.index("</article>")]
    assert not re.search(r"<a [^>]*>[^<]*<a ", body), "links never nest"
    marked = {int(m) for m in re.findall(r'data-claim="(\d+)"', body)}
    assert marked == {1, 2, 3}
    unplaced = page_text[page_text.index('class="unplaced"') :]
    assert 'href="#claim-4"' in unplaced


def test_audit_writes_its_html_report_to_a_file(db_path, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["audit", str(SEED), "--offline", "--db", str(db_path), "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    claims = {a["data-claim"] for a in page.attrs("a") if "data-claim" in a}
    assert len(claims) == database.connect(db_path)["claims"].count > 10


def test_audit_writes_one_page_per_article_into_a_folder(db_path, tmp_path):
    second = tmp_path / "copy.txt"
    second.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "pages"
    result = CliRunner().invoke(
        app,
        [
            "audit",
            str(SEED),
            str(second),
            "--offline",
            "--db",
            str(db_path),
            "--format",
            "html",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["article-1.html", "article-2.html"]


def test_audit_refuses_html_for_several_sources_without_a_folder(db_path):
    result = CliRunner().invoke(app, ["audit", "a.html", "b.html", "--format", "html", "--db", str(db_path)])
    assert result.exit_code == 2 and "-o FOLDER" in result.output


def test_an_html_article_reads_with_one_blank_line_between_paragraphs_and_its_headline_once(db_path, tmp_path):
    import html

    from .conftest import EXAMPLES

    page_path = tmp_path / "bridge.html"
    source = EXAMPLES / "council-bridge.html"
    result = CliRunner().invoke(
        app, ["audit", str(source), "--offline", "--db", str(db_path), "--format", "html", "-o", str(page_path)]
    )
    assert result.exit_code == 0, result.output
    page = page_path.read_text(encoding="utf-8")
    db = database.connect(db_path)
    article = db.execute("SELECT id, title FROM articles").fetchone()
    r = report.load(db, article[0])
    assert r.text.startswith(article[1] + "\n\n"), "the case: an HTML article's text begins with its headline"

    body = page[page.index("<body>") :]
    # what shows before any claim is opened: chains are hidden panels, scripts are not text
    shown_first = re.sub(r'<section class="chain".*?</section>|<script>.*?</script>', "", body, flags=re.S)
    visible = html.unescape(re.sub(r"<[^>]+>", "", shown_first))
    assert visible.count(article[1]) == 1, "the headline once, as the page's heading"
    heading = body[body.index("<h1>") : body.index("</h1>")]
    headline_claim = next(c for c in r.claims if c.kind == "headline")
    assert f'data-claim="{headline_claim.id}"' in heading, "the headline is still a claim one can open"

    text_html = page[page.index('<article class="text"') : page.index("</article>")]
    text = html.unescape(re.sub(r"<[^>]+>", "", text_html))
    assert "\n\n\n" not in text, "one blank line between paragraphs, not three"
    assert text.count("\n\n") >= 4, "paragraphs are still apart"
    shown = html.unescape(re.sub(r"<[^>]+>", "", heading)) + " " + text
    assert " ".join(shown.split()) == " ".join(r.text.split()), "nothing of the text is lost"


def test_where_found_and_why_read_as_words_with_the_codes_kept_for_programs(db_path, tmp_path):
    import html

    from .conftest import EXAMPLES

    page_path = tmp_path / "bridge.html"
    args = ["audit", str(EXAMPLES / "council-bridge.html"), "--offline", "--db", str(db_path)]
    assert CliRunner().invoke(app, [*args, "--format", "html", "-o", str(page_path)]).exit_code == 0
    text = CliRunner().invoke(app, args).output
    page = page_path.read_text(encoding="utf-8")
    db = database.connect(db_path)
    codes = {row[0] for row in db.execute("SELECT DISTINCT found_by FROM citations")}
    assert {"link", "embedded-tweet"} <= codes, "the database keeps the codes"
    visible = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)>.*?</\1>", "", page, flags=re.S)))
    for shown in (visible, text):
        for jargon in ("a[href]", "blockquote.twitter-tweet", "according-to:", "text: tweet residue", "iframe"):
            assert jargon not in shown
        assert "link in the text" in shown and "embedded tweet" in shown
    assert "'according to …'" in visible and "paragraph-outlet" not in visible
    assert 'title="link"' in page, "the code is still there for whoever hovers or scripts"
