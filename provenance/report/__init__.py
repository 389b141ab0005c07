"""Report: what an audit found, for people (terminal, Markdown, HTML) and for programs (JSON).

Every format but the audit's JSON is drawn from one `ArticleReport` read back
from the database (`model.load`), so `audit` and `show` agree with each other
and with Datasette. Functions return strings and never print. Any text that
came from an article or the web is cleaned (`words.clean`) and then escaped for
where it goes.

    model.py     the article, its claims, citations, chains and evidence, read from the database
    words.py     the words for each step of a chain, shared by every format
    terminal.py  the rich terminal report and `show`'s tree
    markdown.py  Markdown
    html.py      one self-contained HTML page per article
    plain.py     one line per URL or snapshot, and the batch summary (cli_render.py builds on them)

Audit formats register here (`FORMATS`, by name, as export formats do), so the
CLI offers whatever is registered and a library user renders the same way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlite_utils

from ..models import ClaimStatus, Kind, LinkTally
from .html import render_html
from .markdown import render_markdown
from .model import ArticleReport, article_of_claim, load
from .terminal import render_show, render_text
from .words import clean, strongest_parts

if TYPE_CHECKING:
    from ..models import AuditResult

__all__ = [
    "FORMATS",
    "ArticleReport",
    "Format",
    "clean",
    "load",
    "render_html",
    "render_json",
    "render_audit",
    "render_markdown",
    "render_text",
    "show",
    "summary",
]


def summary(result: AuditResult, report: ArticleReport | None = None) -> dict:
    """Counts for the audit's JSON: claims by status, citations by kind, this run's answers by status,
    and the cited URLs as every other format counts them (from the report, when given)."""
    claims = Counter(ClaimStatus(c.status).value for c in result.doc.claims)
    kinds = Counter(Kind(c.kind).value for c in result.doc.citations)
    statuses = Counter(r.status.value for r in result.resolutions.values())
    links = report.links() if report is not None else LinkTally.of(
        (r.status, r.reason) for r in result.resolutions.values())
    return {
        "claims": dict(claims),
        "citations": dict(kinds),
        "resolutions": dict(statuses),
        "urls": links.urls,
        "urls_checked": links.checked,
        "urls_unchecked": links.unchecked,
        "urls_dead": links.broken,
        "dead_link_rate": links.dead_link_rate,
        "links": links.words(),
    }


def check_json(k: dict) -> dict:
    """One check as the JSON reports carry it: the `checks` row's columns, its evidence spelled out."""
    out = {name: k[name] for name in ("id", "kind", "url", "against", "verdict", "score", "passage", "start", "end",
                                      "detail", "capture_id", "snapshot_id", "checked_at")}
    out.update(k.get("evidence") or {})
    return out


HOP_KEYS = ("depth", "url", "parent_url", "verdict", "score", "stop", "is_primary", "copy_of", "wire", "article_id")


def render_json(results: list[AuditResult], reports: list[ArticleReport] | None = None) -> str:
    """The extraction's JSON (the `extract` contract) with each article's id, resolutions and summary.

    Given the articles' reports too, each claim also gets its database id (what `show` takes), its
    strongest chain as steps: `{"text", "role", "url"}`, and its checks (quote, passage, and the
    drift of the pages it cites).
    """
    docs = []
    for i, r in enumerate(results):
        d = r.doc.to_json()
        d["article_id"] = r.article_id
        d["resolutions"] = [res.to_json() for res in r.resolutions.values()]
        d["summary"] = summary(r, reports[i] if reports is not None else None)
        if reports is not None:
            recorded = {c.seq: c for c in reports[i].claims}
            by_id = {c.id: c for c in reports[i].claims}
            for seq, claim in enumerate(d["claims"], 1):
                view = recorded.get(seq)
                if view is not None:
                    claim["claim_id"] = view.id
                    claim["chain"] = [
                        {"text": p.text, "role": p.role, "url": p.href} for p in strongest_parts(view, by_id)
                    ]
                    claim["checks"] = [check_json(k) for k in view.checks()]
                    if view.hops:  # deep tracing: every page reached, and the path to the primary source
                        claim["trace_of"] = [{k: h[k] for k in HOP_KEYS} for h in view.hops]
                        claim["primary_source"] = next((h["url"] for h in view.hops if h["is_primary"]), None)
            traced = {c.seq: c for c in reports[i].citations}
            for seq, citation in enumerate(d["citations"], 1):
                cited = traced.get(seq)
                if cited is not None and cited.trace_result:
                    citation["trace"] = {"result": cited.trace_result, "candidates": [
                        {k: row[k] for k in ("url", "source", "archive", "timestamp", "rank", "score", "verdict")}
                        for row in cited.candidates]}
        docs.append(d)
    return json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2)


def show(
    db: sqlite_utils.Database, ident: int, *, article: bool = False, color: bool = False, width: int = 120
) -> str:
    """A claim's chains (or every claim's, for an article) as an indented tree, step by step."""
    if article:
        return render_show(load(db, ident), color=color, width=width)
    report = load(db, article_of_claim(db, ident))
    return render_show(report, ident, color=color, width=width)


# --- audit formats, by name --------------------------------------------------------------------------

Render = Callable[["list[AuditResult]", list[ArticleReport], bool, int], list[str]]


@dataclass(frozen=True)
class Format:
    """An audit report format: `render(results, reports, color, width)` gives its pages. A format
    `per_article` gives one page per article (written as files into a folder); others give one."""

    name: str
    render: Render
    per_article: bool = False
    terminal: bool = False  # drawn for a terminal: colour and width matter


FORMATS: dict[str, Format] = {}


def register(name: str, *, per_article: bool = False, terminal: bool = False) -> Callable[[Render], Render]:
    def add(render: Render) -> Render:
        FORMATS[name] = Format(name, render, per_article, terminal)
        return render

    return add


@register("table", terminal=True)
def _table(results, reports, color, width):
    return ["\n\n".join(render_text(r, color=color, width=width) for r in reports)]


@register("json")
def _json(results, reports, color, width):
    return [render_json(results, reports)]


@register("markdown")
def _markdown(results, reports, color, width):
    return ["\n".join(render_markdown(r) for r in reports)]


@register("html", per_article=True)
def _html(results, reports, color, width):
    return [render_html(r) for r in reports]


def render_audit(fmt: str, db: sqlite_utils.Database, results: list[AuditResult], *,
                 color: bool = False, width: int = 100) -> list[str]:
    """An audit's report in the format named `fmt`: its pages, each article read back from `db`."""
    reports = [load(db, r.article_id) for r in results]
    return FORMATS[fmt].render(results, reports, color, width)
