"""The terminal report and `show`'s chain tree, drawn with rich.

Every piece of article or web text goes in as a `rich.text.Text`, never as a
markup string, so `[red]` in a page title is shown as those characters and
not read as a style; `words.clean` has already removed escape sequences. The
result is a string: coloured when the caller says the output is a terminal,
plain otherwise.
"""

from __future__ import annotations

import io
import re

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..models import ClaimStatus, Kind, Status
from .model import ArticleReport, CitationView, ClaimView, Node, Role
from .words import (
    Part,
    archive_parts,
    capture_line,
    check_line,
    check_role,
    clean,
    differences,
    distinct_snapshots,
    hop_line,
    hop_lines,
    rule_words,
    short_url,
    snapshot_line,
    status_words,
    strongest_parts,
    trace_lines,
    where_words,
)

STATUS_STYLE: dict[str, str] = {  # a claim's status (as read back, a string) → its style
    ClaimStatus.VERIFIED: "bold green",
    ClaimStatus.TRACED: "green",
    ClaimStatus.DISPUTED: "bold red",
    ClaimStatus.ARCHIVED: "bold green",
    ClaimStatus.SOURCED: "green",
    ClaimStatus.VAGUE: "yellow",
    ClaimStatus.BROKEN: "bold red",
    ClaimStatus.UNSOURCED: "magenta",
}
ROLE_STYLE = {
    Role.CITATION: "bold",
    Role.URL: "blue",
    Role.FINAL: "blue",
    Role.HOP: "magenta",
    Role.ALIVE: "green",
    Role.BROKEN: "bold red",
    Role.UNCHECKED: "yellow",
    Role.ARCHIVE: "cyan",
    Role.NOTE: "dim",
    Role.CLAIM: "italic",
    Role.FOUND: "bold green",
    Role.FLAGGED: "bold red",
    Role.CHECK: "yellow",
}


# The end of a line made only of spaces and style codes: rich pads every line to the width.
_TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$", re.M)
_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def _unpad(match: re.Match) -> str:
    """The style codes of a line's end without its spaces, so a colour still gets reset."""
    return "".join(_STYLE.findall(match.group(0)))
# Below this width the citations are a list, one block each, rather than a six-column table.
TABLE_WIDTH = 160


def to_string(renderable: RenderableType, *, color: bool = False, width: int = 100) -> str:
    """Render to text; with `color` the ANSI styles a terminal shows, without it plain characters.

    Lines end where their text ends: no padding to the width, so piped text and `-o` files carry no
    trailing spaces.
    """
    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    console.print(renderable)
    return _TRAILING.sub(_unpad, buf.getvalue())


def parts_text(parts: list[Part]) -> Text:
    text = Text()
    for i, part in enumerate(parts):
        if i:
            text.append(" → ", style="dim")
        text.append(part.text, style=ROLE_STYLE.get(part.role, ""))
    return text


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_text(report: ArticleReport) -> Text:
    s = report.summary()
    text = Text(f"{sum(s['claims'].values())} claims: ")
    for i, (status, n) in enumerate(s["claims"].items()):
        text.append(", " if i else "")
        text.append(f"{n} {status}", style=STATUS_STYLE[status] if n else "dim")
    text.append(f". {plural(s['citations'], 'citation')}. ")
    text.append(s["links"], style="bold red" if s["urls_dead"] else "yellow" if s["urls_unchecked"] else "")
    text.append(".")
    return text


def where_found(c: CitationView, citations: dict[int, CitationView]) -> str:
    parent = citations.get(c.parent_id) if c.parent_id else None
    inside = f"in {parent.kind.replace('_', ' ')} {parent.id}" if parent else ""
    return ", ".join(x for x in (where_words(c), inside) if x) or "text"


def resolution_text(c: CitationView, url_limit: int = 50) -> Text:
    if not c.url and c.traced is not None:
        return Text(f"traced → {short_url(c.traced['url'], url_limit)} ({c.traced['verdict']} "
                    f"{c.traced['score'] or 0:.2f})", style="green")
    if not c.url:
        return Text(c.trace_result or "no URL", style="dim")
    ev = c.evidence
    word = status_words(ev, c.url)
    text = Text()
    if ev is not None:
        for h in ev.hops:
            text.append(f"{h['http_status'] or h['via']} → ", style="magenta")
        if ev.final_url and ev.final_url != c.url:
            text.append(f"{short_url(ev.final_url, url_limit)} → ", style="blue")
    text.append(word.text, style=ROLE_STYLE[word.role])
    return text


