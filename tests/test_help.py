"""Every command's `--help` is kept as a snapshot under tests/snapshots/help/, so a change to what a user
reads shows in a diff, as sqlite-utils checks its docs against `--help`.

The help is rendered in a process of its own at a fixed width with no colour (typer reads the width
when it is imported), named `provenance` as installed. After a deliberate change to the help,
regenerate the snapshots with:

    PROVENANCE_UPDATE_SNAPSHOTS=1 python3 -m pytest -q -p no:cacheprovider tests/test_help.py

and read the diff before committing it. A new command gets its snapshot the same way.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import typer.main

from provenance.cli import app

from .conftest import ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots" / "help"
WIDTH = "100"
UPDATE = os.environ.get("PROVENANCE_UPDATE_SNAPSHOTS") == "1"

RENDER = """
import json, sys
from typer.testing import CliRunner
from provenance.cli import app
runner = CliRunner()
out = {}
for name in sys.argv[1:]:
    args = ([name] if name else []) + ["--help"]
    result = runner.invoke(app, args, prog_name="provenance")
    out[name] = result.output
print(json.dumps(out))
"""

pytestmark = pytest.mark.slow  # every help page is rendered once, in a subprocess with a fixed terminal

COMMANDS = [""] + sorted(typer.main.get_command(app).commands)  # "": provenance --help


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": WIDTH, "TERMINAL_WIDTH": WIDTH, "NO_COLOR": "1",
           "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run([sys.executable, "-c", RENDER, *COMMANDS], env=env, capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return {name: "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
            for name, text in json.loads(done.stdout).items()}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c or "provenance")
def test_help_matches_its_snapshot(helps, command):
    path = SNAPSHOTS / f"{command or 'provenance'}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(helps[command], encoding="utf-8")
    assert path.exists(), f"no snapshot of {command or 'provenance'} --help: regenerate (see tests/test_help.py)"
    assert helps[command] == path.read_text(encoding="utf-8"), (
        "the help changed: PROVENANCE_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_help.py, then read the diff")


def test_every_snapshot_belongs_to_a_command():
    stale = {p.stem for p in SNAPSHOTS.glob("*.txt")} - {c or "provenance" for c in COMMANDS}
    assert not stale, f"snapshots of commands that no longer exist: {stale}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c or "provenance")
def test_help_names_values_by_what_they_are(helps, command):
    """Values read as in the README (SOURCE..., URL..., FILE, N, SECONDS), never as Python types."""
    text = helps[command]
    assert not re.search(r"<(bool|int|float|str|path|list\[[^\]]*\])>", text), text
    assert not re.search(r"\{\w+\}", text), text


@pytest.mark.parametrize("command", [c for c in COMMANDS if c])
def test_help_starts_with_what_it_does_then_examples(helps, command):
    """One line saying what the command does, then examples of it, indented under their heading."""
    lines = helps[command].splitlines()
    usage = next(i for i, ln in enumerate(lines) if ln.startswith(" Usage: provenance "))
    blank, summary, blank_after, heading, example = lines[usage + 1:usage + 6]
    assert not blank.strip() and summary.strip().endswith(".") and not blank_after.strip(), lines[usage:usage + 6]
    assert heading.strip() == "Examples:"
    assert example.startswith("   provenance ") or example.startswith("   curl "), example


def test_choices_and_defaults_read_in_one_style(helps):
    audit = helps["audit"]
    assert "table|json|markdown|html" in audit and "[default: table]" in audit
    assert "obey|ignore" in audit and "[default: obey]" in audit
    assert "[default: 2; 8 for shorteners]" in audit
    assert "(default" not in audit, "defaults read [default: X], never (default ...)"
    for flag in ("--deadline", "--connect-timeout", "--read-timeout", "--min-interval"):
        assert re.search(rf"{flag}\s+SECONDS", audit), flag


def test_db_says_what_each_command_does_with_it(helps):
    def db_help(command: str) -> str:
        text = helps[command]
        start = text.index("│ --db ")
        return " ".join(text[start:start + 400].split("[default")[0].replace("│", " ").split())

    for writer in ("audit", "batch", "resolve", "archive"):
        assert "record into" in db_help(writer), writer
    for reader in ("show", "export"):
        assert "read from" in db_help(reader), reader
    assert "serve" in db_help("browse")


def test_options_are_grouped_where_they_belong(helps):
    panels = re.findall(r"╭─ (.+?) ─", helps["audit"])
    assert panels == ["Arguments", "Options", "Output", "Network limits", "Politeness", "Archive"]
    politeness = helps["audit"].split("╭─ Politeness")[1].split("╰")[0]
    for flag in ("--per-host", "--min-interval", "--robots", "--user-agent"):
        assert flag in politeness, flag
