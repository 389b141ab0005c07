"""Drift check: the main text near the article's date against the live one, sentence by sentence."""

from __future__ import annotations

from provenance.check import check_drift

BEFORE = (
    "Flood waters rose across the valley on Sunday.\n\n"
    "Updated March 3, 2021, 10:42 a.m. ET\n\n"
    "Officials said 12 people were rescued from their homes overnight. "
    "The river is expected to peak on Tuesday, forecasters said. "
    "Schools in the area will stay closed until further notice."
)
CITED = "Officials said 12 people were rescued from their homes overnight"


def test_same_text_is_same():
    c = check_drift(BEFORE, BEFORE, words=CITED)
    assert (c.verdict, c.score, c.matches, c.cited_changed) == ("same", 1.0, "both", False)


def test_timestamps_promos_and_spacing_are_cosmetic():
    after = BEFORE.replace("March 3, 2021, 10:42 a.m.", "March 4, 2021, 9:05 p.m.").replace(". ", ".  ")
    after += "\n\nSign up for our newsletter\n\nShare this article"
    c = check_drift(BEFORE, after, words=CITED)
    assert c.verdict == "cosmetic", c
    assert c.counts["cosmetic"] >= 2 and c.counts["changed"] == c.counts["added"] == 0
    assert c.cited_changed is False


def test_a_date_inside_a_real_sentence_is_an_edit():
    c = check_drift(BEFORE, BEFORE.replace("peak on Tuesday", "peak on Thursday"))
    assert c.verdict == "edited" and c.counts["changed"] == 1


def test_edited_counts_changes_and_says_which_version_the_words_match():
    after = BEFORE.replace("12 people", "15 people").replace(
        "Schools in the area will stay closed until further notice.", ""
    ) + " Power was restored to most homes by Monday."
    c = check_drift(BEFORE, after, words=CITED)
    assert c.verdict == "edited"
    assert c.counts == {"added": 1, "removed": 1, "changed": 1, "cosmetic": 0}
    assert c.differences == [
        ("Officials said 12 people were rescued from their homes overnight.",
         "Officials said 15 people were rescued from their homes overnight."),
        ("Schools in the area will stay closed until further notice.", ""),
        ("", "Power was restored to most homes by Monday."),
    ]
    assert c.cited_changed is True and c.matches == "before"
    assert BEFORE[c.start : c.end] == c.passage and "12 people" in c.passage
    c = check_drift(BEFORE, after, words=CITED.replace("12", "15"))
    assert c.matches == "after"
    c = check_drift(BEFORE, after, words="The river is expected to peak on Tuesday")
    assert c.verdict == "edited" and c.cited_changed is False and c.matches == "both"


def test_a_page_that_grew_around_its_old_text_was_edited_not_replaced():
    extra = " ".join(f"Update {i}: crews reached the village of Tarn-{i} and counted the damage." for i in range(30))
    c = check_drift(BEFORE, BEFORE + "\n\n" + extra)
    assert c.verdict == "edited" and c.counts["added"] == 30
    c = check_drift(BEFORE + "\n\n" + extra, BEFORE)
    assert c.verdict == "edited" and c.counts["removed"] == 30


def test_replaced_gone_and_unknown():
    other = "A new bakery opened downtown. It sells bread and cakes. The owner trained in Lyon for ten years."
    assert check_drift(BEFORE, other).verdict == "replaced"
    assert check_drift(BEFORE, None, gone=True).verdict == "gone"
    assert check_drift(None, BEFORE).verdict == "unknown"
    assert check_drift(BEFORE, None).verdict == "unknown"


def test_drift_in_other_scripts():
    before = "Σήμερα ο δήμαρχος ανακοίνωσε νέα μέτρα. Οι κάτοικοι αντέδρασαν έντονα. 新しい橋が完成した。"
    after = before.replace("έντονα", "ήπια")
    c = check_drift(before, after, words="Οι κάτοικοι αντέδρασαν έντονα")
    assert (c.verdict, c.cited_changed, c.matches) == ("edited", True, "before")
