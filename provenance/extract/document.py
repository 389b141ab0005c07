"""The article's plain text, built block by block, with every span recorded as it is written.

Both the HTML and the pasted-text readers produce a `Document`: one string (the
`Extraction.text` that offsets point into) and the blocks it is made of
(headline, paragraph, heading, bullet, embedded post, …). Offsets are taken while
the text is written, never searched for afterwards, so repeated phrases cannot
be confused.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import quirks
from ..models import Anchor, Block, BlockKind, Citation, Kind

# Block kinds (the vocabulary lives in models, beside `Block`, so that `claims` needs nothing of extract's).
HEADLINE, DEK, HEADING, PARAGRAPH, BULLET, POST, QUOTE, CAPTION, BOILERPLATE = BlockKind

__all__ = ["Anchor", "Block", "Document", "InlineBuffer"]


class Document:
    """Plain text plus its blocks and the citations found while writing it."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.citations: list[Citation] = []

    @property
    def text(self) -> str:
        if len(self._parts) > 1:  # joined once, then kept: readers ask for it per block
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def add_block(
        self, kind: str, text: str, anchors: Sequence[tuple[int, int, str, str]] = (), citation: int | None = None
    ) -> Block | None:
        """Append one block; `anchors` are (start, end, url, text) relative to `text`."""
        if not text.strip():
            return None
        if self._parts:
            self._parts.append("\n\n")
            self.length += 2
        start = self.length
        self._parts.append(text)
        self.length += len(text)
        block = Block(BlockKind(kind), start, self.length, citation)
        for a_start, a_end, url, a_text in anchors:
            block.anchors.append(Anchor(start + a_start, start + a_end, url, a_text))
        self.blocks.append(block)
        return block

    def cite(self, kind: Kind, text: str, start: int = 0, end: int = 0, **fields) -> Citation:
        """A new citation with the next id; its URL without credentials (`user:pass@`)."""
        if fields.get("url"):
            fields["url"] = quirks.strip_credentials(fields["url"])
        c = Citation(id=len(self.citations) + 1, kind=kind, text=text, start=start, end=end, **fields)
        self.citations.append(c)
        return c


def collapse_spaces(text: str) -> str:
    """Every run of white space as one space, as `re.sub(r"\\s+", " ", text)` writes it, at a fraction
    of its cost: `str.split` cuts at the same characters (`str.isspace`), and the block's text passes here
    piece by piece, tens of thousands of pieces a page."""
    if text.isprintable() and "  " not in text:
        return text  # no white space but single spaces (`isprintable` is False for every other kind)
    words = text.split()
    if not words:
        return " " if text else ""
    joined = " ".join(words)
    if text[0].isspace():
        joined = " " + joined
    if text[-1].isspace():
        joined += " "
    return joined


class InlineBuffer:
    """Collects the running text of one block with whitespace collapsed, keeping anchor offsets right."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.length = 0
        self.anchors: list[tuple[int, int, str, str]] = []

    def add(self, text: str | None) -> None:
        if not text:
            return
        text = collapse_spaces(text)
        if text.startswith(" ") and (self.length == 0 or self.chars[-1].endswith((" ", "\n"))):
            text = text[1:]
        if text:
            self.chars.append(text)
            self.length += len(text)

    def text_since(self, offset: int) -> str:
        """The text written since `offset`, without joining the whole block (anchors are many)."""
        out, pos = [], self.length
        for piece in reversed(self.chars):
            if pos <= offset:
                break
            pos -= len(piece)
            out.append(piece[max(0, offset - pos) :])
        return "".join(reversed(out))

    def newline(self) -> None:
        if self.length and not self.chars[-1].endswith("\n"):
            if self.chars[-1].endswith(" "):
                self.chars[-1] = self.chars[-1][:-1]
                self.length -= 1
            self.chars.append("\n")
            self.length += 1

    def flush(self) -> tuple[str, list[tuple[int, int, str, str]]]:
        """The block's text (trimmed) and its anchors, clamped to the trimmed text; the buffer empties."""
        if not self.chars and not self.anchors:
            return "", []  # nothing written since the last flush: most block ends
        text = "".join(self.chars)
        stripped = text.rstrip()
        lead = len(stripped) - len(stripped.lstrip())
        stripped = stripped.lstrip()
        anchors = []
        for s, e, url, a_text in self.anchors:
            s, e = max(0, s - lead), min(len(stripped), e - lead)
            anchors.append((s, max(s, e), url, a_text))
        self.chars, self.length, self.anchors = [], 0, []
        return stripped, anchors
