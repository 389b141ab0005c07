"""The command line: options become Settings, one use case is called, its outcome is rendered.

Only this module prints, and errors become exit codes here alone (`models.exit_code`):
0 done and nothing broken; 1 done with broken references, references that could not
be checked (not under --offline) or unreadable inputs; 2 bad usage or nothing
readable; 130 interrupted. Warnings the library logs go to stderr
(`-v` adds detail and tracebacks, `--log-file` keeps them all).
"""

from __future__ import annotations

import functools
import inspect
import logging
import sys
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import NoReturn, cast

import typer

from . import __version__, ingest, report, usecases
from .errors import NotFound, ProvenanceError
from .export import FORMATS as EXPORT_FORMATS
from .extract import extract as extract_article
from .report import plain
from .settings import Settings, options_markdown

# Option spelling and type for each setting; the help text and the least value come from settings.py.
_OPTION_TYPES: dict[str, tuple[type, tuple[str, ...]]] = {
    "db": (Path, ("--db",)), "offline": (bool, ("--offline",)), "allow_private": (bool, ("--allow-private",)),
    "deadline": (float, ("--deadline",)), "connect_timeout": (float, ("--connect-timeout",)),
    "read_timeout": (float, ("--read-timeout",)), "max_bytes": (int, ("--max-bytes",)),
    "max_hops": (int, ("--max-hops",)), "retries": (int, ("--retries",)), "per_host": (int, ("--per-host",)),
    "min_interval": (float, ("--min-interval",)), "concurrency": (int, ("--concurrency",)),
    "robots": (str, ("--robots",)), "user_agent": (str, ("--user-agent",)),
    "wayback": (bool, ("--wayback/--no-wayback",)), "save": (bool, ("--save",)),
    "archive_dir": (Path, ("--archive-dir",)), "freshness_hours": (float, ("--freshness-hours",)),
}
NETWORK = ("offline", "allow_private", "deadline", "connect_timeout", "read_timeout", "max_bytes", "max_hops",
           "retries", "per_host", "min_interval", "concurrency", "robots", "user_agent", "wayback",
           "archive_dir", "freshness_hours", "save")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to FILE instead of stdout.")


def readme_options() -> str:
    """The option table README.md carries, in the CLI's own spelling."""
    return options_markdown({name: flags[0] for name, (_, flags) in _OPTION_TYPES.items()})


def with_settings(*names: str):
    """Add one CLI option per named setting to a command, and hand it a `Settings` (which checks itself).

    The options' spelling comes from `_OPTION_TYPES`, their help and defaults from settings.py,
    so every command that touches the network takes the same limits with the same words.
    """
    meta = {f.name: f for f in fields(Settings)}

    def decorate(fn):
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.name != "settings"]
        for name in names:
            typ, flags = _OPTION_TYPES[name]
            default, help_text = meta[name].default, meta[name].metadata["help"]
            panel = None if name in ("db", "offline") else "Network and limits"
            annotation: object
            if typ is bool:
                opt, annotation = typer.Option(default, *flags, help=help_text, rich_help_panel=panel), bool
            else:
                shown = "" if default is None else f" (default: {default})"
                opt, annotation = typer.Option(None, *flags, help=help_text + shown, rich_help_panel=panel), typ | None
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=annotation))

        @functools.wraps(fn)
        def wrapper(**kwargs):
            given = {n: kwargs.pop(n) for n in names}
            try:
                settings = Settings(**{n: v for n, v in given.items() if v is not None})
                return fn(settings=settings, **kwargs)
            except ProvenanceError as e:
                fail(str(e))

        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        return wrapper

    return decorate


