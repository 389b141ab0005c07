"""Export the whole database for other tools: W3C PROV-JSON, plain JSON, or the chains as CSV.

JSON and CSV are the `chains` view as it is (here); PROV is the same provenance
in the W3C model, for tools that know nothing of this one (`w3c.py`). Writers
take an open text stream; nothing prints. Every export holds only text XML
accepts, and no CSV cell can run as a spreadsheet formula (`cells.py`).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TextIO

import sqlite_utils

from .. import __version__
from ..store import queries
from ..store.schema import schema_version
from .cells import spreadsheet_safe, xml_safe_row
from .w3c import build_prov

__all__ = ["FORMATS", "build_prov", "write", "write_csv", "write_json", "write_prov_json"]

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
    """Every row of the `chains` view, one step a line, in order; no cell runs as a formula."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHAIN_COLUMNS)
    for row in queries.chain_rows(db, CHAIN_COLUMNS):
        writer.writerow([spreadsheet_safe(cell) for cell in row])


def write_json(db: sqlite_utils.Database, out: TextIO) -> None:
    """Every article with its claims, each claim with the steps of its chains, written article by article.

    The `chains` view is read once, in its order (article, claim, step), and cut at each new article:
    asking it for one article at a time would walk every chain of the database each time.
    """
    head = {"provenance": __version__, "schema": schema_version(db), "exported_at": _now()}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "articles": [')
    articles = map(xml_safe_row, queries.export_articles(db, with_canonical=True))
    steps = map(xml_safe_row, queries.chain_steps(db, CHAIN_COLUMNS))
    pending = next(steps, None)
    for i, article in enumerate(articles):
        claims = list(map(xml_safe_row, queries.export_claims(db, article["id"], with_offsets=True)))
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


def write_prov_json(db: sqlite_utils.Database, out: TextIO) -> None:
    out.write(build_prov(db).serialize(format="json", indent=1) or "")
    out.write("\n")


def _now() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat()
