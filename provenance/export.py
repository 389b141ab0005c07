"""Export the whole database for other tools: W3C PROV-JSON, plain JSON, or the chains as CSV.

PROV lets the provenance we record be read by tools that know nothing of this
one (ProvStore, prov-convert, graph viewers). The mapping:

    entities    articles, claims, citations, URLs, WARC captures, Wayback snapshots
    activities  extraction (one per article), resolution (one per resolution row),
                archiving (one per capture), Wayback look-up (one per snapshot)
    agents      the tool and its version; each run, acting on the tool's behalf;
                the outlets, handles and speakers that articles and citations credit;
                the Wayback Machine

and every step of a chain is a `wasDerivedFrom` from the later thing to what it
rests on: claim ← citation ← (contained link | attributed outlet) ← URL ← final
URL ← capture or snapshot. Writers take an open text stream; nothing prints.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TextIO
from urllib.parse import quote

import sqlite_utils
from prov.constants import PROV
from prov.model import Namespace, ProvDocument

from . import __version__
from .db import schema_version

NAMESPACE = ("pv", "urn:x-provenance:")
PV = Namespace(*NAMESPACE)
FORMATS = ("prov-json", "json", "csv")


def write(db: sqlite_utils.Database, fmt: str, out: TextIO) -> None:
    """Write the database in `fmt` (one of FORMATS) to `out`."""
    {"prov-json": write_prov_json, "json": write_json, "csv": write_csv}[fmt](db, out)


# --- CSV and JSON: the chains view, as it is --------------------------------------------------------

CHAIN_COLUMNS = (
    "article_id",
    "claim_id",
    "chain",
    "step",
    "step_kind",
    "kind",
    "detail",
    "url",
    "status",
    "rule",
    "confidence",
    "citation_id",
    "resolution_id",
    "capture_id",
    "snapshot_id",
)


def write_csv(db: sqlite_utils.Database, out: TextIO) -> None:
    """Every row of the `chains` view, one step a line, in order."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHAIN_COLUMNS)
    for row in db.execute(f"SELECT {', '.join(CHAIN_COLUMNS)} FROM chains"):
        writer.writerow(row)