app = typer.Typer(
    help="Find what a news article leans on, resolve and archive every source, and record a "
         "provenance chain for every claim in SQLite.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"provenance {__version__}")
        raise typer.Exit(0)


class _Line(logging.Formatter):
    """One line per message; the traceback only when asked for (-v)."""

    def __init__(self, tracebacks: bool):
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        line = f"provenance: {record.levelname.lower()}: {record.getMessage()}"
        if self.tracebacks and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _Stderr(logging.StreamHandler):
    """Whatever stderr is now (a test runner swaps it), never a stream closed since."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(verbose: int, log_file: Path | None) -> None:
    """Warnings to stderr by default, info and tracebacks with -v, everything to --log-file."""
    log = logging.getLogger("provenance")
    log.setLevel(logging.DEBUG if verbose > 1 or log_file else logging.INFO if verbose else logging.WARNING)
    for handler in [h for h in log.handlers if not isinstance(h, logging.NullHandler)]:
        log.removeHandler(handler)
        handler.close()
    err = _Stderr()
    err.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    err.setFormatter(_Line(tracebacks=verbose > 0))
    log.addHandler(err)
    if log_file is not None:
        try:
            keep = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as e:
            fail(f"cannot write {log_file}: {e.strerror or e}")
        keep.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(keep)


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                 callback=_version),
    verbose: int = typer.Option(0, "-v", "--verbose", count=True, help="Say more: info, and tracebacks with "
                                "warnings (-vv: debug)."),
    log_file: Path | None = typer.Option(None, "--log-file", help="Also write every log line to FILE."),
):
    """Find what a news article leans on, resolve and archive every source, and record a
    provenance chain for every claim in SQLite."""
    configure_logging(verbose, log_file)


# The default of every command's `settings` parameter: `with_settings` always passes one.
INJECTED = cast(Settings, None)


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr, then exit."""
    typer.echo(f"provenance: {message}", err=True)
    raise typer.Exit(code)


def check_output(output: Path | None) -> None:
    """Refuse an -o whose folder does not exist before any work is done, not after."""
    if output is not None and not output.parent.is_dir():
        fail(f"cannot write {output}: no folder {output.parent}")


def _emit(text: str, output: Path | None) -> None:
    text = text if text.endswith("\n") else text + "\n"
    if not output:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")


def _terminal(output: Path | None = None, width: int = 100) -> tuple[bool, int]:
    """Colour only for a terminal that has not asked for none (NO_COLOR); the terminal's width, or a
    fixed width when the output is piped or written to a file, so that what a script reads does not vary."""
    import os
    import shutil

    if output is not None or not sys.stdout.isatty():
        return False, width
    color = not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return color, max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))


def _urls(urls: list[str]) -> list[str]:
    return [line.strip() for line in sys.stdin if line.strip()] if urls == ["-"] else urls


def main() -> None:
    app()


class ExtractFormat(str, Enum):
    json = "json"


@app.command()
def extract(
    source: str = typer.Argument(..., help="A file (HTML or text), an http(s) URL, or - for stdin."),
    format: ExtractFormat = typer.Option(ExtractFormat.json, "--format", help="Output format."),
    output: Path | None = OUTPUT,
):
    """Print the citations and claims of one article as JSON. No network, no database."""
    import json

    check_output(output)
    try:
        doc = extract_article(ingest.load(source))
    except ProvenanceError as e:
        fail(str(e))
    _emit(json.dumps(doc.to_json(), ensure_ascii=False, indent=2), output)


ResolveFormat = Enum("ResolveFormat", {"table": "table", "json": "json"}, type=str)
AuditFormat = Enum("AuditFormat", {name: name for name in report.FORMATS}, type=str)  # type: ignore[misc]
ExportFormat = Enum("ExportFormat", {name.replace("-", "_"): name for name in EXPORT_FORMATS}, type=str)  # type: ignore[misc]


@app.command()
@with_settings("db", *NETWORK)
def resolve(
    urls: list[str] = typer.Argument(..., help="URLs to resolve, or - to read them from stdin, one a line."),
    format: ResolveFormat = typer.Option("table", "--format", help="table or json."),
    output: Path | None = OUTPUT,
    settings: Settings = INJECTED,
):
    """Follow each URL through every redirect and say where it ends and whether it is alive.

    What it finds is recorded in the database (--db), so later audits reuse it and the claims that
    cite these URLs are graded again.
    """
    check_output(output)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            sys.stderr.write(f"\rresolved {done}/{total}" + ("\n" if done == total else ""))
            sys.stderr.flush()

    outcome = usecases.resolve_urls(settings, _urls(urls), on_progress=progress)
    for u in outcome.not_urls:
        typer.echo(f"provenance: not an http(s) URL: {u}", err=True)
    _emit(plain.render_resolutions(outcome, format.value), output)
    raise typer.Exit(outcome.exit_code())


