"""Evaluation of deep tracing: chains of two and three hops built from corpus pages, down to a primary source.

    python bench/trace_deep.py [--pages DIR] [--chains N]

For each chain a claim is one sentence of a corpus page. Page A (the page the claim's passage sits
in) holds that page's paragraphs with a link after the claim to B; B (another corpus page's
paragraphs with the claim set among them) links on to C, or to B2 and then C for three hops. C, the
primary, is a `.gov` page holding the claim, a PDF written here, or (one chain in three) the quoted
organisation's own page: an invented name ("Brinmoor Analytics") quoted as "Jane Roe, a spokeswoman
for …", read into names as the trace stage reads a quote's attribution. The own page cites a partner
page beside the claim, so only the own-site stop ends the chain there; half of these sit on a domain
that spells the name (brinmoor-analytics.org), half on an unrelated domain whose `og:site_name` is the
name. Every page carries distractor links in paragraphs far from the claim; one chain in four has B
link back to A beside its onward link (a cycle A→B→A). All of it is archived in a loopback replay
server and fetched as raw `id_` copies. In two chains of five the onward link sits in the paragraph
after the claim and a distractor link in the paragraph before it (both within the window). Scored:
primary source reached within depth 3, fetches per claim, revisits refused, no chain past its budget,
and own-site stops on any page but the organisation's.

Measured (40 chains, depth 3, budget 12; load average 5.6 on 2 cores):

    set              chains  reached  median fetches  max  revisits
    2 hops               20     1.00             2.0    3        18
    3 hops               20     0.90             3.0    4        15
    gov primary          13     0.92               3    4        10
    pdf primary          14     0.93             3.0    4        12
    own site             13     1.00               3    4        11
      by domain           7     1.00               2    3         5
      by site name        6     1.00             4.0    4         6
    with cycle           10     1.00             2.0    3        14
    link apart           16     0.94             3.0    4        27
    all                  40     0.95             3.0    4        33
    URLs fetched twice in one chain: 0; chains past the budget (12): 0; own-site stops on another page: 0

Without the quoted names the own-site chains reach 0.00 (each goes on to the partner page), all 0.62.

The two misses: a page where the extractor reads the paragraph holding the onward link as a promo
and keeps no link from it, and a page with the claim's sentence twice (typographic quotes), where
the passage checked is the copy without the link.

What the built chains make easy: the claim sentence is copied verbatim into every hop, and the
onward link sits in the same paragraph; real chains paraphrase and cite a paragraph away. The own
sites' names are invented and spelled exactly; a real organisation's domain is often an abbreviation
no rule here reads (its initials count only when the page writes the name out).

Run it in a loopback-only namespace (`unshare -rn sh -c 'ip link set lo up; python3 bench/trace_deep.py'`);
it sends nothing past 127.0.0.1.
"""

from __future__ import annotations

import argparse
import gzip
import html
import statistics
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.extract import extract  # noqa: E402
from provenance.ingest import article_from_bytes  # noqa: E402
from provenance.trace.deep import BUDGET, OWN_SITE, DeepTracer, Page  # noqa: E402
from provenance.trace.owners import speaker_names  # noqa: E402
from tests.cdx_server import Archive  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "pages"
# Invented organisations quoted by the claims: the speaker whose own site ends one chain in three.
ORG_FIRST = ["Quillmere", "Harrowgate", "Brinmoor", "Tellwyn", "Corvale", "Ostrander", "Marlowe"]
ORG_LAST = ["Robotics", "Institute", "Foundation", "Analytics", "Bridge Trust"]


def paragraphs(path: Path) -> list[str]:
    ex = extract(article_from_bytes(path.name, gzip.decompress(path.read_bytes())))
    return [p.strip() for p in ex.text.split("\n\n") if len(p.split()) >= 12 and "\n" not in p.strip()]


def claim_of(paras: list[str]) -> str | None:
    for p in paras[1:]:
        first = p.split(". ")[0].rstrip(".") + "."
        if 12 <= len(first.split()) <= 40:
            return first
    return None


def write_page(title: str, paras: list[str], claim: str, onward: list[str], distractors: list[str],
               apart: bool = False) -> str:
    """A page with the claim as its third paragraph; `apart` puts the onward links in the next paragraph
    and a distractor link in the one before."""
    links = " ".join(f'<a href="{u}">source {i + 1}</a>' for i, u in enumerate(onward))
    paras = [p for p in paras if claim not in p]  # the claim once, where the link is
    body = [html.escape(p) for p in paras[:6]]
    see = ("The details are in " + links + ".") if links else ""
    at = min(2, len(body))
    if apart and len(body) > at and distractors:
        body.insert(at, html.escape(claim))
        body[at + 1] = f"{see} {body[at + 1]}"
        body[at - 1] += f' Earlier coverage: <a href="{distractors[0]}">here</a>.'
    else:
        body.insert(at, f"{html.escape(claim)} {see}")
    for i, d in enumerate(distractors):
        body.append(f'{html.escape(paras[-1 - i] if paras else "More.")} <a href="{d}">related</a>')
    return ("<html><head><title>" + html.escape(title) + "</title></head><body><article><h1>"
            + html.escape(title) + "</h1>" + "".join(f"<p>{b}</p>" for b in body) + "</article></body></html>")


def own_domain(org: str) -> str:
    """The organisation's domain as sites spell it: the words run together or hyphenated."""
    words = org.lower().split()
    return ("-".join(words) if len(org) % 2 else "".join(words)) + ".org"


