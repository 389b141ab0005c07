"""The command line: options become Settings, one use case is called, its outcome is rendered.

Only the command line prints (with cli_output), and errors become exit codes here alone:
0 done and nothing broken; 1 done with broken references, references that could not
be checked (not under --offline) or unreadable inputs; 2 bad usage or nothing
readable; 130 interrupted. Warnings the library logs go to stderr
(`-v` adds detail and tracebacks, `--log-file` keeps them all).
"""

from __future__ import annotations

from pathlib import Path

import typer

from . import __version__, cli_output, cli_render, usecases
from .cli_help import INJECTED, App, format_option, output_option, version_option, with_settings
from .cli_output import check_output, failing, finish, read_urls, say_no_network
from .cli_output import emit as _emit
from .errors import NotFound, ProvenanceError
from .settings import Settings, options_markdown

NETWORK = ("offline", "allow_private", "deadline", "connect_timeout", "read_timeout", "max_bytes", "max_hops",
           "retries", "per_host", "min_interval", "concurrency", "robots", "user_agent", "wayback",
           "archive_sources", "archive_dir", "freshness_hours", "save")
RECORDS = "SQLite database to record into (created if missing)."
READS = "SQLite database to read from (written by audit, batch, resolve or archive)."
readme_options = options_markdown  # the option table README.md carries, in the CLI's own spelling

app = App(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.callback()
def root(
    version: bool = version_option(__version__),
    verbose: int = typer.Option(0, "-v", "--verbose", count=True, show_default=False,
                                help="Say more: info, and tracebacks with warnings (-vv: debug)."),
    log_file: Path | None = typer.Option(None, "--log-file", metavar="FILE", help="Also write every log line to FILE."),
):
    """Find what a news article leans on, resolve and archive every source, and record a
    provenance chain for every claim in SQLite."""
    cli_output.configure_logging(verbose, log_file)


def main() -> None:
    """The `provenance` command (cli_output.run turns a bug into one line and exit 1)."""
    cli_output.run(app)


@app.command()
def extract(
    source: str = typer.Argument(..., metavar="SOURCE", help="A file (HTML or text), an http(s) URL, or - for stdin."),
    format: cli_render.ExtractFormat = format_option("json", "The citations and claims as JSON."),
    output: Path | None = output_option(),
):
    """Print the citations and claims of one article as JSON. No network, no database.

    \b
    Examples:
      provenance extract story.html
      curl -s https://example.com/story | provenance extract - -o story.json

    Exit 0 when the article was read, 2 when it could not be.
    """
    check_output(output)
    with failing(ProvenanceError):
        doc = usecases.extract_source(source)
    _emit(cli_render.render_extraction(doc), output)


@app.command()
@with_settings("db", *NETWORK, db=RECORDS + " Later audits reuse what it finds.")
def resolve(
    urls: list[str] = typer.Argument(..., metavar="URL...", help="URLs to resolve, or - to read them from stdin, "
                                     "one a line."),
    format: cli_render.ResolveFormat = format_option("table", "A table, or every hop as JSON."),
    output: Path | None = output_option(),
    settings: Settings = INJECTED,
):
    """Follow each URL through every redirect and say where it ends and whether it is alive.

    \b
    Examples:
      provenance resolve https://t.co/abc
      provenance resolve --format json - < urls.txt

    What it finds is recorded in the database (--db), so later audits reuse it and the claims that
    cite these URLs are graded again. Exit 0 when nothing is dead, 1 when some URLs are dead or
    could not be checked (not with --offline), 2 on bad usage.
    """
    check_output(output)
    outcome = usecases.resolve_urls(settings, read_urls(urls), on_progress=cli_output.count_on_terminal("resolved"))
    say_no_network(outcome.no_network)
    cli_output.say_not_urls(outcome.not_urls)
    finish(cli_render.render_resolutions(outcome, format.value), outcome, output)


@app.command()
@with_settings("db", *NETWORK, "check", "depth", db=RECORDS + " Every claim's chain is recorded into it.")
def audit(
    sources: list[str] = typer.Argument(..., metavar="SOURCE...", help="Files (HTML or text), http(s) URLs, "
                                        "or - for stdin."),
    format: cli_render.AuditFormat = format_option("table", "The report's format (html: one page per article)."),
    output: Path | None = output_option("Write the report to FILE instead of stdout (with html and several "
                                        "sources: a folder)."),
    settings: Settings = INJECTED,
):
    """Audit articles: extract every reference, resolve it, record claim → citation → evidence chains.

    \b
    Examples:
      provenance audit story.html
      provenance audit https://example.com/story --format html -o story.html
      provenance audit story.html --offline          # no network: extraction and claims only

    Exit 0 when nothing cited is broken, 1 when some citations are dead, could not be checked (no
    network, timeouts; not with --offline) or some inputs were unreadable, 2 when nothing could be
    read.
    """
    cli_output.check_report_output(format.value, len(sources), output)
    outcome = usecases.audit_sources(settings, sources, on_failure=cli_output.say_unreadable)
    cli_output.finish_audit(format.value, outcome, output)


@app.command()
@with_settings("db", db=READS)
def show(
    ident: str = typer.Argument(
        ..., metavar="ID", help="A claim id, or an article id with --article; claim:N and article:N work too."
    ),
    article: bool = typer.Option(False, "--article", help="ID is an article: show every claim's chain."),
    output: Path | None = output_option(),
    settings: Settings = INJECTED,
):
    """Print a claim's provenance chain step by step: claim → citation → URL → hops → saved copies.

    \b
    Examples:
      provenance show 7                  # claim 7 (also: show claim:7)
      provenance show 1 --article        # every claim of article 1 (also: show article:1)

    Exit 1 when there is no such claim or article.
    """
    color, width = cli_output.terminal(output, 120)
    with failing(NotFound, code=1):
        text = usecases.show_chains(settings, ident, article=article, color=color, width=width)
    _emit(text, output)


@app.command()
@with_settings("db", *NETWORK, db=RECORDS + " Each capture's file and offset are recorded into it.")
def archive(
    urls: list[str] = typer.Argument(
        ..., metavar="URL...", help="URLs to resolve and archive, or - to read them from stdin, one a line."),
    settings: Settings = INJECTED,
):
    """Resolve each URL, save every response into WARC files, and find its nearest Wayback snapshot.

    \b
    Examples:
      provenance archive https://t.co/abc
      provenance archive --archive-dir warcs/ - < urls.txt

    Every response on the way is saved, and all is recorded into the database.

    Exit 0 when nothing is dead, 1 when some URLs are dead or soft-404 or could not be checked (not
    with --offline), 2 on bad usage.
    """
    outcome = usecases.archive_urls(settings, read_urls(urls))
    say_no_network(outcome.no_network)
    finish(cli_render.render_archive(outcome), outcome)


@app.command()
@with_settings("db", *NETWORK, "depth", db=RECORDS + " Its vague citations' candidates are replaced.")
def trace(
    claim: int | None = typer.Argument(None, metavar="CLAIM", help="Trace the vague citations of one claim."),
    article: int | None = typer.Option(None, "--article", metavar="N", help="Trace one article (by its id)."),
    settings: Settings = INJECTED,
):
    """Trace vague citations from what is recorded: an outlet named without a link, a pasted tweet.

    \b
    Examples:
      provenance trace 7
      provenance trace --article 1 --archive-source http://127.0.0.1:8080/coll

    An outlet's archived pages around the article's date are ranked and checked; a pasted tweet's
    status is looked for under its handle on its day. A candidate page whose text verifies the claim
    is the citation's traced page (the claim becomes `traced`); the rest stay ranked in
    `candidates`. With --depth 2 or more, the pages that verified a claim are followed down to a
    primary source, each hop recorded.

    Exit 0 when every vague citation was traced, 1 when some stay vague (each says why) or only
    ranked, 2 on bad usage.
    """
    with failing(NotFound, code=1):
        outcome = usecases.trace_claims(settings, article=article, claim=claim)
    finish(cli_render.render_traces(outcome), outcome)


@app.command()
@with_settings("db", *NETWORK, db=RECORDS + " Its articles are checked again and their verdicts replaced.")
def check(
    article: int | None = typer.Option(None, "--article", metavar="N", help="Check one article (by its id)."),
    claim: int | None = typer.Option(None, "--claim", metavar="N", help="Check one claim (by its id)."),
    settings: Settings = INJECTED,
):
    """Check again, from what is recorded, whether each cited page says what the article says.

    \b
    Examples:
      provenance check --article 1
      provenance check --claim 7 --offline

    Quote and passage checks read each cited page's text back from the WARC files; drift checks
    compare the snapshot near the article's date with the live capture. No network is needed once
    the pages are there (a snapshot never saved is fetched once, not with --offline).

    Exit 0 when nothing needs a look, 1 when a quote is altered or absent, a claim's words are not
    found, or a source drifted, 2 on bad usage.
    """
    with failing(NotFound, code=1):
        outcome = usecases.check_recorded(settings, article=article, claim=claim)
    finish(cli_render.render_checks(outcome), outcome)


@app.command()
@with_settings("db", "archive_dir", db="SQLite database whose `captures` rows are read back from their files.")
def verify(
    warcs: list[Path] = typer.Argument(
        None, metavar="WARC...", show_default="every file in the archive directory", help="WARC files to check."),
    settings: Settings = INJECTED,
):
    """Check WARC files written by provenance against themselves and against the database.

    \b
    Examples:
      provenance verify
      provenance verify archive/provenance-0001.warc.gz

    It checks gzip integrity, every record's digests, and every `captures` row read back from its
    file (offset, length, record id, digests).

    Exit 0 when all is whole, 1 when a file or row is damaged or missing, 2 when there is nothing to
    check.
    """
    outcome = usecases.verify_archive(settings, warcs)
    finish(cli_render.render_verify(outcome, settings.db), outcome)


@app.command()
@with_settings("db", db=READS)
def export(
    format: cli_render.ExportFormat = format_option(..., "prov-json (W3C PROV), json (every claim's chain) or csv (the "
                                         "chains view)."),
    output: Path | None = output_option(),
    settings: Settings = INJECTED,
):
    """Export the whole database: W3C PROV-JSON, every claim's chain as JSON, or the chains view as CSV.

    \b
    Examples:
      provenance export --format prov-json -o prov.json
      provenance export --format csv --db newsroom.db > chains.csv

    Exit 0 when written, 2 when the database or FILE cannot be used.
    """
    check_output(output)
    cli_output.write_to(output, lambda out: usecases.export_database(settings, format.value, out))


@app.command()
@with_settings("db", db="SQLite database to serve, read-only.")
def browse(
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS",
                             help="Address to listen on (127.0.0.1: this machine)."),
    port: int = typer.Option(8001, "--port", metavar="N", help="Port to listen on (0: any free port)."),
    settings: Settings = INJECTED,
):
    """Browse the database in Datasette, every table and column described, with canned queries.

    \b
    Examples:
      provenance browse
      provenance browse --db newsroom.db --port 8080

    Runs until Ctrl-C; exit 2 when Datasette is missing, the database does not exist or the port is
    taken.
    """
    raise typer.Exit(cli_output.serve_database(settings.db, host, port))


