"""Evaluation of tracing: hidden links found again from the outlet's name, and pasted tweets' status URLs.

    python bench/trace.py [--pages DIR] [--labels DIR] [--decoys N] [--seed N]

Outlets. From every corpus page, the sentences that link to another outlet's story and name
that outlet: the link is hidden and the name kept. The linked pages are not in the corpus, so
a stand-in is archived for each, under its real URL: its title is the URL's slug in words and
its text holds the citing sentence (the outlet's name taken out) among paragraphs of another
corpus page. Beside them, decoys on the same domain in the same days: slugs and text taken from
other corpus pages' links and paragraphs, re-homed under the outlet's address pattern. All of
it is served by a loopback CDX + replay server started here, and each citation is traced with
the project's `Tracer` (±3 days, ≤ 20 CDX calls). Scored: Hit@1 and Hit@5 of the hidden page,
before the checks (ranking alone) and after them, and CDX calls per citation.

Tweets. Every embedded tweet of the corpus with its text becomes residue ("text — Name (@handle)
Month D, YYYY"); its status page is archived under twitter.com/<handle>/status/<id> on its day,
with decoy statuses of the same account on the same and the next day (other corpus tweets'
texts), some under x.com. Scored: the right status found, and CDX calls per residue.

Run it in a loopback-only namespace (`unshare -rn`); it sends nothing past 127.0.0.1.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.archive.wayback import RateGate, Wayback  # noqa: E402
from provenance.check.normalise import sentences  # noqa: E402
from provenance.extract import extract  # noqa: E402
from provenance.extract.outlet_names import name_for_domain, outlet_key  # noqa: E402
from provenance.fetch import Fetcher  # noqa: E402
from provenance.ingest import article_from_bytes  # noqa: E402
from provenance.settings import Settings  # noqa: E402
from provenance.trace import BUDGET, WINDOW_DAYS, Tracer, find_residue, outlet_domains, trace_tweet  # noqa: E402
from provenance.trace.candidates import is_story, url_key  # noqa: E402
from tests.cdx_server import Archive  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
TARGETS = {"hit@1": 0.6, "hit@5": 0.8, "tweet": 0.9}
PAGE = "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>"
URL_DATE = re.compile(r"/(\d{4})[/-](\d{2})[/-](\d{2})(?=[/-])")
TWITTER_EPOCH_MS = 1288834974657


@dataclass
class Case:
    page: str
    outlet: str
    sentence: str
    day: date
    title: str | None
    text: str
    url: str


def _html(title: str, paras: list[str]) -> str:
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;")  # noqa: E731
    return PAGE.format(title=esc(title), paras="".join(f"<p>{esc(p)}</p>" for p in paras))


def _slug_title(url: str) -> str:
    last = [p for p in urlsplit(url).path.split("/") if re.search(r"[a-z]{3}", p, re.I)]
    words = re.sub(r"\.\w+$", "", last[-1] if last else "story")
    return " ".join(w for w in re.split(r"[-_+]+", words) if w).capitalize()


def _last(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def _url_day(url: str) -> date | None:
    m = URL_DATE.search(urlsplit(url).path)
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def read_corpus(pages: Path):
    """Each page's extraction, and its paragraphs (decoy and filler text)."""
    out = []
    for p in sorted(pages.glob("*.html.gz")):
        ex = extract(article_from_bytes(p.name, gzip.decompress(p.read_bytes())))
        paras = [b for b in re.split(r"\n\s*\n", ex.text) if len(b.split()) >= 12]
        out.append((p.name.removesuffix(".html.gz"), ex, paras))
    return out


def outlet_cases(corpus) -> list[Case]:
    cases, seen = [], set()
    for name, ex, _ in corpus:
        if not ex.published:
            continue
        spans = sentences(ex.text)
        outs = [c for c in ex.citations if c.kind == "outlet"]
        for c in ex.citations:
            if c.kind != "link" or not c.url or not is_story(c.url):
                continue
            outlet = name_for_domain(urlsplit(c.url).hostname or "")
            if not outlet or outlet_key(outlet) == outlet_key(ex.outlet or ""):
                continue
            span = next(((a, b) for a, b in spans if a <= c.start < b), None)
            if span is None or not any(span[0] <= o.start < span[1] and outlet_key(o.outlet) == outlet_key(outlet)
                                       for o in outs):
                continue
            if (name, url_key(c.url)) in seen:
                continue
            seen.add((name, url_key(c.url)))
            cases.append(Case(name, outlet, ex.text[span[0]:span[1]], date.fromisoformat(ex.published[:10]),
                              ex.title, ex.text, c.url))
    return cases


def stamp(day: date, rng: random.Random) -> str:
    return day.strftime("%Y%m%d") + f"{rng.randrange(24):02d}{rng.randrange(60):02d}00"


