"""The vocabulary every stage speaks: statuses, kinds, rules and verdicts as `StrEnum`s.

Each outcome carries its own predicates (`Status.is_broken`, …) and the words a reader is
shown, so no other module spells a status out or keeps its own copy of a set of them.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What a citation is: the `kind` column everywhere (JSON, database)."""

    LINK = "link"
    SHORT_LINK = "short_link"
    TWEET = "tweet"
    VIDEO = "video"
    OUTLET = "outlet"
    QUOTE = "quote"

    @property
    def is_page(self) -> bool:
        """Whether a citation of this kind points at a specific page (its URL), not just a name."""
        return self in (Kind.LINK, Kind.SHORT_LINK, Kind.TWEET, Kind.VIDEO)


class ClaimKind(StrEnum):
    HEADLINE = "headline"
    DEK = "dek"
    BULLET = "bullet"
    SENTENCE = "sentence"
    QUOTE = "quote"
    POST = "post"

    @property
    def is_summary(self) -> bool:
        return self in (ClaimKind.HEADLINE, ClaimKind.DEK, ClaimKind.BULLET)


class ClaimStatus(StrEnum):
    """How well a claim is sourced, best first (DESIGN.md, "Claims")."""

    VERIFIED = "verified"    # a quote or passage check found the claim's words at a cited source
    TRACED = "traced"        # it was vague, and a candidate page found by tracing verified it
    ARCHIVED = "archived"    # a chain reaches a live page and a saved copy exists
    SOURCED = "sourced"      # a chain reaches a specific page: live, or not (yet) checkable
    VAGUE = "vague"          # only an outlet or a name: no specific page was cited
    BROKEN = "broken"        # every cited page is dead or a soft-404
    DISPUTED = "disputed"    # a quote check found the words at a cited source, but altered
    UNSOURCED = "unsourced"  # no chain at all


class Status(StrEnum):
    """What resolving a URL found (DESIGN.md, "Resolution"), with what each outcome means.

    Only a definitive status says something about the page itself; every other one says
    why it could not be checked this time, is never cached, and never replaces an earlier
    definitive answer.
    """

    ALIVE = "alive"
    DEAD = "dead"
    SOFT404 = "soft404"
    TIMEOUT = "timeout"
    ERROR = "error"
    REFUSED = "refused"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    OFFLINE = "offline"

    @property
    def is_definitive(self) -> bool:
        """The page itself answered: alive, dead or soft-404."""
        return self in (Status.ALIVE, Status.DEAD, Status.SOFT404)

    @property
    def is_broken(self) -> bool:
        """The source is gone: a claim citing only such pages is `broken`."""
        return self in (Status.DEAD, Status.SOFT404)

    @property
    def is_cacheable(self) -> bool:
        """A later run may reuse it within the freshness window; failures are always tried again."""
        return self.is_definitive

    @property
    def is_unchecked(self) -> bool:
        """The page could not be checked (or was not asked, offline): nothing is known of it."""
        return not self.is_definitive

    @classmethod
    def definitive(cls) -> tuple[Status, ...]:
        return tuple(s for s in cls if s.is_definitive)

    @classmethod
    def broken(cls) -> tuple[Status, ...]:
        return tuple(s for s in cls if s.is_broken)


class SnapshotStatus(StrEnum):
    """What an archive look-up found for a URL."""

    FOUND = "found"      # a snapshot exists near the target date
    SAVED = "saved"      # Save Page Now made one
    NONE = "none"        # the archive answered: it holds no copy
    UNKNOWN = "unknown"  # the archive could not be asked (busy, timeout): try again later
    ERROR = "error"      # the archive's answer made no sense
    PENDING = "pending"  # a save was asked for and is not finished

    @property
    def is_archived(self) -> bool:
        """A copy exists: what grading and every report count as archived."""
        return self in (SnapshotStatus.FOUND, SnapshotStatus.SAVED)

    @property
    def is_conclusive(self) -> bool:
        """The archive answered (a copy or none); a look-up within the freshness window is reused."""
        return self in (SnapshotStatus.FOUND, SnapshotStatus.SAVED, SnapshotStatus.NONE)

    @classmethod
    def archived(cls) -> tuple[SnapshotStatus, ...]:
        return tuple(s for s in cls if s.is_archived)


