"""The database as a W3C PROV document, readable by tools that know nothing of this one
(the `prov` package, ProvStore, prov-convert, graph viewers).

    entities    articles, claims, citations, URLs, WARC captures, Wayback snapshots, verdicts,
                candidate pages tracing found, pages deep tracing reached
    activities  extraction (one per article), resolution (one per resolution row),
                archiving (one per capture), Wayback look-up (one per snapshot), check (one per
                verdict), tracing (one per traced citation), deep tracing (one per claim traced deeper)
    agents      the tool and its version; each run, acting on the tool's behalf;
                the outlets, authors, handles and speakers an article credits;
                the Wayback Machine

Every step of a chain is a `wasDerivedFrom` from the later thing to what it
rests on: claim ← citation ← (contained link | attributed outlet) ← URL ← final
URL ← capture or snapshot; a traced citation ← the candidate that verified it; the cited
page ← the page it cites ← … ← the primary source, and a copy `wasQuotedFrom` the page it
copies. What a run produced is `wasAttributedTo` that run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import sqlite_utils
from prov.constants import PROV
from prov.model import Namespace, ProvDocument

from .. import __version__
from ..models import Kind, SnapshotStatus, Verdict
from ..store import queries, trace_queries
from .cells import xml_safe_row

PV = Namespace("pv", "urn:x-provenance:")


def build_prov(db: sqlite_utils.Database) -> ProvDocument:
    """The whole database as one PROV document."""
    return _Builder(db).build()


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _attrs(**values) -> dict:
    """PROV attributes in our namespace, leaving out what we do not know (PROV has no null)."""
    return {f"pv:{k}": v for k, v in values.items() if v is not None and v != ""}


def _name(value: str) -> str:
    """A free-text name (an outlet, a handle) made safe as the local part of a qualified name."""
    return quote(value.strip().lower(), safe="")


class _Builder:
    """Walks the tables once each, adding their records to one document."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.doc = ProvDocument()
        self.doc.add_namespace(PV)
        self.agents: set[str] = set()
        self.tool = f"pv:tool/provenance-{__version__}"

    @staticmethod
    def safe(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Rows of the database with their text made safe for XML, so that the document converts to PROV-XML."""
        return map(xml_safe_row, rows)

    def build(self) -> ProvDocument:
        self.add_tool_and_runs()
        self.add_urls()
        for article in self.safe(queries.export_articles(self.db)):
            self.add_article(article)
        self.add_resolutions()
        self.add_captures()
        self.add_snapshots()
        self.add_checks()
        self.add_candidates()
        self.add_trace_of()
        return self.doc

    # --- agents ---------------------------------------------------------------------------------------

    def add_tool_and_runs(self) -> None:
        doc = self.doc
        doc.agent(
            self.tool,
            {
                "prov:type": PROV["SoftwareAgent"],
                "prov:label": f"provenance {__version__}",
                "pv:version": __version__,
            },
        )
        for run in self.safe(queries.export_runs(self.db)):
            doc.agent(
                f"pv:run/{run['id']}",
                {
                    "prov:type": PROV["SoftwareAgent"],
                    "prov:label": f"provenance {run['command']} run {run['id']}",
                    **_attrs(
                        command=run["command"],
                        version=run["version"],
                        started_at=run["started_at"],
                        status=run["status"],
                    ),
                },
            )
            doc.actedOnBehalfOf(f"pv:run/{run['id']}", self.tool)

    def by(self, run_id: int | None) -> str:
        """The agent responsible for what a run recorded: the run, or the tool when no run is known."""
        return f"pv:run/{run_id}" if run_id is not None else self.tool

    def credit(self, entity: str, kind: str, name: str | None, prov_type) -> None:
        """Attribute an entity to whoever the article says it comes from (an outlet, a handle, a speaker)."""
        if not name:
            return
        ident = f"pv:{kind}/{_name(name)}"
        if ident not in self.agents:
            self.doc.agent(ident, {"prov:type": prov_type, "prov:label": name})
            self.agents.add(ident)
        self.doc.wasAttributedTo(entity, ident)

    # --- what articles say ------------------------------------------------------------------------------

    def add_urls(self) -> None:
        self.url_ids = {}
        for row in self.safe(queries.export_urls(self.db)):
            self.url_ids[row["url"]] = row["id"]
            self.doc.entity(
                f"pv:url/{row['id']}",
                {
                    "prov:type": PV["URL"],
                    "prov:label": row["url"],
                    **_attrs(url=row["url"], host=row["host"], is_short=bool(row["is_short"])),
                },
            )

    def add_article(self, a: dict) -> None:
        doc, art, extraction = self.doc, f"pv:article/{a['id']}", f"pv:extraction/{a['id']}"
        doc.entity(
            art,
            {
                "prov:type": PV["Article"],
                "prov:label": a["title"] or a["source"],
                **_attrs(source=a["source"], url=a["url"], title=a["title"], published=a["published"]),
            },
        )
        self.credit(art, "outlet", a["outlet"], PROV["Organization"])
        self.credit(art, "author", a["author"], PROV["Person"])
        doc.activity(extraction, _time(a["audited_at"]), None, {"prov:type": PV["Extraction"]})
        doc.used(extraction, art)
        doc.wasAssociatedWith(extraction, self.by(a["run_id"]))
        self.add_citations(a, art, extraction)
        self.add_claims(a, extraction)

    def add_citations(self, a: dict, art: str, extraction: str) -> None:
        doc = self.doc
        citations = list(
            self.safe(queries.export_citations(self.db, a["id"]))
        )
        for c in citations:
            ent = f"pv:citation/{c['id']}"
            doc.entity(
                ent,
                {
                    "prov:type": PV["Citation"],
                    "prov:label": f"{c['kind']}: {c['handle'] or c['outlet'] or c['text']}",
                    **_attrs(kind=c["kind"], text=c["text"], url=c["url"], date=c["date"]),
                },
            )
            doc.wasGeneratedBy(ent, extraction)
            quotation = {"prov:type": PROV["Quotation"]} if c["kind"] == Kind.QUOTE else None
            doc.wasDerivedFrom(ent, art, extraction, other_attributes=quotation)
            if c["kind"] == Kind.TWEET:
                self.credit(ent, "handle", c["handle"], PROV["Person"])
            elif c["kind"] == "quote":
                self.credit(ent, "speaker", c["speaker"], PROV["Person"])
            elif c["kind"] == "outlet":
                self.credit(ent, "outlet", c["outlet"], PROV["Organization"])
            if c["url_id"] is not None:
                doc.wasDerivedFrom(ent, f"pv:url/{c['url_id']}", other_attributes=_attrs(rule="cites"))
        for c in citations:
            if c["parent_id"] is None:
                continue
            # A tweet rests on the link it contains; a quotation on the outlet it is attributed to.
            child, parent = f"pv:citation/{c['id']}", f"pv:citation/{c['parent_id']}"
            if c["kind"] == "quote":
                doc.wasDerivedFrom(child, parent, other_attributes=_attrs(rule="attributed-to"))
            else:
                doc.wasDerivedFrom(parent, child, other_attributes=_attrs(rule="contains"))

    def add_claims(self, a: dict, extraction: str) -> None:
        doc = self.doc
        for cl in self.safe(queries.export_claims(self.db, a["id"])):
            ent = f"pv:claim/{cl['id']}"
            doc.entity(
                ent,
                {
                    "prov:type": PV["Claim"],
                    "prov:label": cl["text"][:200],
                    **_attrs(kind=cl["kind"], text=cl["text"], status=cl["status"], seq=cl["seq"]),
                },
            )
            doc.wasGeneratedBy(ent, extraction)
            doc.wasAttributedTo(ent, self.by(a["run_id"]))
        for link in self.safe(queries.export_claim_links(self.db, a["id"])):
            doc.wasDerivedFrom(
                f"pv:claim/{link['claim_id']}",
                f"pv:citation/{link['citation_id']}",
                other_attributes=_attrs(rule=link["rule"], confidence=link["confidence"]),
            )
        for s in self.safe(queries.export_supports(self.db, a["id"])):
            doc.wasDerivedFrom(
                f"pv:claim/{s['claim_id']}",
                f"pv:claim/{s['supporting_claim_id']}",
                other_attributes=_attrs(rule="supports", confidence=s["confidence"]),
            )

    # --- what became of the URLs ------------------------------------------------------------------------

    def add_resolutions(self) -> None:
        doc = self.doc
        for r in self.safe(queries.export_resolutions(self.db)):
            hops = [
                f"{h['http_status'] or h['via']} {h['url']} -> {h['location']}"
                for h in self.safe(queries.hops_of(self.db, r["id"]))
            ]
            act = f"pv:resolution/{r['id']}"
            doc.activity(
                act,
                _time(r["checked_at"]),
                None,
                {
                    "prov:type": PV["Resolution"],
                    **_attrs(
                        status=r["status"],
                        reason=r["reason"],
                        http_status=r["http_status"],
                        hops=" | ".join(hops) or None,
                    ),
                },
            )
            doc.used(act, f"pv:url/{r['url_id']}")
            doc.wasAssociatedWith(act, self.by(r["run_id"]))
            final_id = self.url_ids.get(r["final_url"]) if r["final_url"] else None
            if final_id is not None and final_id != r["url_id"]:
                doc.wasGeneratedBy(f"pv:url/{final_id}", act)
                doc.wasDerivedFrom(
                    f"pv:url/{final_id}",
                    f"pv:url/{r['url_id']}",
                    act,
                    other_attributes=_attrs(rule="redirect", hops=len(hops)),
                )

    def add_captures(self) -> None:
        doc = self.doc
        for cap in self.safe(queries.export_captures(self.db)):
            act, ent = f"pv:archiving/{cap['id']}", f"pv:capture/{cap['id']}"
            doc.activity(act, _time(cap["captured_at"]), None, {"prov:type": PV["Archiving"]})
            doc.used(act, f"pv:url/{cap['url_id']}")
            doc.wasAssociatedWith(act, self.by(cap["run_id"]))
            doc.entity(
                ent,
                {
                    "prov:type": PV["WarcRecord"],
                    "prov:label": f"{cap['warc_file']}@{cap['offset']}",
                    **_attrs(
                        warc_file=cap["warc_file"],
                        offset=cap["offset"],
                        length=cap["length"],
                        record_type=cap["record_type"],
                        record_id=cap["record_id"],
                        payload_digest=cap["payload_digest"],
                        http_status=cap["http_status"],
                        truncated=cap["truncated"],
                    ),
                },
            )
            doc.wasGeneratedBy(ent, act, _time(cap["captured_at"]))
            doc.wasDerivedFrom(ent, f"pv:url/{cap['url_id']}", act)
            doc.wasAttributedTo(ent, self.by(cap["run_id"]))

    def add_snapshots(self) -> None:
        doc, wayback = self.doc, "pv:archive/wayback-machine"
        for s in self.safe(queries.export_snapshots(self.db)):
            act, ent = f"pv:wayback-lookup/{s['id']}", f"pv:snapshot/{s['id']}"
            doc.activity(
                act,
                _time(s["checked_at"]),
                None,
                {"prov:type": PV["WaybackLookup"], **_attrs(status=s["status"], reason=s["reason"])},
            )
            doc.used(act, f"pv:url/{s['url_id']}")
            doc.wasAssociatedWith(act, self.by(s["run_id"]))
            if not SnapshotStatus(s["status"]).is_archived or not s["snapshot_url"]:
                continue
            if wayback not in self.agents:
                doc.agent(
                    wayback,
                    {"prov:type": PROV["Organization"], "prov:label": "Internet Archive Wayback Machine"},
                )
                self.agents.add(wayback)
            doc.entity(
                ent,
                {
                    "prov:type": PV["WaybackSnapshot"],
                    "prov:label": s["snapshot_url"],
                    **_attrs(
                        snapshot_url=s["snapshot_url"],
                        timestamp=s["timestamp"],
                        distance_days=s["distance_days"],
                    ),
                },
            )
            doc.wasGeneratedBy(ent, act)
            doc.wasDerivedFrom(ent, f"pv:url/{s['url_id']}", act)
            doc.wasAttributedTo(ent, wayback)

    def add_checks(self) -> None:
        """A check is an activity that used the capture (and, for a drift, the snapshot) and generated
        its verdict; a quote or passage verdict bears on the claim it checked."""
        doc = self.doc
        for k in queries.export_checks(self.db):
            act, ent = f"pv:check/{k['id']}", f"pv:verdict/{k['id']}"
            doc.activity(act, _time(k["checked_at"]), None,
                         {"prov:type": PV["Check"], **_attrs(kind=k["kind"], against=k["against"])})
            doc.wasAssociatedWith(act, self.by(k["run_id"]))
            if k["capture_id"] is not None:
                doc.used(act, f"pv:capture/{k['capture_id']}")
            if k["snapshot_id"] is not None:
                doc.used(act, f"pv:snapshot/{k['snapshot_id']}")
            if k["claim_id"] is not None:
                doc.used(act, f"pv:claim/{k['claim_id']}")
            doc.entity(ent, {
                "prov:type": PV["Verdict"],
                "prov:label": f"{k['kind']} {k['verdict']}",
                **_attrs(kind=k["kind"], verdict=k["verdict"], score=k["score"], passage=k["passage"],
                         start=k["start"], end=k["end"], detail=k["detail"]),
            })
            doc.wasGeneratedBy(ent, act, _time(k["checked_at"]))
            doc.wasAttributedTo(ent, self.by(k["run_id"]))
            doc.wasDerivedFrom(ent, f"pv:url/{k['url_id']}", act)

    def _shared_activity(self, act: str, declared: set[str], kind: str, started_at, used: str, run_id) -> None:
        """An activity that several rows share (one tracing, many candidates), declared with the first of them."""
        if act in declared:
            return
        declared.add(act)
        self.doc.activity(act, _time(started_at), None, {"prov:type": PV[kind]})
        self.doc.used(act, used)
        self.doc.wasAssociatedWith(act, self.by(run_id))

    def add_candidates(self) -> None:
        """Tracing a vague citation is an activity that used the citation and generated its ranked candidate
        pages, each derived from its URL (and its raw copy, when kept); the citation rests on the one that
        verified the claim."""
        doc, traced = self.doc, set[str]()
        for k in self.safe(trace_queries.export_candidates(self.db)):
            act, ent = f"pv:tracing/{k['citation_id']}", f"pv:candidate/{k['id']}"
            self._shared_activity(act, traced, "Tracing", k["started_at"], f"pv:citation/{k['citation_id']}",
                                  k["run_id"])
            doc.entity(ent, {
                "prov:type": PV["Candidate"],
                "prov:label": f"candidate {k['rank']} ({k['source']})",
                **_attrs(source=k["source"], archive=k["archive"], timestamp=k["timestamp"], rank=k["rank"],
                         score=k["score"], verdict=k["verdict"]),
            })
            doc.wasGeneratedBy(ent, act)
            doc.wasDerivedFrom(ent, f"pv:url/{k['url_id']}", act)
            if k["capture_id"] is not None:
                doc.wasDerivedFrom(ent, f"pv:capture/{k['capture_id']}", act)
            if k["rank"] == 1 and k["verdict"] and Verdict(k["verdict"]).is_found:
                doc.wasDerivedFrom(f"pv:citation/{k['citation_id']}", ent, act, other_attributes=_attrs(rule="traced"))

    def add_trace_of(self) -> None:
        """Deep tracing a claim is an activity that used the claim and generated a page entity per page reached:
        the page that cited it is derived from it (down to the primary source), a copy is quoted from the page
        it copies, and each page read is a specialization of its article."""
        doc, traced = self.doc, set[str]()
        for t in self.safe(trace_queries.export_trace_of(self.db)):
            act, ent = f"pv:deep-tracing/{t['claim_id']}", f"pv:traced-page/{t['id']}"
            self._shared_activity(act, traced, "DeepTracing", t["started_at"], f"pv:claim/{t['claim_id']}",
                                  t["run_id"])
            doc.entity(ent, {
                "prov:type": PV["TracedPage"],
                "prov:label": f"depth {t['depth']}" + (" (primary source)" if t["is_primary"] else ""),
                **_attrs(depth=t["depth"], verdict=t["verdict"], score=t["score"], stop=t["stop"],
                         is_primary=bool(t["is_primary"]), wire=t["wire"]),
            })
            doc.wasGeneratedBy(ent, act)
            doc.wasDerivedFrom(ent, f"pv:url/{t['url_id']}", act)
            if t["article_id"] is not None:
                doc.specializationOf(ent, f"pv:article/{t['article_id']}")
            if t["parent_id"] is not None:
                doc.wasDerivedFrom(f"pv:traced-page/{t['parent_id']}", ent, act, other_attributes=_attrs(rule="cites"))
            elif t["citation_id"] is not None:
                doc.wasDerivedFrom(f"pv:citation/{t['citation_id']}", ent, act, other_attributes=_attrs(rule="traced"))
            if t["copy_of_id"] is not None:
                doc.wasQuotedFrom(ent, f"pv:traced-page/{t['copy_of_id']}")
