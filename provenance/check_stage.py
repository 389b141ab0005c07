"""The check stage: read each cited page back from the evidence kept, and record what it says.

It runs after archiving, on what the database and the WARC files hold, so `provenance
check` can run it again later with no network. For each URL an article cites:

- the live text is the main text of the latest capture of its final page (the WARC record,
  read back; a revisit is read through the record it refers to);
- the snapshot text is the main text of the Wayback snapshot nearest the article's date in
  its raw (`id_`) form, which archiving keeps in the WARC files as a capture like any other
  (`Archiver.keep_snapshot`); one found by an older run is fetched now, once;
- each quotation a claim rests on (directly or through its attribution) is looked for in
  the live text (else the snapshot text): a quote check; a claim that quotes nothing gets
  a passage check instead (a lexical match, not a proof);
- with a snapshot text and a live text (or a page now gone), a drift check compares them.

A URL that was never checked (an --offline audit) gets no check at all: `unavailable` is
for a page that answered but left no text to read.

Articles are checked in blocks (a batch grades those ready together; one article is a block
of one): the block's checks are grouped by page, so a page is read and indexed once for every
article of the block that cites it, and each article's rows are those of checking it alone.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from . import ingest
from .archive import raw_form
from .archive.warc import read_record
from .check import main_text
from .check.drift import check_drift
from .check.normalise import Folded, fold
from .check.passages import Sentences, check_passage
from .check.quotes import check_quote
from .check.verdict import Check
from .claims import _reach, children_index
from .models import CheckAgainst, CheckKind, Citation, Claim, Kind, LinkRule, Status, Verdict
from .run import RunContext
from .store import queries, writes

log = logging.getLogger("provenance.check")

# Texts of pages that look like HTML are read for their main text; plain text is taken as it is.
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
READ_AHEAD = 6  # pages whose texts are being read in another process while one is checked

Reader = Callable[..., "Future | None"]  # runs fn(*args) in another process: its future, or None if it cannot
Needs = tuple[bool, bool]  # what a page is read for: quote checks (its fold), passage checks (its index)
EVERY_NEED: Needs = (True, True)  # folded and indexed: what a page read outside a block is made ready for


def _media_type(ctype: str | None) -> str:
    return (ctype or "text/html").split(";")[0].strip().lower()


def is_text(ctype: str | None) -> bool:
    kind = _media_type(ctype)
    return kind in TEXT_TYPES or not kind


def read_text(body: bytes, ctype: str | None) -> str:
    """The text a page's payload is checked against: the main text of HTML, plain text as it is. A plain
    function of bytes, so it runs as well in another process (a batch's extraction workers)."""
    decoded, _ = ingest.decode(body, ingest.charset_of(ctype))
    return decoded if _media_type(ctype) == "text/plain" else main_text(decoded, None)


def prepare_text(body: bytes, ctype: str | None, needs: Needs = EVERY_NEED) -> bytes:
    """A page's text read, folded and indexed as `needs` says, then packed (`Text.unpack`): a batch runs
    this in its extraction workers (through `prepare_capture`), so that its writer's thread only unpacks
    the page, about a hundredth of the cost of reading and indexing it, and keeps it packed for the run's
    later articles."""
    text = Text(read_text(body, ctype), 0)
    text.prepare(*needs)
    return text.pack()


def prepare_capture(warc_dir: Path, source: dict, max_bytes: int, needs: Needs = EVERY_NEED) -> bytes | None:
    """`prepare_text` on the WARC record a capture row points at, read where it runs: the writer's thread
    then neither decompresses the record nor ships its payload. None when the record cannot be read or
    is not text (the writer then reads it itself, and says why as it always does)."""
    got = read_record(warc_dir, source, max_bytes)
    return prepare_text(*got, needs) if got is not None and is_text(got[1]) else None


@dataclass
class Text:
    """One readable text of a cited page and the evidence it was read from."""

    text: str
    capture_id: int
    _folded: Folded | None = None
    _sentences: Sentences | None = None

    def prepare(self, quotes: bool = True, passages: bool = True) -> None:
        """Fold it now for quote checks, index it for passage checks: what the checks at hand need (a
        passage check's index is made from the page's characters, not from its fold, which only a quote
        check reads; whatever a later check needs is made then)."""
        if quotes:
            _ = self.folded
        if passages:
            _ = self.sentences

    def pack(self) -> bytes:
        """The text with whatever of its index is made, pickled: kept for the run's later articles. Not
        compressed: a page is unpacked each time an article cites it once it has left the ready tier, and
        inflating took three times as long as unpickling (a page of 45,000 characters packed to about 146 KB
        with its fold, 43 KB compressed; indexed alone, it packs to about 83 KB)."""
        state = (self.text, self._folded, self._sentences)
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def unpack(cls, packed: bytes, capture_id: int) -> Text:
        """A text packed by `pack` (in this process or a batch's worker: never data from outside)."""
        text, folded, sentences = pickle.loads(packed)  # noqa: S301 - packed by `pack`
        return cls(text, capture_id, folded, sentences)

    @property
    def folded(self) -> Folded:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    @property
    def sentences(self) -> Sentences:
        if self._sentences is None:
            self._sentences = Sentences.of(self.text, self._folded)
        return self._sentences


@dataclass
class Page:
    """What is known of one cited URL for checking: its live text, its snapshot text, whether it is gone."""

    url: str
    checked: bool = False  # it was resolved to a definitive answer, so "no text" means something
    gone: bool = False
    live: Text | None = None
    snapshot: Text | None = None
    snapshot_id: int | None = None

    @property
    def best(self) -> tuple[Text | None, CheckAgainst]:
        if self.live is not None:
            return self.live, CheckAgainst.CAPTURE
        return self.snapshot, CheckAgainst.SNAPSHOT


class Checker:
    """The check stage on one run's context. A page's text is read from its WARC record and indexed once
    per block of articles checked together, and once per run while the run's page-text budget keeps it."""

    def __init__(self, ctx: RunContext, reader: Reader | None = None):
        self.ctx = ctx
        self.warc_dir = ctx.settings.warc_dir()
        self._texts = ctx.page_texts  # capture id → its text (or None: nothing readable)
        self.reader = reader  # runs `prepare_capture` in another process (a batch's extraction workers), or None
        self._pending: dict[int, Future] = {}  # capture id → its text being read there
        self._live: dict[str, tuple[int | None, str | None, dict | None]] = {}  # url → `_live_of`, for a block
        self._needs: dict[str, Needs] = {}  # url → what the block's checks on it need of its text

    # -- reading pages -------------------------------------------------------------------------
    def text_of(self, row: dict | None, needs: Needs = EVERY_NEED) -> Text | None:
        """The main text of the page a capture row keeps (a revisit: of the record it refers to), folded
        and indexed as `needs` says when it is read now."""
        if row is None:
            return None
        known, kept = self._texts.get(row["id"])
        if known:
            return kept
        pending = self._pending.pop(row["id"], None)
        packed = self._texts.packed_of(row["id"])
        if packed is not None:
            text: Text | None = Text.unpack(packed, row["id"])
        elif (read := self._read(row, pending, needs)) is not None:
            text, packed = read
            self._texts.pack(row["id"], packed)
        else:
            text = None
        self._texts.put(row["id"], text, len(text.text) if text else 0)
        return text

    def _source(self, row: dict) -> dict:
        """The capture row whose record holds the page: a revisit's, the record it refers to."""
        if row["record_type"] == "revisit" and row.get("refers_to"):
            return queries.capture_by_record_id(self.ctx.db, row["refers_to"]) or row
        return row

    def _payload(self, row: dict) -> tuple[bytes, str | None] | None:
        got = read_record(self.warc_dir, self._source(row), self.ctx.settings.max_bytes)
        return got if got is not None and is_text(got[1]) else None

    def _read(self, row: dict, pending: Future | None = None, needs: Needs = EVERY_NEED) -> tuple[Text, bytes] | None:
        """The text of a capture, indexed, and packed for later: as read and packed ahead in another process
        when it was, else read, indexed and packed here."""
        if pending is not None and not pending.cancel():  # not started over there: read here, not waited for
            try:
                packed = pending.result()
                if packed is not None:
                    return Text.unpack(packed, row["id"]), packed
            except Exception:  # noqa: BLE001 - read here instead, where an error is told as it always is
                pass
        got = self._payload(row)
        if got is None:
            return None
        try:
            text = Text(read_text(*got), row["id"])
        except Exception as e:  # noqa: BLE001 - one unreadable page is `unavailable`, never a stopped audit
            log.warning("could not read the text of %s@%s: %s", row["warc_file"], row["offset"], e)
            return None
        text.prepare(*needs)
        return text, text.pack()

    def _read_ahead(self, url: str) -> None:
        """Send the live capture of `url` to be read and indexed in another process, unless the run knows
        its text."""
        _, _, row = self._live_of(url)
        if row is None or row["id"] in self._pending or self._texts.knows(row["id"]) or self.reader is None:
            return
        future = self.reader(prepare_capture, self.warc_dir, self._source(row), self.ctx.settings.max_bytes,
                             self._needs.get(url, EVERY_NEED))
        if future is not None:
            self._pending[row["id"]] = future

    def _live_of(self, url: str) -> tuple[int | None, str | None, dict | None]:
        """A URL's id, its latest status (None: never resolved) and the capture row of the page it leads to
        when it is alive: looked up once a block (reading ahead asks first)."""
        if url not in self._live:
            uid = queries.known_url_id(self.ctx.db, url)
            resolution = queries.known_resolution(self.ctx.db, uid) if uid is not None else None
            live = None
            if resolution and resolution[1] and resolution[2] == Status.ALIVE:
                live = queries.copy_of(self.ctx.db, resolution[1])
            self._live[url] = (uid, resolution[2] if resolution else None, live)
        return self._live[url]

    def page(self, url: str) -> Page:
        page = Page(url)
        db = self.ctx.db
        uid, known, live = self._live_of(url)
        if known is not None:
            status = Status(known)
            page.checked, page.gone = status.is_definitive, status.is_broken
        needs = self._needs.get(url, EVERY_NEED)
        page.live = self.text_of(live, needs)
        snaps = queries.best_snapshots(db, uid) if uid is not None else []
        if snaps and snaps[0]["snapshot_url"]:
            page.snapshot_id = snaps[0]["id"]
            page.snapshot = self._snapshot_text(snaps[0], needs)
        return page

    def _snapshot_text(self, snap: dict, needs: Needs = EVERY_NEED) -> Text | None:
        """The snapshot's text from the WARC files (archiving kept it; an older run's is fetched now)."""
        raw = raw_form(snap["snapshot_url"])
        row = queries.copy_of(self.ctx.db, raw)
        if row is None and self.ctx.archiver.keep_snapshot(snap["snapshot_url"]) is not None:
            row = queries.copy_of(self.ctx.db, raw)
        return self.text_of(row, needs)  # the run's own copy: indexed once for every article citing the page

    # -- checking ------------------------------------------------------------------------------
    def check_article(self, article_id: int, claim_id: int | None = None) -> list[dict]:
        """Check every claim of one recorded article (or only `claim_id`) against its cited pages, and
        each cited page against its snapshot; the verdicts replace the earlier ones. Returns the rows."""
        return self.check_articles([article_id], claim_id)[article_id]

    def check_articles(self, article_ids: list[int], claim_id: int | None = None) -> dict[int, list[dict]]:
        """Check a block of recorded articles page by page: each page cited in the block is read and
        indexed once and every check on it run together, however many articles cite it and whatever
        the run's page-text budget has let go since. Each article's rows, and the order they are
        written in, are those of checking the articles one after another. Returns article id → rows."""
        work: list[_Work] = []
        articles: list[_Article] = []
        for article_id in article_ids:
            citations, claims = queries.article_claims(self.ctx.db, article_id)
            if claim_id is not None:
                claims = {claim_id: claims[claim_id]} if claim_id in claims else {}
            article = _Article(article_id, list(claims))
            children = children_index(citations)
            for claim in claims.values():
                for url, target, quotes in _targets(claim, citations, children):
                    article.pages.setdefault(url, len(article.pages))
                    article.work.append(_Work(article, claim, url, target, quotes))
                    work.append(article.work[-1])
            articles.append(article)
        by_page: dict[str, list[_Work]] = {}
        for item in work:
            by_page.setdefault(item.url, []).append(item)
        urls = list(by_page)
        # A page's text is folded for the block's quote checks on it and indexed for its passage checks.
        self._needs = {url: (any(i.quotes for i in items), any(not i.quotes for i in items))
                       for url, items in by_page.items()}
        try:
            for i, url in enumerate(urls):
                if self.reader is not None:  # the next pages' texts are read over there while this one is checked
                    for ahead in urls[i : i + READ_AHEAD] if i == 0 else urls[i + READ_AHEAD - 1 : i + READ_AHEAD]:
                        self._read_ahead(ahead)
                self._check_page(self.page(url), by_page[url])
        finally:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
            self._live.clear()
            self._needs.clear()
        out = {}
        for article in articles:
            drifted = article.drift_order()
            rows = [row for item in article.work for row in item.rows] + [article.drift[u] for u in drifted]
            writes.replace_checks(self.ctx.db, self.ctx.run_id, article.claims, rows, drifted)
            out[article.article_id] = rows
        return out

    def _check_page(self, page: Page, items: list[_Work]) -> None:
        """Every check of the block on one page, then its drift check for each article citing it (with the
        article's own words, so computed once for each different set of words)."""
        citing: dict[int, _Article] = {}  # by id: the articles citing the page
        words: dict[int, list[str]] = {}  # ... and the words of each found there
        for item in items:
            if not page.checked and page.live is None and page.snapshot is None:
                continue  # never checked (offline): nothing to say about the page yet
            text, against = page.best
            quotes, claim = item.quotes, item.claim
            checks = ([(check_quote(q.text, text.folded if text else None), q.text) for q in quotes]
                      if quotes else [(check_passage(claim.text, text.sentences if text else None), claim.text)])
            found = words.setdefault(id(item.article), [])
            citing[id(item.article)] = item.article
            for check, said in checks:
                if Verdict(check.verdict).is_found:
                    found.append(said)
                item.rows.append(_row(check, page, against, text, claim.id, item.target.id))
        if page.snapshot is None or (page.live is None and not page.gone):
            return
        drifts: dict[str | None, dict] = {}
        for key, article in citing.items():
            first = words[key][0] if words[key] else None
            if first not in drifts:
                check = check_drift(page.snapshot.text, page.live.text if page.live else None, gone=page.gone,
                                    words=first)
                drifts[first] = _row(check, page, CheckAgainst.LIVE, page.live, None, None)
            article.drift[page.url] = drifts[first]


@dataclass
class _Article:
    """One article of a block being checked: its claims, the pages it cites (in the order it first cites
    them), its checks as they are done, and the drift check of each page it cites."""

    article_id: int
    claims: list[int]
    pages: dict[str, int] = field(default_factory=dict)
    work: list[_Work] = field(default_factory=list)
    drift: dict[str, dict] = field(default_factory=dict)

    def drift_order(self) -> list[str]:
        return sorted(self.drift, key=self.pages.__getitem__)


@dataclass
class _Work:
    """One claim's checks on one page it cites, and the rows they gave."""

    article: _Article
    claim: Claim
    url: str
    target: Citation
    quotes: list[Citation]
    rows: list[dict] = field(default_factory=list)


def _targets(claim: Claim, citations: dict[int, Citation],
             children: dict[int, list[Citation]]) -> list[tuple[str, Citation, list[Citation]]]:
    """The pages a claim cites (directly, through a tweet's links, or through a quote's attribution),
    each with the quotations the claim rests on."""
    direct = [link.citation for link in claim.citations if link.rule != LinkRule.SUPPORTS]
    reached = _reach(direct, citations, children)
    quotes = [c for c in reached if c.kind == Kind.QUOTE and c.text]
    seen: dict[str, Citation] = {}
    for c in reached:
        if c.url and Kind(c.kind).is_page and c.url not in seen:
            seen[c.url] = c
    return [(url, c, quotes) for url, c in seen.items()]


def _row(check: Check, page: Page, against: CheckAgainst, text: Text | None, claim_id: int | None,
         citation_id: int | None) -> dict:
    evidence = {"before": check.before, "after": check.after, "differences": check.differences,
                "reasons": check.reasons, "counts": check.counts, "cited_changed": check.cited_changed,
                "matches": check.matches}
    kind = CheckKind(check.kind)
    return {
        "claim_id": claim_id, "citation_id": citation_id, "url": page.url, "kind": kind.value,
        "against": against.value,
        "capture_id": text.capture_id if text else None,
        "snapshot_id": page.snapshot_id if (against is not CheckAgainst.CAPTURE) else None,
        "verdict": Verdict(check.verdict).value, "score": round(check.score, 3), "passage": check.passage,
        "start": check.start, "end": check.end, "detail": check.detail or None,
        "evidence": json.dumps({k: v for k, v in evidence.items() if v not in (None, "", [], {})}) or None,
    }