def pdf(claim: str) -> bytes:
    return b"%PDF-1.4\n% " + claim.encode("ascii", "replace") + b"\n%%EOF\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=Path, default=CORPUS)
    ap.add_argument("--chains", type=int, default=40)
    args = ap.parse_args()
    corpus = [p for p in (paragraphs(f) for f in sorted(args.pages.glob("*.gz"))) if len(p) >= 4]
    archive = Archive()
    base = archive.serve()
    calls: list[str] = []

    def fetch(url: str) -> Page | None:
        calls.append(url)
        try:
            with urllib.request.urlopen(f"{base}/web/2id_/{url}", timeout=10) as r:
                return Page(url, r.headers.get("Content-Type", ""), r.read().decode("utf-8", "replace"))
        except OSError:
            return None

    rows = []
    for n in range(args.chains):
        a_paras = corpus[n % len(corpus)]
        claim = claim_of(a_paras)
        if not claim:
            continue
        hops, kind, cycle, apart = 2 + n % 2, ("pdf", "gov", "own")[n % 3], n % 4 == 0, n % 5 < 2
        by_name = kind == "own" and (n // 3) % 2 == 1  # the own site says whose it is; its domain does not
        org = f"{ORG_FIRST[n % len(ORG_FIRST)]} {ORG_LAST[(n // 2) % len(ORG_LAST)]}"
        a, b, b2 = f"https://outlet{n}-a.test/story", f"https://outlet{n}-b.test/news", f"https://outlet{n}-c.test/w"
        c = {"gov": f"https://www.agency{n}.gov/release", "pdf": f"https://ngo{n}.test/report.pdf",
             "own": f"https://www.portal{n}.test/release" if by_name else f"https://www.{own_domain(org)}/news/{n}"}[kind]
        mid = [b] if hops == 2 else [b, b2]
        distract = [f"https://elsewhere{n}-{i}.test/x" for i in range(2)]
        for i, u in enumerate(mid):
            onward = (mid + [c])[i + 1]
            other = corpus[(n + 7 * (i + 1)) % len(corpus)]
            archive.add(u, "20250101", write_page(f"Hop {i + 1}", other, claim, [onward] + ([a] if cycle else []),
                                                  distract, apart))
        for d in distract:
            archive.add(d, "20250101", write_page("Elsewhere", corpus[(n + 3) % len(corpus)], "Nothing.", [], []))
        if kind == "gov":
            archive.add(c, "20250101", write_page("Release", corpus[(n + 11) % len(corpus)], claim, [], []))
        elif kind == "own":  # it cites a partner beside the claim: only the own-site stop ends the chain here
            partner = f"https://partner{n}.test/data"
            own = write_page("Release", corpus[(n + 11) % len(corpus)], claim, [partner], [])
            if by_name:
                own = own.replace("<head>", f'<head><meta property="og:site_name" content="{org}">')
            archive.add(c, "20250101", own)
            archive.add(partner, "20250101", write_page("Partner", corpus[(n + 13) % len(corpus)], claim, [], []))
        else:
            archive.add(c, "20250101", pdf(claim), mimetype="application/pdf")
        calls.clear()
        page_a = write_page("Start", a_paras, claim, [b], distract, apart)
        owners = speaker_names([f"Jane Roe, a spokeswoman for {org}"])  # as the stage reads a quote's attribution
        t = DeepTracer(fetch, depth=3).trace(claim, a, page_a, owners=owners)
        rows.append({"apart": apart, "hops": hops, "kind": kind, "cycle": cycle, "by_name": by_name,
                     "reached": bool(t.primary and t.primary.url == c),
                     "wrong_own": sum(s.stop == OWN_SITE and s.url != c for s in t.steps),
                     "fetches": t.fetches, "calls": len(calls), "revisits": t.revisits,
                     "repeat": len(calls) != len({u.lower() for u in calls})})
    archive.close()
    print(f"{'set':<16}{'chains':>7}{'reached':>9}{'median fetches':>16}{'max':>5}{'revisits':>10}")
    for name, sel in [("2 hops", lambda r: r["hops"] == 2), ("3 hops", lambda r: r["hops"] == 3),
                      ("gov primary", lambda r: r["kind"] == "gov"), ("pdf primary", lambda r: r["kind"] == "pdf"),
                      ("own site", lambda r: r["kind"] == "own"),
                      ("  by domain", lambda r: r["kind"] == "own" and not r["by_name"]),
                      ("  by site name", lambda r: r["by_name"]),
                      ("with cycle", lambda r: r["cycle"]), ("link apart", lambda r: r["apart"]),
                      ("all", lambda r: True)]:
        rs = [r for r in rows if sel(r)]
        if rs:
            print(f"{name:<16}{len(rs):>7}{sum(r['reached'] for r in rs) / len(rs):>9.2f}"
                  f"{statistics.median(r['fetches'] for r in rs):>16}{max(r['fetches'] for r in rs):>5}"
                  f"{sum(r['revisits'] for r in rs):>10}")
    print(f"URLs fetched twice in one chain: {sum(r['repeat'] for r in rows)}; "
          f"chains past the budget ({BUDGET}): {sum(r['fetches'] > BUDGET for r in rows)}; "
          f"own-site stops on another page: {sum(r['wrong_own'] for r in rows)}")


if __name__ == "__main__":
    main()