@app.command()
@with_settings("db", *NETWORK)
def audit(
    sources: list[str] = typer.Argument(..., help="Files (HTML or text), http(s) URLs, or - for stdin."),
    format: AuditFormat = typer.Option("table", "--format", help=f"{', '.join(report.FORMATS)} "
                                       "(html: one page per article)."),
    output: Path | None = typer.Option(
        None, "-o", "--output",
        help="Write the report to FILE instead of stdout (with html and several sources: a folder)."),
    settings: Settings = INJECTED,
):
    """Audit articles: extract every reference, resolve it, record claim → citation → evidence chains.

    Exit 0 when nothing cited is broken, 1 when some citations are dead, could not be checked (no
    network, timeouts; not with --offline) or some inputs were unreadable, 2 when nothing could be read.
    """
    pages_per_article = report.FORMATS[format.value].per_article and len(sources) > 1
    if pages_per_article and output is None:
        fail(f"--format {format.value} writes one page per article: give -o FOLDER for several sources")
    if pages_per_article and output is not None and output.exists() and not output.is_dir():
        fail(f"--format {format.value} writes one page per article: {output} is a file, not a folder")
    if not pages_per_article:
        check_output(output)
    outcome = usecases.audit_sources(settings, sources,
                                     on_failure=lambda source, e: typer.echo(f"provenance: {e}", err=True))
    if not outcome.results:
        raise typer.Exit(outcome.exit_code())
    tried = outcome.tried()
    if tried.no_network:
        typer.echo(f"provenance: no network: {tried.words()}", err=True)
    color, width = _terminal(output)
    pages = report.render_audit(format.value, outcome.db, outcome.results, color=color, width=width)
    if len(pages) == 1 and (output is None or not output.is_dir()):
        _emit(pages[0], output)
    else:
        assert output is not None  # several pages go to a folder, checked above
        try:
            output.mkdir(parents=True, exist_ok=True)
            for result, page in zip(outcome.results, pages, strict=True):
                (output / f"article-{result.article_id}.{format.value}").write_text(page, encoding="utf-8")
        except OSError as e:
            fail(f"cannot write into {output}: {e.strerror or e}")
        typer.echo(f"wrote {len(pages)} pages to {output}/", err=True)
    raise typer.Exit(outcome.exit_code())


def _parse_ident(ident: str, article: bool) -> tuple[int, bool]:
    """`7`, `claim:7` or `article:3` → (number, is_article)."""
    kind, _, number = ident.rpartition(":")
    if kind not in ("", "claim", "article") or not number.isdigit():
        fail(f"{ident!r} is not an id: give a number, claim:N or article:N")
    if kind == "claim" and article:
        fail("claim:N and --article contradict each other")
    return int(number), article or kind == "article"


@app.command()
@with_settings("db")
def show(
    ident: str = typer.Argument(
        ..., metavar="ID", help="A claim id, or an article id with --article; claim:N and article:N work too."
    ),
    article: bool = typer.Option(False, "--article", help="ID is an article: show every claim's chain."),
    output: Path | None = OUTPUT,
    settings: Settings = INJECTED,
):
    """Print a claim's provenance chain step by step: claim → citation → URL → hops → final → saved copies."""
    number, is_article = _parse_ident(ident, article)
    color, width = _terminal(output, 120)
    try:
        text = usecases.show_chains(settings, number, article=is_article, color=color, width=width)
    except NotFound as e:
        fail(str(e), 1)
    _emit(text, output)


