"""Passage check: which sentence of a page best supports a claim that quotes nothing.

The sentences of the page are ranked by BM25 against the claim's words, and the best one
(with a neighbour when that covers more of the claim) is kept. The score is the share of
the claim's words, weighted by how rare they are on the page (their IDF), that the passage
contains. This is a lexical match: it says the page uses the claim's words in one place,
not that the page proves the claim.
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from ..claims import STOPWORDS
from .normalise import UNSPACED, Folded, fold, sentences
from .quotes import context
from .verdict import Check

MATCHED = 0.6  # share of the claim's weighted words in the passage for `matched`
WEAK = 0.3  # ... and for `weak`; below it the claim's words are `absent`
K1, B = 1.5, 0.75  # the usual BM25 constants
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
NOTE = "lexical match (BM25 over the page's sentences), not a proof"


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light English suffix strip, so "protests" finds "protest"; other languages pass unchanged.
    Cached: a page's words repeat, and a batch indexes thousands of pages."""
    if not word.isascii() or len(word) <= 4:
        return word
    for suffix, keep in (("'s", ""), ("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """The words BM25 counts: folded, stemmed, no stop words; character pairs in scripts without spaces."""
    return _terms(fold(text).text.split(" "))


def _terms(words: list[str]) -> list[str]:
    return [t for piece in words for t in _terms_of(piece)]


@lru_cache(maxsize=1 << 17)
def _terms_of(piece: str) -> tuple[str, ...]:
    """The terms one folded word gives (none for a stop word); cached, since a page repeats its words."""
    if not piece or piece in STOPWORDS:
        return ()
    if UNSPACED.search(piece):
        pairs = [piece[i : i + 2] for i in range(max(1, len(piece) - 1))]
        # Kana mostly carry grammar (particles, endings); pairs of kanji or katakana carry the content.
        content = [p for p in pairs if not _HIRAGANA.search(p)]
        return tuple(content or pairs)
    return (stem(piece),)


@dataclass
class Sentences:
    """A page cut into sentences and counted for BM25 once, for all the claims that cite it.

    Counted as postings: each term with the sentences it is in and how often, so a claim is scored
    by walking its own terms' sentences rather than every sentence of the page."""

    text: str
    spans: list[tuple[int, int]]
    postings: dict[str, tuple[array, array]]  # term → the sentences it is in (in order) and how often in each
    norms: list[float]  # each sentence's BM25 length term, K1 * (1 - B + B * length / average length)

    @classmethod
    def of(cls, text: str, folded: Folded | None = None) -> Sentences:
        """`text` indexed; `folded` is `fold(text)` when the caller has it already (quote checks fold too)."""
        spans = sentences(text)
        per = _sentence_words(text, spans, folded or fold(text))
        # Each distinct word's terms once; each sentence counted by C loops over them (a page repeats its words).
        of_word = {w: _terms_of(w) for w in set(chain.from_iterable(per))}.__getitem__
        postings: dict[str, tuple[array, array]] = {}
        lengths = []
        for i, words in enumerate(per):
            counted = Counter(chain.from_iterable(map(of_word, words)))
            lengths.append(sum(counted.values()))
            for term, count in counted.items():
                if term not in postings:
                    postings[term] = (array("i"), array("i"))  # arrays: a page's index is packed and shipped
                where, often = postings[term]
                where.append(i)
                often.append(count)
        average = sum(lengths) / (len(per) or 1) or 1
        return cls(text, spans, postings, [K1 * (1 - B + B * length / average) for length in lengths])

    def df(self, term: str) -> int:
        """How many sentences `term` is in."""
        return len(self.postings[term][0]) if term in self.postings else 0

    def within(self, term: str, first: int, last: int) -> bool:
        """Whether `term` is in one of sentences first..last."""
        if term not in self.postings:
            return False
        where = self.postings[term][0]
        k = bisect_left(where, first)
        return k < len(where) and where[k] <= last


def _sentence_words(text: str, spans: list[tuple[int, int]], folded: Folded) -> list[list[str]]:
    """The folded words of each sentence, from one fold of the whole page rather than one per sentence
    (a long page has hundreds). A word is a sentence's when it lies inside the sentence's span; should
    one ever cross a span's edge, or have lost a soft hyphen, that sentence is folded on its own."""
    words = folded.text.split(" ") if folded.text else []
    origins = folded.origins
    out = []
    for start, end in spans:
        first, last = bisect_left(origins, start), bisect_left(origins, end)
        inside = not folded.gaps and (first == 0 or origins[first - 1] + len(words[first - 1]) <= start) and (
            last == first or origins[last - 1] + len(words[last - 1]) <= end)
        out.append(words[first:last] if inside else fold(text[start:end]).text.split(" "))
    return out


def check_passage(claim: str, page: str | Sentences | None) -> Check:
    """The verdict on one claim against the main text of the page it cites (or that text as `Sentences`)."""
    if page is None:
        return Check("passage", "unavailable", detail="no text of the page to read")
    index = page if isinstance(page, Sentences) else Sentences.of(page)
    page, spans, postings, norms = index.text, index.spans, index.postings, index.norms
    if not spans:
        return Check("passage", "unavailable", detail="the page has no readable text")
    wanted = Counter(terms(claim))
    if not wanted:
        return Check("passage", "absent", detail="the claim has no words to look for")
    n = len(spans)
    idf = {t: math.log(1 + (n - index.df(t) + 0.5) / (index.df(t) + 0.5)) for t in wanted}
    # BM25 of each sentence, summed term by term in the claim's order (as a sum over each sentence's terms
    # would be), over the sentences each term is in.
    scores: list[float] = [0] * n
    k1 = K1 + 1
    for t, w in idf.items():
        if t in postings:
            for i, tf in zip(*postings[t], strict=True):
                scores[i] += w * tf * k1 / (tf + norms[i])
    best_score = max(scores)
    best = scores.index(best_score)
    total = sum(idf.values()) or 1.0

    def cover(first: int, last: int) -> float:
        return sum(w for t, w in idf.items() if index.within(t, first, last)) / total

    window = max(
        ((best, best), (best - 1, best), (best, best + 1)),
        key=lambda w: (cover(*w) - 0.05 * (w[1] - w[0])) if 0 <= w[0] and w[1] < n else -1,
    )
    coverage = round(cover(*window), 3)
    verdict = "matched" if coverage >= MATCHED else "weak" if coverage >= WEAK else "absent"
    start, end = spans[window[0]][0], spans[window[1]][1]
    shared = sorted(t for t in wanted if index.within(t, *window))
    check = Check(
        "passage",
        verdict,
        coverage,
        detail=f"{NOTE}: {len(shared)} of {len(wanted)} claim words ({', '.join(shared[:12])}); bm25 {best_score:.2f}",
    )
    if verdict != "absent":
        check.passage, check.start, check.end = page[start:end], start, end
        check.before, check.after = context(page, start, end)
    return check
