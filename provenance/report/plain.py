"""Plain lines for the URL commands, `check` and the batch: one line per URL or check, and the batch's summary.

These are what `resolve`, `archive`, `check` and `batch` print; they take the library's
results and return text, so a program gets the same words the terminal shows.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..models import Resolution, Snapshot, Status

if TYPE_CHECKING:
    from ..usecases import ArchiveOutcome, CheckOutcome, ResolveOutcome, VerifyOutcome


def resolution_line(r: Resolution, *, arrow_always: bool = True) -> str:
    final = r.final_url or ""
    moved = f" -> {final}" if arrow_always or (final and final != r.url) else ""
    return (f"{r.status.value:8} {r.http_status or '-':>3} {r.url}{moved}"
            + (f"  ({r.reason})" if r.reason else ""))


def render_resolutions(outcome: ResolveOutcome, fmt: str) -> str:
    """`resolve`'s output: a JSON array (the DESIGN.md contract) or one line per URL, in the order given."""
    if fmt == "json":
        return json.dumps([r.to_json() for r in outcome.results], ensure_ascii=False, indent=1)
    return "\n".join(resolution_line(r) for r in outcome.results)


def snapshot_line(snap: Snapshot) -> str:
    what = snap.snapshot_url or snap.reason or ""
    return f"wayback  {snap.status:8} {what}" + (f"  ({snap.distance_days} days from {snap.target_date})"
                                                if snap.distance_days is not None else "")


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


def render_batch_summary(summary, *, most_failures: int = 20) -> str:
    """The batch's summary over the whole job (a resumed run reports everything the job did)."""
    def line(counts: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"

    out = [f"run {summary.run_id}{' (resumed)' if summary.resumed else ''}: "
           f"{summary.articles} articles audited, {summary.failed} unreadable",
           f"  claims       {line(summary.claims)}",
           f"  citations    {line(summary.citations)}",
           f"  resolutions  {line(summary.resolutions)}",
           f"  links        {summary.links.words()}",
           f"  captures     {summary.captures}"]
    if summary.skipped:
        out.append(f"  not articles {sum(summary.skipped.values())} skipped: {line(summary.skipped)}")
    if summary.resumed and summary.added:
        added = summary.added
        out.append(f"  this run     {added.get('articles', 0)} articles, {added.get('resolutions', 0)} URLs "
                   f"resolved, {added.get('captures', 0)} captures")
    out += [f"  unreadable   {f['source']}: {f['reason']}" for f in summary.failures[:most_failures]]
    if len(summary.failures) > most_failures:
        out.append(f"  … and {len(summary.failures) - most_failures} more (runs.failures has them all)")
    return "\n".join(out)


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
