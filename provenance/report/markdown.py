"""The audit as Markdown: for pasting into an issue, a wiki or a standards note.

Article and web text is escaped so that it reads as text: no markup, no HTML,
no table cell broken by a `|`. Only http(s) URLs become links, and their
brackets and spaces are percent-encoded so a hostile URL cannot close the link.
"""

from __future__ import annotations

import re

from .model import ArticleReport
from .words import (
    Part,
    archive_parts,
    clean,
    hop_lines,
    is_web_url,
    short_url,
    status_words,
    strongest_parts,
    trace_lines,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()|#!~&])")


def md(text: str | None, limit: int | None = None) -> str:
    """Text made inert in Markdown (and in the HTML a Markdown renderer lets through)."""
    return _SPECIAL.sub(r"\\\1", clean(text, limit))


def link(text: str, url: str | None) -> str:
    if not is_web_url(url):
        return md(text)
    href = (
        clean(url)
        .replace(" ", "%20")
        .replace("(", "%28")
        .replace(")", "%29")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
    )
    return f"[{md(text)}]({href})"


def parts_md(parts: list[Part]) -> str:
    return " → ".join(link(p.text, p.href) if p.href else md(p.text) for p in parts)


def render_markdown(report: ArticleReport) -> str:
    s = report.summary()
    claims = {c.id: c for c in report.claims}
    out = [
        f"# {md(report.title) or md(report.source)}",
        "",
        f"Source: {link(report.source, report.source if is_web_url(report.source) else None)}"
        + (f" · published {md(report.published)}" if report.published else "")
        + f" · article {report.id}",
        "",
    ]
    counts = ", ".join(f"{n} {status}" for status, n in s["claims"].items())
    out += [
        f"**{sum(s['claims'].values())} claims:** {counts}. {md(s['links'])}.",
        "",
        "## Claims",
        "",
        "| # | status | claim | strongest chain |",
        "|---:|---|---|---|",
    ]
    for cl in report.claims:
        read = "".join(f"<br>{md(k['kind'])} {md(k['verdict'])} {k['score'] or 0:.2f}: “{md(k['passage'], 200)}”"
                       for k in cl.checks() if k.get("passage") and k["kind"] != "drift")
        read += "".join(f"<br>{md(line, 240)}" for line in hop_lines(cl.hops))
        out.append(
            f"| {cl.id} | {md(cl.status)} | {md(cl.text, 300)} | {parts_md(strongest_parts(cl, claims))}{read} |"
        )
    out += [
        "",
        "## Citations",
        "",
        "| # | kind | reference | resolution | archive |",
        "|---:|---|---|---|---|",
    ]
    for c in report.citations:
        ref = link(short_url(c.url), c.url) if c.url else md(c.label, 80)
        res = ""
        if c.url:
            res = md(status_words(c.evidence, c.url).text)
            if c.evidence and c.evidence.final_url and c.evidence.final_url != c.url:
                hops = "".join(f" → {h['http_status'] or md(h['via'])}" for h in c.evidence.hops)
                res += f"{hops} → {link(short_url(c.evidence.final_url), c.evidence.final_url)}"
        elif c.trace_result:
            res = "<br>".join(md(line, 240) for line in trace_lines(c))
        archive = ", ".join(link(p.text, p.href) if p.href else md(p.text) for p in archive_parts(c.evidence))
        out.append(f"| {c.id} | {md(c.kind)} | {ref} | {res} | {archive} |")
    return "\n".join(out) + "\n"
