"""Quote check verdicts on small pages written here, in several scripts, with both aligners."""

from __future__ import annotations

import pytest

from provenance.check import QUOTE_VERDICTS, check_quote, fold

PAGE = (
    "Ministers met in Paris on Tuesday.\n\n"
    "The minister said that “we will not raise taxes before 2027,” and added that the budget "
    "would be balanced. Officials counted 1,200 protesters outside the building, police said. "
    "Anne Dupont, the mayor, called it “a day of shame for the whole region.”"
)
ALIGNERS = ["edlib", "rapidfuzz"]


def located(check, page=PAGE):
    """The verdict's passage is exactly the page's characters at its offsets."""
    assert check.passage == page[check.start : check.end]
    return check


@pytest.mark.parametrize("aligner", ALIGNERS)
def test_verbatim_after_typography_is_folded(aligner):
    c = located(check_quote('"We will not raise taxes before 2027"', PAGE, aligner=aligner))
    assert (c.verdict, c.score) == ("verbatim", 1.0)
    assert c.passage == "we will not raise taxes before 2027"
    assert c.before.endswith("The minister said that “") and c.after.startswith(",” and added")


def test_an_ellipsis_matches_any_gap_in_order():
    c = located(check_quote("we will not raise taxes … the budget would be balanced", PAGE))
    assert c.verdict == "verbatim"
    assert c.passage.startswith("we will not") and c.passage.endswith("balanced")
    assert "gap" in c.detail
    assert check_quote("the budget would be balanced … we will not raise taxes", PAGE).verdict != "verbatim"


def test_words_inside_other_words_are_not_a_match():
    assert check_quote("count", "The accountant left.").verdict == "absent"


@pytest.mark.parametrize("aligner", ALIGNERS)
def test_close_names_the_differing_words(aligner):
    c = located(check_quote("the minister said that we will not raise levies before 2027", PAGE, aligner=aligner))
    assert c.verdict == "close"
    assert 0.75 <= c.score < 1
    assert ("levies", "taxes") in c.differences
    assert "levies → taxes" in c.detail


@pytest.mark.parametrize(
    ("quote", "reason", "pair"),
    [
        ("Officials counted 1,500 protesters outside the building", "number", ("1,500", "1,200")),
        ("Officials counted twelve hundred protesters outside the building", "number", None),
        ("we will raise taxes before 2027, and added that the budget", "negation", ("", "not")),
        ("Anne Martin, the mayor, called it a day of shame", "name", ("martin", "dupont")),
    ],
)
@pytest.mark.parametrize("aligner", ALIGNERS)
def test_altered_when_a_number_a_negation_or_a_name_differs(aligner, quote, reason, pair):
    c = located(check_quote(quote, PAGE, aligner=aligner))
    assert c.verdict == "altered", c.detail
    assert c.reasons == [reason]
    if pair:
        assert pair in c.differences


def test_a_name_left_out_or_a_thousands_separator_is_not_altered():
    assert check_quote("Officials counted 1200 protesters outside the building", PAGE).verdict == "close"
    assert check_quote("Anne, the mayor, called it a day of shame for the whole region", PAGE).verdict == "close"


def test_a_quote_that_leaves_out_the_negation_before_it_is_altered():
    c = located(check_quote("raise taxes before 2027", PAGE))
    assert (c.verdict, c.reasons) == ("altered", ["negation"])
    assert "“not”" in c.detail
    assert check_quote("will not raise taxes", PAGE).verdict == "verbatim"
    assert check_quote("we will raise taxes", "No, we will raise taxes.").verdict == "verbatim"
    assert check_quote("A mix of moments", "Things we could live without\n\nA mix of moments.").verdict == "verbatim"
    twice = "They will not agree to the plan. Later, she said, the others agree to the plan."
    c = check_quote("agree to the plan", twice)
    assert (c.verdict, c.start) == ("verbatim", twice.rindex("agree"))


@pytest.mark.parametrize("aligner", ALIGNERS)
def test_absent_when_the_page_does_not_say_it(aligner):
    c = check_quote("The council approved a new harbour bridge after a long debate", PAGE, aligner=aligner)
    assert c.verdict == "absent"
    assert c.passage is None


def test_half_of_one_sentence_joined_to_half_of_another_is_absent():
    spliced = "The minister said that we will not raise taxes outside the building, police said"
    assert check_quote(spliced, PAGE).verdict == "absent"


def test_unavailable_without_text_and_nothing_to_look_for():
    assert check_quote("anything", None).verdict == "unavailable"
    assert check_quote("anything", "  \n ").verdict == "unavailable"
    assert check_quote("“ … ”", PAGE).verdict == "absent"


def test_a_folded_page_serves_many_quotes():
    folded = fold(PAGE)
    assert check_quote("police said", folded).verdict == "verbatim"
    assert {check_quote(q, folded).verdict for q in ("x", "Officials counted")} <= set(QUOTE_VERDICTS)


