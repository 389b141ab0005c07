"""The batch's progress bars on a terminal (part of the command line: it draws on stderr)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .batch import Summary, run_batch
from .settings import Settings


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
            bar.update(articles, completed=p.articles + p.failed, total=p.found if p.reading_done else None,
                       rate=f"{p.articles / elapsed:.1f}/s")
            bar.update(urls, completed=p.resolved, total=p.urls if p.reading_done else None,
                       rate=f"{p.resolved / elapsed:.1f}/s")
            bar.update(captures, completed=p.captures, rate="")

        return run_batch(settings, sources, on_progress=update, **kwargs)
