"""Text folded for comparison, with a map from every folded character back to the original text.

Two texts say the same words when they match after folding: typographic quotes and
guillemets, dashes, spaces of every width, case and punctuation are set aside (Quotebank
compares quotations after lower-casing and dropping punctuation). What is kept: the
letters and digits of each word, an apostrophe inside a word ("don't"), and the point or
comma inside a number ("3.5", "1,000"), because those carry meaning.

The folded text is the words joined by single spaces. `Folded.origin(i)` is the index in
the original text of folded character `i`, so a match found in the folded text maps back
exactly to the characters of the page (`Folded.span`).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, islice
from operator import add

# One character for another, so that folding never changes the length before words are cut out.
_SAME_LENGTH = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4\u2039\u203a", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u300c\u300d\u300e\u300f", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u3000", " "),
        # Soft hyphen and zero-width characters: inside a word they must not cut it in two.
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", "\u00ad"),
        "\u2026": ".",
        # Full-width Latin letters and digits (common in Japanese and Chinese text) as ASCII.
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5F) if chr(c - 0xFEE0).isalnum()},
    }
)

# Combining marks (accents in decomposed text, Indic vowel signs, kana voicing marks) belong to their word.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0dff\u3099\u309a"
_LETTERS = rf"(?:[^\W\d_]|[{_MARKS}])"
WORD = re.compile(rf"\d+(?:[.,]\d+)*(?:{_LETTERS}+)?|{_LETTERS}+(?:['\u00ad]{_LETTERS}+)*")
# Words are cut out by splitting on them (one pass in C, offsets from the pieces' lengths), with the
# simpler pattern when a text holds no combining mark (most pages): twice as fast as matching one by one.
# Each pattern opens with a look-ahead at the one character class a word can start with, which lets the
# regex engine skip to the next candidate; a text all in ASCII (folded: lower case) has letters a-z alone,
# and with them it splits two and a half times as fast.
_ANY_MARK = re.compile(rf"[{_MARKS}]")
_SPLIT_MARKED = re.compile(rf"(?=[^\W_]|[{_MARKS}])({WORD.pattern})")
_SPLIT_UNMARKED = re.compile(r"(?=[^\W_])(\d+(?:[.,]\d+)*(?:[^\W\d_]+)?|[^\W\d_]+(?:['\u00ad][^\W\d_]+)*)")
_SPLIT_ASCII = re.compile(r"(?=[0-9a-z])(\d+(?:[.,]\d+)*(?:[a-z]+)?|[a-z]+(?:'[a-z]+)*)")

# Scripts written without spaces: each character is a word when words are compared.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# "...", "…", ". . .", and any of them in square brackets: words were left out here.
ELLIPSIS = re.compile(r"\[\s*(?:\u2026|\.\s?\.\s?\.)\s*\]|\u2026|\.\s?\.\s?\.")


@dataclass
class Folded:
    """Folded text and where each of its words starts in the original text.

    Words keep their length when folded (bar a dropped soft hyphen, kept apart in `gaps`), so one
    original offset per word maps every character; a page is folded once and searched many times.
    """

    text: str
    original: str
    origins: array  # where each word starts in `original` (32-bit integers: a long page has tens of thousands)
    gaps: dict[int, list[int]]  # word index → original offset of each character, for words that lost a soft hyphen
    _starts: array | None = field(default=None, repr=False, compare=False)

    @property
    def starts(self) -> array:
        """Where each word starts in `text`: made when a match is first mapped back (a passage check never does)."""
        if self._starts is None:
            words = self.text.split(" ") if self.text else []
            # Word k starts after the k words before it and a space after each.
            self._starts = array("i", map(add, accumulate(map(len, words[:-1]), initial=0), range(len(words))))
        return self._starts

    def origin(self, i: int) -> int:
        """Where folded character `i` is in the original text (a joining space: the character before the next word)."""
        starts = self.starts
        k = bisect_right(starts, i) - 1
        if k < 0:
            return 0
        into = i - starts[k]
        if k in self.gaps:
            chars = self.gaps[k]
            return chars[into] if into < len(chars) else self.origins[k + 1] - 1
        if k + 1 < len(starts) and i == starts[k + 1] - 1:
            return self.origins[k + 1] - 1
        return self.origins[k] + into

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of folded characters start..end (end exclusive)."""
        if end <= start:
            at = self.origin(start) if start < len(self.text) else len(self.original)
            return at, at
        return self.origin(start), self.origin(end - 1) + 1


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters (Turkish dotted I) lower into two; fold those one by one to keep the length.
    return "".join(c if len(c) == 1 else c[0] for c in (ch.lower() for ch in text))


