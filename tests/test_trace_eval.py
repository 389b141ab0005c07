"""A tiny version of bench/trace.py's evaluation, on pages written here (loopback archive, 127.0.0.1)."""

from __future__ import annotations

import random
from datetime import date

from bench import trace as evaluation
from provenance.extract import extract
from provenance.ingest import article_from_bytes
from provenance.trace import BUDGET
from provenance.trace import __all__ as exported

from .cdx_server import Archive

CITING = """<html><head><title>{title}</title>
<meta property="article:published_time" content="2019-11-18T10:00:00Z"></head>
<body><article><h1>{title}</h1>
<p>{lead}</p>
<p>{sentence}</p>
<p>Officials did not answer questions about the timing, and a spokesperson declined to comment further.</p>
</article></body></html>"""
PAGES = [
    ("City water plan faces delays", "The regional water authority said 42 villages would wait longer for new pipes.",
     'Engineers found cracks in the old reservoir, <a href="https://www.reuters.com/article/us-water-reservoir-'
     'cracks-idUSKBN1XS2AB">Reuters reported</a> on Monday, citing two people familiar with the survey.'),
    ("Concert hall opens its doors", "The orchestra announced that its new concert hall will open in the spring.",
     'Tickets sold out within 15 minutes, according to <a href="https://www.nytimes.com/2019/11/17/arts/music/'
     'concert-hall-tickets-sold-out.html">The New York Times</a>, which first reported the sale.'),
    # links no outlet is named beside: their slugs become decoys, close to the stories' words on purpose
    ("Notes", "More on the <a href='https://example.org/2019/concert-hall-roof-repairs-delayed'>hall's roof</a>.",
     "See <a href='https://example.org/2019/reservoir-survey-budget-cut'>the survey budget</a> and "
     "<a href='https://example.org/2019/water-pipes-villages-winter'>the pipes</a>."),
]


def corpus():
    out = []
    for i, (title, lead, sentence) in enumerate(PAGES):
        html = CITING.format(title=title, lead=lead, sentence=sentence).encode()
        ex = extract(article_from_bytes(f"page{i}.html", html))
        out.append((f"page{i}", ex, [lead, "Critics argued that the building cost far more than the city had promised "
                                          "and that the old hall could have been repaired for less money."]))
    return out


def test_the_hidden_links_are_found_again_from_the_outlet_names():
    pages = corpus()
    cases = evaluation.outlet_cases(pages)
    assert {c.outlet for c in cases} == {"Reuters", "The New York Times"}
    assert all(c.day == date(2019, 11, 18) for c in cases)
    archive = Archive()
    placed = evaluation.seed_outlets(archive, cases, pages, 15, random.Random(1))
    assert sorted(placed.values()) == ["captured when cited", "dated in window"]
    base = archive.serve()
    try:
        rows = evaluation.run_outlets(base, archive, cases)["rows"]
    finally:
        archive.close()
    assert [r["final"] for r in rows] == [1, 1]
    assert all(r["status"] == "traced" and r["cdx"] == r["served_cdx"] <= BUDGET for r in rows)


def test_the_public_api_is_complete():
    import provenance.trace as trace

    assert all(hasattr(trace, name) for name in exported)
    assert {"Tracer", "Trace", "Candidate", "trace_tweet", "find_residue", "outlet_domains"} <= set(exported)
