"""The terminal and Markdown reports, and `show`: what a reader sees, and that web text cannot take over
the terminal."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from provenance import report
from provenance.cli import app
from provenance.errors import NotFound
from provenance.models import Resolution, Status
from provenance.store import schema as database
from provenance.store import writes

from .conftest import SEED
from .report_example import EVIL_CLAIM, FINAL, TCO, X_URL, claim_id, hostile, recorded

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def example(db_path):
    return recorded(db_path)


def test_claims_come_in_article_order_each_with_status_and_strongest_chain(example):
    db, article_id = example
    text = report.render_text(report.load(db, article_id), width=200)
    lines = text.splitlines()
    post = next(i for i, line in enumerate(lines) if "Putin and Macron spoke by phone" in line)
    assert "archived" in lines[post]
    assert lines[post + 1].strip() == (
        "tweet @United24media → t.co/Cnqgv5qgwV → 301 → 302 → "
        "twitter.com/United24media/status/1940000000000000000 → 200 alive → "
        "captured → Wayback 2025-07-01"
    )
    order = [
        text.index(s)
        for s in (
            "Macron and Putin’s rare two-hour call resonates",
            "Macron urged Putin",
            "Putin and Macron spoke by phone",
            "Moving forward",
        )
    ]
    assert order == sorted(order)
    # a quote leads to the outlet it is attributed to; a bullet borrows its supporter's chain
    assert "quote French presidential office → outlet france24.com → no specific page" in text
    assert "supported by claim 10 → quote French presidential office" in text


def test_summary_counts_statuses_and_the_dead_link_rate(example):
    db, article_id = example
    r = report.load(db, article_id)
    assert r.summary()["claims"] == {"verified": 0, "archived": 1, "sourced": 0, "vague": 8, "broken": 0,
                                     "disputed": 0, "unsourced": 3}
    assert r.summary()["dead_link_rate"] == 0.0
    writes.record_resolution(
        db, None, Resolution(url=TCO, final_url=None, status=Status.DEAD, http_status=404, reason="http_404")
    )
    r = report.load(db, article_id)
    assert r.summary()["urls_dead"] == 1 and r.summary()["dead_link_rate"] == 1.0
    text = report.render_text(r, width=200)
    assert "12 claims: 0 verified, 1 archived, 0 sourced, 8 vague, 0 broken, 0 disputed, 3 unsourced" in text
    assert "dead-link rate 100%" in text
    assert "404 dead" in text  # the latest resolution counts


def test_citations_table_says_where_each_was_found_how_it_resolved_and_what_is_archived(example):
    db, article_id = example
    text = report.render_text(report.load(db, article_id), width=220)
    row = next(line for line in text.splitlines() if "short link" in line)
    assert "t.co/Cnqgv5qgwV" in row and "in tweet 1" in row
    assert re.search(r"301 → 302 → twitter\.com/United24media/status/1940\S* → 200 alive", row)
    assert "captured, Wayback 2025-07-01" in row


def test_plain_output_has_no_escape_codes_and_colour_output_does(example):
    db, article_id = example
    r = report.load(db, article_id)
    assert "\x1b" not in report.render_text(r)
    coloured = report.render_text(r, color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured).split() == report.render_text(r).split()


@pytest.mark.parametrize("color", [False, True])
def test_web_text_cannot_send_escape_sequences_or_markup_to_the_terminal(db_path, color):
    db, article_id = hostile(db_path)
    r = report.load(db, article_id)
    for text in (
        report.render_text(r, color=color, width=300),
        report.show(db, claim_id(db, article_id, 1), color=color, width=300),
        report.show(db, article_id, article=True, color=color, width=300),
    ):
        assert "\x07" not in text and "\x1b]" not in text and "\x1b[2J" not in text and "\x1b[31m" not in text
        assert "\u202e" not in text, "no bidi override may reorder what the reader sees"
        # rich markup in titles and claims is shown as the characters it is, not read as a style
        if not color:
            assert "\x1b" not in text
    text = report.render_text(r, color=color, width=300)
    assert "[red]Evil[/red]" in ANSI.sub("", text)
    assert "Markup [bold]here[/bold]" in ANSI.sub("", text)


def test_show_draws_a_claim_as_a_tree_with_every_piece_of_evidence(example):
    db, article_id = example
    text = report.show(db, claim_id(db, article_id, 6), width=300)
    lines = [line.rstrip() for line in text.splitlines()]
    assert lines[0].startswith("claim 6 archived post: ⚡️ Putin and Macron spoke by phone")
    depth = {
        key: next(len(line) - len(line.lstrip("│ └├─")) for line in lines if key in line)
        for key in ("tweet 1: @United24media", f"short link 2: {TCO}", "hop 1:")
    }
    assert depth["tweet 1: @United24media"] < depth[f"short link 2: {TCO}"] < depth["hop 1:"]
    assert f"hop 1: 301 http {TCO} → {X_URL}" in text
    assert f"hop 2: 302 http {X_URL} → {FINAL}" in text
    assert f"final: {FINAL}" in text
    assert (
        "capture: response provenance-20261130.warc.gz @0+48213, digest sha1:2C5KSXJ4JUFWZ7TO5OL7ANZGZ4L4FQ7V"
        in text
    )
    assert (
        "snapshot: found 2025-07-01, within a day of the article: https://web.archive.org/web/20250701120000/"
        in text
    )
    # the linking rule in words; its code is for programs (JSON, the database)
    assert "(the embedded post's text, 0.95)" in text and "(inside it)" in text
    assert "embedded-post" not in text


def test_show_of_an_article_lists_every_claim_and_unknown_ids_are_not_found(example):
    db, article_id = example
    text = report.show(db, article_id, article=True, width=300)
    assert text.count("\nclaim ") + text.startswith("claim ") == 12
    with pytest.raises(NotFound):
        report.show(db, 999)
    with pytest.raises(NotFound):
        report.show(db, 999, article=True)


def test_show_command_takes_plain_claim_and_article_ids(example, db_path):
    db, article_id = example
    runner = CliRunner()
    plain = runner.invoke(app, ["show", "6", "--db", str(db_path)])
    assert plain.exit_code == 0, plain.output
    assert plain.output == runner.invoke(app, ["show", "claim:6", "--db", str(db_path)]).output
    art = runner.invoke(app, ["show", f"article:{article_id}", "--db", str(db_path)])
    assert (
        art.exit_code == 0
        and art.output
        == runner.invoke(app, ["show", str(article_id), "--article", "--db", str(db_path)]).output
    )
    assert "article 1: Macron and Putin’s rare two-hour call" in art.output
    missing = runner.invoke(app, ["show", "999", "--db", str(db_path)])
    assert missing.exit_code == 1 and "no claim 999" in missing.output
    bad = runner.invoke(app, ["show", "citation:3", "--db", str(db_path)])
    assert bad.exit_code == 2


def test_markdown_keeps_hostile_text_inert_and_links_only_web_urls(db_path):
    db, article_id = hostile(db_path)
    text = report.render_markdown(report.load(db, article_id))
    assert not re.search(r"(?<!\\)<", text), "every < is escaped, so no tag reaches a Markdown renderer"
    assert "\x1b" not in text
    assert "](javascript:" not in text
    assert "\\<img src=x onerror=alert\\('claim'\\)\\>" in text
    for row in (line for line in text.splitlines() if line.startswith("| ") and "---" not in line):
        # escaped pipes do not split a cell: every row has as many cells as its header
        assert len(re.split(r"(?<!\\)\|", row)) in (6, 7)


def test_markdown_report_of_the_example(example):
    db, article_id = example
    text = report.render_markdown(report.load(db, article_id))
    assert text.startswith("# Macron and Putin’s rare two\\-hour call") or text.startswith(
        "# Macron and Putin’s rare two-hour call"
    )
    assert (
        f"[t.co/Cnqgv5qgwV]({TCO}) → 301 → 302 → "
        f"[twitter.com/United24media/status/1940000000000000000]({FINAL})" in text
    )
    assert EVIL_CLAIM not in text


def test_audit_prints_the_report_plain_when_not_a_terminal(db_path):
    result = CliRunner().invoke(app, ["audit", str(SEED), "--offline", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "tweet @United24media → t.co/Cnqgv5qgwV → not checked yet (offline run)" in result.output
    assert re.search(
        r"\d+ claims: 0 verified, 0 archived, \d+ sourced, \d+ vague, 0 broken, 0 disputed, \d+ unsourced",
        result.output
    )


def test_audit_json_gives_each_claim_its_database_id_and_strongest_chain(db_path):
    import json

    result = CliRunner().invoke(
        app, ["audit", str(SEED), "--offline", "--db", str(db_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    post = next(c for c in doc["claims"] if c["kind"] == "post")
    assert [step["text"] for step in post["chain"]] == [
        "tweet @United24media",
        "t.co/Cnqgv5qgwV",
        "not checked yet (offline run)",
    ]
    assert post["chain"][1]["url"] == TCO
    db = database.connect(db_path)
    assert (
        db.execute("SELECT text FROM claims WHERE id = ?", [post["claim_id"]]).fetchone()[0] == post["text"]
    )


def test_urls_not_checked_definitively_count_neither_way_in_the_dead_link_rate(example):
    """The dead-link rate is dead and soft-404 over URLs checked definitively (alive, dead, soft-404):
    a URL that could not be checked (timeout, error, robots, …) or was not asked is neither."""
    db, article_id = example
    db.execute("UPDATE captures SET resolution_id = NULL")  # forget what the example resolved
    db.execute("DELETE FROM hops")
    db.execute("DELETE FROM resolutions")
    for status in (Status.SKIPPED, Status.REFUSED, Status.DEFERRED, Status.OFFLINE, Status.TIMEOUT, Status.ERROR):
        writes.record_resolution(db, None, Resolution(url=TCO, final_url=None, status=status, reason="x"))
        s = report.load(db, article_id).summary()
        assert s["urls_checked"] == 0 and s["dead_link_rate"] is None, status
    writes.record_resolution(db, None, Resolution(url=TCO, final_url=TCO, status=Status.DEAD, http_status=404))
    assert report.load(db, article_id).summary()["dead_link_rate"] == 1.0


@pytest.mark.parametrize("width", [60, 80, 200])
def test_urls_are_never_chopped_into_pieces_at_any_width(example, width):
    """A URL is on one line whole, or cut once after its host with an ellipsis; `show` has it whole."""
    db, article_id = example
    for color in (False, True):
        text = ANSI.sub("", report.render_text(report.load(db, article_id), color=color, width=width))
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= width
        assert not [line for line in lines if line != line.rstrip()], "no padding at the ends of lines"
        for whole in ("t.co/Cnqgv5qgwV", FINAL.split("://")[1]):
            host = whole.split("/")[0]
            assert any(whole in line for line in lines), f"{whole} whole on one line"
            for token in re.findall(re.escape(host) + r"/\S*", text):
                assert token == whole or (token.endswith("…") and whole.startswith(token[:-1])), token
            for line in lines:  # no line starts with the tail of a URL cut off on the line above
                assert not re.match(r"\s*[\w/]*\d{6,}\b", line), line


def test_piped_and_written_text_has_no_trailing_spaces(db_path, tmp_path):
    out = tmp_path / "audit.txt"
    runner = CliRunner()
    piped = runner.invoke(app, ["audit", str(SEED), "--offline", "--db", str(db_path)])
    written = runner.invoke(app, ["audit", str(SEED), "--offline", "--db", str(db_path), "-o", str(out)])
    assert piped.exit_code == 0 and written.exit_code == 0, piped.output + written.output
    for text in (piped.output, out.read_text(encoding="utf-8")):
        assert "Citations" in text
        assert [line for line in text.splitlines() if line != line.rstrip()] == []
    shown = runner.invoke(app, ["show", "1", "--article", "--db", str(db_path)])
    assert shown.exit_code == 0 and [ln for ln in shown.output.splitlines() if ln != ln.rstrip()] == []


def test_show_keeps_every_url_whole_at_80_columns(example):
    db, article_id = example
    text = report.show(db, claim_id(db, article_id, 6), width=80)
    lines = text.splitlines()
    for url in (TCO, X_URL, FINAL):
        assert any(url in line for line in lines), url
    assert not [line for line in lines if line != line.rstrip()]


def test_each_snapshot_outcome_shows_once_however_many_audits_looked_it_up(example):
    """Four audits that found no Wayback copy, and two that found the same one: one line each."""
    from provenance.models import Snapshot

    from .report_example import WAYBACK

    db, article_id = example
    for i in range(4):
        writes.record_snapshot(
            db, None, Snapshot(url=TCO, status="unknown", reason="cdx_error", checked_at=f"2026-11-30T0{i}:00:00")
        )
    writes.record_snapshot(
        db, None,
        Snapshot(url=TCO, status="found", timestamp="20250701120000", snapshot_url=WAYBACK, http_status=200,
                 distance_days=0.5, target_date="2025-07-01", checked_at="2026-11-30T05:00:00+00:00"),
    )
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 6, "the table keeps the history"
    shown = report.show(db, claim_id(db, article_id, 6), width=300)
    assert shown.count("snapshot: unknown (cdx_error)") == 1
    assert shown.count("snapshot: found 2025-07-01") == 1
    page = report.render_html(report.load(db, article_id))
    chain = page[page.index(f'id="claim-{claim_id(db, article_id, 6)}"') :]
    chain = chain[: chain.index("</section>")]
    assert chain.count("Wayback: unknown (cdx_error)") == 1 and chain.count("Wayback: found 2025-07-01") == 1


def test_a_url_never_asked_says_so_without_a_checked_time_and_no_url_shows_twice(db_path):
    from .conftest import EXAMPLES

    source = str(EXAMPLES / "council-bridge.html")
    result = CliRunner().invoke(app, ["audit", source, "--offline", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    db = database.connect(db_path)
    article_id = db.execute("SELECT id FROM articles").fetchone()[0]
    shown = report.show(db, article_id, article=True, width=200)
    assert "not checked yet (offline run)" in shown
    assert "resolved: not checked" not in shown and "checked 20" not in shown, "not 'not checked … checked <time>'"
    page = report.render_html(report.load(db, article_id))
    assert "checked 20" not in page
    for text in (result.output, re.sub(r"<[^>]+>", " ", page)):
        rows = [line for line in text.splitlines() if "youtube.com/watch" in line]
        assert rows and all(line.count("youtube.com/watch") == 1 for line in rows), rows


def test_every_linking_rule_and_where_code_the_extractors_write_has_words():
    """A new rule or find in the extractors must not reach a reader as a bare code."""
    import pathlib

    from provenance.models import CUE_WORDS, FOUND_WORDS, FoundBy, LinkRule
    from provenance.report.words import found_words, rule_words

    root = pathlib.Path(report.__file__).parents[1]
    claims_src = (root / "claims.py").read_text(encoding="utf-8")
    rules = set(re.findall(r"LinkRule\.([A-Z_]+)", claims_src))
    assert {"INLINE", "PARAGRAPH_OUTLET", "ACCORDING_TO"} <= rules
    for rule in LinkRule:  # every rule the vocabulary has, the extractors' and the chain's
        assert rule_words(rule.value) != rule.value.replace("-", " "), f"no words for the rule {rule}"
    extract_src = "".join(p.read_text(encoding="utf-8") for p in (root / "extract").glob("*.py"))
    written = set(re.findall(r"FoundBy\.([A-Z_]+)", extract_src))
    assert {"LINK", "EMBEDDED_TWEET", "ACCORDING_TO", "PARAGRAPH_OUTLET", "TWEET_RESIDUE"} <= written
    for code in FoundBy:  # each code has its words in the one table, and that is what readers get
        assert FOUND_WORDS.get(code) and found_words(code.value) == FOUND_WORDS[code], code
    for cue in set(re.findall(r'return "([a-z-]+)"', (root / "extract" / "attribution.py").read_text())):
        assert found_words("according-to", cue) == CUE_WORDS.get(cue, found_words("according-to")), cue