class RunStatus(StrEnum):
    """How a run (one command) ended; `running` until it does."""

    RUNNING = "running"
    DONE = "done"
    PARTIAL = "partial"          # a batch stopped with items left to do
    FAILED = "failed"            # nothing readable
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM: run it again to resume
    KILLED = "killed"            # the process died without finishing the run


class ItemState(StrEnum):
    """A batch item's place in the work queue: pending → working → done, or failed."""

    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_open(self) -> bool:
        return self in (ItemState.PENDING, ItemState.WORKING)


class LinkRule(StrEnum):
    """Why a claim leans on a citation (the `rule` of a claim link), and chain steps below it."""

    INLINE = "inline"
    ACCORDING_TO = "according-to"
    PARAGRAPH_OUTLET = "paragraph-outlet"
    QUOTE_ATTRIBUTION = "quote-attribution"
    EMBEDDED_POST = "embedded-post"
    ANNOUNCED_VIDEO = "announced-video"  # a video right after the sentence that announces it
    SUPPORTS = "supports"
    CONTAINS = "contains"            # chain step: a citation inside the one above (a tweet's t.co link)
    ATTRIBUTED_TO = "attributed-to"  # chain step: the outlet a quotation is attributed to


class FoundBy(StrEnum):
    """How extraction found a citation: the machine code (`found_by`); `words` is what a reader sees."""

    LINK = "link"                            # <a href> in the article's text
    BARE_URL = "bare-url"                    # an address written out in the text
    EMBEDDED_TWEET = "embedded-tweet"        # blockquote.twitter-tweet
    EMBEDDED_POST = "embedded-post"          # another platform's embed (Instagram, TikTok, …)
    POST_LINK = "post-link"                  # a link inside an embedded post
    IFRAME = "iframe"                        # an embedded player (YouTube, Vimeo, X)
    TWEET_RESIDUE = "tweet-residue"          # "— Name (@handle) Month D, YYYY" pasted as text
    WATCH_LINE = "watch-line"                # a "Watch: …" line left where a video was
    ACCORDING_TO = "according-to"            # "according to X", "X reported", "told X"
    PARAGRAPH_OUTLET = "paragraph-outlet"    # a bare domain ending a paragraph
    QUOTE_ATTRIBUTION = "quote-attribution"  # a domain ending a quotation's attribution
    QUOTATION = "quotation"                  # a quotation with its speaker

    @property
    def words(self) -> str:
        return FOUND_WORDS[self]

    def describe(self, cue: str | None = None) -> str:
        """The words for this way of finding a citation; for `according-to`, the cue's own words."""
        if self is FoundBy.ACCORDING_TO and cue in CUE_WORDS:
            return CUE_WORDS[cue]
        return self.words


# What a reader is shown for each way of finding a citation (one table for every format).
FOUND_WORDS: dict[FoundBy, str] = {
    FoundBy.LINK: "link in the text",
    FoundBy.BARE_URL: "URL written in the text",
    FoundBy.EMBEDDED_TWEET: "embedded tweet",
    FoundBy.EMBEDDED_POST: "embedded post",
    FoundBy.POST_LINK: "link in an embedded post",
    FoundBy.IFRAME: "embedded video",
    FoundBy.TWEET_RESIDUE: "pasted tweet text",
    FoundBy.WATCH_LINE: "'Watch …' line",
    FoundBy.ACCORDING_TO: "'according to …'",
    FoundBy.PARAGRAPH_OUTLET: "outlet named at the paragraph's end",
    FoundBy.QUOTE_ATTRIBUTION: "outlet named after a quote",
    FoundBy.QUOTATION: "quotation",
}

