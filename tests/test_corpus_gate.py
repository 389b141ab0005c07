"""Extraction quality gate: precision/recall floors on the labelled dev corpus.

Runs the corpus scorer's own matching (score.py, imported, not copied) on
`extract` called in-process, and fails when a kind drops below its pinned floor.
Raise a floor when extraction improves; never lower one to make a change pass.

A second gate scores outlet citations in unseen-outlet mode (bench/corpus.py --unseen):
each page's cited outlets and its own are left out of the outlet table, so the floor holds
what the attribution rules find on outlets the table does not know.
"""

import gzip
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from provenance.extract import extract
from provenance.ingest import article_from_bytes

from .conftest import needs

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# (precision, recall) floors per kind, pinned at what main measures on the grown 64-item corpus
# (tweets 1.00/1.00, short links 1.00/0.95, videos 1.00/0.955, body links 0.867/0.956,
# outlet citations 0.903/0.713), rounded down to two places.
FLOORS = {
    "tweets": (1.00, 1.00),
    "short_links": (1.00, 1.00),  # raised: short links by shape, commerce links kept (1.000/1.000)
    "videos": (1.00, 1.00),  # raised: players in a site's wrapper iframe (1.000/1.000)
    "body_links": (0.99, 0.99),  # raised: related lists, own players, body rescue (0.996/0.996)
    "outlet_citations": (0.93, 0.91),  # raised: attribution grammar and evidence for unknown names (0.935/0.917)
}
# Outlet citations with each page's cited and own outlets left out of the table (P 0.938, R 0.866).
UNSEEN_OUTLET_FLOOR = (0.93, 0.86)

pytestmark = needs((CORPUS / "score.py").exists(),
                   f"evaluation corpus not found at {CORPUS} (it lives beside the repository)")


def load_bench():
    path = Path(__file__).resolve().parents[1] / "bench" / "corpus.py"
    spec = importlib.util.spec_from_file_location("bench_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_scorer():
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def totals():
    score = load_scorer()
    totals = {k: Counter() for k in score.KINDS}
    for label_path in sorted((CORPUS / "labels").glob("*.json")):
        page = score.page_for(label_path, CORPUS / "pages")
        assert page is not None, f"no page for {label_path.name}"
        data = page.read_bytes()
        if page.name.endswith(".gz"):
            data = gzip.decompress(data)
        doc = extract(article_from_bytes(page.name, data)).to_json()
        doc = json.loads(json.dumps(doc))  # exactly what the CLI would print
        gold, ambiguous = score.gold_sets(json.loads(label_path.read_text()))
        pred = score.predicted_sets(doc, ambiguous)
        for k in score.KINDS:
            totals[k].update(
                tp=sum((gold[k] & pred[k]).values()), gold=sum(gold[k].values()), pred=sum(pred[k].values())
            )
    return totals


@pytest.mark.parametrize("kind", list(FLOORS))
def test_floor(totals, kind):
    t = totals[kind]
    precision = t["tp"] / t["pred"] if t["pred"] else 1.0
    recall = t["tp"] / t["gold"] if t["gold"] else 1.0
    p_floor, r_floor = FLOORS[kind]
    assert precision >= p_floor, f"{kind} precision {precision:.3f} < {p_floor} ({dict(t)})"
    assert recall >= r_floor, f"{kind} recall {recall:.3f} < {r_floor} ({dict(t)})"


def test_unseen_outlet_floor():
    bench = load_bench()
    t = bench.score_corpus(CORPUS, unseen=True)["outlet_citations"]
    precision, recall, _ = bench.rates(t)
    p_floor, r_floor = UNSEEN_OUTLET_FLOOR
    assert precision >= p_floor, f"unseen-outlet precision {precision:.3f} < {p_floor} ({dict(t)})"
    assert recall >= r_floor, f"unseen-outlet recall {recall:.3f} < {r_floor} ({dict(t)})"
