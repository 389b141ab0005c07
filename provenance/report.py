"""Report: what an audit found, as text people read (terminal, Markdown) or JSON programs read.

Reports are built from `AuditResult`s (just audited) or from the database
(`show`); they return strings and never print. Any text that came from the web
is escaped for where it goes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING

import sqlite_utils

from .errors import NotFound
from .models import ClaimStatus, Kind

if TYPE_CHECKING:
    from .audit import AuditResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str | None, limit: int | None = None) -> str:
    """Text from the web made safe for a terminal: no escape sequences, no control characters."""
    text = _CONTROL.sub("", text or "").replace("\u200b", "")
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def citation_line(result: AuditResult, c) -> str:
    what = {Kind.TWEET: c.handle, Kind.OUTLET: c.outlet, Kind.QUOTE: c.speaker}.get(Kind(c.kind)) or ""
    line = f"[{c.id}] {Kind(c.kind).value:10} {clean(what or c.url or c.text, 70)}"
    res = result.resolutions.get(c.url) if c.url else None
    if res is not None:
        hops = "".join(f" → {h.http_status or h.via}" for h in res.hops)
        final = f" → {clean(res.final_url, 80)}" if res.final_url and res.final_url != c.url else ""
        line += f"\n      {res.status.value}{' (' + res.reason + ')' if res.reason else ''}{hops}{final}"
    return line


def summary(result: AuditResult) -> dict:
    claims = Counter(ClaimStatus(c.status).value for c in result.doc.claims)
    kinds = Counter(Kind(c.kind).value for c in result.doc.citations)
    statuses = Counter(r.status.value for r in result.resolutions.values())
    checked = sum(v for k, v in statuses.items() if k not in ("offline",))
    dead = statuses.get("dead", 0) + statuses.get("soft404", 0)
    return {"claims": dict(claims), "citations": dict(kinds), "resolutions": dict(statuses),
            "dead_link_rate": round(dead / checked, 3) if checked else None}


def render_text(result: AuditResult) -> str:
    doc = result.doc
    s = summary(result)
    out = [f"{clean(doc.title) or result.article.source}", f"source: {result.article.source}"
           + (f"   published: {doc.published}" if doc.published else "") + f"   article #{result.article_id}", ""]
    out.append("Claims")
    for cl in doc.claims:
        refs = ", ".join(f"{link.rule}→[{link.citation}]" for link in cl.citations)
        out.append(f"  #{cl.id:<3} {ClaimStatus(cl.status).value:9} {clean(cl.text, 90)}" + (f"  ({refs})" if refs else ""))
    out += ["", "Citations"]
    out += ["  " + citation_line(result, c) for c in doc.citations] or ["  (none)"]
    claims = s["claims"]
    out += ["", "Summary: " + ", ".join(f"{claims.get(k.value, 0)} {k.value}" for k in ClaimStatus)
            + (f"; dead-link rate {s['dead_link_rate']:.0%}" if s["dead_link_rate"] is not None else "")]
    return "\n".join(out)


def render_json(results: list[AuditResult]) -> str:
    docs = []
    for r in results:
        d = r.doc.to_json()
        d["article_id"] = r.article_id
        d["resolutions"] = [res.to_json() for res in r.resolutions.values()]
        d["summary"] = summary(r)
        docs.append(d)
    return json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2)


def _md(text: str | None) -> str:
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", clean(text))


def render_markdown(result: AuditResult) -> str:
    doc = result.doc
    out = [f"# {_md(doc.title) or _md(result.article.source)}", "", f"Source: `{clean(result.article.source)}`", ""]
    out += ["| # | status | claim | citations |", "|---|---|---|---|"]
    for cl in doc.claims:
        refs = ", ".join(f"{link.rule} [{link.citation}]" for link in cl.citations)
        out.append(f"| {cl.id} | {ClaimStatus(cl.status).value} | {_md(cl.text)} | {refs} |")
    out += ["", "| id | kind | reference | resolution |", "|---|---|---|---|"]
    for c in doc.citations:
        res = result.resolutions.get(c.url) if c.url else None
        ref = _md(c.url or c.outlet or c.handle or c.text)
        how = f"{res.status.value} → {_md(res.final_url)}" if res else ""
        out.append(f"| {c.id} | {Kind(c.kind).value} | {ref} | {how} |")
    return "\n".join(out) + "\n"


def show(db: sqlite_utils.Database, ident: int, *, article: bool = False) -> str:
    """A claim's chains (or every claim's, for an article) as an indented tree, step by step."""
    if article:
        row = db.execute("SELECT id, source, title FROM articles WHERE id = ?", [ident]).fetchone()
        if not row:
            raise NotFound(f"no article {ident}")
        claim_ids = [r[0] for r in db.execute("SELECT id FROM claims WHERE article_id = ? ORDER BY seq", [ident])]
        head = f"article {row[0]}: {clean(row[2]) or clean(row[1])}\n"
        return head + "\n".join(show(db, cid) for cid in claim_ids)
    rows = list(db.query("SELECT * FROM chains WHERE claim_id = ?", [ident]))
    if not rows:
        raise NotFound(f"no claim {ident}")
    lines = []
    for r in rows:
        if r["step_kind"] == "claim":
            lines.append(f"claim {ident} [{r['status']}] {r['kind']}: {clean(r['detail'], 200)}")
            continue
        depth = (r["step"] // 1000)
        indent = "  " * depth
        if r["step_kind"] == "citation":
            conf = f" {r['confidence']:.2f}" if r["confidence"] is not None else ""
            lines.append(f"{indent}└─ {r['kind']} ({r['rule']}{conf}) {clean(r['detail'], 100)}"
                         + (f" {clean(r['url'])}" if r["url"] else ""))
        elif r["step_kind"] == "hop":
            lines.append(f"{indent}   ↪ {r['kind']} {clean(r['detail'], 140)}")
        elif r["step_kind"] == "resolution":
            continue
        else:
            lines.append(f"{indent}   {r['step_kind']}: {clean(r['detail'], 120)}"
                         + (f" {clean(r['url'])}" if r["url"] and r["step_kind"] != "final" else "")
                         + (f" {clean(r['url'])}" if r["step_kind"] == "final" else ""))
    return "\n".join(lines)
