"""provenance: find what a news article leans on, resolve and archive it, and record the chain.

The map, top to bottom: a module imports only from below it (pyproject.toml's
import-linter contracts hold it, tests/test_layers.py runs them).

    cli, cli_output        options → Settings, one use case, its outcome rendered; log lines, progress
    cli_render             the URL commands', check's and trace's outcomes as lines (use cases' types)
    cli_help               how options are declared and --help reads (metavars, panels, defaults)
    usecases               what each command does: audit, batch, resolve, archive, verify, show, export
    datasette_plugins      Datasette's rendering of chain links, in the report's words (loaded by Datasette)
    report | export | browse    reading recorded runs back: terminal, JSON, Markdown, HTML; PROV; Datasette
    batch                  many articles in one resumable run (driver, writer, pool, feeds, jobs)
    audit                  one article, stage after stage, on a run's context
    check_stage            the check stage: cited pages read back from the WARC files, verdicts recorded
    trace_stage            the trace stage: vague citations → ranked candidate pages, the traced one recorded
    run                    RunContext: settings, database, run row, resolver, archiver, Wayback gate
    trace                  a vague citation → the archived page it means; a pasted tweet → its status URL
    check                  quote, passage and drift verdicts from a page's text (no network, no store)
    archive                WARC captures, Wayback snapshots, sealing files a killed run left open
    resolve                a URL → its hops and its final status (landing: soft-404s)
    fetch_once             each request target fetched once per run: its outcome, retries, the memo
    landing, politeness    what a landing page says; per-host limits, robots.txt, Retry-After
    fetch, netguard        the one HTTP seam; the address guard on every dial
    regrade                recorded claims graded again when what is known of their URLs changed
    store                  every SQL statement: schema and migrations, writes, queries, the batch queue
    extract                citations from an article, then its claims (no network, no database)
    claims                 sentences cut into claims, linked to citations and graded
    sentences              where a sentence ends and what a word is, in any script
    sources, ingest        inputs: files, folders, WARC, zip, URL lists, stdin → documents → Article
    quirks                 shortener hosts and URL rules, as data
    settings, errors       every setting once; the exception tree
    models                 dataclasses and enums every layer speaks (imports nothing of ours)

Extraction never reaches the network or the store; resolution never reaches the
store; nothing below the command line talks to the terminal.
"""

import logging

__version__ = "0.1.0"

logging.getLogger("provenance").addHandler(logging.NullHandler())

__all__ = ["__version__"]
