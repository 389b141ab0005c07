"""What one check found: the shape of a row of the `checks` table, before it is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

QUOTE_VERDICTS = ("verbatim", "close", "altered", "absent", "unavailable")
PASSAGE_VERDICTS = ("matched", "weak", "absent", "unavailable")
DRIFT_VERDICTS = ("same", "cosmetic", "edited", "replaced", "gone", "unknown")


@dataclass
class Check:
    """One verdict, with the evidence a reader needs to find it again.

    `start`/`end` index the page text the check read (for a drift check, the earlier text,
    where the article's words were found), and `before`/`after` are the words around the
    passage there. `differences` pairs what the article says with what the page says where
    they differ (for a drift check: each earlier sentence with what it became, "" where one
    was added or removed); `reasons` names the edits that change meaning (number, negation, name).
    """

    kind: str  # quote | passage | drift
    verdict: str
    score: float = 0.0  # 0-1
    passage: str | None = None
    start: int | None = None
    end: int | None = None
    before: str = ""
    after: str = ""
    detail: str = ""
    differences: list[tuple[str, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # drift: sentences added, removed, changed
    cited_changed: bool | None = None  # drift: whether the sentence a check matched is among the changes
    matches: str | None = None  # drift: which version the article's words match (before | after | both | neither)
