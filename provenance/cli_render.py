"""What `extract`, `resolve`, `archive`, `verify`, `check` and `trace` print (their use case's outcome
as text), and each command's --format choices.

Part of the command line, above the use cases whose outcomes it reads (the report package sits
below them, so it cannot name their types). The lines per URL and snapshot come from report.plain.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING

from . import report
from .export import FORMATS as EXPORT_FORMATS
from .models import Extraction, Status
from .report.plain import resolution_line, snapshot_line

if TYPE_CHECKING:
    from .usecases import ArchiveOutcome, CheckOutcome, ResolveOutcome, TraceOutcome, VerifyOutcome

# Each command's --format choices: the report and export formats are the ones the library registers.
ResolveFormat = Enum("ResolveFormat", {"table": "table", "json": "json"}, type=str)
ExtractFormat = Enum("ExtractFormat", {"json": "json"}, type=str)
AuditFormat = Enum("AuditFormat", {name: name for name in report.FORMATS}, type=str)  # type: ignore[misc]
ExportFormat = Enum("ExportFormat", {name.replace("-", "_"): name for name in EXPORT_FORMATS}, type=str)  # type: ignore[misc]


def render_extraction(doc: Extraction) -> str:
    """`extract`'s output: the citations and claims as JSON (the DESIGN.md contract)."""
    return json.dumps(doc.to_json(), ensure_ascii=False, indent=2)


def render_resolutions(outcome: ResolveOutcome, fmt: str) -> str:
    """`resolve`'s output: a JSON array (the DESIGN.md contract) or one line per URL, in the order given."""
    if fmt == "json":
        return json.dumps([r.to_json() for r in outcome.results], ensure_ascii=False, indent=1)
    return "\n".join(resolution_line(r) for r in outcome.results)


def render_archive(outcome: ArchiveOutcome) -> str:
    """`archive`'s output: each URL's verdict, the WARC records written for it, its nearest snapshot."""
    lines = []
    for res in outcome.results:
        lines.append(resolution_line(res, arrow_always=False))
        written = outcome.captures.get(res.url, [])
        if not written and res.status in (Status.ALIVE, Status.SOFT404):
            lines.append(f"  warc     already captured within the last {outcome.freshness_hours:g} h")
        for cap in written:
            if cap.record_type != "request":
                lines.append(f"  warc     {cap.record_type:8} {cap.warc_file}@{cap.offset} {cap.url}"
                             + (f"  (truncated: {cap.truncated})" if cap.truncated else ""))
        if res.url in outcome.snapshots:
            lines.append("  " + snapshot_line(outcome.snapshots[res.url]))
    if outcome.warc_files:
        lines.append(f"WARC files in {outcome.warc_dir}: " + ", ".join(outcome.warc_files))
    return "\n".join(lines)


def render_verify(outcome: VerifyOutcome, db) -> str:
    """`verify`'s output: each file whole or damaged with its problems, then the `captures` rows."""
    result, lines = outcome.report, []
    for f in result.files:
        note = "  (still open: being written, or its run stopped before closing it)" if f.open else ""
        lines.append(f"{'ok' if f.ok else 'DAMAGED':8} {f.path}  {f.records} records{note}")
        lines += [f"         {problem}" for problem in f.problems]
    if result.rows_checked is None:
        lines.append(f"(no database at {db}: captures rows not checked)")
    else:
        lines.append(f"{'ok' if not result.row_problems else 'DAMAGED':8} {db}  "
                     f"{result.rows_checked} captures rows read back")
        lines += [f"         {problem}" for problem in result.row_problems]
    return "\n".join(lines)


def render_checks(outcome: CheckOutcome) -> str:
    """`check`'s output: one line per verdict (claim, kind, verdict, score, URL, passage), article by article."""
    lines = []
    for article_id, rows in outcome.checks.items():
        lines.append(f"article {article_id}: {len(rows)} checks")
        for k in rows:
            who = f"claim {k['claim_id']}" if k["claim_id"] is not None else "url"
            passage = f"  \u201c{k['passage'][:120]}\u201d" if k.get("passage") and k["kind"] != "drift" else ""
            detail = f"  ({k['detail'][:120]})" if k.get("detail") else ""
            lines.append(f"  {who:10} {k['kind']:8} {k['verdict']:11} {k['score'] or 0:.2f}  {k['url']}"
                         f"{passage}{detail}")
    flagged = len(outcome.flagged())
    lines.append(f"{flagged} to look at (altered or absent words, drifted sources); "
                 f"{outcome.regraded} claims changed status. Follow one: provenance show CLAIM_ID")
    return "\n".join(lines)


def render_traces(outcome: TraceOutcome) -> str:
    """`trace`'s output: one line per vague citation (what it names, what tracing found), article by article."""
    lines = []
    for article_id, found in outcome.traces.items():
        lines.append(f"article {article_id}: {len(found)} vague citations")
        for t in found:
            lines.append(f"  citation {t.citation_id:<5} {t.kind:7} {t.outlet or '':22} {t.line()}")
        for claim_id, deep in outcome.deeper.get(article_id, {}).items():
            end = deep.primary
            where = f"{end.url} ({end.stop}, depth {end.depth + 1})" if end else "not reached"
            lines.append(f"  claim {claim_id:<8} primary source: {where}; "
                         f"{len(deep.steps)} pages, {deep.fetches} fetched")
    lines.append(f"{len(outcome.traced())} traced; {outcome.regraded} claims changed status."
                 " Follow one: provenance show CLAIM_ID")
    return "\n".join(lines)
