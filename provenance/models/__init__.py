"""The data that flows between pipeline stages.

Each stage takes and returns these dataclasses; none of them knows about the
database or the terminal. Outcomes are data (a `Status` on a `Resolution`),
never exceptions, so one dead link never stops an audit.

    vocabulary  the StrEnums (statuses, kinds, rules, verdicts) with their predicates and words
    records     the dataclasses: Article, Citation, Claim, Resolution, Capture, AuditResult, …
    tally       the numbers every summary shows: LinkTally, dead_link_rate, exit_code

Import from here (`from provenance.models import Status`); the parts import only each other.
"""

from provenance.models.records import (
    Anchor,
    Article,
    AuditResult,
    Block,
    Capture,
    Citation,
    Claim,
    ClaimLink,
    Exchange,
    Extraction,
    Hop,
    Resolution,
    Snapshot,
)
from provenance.models.tally import NO_NETWORK_REASONS, REASON_WORDS, LinkTally, dead_link_rate, exit_code
from provenance.models.vocabulary import (
    CUE_WORDS,
    FOUND_WORDS,
    WEAK_CUES,
    BlockKind,
    CandidateSource,
    CaptureKind,
    CheckAgainst,
    CheckKind,
    ClaimKind,
    ClaimStatus,
    FoundBy,
    HopKind,
    ItemState,
    Kind,
    LinkRule,
    RunStatus,
    SnapshotStatus,
    Status,
    Verdict,
)

__all__ = [
    "Kind", "ClaimKind", "ClaimStatus", "Status", "SnapshotStatus", "RunStatus", "ItemState", "LinkRule",
    "FoundBy", "FOUND_WORDS", "CUE_WORDS", "WEAK_CUES", "HopKind", "CaptureKind", "CheckKind", "CheckAgainst",
    "Verdict", "BlockKind", "CandidateSource",
    "Article", "Citation", "ClaimLink", "Claim", "Extraction", "Hop", "Exchange", "Resolution", "Capture",
    "Snapshot", "Block", "Anchor", "AuditResult",
    "LinkTally", "dead_link_rate", "exit_code", "NO_NETWORK_REASONS", "REASON_WORDS",
]