@app.command()
@with_settings("db", *NETWORK)
def archive(
    urls: list[str] = typer.Argument(
        ..., help="URLs to resolve and archive, or - to read them from stdin, one a line."),
    settings: Settings = INJECTED,
):
    """Resolve each URL, save every response on the way into WARC files, and find its nearest
    Wayback Machine snapshot; all recorded into the database.

    Exit 0 when nothing is dead, 1 when some URLs are dead or soft-404 or could not be checked (not
    with --offline), 2 on bad usage.
    """
    outcome = usecases.archive_urls(settings, _urls(urls))
    _emit(plain.render_archive(outcome), None)
    raise typer.Exit(outcome.exit_code())


@app.command()
@with_settings("db", "archive_dir")
def verify(
    warcs: list[Path] = typer.Argument(
        None, metavar="WARC", help="WARC files to check (default: every file in the archive directory)."),
    settings: Settings = INJECTED,
):
    """Check WARC files written by provenance: gzip integrity, every record's digests, and every
    `captures` row read back from its file (offset, length, record id, digests).

    Exit 0 when all is whole, 1 when a file or row is damaged or missing, 2 when there is nothing to check.
    """
    outcome = usecases.verify_archive(settings, warcs)
    _emit(plain.render_verify(outcome, settings.db), None)
    raise typer.Exit(outcome.exit_code())


@app.command()
@with_settings("db")
def export(
    format: ExportFormat = typer.Option(
        ..., "--format", help="prov-json (W3C PROV), json (every claim's chain) or csv (the chains view)."
    ),
    output: Path | None = OUTPUT,
    settings: Settings = INJECTED,
):
    """Export the whole database: W3C PROV-JSON, every claim's chain as JSON, or the chains view as CSV."""
    check_output(output)
    if output is None:
        usecases.export_database(settings, format.value, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            usecases.export_database(settings, format.value, out)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")


@app.command()
@with_settings("db")
def browse(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine)."),
    port: int = typer.Option(8001, "--port", help="Port to listen on (0: any free port)."),
    settings: Settings = INJECTED,
):
    """Browse the database in Datasette, every table and column described, with canned queries."""
    from . import browse as browsing

    if not browsing.available():
        fail("browse needs Datasette: pip install 'provenance[browse]'")
    if not Path(settings.db).exists():
        fail(f"{settings.db}: no such database (run provenance audit first, or give --db)")
    typer.echo(f"Serving {settings.db} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    raise typer.Exit(browsing.serve(settings.db, host, port))


@app.command()
@with_settings("db", *NETWORK)
def batch(
    sources: list[str] = typer.Argument(
        ..., help="Folders (recursive), .warc/.warc.gz files, .zip files, files of URLs (one a line), "
                  "article files or URLs, or - for stdin. What each file is comes from its content."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar (there is none when not on a terminal)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="On resume, take every failed item again "
                                      "(failures of the network, not of the input, are retried anyway)."),
    settings: Settings = INJECTED,
):
    """Audit many articles in one resumable run: each distinct URL is resolved once.

    The work queue lives in the database: if the run is killed, the same command picks up where it
    stopped. Exit 0 when nothing cited is broken, 1 when some citations are dead, could not be checked
    (not with --offline) or some inputs were unreadable, 2 when nothing could be read, 130 when
    interrupted (run it again to resume).
    """
    import signal

    def to_interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, to_interrupt)
    _fewer_malloc_arenas()
    if not quiet and sys.stderr.isatty():
        from .cli_progress import batch_with_progress

        summary = batch_with_progress(settings, sources, retry_failed=retry_failed)
    else:
        summary = usecases.run_batch(settings, sources, retry_failed=retry_failed)
    if summary.interrupted:
        typer.echo("provenance: interrupted; run the same command again to resume", err=True)
    _emit(plain.render_batch_summary(summary), None)
    raise typer.Exit(summary.exit_code())


def _fewer_malloc_arenas() -> None:
    """A batch process runs a hundred threads; glibc gives threads up to 8 malloc arenas per core,
    and memory freed in one arena is not reused by another. Two arenas keep the resident size of a
    long run flat (about 10 % less at the peak) at no measurable cost in speed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune
