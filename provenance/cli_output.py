"""What the command line writes: its one-line errors, its output (stdout, -o FILE or a folder),
log lines, the batch's progress bars, and how a command ends (its output, then its exit code).

A command in cli.py parses its options, calls one use case and hands the outcome here; the
library's expected errors become one line (`failing`), anything else one line in `run`.

Part of the command line (the library never configures logging or draws): warnings
the library logs come out as one line each, with their traceback only under `-v`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from . import report
from .batch import Summary, run_batch
from .batch.heap import keep_flat
from .report import plain
from .settings import Settings

if TYPE_CHECKING:
    from .usecases import AuditOutcome


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr, then exit."""
    typer.echo(f"provenance: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def failing(*errors: type[Exception], code: int = 2) -> Iterator[None]:
    """An error the library raises on purpose (bad input, no such claim) becomes its one line and `code`."""
    try:
        yield
    except errors as e:
        fail(str(e), code)


class Outcome(Protocol):
    def exit_code(self) -> int: ...


def finish(text: str, outcome: Outcome, output: Path | None = None) -> NoReturn:
    """A use case's rendered outcome written, then its exit code."""
    emit(text, output)
    raise typer.Exit(outcome.exit_code())


def check_output(output: Path | None) -> None:
    """Refuse an -o whose folder does not exist before any work is done, not after."""
    if output is not None and not output.parent.is_dir():
        fail(f"cannot write {output}: no folder {output.parent}")


def emit(text: str, output: Path | None) -> None:
    """The command's result, ending in one newline, on stdout or into -o FILE."""
    text = text if text.endswith("\n") else text + "\n"
    if not output:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")
    typer.echo(f"wrote {output}", err=True)


def say_no_network(line: str | None) -> None:
    """No network is said once, first, on its own line (the use case's outcome knows it)."""
    if line:
        typer.echo(f"provenance: no network: {line}", err=True)


def say_not_urls(given: list[str]) -> None:
    """What was given as a URL and is not one: a line each, and the others still resolved."""
    for u in given:
        typer.echo(f"provenance: not an http(s) URL: {u}", err=True)


def write_pages(folder: Path, pages: dict[str, str]) -> None:
    """One file per page (name → text) into -o FOLDER, and where they went on stderr."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            (folder / name).write_text(page, encoding="utf-8")
    except OSError as e:
        fail(f"cannot write into {folder}: {e.strerror or e}")
    typer.echo(f"wrote {len(pages)} pages to {folder}/", err=True)


def check_report_output(fmt: str, sources: int, output: Path | None) -> None:
    """A report of one page per article for several sources needs -o FOLDER; any other needs -o FILE's folder."""
    if not (report.FORMATS[fmt].per_article and sources > 1):
        check_output(output)
    elif output is None:
        fail(f"--format {fmt} writes one page per article: give -o FOLDER for several sources")
    elif output.exists() and not output.is_dir():
        fail(f"--format {fmt} writes one page per article: {output} is a file, not a folder")


def say_unreadable(source: str, error: Exception) -> None:
    """An input the audit could not read, one line as it happens (the others are still audited)."""
    typer.echo(f"provenance: {error}", err=True)


def finish_audit(fmt: str, outcome: AuditOutcome, output: Path | None) -> NoReturn:
    """The audit's report, when anything was read, then its exit code."""
    if outcome.results:
        say_no_network(outcome.no_network)
        emit_report(fmt, outcome, output)
    raise typer.Exit(outcome.exit_code())


def emit_report(fmt: str, outcome: AuditOutcome, output: Path | None) -> None:
    """An audit's report: one page to stdout or -o FILE, several (one per article) into -o FOLDER."""
    color, width = terminal(output)
    pages = report.render_audit(fmt, outcome.db, outcome.results, color=color, width=width)
    if len(pages) == 1 and (output is None or not output.is_dir()):
        emit(pages[0], output)
        return
    assert output is not None  # several pages go to a folder, checked by check_report_output
    write_pages(output, {f"article-{r.article_id}.{fmt}": page for r, page in zip(outcome.results, pages, strict=True)})


def write_to(output: Path | None, write: Callable[[TextIO], None]) -> None:
    """Let `write` fill stdout, or -o FILE (a file that cannot be written is one line)."""
    if output is None:
        write(sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            write(out)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}")


def read_urls(urls: list[str]) -> list[str]:
    """The URLs given, or with `-` the lines of stdin."""
    return [line.strip() for line in sys.stdin if line.strip()] if urls == ["-"] else urls


def terminal(output: Path | None = None, width: int = 100) -> tuple[bool, int]:
    """Colour only for a terminal that has not asked for none (NO_COLOR); the terminal's width, or a
    fixed width when the output is piped or written to a file, so that what a script reads does not vary."""
    if output is not None or not sys.stdout.isatty():
        return False, width
    color = not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return color, max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))


