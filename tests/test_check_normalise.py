"""Folding text for comparison, and the map from folded characters back to the original text."""

from __future__ import annotations

import random

from provenance.check.normalise import fold, sentences, split_ellipses, tokens


def test_typography_case_and_spacing_fold_away():
    a = fold("“Don’t   go — now,” she said…")
    b = fold('"don\'t go - now" SHE SAID...')
    assert a.text == b.text == "don't go now she said"


def test_numbers_keep_their_point_and_comma_and_soft_hyphens_vanish():
    assert fold("It cost $3.5 million, or 1,200 euros.").text == "it cost 3.5 million or 1,200 euros"
    f = fold("infor\u00admation and zero\u200bwidth")
    assert f.text == "information and zerowidth"
    assert [f.original[f.origin(i)] for i in range(len(f.text))] == list("information and zerowidth")


def test_offsets_map_every_folded_span_back_to_the_same_words():
    text = "Premier ministre: «Nous ne céderons pas»\u00a0— Ἀθῆναι, 2024. Москва  — «Нет!» 日本語の文章です。"
    f = fold(text)
    rng = random.Random(3)
    words = tokens(f)
    for _ in range(200):
        i = rng.randrange(len(words))
        j = rng.randrange(i, min(len(words), i + 6))
        start, end = f.span(words[i].start, words[j].end)
        assert fold(text[start:end]).text == f.text[words[i].start : words[j].end]
        assert not text[start].isspace() and not text[end - 1].isspace()


def test_each_folded_character_points_at_the_character_it_came_from():
    text = "ÉCOLE “Quoted” Ωμέγα"
    f = fold(text)
    for i, ch in enumerate(f.text):
        if ch != " ":
            assert text[f.origin(i)].lower() == ch


def test_ellipses_of_every_form_split_a_quote():
    assert split_ellipses("We will … not [...] stop. . . ever […] again...") == [
        "We will ",
        " not ",
        " stop",
        " ever ",
        " again",
    ]
    assert split_ellipses("… ") == []


def test_words_of_scripts_without_spaces_are_characters():
    assert [t.word for t in tokens(fold("東京で3人"))] == ["東", "京", "で", "3", "人"]
    assert [t.word for t in tokens(fold("Он не пришёл"))] == ["он", "не", "пришёл"]


def test_sentences_in_several_scripts_and_abbreviations():
    text = "Mr. Smith went home. Он сказал «да». Η Αθήνα είναι εδώ. 日本語です。次の文。 U.S. officials said so."
    got = [text[s:e] for s, e in sentences(text)]
    assert got == [
        "Mr. Smith went home.",
        "Он сказал «да».",
        "Η Αθήνα είναι εδώ.",
        "日本語です。",
        "次の文。",
        "U.S. officials said so.",
    ]
