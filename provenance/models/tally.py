"""The numbers every summary shows: the URL tally, the dead-link rate and the exit code.

One definition each, so the JSON, terminal, Markdown, HTML and batch summaries of a run agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from provenance.models.vocabulary import Status


def dead_link_rate(broken: int, checked: int) -> float | None:
    """Dead and soft-404 URLs over the URLs checked definitively; None when none was."""
    return round(broken / checked, 4) if checked else None


@dataclass
class LinkTally:
    """Distinct cited URLs by what is known of them: the one source of every summary's URL numbers."""

    urls: int = 0
    checked: int = 0           # definitively: alive, dead or soft-404
    broken: int = 0            # dead or soft-404
    unchecked: int = 0         # could not be checked (no network, timeout, error, refused, robots, …)
    offline: int = 0           # not asked: an --offline run
    never: int = 0             # no resolution recorded at all
    reasons: Counter[str] = field(default_factory=Counter)  # why the unchecked ones could not be

    @classmethod
    def of(cls, statuses: Iterable[tuple[Status | str | None, str | None]]) -> LinkTally:
        """From (status, reason) per distinct URL; a None status: never resolved."""
        t = cls()
        for status, reason in statuses:
            t.urls += 1
            if status is None:
                t.never += 1
                continue
            s = Status(status)
            if s.is_definitive:
                t.checked += 1
                t.broken += s.is_broken
            elif s is Status.OFFLINE:
                t.offline += 1
            else:
                t.unchecked += 1
                t.reasons[reason or s.value] += 1
        return t

    @classmethod
    def of_counts(cls, counts: Mapping[str, int], reasons: Mapping[str, int] | None = None) -> LinkTally:
        """From URLs counted by status (a batch summary's `resolutions`), and the URLs that could not
        be checked counted by reason, when known."""
        t = cls.of((status, None) for status, n in counts.items() for _ in range(n))
        if reasons and sum(reasons.values()) == t.unchecked:
            t.reasons = Counter(reasons)
        return t

    @property
    def dead_link_rate(self) -> float | None:
        return dead_link_rate(self.broken, self.checked)

    @property
    def no_network(self) -> bool:
        """Every URL that was tried failed for want of a network."""
        return bool(self.unchecked) and not self.checked and set(self.reasons) <= NO_NETWORK_REASONS

    def words(self) -> str:
        """'8 URLs: 0 checked, 8 could not be checked (no network: DNS unavailable)'."""
        parts = [f"{self.checked} checked"]
        if self.unchecked:
            said: Counter[str] = Counter()
            for reason, n in self.reasons.items():
                said[REASON_WORDS.get(reason, reason.replace("_", " "))] += n
            why = ", ".join(w if n == self.unchecked else f"{w} {n}" for w, n in said.most_common())
            if self.no_network:
                why = f"no network: {why}"
            parts.append(f"{self.unchecked} could not be checked ({why})")
        if self.offline:
            parts.append(f"{self.offline} not checked (offline run)")
        if self.never:
            parts.append(f"{self.never} not checked yet")
        if self.dead_link_rate is not None:
            parts.append(f"{self.broken} dead: dead-link rate {self.dead_link_rate:.0%}")
        return f"{self.urls} URL{'' if self.urls == 1 else 's'}: " + ", ".join(parts)


# Reasons that say the machine has no network, not that the page is unreachable.
NO_NETWORK_REASONS = frozenset({"dns_unavailable", "network_unreachable", "no_network"})
REASON_WORDS = {
    "dns_unavailable": "DNS unavailable",
    "dns_error": "DNS error",
    "network_unreachable": "network unreachable",
    "no_network": "DNS unavailable",  # the canary found no name resolving; this name was not asked
    "robots": "robots.txt",
    "blocked_address": "private address",
}


def exit_code(*, readable: int, unreadable: int = 0, broken: int = 0, unchecked: int = 0,
              offline: bool = False, interrupted: bool = False) -> int:
    """The exit code of `audit`, `batch`, `resolve` and `archive` (README, "Exit codes").

    130 interrupted; 2 nothing readable; 1 broken references, unreadable inputs, or references
    that could not be checked (unless the run was --offline, which checks nothing on purpose);
    0 otherwise.
    """
    if interrupted:
        return 130
    if not readable:
        return 2
    if broken or unreadable or (unchecked and not offline):
        return 1
    return 0
