"""Evaluation and timing of the check stage's text matching, on real pages.

    python bench/check.py [--pages DIR] [--seed N] [--aligner edlib|rapidfuzz|both]

From the main text of every page of the corpus (gzipped HTML, read by the extractor), it
builds quotes taken from the page in known ways: verbatim; with typographic changes (curly
or straight quotes, dashes, spacing, case, an ellipsis for left-out words); with one or two
words edited; with a number changed; with a negation added or removed; a sentence made up;
a sentence from another page. It also builds drift pairs: the page against itself, with one
sentence edited, with boilerplate and timestamps changed, and against another page. Every
verdict is scored against what was done and the table printed, with the targets beside it.

Then it times the quote check against a 100,000-character page of real text, for each
aligner, in CPU time of this process (median and p95 per quote, the page folded once).
The rules are general ones; nothing here is tuned to these pages.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.check_cases import (  # noqa: E402
    CorpusMissing,
    change_number,
    drift_cases,
    edit_words,
    load_pages,
    made_up,
    quotable,
    quote_cases,
)
from provenance.check import Sentences, check_drift, check_passage, check_quote, fold  # noqa: E402

DEFAULT_PAGES = ROOT.parent / "shared" / "corpus" / "pages"
FOUND, ALTERED, ABSENT = "found", "altered", "absent"
EXPECTED = {
    "verbatim": FOUND,
    "typographic": FOUND,
    "clause (5-9 words)": FOUND,
    "clause, one word edited": FOUND,
    "one word edited": FOUND,
    "two words edited": FOUND,
    "number changed": ALTERED,
    "negation flipped": ALTERED,
    "name changed": ALTERED,
    "made up": ABSENT,
    "other page": ABSENT,
    "spliced from two sentences": ABSENT,
}
DRIFT_EXPECTED = {"unchanged": "same", "one sentence edited": "edited", "one sentence removed": "edited",
                  "one sentence added": "edited", "boilerplate changed": "cosmetic", "promo put in the markup": "same",
                  "another page": "replaced"}
def group(verdict: str) -> str:
    return FOUND if verdict in ("verbatim", "close") else verdict


def run_quotes(pages, cases, aligner: str):
    folded = {name: fold(text) for name, text in pages.items()}
    results = []
    for name, how, quote in cases:
        c = check_quote(quote, folded[name], aligner=aligner)
        results.append((how, c.verdict))
    return results


def score_quotes(results) -> dict[str, float]:
    """The figures the targets are stated in."""
    expected = [(EXPECTED[how], group(v), how) for how, v in results]
    predicted_found = [e for e, p, _ in expected if p == FOUND]
    actually_found = [p for e, p, _ in expected if e == FOUND]
    predicted_altered = [e for e, p, _ in expected if p == ALTERED]
    meaning = [p for e, p, how in expected if how in ("number changed", "negation flipped")]  # the stated target
    made_up = [p for e, p, how in expected if how == "made up"]
    other = [p for e, p, how in expected if how == "other page"]

    def share(xs, want):
        return sum(x == want for x in xs) / len(xs) if xs else float("nan")

    return {
        "found precision": share(predicted_found, FOUND),
        "found recall": share(actually_found, FOUND),
        "altered precision": share(predicted_altered, ALTERED),
        "altered recall (number, negation)": share(meaning, ALTERED),
        "made up: absent": share(made_up, ABSENT),
        "other page: absent": share(other, ABSENT),
        "name changed: altered": share([p for e, p, how in expected if how == "name changed"], ALTERED),
        "spliced: absent": share([p for e, p, how in expected if how.startswith("spliced")], ABSENT),
    }


QUOTE_TARGETS = {"found precision": 0.98, "found recall": 0.95, "altered precision": 0.90,
                 "altered recall (number, negation)": 0.90, "made up: absent": 0.98}
DRIFT_TARGETS = {"same precision": 0.95, "one-sentence edits caught": 0.90}


def run_drift(cases):
    out = []
    for _, how, before, after, cited in cases:
        c = check_drift(before, after, words=cited)
        out.append((how, c.verdict, c.cited_changed, c.matches))
    return out


def score_drift(results) -> dict[str, float]:
    predicted_same = [how for how, v, _, _ in results if v == "same"]
    edits = [(v, changed, matches) for how, v, changed, matches in results if how == "one sentence edited"]

    def share(xs):
        return sum(xs) / len(xs) if xs else float("nan")

    return {
        "same precision": share([DRIFT_EXPECTED[how] == "same" for how in predicted_same]),
        "one-sentence edits caught": share([v == "edited" for v, _, _ in edits]),
        "edited: cited sentence flagged": share([bool(c) for v, c, _ in edits if v == "edited"]),
        "edited: words match the earlier version": share([m == "before" for v, _, m in edits if v == "edited"]),
        "sentence added or removed: edited": share(
            [v == "edited" for how, v, _, _ in results if how in ("one sentence added", "one sentence removed")]
        ),
        "boilerplate: cosmetic": share([v == "cosmetic" for how, v, _, _ in results if how == "boilerplate changed"]),
        "promo in the markup: same or cosmetic": share(
            [v in ("same", "cosmetic") for how, v, _, _ in results if how == "promo put in the markup"]
        ),
        "another page: replaced": share([v == "replaced" for how, v, _, _ in results if how == "another page"]),
    }


def confusion(results, labels) -> list[str]:
    rows = defaultdict(Counter)
    for how, verdict, *_ in results:
        rows[how][verdict] += 1
    width = max(map(len, rows)) + 2
    lines = [f"{'case':<{width}}{'n':>5}  " + "".join(f"{v:>12}" for v in labels)]
    for how, counts in rows.items():
        lines.append(f"{how:<{width}}{sum(counts.values()):>5}  " + "".join(f"{counts[v]:>12}" for v in labels))
    return lines


def figures(scores: dict[str, float], targets: dict[str, float]) -> list[str]:
    out = []
    for k, v in scores.items():
        t = targets.get(k)
        mark = "" if t is None else f"  (target ≥ {t:.2f}: {'met' if v >= t else 'MISSED'})"
        out.append(f"  {k:<44}{v:6.3f}{mark}")
    return out


def run_passages(pages, rng):
    out = []
    for text in pages.values():
        spans = quotable(text)
        s, e = rng.choice(spans)
        sentence = text[s:e]
        out.append(("sentence of the page", check_passage(sentence, text).verdict))
        reworded = edit_words(sentence, rng, 2)
        if reworded:
            out.append(("two words reworded", check_passage(reworded, text).verdict))
        out.append(("made up", check_passage(made_up(rng), text).verdict))
    return out


def timing(pages: dict[str, str], rng: random.Random, aligner: str, n: int = 200) -> dict[str, float]:
    """CPU milliseconds per quote against a 100,000-character page of real text."""
    big = "\n\n".join(pages.values())
    while len(big) < 100_000:
        big += "\n\n" + big
    big = big[:100_000]
    spans = quotable(big)
    quotes = []
    for s, e in rng.sample(spans, min(n, len(spans))):
        sentence = big[s:e]
        quotes.append(rng.choice([sentence, edit_words(sentence, rng, 2) or sentence,
                                  change_number(sentence, rng) or sentence, made_up(rng)]))
    folds = []
    for _ in range(3):
        t0 = time.process_time()
        folded = fold(big)
        folds.append((time.process_time() - t0) * 1000)
    fold_ms = statistics.median(folds)
    times = []
    for q in quotes:
        t0 = time.process_time()
        check_quote(q, folded, aligner=aligner)
        times.append((time.process_time() - t0) * 1000)
    times.sort()
    return {"fold the page once (ms, median of 3)": fold_ms, "median ms/quote": statistics.median(times),
            "p95 ms/quote": times[int(len(times) * 0.95) - 1], "max ms/quote": times[-1],
            "mean ms/quote": statistics.fmean(times)}


def page_timing(pages: dict[str, str], rng: random.Random) -> dict[str, float]:
    """CPU milliseconds for a passage check on a 100,000-character text, and a drift check between two."""
    texts = list(pages.values())
    big = "\n\n".join(texts)[:100_000]
    other = "\n\n".join(reversed(texts))[:100_000]
    s, e = rng.choice(quotable(big))
    edited = big[:s] + (edit_words(big[s:e], rng, 1) or big[s:e] + " Indeed.") + big[e:]
    t0 = time.process_time()
    index = Sentences.of(big)
    out = {"passage: count the page once (ms)": (time.process_time() - t0) * 1000}
    claims = [made_up(rng) for _ in range(20)] + [big[s:e] for s, e in rng.sample(quotable(big), 20)]
    t0 = time.process_time()
    for claim in claims:
        check_passage(claim, index)
    out["passage: one claim (ms, mean)"] = (time.process_time() - t0) * 1000 / len(claims)
    for label, after in (("drift, one sentence edited", edited), ("drift, another page", other)):
        t0 = time.process_time()
        check_drift(big, after, words=big[s:e])
        out[f"{label} (ms)"] = (time.process_time() - t0) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--aligner", choices=["edlib", "rapidfuzz", "both"], default="both")
    args = ap.parse_args(argv)
    try:
        pages = load_pages(args.pages)
    except CorpusMissing as e:
        print(e.code, file=sys.stderr)
        return 2
    aligners = ["edlib", "rapidfuzz"] if args.aligner == "both" else [args.aligner]
    cases = quote_cases(pages, random.Random(args.seed))
    print(f"{len(pages)} pages, {len(cases)} quotes (seed {args.seed})")
    for aligner in aligners:
        t0 = time.process_time()
        results = run_quotes(pages, cases, aligner)
        spent = time.process_time() - t0
        print(f"\nQuote check, aligner {aligner} ({spent:.1f} s CPU for {len(cases)} quotes)")
        print("\n".join(confusion(results, ["verbatim", "close", "altered", "absent"])))
        print("\n".join(figures(score_quotes(results), QUOTE_TARGETS)))
    drift = run_drift(drift_cases(pages, random.Random(args.seed)))
    print(f"\nDrift check ({len(drift)} pairs)")
    print("\n".join(confusion(drift, ["same", "cosmetic", "edited", "replaced"])))
    print("\n".join(figures(score_drift(drift), DRIFT_TARGETS)))
    passages = run_passages(pages, random.Random(args.seed))
    print(f"\nPassage check, a lexical match ({len(passages)} claims)")
    print("\n".join(confusion(passages, ["matched", "weak", "absent"])))
    for aligner in aligners:
        t = timing(pages, random.Random(args.seed), aligner)
        print(f"\nSpeed, aligner {aligner}, 100,000-character page, CPU time of one process")
        print("\n".join(f"  {k:<36}{v:8.2f}" for k, v in t.items()))
    t = page_timing(pages, random.Random(args.seed))
    print("\nSpeed, passage check on a 100,000-character page, drift check between two such texts, CPU time")
    print("\n".join(f"  {k:<36}{v:8.2f}" for k, v in t.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
