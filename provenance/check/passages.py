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
from .normalise import UNSPACED, Folded, flatten, fold, sentences
from .quotes import context
from .verdict import Check

MATCHED = 0.6  # share of the claim's weighted words in the passage for `matched`
WEAK = 0.3  # ... and for `weak`; below it the claim's words are `absent`
K1, B = 1.5, 0.75  # the usual BM25 constants
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
NOTE = "lexical match (BM25 over the page's sentences), not a proof"
# Folded text in ASCII with no digit and no apostrophe holds words of letters alone (a-z): every other
# character set to a space, str.split cuts out the words the word pattern would, five times as fast.
_DIGIT_OR_APOSTROPHE = re.compile(r"[0-9']")
_ASCII_GAPS = {c: " " for c in range(128) if not 97 <= c <= 122}


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


def _idf(n: int, df: int) -> float:
    """A term's IDF on a page of `n` sentences, `df` of which hold it."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass
class Sentences:
    """A page cut into sentences and counted for BM25 once, for all the claims that cite it.

    Counted as postings: each term with the sentences it is in and what it adds to each one's BM25
    score there (its IDF on the page, its count in the sentence against the sentence's length: all
    of the page), so a claim is scored by adding up its own terms' postings, not by walking every
    sentence of the page nor working each term's weight out again for every claim."""

    text: str
    spans: list[tuple[int, int]]
    postings: dict[str, tuple[array, array]]  # term → the sentences it is in (in order) and its BM25 weight in each

    @classmethod
    def of(cls, text: str, folded: Folded | None = None) -> Sentences:
        """`text` indexed; `folded` is `fold(text)` when the caller has it already (quote checks fold too)."""
        spans = sentences(text)
        per = _sentence_words(text, spans, folded)
        # Each distinct word's terms once; each sentence counted by C loops over them (a page repeats its words).
        of_word = {w: _terms_of(w) for w in set(chain.from_iterable(per))}.__getitem__
        counts: dict[str, tuple[list[int], list[int]]] = {}
        lengths = []
        for i, words in enumerate(per):
            found = list(chain.from_iterable(map(of_word, words)))
            lengths.append(len(found))
            for term, count in Counter(found).items():
                got = counts.get(term)
                if got is None:
                    counts[term] = got = ([], [])
                got[0].append(i)
                got[1].append(count)
        average = sum(lengths) / (len(per) or 1) or 1
        norms = [K1 * (1 - B + B * length / average) for length in lengths]  # each sentence's BM25 length term
        n, k1 = len(spans), K1 + 1
        postings = {}
        for term, (where, often) in counts.items():
            w = _idf(n, len(where))
            weights = [w * tf * k1 / (tf + norms[i]) for i, tf in zip(where, often, strict=True)]
            postings[term] = (array("i", where), array("d", weights))  # arrays: a page's index is packed and shipped
        return cls(text, spans, postings)

    def df(self, term: str) -> int:
        """How many sentences `term` is in."""
        return len(self.postings[term][0]) if term in self.postings else 0

    def near(self, term: str, at: int) -> tuple[bool, bool, bool]:
        """Whether `term` is in sentence at - 1, in sentence at, and in sentence at + 1."""
        if term not in self.postings:
            return False, False, False
        where = self.postings[term][0]
        k = bisect_left(where, at - 1)
        ahead = where[k : k + 3]
        return at - 1 in ahead, at in ahead, at + 1 in ahead


def _sentence_words(text: str, spans: list[tuple[int, int]], folded: Folded | None = None) -> list[list[str]]:
    """The folded words of each sentence: the page's characters folded once, then each sentence's cut into
    words, which are the words `fold` finds in the whole page within the sentence's span (no word crosses
    a span's edge: a sentence ends at a mark that is no part of a word, before white space or a line
    break), with no word offsets made, which a passage check never needs. A page holding a soft hyphen
    or a zero-width character is folded whole and its words shared out by their offsets."""
    flat, split = flatten(text)
    if "\u00ad" in flat:
        return _words_by_offset(text, spans, folded or fold(text))
    cut, odd = split.split, _DIGIT_OR_APOSTROPHE.search
    gapped = flat.translate(_ASCII_GAPS) if flat.isascii() else None
    out = []
    for start, end in spans:
        piece = flat[start:end]
        if piece.isascii() and not odd(piece):  # words are its runs of letters: cut out by str.split, in C
            out.append((piece.translate(_ASCII_GAPS) if gapped is None else gapped[start:end]).split())
        else:
            out.append(cut(piece)[1::2])
    return out


def _words_by_offset(text: str, spans: list[tuple[int, int]], folded: Folded) -> list[list[str]]:
    """The folded words of each sentence, from one fold of the whole page. A word is a sentence's when it
    lies inside the sentence's span; should one ever cross a span's edge, or have lost a soft hyphen, that
    sentence is folded on its own."""
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
    page, spans, postings = index.text, index.spans, index.postings
    if not spans:
        return Check("passage", "unavailable", detail="the page has no readable text")
    wanted = Counter(terms(claim))
    if not wanted:
        return Check("passage", "absent", detail="the claim has no words to look for")
    n = len(spans)
    idf = {t: _idf(n, index.df(t)) for t in wanted}
    # BM25 of each sentence: its weights summed term by term in the claim's order (as a sum over each
    # sentence's terms would be), over the sentences each term is in.
    scores: list[float] = [0] * n
    for t in idf:
        if t in postings:
            for i, weight in zip(*postings[t], strict=True):
                scores[i] += weight
    best_score = max(scores)
    best = scores.index(best_score)
    total = sum(idf.values()) or 1.0
    near = [index.near(t, best) for t in idf]  # each word in the sentence before the best, the best, the one after

    def inside(first: int, last: int) -> list[bool]:
        """Whether each of the claim's terms is in sentences first..last (a window around the best)."""
        return [at or (before and first < best) or (after and last > best) for before, at, after in near]

    def cover(first: int, last: int) -> float:
        return sum(w for w, found in zip(idf.values(), inside(first, last), strict=True) if found) / total

    window = max(
        ((best, best), (best - 1, best), (best, best + 1)),
        key=lambda w: (cover(*w) - 0.05 * (w[1] - w[0])) if 0 <= w[0] and w[1] < n else -1,
    )
    coverage = round(cover(*window), 3)
    verdict = "matched" if coverage >= MATCHED else "weak" if coverage >= WEAK else "absent"
    start, end = spans[window[0]][0], spans[window[1]][1]
    shared = sorted(t for t, found in zip(idf, inside(*window), strict=True) if found)
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
