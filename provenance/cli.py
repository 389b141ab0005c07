"""The command line: options become Settings, stages are wired, errors become exit codes.

Only this module prints. Exit codes: 0 done and nothing broken; 1 done with
broken references or unreadable inputs; 2 bad usage or nothing readable.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from . import __version__, ingest
from .errors import ProvenanceError
from .extract import extract as extract_article

app = typer.Typer(
    help="Find what a news article leans on, resolve and archive every source, and record a "
         "provenance chain for every claim in SQLite.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ExtractFormat(str, Enum):
    json = "json"


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
):
    """Find what a news article leans on, resolve and archive every source, and record a
    provenance chain for every claim in SQLite."""
    if version:
        typer.echo(f"provenance {__version__}")
        raise typer.Exit(0)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr, then exit."""
    typer.echo(f"provenance: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def extract(
    source: str = typer.Argument(..., help="A file (HTML or text), an http(s) URL, or - for stdin."),
    format: ExtractFormat = typer.Option(ExtractFormat.json, "--format", help="Output format."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE instead of stdout."),
):
    """Print the citations and claims of one article as JSON. No network, no database."""
    try:
        article = ingest.load(source)
        doc = extract_article(article)
    except ProvenanceError as e:
        fail(str(e))
    text = json.dumps(doc.to_json(), ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


def main() -> None:
    app()