def flatten(text: str) -> tuple[str, re.Pattern]:
    """`text` with its characters folded (same length, so offsets hold) and the pattern that cuts its words
    out: what `fold` splits, given apart so a page's sentences can be cut into words one by one."""
    flat = _lower(text.translate(_SAME_LENGTH))
    return flat, _SPLIT_ASCII if flat.isascii() else _SPLIT_MARKED if _ANY_MARK.search(flat) else _SPLIT_UNMARKED


def fold(text: str) -> Folded:
    """`text` folded for comparison, with the map back to it."""
    flat, split = flatten(text)
    pieces = split.split(flat)  # gap, word, gap, …
    words = pieces[1::2]
    origins = array("i", islice(accumulate(map(len, pieces)), 0, 2 * len(words), 2))
    gaps = {}
    if "\u00ad" in flat:  # a soft hyphen or zero-width joiner inside a word is dropped
        for k, word in enumerate(words):
            if "\u00ad" in word:
                gaps[k] = [origins[k] + i for i, c in enumerate(word) if c != "\u00ad"]
                words[k] = word.replace("\u00ad", "")
    return Folded(" ".join(words), text, origins, gaps)


def split_ellipses(quote: str) -> list[str]:
    """The parts of a quotation between its ellipses (each ellipsis may stand for any gap)."""
    return [p for p in ELLIPSIS.split(quote) if WORD.search(p)]


@dataclass(frozen=True)
class Token:
    """One word of a folded text: its folded form and its (start, end) in the folded text."""

    word: str
    start: int
    end: int


def tokens(folded: Folded, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of folded text start..end; in scripts without spaces, each character is a word."""
    out = []
    end = len(folded.text) if end is None else end
    pos = start
    for piece in folded.text[start:end].split(" "):
        if piece:
            if UNSPACED.search(piece):
                for i, ch in enumerate(piece):
                    out.append(Token(ch, pos + i, pos + i + 1))
            else:
                out.append(Token(piece, pos, pos + len(piece)))
        pos += len(piece) + 1
    return out


_CLOSERS = re.escape("\"'”’»)]」』")
# The look-ahead at the marks that can end a sentence lets the engine skip to the next one (four times faster).
_BOUNDARY = re.compile(rf"(?=[.!?\u2026。！？\n])(?:[.!?\u2026]+[{_CLOSERS}]*(?=\s)|[。！？]+[{_CLOSERS}]*|\n+)")
_LAST_WORD = re.compile(r"(\w+)$")
_SHORT_FORMS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc co corp ltd vs no nos jan feb mar apr jun "
    "jul aug sep sept oct nov dec fig approx dept univ ave rev hon est al etc".split()
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, in any script.

    A full stop ends a sentence when what follows does not start in lower case (so it works
    for Cyrillic and Greek, and for scripts without case); 。！？ always end one, and so does
    a line break. Abbreviations and initials do not end a sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        mark = m.group(0)
        if mark[0] in ".!?\u2026":
            rest = text[m.end() : m.end() + 8].lstrip(" \t\"'“‘«(")
            if rest[:1].islower():
                continue
            if mark[0] == "." and len(mark) == 1:
                word = _LAST_WORD.search(text[max(start, m.start() - 12) : m.start()])
                if word and (len(word.group(1)) == 1 or word.group(1).lower() in _SHORT_FORMS):
                    continue
        end = m.start() if mark[0] == "\n" else m.end()
        _keep(text, start, end, spans)
        start = m.end()
    _keep(text, start, len(text), spans)
    return spans


def _keep(text: str, start: int, end: int, spans: list) -> None:
    piece = text[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        spans.append((start + lead, start + len(piece.rstrip())))
