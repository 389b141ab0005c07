"""What Datasette shows a reader of a provenance database, beyond the metadata.

- A claim is one click away from its chain: a claim's text (in the `claims`
  table) and every `claim_id` cell (in `chains` and in the canned queries'
  results) link to the "Chain of one claim" query for that claim.
- An article is named by its id, with its headline as the link's title, so a
  table of claims does not repeat a long headline on every row; so is a
  citation's URL row, whose address the next column already shows.
- Codes written for programs are shown in words: where a citation was found
  (`found_in` holds the words beside their code, `found_by`: "link in the text"
  for `link`) and why a claim leans on it (`paragraph-outlet` → "outlet at the
  paragraph's end"); the code stays in
  the cell's title, in the JSON and CSV, and in filters.
- A small stylesheet keeps facet values (article headlines) from breaking in
  the middle of a word.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from provenance.report.words import found_words, rule_words

CHAIN_QUERY = "claim_chain"
STYLESHEET = "/-/provenance.css"
# Datasette's facet lists break values anywhere (`word-break: break-all`); headlines read better whole.
CSS = """
ul.tight-bullets li { word-break: normal; overflow-wrap: break-word; }
""".lstrip()


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None:
        return None
    if column == "article_id":
        return _short_link(value, "articles", "article", database, datasette)
    if column == "url_id" and table == "citations":  # the next column shows the URL already
        return _short_link(value, "urls", "URL", database, datasette)
    if column == "found_in" and isinstance(value, str):
        code = _cell(row, "found_by")  # the words are recorded beside their code; older rows hold a code
        return _worded(value, code) if code else _worded(found_words(value), value)
    if column in ("found_by", "cue") and isinstance(value, str):  # codes for programs: words for people
        words = found_words(value, _cell(row, "cue")) if column == "found_by" else found_words("according-to", value)
        return _worded(words, value)
    if column == "rule" and isinstance(value, str):
        return _worded(rule_words(value), value)
    return _claim_link(row, value, column, table, database, datasette)


def _cell(row, column: str):
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


def _worded(words: str, code: str) -> Markup | None:
    if words == code:
        return None
    return Markup(f'<span title="{escape(code)}">{escape(words)}</span>')


def _short_link(value, table: str, word: str, database, datasette) -> Markup | None:
    """`article 3`, its headline as the link's title: an expanded foreign key arrives as {value, label}."""
    row_id, label = (value.get("value"), value.get("label")) if isinstance(value, dict) else (value, None)
    if not isinstance(row_id, int):
        return None
    href = f"{datasette.urls.table(database, table)}/{row_id}"
    hover = f' title="{escape(label)}"' if label and label != row_id else ""
    return Markup(f'<a href="{escape(href)}"{hover}>{escape(word)} {row_id}</a>')


def _claim_link(row, value, column, table, database, datasette) -> Markup | None:
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


async def _stylesheet():
    return Response(CSS, content_type="text/css; charset=utf-8")


@hookimpl
def register_routes():
    return [(r"^/-/provenance\.css$", _stylesheet)]


@hookimpl
def extra_css_urls():
    return [STYLESHEET]
