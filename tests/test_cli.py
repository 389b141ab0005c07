"""The command line as a user meets it: exit codes, one-line errors, the spine end to end (offline)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.store import schema as database

from .conftest import SEED
from .faultserver import FaultServer, guard_loopback

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.mark.parametrize("content, why", [
    (b"", "empty input"),
    (b"   \n\n", "empty input"),
    (bytes(range(256)) * 20, "binary file"),
])
def test_unreadable_input_is_one_clear_line_and_exit_2(tmp_path, content, why):
    path = tmp_path / "input.html"
    path.write_bytes(content)
    for command in (["extract", path], ["audit", path, "--offline", "--db", tmp_path / "p.db"]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert why in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_missing_file_exit_2(tmp_path):
    result = run("extract", tmp_path / "nope.html")
    assert result.exit_code == 2 and "no such file" in result.output


def test_extract_json_contract_on_the_seed():
    result = run("extract", SEED, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= {"source", "title", "published", "citations", "claims"}
    for c in doc["citations"]:
        assert set(c) >= {"id", "kind", "url", "text", "outlet", "handle", "speaker", "date", "parent", "start", "end"}
        assert c["kind"] in {"link", "short_link", "tweet", "video", "outlet", "quote"}
    for cl in doc["claims"]:
        assert set(cl) >= {"id", "kind", "text", "start", "end", "status", "citations"}
        for link in cl["citations"]:
            assert set(link) >= {"citation", "rule", "confidence"}


def test_extract_reads_stdin():
    result = run("extract", "-", input=SEED.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert any(c["kind"] == "tweet" for c in json.loads(result.stdout)["citations"])


def test_offline_audit_records_everything_and_sends_nothing(tmp_path, monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("--offline must not open a socket")

    monkeypatch.setattr(socket, "create_connection", no_network)
    dbp = tmp_path / "p.db"
    result = run("audit", SEED, "--offline", "--db", dbp)
    assert result.exit_code == 0, result.output
    db = database.connect(dbp)
    assert db["articles"].count == 1
    statuses = {r["status"] for r in db.query("SELECT status FROM resolutions")}
    assert statuses == {"offline"}
    assert db["claims"].count > 5
    # the post's claim reaches the t.co URL through the tweet
    rows = list(db.query("SELECT c.claim_id FROM chains c WHERE c.step_kind = 'citation' AND c.kind = 'short_link'"))
    assert rows


def test_auditing_twice_changes_nothing(tmp_path):
    dbp = tmp_path / "p.db"
    run("audit", SEED, "--offline", "--db", dbp)
    db = database.connect(dbp)
    tables = ["articles", "claims", "citations", "claim_citations", "claim_supports", "urls"]
    before = {t: db[t].count for t in tables}
    ids_before = list(db.query("SELECT id, kind, text FROM claims ORDER BY id"))
    run("audit", SEED, "--offline", "--db", dbp)
    assert {t: db[t].count for t in tables} == before
    assert list(db.query("SELECT id, kind, text FROM claims ORDER BY id")) == ids_before


def test_show_prints_a_claims_chain(tmp_path):
    dbp = tmp_path / "p.db"
    run("audit", SEED, "--offline", "--db", dbp)
    db = database.connect(dbp)
    claim_id = db.execute("SELECT claim_id FROM chains WHERE kind = 'short_link' LIMIT 1").fetchone()[0]
    result = run("show", claim_id, "--db", dbp)
    assert result.exit_code == 0, result.output
    assert "tweet" in result.output and "https://t.co/Cnqgv5qgwV" in result.output
    missing = run("show", 99999, "--db", dbp)
    assert missing.exit_code != 0 and "no claim 99999" in missing.output


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_audit_formats(tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = run("audit", SEED, "--offline", "--db", tmp_path / "p.db", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["claims"]
    else:
        assert "t.co/Cnqgv5qgwV" in text


def test_help_teaches_every_command():
    result = run("--help")
    for command in ("audit", "extract", "resolve", "show"):
        assert command in result.output


@pytest.fixture
def loopback_only(monkeypatch):
    yield from guard_loopback(monkeypatch)


def test_resolve_records_and_regrades_the_claims_that_cite_it(tmp_path, loopback_only):
    """An offline audit leaves a claim `sourced` (unchecked); a later `resolve` finds the page gone (127.0.0.1)."""
    dbp = tmp_path / "p.db"
    with FaultServer() as srv:
        gone = srv.url("/404")
        page = tmp_path / "story.html"
        page.write_text(f"<html><head><title>Story</title></head><body><article><h1>Story</h1>"
                        f"<p>The mayor resigned on Monday, <a href='{gone}'>the council said</a>.</p>"
                        f"</article></body></html>", encoding="utf-8")
        assert run("audit", page, "--offline", "--db", dbp).exit_code == 0
        db = database.connect(dbp)
        graded = "SELECT cl.status FROM claims cl JOIN claim_citations cc ON cc.claim_id = cl.id"
        assert {r[0] for r in db.execute(graded)} == {"sourced"}
        result = run("resolve", gone, "--db", dbp, "--allow-private", "--robots", "ignore", "--retries", "0")
    assert result.exit_code == 1, result.output
    assert {r[0] for r in db.execute(graded)} == {"broken"}
    assert db.execute("SELECT command FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] == "resolve"


@pytest.mark.parametrize("args, says", [
    (["audit", SEED, "--offline", "-o", "no-such-folder/report.txt"], "no folder"),
    (["extract", SEED, "-o", "no-such-folder/doc.json"], "no folder"),
    (["audit", SEED, "--offline", "--concurrency", "0"], "--concurrency takes a number of at least 1"),
    (["audit", SEED, "--offline", "--retries", "-1"], "--retries takes a number of at least 0"),
])
def test_bad_usage_is_refused_before_any_work(tmp_path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output
    assert not (tmp_path / "provenance.db").exists(), "refused before the database was touched"


def test_a_file_that_is_not_our_database_is_one_line(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    for args in (["show", "1", "--db", junk], ["export", "--db", junk, "--format", "csv"]):
        result = run(*args)
        assert result.exit_code == 2 and "not a provenance database" in result.output


def test_two_articles_piped_in_are_two_articles(tmp_path):
    dbp = tmp_path / "p.db"
    text = SEED.read_text(encoding="utf-8")
    run("audit", "-", "--offline", "--db", dbp, input=text)
    run("audit", "-", "--offline", "--db", dbp, input="A different story.\n\nThe mayor resigned, reuters.com\n")
    run("audit", "-", "--offline", "--db", dbp, input=text)
    assert database.connect(dbp)["articles"].count == 2


def test_version_prints_the_version():
    from provenance import __version__

    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"provenance {__version__}"


def test_settings_refuse_what_no_run_can_work_with_whoever_builds_them():
    """The library checks its own settings; the CLI only turns the refusal into its one line."""
    from provenance.errors import UsageError
    from provenance.settings import Settings

    for bad in ({"concurrency": 0}, {"per_host": 0}, {"retries": -1}, {"deadline": 0}, {"robots": "maybe"}):
        with pytest.raises(UsageError):
            Settings(**bad)
    assert Settings(concurrency=1, per_host=None, retries=0).concurrency == 1


def test_warnings_reach_stderr_and_tracebacks_only_with_verbose(tmp_path, monkeypatch):
    """A warning the library logs (here: a WARC record that could not be written) is seen on stderr as
    one line; -v adds its traceback; --log-file keeps it."""
    import logging

    from provenance import usecases

    def warns(settings, sources, on_failure=None):
        try:
            raise OSError(28, "No space left on device")
        except OSError:
            logging.getLogger("provenance.archive").warning("could not write a WARC record for %s", "x",
                                                            exc_info=True)
        raise SystemExit(0)

    monkeypatch.setattr(usecases, "audit_sources", warns)
    plain = run("audit", SEED, "--offline", "--db", tmp_path / "p.db")
    assert "provenance: warning: could not write a WARC record for x" in plain.output
    assert "Traceback" not in plain.output
    log_file = tmp_path / "run.log"
    loud = run("-v", "--log-file", log_file, "audit", SEED, "--offline", "--db", tmp_path / "p.db")
    assert "Traceback" in loud.output and "No space left on device" in loud.output
    assert "could not write a WARC record for x" in log_file.read_text()


@pytest.mark.slow
def test_an_unexpected_error_is_one_line_and_its_traceback_only_with_verbose(tmp_path):
    """Run as a user runs it (python -m provenance), with a bug planted in the library."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    plant = tmp_path / "sitecustomize.py"  # loaded at start-up: breaks `extract` for this process only
    plant.write_text("import provenance.usecases as u\n"
                     "def broken(source):\n    raise RuntimeError('planted bug')\n"
                     "u.extract_source = broken\n")
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    plain = subprocess.run([sys.executable, "-m", "provenance", "extract", str(SEED)], env=env,
                           capture_output=True, text=True)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert "provenance: unexpected error: RuntimeError: planted bug (run with -v" in plain.stderr
    loud = subprocess.run([sys.executable, "-m", "provenance", "-v", "extract", str(SEED)], env=env,
                          capture_output=True, text=True)
    assert loud.returncode == 1 and "Traceback" in loud.stderr and "planted bug" in loud.stderr
