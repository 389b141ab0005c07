"""The README tells the truth: its option table is generated from the settings, and every option of
every command is documented there."""

from __future__ import annotations

import re

import typer.main

from provenance.cli import app, readme_options

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_option_table_is_current():
    block = re.search(r"<!-- options -->\n(.*?)\n<!-- /options -->", README, re.S)
    assert block, "README.md lost its <!-- options --> block"
    assert block.group(1) == readme_options(), "run: python scripts/update_readme.py"


def test_every_command_and_option_is_in_the_readme():
    group = typer.main.get_command(app)
    missing = []
    for name, command in group.commands.items():
        if f"provenance {name}" not in README:
            missing.append(f"command {name}")
        for param in command.params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help" and opt not in README:
                    missing.append(f"{name} {opt}")
    assert not missing, f"undocumented in README.md: {missing}"


def test_readme_starts_with_the_two_setup_commands():
    first_block = README.split("```")[1]
    lines = [ln for ln in first_block.splitlines() if ln.strip() and not ln.startswith("sh")]
    assert len(lines) == 2
    assert "provenance audit examples/" in lines[0] and "pytest" in lines[1]
