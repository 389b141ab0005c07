"""Check: does the cited page say what the article says it says, and has it changed since?

Plain strings in, `Check` verdicts out; no network and no database (the stage that reads
captures and records verdicts wires these in):

- `main_text(html)`: the main text of a captured page, by the extractor's own reader;
- `check_quote(quote, page_text)`: verbatim | close | altered | absent | unavailable;
- `check_passage(claim, page_text)`: matched | weak | absent | unavailable (a lexical match);
  `fold(page_text)` and `Sentences.of(page_text)` prepare a page once for many quotes or claims;
- `check_drift(before, after)`: same | cosmetic | edited | replaced | gone | unknown.

Offsets in a verdict index the page text it was given, so `page_text[c.start:c.end] == c.passage`.
"""

from __future__ import annotations

from ..extract.document import BOILERPLATE
from ..extract.html import read_html
from .drift import check_drift
from .normalise import Folded, fold
from .passages import Sentences, check_passage
from .quotes import check_quote
from .verdict import DRIFT_VERDICTS, PASSAGE_VERDICTS, QUOTE_VERDICTS, Check

__all__ = [
    "DRIFT_VERDICTS",
    "PASSAGE_VERDICTS",
    "QUOTE_VERDICTS",
    "Check",
    "Folded",
    "Sentences",
    "check_drift",
    "check_passage",
    "check_quote",
    "fold",
    "main_text",
]


def main_text(html: str, url: str | None = None) -> str:
    """The headline and body text of a page, blocks one blank line apart, promos and taglines left out."""
    doc, _, _ = read_html(html, url)
    text = doc.text
    return "\n\n".join(text[b.start : b.end] for b in doc.blocks if b.kind != BOILERPLATE)