RUSSIAN = "Министр заявил, что «мы не будем повышать налоги до 2027 года». Полиция насчитала 1200 протестующих."
GREEK = "Ο υπουργός δήλωσε ότι «δεν θα αυξήσουμε τους φόρους πριν από το 2027». Η αστυνομία μέτρησε 1.200 διαδηλωτές."
JAPANESE = "大臣は「2027年まで税金を上げない」と述べた。警察によると、抗議者は1200人だった。"


@pytest.mark.parametrize(
    ("page", "verbatim", "close", "number", "negation", "absent"),
    [
        (
            RUSSIAN,
            "Мы не будем повышать налоги до 2027 года",
            "мы не будем поднимать налоги до 2027 года",
            "Полиция насчитала 1500 протестующих",
            "мы будем повышать налоги до 2027 года",
            "Совет одобрил строительство нового моста через реку",
        ),
        (
            GREEK,
            "«Δεν θα αυξήσουμε τους φόρους πριν από το 2027»",
            "δεν θα ανεβάσουμε τους φόρους πριν από το 2027",
            "Η αστυνομία μέτρησε 1.500 διαδηλωτές",
            "ο υπουργός δήλωσε ότι θα αυξήσουμε τους φόρους",
            "Το συμβούλιο ενέκρινε τη νέα γέφυρα του λιμανιού",
        ),
        (
            JAPANESE,
            "2027年まで税金を上げない",
            "2027年まで税金をあげない",
            "抗議者は1500人だった",
            "2027年まで税金を上げる",
            "市議会は新しい橋の建設を承認した",
        ),
    ],
    ids=["russian", "greek", "japanese"],
)
def test_verdicts_in_other_scripts(page, verbatim, close, number, negation, absent):
    assert located(check_quote(verbatim, page), page).verdict == "verbatim"
    c = located(check_quote(close, page), page)
    assert c.verdict == "close", c.detail
    c = located(check_quote(number, page), page)
    assert (c.verdict, c.reasons) == ("altered", ["number"]), c.detail
    c = located(check_quote(negation, page), page)
    assert (c.verdict, c.reasons) == ("altered", ["negation"]), c.detail
    assert check_quote(absent, page).verdict == "absent"


def test_pages_with_more_distinct_characters_than_edlib_takes():
    page = "".join(chr(0x4E00 + (i * 7919) % 3000) for i in range(3000))
    quote = page[1000:1040]
    assert located(check_quote(quote, page), page).verdict == "verbatim"
    changed = quote[:20] + "日本" + quote[22:]
    c = located(check_quote(changed, page), page)
    assert c.verdict == "close" and c.start == 1000


def test_seeking_a_long_quote_near_its_own_word_runs_finds_what_a_full_scan_finds(monkeypatch):
    from provenance.check import quotes

    decoys = " ".join(
        f"In report {i} the council said that the budget for schools would rise again next year." for i in range(40)
    )
    page = decoys + " " + PAGE + " " + decoys
    asked = [
        "Officials counted 1,500 protesters outside the building, police said",
        "The minister said that we will not raise levies before 2027, and added that the budget would be balanced",
        "the council said that the budget for hospitals would rise again next year",
        "The regional council approved a new harbour bridge after a long and heated debate on Tuesday",
    ]
    seen = [check_quote(q, page) for q in asked]
    monkeypatch.setattr(quotes, "SHINGLE_FROM", 10_000)  # every quote scanned over the whole page
    full = [check_quote(q, page) for q in asked]
    assert [(c.verdict, c.start, c.end, c.score) for c in seen] == [(c.verdict, c.start, c.end, c.score) for c in full]
    assert [c.verdict for c in seen] == ["altered", "close", "close", "absent"]


def test_any_text_gets_a_verdict_and_offsets_that_hold():
    import random
    import string

    from provenance.check import check_drift, check_passage

    rng = random.Random(0)
    signs = string.ascii_letters + "   ..,“”«»…—-'’0123456789\n日本語Ωμέγαпривет\u00ad\u200b[]"
    # found by this loop once: a quote whose best alignment was all deletions left edlib's start open
    cases = [("рR—G2nCγyтj’gfk\n\xaddh. NiKέ\xadKwK-9Y8…2", "вC…E3\n«I,v6ΩubB9реGYеΩрBXWuz-z2w”yoXgdрR—G2nCγyтj’gfk")]
    for _ in range(400):
        page = "".join(rng.choice(signs) for _ in range(rng.randint(0, 300)))
        start = rng.randrange(max(1, len(page) - 10))
        quote = page[start : start + rng.randint(1, 40)] if rng.random() < 0.5 else "".join(
            rng.choice(signs) for _ in range(rng.randint(0, 50))
        )
        cases.append((quote, page))
    for quote, page in cases:
        for aligner in ALIGNERS:
            c = check_quote(quote, page, aligner=aligner)
            assert c.verdict in QUOTE_VERDICTS
            if c.start is not None:
                assert page[c.start : c.end] == c.passage
        c = check_passage(quote, page)
        assert c.start is None or page[c.start : c.end] == c.passage
        assert check_drift(page, quote, words=quote[:10]).verdict in ("same", "cosmetic", "edited", "replaced")
