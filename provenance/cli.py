"""The command line: options become Settings, one use case is called, its outcome is rendered.

Only this module prints, and errors become exit codes here alone (`models.exit_code`):
0 done and nothing broken; 1 done with broken references, references that could not
be checked (not under --offline) or unreadable inputs; 2 bad usage or nothing
readable; 130 interrupted. Warnings the library logs go to stderr
(`-v` adds detail and tracebacks, `--log-file` keeps them all).
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import logging
import sys
import typing
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import NoReturn, cast

import typer

from . import __version__, cli_output, report, usecases
from .errors import NotFound, ProvenanceError
from .export import FORMATS as EXPORT_FORMATS
from .report import plain
from .settings import Settings, options_markdown

NETWORK = ("offline", "allow_private", "deadline", "connect_timeout", "read_timeout", "max_bytes", "max_hops",
           "retries", "per_host", "min_interval", "concurrency", "robots", "user_agent", "wayback",
           "archive_dir", "freshness_hours", "save")
OUTPUT = typer.Option(None, "-o", "--output", help="Write to FILE instead of stdout.")


def readme_options() -> str:
    """The option table README.md carries, in the CLI's own spelling."""
    return options_markdown()


def with_settings(*names: str):
    """Add one CLI option per named setting to a command, and hand it a `Settings` (which checks itself).

    Their spelling, help, defaults and types come from settings.py, so every command that
    touches the network takes the same limits with the same words.
    """
    meta, hints = {f.name: f for f in fields(Settings)}, typing.get_type_hints(Settings)

    def decorate(fn):
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.name != "settings"]
        for name in names:
            typ = next((a for a in typing.get_args(hints[name]) if a is not type(None)), hints[name])
            flags = (meta[name].metadata["flag"],)
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
    try:
        cli_output.configure_logging(verbose, log_file)
    except OSError as e:
        fail(f"cannot write {log_file}: {e.strerror or e}")


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


def _urls(urls: list[str]) -> list[str]:
    return [line.strip() for line in sys.stdin if line.strip()] if urls == ["-"] else urls


def main() -> None:
    """The `provenance` command. A bug is one line and exit 1; its traceback only under -v (and in
    --log-file)."""
    try:
        app()
    except Exception as e:  # noqa: BLE001 - the one place where unexpected errors become an exit code
        logging.getLogger("provenance").debug("unexpected error", exc_info=True)
        if cli_output.VERBOSE[0]:
            raise
        typer.echo(f"provenance: unexpected error: {type(e).__name__}: {e} (run with -v for the traceback)",
                   err=True)
        sys.exit(1)


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
        doc = usecases.extract_source(source)
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
    outcome = usecases.resolve_urls(settings, _urls(urls), on_progress=cli_output.count_on_terminal("resolved"))
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
    color, width = cli_output.terminal(output)
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
    color, width = cli_output.terminal(output, 120)
    try:
        text = usecases.show_chains(settings, ident, article=article, color=color, width=width)
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
        fail("browse needs Datasette: pip install 'provenance-audit[browse]'")
    if not Path(settings.db).exists():
        fail(f"{settings.db}: no such database (run provenance audit first, or give --db)")
    if problem := browsing.listen_problem(host, port):
        fail(problem)
    port = browsing.concrete_port(host, port)
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
    cluster: str | None = typer.Option(None, "--cluster", help="Extract and resolve on a Dask cluster: 'local' starts "
                                "one on this machine, tcp://HOST:8786 joins a running scheduler "
                                "(needs pip install 'provenance-audit[cluster]')."),
    settings: Settings = INJECTED,
):
    """Audit many articles in one resumable run: each distinct URL is resolved once.

    The work queue lives in the database: if the run is killed, the same command picks up where it
    stopped. Exit 0 when nothing cited is broken, 1 when some citations are dead, could not be checked
    (not with --offline) or some inputs were unreadable, 2 when nothing could be read, 130 when
    interrupted (run it again to resume).
    """
    cli_output.stop_on_sigterm()
    cli_output.fewer_malloc_arenas()
    if cluster and importlib.util.find_spec("distributed") is None:
        fail("--cluster needs Dask distributed: pip install 'provenance-audit[cluster]'")
    if not quiet and sys.stderr.isatty():
        summary = cli_output.batch_with_progress(settings, sources, retry_failed=retry_failed, cluster=cluster)
    else:
        summary = usecases.run_batch(settings, sources, retry_failed=retry_failed, cluster=cluster)
    if summary.interrupted:
        typer.echo("provenance: interrupted; run the same command again to resume", err=True)
    _emit(plain.render_batch_summary(summary), None)
    raise typer.Exit(summary.exit_code())
