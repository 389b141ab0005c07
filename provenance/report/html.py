"""The audit as one self-contained HTML page: the article with its claims highlighted by status;
clicking a claim opens its chain down to the evidence.

The page has no external assets and makes no request: its style and script are
inline, and a Content-Security-Policy allows exactly those two blocks (by
hash) and nothing else — no other script, no images, no fetches, no forms. It
must stay inert whatever the article or a fetched page holds, so every piece of
text is escaped, and only http(s) URLs ever become links. Without JavaScript the
page still works: each claim is a link to its chain, shown by `:target`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

from .. import __version__
from ..models import Kind, SnapshotStatus, Status
from .model import ArticleReport, CitationView, ClaimView, Node
from .words import (
    Part,
    archive_parts,
    capture_line,
    check_role,
    clean,
    differences,
    distinct_snapshots,
    hop_line,
    hop_lines,
    is_web_url,
    rule_words,
    short_url,
    snapshot_line,
    snapshot_words,
    status_words,
    strongest_parts,
    trace_lines,
    where_words,
)

STYLE = """
:root{--archived:#1a7f37;--sourced:#2da44e;--vague:#bf8700;--broken:#cf222e;--unsourced:#8250df;
--bg-archived:#dafbe1;--bg-sourced:#e6f6ea;--bg-vague:#fff3c4;--bg-broken:#ffe0e0;--bg-unsourced:#f1e8ff;
--verified:#116329;--bg-verified:#aceebb;--disputed:#a40e26;--bg-disputed:#ffc1c0}
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
header,footer,.citations,.unplaced{padding:0 2rem}
header h1{font-size:1.5rem;margin:1.2rem 0 .3rem}
.meta,.hint,footer{color:#59636e;font-size:.9rem}
.layout{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:2rem;padding:0 2rem}
@media (max-width:900px){.layout{grid-template-columns:1fr}}
.text{white-space:pre-wrap;font-family:Georgia,serif;font-size:1.05rem}
a.claim{color:inherit;text-decoration:none;border-bottom:2px solid;border-radius:2px;padding:0 1px}
a.claim:hover,a.claim:focus,a.claim.selected{outline:2px solid #0969da;outline-offset:1px}
.s-verified{background:var(--bg-verified);border-color:var(--verified)}
.s-traced{background:var(--bg-verified);border-color:var(--verified);border-style:dashed}
.s-disputed{background:var(--bg-disputed);border-color:var(--disputed);border-bottom-style:double}
.s-archived{background:var(--bg-archived);border-color:var(--archived)}
.s-sourced{background:var(--bg-sourced);border-color:var(--sourced)}
.s-vague{background:var(--bg-vague);border-color:var(--vague)}
.s-broken{background:var(--bg-broken);border-color:var(--broken)}
.s-unsourced{background:var(--bg-unsourced);border-color:var(--unsourced);border-bottom-style:dashed}
.chip.none{opacity:.45}
.badge,.chip{display:inline-block;border:1px solid;border-radius:1em;padding:0 .6em;font-size:.85rem;
font-weight:600}
.panel{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:1rem 0}
.chain{display:none;border:1px solid #d1d9e0;border-radius:8px;padding:.2rem 1rem 1rem}
body:not(.js) .chain:target,.chain.open{display:block}
body.has-open .placeholder,.panel:has(.chain:target) .placeholder{display:none}
.chain h2{font-size:1.05rem}
.chain blockquote{margin:.5rem 0;padding-left:.8rem;border-left:3px solid #d1d9e0;font-family:Georgia,serif}
.steps{font-size:.92rem}
.steps .sep{color:#59636e}
ol.tree,ol.tree ol{list-style:none;padding-left:1.1rem;margin:.3rem 0}
ol.tree li{margin:.25rem 0;border-left:2px solid #d1d9e0;padding-left:.6rem}
.rule{color:#59636e;font-size:.85rem}
ul.evidence{margin:.2rem 0 .2rem 1rem;padding:0;font-size:.88rem;color:#333;list-style:square}
.r-alive{color:var(--archived)}.r-broken{color:var(--broken);font-weight:600}.r-unchecked{color:var(--vague)}
.r-hop{color:#8250df}.r-archive{color:#0a6a78}
.r-found{color:var(--verified);font-weight:600}.r-flagged{color:var(--disputed);font-weight:600}.r-check{color:var(--vague)}
.check q{font-family:Georgia,serif}.check mark{background:var(--bg-disputed)}
.check del{background:var(--bg-disputed)}.check ins{background:var(--bg-verified);text-decoration:none}
code,.url{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
table{border-collapse:collapse;font-size:.9rem;width:100%}
th,td{border-bottom:1px solid #d1d9e0;text-align:left;padding:.3rem .5rem;vertical-align:top}
th{background:#f6f8fa}
""".strip()

SCRIPT = """
(function () {
  var current = null;
  function open(id, remember) {
    var section = document.getElementById("claim-" + id);
    if (!section) return;
    if (current) {
      current.section.classList.remove("open");
      current.links.forEach(function (a) { a.classList.remove("selected"); });
    }
    var links = Array.prototype.slice.call(document.querySelectorAll('a.claim[data-claim="' + id + '"]'));
    section.classList.add("open");
    links.forEach(function (a) { a.classList.add("selected"); });
    current = {section: section, links: links};
    document.body.classList.add("has-open");
    if (remember) history.replaceState(null, "", "#claim-" + id);
  }
  document.addEventListener("click", function (event) {
    var a = event.target.closest('a[href^="#claim-"]');
    if (!a) return;
    event.preventDefault();
    open(a.getAttribute("href").slice(7), true);
  });
  document.body.classList.add("js");
  var m = /^#claim-(\\d+)$/.exec(location.hash);
  if (m) open(m[1], false);
  document.body.setAttribute("data-ready", "1");
})();
""".strip()


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Nothing may load or run but the two inline blocks above.
CSP = (
    f"default-src 'none'; style-src {_sha256(STYLE)}; script-src {_sha256(SCRIPT)}; img-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

_CONTROL_KEEP_NEWLINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069]")


def esc(text: str | None, limit: int | None = None) -> str:
    """Cleaned, one-line text escaped for HTML text and attribute values alike."""
    return html.escape(clean(text, limit), quote=True)


def url_html(url: str | None, text: str | None = None) -> str:
    """A URL: a link only when it is http(s), else inert text. Either way escaped."""
    label = esc(text if text is not None else url)
    if not is_web_url(url):
        return f'<span class="url">{label}</span>'
    return f'<a class="url" href="{esc(url)}" rel="noopener noreferrer nofollow" target="_blank">{label}</a>'


def parts_html(parts: list[Part]) -> str:
    out = []
    for p in parts:
        inner = url_html(p.href, p.text) if p.href else esc(p.text)
        out.append(f'<span class="r-{p.role}">{inner}</span>')
    return '<span class="sep"> → </span>'.join(out)


def _placed(
    report: ArticleReport, also_cut: tuple[int, ...] = ()
) -> tuple[list[tuple[int, int, ClaimView | None]], set[int]]:
    """Cut the article text into runs, each covered by at most one claim (the innermost), and say which
    claims got a run. Claims may overlap (a quotation inside a sentence); links may not nest. `also_cut`
    adds cuts of the caller's own (where the headline ends)."""
    n = len(report.text)
    spans = [
        (c.start, c.end, c)
        for c in report.claims
        if isinstance(c.start, int) and isinstance(c.end, int) and 0 <= c.start < c.end <= n
    ]
    cuts = sorted({0, n, *(s for s, _, _ in spans), *(e for _, e, _ in spans), *(x for x in also_cut if 0 < x < n)})
    runs: list[tuple[int, int, ClaimView | None]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [(s, e, c) for s, e, c in spans if s <= a and b <= e]
        owner = min(covering, key=lambda x: (x[1] - x[0], x[2].seq))[2] if covering else None
        if runs and runs[-1][2] is owner and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b, owner)
        else:
            runs.append((a, b, owner))
    return runs, {c.id for _, _, c in runs if c is not None}


def _headline_end(report: ArticleReport, title: str) -> int:
    """Where the headline ends when the article's first line is the headline (HTML articles), else 0."""
    lead = len(report.text) - len(report.text.lstrip())
    first = report.text[lead:].split("\n", 1)[0]
    return lead + len(first) if title and clean(first) == title else 0


def _text_html(report: ArticleReport, runs, seen: set[int]) -> str:
    """The text of `runs`, each claim a link to its chain. Paragraphs are one blank line apart, however
    many line breaks the source put between them (a pasted text one, an HTML page's text two)."""
    out = []
    for a, b, claim in runs:
        chunk = html.escape(_CONTROL_KEEP_NEWLINES.sub("", report.text[a:b]), quote=True)
        if claim is None:
            out.append(re.sub(r"[ \t]*\n\s*", "\n\n", chunk))
            continue
        anchor = "" if claim.id in seen else f' id="t-{claim.id}"'
        seen.add(claim.id)
        out.append(
            f'<a class="claim s-{esc(claim.status)}"{anchor} href="#claim-{claim.id}" '
            f'data-claim="{claim.id}" '
            f'title="claim {claim.id}: {esc(claim.status)}">{chunk}</a>'
        )
    return "".join(out)


def _evidence_html(c: CitationView) -> str:
    ev = c.evidence
    if not c.url:
        return ""
    word = status_words(ev, c.url)
    items = []
    if ev is None or ev.status in (None, Status.OFFLINE):  # never asked: no "resolved", no "checked" time
        items.append(f'<li class="r-{word.role}">{esc(word.text)}</li>')
    else:
        when = f' <span class="rule">checked {esc(ev.checked_at)}</span>' if ev.checked_at and ev.definitive else ""
        items.append(f'<li>resolved: <span class="r-{word.role}">{esc(word.text)}</span>{when}</li>')
        items += [
            f'<li class="r-hop">hop {h["seq"]}: <span class="url">{esc(hop_line(h))}</span></li>'
            for h in ev.hops
        ]
        if ev.final_url:
            items.append(f"<li>final URL: {url_html(ev.final_url)}</li>")
        items += [
            f'<li class="r-archive">saved copy: <code>{esc(capture_line(cap))}</code></li>'
            for cap in ev.captures
        ]
    for s in distinct_snapshots(ev.snapshots) if ev else []:
        if SnapshotStatus(s["status"]).is_archived:
            items.append(
                f'<li class="r-archive">Wayback: {esc(snapshot_words(s))}: {url_html(s["snapshot_url"])}</li>'
            )
        else:
            items.append(f'<li class="r-archive">Wayback: {esc(snapshot_line(s))}</li>')
    if ev is not None and ev.drift is not None:
        items.append(check_html(ev.drift))
    return '<ul class="evidence">' + "".join(items) + "</ul>"


def _marked(passage: str, words: list[str]) -> str:
    """The passage escaped, with the page's words that differ from the article's marked."""
    out = esc(passage)
    for w in sorted({w for w in words if w}, key=len, reverse=True):
        out = re.sub(rf"(?<![\w>]){re.escape(esc(w))}(?![\w<])", lambda m: f"<mark>{m.group(0)}</mark>", out)
    return out


def check_html(k: dict) -> str:
    """A check as a list item: verdict, score and what was read; the passage with what differs marked;
    for a drift, the sentences removed and added."""
    role = check_role(k["verdict"])
    pairs = differences(k, 5)
    if k["kind"] == "drift":
        head = (f'drift: <span class="r-{role}">{esc(k["verdict"])}</span> ({k["score"] or 0:.2f}), '
                "the snapshot near the article's date against now")
        body = "".join(f"<li>{f'<del>{esc(a)}</del> ' if a else ''}{f'<ins>{esc(b)}</ins>' if b else ''}</li>"
                       for a, b in pairs)
    else:
        head = (f'{esc(k["kind"])} check: <span class="r-{role}">{esc(k["verdict"])}</span> '
                f'({k["score"] or 0:.2f}) in the {esc(k["against"])}')
        if k.get("passage"):
            head += f' at {k["start"]}–{k["end"]}: <q>{_marked(k["passage"], [b for _, b in pairs])}</q>'
        body = "".join(f"<li>the article says <del>{esc(a) or '∅'}</del>, the page <ins>{esc(b) or '∅'}</ins></li>"
                       for a, b in pairs)
    detail = f' <span class="rule">{esc(k["detail"])}</span>' if k.get("detail") else ""
    return f'<li class="check">{head}{detail}' + (f"<ul>{body}</ul>" if body else "") + "</li>"


def _node_html(node: Node) -> str:
    c = node.citation
    conf = f", {node.confidence:.2f}" if node.confidence is not None else ""
    head = f"<strong>{esc(c.kind.replace('_', ' '))} {c.id}</strong> {esc(c.label, 120)}"
    if c.url and c.label != c.url:
        head += f" {url_html(c.url)}"
    head += f' <span class="rule" title="rule: {esc(node.rule)}">({esc(rule_words(node.rule))}{esc(conf)})</span>'
    body = _evidence_html(c)
    if node.checks:
        body += '<ul class="evidence">' + "".join(check_html(k) for k in node.checks) + "</ul>"
    traced = trace_lines(c)
    if traced:
        body += '<ul class="evidence">' + "".join(
            f'<li class="r-{"found" if line.startswith("traced") else "unchecked"}">{esc(line)}</li>'
            for line in traced) + "</ul>"
    if not c.url and not node.children and not traced:
        body = '<ul class="evidence"><li class="r-unchecked">no specific page to check</li></ul>'
    kids = "<ol>" + "".join(_node_html(k) for k in node.children) + "</ol>" if node.children else ""
    return f"<li>{head}{body}{kids}</li>"


def _claim_section(claim: ClaimView, claims: dict[int, ClaimView], placed: bool) -> str:
    tree = "".join(_node_html(n) for n in claim.chains)
    supported = "".join(
        f'<li>supported by <a href="#claim-{o}">claim {o}</a>'
        f"{esc(f' ({conf:.2f})') if conf is not None else ''}: {esc(claims[o].text, 140)}</li>"
        for o, conf in claim.supported_by
        if o in claims
    )
    back = f'<p><a href="#t-{claim.id}">back to the claim in the text</a></p>' if placed else ""
    back += f'<p class="rule">In a terminal: <code>provenance show {claim.id}</code></p>'
    return (
        f'<section class="chain" id="claim-{claim.id}">'
        f'<h2><span class="badge s-{esc(claim.status)}">{esc(claim.status)}</span> '
        f'Claim {claim.id} <span class="rule">{esc(claim.kind)}</span></h2>'
        f"<blockquote>{esc(claim.text)}</blockquote>"
        f'<p class="steps">{parts_html(strongest_parts(claim, claims))}</p>'
        + (f'<ol class="tree">{tree}</ol>' if tree else "")
        + (f'<ul class="evidence">{supported}</ul>' if supported else "")
        + _hops_html(claim)
        + back
        + "</section>"
    )


def _hops_html(claim: ClaimView) -> str:
    """The chain below the cited page, page by page down to the primary source (deep tracing)."""
    lines = hop_lines(claim.hops)
    if not lines:
        return ""
    items = "".join(f'<li class="r-{"found" if line.startswith("primary source: http") else "hop"}">{esc(line)}</li>'
                    for line in lines)
    return f'<p class="rule">traced down to the source</p><ol class="evidence trace">{items}</ol>'


def _citations_html(report: ArticleReport) -> str:
    rows = []
    for c in report.citations:
        ref = url_html(c.url, short_url(c.url, 70)) if c.url else esc(c.label, 90)
        if c.url and c.kind not in (Kind.LINK, Kind.SHORT_LINK) and clean(c.label) != clean(c.url):
            ref = f"{esc(c.label, 40)} {ref}"
        word = status_words(c.evidence, c.url)
        steps = []
        if c.evidence:
            steps += [
                f'<span class="r-hop">{esc(str(h["http_status"] or h["via"]))}</span>'
                for h in c.evidence.hops
            ]
            if c.evidence.final_url and c.evidence.final_url != c.url:
                steps.append(url_html(c.evidence.final_url, short_url(c.evidence.final_url, 60)))
        if not c.url and c.traced is not None:
            steps.append(f'traced → {url_html(c.traced["url"], short_url(c.traced["url"], 60))} '
                         f'<span class="r-found">{esc(c.traced["verdict"])} {c.traced["score"] or 0:.2f}</span>')
        elif not c.url and c.trace_result:
            steps.append(f'<span class="r-unchecked">{esc(c.trace_result)}</span>')
        else:
            steps.append(f'<span class="r-{word.role}">{esc(word.text)}</span>')
        res = " → ".join(steps)
        archive = ", ".join(
            url_html(p.href, p.text) if p.href else esc(p.text) for p in archive_parts(c.evidence)
        )
        rows.append(
            f"<tr><td>{c.id}</td><td>{esc(c.kind.replace('_', ' '))}</td>"
            f'<td title="{esc(c.found_by or c.found_in)}">{esc(where_words(c))}</td>'
            f"<td>{ref}</td><td>{res}</td><td>{archive}</td></tr>"
        )
    return (
        '<section class="citations"><h2>Citations</h2><table><thead><tr><th>#</th><th>kind</th>'
        "<th>where found</th><th>reference</th><th>resolution</th><th>archive</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _summary_html(report: ArticleReport) -> str:
    s = report.summary()
    chips = " ".join(
        f'<span class="chip s-{status}{" none" if not n else ""}">{n} {status}</span>'
        for status, n in s["claims"].items()
    )
    return f'<p class="summary">{sum(s["claims"].values())} claims: {chips}. {esc(s["links"])}.</p>'


def render_html(report: ArticleReport) -> str:
    """One article's audit as a complete, self-contained, offline HTML page."""
    claims = {c.id: c for c in report.claims}
    title = clean(report.title) or clean(report.source)
    # The headline is shown once, as the page's heading, marked like any claim: not again atop the text.
    head_end = _headline_end(report, title)
    runs, placed = _placed(report, (head_end,))
    seen: set[int] = set()
    heading = _text_html(report, [r for r in runs if r[1] <= head_end], seen) if head_end else esc(title)
    text = _text_html(report, [r for r in runs if r[0] >= head_end], seen).lstrip("\n")
    meta = " · ".join(
        x
        for x in (
            url_html(report.source) if is_web_url(report.source) else f"<code>{esc(report.source)}</code>",
            report.published and f"published {esc(report.published)}",
            f"article {report.id}",
            report.audited_at and f"audited {esc(report.audited_at)}",
        )
        if x
    )
    unplaced = [c for c in report.claims if c.id not in placed]
    unplaced_html = (
        ""
        if not unplaced
        else '<section class="unplaced"><h2>Claims not marked in the text</h2><ol>'
        + "".join(
            f'<li><a class="claim s-{esc(c.status)}" href="#claim-{c.id}" data-claim="{c.id}">'
            f"{esc(c.text, 200)}</a></li>"
            for c in unplaced
        )
        + "</ol></section>"
    )
    sections = "".join(_claim_section(c, claims, c.id in placed) for c in report.claims)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="provenance {__version__}">
<title>{esc(title)} — provenance audit</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>{heading}</h1>
<p class="meta">{meta}</p>
{_summary_html(report)}
</header>
<div class="layout">
<article class="text" id="text">{text}</article>
<aside class="panel"><div class="placeholder"><p class="hint">Each claim in the text is marked by how well
it is sourced: <span class="chip s-verified">verified</span> <span class="chip s-traced">traced</span>
<span class="chip s-archived">archived</span>
<span class="chip s-sourced">sourced</span> <span class="chip s-vague">vague</span>
<span class="chip s-broken">broken</span> <span class="chip s-disputed">disputed</span>
<span class="chip s-unsourced">unsourced</span>.
Click a claim to follow it to its evidence.</p></div>
{sections}</aside>
</div>
{unplaced_html}
{_citations_html(report)}
<footer><p>provenance {__version__}: claim → citation → resolved URL → archived copy.</p></footer>
<script>{SCRIPT}</script>
</body>
</html>
"""
