"""Extraction quality on the labelled corpus, in-process: precision, recall and F1 per kind.

    python bench/corpus.py [--corpus DIR] [--unseen] [--both] [--show NAME] [--json]

It runs `extract` on every page and matches with the corpus scorer's own functions
(score.py, imported, not copied), so its figures are the scorer's.

`--unseen` measures outlet citations on outlets the name table does not know: each page is
extracted with every outlet its labels cite, and the page's own outlet, left out of the table,
so only the way a name is written (cue words, newspaper words, the text calling it an outlet)
can find it. `--both` prints the table in both modes. The gate test reads `score_corpus`.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.extract import extract  # noqa: E402
from provenance.ingest import article_from_bytes  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def load_scorer(corpus: Path):
    spec = importlib.util.spec_from_file_location("corpus_score", corpus / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unseen_names(label: dict) -> frozenset[str]:
    """The outlets a page's labels name, and the page's own outlet: what --unseen hides from the table."""
    names = {c.get("outlet") for c in label.get("outlet_citations", [])} | {label.get("outlet")}
    return frozenset(n for n in names if n)


def score_corpus(corpus: Path = DEFAULT_CORPUS, unseen: bool = False, only: str | None = None, show=None):
    """Totals per kind ({'tp', 'gold', 'pred'}); `show(kind, missed, extra)` is called per page when given."""
    score = load_scorer(corpus)
    totals = {k: Counter() for k in score.KINDS}
    for label_path in sorted((corpus / "labels").glob("*.json")):
        if only and label_path.stem != only:
            continue
        page = score.page_for(label_path, corpus / "pages")
        if page is None:
            raise FileNotFoundError(f"no page for {label_path.name}")
        data = page.read_bytes()
        if page.name.endswith(".gz"):
            data = gzip.decompress(data)
        label = json.loads(label_path.read_text())
        exclude = unseen_names(label) if unseen else frozenset()
        doc = extract(article_from_bytes(page.name, data), exclude_outlets=exclude).to_json()
        doc = json.loads(json.dumps(doc))  # exactly what the CLI would print
        gold, ambiguous = score.gold_sets(label)
        pred = score.predicted_sets(doc, ambiguous)
        for k in score.KINDS:
            totals[k].update(
                tp=sum((gold[k] & pred[k]).values()), gold=sum(gold[k].values()), pred=sum(pred[k].values())
            )
            if show:
                show(label_path.stem, k, gold[k] - pred[k], pred[k] - gold[k])
    return totals


def rates(t: Counter) -> tuple[float, float, float]:
    p = t["tp"] / t["pred"] if t["pred"] else (1.0 if not t["gold"] else 0.0)
    r = t["tp"] / t["gold"] if t["gold"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def table_lines(title: str, totals: dict) -> list[str]:
    lines = [f"{title}", f"{'kind':18} {'P':>6} {'R':>6} {'F1':>6}  {'gold':>5} {'found':>5}"]
    for k, t in totals.items():
        p, r, f = rates(t)
        lines.append(f"{k:18} {p:6.3f} {r:6.3f} {f:6.3f}  {t['gold']:5} {t['pred']:5}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with score.py, pages/, labels/")
    ap.add_argument("--unseen", action="store_true", help="leave each page's cited and own outlets out of the table")
    ap.add_argument("--both", action="store_true", help="print the dev and the unseen-outlet tables")
    ap.add_argument("--show", metavar="NAME", help="list misses and extras of outlet citations (NAME or 'all')")
    ap.add_argument("--json", action="store_true", help="print the totals as JSON")
    args = ap.parse_args()

    def show(page, kind, missed, extra):
        if kind == "outlet_citations" and (missed or extra):
            print(f"{page}: missed {sorted(missed.elements())} extra {sorted(extra.elements())}")

    only = None if args.show in (None, "all") else args.show
    modes = [False, True] if args.both else [args.unseen]
    out = {}
    for unseen in modes:
        totals = score_corpus(args.corpus, unseen, only, show if args.show else None)
        out["unseen" if unseen else "dev"] = totals
        if not args.json:
            print("\n".join(table_lines("unseen-outlet mode" if unseen else "dev", totals)))
    if args.json:
        print(json.dumps({mode: {k: dict(t) for k, t in tot.items()} for mode, tot in out.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
