"""Make a claim one click away from its chain in Datasette.

A claim's text (in the `claims` table) and every `claim_id` cell (in `chains`
and in the canned queries' results) link to the "Chain of one claim" query for
that claim, so a reader can go from any claim to its evidence by clicking.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

CHAIN_QUERY = "claim_chain"


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None:
        return None
    if table == "claims" and column == "text":
        claim_id, label = row["id"], value
    elif column == "claim_id" and table not in ("claim_citations", "claim_supports"):
        claim_id, label = value, value
    else:
        return None
    if not isinstance(claim_id, int):
        return None
    if CHAIN_QUERY not in (datasette.metadata("queries", database=database) or {}):
        return None
    href = f"{datasette.urls.database(database)}/{CHAIN_QUERY}?claim_id={claim_id}"
    return Markup(f'<a href="{escape(href)}" title="follow this claim to its evidence">{escape(label)}</a>')