def write_json(db: sqlite_utils.Database, out: TextIO) -> None:
    """Every article with its claims, each claim with the steps of its chains, written article by article.

    The `chains` view is read once, in its order (article, claim, step), and cut at each new article:
    asking it for one article at a time would walk every chain of the database each time.
    """
    head = {"provenance": __version__, "schema": schema_version(db), "exported_at": _now()}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "articles": [')
    articles = db.query(
        "SELECT id, source, url, canonical_url, title, published, outlet, author, audited_at "
        "FROM articles ORDER BY id"
    )
    steps = db.query(f"SELECT {', '.join(CHAIN_COLUMNS)} FROM chains WHERE step_kind != 'claim'")
    pending = next(steps, None)
    for i, article in enumerate(articles):
        claims = list(
            db.query(
                'SELECT id, seq, kind, text, start, "end", status FROM claims '
                "WHERE article_id = ? ORDER BY seq",
                [article["id"]],
            )
        )
        by_claim: dict[int, list[dict]] = {}
        while pending is not None and pending["article_id"] <= article["id"]:
            if pending.pop("article_id") == article["id"]:
                by_claim.setdefault(pending.pop("claim_id"), []).append(pending)
            pending = next(steps, None)
        for claim in claims:
            claim["steps"] = by_claim.get(claim["id"], [])
        article["claims"] = claims
        out.write(("," if i else "") + "\n" + json.dumps(article, ensure_ascii=False))
    out.write("\n]}\n")


# --- W3C PROV --------------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


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


def build_prov(db: sqlite_utils.Database) -> ProvDocument:
    """The database as a PROV document (see the module docstring for the mapping)."""
    doc = ProvDocument()
    doc.add_namespace(PV)
    tool = doc.agent(
        f"pv:tool/provenance-{__version__}",
        {
            "prov:type": PROV["SoftwareAgent"],
            "prov:label": f"provenance {__version__}",
            "pv:version": __version__,
        },
    )
    for run in db.query("SELECT id, command, version, started_at, finished_at, status FROM runs ORDER BY id"):
        agent = doc.agent(
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
        doc.actedOnBehalfOf(agent, tool)

    def by(run_id):
        return f"pv:run/{run_id}" if run_id is not None else tool.identifier

    credited: set[str] = set()

    def credit(entity, kind: str, name: str | None, prov_type) -> None:
        """Attribute an entity to whoever the article says it comes from (an outlet, a handle, a speaker)."""
        if not name:
            return
        ident = f"pv:{kind}/{_name(name)}"
        if ident not in credited:
            doc.agent(ident, {"prov:type": prov_type, "prov:label": name})
            credited.add(ident)
        doc.wasAttributedTo(entity, ident)

    urls = {row["id"]: row for row in db.query("SELECT id, url, host, is_short FROM urls")}
    url_ids = {row["url"]: i for i, row in urls.items()}
    for uid, row in urls.items():
        doc.entity(
            f"pv:url/{uid}",
            {
                "prov:type": PV["URL"],
                "prov:label": row["url"],
                **_attrs(url=row["url"], host=row["host"], is_short=bool(row["is_short"])),
            },
        )

    for a in db.query(
        "SELECT id, source, url, title, published, outlet, author, audited_at, run_id FROM articles"
    ):
        art = doc.entity(
            f"pv:article/{a['id']}",
            {
                "prov:type": PV["Article"],
                "prov:label": a["title"] or a["source"],
                **_attrs(source=a["source"], url=a["url"], title=a["title"], published=a["published"]),
            },
        )
        credit(art, "outlet", a["outlet"], PROV["Organization"])
        credit(art, "author", a["author"], PROV["Person"])
        extraction = doc.activity(
            f"pv:extraction/{a['id']}", _time(a["audited_at"]), None, {"prov:type": PV["Extraction"]}
        )
        doc.used(extraction, art)
        doc.wasAssociatedWith(extraction, by(a["run_id"]))

        citations = list(
            db.query(
                "SELECT id, kind, text, url, url_id, outlet, handle, speaker, date, parent_id "
                "FROM citations WHERE article_id = ?",
                [a["id"]],
            )
        )
        for c in citations:
            ent = doc.entity(
                f"pv:citation/{c['id']}",
                {
                    "prov:type": PV["Citation"],
                    "prov:label": f"{c['kind']}: {c['handle'] or c['outlet'] or c['text']}",
                    **_attrs(kind=c["kind"], text=c["text"], url=c["url"], date=c["date"]),
                },
            )
            doc.wasGeneratedBy(ent, extraction)
            doc.wasDerivedFrom(
                ent,
                art,
                extraction,
                other_attributes={"prov:type": PROV["Quotation"]} if c["kind"] == "quote" else None,
            )
            if c["kind"] == "tweet":
                credit(ent, "handle", c["handle"], PROV["Person"])
            elif c["kind"] == "quote":
                credit(ent, "speaker", c["speaker"], PROV["Person"])
            elif c["kind"] == "outlet":
                credit(ent, "outlet", c["outlet"], PROV["Organization"])
            if c["url_id"] is not None:
                doc.wasDerivedFrom(ent, f"pv:url/{c['url_id']}", other_attributes=_attrs(rule="cites"))
        for c in citations:
            if c["parent_id"] is None:
                continue
            # A tweet rests on the link it contains; a quotation on the outlet it is attributed to.
            if c["kind"] == "quote":
                doc.wasDerivedFrom(
                    f"pv:citation/{c['id']}",
                    f"pv:citation/{c['parent_id']}",
                    other_attributes=_attrs(rule="attributed-to"),
                )
            else:
                doc.wasDerivedFrom(
                    f"pv:citation/{c['parent_id']}",
                    f"pv:citation/{c['id']}",
                    other_attributes=_attrs(rule="contains"),
                )

        for cl in db.query("SELECT id, seq, kind, text, status FROM claims WHERE article_id = ?", [a["id"]]):
            ent = doc.entity(
                f"pv:claim/{cl['id']}",
                {
                    "prov:type": PV["Claim"],
                    "prov:label": cl["text"][:200],
                    **_attrs(kind=cl["kind"], text=cl["text"], status=cl["status"], seq=cl["seq"]),
                },
            )
            doc.wasGeneratedBy(ent, extraction)
            doc.wasAttributedTo(ent, by(a["run_id"]))
        for link in db.query(
            "SELECT cc.claim_id, cc.citation_id, cc.rule, cc.confidence FROM claim_citations cc "
            "JOIN claims cl ON cl.id = cc.claim_id WHERE cl.article_id = ?",
            [a["id"]],
        ):
            doc.wasDerivedFrom(
                f"pv:claim/{link['claim_id']}",
                f"pv:citation/{link['citation_id']}",
                other_attributes=_attrs(rule=link["rule"], confidence=link["confidence"]),
            )
        for s in db.query(
            "SELECT s.claim_id, s.supporting_claim_id, s.confidence FROM claim_supports s "
            "JOIN claims cl ON cl.id = s.claim_id WHERE cl.article_id = ?",
            [a["id"]],
        ):
            doc.wasDerivedFrom(
                f"pv:claim/{s['claim_id']}",
                f"pv:claim/{s['supporting_claim_id']}",
                other_attributes=_attrs(rule="supports", confidence=s["confidence"]),
            )

    for r in db.query(
        "SELECT id, url_id, final_url, status, reason, http_status, checked_at, run_id "
        "FROM resolutions ORDER BY id"
    ):
        hops = [
            f"{h['http_status'] or h['via']} {h['url']} -> {h['location']}"
            for h in db.query(
                "SELECT url, http_status, location, via FROM hops WHERE resolution_id = ? ORDER BY seq",
                [r["id"]],
            )
        ]
        act = doc.activity(
            f"pv:resolution/{r['id']}",
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
        doc.wasAssociatedWith(act, by(r["run_id"]))
        final_id = url_ids.get(r["final_url"]) if r["final_url"] else None
        if final_id is not None and final_id != r["url_id"]:
            doc.wasGeneratedBy(f"pv:url/{final_id}", act)
            doc.wasDerivedFrom(
                f"pv:url/{final_id}",
                f"pv:url/{r['url_id']}",
                act,
                other_attributes=_attrs(rule="redirect", hops=len(hops)),
            )

    for cap in db.query(
        'SELECT id, url_id, warc_file, "offset", length, record_type, record_id, payload_digest, '
        "http_status, truncated, captured_at, run_id FROM captures ORDER BY id"
    ):
        act = doc.activity(
            f"pv:archiving/{cap['id']}", _time(cap["captured_at"]), None, {"prov:type": PV["Archiving"]}
        )
        doc.used(act, f"pv:url/{cap['url_id']}")
        doc.wasAssociatedWith(act, by(cap["run_id"]))
        ent = doc.entity(
            f"pv:capture/{cap['id']}",
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
        doc.wasAttributedTo(ent, by(cap["run_id"]))

    wayback = None
    for s in db.query(
        "SELECT id, url_id, status, timestamp, snapshot_url, distance_days, reason, checked_at, run_id "
        "FROM snapshots ORDER BY id"
    ):
        act = doc.activity(
            f"pv:wayback-lookup/{s['id']}",
            _time(s["checked_at"]),
            None,
            {"prov:type": PV["WaybackLookup"], **_attrs(status=s["status"], reason=s["reason"])},
        )
        doc.used(act, f"pv:url/{s['url_id']}")
        doc.wasAssociatedWith(act, by(s["run_id"]))
        if s["status"] not in ("found", "saved") or not s["snapshot_url"]:
            continue
        if wayback is None:
            wayback = doc.agent(
                "pv:archive/wayback-machine",
                {"prov:type": PROV["Organization"], "prov:label": "Internet Archive Wayback Machine"},
            )
        ent = doc.entity(
            f"pv:snapshot/{s['id']}",
            {
                "prov:type": PV["WaybackSnapshot"],
                "prov:label": s["snapshot_url"],
                **_attrs(
                    snapshot_url=s["snapshot_url"], timestamp=s["timestamp"], distance_days=s["distance_days"]
                ),
            },
        )
        doc.wasGeneratedBy(ent, act)
        doc.wasDerivedFrom(ent, f"pv:url/{s['url_id']}", act)
        doc.wasAttributedTo(ent, wayback)
    return doc


def write_prov_json(db: sqlite_utils.Database, out: TextIO) -> None:
    out.write(build_prov(db).serialize(format="json", indent=1))
    out.write("\n")
