"""Whose own site a page is: a quoted name against a page's domain and what the page says about itself.

Every name and domain here is invented; nothing is fetched.
"""

from __future__ import annotations

import pytest

from provenance.trace.owners import INITIALS, ONE_WORD, SPELLED, domain_label, owner_of, speaker_names, spellings

COMPANY = "Quillmere Robotics"
PERSON = "Marla Ostravik"
COUNCIL = "Northmere Bridge Safety Council"


@pytest.mark.parametrize("url, name", [
    ("https://www.quillmererobotics.com/news/decks", COMPANY),  # run together
    ("https://quillmere-robotics.org/", COMPANY),  # hyphenated
    ("https://press.quillmere-robotics.co.uk/2025/x", COMPANY),  # a sub-domain under a two-level suffix
    ("https://quillmererobotics.com/", "Quillmere Robotics Inc."),  # the legal form is no part of the domain
    ("https://quillmererobotics.com/", "the Quillmere Robotics"),
    ("https://www.marlaostravik.com/blog/post", PERSON),  # firstname lastname
    ("https://ostravikmarla.net/", PERSON),  # lastname firstname
    ("https://marla-ostravik.org/", PERSON),
    ("https://marlaostravik.com/", "Marla J. Ostravik"),  # a middle initial left out
    ("https://www.quillmere-and-vance.com/", "Quillmere & Vance"),
    ("https://quillmerevance.com/", "Quillmere & Vance"),
])
def test_a_domain_that_spells_the_whole_name_is_its_own(url, name):
    assert owner_of(url, [name]) == name


@pytest.mark.parametrize("url, name", [
    ("https://www.robotics.com/news/decks", COMPANY),  # one (common) word of the name
    ("https://quillmere.com/", COMPANY),  # the other word alone
    ("https://quillmereroboticsfans.com/", COMPANY),  # the name and more: someone else's site
    ("https://qr.com/", COMPANY),  # two initials
    ("https://ostravik.com/", PERSON),  # a surname alone
    ("https://marla.com/", PERSON),  # a first name alone
    ("https://mo.org/", PERSON),
    ("https://quillmererobotics.blogplatform.com/", COMPANY),  # a name on someone else's registered domain
    ("http://127.0.0.5:9/quillmererobotics", COMPANY),  # an address spells nothing
    ("https://news-one.com/quillmere-robotics-says", COMPANY),  # the name in the path is a story about it
])
def test_a_domain_that_does_not_spell_the_whole_name_is_not(url, name):
    assert owner_of(url, [name]) is None


def test_initials_count_only_when_the_page_writes_the_name_out():
    url = "https://www.nbsc.org/reports/2025"
    assert spellings(COUNCIL)["nbsc"] == INITIALS
    assert owner_of(url, [COUNCIL], title="Annual report",
                    text=f"The {COUNCIL} inspected 400 bridges this year.") == COUNCIL
    assert owner_of(url, [COUNCIL], title="NBSC Sports", text="Scores from the northern league tonight.") is None
    # words of the name scattered over the page are no writing out of it
    assert owner_of(url, [COUNCIL], text="Northmere is a town. Bridge safety is a council matter.") is None
    assert "mo" not in spellings(PERSON) and not any(h == INITIALS for h in spellings(PERSON).values())


def test_a_one_word_or_two_letter_name_needs_the_page_to_say_it():
    assert spellings("Zorvanta") == {"zorvanta": ONE_WORD} and spellings("Qa") == {}
    assert owner_of("https://zorvanta.org/", ["Zorvanta"]) is None  # the domain alone
    assert owner_of("https://zorvanta.org/", ["Zorvanta"], title="A day at the lake") is None
    assert owner_of("https://zorvanta.org/", ["Zorvanta"], title="Zorvanta | News") == "Zorvanta"
    assert owner_of("https://harbour.org/", ["Harbour"], title="Harbour views: a photo essay") is None


def test_the_pages_own_site_name_says_whose_it_is():
    # no domain evidence at all: the page's metadata names the organisation
    assert owner_of("https://bridgedata.example/x", [COMPANY], site_name="Quillmere Robotics") == COMPANY
    assert owner_of("https://bridgedata.example/x", [COMPANY], site_name="QUILLMERE ROBOTICS, Inc.") == COMPANY
    assert owner_of("http://127.0.0.5:9/x", ["Zorvanta"], site_name="Zorvanta") == "Zorvanta"
    assert owner_of("https://bridgedata.example/x", [COMPANY], site_name="Quillmere Robotics Fan Club") is None
    assert owner_of("https://bridgedata.example/x", [COMPANY], site_name="Robotics Today") is None
    assert owner_of("https://bridgedata.example/x", ["—"], site_name="·") is None  # no words are no name


def test_the_first_matching_name_is_given():
    names = ["Marla Ostravik", COMPANY]
    assert owner_of("https://quillmererobotics.com/", names) == COMPANY
    assert owner_of("https://quillmererobotics.com/", []) is None


def test_how_each_name_is_spelled():
    assert spellings(COMPANY) == {"quillmererobotics": SPELLED, "quillmere-robotics": SPELLED}
    forms = spellings(PERSON)
    assert {"marlaostravik", "ostravikmarla", "marla-ostravik", "ostravik-marla"} <= set(forms)


def test_domain_labels():
    assert domain_label("https://news.quillmere-robotics.co.uk/a") == "quillmere-robotics"
    assert domain_label("https://www.quillmererobotics.test/a") == "quillmererobotics"  # no public suffix
    assert domain_label("http://127.0.0.2:9/a") == domain_label("http://[::1]/a") == ""


def test_speaker_names_from_an_attribution():
    assert speaker_names(["Marla Ostravik, director of the Quillmere Institute"]) == [
        "Marla Ostravik, director of the Quillmere Institute", "Marla Ostravik", "Quillmere Institute"]
    assert speaker_names(["Quillmere Robotics CEO Marla Ostravik"])[1:] == [COMPANY, PERSON]
    assert speaker_names(["the Northmere Bridge Safety Council"]) == [COUNCIL]
    assert "Northmere Bridge Safety Council" in speaker_names(
        ["Northmere Bridge Safety Council Director-General Tomas Vell"])
    assert speaker_names([None, "", "  "]) == []
