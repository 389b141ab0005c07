"""A tiny version of bench/check.py's evaluation, on pages written here: the cases it builds and how it scores."""

from __future__ import annotations

import gzip
import random

import pytest

from bench import check as evaluation
from bench import check_cases as making
from provenance.check import __all__ as exported
from provenance.check import check_quote, main_text

PARAGRAPHS = [
    [
        "The regional water authority said on Monday that 42 villages would get new pipes before the winter.",
        "Engineers have not yet finished the survey of the old reservoir near the northern border.",
        "Local farmers welcomed the plan but asked for more money to repair the irrigation channels.",
        "A spokesperson for the authority said the work could take up to three years to complete.",
    ],
    [
        "The orchestra announced that its new concert hall will open to the public in the spring.",
        "Tickets for the first season went on sale at noon and sold out within 15 minutes online.",
        "The conductor told reporters that the acoustics were better than anything she had heard before.",
        "Critics have argued that the building cost far more than the city had originally promised.",
    ],
    [
        "Researchers at the university found that 7 of the 30 samples contained traces of the rare mineral.",
        "The team did not expect such a high share and plans to repeat the tests with new equipment.",
        "Their findings were published in a journal that specialises in the geology of volcanic islands.",
        "Several mining companies have already asked for access to the data behind the study.",
    ],
]


def page_html(title: str, sentences: list[str]) -> str:
    body = "".join(f"<p>{s} {s.replace('the', 'a', 1)}</p>" for s in sentences)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


@pytest.fixture()
def pages_dir(tmp_path):
    for i, sentences in enumerate(PARAGRAPHS):
        (tmp_path / f"page{i}.html.gz").write_bytes(gzip.compress(page_html(f"Story {i}", sentences).encode()))
    return tmp_path


def test_the_evaluation_reads_pages_through_the_extractor(pages_dir):
    pages = evaluation.load_pages(pages_dir)
    assert sorted(pages) == ["page0", "page1", "page2"]
    assert PARAGRAPHS[0][0] in pages["page0"]
    assert pages["page0"] == main_text(page_html("Story 0", PARAGRAPHS[0]))


def test_a_missing_corpus_fails_with_a_clear_message(tmp_path, capsys):
    with pytest.raises(evaluation.CorpusMissing, match="no corpus at"):
        evaluation.load_pages(tmp_path / "nowhere")
    assert evaluation.main(["--pages", str(tmp_path / "nowhere")]) == 2
    assert "no corpus at" in capsys.readouterr().err
    with pytest.raises(evaluation.CorpusMissing, match="fewer than two readable pages"):
        evaluation.load_pages(tmp_path)


def test_cases_are_built_as_described(pages_dir):
    pages = evaluation.load_pages(pages_dir)
    cases = evaluation.quote_cases(pages, random.Random(5))
    kinds = {how for _, how, _ in cases}
    assert {"verbatim", "typographic", "one word edited", "number changed", "negation flipped", "made up",
            "other page"} <= kinds
    for name, how, quote in cases:
        if how == "number changed":
            assert any(c.isdigit() for c in quote)
            assert quote not in pages[name]
        if how == "verbatim":
            assert quote in pages[name]
    assert making.flip_negation("They did not expect it.") == "They did expect it."
    assert making.flip_negation("They don’t expect it.") == "They do expect it."
    assert making.flip_negation("It was late.") == "It was not late."


def test_scoring_counts_each_verdict_against_what_was_done():
    results = [
        ("verbatim", "verbatim"), ("typographic", "close"), ("one word edited", "absent"),
        ("number changed", "altered"), ("negation flipped", "close"), ("one word edited", "altered"),
        ("made up", "absent"), ("other page", "verbatim"),
    ]
    s = evaluation.score_quotes(results)
    assert s["found precision"] == pytest.approx(2 / 4)  # a flipped negation and another page's sentence "found"
    assert s["found recall"] == pytest.approx(2 / 4)  # both word edits missed
    assert s["altered precision"] == pytest.approx(1 / 2)
    assert s["altered recall (number, negation)"] == pytest.approx(1 / 2)
    assert s["made up: absent"] == 1.0 and s["other page: absent"] == 0.0
    drift = [("unchanged", "same", False, "both"), ("boilerplate changed", "same", False, "both"),
             ("one sentence edited", "edited", True, "before"), ("one sentence edited", "cosmetic", False, "both")]
    d = evaluation.score_drift(drift)
    assert d["same precision"] == 0.5 and d["one-sentence edits caught"] == 0.5
    assert d["edited: cited sentence flagged"] == 1.0


def test_the_tiny_evaluation_meets_the_targets(pages_dir):
    pages = evaluation.load_pages(pages_dir)
    rng = random.Random(7)
    results = evaluation.run_quotes(pages, evaluation.quote_cases(pages, rng), "edlib")
    scores = evaluation.score_quotes(results)
    for name, target in evaluation.QUOTE_TARGETS.items():
        assert scores[name] >= target, (name, scores)
    drift = evaluation.score_drift(evaluation.run_drift(evaluation.drift_cases(pages, rng)))
    for name, target in evaluation.DRIFT_TARGETS.items():
        assert drift[name] >= target, (name, drift)


def test_the_public_api_is_complete():
    import provenance.check as stage

    assert sorted(exported) == sorted(n for n in vars(stage) if not n.startswith("_") and n not in (
        "annotations", "drift", "normalise", "passages", "quotes", "verdict", "BOILERPLATE", "read_html"))
    assert check_quote("x", None).kind == "quote"