def reference_text(c: CitationView, url_limit: int = 60) -> str:
    """What the article cited: a URL as a reader scans it, or the name or words of what has no URL."""
    ref = short_url(c.url, url_limit) if c.url else clean(c.label, 60)
    if c.url and c.kind not in (Kind.LINK, Kind.SHORT_LINK) and clean(c.label) != clean(c.url):  # no URL twice
        ref = f"{clean(c.label, 30)} {ref}"
    return ref


def citations_table(report: ArticleReport) -> Table:
    """Wide terminals: one row a citation. Text wraps between words; a URL too long for its cell ends in …"""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True, title_justify="left")
    for name, kw in (
        ("id", {"justify": "right"}),
        ("kind", {}),
        ("where found", {}),
        ("reference", {"overflow": "ellipsis", "ratio": 2}),
        ("resolution", {"overflow": "ellipsis", "ratio": 3}),
        ("archive", {}),
    ):
        table.add_column(name, **kw)
    by_id = {c.id: c for c in report.citations}
    for c in report.citations:
        archive = ", ".join(p.text for p in archive_parts(c.evidence))
        table.add_row(
            str(c.id),
            c.kind.replace("_", " "),
            Text(where_found(c, by_id)),
            Text(reference_text(c)),
            resolution_text(c, 70),
            Text(archive or "-", style="cyan" if archive else "dim"),
        )
    return table


def citations_list(report: ArticleReport, width: int) -> Table:
    """Narrow terminals: one block a citation, its reference and its resolution each on a line of their
    own, so a URL keeps the whole width instead of being chopped into a narrow column; one too long for
    the line is cut after its host with an ellipsis (`show` gives it whole)."""
    room = max(20, width - 6)
    table = Table(box=None, show_header=False, pad_edge=False, expand=False)
    table.add_column("id", justify="right", style="dim")
    table.add_column("citation", overflow="ellipsis")
    by_id = {c.id: c for c in report.citations}
    for c in report.citations:
        body = Text(c.kind.replace("_", " "), style="bold")
        body.append(f" · {where_found(c, by_id)}", style="dim")
        body.append("\n")
        body.append(reference_text(c, room))
        if c.url:
            body.append("\n")
            body.append_text(resolution_text(c, room))
        archive = ", ".join(p.text for p in archive_parts(c.evidence))
        if archive:
            body.append(f"\nsaved: {archive}", style="cyan")
        table.add_row(str(c.id), body)
    return table


def claims_table(report: ArticleReport) -> Table:
    table = Table(box=None, show_header=True, pad_edge=False, expand=False)
    table.add_column("id", justify="right", style="dim")
    table.add_column("status", no_wrap=True)
    table.add_column("claim, and its strongest chain", overflow="ellipsis")
    claims = {c.id: c for c in report.claims}
    for cl in report.claims:
        body = Text(clean(cl.text, 160))
        body.append("\n")
        body.append_text(parts_text(strongest_parts(cl, claims)))
        for k in cl.checks():
            if k.get("passage") and k["kind"] != "drift":
                style = ROLE_STYLE[check_role(k["verdict"])]
                body.append(f"\n{k['kind']} {k['verdict']} {k['score'] or 0:.2f}: ", style=style)
                body.append(f"“{clean(k['passage'], 160)}”", style="italic")
        table.add_row(str(cl.id), status_text(cl.status), body)
    return table


def render_text(report: ArticleReport, *, color: bool = False, width: int = 100) -> str:
    """The audit of one article for a terminal: claims in order, citations, one summary line."""
    head = Text(clean(report.title) or clean(report.source), style="bold")
    meta = Text(
        " · ".join(
            x
            for x in (
                clean(report.source),
                report.published and f"published {report.published}",
                f"article {report.id}",
            )
            if x
        ),
        style="dim",
    )
    parts: list[RenderableType] = [
        head,
        meta,
        Text(""),
        Text("Claims", style="bold underline"),
        claims_table(report),
        Text(""),
        Text("Citations", style="bold underline"),
    ]
    if not report.citations:
        parts.append(Text("  (none found)", style="dim"))
    else:
        parts.append(citations_table(report) if width >= TABLE_WIDTH else citations_list(report, width))
    parts += [
        Text(""),
        summary_text(report),
        Text("Follow a claim to its evidence: provenance show CLAIM_ID", style="dim"),
    ]
    return to_string(Group(*parts), color=color, width=width)


# --- show: one claim's chains as a tree ---------------------------------------------------------------