def count_on_terminal(what: str):
    """A progress callback `(done, total)` that counts on stderr's line, when stderr is a terminal."""
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            sys.stderr.write(f"\r{what} {done}/{total}" + ("\n" if done == total else ""))
            sys.stderr.flush()

    return progress


def run_batch_here(settings: Settings, sources: list[str], *, quiet: bool, cluster: str | None, **kwargs) -> Summary:
    """The batch driven from this process: SIGTERM stops it as Ctrl-C does, and bars show on a terminal unless
    --quiet; --cluster without Dask distributed installed is refused before anything starts."""
    stop_on_sigterm()
    keep_flat()
    if cluster and importlib.util.find_spec("distributed") is None:
        fail("--cluster needs Dask distributed: pip install 'provenance-audit[cluster]'")
    if not quiet and sys.stderr.isatty():
        return batch_with_progress(settings, sources, cluster=cluster, **kwargs)
    return run_batch(settings, sources, cluster=cluster, **kwargs)


def batch_with_progress(settings: Settings, sources: list[str], **kwargs) -> Summary:
    """Run the batch with three bars (articles, URLs, captures), their rates and times."""
    columns = (TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>9}"), TimeElapsedColumn(), TimeRemainingColumn())
    started = time.monotonic()
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        articles = bar.add_task("articles", total=None, rate="")
        urls = bar.add_task("URLs", total=None, rate="")
        captures = bar.add_task("captures", total=None, rate="")

        def update(p):
            elapsed = max(time.monotonic() - started, 1e-6)
            total = p.found if p.reading_done else p.total  # counted ahead of the reading: an ETA from the start
            bar.update(articles, completed=p.articles + p.failed, total=total,
                       rate=f"{p.articles / elapsed:.1f}/s")
            bar.update(urls, completed=p.resolved, total=p.urls if p.reading_done else None,
                       rate=f"{p.resolved / elapsed:.1f}/s")
            bar.update(captures, completed=p.captures, rate="")

        return run_batch(settings, sources, on_progress=update, **kwargs)


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


VERBOSE = [0]  # what -v asked for in this process: the crash handler reads it


def run(app: typer.Typer) -> None:
    """Run the command line. A bug is one line and exit 1; its traceback only under -v (and in --log-file)."""
    try:
        app()
    except Exception as e:  # noqa: BLE001 - the one place where unexpected errors become an exit code
        logging.getLogger("provenance").debug("unexpected error", exc_info=True)
        if VERBOSE[0]:
            raise
        typer.echo(f"provenance: unexpected error: {type(e).__name__}: {e} (run with -v for the traceback)",
                   err=True)
        sys.exit(1)


def configure_logging(verbose: int, log_file: Path | None) -> None:
    """Warnings to stderr by default, info and tracebacks with -v, everything to --log-file."""
    VERBOSE[0] = verbose
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


def finish_batch(summary: Summary) -> NoReturn:
    """The batch's summary, or when it read nothing, why: one line per input that failed; then its exit code."""
    if summary.interrupted:
        typer.echo("provenance: interrupted; run the same command again to resume", err=True)
    say_no_network(summary.no_network)
    if not summary.articles and not summary.interrupted and summary.failures:  # nothing to sum up but why
        for f in summary.failures:
            typer.echo(f"provenance: {f['source']}: {f['reason']}", err=True)
        raise typer.Exit(summary.exit_code())
    finish(plain.render_batch_summary(summary), summary)


def stop_on_sigterm() -> None:
    """SIGTERM (a service manager, `timeout`) stops a batch as Ctrl-C does: cleanly, resumable."""
    def to_interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, to_interrupt)


def serve_database(db, host: str, port: int) -> int:
    """`browse`: Datasette on the database until Ctrl-C; one line and exit 2 when it cannot start."""
    from . import browse as browsing

    if problem := browsing.serve_problem(db, host, port):
        fail(problem)
    port = browsing.concrete_port(host, port)
    typer.echo(f"Serving {db} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    return browsing.serve(db, host, port)
