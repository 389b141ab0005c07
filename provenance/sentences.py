"""Sentences and words in any script: where a claim starts and ends, and what counts as a word.

Unicode rules written out rather than a dictionary segmenter: a sentence ends at `.`, `!`, `?`
or `…` followed by space and a letter that is not lower case (an upper-case letter of any
script, or a letter of a script without case: Han, kana, Hangul, Arabic, Hebrew, Devanagari…)
or a digit; at the ideographic full stop and the full-width `！？．`, which need no space;
at the Devanagari danda and the Arabic question mark; and at `;` after a Greek word (Greek's
question mark is the semicolon). Abbreviations, initials and a full stop inside a short
quotation do not end a sentence.
"""

from __future__ import annotations

import re

__all__ = ["WORD", "is_claim_text", "is_unspaced", "split_sentences", "words"]

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc co corp ltd vs no "
    "jan feb mar apr jun jul aug sep sept oct nov dec maj adm pres ft mt fig approx dept univ ave blvd "
    "rev hon est e.g i.e u.s u.k u.n d.c l.a n.y ph.d al".split()
)
# A run of sentence terminals and the closing quotes or brackets after it, or a line break.
_CANDIDATE = re.compile(
    r"[。！？．]+[”\"’'»›)\]」』）】]*"
    # a narrow terminal counts only before a space and something other than a lower-case ASCII letter
    r"|[.!?…;؟।]+[”\"’'»›)\]」』）】]*(?=[ \t\u00a0\u3000]+[“\"‘'«‹„(¿¡\[「『（【]*(?![a-z]))"
    r"|\n+"
)
_WIDE = frozenset("。！？．")
_OPENERS = frozenset("“\"‘'«‹„(¿¡[「『（【")
_WIDE_CLOSERS = frozenset("」』）】")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
# A word starts with a letter or a digit of any script.
WORD = re.compile(r"[^\W_][\w’'-]*")
# A URL written out: no words of a claim.
_URL = re.compile(r"https?://\S+")
# Scripts written without spaces between words: their characters are counted instead.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


def _starts_sentence(text: str, j: int) -> bool:
    """Whether the text from `j` (after the space) opens a sentence: openers, then no lower-case letter."""
    n = len(text)
    while j < n and text[j] in _OPENERS:
        j += 1
    if j >= n:
        return False
    ch = text[j]
    return ch.isdigit() or ch == "⚡" or (ch.isalpha() and not ch.islower()) or bool(_UNSPACED.match(ch))


def _ends_here(text: str, m: re.Match[str], start: int) -> bool:
    tok = m.group(0)
    after = m.end()
    if tok[0] in _WIDE or any(c in _WIDE for c in tok):
        # 「…。」と述べた: a closing bracket glued to more text is a quotation inside the sentence.
        return not (tok[-1] in _WIDE_CLOSERS and after < len(text) and not text[after].isspace())
    j = after
    while j < len(text) and text[j] in " \t\u00a0\u3000":
        j += 1
    if j == after or not _starts_sentence(text, j):
        return False
    if ";" in tok and not _GREEK.search(text[max(start, m.start() - 3) : m.start()]):
        return False  # a semicolon ends a sentence only as Greek's question mark
    before = text[start:after]
    if before.count("“") > before.count("”") and "”" in text[after : after + 300]:
        return False  # a full stop inside a short quotation
    if tok[0] == ".":
        word = _word_before(text, start, m.start())
        if word and (word.lower() in ABBREVIATIONS or len(word) == 1):
            return False
    return True


def _word_before(text: str, start: int, stop: int) -> str:
    """The run of word characters and dots that `text[stop]` (a full stop) closes, read back to `start`."""
    i = stop
    while i > start and (text[i - 1].isalnum() or text[i - 1] in "_."):
        i -= 1
    return text[i:stop]


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`."""
    spans = []
    start = 0
    for m in _CANDIDATE.finditer(text):
        if m.group(0)[0] == "\n":
            end = m.start()
        elif _ends_here(text, m, start):
            end = m.end()
        else:
            continue
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((offset + start + lead, offset + start + len(piece.rstrip())))
        start = m.end()
    piece = text[start:]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + start + lead, offset + start + len(piece.rstrip())))
    return spans


def words(text: str) -> list[str]:
    """The words of a text; a run of an unspaced script (Chinese, Japanese, Thai) gives its
    character pairs, so that two texts saying the same thing share words in any script."""
    if not has_unspaced(text):
        return WORD.findall(text)
    out: list[str] = []
    for w in WORD.findall(text):
        if _UNSPACED.search(w):
            chars = [c for c in w if c.isalnum()]
            out.extend(a + b for a, b in zip(chars, chars[1:], strict=False))
        else:
            out.append(w)
    return out


def is_claim_text(text: str) -> bool:
    """Enough words to assert something: three words, or six characters of an unspaced script."""
    if "http" in text:
        text = _URL.sub("", text)
    found = WORD.finditer(text)  # three words are enough: the rest of a long sentence is not read
    if next(found, None) and next(found, None) and next(found, None):
        return True
    return len(_UNSPACED.findall(text)) >= 6


def has_unspaced(text: str) -> bool:
    """Whether `text` holds a character of a script written without spaces (`words` cuts those into pairs)."""
    return bool(_UNSPACED.search(text))


def is_unspaced(word: str) -> bool:
    """A word of a script written without spaces (a character pair from `words`)."""
    return bool(_UNSPACED.match(word))