def _node_label(node: Node) -> Text:
    c = node.citation
    text = Text()
    text.append(f"{c.kind.replace('_', ' ')} {c.id}: ", style="bold")
    text.append(clean(c.label, 100))
    if c.url and c.label != c.url:
        text.append(f" {clean(c.url)}", style="blue")
    conf = f", {node.confidence:.2f}" if node.confidence is not None else ""
    text.append(f"  ({rule_words(node.rule)}{conf})", style="dim")
    return text


def _add_evidence(tree: Tree, c: CitationView) -> None:
    ev = c.evidence
    if not c.url:
        return
    word = status_words(ev, c.url)
    if ev is None or ev.status in (None, Status.OFFLINE):  # never asked: no "resolved", no "checked" time
        tree.add(Text(word.text, style=ROLE_STYLE[word.role]))
    else:
        line = Text("resolved: ")
        line.append(word.text, style=ROLE_STYLE[word.role])
        if ev.checked_at and ev.definitive:
            line.append(f"  checked {clean(ev.checked_at)}", style="dim")
        tree.add(line)
        for h in ev.hops:
            tree.add(Text(f"hop {h['seq']}: {hop_line(h)}", style="magenta"))
        if ev.final_url:
            tree.add(Text(f"final: {clean(ev.final_url)}", style="blue"))
        for cap in ev.captures:
            tree.add(Text(f"capture: {capture_line(cap)}", style="cyan"))
    for snap in distinct_snapshots(ev.snapshots) if ev else []:
        tree.add(Text(f"snapshot: {snapshot_line(snap)}", style="cyan"))
    if ev is not None and ev.drift is not None:
        _add_check(tree, ev.drift)


def _add_check(tree: Tree, k: dict) -> None:
    """A check's verdict, passage and score, and what differs (− the article's or earlier words, + the page's)."""
    branch = tree.add(Text(check_line(k), style=ROLE_STYLE[check_role(k["verdict"])]))
    for was, now in differences(k):
        line = Text()
        if was:
            line.append(f"− {was}", style="red")
        if now:
            line.append(("  " if was else "") + f"+ {now}", style="green")
        branch.add(line)


def _add_node(tree: Tree, node: Node) -> None:
    branch = tree.add(_node_label(node))
    _add_evidence(branch, node.citation)
    for k in node.checks:
        _add_check(branch, k)
    traced = trace_lines(node.citation)
    for line in traced:
        branch.add(Text(line, style="green" if line.startswith("traced") else "yellow"))
    if not node.citation.url and not node.children and not traced:  # say why the chain stops here
        branch.add(Text("no specific page to check", style="dim"))
    for child in node.children:
        _add_node(branch, child)


def claim_tree(claim: ClaimView, claims: dict[int, ClaimView]) -> Tree:
    label = Text()
    label.append(f"claim {claim.id} ", style="bold")
    label.append_text(status_text(claim.status))
    label.append(f" {claim.kind}: ", style="dim")
    label.append(clean(claim.text, 300))
    tree = Tree(label, guide_style="dim")
    for root in claim.chains:
        _add_node(tree, root)
    for other_id, conf in claim.supported_by:
        other = claims.get(other_id)
        if other is None:
            continue
        conf_text = f" ({conf:.2f})" if conf is not None else ""
        sub = tree.add(
            Text(f"supported by claim {other.id}{conf_text}: ", style="italic") + Text(clean(other.text, 120))
        )
        if not claim.chains:  # otherwise the supporters' citations are already above, as `supports`
            for root in other.chains:
                _add_node(sub, root)
    if not claim.chains and not claim.supported_by:
        tree.add(Text("no source given", style="magenta"))
    traced = hop_lines(claim.hops)
    if traced:  # deep tracing: the chain below the cited page, down to the primary source
        branch = tree.add(Text("traced down to the source", style="italic"))
        for line in traced:
            branch.add(Text(line, style="green" if line.startswith("primary source: http") else ""))
    return tree


def render_show(
    report: ArticleReport, claim_id: int | None = None, *, color: bool = False, width: int = 120
) -> str:
    """One claim's chains (or, without `claim_id`, every claim's) step by step, with their evidence."""
    claims = {c.id: c for c in report.claims}
    if claim_id is not None:
        return to_string(claim_tree(claims[claim_id], claims), color=color, width=width)
    head = Text(f"article {report.id}: ", style="bold") + Text(clean(report.title) or clean(report.source))
    body: list[RenderableType] = [head, Text(clean(report.source), style="dim"), Text("")]
    for cl in report.claims:
        body += [claim_tree(cl, claims), Text("")]
    body.append(summary_text(report))
    return to_string(Group(*body), color=color, width=width)
