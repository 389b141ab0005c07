"""Patterns read on lower-cased text answer as their IGNORECASE form does, on real pages and on the
characters where lower-casing and IGNORECASE part ways."""

import gzip
import re
from pathlib import Path

import pytest
from lxml import html as lhtml

from provenance.extract import body, boilerplate
from provenance.extract.casefree import CaseFree, lowered

from .conftest import needs

ROOT = Path(__file__).resolve().parents[1]
CORPUS_PAGES = ROOT.parent / "shared" / "corpus" / "pages"
# The real pages are the evaluation corpus's, with the example page: without the corpus too few texts.
on_the_corpus = needs(CORPUS_PAGES.is_dir(), f"evaluation corpus not found at {CORPUS_PAGES} (beside the repository)")

PATTERNS = {
    "body.POSITIVE": body.POSITIVE,
    "body.NEGATIVE": body.NEGATIVE,
    "boilerplate.BOILERPLATE_NAMES": boilerplate.BOILERPLATE_NAMES,
    "boilerplate.PLAYER_NAMES": boilerplate.PLAYER_NAMES,
    "boilerplate._OPENING": boilerplate._OPENING,
    "boilerplate._ANYWHERE": boilerplate._ANYWHERE,
}


def _pages() -> list[str]:
    pages = [(ROOT / "examples" / "council-bridge.html").read_text(encoding="utf-8")]
    for path in sorted(CORPUS_PAGES.glob("*.html.gz")):  # the evaluation corpus, where it is beside the repository
        pages.append(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
    return pages


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Every class and id of the pages' elements, and every paragraph's and list item's text."""
    found: set[str] = set()
    for page in _pages():
        root = lhtml.document_fromstring(page)
        for el in root.iter():
            if isinstance(el.tag, str):
                found.add(f"{el.get('class') or ''} {el.get('id') or ''}")
                if el.tag in ("p", "li", "h2", "figcaption"):
                    found.add(el.text_content())
    return sorted(found)


@on_the_corpus
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_lowered_pattern_answers_as_ignorecase_on_real_pages(texts, name):
    pattern = PATTERNS[name]
    assert len(texts) > 100
    matched = [pattern.match(t) for t in texts]
    assert matched == [bool(pattern.ignorecase.match(t)) for t in texts]
    if name == "boilerplate._OPENING":  # only ever matched at a line's start
        assert any(matched) and not all(matched)
        return
    searched = [pattern.search(t) for t in texts]
    assert searched == [bool(pattern.ignorecase.search(t)) for t in texts]
    assert any(searched) and not all(searched)  # the texts tell found from not found


@pytest.mark.parametrize(
    "pattern, text",
    [
        ("share", "\u017fhare-bar"),  # long s: IGNORECASE takes it for "s", lower() keeps it
        ("related", "RELATED stories"),  # plain ASCII, as most names are
        ("article", "art\u0130cle-body"),  # dotted capital I: "i" to IGNORECASE, two characters to lower()
        ("article", "art\u0131cle-body"),  # dotless i
        ("kettle", "\u212aettle"),  # the Kelvin sign
    ],
)
def test_characters_ignorecase_folds_onto_ascii_are_read_with_ignorecase(pattern, text):
    assert CaseFree(pattern).search(text) == bool(re.search(pattern, text, re.I))
    assert CaseFree(pattern).search(text)


@on_the_corpus
def test_the_boilerplate_line_check_answers_as_its_pattern_on_real_pages(texts):
    lines = [t for t in texts if len(t) < 300]  # the lines the walk asks about
    answers = [boilerplate.is_boilerplate_line(t) for t in lines]
    assert answers == [bool(boilerplate.BOILERPLATE_LINES.search(t)) for t in lines]
    assert sum(answers) >= 5


def test_escapes_keep_their_case_and_names_of_groups_are_refused():
    assert CaseFree(r"\W+end").search("... END") and not CaseFree(r"\W+end").search("xxEND")
    assert CaseFree(r"\w+end").search("xxEND")
    assert lowered("Sign UP") == "sign up" and lowered("\u0130stanbul") is None
    with pytest.raises(ValueError):
        CaseFree(r"(?P<Name>a)")


@on_the_corpus
def test_bare_urls_are_found_where_the_ignorecase_pattern_finds_them(texts):
    """`text.BARE_URL` spells each first letter's two cases so that its search skips to them: the same
    matches as the IGNORECASE pattern it replaced, on real pages and on odd cases and glued URLs."""
    from provenance.extract.text import BARE_URL

    reference = re.compile(
        r"https?://[^\s<>\"“”'‘’\]\[{}|\\^`]+|(?<![\w/.@])t\.co/\w+|(?<![\w/@-])pic\.twitter\.com/\w+", re.I
    )
    odd = [
        "HTTPS://Example.com/A and hTtP://x.y/z",
        "T.CO/abc at the start",
        "see x.t.co/abc, @t.co/x and /t.co/y",
        "campaign.pic.twitter.com/AbC and -pic.twitter.com/x",
        "PIC.TWITTER.COM/Xy",
        "httpſ://long.s/x",
        "p\u0131c.tw\u0131tter.com/dotless",
        "Tt.co/x tp://no http:/one-slash",
        "“https://q.example/”",
    ]
    found = 0
    for text in [*texts, *odd]:
        spans = [m.span() for m in BARE_URL.finditer(text)]
        assert spans == [m.span() for m in reference.finditer(text)], text
        found += len(spans)
    assert found > 20
