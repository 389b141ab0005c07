"""Passage check: the sentence of a page that best matches a claim that quotes nothing (a lexical match)."""

from __future__ import annotations

from provenance.check import check_passage

PAGE = (
    "The city council met on Monday evening. "
    "Councillors voted to close three public libraries in the northern districts to save money. "
    "The vote was 7 to 4. Residents protested outside the town hall. "
    "The mayor said the decision would be reviewed next year."
)


def test_matched_keeps_the_best_sentence_and_its_offsets():
    c = check_passage("The council voted to close three libraries.", PAGE)
    assert c.verdict == "matched"
    assert c.passage == PAGE[c.start : c.end]
    assert "close three public libraries" in c.passage
    assert c.score >= 0.6
    assert "lexical match" in c.detail and "not a proof" in c.detail


def test_words_found_across_two_sentences_take_the_neighbour_in():
    c = check_passage("Councillors voted to close libraries; residents protested outside the town hall.", PAGE)
    assert c.verdict == "matched"
    assert "libraries" in c.passage and "protested" in c.passage


def test_weak_when_only_some_of_the_claim_is_there():
    c = check_passage("Residents protested over parking charges.", PAGE)
    assert c.verdict == "weak", c
    assert 0.3 <= c.score < 0.6


def test_absent_and_unavailable():
    assert check_passage("Quantum computers broke encryption standards overnight.", PAGE).verdict == "absent"
    assert check_passage("anything at all", None).verdict == "unavailable"
    assert check_passage("anything at all", "   ").verdict == "unavailable"
    assert check_passage("the and of", PAGE).verdict == "absent"


def test_other_scripts():
    page = (
        "Городской совет проголосовал за закрытие трёх библиотек. Жители протестовали у мэрии. "
        "市議会は図書館を閉鎖することを決めた。"
    )
    c = check_passage("совет проголосовал за закрытие библиотек", page)
    assert c.verdict == "matched" and "библиотек" in c.passage
    c = check_passage("市議会が図書館の閉鎖を決めた", page)
    assert c.verdict == "matched" and c.passage.startswith("市議会")


def test_a_page_counted_once_serves_many_claims():
    from provenance.check import Sentences

    index = Sentences.of(PAGE)
    for claim in ("The council voted to close three libraries.", "Residents protested over parking charges."):
        assert check_passage(claim, index) == check_passage(claim, PAGE)
    assert check_passage("anything", Sentences.of("")).verdict == "unavailable"


def test_each_sentence_holds_the_words_fold_finds_within_its_span():
    from provenance.check.normalise import fold, sentences
    from provenance.check.passages import _sentence_words, _words_by_offset

    pages = [
        PAGE,
        "Mr. Smith didn't say 3.5 or 1,000 times; the U.S. team's 12abc d'Arc. Next one!",
        "She didn't go; the team's ''quoted'' rock'n'roll 'n' roll'. No digits here, none at all.",
        "Café naïve résumé. Cafe\u0301 nai\u0308ve vote.\nGreek: ΟΔΟΣ ΚΑΙ ΝΟΜΟΣ. Η ΒΟΥΛΗ ΨΗΦΙΣΕ. İstanbul'da toplandı.",
        "市議会は図書館を閉鎖することを決めた。住民は抗議した！ Plain words here. 東京の会議。",
        # Soft hyphens and zero-width characters: the page is folded whole.
        "Co\u00adoperation and re\u00adelection were dis\u200bcussed. The vote was 7 to 4.",
        "“Curly” quotes — and dashes – with\u00a0spaces… Then more words. «Guillemets» too.",
    ]
    for page in pages:
        spans = sentences(page)
        assert _sentence_words(page, spans) == _words_by_offset(page, spans, fold(page)), page


def test_a_page_indexed_once_keeps_each_words_bm25_weight_in_each_sentence():
    import math
    from collections import Counter

    from provenance.check import Sentences
    from provenance.check.passages import K1, B, terms

    index = Sentences.of(PAGE)
    counted = [Counter(terms(PAGE[start:end])) for start, end in index.spans]
    n, average = len(counted), sum(sum(c.values()) for c in counted) / len(counted)
    for term, (where, weights) in index.postings.items():
        assert list(where) == [i for i, c in enumerate(counted) if term in c]
        df = len(where)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, weight in zip(where, weights, strict=True):
            tf, norm = counted[i][term], K1 * (1 - B + B * sum(counted[i].values()) / average)
            assert weight == idf * tf * (K1 + 1) / (tf + norm)
    council = terms("council")[0]
    assert index.df(council) == 1 and index.near(council, 1) == (True, False, False)
    assert index.near(council, 0) == (False, True, False) and index.near("nothing", 0) == (False, False, False)