# The cue of an `according-to` citation (`cue`): the words around the outlet's name.
CUE_WORDS: dict[str, str] = {
    "according-to": "'according to …'",
    "told": "'told …'",
    "reported-by": "'reported by …'",
    "reported": "'… reported'",
    "inverted": "'“…,” … reported'",
    "via": "'via …'",
    "on-air": "'said on …'",
    "possessive": "'…’s report'",
    "report-of": "'a … report'",
    "dateline": "outlet in the dateline",
    "anaphora": "'the outlet' again",
    "list": "outlet named as a source",
}

# Cues of an `according-to` citation that is less certain: named in a list with a cued
# outlet, or referred back to ("the agency said").
WEAK_CUES = frozenset({"list", "anaphora"})


class HopKind(StrEnum):
    """How the resolver was sent on (`via` of a hop)."""

    HTTP = "http"
    META_REFRESH = "meta-refresh"
    JS = "js"


class CaptureKind(StrEnum):
    """The type of a WARC record written (`record_type` of a capture)."""

    RESPONSE = "response"
    REVISIT = "revisit"
    REQUEST = "request"

    @property
    def is_copy(self) -> bool:
        """A record that keeps the page itself (a revisit points at an identical earlier payload)."""
        return self in (CaptureKind.RESPONSE, CaptureKind.REVISIT)


class CandidateSource(StrEnum):
    """Where tracing found a candidate page for a vague citation (`candidates.source`)."""

    CDX = "cdx"          # the archive's list of the outlet's captures around the article's date
    SITEMAP = "sitemap"  # the outlet's archived news sitemap
    TWEET = "tweet"      # a status under the pasted tweet's handle, on its day


class CheckKind(StrEnum):
    """What a check compared (`kind` of a check)."""

    QUOTE = "quote"      # a quotation's words against the cited page's text
    PASSAGE = "passage"  # a claim that quotes nothing against the page's best passage (a lexical match)
    DRIFT = "drift"      # the page near the article's date against the page now


class CheckAgainst(StrEnum):
    """Which text of the cited page a check read (`against` of a check)."""

    CAPTURE = "capture"    # our own WARC capture of the live page
    SNAPSHOT = "snapshot"  # an archive's snapshot near the article's date (saved as a capture too)
    LIVE = "live"          # drift: the snapshot against the live capture


class Verdict(StrEnum):
    """What a check found (`verdict` of a check); `check/` defines how each is reached."""

    VERBATIM = "verbatim"        # quote: the words stand on the page as quoted
    CLOSE = "close"              # quote: a fuzzy match, the differing words in `detail`
    ALTERED = "altered"          # quote: most words match, but a number, negation or name differs
    MATCHED = "matched"          # passage: a sentence of the page carries the claim's words
    WEAK = "weak"                # passage: the best sentence shares only some of them
    ABSENT = "absent"            # quote/passage: the text was read and the words are not there
    UNAVAILABLE = "unavailable"  # quote/passage: there was no text to read
    SAME = "same"                # drift: the page reads as it did
    COSMETIC = "cosmetic"        # drift: only boilerplate, dates or whitespace differ
    EDITED = "edited"            # drift: sentences added, changed or removed
    REPLACED = "replaced"        # drift: another page stands at the URL now
    GONE = "gone"                # drift: the live page is dead or a soft-404
    UNKNOWN = "unknown"          # drift: one of the two texts could not be read

    @property
    def is_found(self) -> bool:
        """The article's words were found at the source: what makes a claim `verified`."""
        return self in (Verdict.VERBATIM, Verdict.CLOSE, Verdict.MATCHED)

    @property
    def is_drift(self) -> bool:
        """The page is not what the article's author saw: what the drifted-sources query lists."""
        return self in (Verdict.EDITED, Verdict.REPLACED, Verdict.GONE)

    @property
    def is_flagged(self) -> bool:
        """A verdict a reader must look at: words altered or missing, a page that drifted."""
        return self in (Verdict.ALTERED, Verdict.ABSENT) or self.is_drift


class BlockKind(StrEnum):
    """The blocks an article's text is made of. Headings and captions are structure, never claims."""

    HEADLINE = "headline"
    DEK = "dek"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    POST = "post"
    QUOTE = "quote"
    CAPTION = "caption"
    BOILERPLATE = "boilerplate"