def seed_outlets(archive: Archive, cases: list[Case], corpus, decoys: int, rng: random.Random,
                 topical: int = 0) -> dict:
    """Stand-in targets and decoys; returns what each case's target capture was (inside the window or not).

    `topical` decoys per case are the same story told elsewhere on the outlet: a slug and title from
    the citing article's headline, a body of its other paragraphs (never the cited sentence).
    """
    paras = [(name, p) for name, _, ps in corpus for p in ps]
    slugs = [c.url for _, ex, _ in corpus for c in ex.citations if c.kind == "link" and c.url and is_story(c.url)]
    placed: dict[str, str] = {}
    hosts: dict[str, tuple[str, date]] = {}
    for case in cases:
        if url_key(case.url) in placed:
            continue
        sentence = re.sub(re.escape(case.outlet).replace(r"\ ", r"\s+"), "", case.sentence, flags=re.I)
        filler = [p for n, p in rng.sample(paras, min(6, len(paras))) if n != case.page][:4] or [""]
        when = _url_day(case.url)
        inside = when is not None and abs((when - case.day).days) <= WINDOW_DAYS
        day = when if inside else case.day  # a story cited from an older date is captured when linked
        archive.add(case.url, stamp(day, rng), _html(_slug_title(case.url), [filler[0], sentence, *filler[1:]]))
        placed[url_key(case.url)] = "dated in window" if inside else "captured when cited"
        hosts.setdefault(urlsplit(case.url).hostname or "", (case.url, case.day))
    own = {name: ps for name, _, ps in corpus}
    for case in cases[: len(cases) if topical else 0]:
        host = urlsplit(case.url).hostname or ""
        words = re.findall(r"[a-z0-9]+", (case.title or "story").lower())[:8]
        body = [p for p in own.get(case.page, []) if case.sentence[:40] not in p] or ["(no text)"]
        for i in range(topical):
            when = case.day + timedelta(days=rng.randint(-WINDOW_DAYS, WINDOW_DAYS))
            slug = "-".join(words + [rng.choice(["update", "analysis", "live", "what-we-know", "explainer"])])
            archive.add(f"https://{host}/{when:%Y/%m/%d}/{slug}-{i}", stamp(when, rng),
                        _html(case.title or slug, rng.sample(body, min(4, len(body)))))
    hidden = {_last(c.url) for c in cases}  # a decoy never borrows a hidden page's own slug
    slugs = [u for u in slugs if _last(u) not in hidden]
    for host, (model, day) in hosts.items():
        dated = URL_DATE.search(urlsplit(model).path)
        for i in range(decoys):
            other = (_last(rng.choice(slugs)) if slugs else "") or f"story-{i}"
            when = day + timedelta(days=rng.randint(-WINDOW_DAYS, WINDOW_DAYS))
            path = f"/{when:%Y/%m/%d}/{other}" if dated else f"/news/{rng.randrange(10**6)}/{other}"
            body = [p for _, p in rng.sample(paras, min(4, len(paras)))]
            archive.add(f"{urlsplit(model).scheme}://{host}{path}", stamp(when, rng), _html(_slug_title(path), body))
    return placed


def run_outlets(base: str, archive: Archive, cases: list[Case]) -> dict:
    fetcher = Fetcher(Settings(allow_private=True, retries=0))
    tracer = Tracer(Wayback(fetcher, RateGate(0.0), base=base))
    rows = []
    for case in cases:
        before = archive.cdx_calls
        t = tracer.trace_outlet(case.outlet, case.day, case.sentence, title=case.title, text=case.text,
                                domains=outlet_domains(case.outlet))
        order = [url_key(c.url) for c in t.candidates]
        key = url_key(case.url)
        rank_only = next((c.listed_rank for c in t.candidates if url_key(c.url) == key), None)
        final = order.index(key) + 1 if key in order else None
        rows.append({"case": case, "final": final, "rank_only": rank_only, "status": t.status,
                     "cdx": t.cdx_calls, "fetches": t.fetches, "served_cdx": archive.cdx_calls - before,
                     "reason": t.reason})
    return {"rows": rows}


def tweet_cases(corpus, labels: Path) -> list[tuple[str, str, str, date]]:
    """(status URL, handle, text, day) for every corpus tweet with words and a known day."""
    out, seen = [], set()
    for name, ex, _ in corpus:
        label = labels / f"{name}.json"
        dates = {}
        if label.exists():
            dates = {t["url"].lower(): t.get("date") for t in json.loads(label.read_text()).get("tweets", [])}
        for c in ex.citations:
            if c.kind != "tweet" or not c.url or not c.text.strip():
                continue
            m = re.search(r"/([^/]+)/status(?:es)?/(\d+)", c.url)
            if not m or m[2] in seen:
                continue
            seen.add(m[2])
            day = dates.get(c.url.lower()) or c.date
            if int(m[2]) > 2**32:  # a snowflake id carries its time
                ms = (int(m[2]) >> 22) + TWITTER_EPOCH_MS
                day = datetime.fromtimestamp(ms / 1000, timezone.utc).date().isoformat()
            if day:
                out.append((f"https://twitter.com/{m[1]}/status/{m[2]}", m[1], c.text.strip(), date.fromisoformat(day)))
    return out


