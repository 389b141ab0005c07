"""What a batch tells as it goes (`Progress`, to a callback the CLI draws) and at its end (`Summary`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..models import LinkTally, exit_code


@dataclass
class Progress:
    """Counts so far, handed to `on_progress` as the run goes."""

    found: int = 0  # items taken by this run
    total: int | None = None  # items this run has to do, once the sources are counted (long before all are read)
    skipped: int = 0  # items already done (or being done by another process)
    articles: int = 0  # articles audited
    failed: int = 0  # unreadable inputs
    urls: int = 0  # distinct URLs this run needs
    resolved: int = 0  # of which resolved (or answered from the recent cache)
    captures: int = 0  # WARC records written
    reading_done: bool = False


@dataclass
class Summary:
    """What a batch found, over every article of the job (a resumed run reports the whole job)."""

    run_id: int
    job_id: int
    resumed: bool
    interrupted: bool = False
    articles: int = 0
    failed: int = 0
    claims: dict[str, int] = field(default_factory=dict)  # by status
    citations: dict[str, int] = field(default_factory=dict)  # by kind
    resolutions: dict[str, int] = field(default_factory=dict)  # distinct cited URLs, by what is known
    unchecked: dict[str, int] = field(default_factory=dict)  # those that could not be checked, by reason
    dead_link_rate: float | None = None  # dead + soft-404 over URLs checked definitively
    captures: int = 0  # saved copies (WARC response and revisit records) of the cited URLs
    added: dict[str, int] = field(default_factory=dict)  # what this run itself did: articles, resolutions, captures
    failures: list[dict] = field(default_factory=list)  # {"source", "reason"}
    skipped: dict[str, int] = field(default_factory=dict)  # records and files read that are no article, by why
    offline: bool = False  # an --offline run: nothing was meant to be checked
    tried: LinkTally = field(default_factory=LinkTally)  # this run's own attempts, URL by URL
    network_missing: bool = False  # the resolver found no network (its DNS canary resolved nothing)

    @property
    def no_network(self) -> str | None:
        """The one line to say first when the run found no network, or every URL it tried failed for want of one."""
        return self.tried.words() if self.network_missing or self.tried.no_network else None

    @property
    def links(self) -> LinkTally:
        return LinkTally.of_counts(self.resolutions, self.unchecked)

    @property
    def broken(self) -> int:
        return self.links.broken

    def exit_code(self) -> int:
        """DESIGN.md, "Exit codes" (`models.exit_code`)."""
        return exit_code(readable=self.articles, unreadable=self.failed, broken=self.broken,
                         unchecked=self.links.unchecked, offline=self.offline, interrupted=self.interrupted)

    def counts(self) -> dict:
        out = asdict(self)
        for k in ("run_id", "job_id", "failures", "interrupted", "offline", "tried", "network_missing"):
            out.pop(k)
        return out
