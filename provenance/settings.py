"""Every setting, defined once: name, default, help and the least value that makes sense.

The CLI builds its options from these fields (`cli_help.with_settings`: flag, metavar, help
panel, default as shown), the library
reads them from one `Settings` object, which refuses values that make no sense
whoever builds it, and the README's option table is generated from the same
metadata, so the three never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import __version__
from .errors import UsageError

USER_AGENT = f"provenance/{__version__} (source-provenance and link-audit tool)"

# Shortener hosts exist to be hit: unless --per-host/--min-interval are given, they get these.
SHORTENER_PER_HOST = 8
SHORTENER_MIN_INTERVAL = 0.0
DEFAULT_PER_HOST = 2
DEFAULT_MIN_INTERVAL = 0.25


# The help panels options are grouped under; a setting with no panel sits with the command's own options.
NETWORK_LIMITS, POLITENESS, ARCHIVE = "Network limits", "Politeness", "Archive"


def _s(default: Any, help: str, *, least: float | None = None, flag: str | None = None, metavar: str | None = None,
       panel: str | None = None, shown: str | None = None, **extra: Any) -> Any:
    """A setting: its default, its help, the smallest value it makes sense with (numbers), and
    its spelling as a command-line option (`flag`; None when it is not one), with the word for its
    value (`metavar`: SECONDS, N, PATH), the help panel it is listed under and, when the default is
    None, the default in words (`shown`)."""
    return field(default=default, metadata={"help": help, "least": least, "flag": flag, "metavar": metavar,
                                            "panel": panel, "shown": shown, **extra})


@dataclass(frozen=True)
class Settings:
    """The knobs of one run. `None` for per_host/min_interval means "the per-host-kind default"."""

    db: Path = _s(Path("provenance.db"), "SQLite database to record into.", flag="--db", metavar="PATH")
    offline: bool = _s(False, "Make no network request at all; references are recorded as `offline`.",
                       flag="--offline")
    allow_private: bool = _s(
        False, "Allow private, loopback and link-local addresses (for tests and benchmarks on 127.0.0.1).",
        flag="--allow-private", panel=NETWORK_LIMITS)
    deadline: float = _s(30.0, "Total seconds for one attempt of one fetch, body included.",
                         least=0.001, flag="--deadline", metavar="SECONDS", panel=NETWORK_LIMITS)
    connect_timeout: float = _s(10.0, "Seconds to wait for a TCP/TLS connection.",
                                least=0.001, flag="--connect-timeout", metavar="SECONDS", panel=NETWORK_LIMITS)
    read_timeout: float = _s(15.0, "Seconds to wait between bytes of a response.",
                             least=0.001, flag="--read-timeout", metavar="SECONDS", panel=NETWORK_LIMITS)
    max_bytes: int = _s(10_000_000, "Largest response body to read, in bytes (raw and decoded each).",
                        least=1, flag="--max-bytes", metavar="BYTES", panel=NETWORK_LIMITS)
    max_hops: int = _s(10, "Most redirects to follow (HTTP 30x, meta refresh, script) before giving up.",
                       least=0, flag="--max-hops", metavar="N", panel=NETWORK_LIMITS)
    retries: int = _s(2, "Extra attempts for timeouts, connection errors, 408, 429 and 5xx (never 404/410).",
                      least=0, flag="--retries", metavar="N", panel=NETWORK_LIMITS)
    per_host: int | None = _s(None, "Requests in flight per host.", least=1, flag="--per-host", metavar="N",
                              panel=POLITENESS, shown=f"{DEFAULT_PER_HOST}; {SHORTENER_PER_HOST} for shorteners")
    min_interval: float | None = _s(
        None, "Seconds between requests to one host.", least=0, flag="--min-interval", metavar="SECONDS",
        panel=POLITENESS, shown=f"{DEFAULT_MIN_INTERVAL}; {SHORTENER_MIN_INTERVAL:g} for shorteners")
    concurrency: int = _s(32, "Requests in flight in all.", least=1, flag="--concurrency", metavar="N",
                          panel=NETWORK_LIMITS)
    robots: str = _s("obey", "Obey robots.txt, or ignore it.", choices=("obey", "ignore"), flag="--robots",
                     panel=POLITENESS)
    user_agent: str = _s(USER_AGENT, "User-Agent sent with every request.", flag="--user-agent", metavar="TEXT",
                         panel=POLITENESS)
    wayback: bool = _s(True, "Look up Wayback Machine snapshots (`--no-wayback` turns it off).",
                       flag="--wayback/--no-wayback", panel=ARCHIVE)
    check: bool = _s(True, "Check each quote and claim against the text of the page it cites, and each cited page "
                     "against its snapshot near the article's date (`--no-check` turns it off).",
                     flag="--check/--no-check", panel=ARCHIVE)
    archive_sources: tuple[str, ...] = _s(
        ("https://web.archive.org",),
        "An archive to look snapshots up in, by its CDX API, each with its own rate limit (repeat it for several; "
        "the nearest copy wins): the Wayback Machine, a pywb collection (`http://host/coll`), or "
        "`CDX_URL|REPLAY_PREFIX` for another (`CDX_URL|` for an index with no replay, such as OutbackCDX).",
        flag="--archive-source", metavar="URL", panel=ARCHIVE, shown="https://web.archive.org", multiple=True)
    depth: int | None = _s(
        None, "Trace each vague citation (an outlet named without a link, a pasted tweet) to candidate pages in the "
        "archives (one CDX budget across them), around the article's date, and check them (0: no tracing); from 2, "
        "also follow the links near each verified claim's passage down N - 1 more levels to the primary source.",
        least=0, flag="--depth", metavar="N", panel=ARCHIVE, shown="1 for audit, 0 for batch")
    save: bool = _s(False, "Submit pages to the Wayback Machine's Save Page Now (needs SPN keys in the env).",
                    flag="--save", panel=ARCHIVE)
    archive_dir: Path | None = _s(None, "Where WARC files go.", flag="--archive-dir", metavar="DIR", panel=ARCHIVE,
                                  shown="archive/ beside the database")
    freshness_hours: float = _s(24.0, "A URL resolved this recently is not fetched again.",
                                least=0, flag="--freshness-hours", metavar="HOURS", panel=NETWORK_LIMITS)
    warc_size: int = _s(1_000_000_000, "Start a new WARC file once the current one reaches this many bytes.", least=1)
    wayback_interval: float = _s(1.0, "Seconds between requests to the Wayback Machine, across the whole run.", least=0)
    max_retry_after: float = _s(30.0, "Longest Retry-After to wait for; longer ones are `deferred`.", least=0)

    def warc_dir(self) -> Path:
        return self.archive_dir if self.archive_dir is not None else Path(self.db).parent / "archive"

    def __post_init__(self) -> None:
        """Refuse a value no run can work with, in the option's own words, whoever builds the settings."""
        for f in fields(self):
            value, least = getattr(self, f.name), f.metadata["least"]
            if least is not None and value is not None and value < least:
                raise UsageError(f"--{f.name.replace('_', '-')} takes a number of at least {least:g}")
            if f.metadata.get("multiple") and not value:
                raise UsageError(f"{f.metadata['flag']} needs at least one value")
            choices = f.metadata.get("choices")
            if choices and value not in choices:
                raise UsageError(f"--{f.name.replace('_', '-')} takes {' or '.join(choices)}")


def option_words(f: Any) -> tuple[str, str]:
    """How a setting's option is written (`--robots obey|ignore`, `--deadline SECONDS`) and its default in
    words ("" for a flag): the one style of the README's table and of `--help`."""
    choices, metavar = f.metadata.get("choices"), f.metadata["metavar"]
    value = "|".join(choices) if choices else metavar
    spelled = f.metadata["flag"] + (f" {value}" if value else "")
    if f.metadata["shown"] is not None:
        return spelled, f.metadata["shown"]
    return spelled, "" if f.default is None or isinstance(f.default, bool) else str(f.default)


def options_markdown() -> str:
    """The README's option table, from the same metadata the CLI builds its options from."""
    rows = ["| option | default | what it does |", "| --- | --- | --- |"]
    for f in fields(Settings):
        if f.metadata["flag"] is None:
            continue
        spelled, default = option_words(f)
        shown, cell = (f"`{default}`" if default else ""), spelled.replace("|", "\\|")  # a pipe inside a table
        help_text = f.metadata["help"].replace("|", "\\|")  # a pipe inside a table cell, escaped
        rows.append(f"| `{cell}` | {shown} | {help_text} |")
    return "\n".join(rows)
