"""Plain lines: one per URL or snapshot, and the batch's summary.

The command line prints these (its renderers of the URL commands' outcomes, provenance/cli_render.py,
build on the two line functions); they take the library's results and return text, so a program gets
the same words the terminal shows.
"""

from __future__ import annotations

from ..models import Resolution, Snapshot


def resolution_line(r: Resolution, *, arrow_always: bool = True) -> str:
    final = r.final_url or ""
    moved = f" -> {final}" if arrow_always or (final and final != r.url) else ""
    return (f"{r.status.value:8} {r.http_status or '-':>3} {r.url}{moved}"
            + (f"  ({r.reason})" if r.reason else ""))


def snapshot_line(snap: Snapshot) -> str:
    what = snap.snapshot_url or snap.reason or ""
    return f"wayback  {snap.status:8} {what}" + (f"  ({snap.distance_days} days from {snap.target_date})"
                                                if snap.distance_days is not None else "")


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