@app.command()
@with_settings("db", *NETWORK, "check", "depth", db=RECORDS + " It also holds the work queue a resumed run reads.")
def batch(
    sources: list[str] = typer.Argument(
        ..., metavar="SOURCE...", help="Folders (recursive), .warc/.warc.gz files, .zip files, files of URLs "
        "(one a line), article files or URLs, or - for stdin. What each file is comes from its content."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar (there is none when not on a terminal)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="On resume, take every failed item again "
                                      "(failures of the network, not of the input, are retried anyway)."),
    cluster: str | None = typer.Option(None, "--cluster", metavar="local|ADDRESS",
                                       help="Extract and resolve on a Dask cluster: 'local' starts one on this "
                                       "machine, tcp://HOST:8786 joins a running scheduler (needs the cluster "
                                       "extra: pip install 'provenance-audit\\[cluster]')."),
    settings: Settings = INJECTED,
):
    """Audit many articles in one resumable run: each distinct URL is resolved once.

    \b
    Examples:
      provenance batch saved-pages/ --db newsroom.db
      provenance batch crawl.warc.gz urls.txt --concurrency 64

    The work queue lives in the database: if the run is killed, the same command picks up where it
    stopped. Exit 0 when nothing cited is broken, 1 when some citations are dead, could not be
    checked (not with --offline) or some inputs were unreadable, 2 when nothing could be read, 130
    when interrupted (run it again to resume).
    """
    cli_output.finish_batch(cli_output.run_batch_here(settings, sources, quiet=quiet, cluster=cluster,
                                                      retry_failed=retry_failed))