def seed_tweets(archive: Archive, tweets, decoys: int, rng: random.Random) -> None:
    texts = [t for _, _, t, _ in tweets]
    for url, handle, text, day in tweets:
        page = '<html><head><meta property="og:description" content="{0}"></head><body><p>{0}</p></body></html>'
        esc = lambda s: s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")  # noqa: E731
        archive.add(url, stamp(day, rng), page.format(esc(text)))
        sid = int(url.rsplit("/", 1)[1])
        for i in range(decoys):
            host = "x.com" if i % 3 == 2 else "twitter.com"
            when = day + timedelta(days=i % 2)
            archive.add(f"https://{host}/{handle}/status/{sid + 1000 * (i + 1)}", stamp(when, rng),
                        page.format(esc(rng.choice([t for t in texts if t != text]))))


def run_tweets(base: str, archive: Archive, tweets) -> list[dict]:
    wayback = Wayback(Fetcher(Settings(allow_private=True, retries=0)), RateGate(0.0), base=base)
    rows = []
    for url, handle, text, day in tweets:
        residue = find_residue(f"{text}\n— {handle} (@{handle}) {day:%B} {day.day}, {day.year}")
        t = trace_tweet(wayback, residue)
        found = t.traced.url if t.traced else None
        rows.append({"ok": found is not None and found.lower() == url.lower(), "cdx": t.cdx_calls,
                     "status": t.status, "reason": t.reason})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=CORPUS / "pages")
    ap.add_argument("--labels", type=Path, default=CORPUS / "labels")
    ap.add_argument("--decoys", type=int, default=40, help="decoy pages per outlet domain")
    ap.add_argument("--topical", type=int, default=0,
                    help="decoys per citation that retell the citing article's story on the outlet's domain")
    ap.add_argument("--tweet-decoys", type=int, default=8, help="decoy statuses per tweet")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if not args.pages.is_dir():
        raise SystemExit(f"corpus not found: {args.pages}")
    rng = random.Random(args.seed)
    corpus = read_corpus(args.pages)
    cases = outlet_cases(corpus)
    tweets = tweet_cases(corpus, args.labels)
    archive = Archive()
    placed = seed_outlets(archive, cases, corpus, args.decoys, rng, args.topical)
    seed_tweets(archive, tweets, args.tweet_decoys, rng)
    base = archive.serve()
    try:
        out = run_outlets(base, archive, cases)["rows"]
        tw = run_tweets(base, archive, tweets)
    finally:
        archive.close()

    def hit(rows, k, field="final"):
        return sum(1 for r in rows if r[field] is not None and r[field] <= k) / (len(rows) or 1)

    cdx = [r["cdx"] for r in out]
    print(f"Outlet citations with a hidden link: {len(out)} (from {len({r['case'].page for r in out})} pages, "
          f"{len({urlsplit(r['case'].url).hostname for r in out})} domains), "
          f"{len(archive.captures)} captures archived")
    print("| measure | value | target |\n| --- | --- | --- |")
    print(f"| Hit@1 (ranked, then checked) | {hit(out, 1):.3f} | ≥ {TARGETS['hit@1']} |")
    print(f"| Hit@5 (ranked, then checked) | {hit(out, 5):.3f} | ≥ {TARGETS['hit@5']} |")
    print(f"| Hit@1 / Hit@5 by ranking alone | {hit(out, 1, 'rank_only'):.3f} / {hit(out, 5, 'rank_only'):.3f} | |")
    print(f"| traced (a candidate verified) | {sum(r['status'] == 'traced' for r in out) / (len(out) or 1):.3f} | |")
    wrong = sum(r["status"] == "traced" and r["final"] != 1 for r in out)
    print(f"| traced to a wrong page (it verified too) | {wrong} of {len(out)} | |")
    print(f"| CDX calls per citation: median / max | {statistics.median(cdx) if cdx else 0} / {max(cdx, default=0)} "
          f"| ≤ {BUDGET} |")
    fetched = [r["fetches"] for r in out]
    print(f"| pages fetched per citation: median / max | {statistics.median(fetched) if fetched else 0} / "
          f"{max(fetched, default=0)} | |")
    print(f"| calls counted by the server = calls reported | {all(r['cdx'] == r['served_cdx'] for r in out)} | |")
    tcdx = [r["cdx"] for r in tw]
    print(f"| tweet residue → right status ({len(tw)} tweets) | {sum(r['ok'] for r in tw) / (len(tw) or 1):.3f} "
          f"| ≥ {TARGETS['tweet']} |")
    print(f"| CDX calls per residue: median / max | {statistics.median(tcdx) if tcdx else 0} / {max(tcdx, default=0)} "
          f"| ≤ {BUDGET} |")
    kinds = {}
    for r in out:
        kinds.setdefault(placed[url_key(r["case"].url)], []).append(r)
    for kind, rows in sorted(kinds.items()):
        print(f"| … targets {kind} ({len(rows)}) | Hit@1 {hit(rows, 1):.3f}, Hit@5 {hit(rows, 5):.3f} | |")
    misses = [r for r in out if r["final"] != 1]
    for r in misses:
        print(f"  miss: {r['case'].page} {r['case'].outlet}: {r['case'].url[:80]} → rank {r['final']} "
              f"({r['status']}, {r['reason']})", file=sys.stderr)
    over = [r for r in out + tw if r["cdx"] > BUDGET]
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
