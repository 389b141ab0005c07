"""Case-insensitive patterns read on lower-cased text: IGNORECASE's answers, several times faster.

An IGNORECASE pattern of many alternatives tries both cases at every position; the same pattern
in lower case, read on the lower-cased text, does not. The two agree for a pattern whose letters
are ASCII on every text without the four characters IGNORECASE folds onto an ASCII letter
(U+0130 "İ", the only character whose lower case is longer, U+0131, U+017F and the Kelvin sign):
a text holding one of them is read with the IGNORECASE pattern itself.
"""

from __future__ import annotations

import re

_FOLDED_ONTO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def lowered(text: str) -> str | None:
    """`text` in lower case, or None when it holds a character that lower-casing and IGNORECASE treat apart."""
    if not text.isascii() and any(c in text for c in _FOLDED_ONTO_ASCII):
        return None
    return text.lower()


def _lower_pattern(pattern: str) -> str:
    """The pattern's letters in lower case; an escape (\\W, \\S, \\B) is kept as written."""
    out = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = not escaped and ch == "\\"
    return "".join(out)


class CaseFree:
    """A pattern compiled with IGNORECASE, searched or matched on lower-cased text where that agrees."""

    __slots__ = ("ignorecase", "_lower")

    def __init__(self, pattern: str) -> None:
        # Group names and inline flags would not survive lower-casing; caseless non-ASCII marks (’ “ —) do.
        if "(?P" in pattern or "(?-" in pattern or any(not c.isascii() and c.lower() != c.upper() for c in pattern):
            raise ValueError(f"not a pattern CaseFree can lower: {pattern!r}")
        self.ignorecase = re.compile(pattern, re.I)
        self._lower = re.compile(_lower_pattern(pattern))

    def search(self, text: str, low: str | None = None) -> bool:
        """Whether the pattern occurs in `text`; `low`, when given, is `lowered(text)` found already."""
        low = low if low is not None else lowered(text)
        return bool(self._lower.search(low) if low is not None else self.ignorecase.search(text))

    def match(self, text: str, low: str | None = None) -> bool:
        """Whether the pattern matches at the start of `text`."""
        low = low if low is not None else lowered(text)
        return bool(self._lower.match(low) if low is not None else self.ignorecase.match(text))
