"""What the command line writes: its one-line errors, its output (stdout, -o FILE or a folder),
log lines, the batch's progress bars.

Part of the command line (the library never configures logging or draws): warnings
the library logs come out as one line each, with their traceback only under `-v`.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .batch import Summary, run_batch
from .settings import Settings


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr, then exit."""
    typer.echo(f"provenance: {message}", err=True)
    raise typer.Exit(code)


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


def write_pages(folder: Path, pages: dict[str, str]) -> None:
    """One file per page (name → text) into -o FOLDER, and where they went on stderr."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            (folder / name).write_text(page, encoding="utf-8")
    except OSError as e:
        fail(f"cannot write into {folder}: {e.strerror or e}")
    typer.echo(f"wrote {len(pages)} pages to {folder}/", err=True)


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
        keep = logging.FileHandler(log_file, encoding="utf-8")  # an OSError is the caller's one line
        keep.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(keep)


def stop_on_sigterm() -> None:
    """SIGTERM (a service manager, `timeout`) stops a batch as Ctrl-C does: cleanly, resumable."""
    def to_interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, to_interrupt)


def fewer_malloc_arenas() -> None:
    """A batch process runs a hundred threads; glibc gives threads up to 8 malloc arenas per core,
    and memory freed in one arena is not reused by another. Two arenas keep the resident size of a
    long run flat (about 10 % less at the peak) at no measurable cost in speed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune
