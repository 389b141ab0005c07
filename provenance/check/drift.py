"""Drift check: has the page changed since the article cited it?

The main text of the snapshot nearest the article's date is compared, sentence by
sentence, with the main text of the live capture. Sentences are compared folded (case,
punctuation and spacing set aside) and lined up in order. A changed sentence is cosmetic
when it is boilerplate (a promo, a share line, a newsletter box) or when it differs only
in a date or time ("Updated 3 March, 10:42"). When most of the text no longer lines up,
another page stands at the URL (`replaced`).

With the article's words (a quote or a claim), the check also says whether the sentence
they were found in is among the changes, and which version of the page they match.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..extract.boilerplate import BOILERPLATE_LINES
from .normalise import Folded, fold, sentences
from .quotes import check_quote
from .verdict import Check

REPLACED = 0.3  # below this share of either text in common with the other, the page at the URL is another page
MAX_DIFFERENCES = 50  # changed sentences kept on an edited page, for a report to show
PAIRED = 0.5  # least similarity for an old and a new sentence to count as one sentence changed

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAYS = r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
# Dates and times in the usual written forms, and the words that announce them (English; numeric forms anywhere).
DATES = re.compile(
    rf"\b(?:(?:{_DAYS}),?\s+)?(?:(?:{_MONTHS})\.?\s+{_ORD}(?:,?\s+\d{{4}})?|{_ORD}\s+(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?"
    rf"|(?:{_MONTHS})\.?\s+\d{{4}})\b|\b(?:{_DAYS})\b"
    r"|\b\d{4}-\d{2}-\d{2}(?:t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*(?:gmt|utc|[ecmp][sd]t|cet|cest|bst|ist)\b)?"
    r"|\b\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(?:last\s+)?(?:updated|published|posted|modified|edited)(?:\s+(?:on|at))?\b",
    re.I,
)
DATELINE_WORDS = 4  # a line with a date and at most this many other words is a timestamp, not a statement
# Short lines that frame an article rather than say anything: share bars, prompts, labels.
FRAMING = re.compile(
    r"^\W*(?:share(?: on| via| this)?|tweet|email|print|copy link|comments?|advertisement|sponsored|"
    r"most read|trending|editor'?s? picks?|more stories|you may also like|recommended for you)\b",
    re.I,
)


def _key(text: str) -> str:
    return fold(text).text


def is_cosmetic(sentence: str) -> bool:
    """Boilerplate, or a timestamp line ("Updated 3 March 2021, 10:42"): its change does not alter what the page says.

    A date inside a real sentence ("The vote was held on 3 March") is content: changing it is an edit.
    """
    s = sentence.strip()
    if BOILERPLATE_LINES.search(s) or FRAMING.search(s):
        return True
    dateless = DATES.sub(" ", s)
    return dateless != s and len(_key(dateless).split()) <= DATELINE_WORDS


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _most_similar(sentence: str, candidates: list[tuple[int, str]], _cache: dict) -> tuple[int | None, float]:
    """The candidate most like `sentence`; word sets rule out the unlike ones cheaply (a replaced page has many)."""
    mine = set(sentence.split())
    best, best_sim = None, 0.0
    for j, other in candidates:
        theirs = _cache.get(other)
        if theirs is None:
            theirs = _cache[other] = set(other.split())
        if len(mine & theirs) * 2 < PAIRED * (len(mine) + len(theirs)) * 0.8:
            continue  # too few words in common to reach PAIRED in order
        sim = _similarity(sentence, other)
        if sim > best_sim:
            best, best_sim = j, sim
    return best, best_sim


def check_drift(
    before: str | None, after: str | None, *, gone: bool = False, words: str | None = None
) -> Check:
    """The verdict on one URL: `before` is the main text near the article's date, `after` the live one.

    `gone` says the live page is dead (404, 410, a soft-404). `words` are the article's words
    (a quote or claim) that a check matched in `before`, to say whether their sentence changed.
    """
    if gone:
        return Check("drift", "gone", 0.0, detail="the live page is gone")
    if before is None or after is None:
        missing = "snapshot near the article's date" if before is None else "live capture"
        return Check("drift", "unknown", detail=f"no {missing} to compare")
    old_spans, new_spans = sentences(before), sentences(after)
    old = [_key(before[s:e]) for s, e in old_spans]
    new = [_key(after[s:e]) for s, e in new_spans]
    if before == after:
        return _with_words(Check("drift", "same", 1.0, detail="identical text"), before, after, words, set(), old_spans)
    added, removed, changed, cosmetic = [], [], [], 0
    pairs: dict[int, int] = {}  # old sentence → the new sentence it became
    word_sets: dict[str, set[str]] = {}
    common = 0.0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            common += sum(len(k) for k in old[i1:i2])
            continue
        olds = [i for i in range(i1, i2) if old[i]]
        news = [j for j in range(j1, j2) if new[j]]
        for i in list(olds):  # pair each old sentence with the most similar new one in the same stretch
            best, sim = _most_similar(old[i], [(j, new[j]) for j in news], word_sets)
            if best is None or sim < PAIRED:
                continue
            olds.remove(i)
            news.remove(best)
            common += sim * len(old[i])
            if is_cosmetic(before[slice(*old_spans[i])]) and is_cosmetic(after[slice(*new_spans[best])]):
                cosmetic += 1
            else:
                changed.append(i)
                pairs[i] = best
        for i in olds:
            if is_cosmetic(before[slice(*old_spans[i])]):
                cosmetic += 1
            else:
                removed.append(i)
        for j in news:
            if is_cosmetic(after[slice(*new_spans[j])]):
                cosmetic += 1
            else:
                added.append(j)
    was, now = sum(map(len, old)) or 1, sum(map(len, new)) or 1
    share = round(min(1.0, 2 * common / (was + now)), 3)
    counts = {"added": len(added), "removed": len(removed), "changed": len(changed), "cosmetic": cosmetic}
    # Another page: little of the earlier text is left, and little of the later text was there before
    # (a page that grew fivefold around its old text, or shrank to one of its paragraphs, was edited).
    if max(common / was, common / now) < REPLACED:
        check = Check("drift", "replaced", share, detail=f"only {share:.0%} of the text is in common: another page")
    elif added or removed or changed:
        check = Check(
            "drift",
            "edited",
            share,
            detail=f"{len(changed)} sentence(s) changed, {len(added)} added, {len(removed)} removed",
        )
    else:  # the texts differ, but only in framing, timestamps, spacing or punctuation
        check = Check("drift", "cosmetic", share, detail="only boilerplate, dates or spacing differ")
    check.counts = counts
    if check.verdict == "edited":  # what a report shows and highlights, roughly in the page's order
        old_text = {i: before[slice(*old_spans[i])] for i in changed + removed}
        check.differences = sorted(
            [(old_text[i], after[slice(*new_spans[pairs[i]])] if i in pairs else "") for i in changed + removed]
            + [("", after[slice(*new_spans[j])]) for j in added],
            key=lambda d: before.find(d[0]) if d[0] else after.find(d[1]),
        )[:MAX_DIFFERENCES]
    return _with_words(check, before, after, words, set(changed) | set(removed), old_spans)


def _with_words(
    check: Check, before: str, after: str, words: str | None, touched: set[int], old_spans: list
) -> Check:
    """Whether the sentence holding the article's words changed, and which version those words match."""
    if not words:
        return check
    old_fold: Folded = fold(before)
    then = check_quote(words, old_fold)
    now = check_quote(words, fold(after)) if check.verdict != "same" else then
    found = ("verbatim", "close")
    in_old, in_new = then.verdict in found, now.verdict in found
    if in_old and in_new:
        check.matches = "both" if then.score == now.score else ("before" if then.score > now.score else "after")
    else:
        check.matches = "before" if in_old else "after" if in_new else "neither"
    if then.start is not None:
        check.start, check.end, check.passage = then.start, then.end, then.passage
        check.cited_changed = any(
            s < then.end and then.start < e for i, (s, e) in enumerate(old_spans) if i in touched
        )
        if check.cited_changed:
            check.detail += f"; the cited sentence changed (the article's words match {check.matches})"
    return check
