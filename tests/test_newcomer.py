"""Small things a newcomer hits on the first day: a mistyped URL scheme is named as such, not as a missing
file; setting up to audit does not install a browser; CI runs what the README says."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from provenance import ingest
from provenance.cli import app


@pytest.mark.parametrize("command", ["audit", "extract"])
def test_a_mistyped_scheme_is_named_with_the_scheme_meant(command, tmp_path):
    args = [command, "htp://example.com/story"] + (["--db", str(tmp_path / "p.db")] if command == "audit" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "provenance: htp://example.com/story: unknown URL scheme 'htp' (did you mean http?)"
    )


def test_scheme_words_suggest_only_near_misses_and_leave_paths_alone(tmp_path):
    assert ingest.unknown_scheme("hhtps://example.com/") == "unknown URL scheme 'hhtps' (did you mean https?)"
    assert ingest.unknown_scheme("ftp://example.com/a") == (
        "unknown URL scheme 'ftp': only http and https URLs are read"
    )
    for fine in ("https://example.com/", "story.html", "C:/news/story.html", "notes: a file.txt", "-"):
        assert ingest.unknown_scheme(fine) is None, fine


def _readme_commands() -> list[str]:
    from .conftest import ROOT

    block = (ROOT / "README.md").read_text(encoding="utf-8").split("```")[1]
    return [ln.split("#")[0].strip() for ln in block.splitlines()[1:] if ln.strip()]


def test_ci_runs_exactly_the_readmes_test_command():
    from .conftest import ROOT

    audit_line, test_line = _readme_commands()
    assert audit_line.startswith("bash scripts/setup.sh && provenance audit examples/")
    assert test_line.startswith("bash scripts/setup.sh --test && ")
    run = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [ln for ln in run if ln and not ln.startswith(("#", "set ", "cd "))]
    assert commands == [test_line]


@pytest.mark.slow
@pytest.mark.parametrize("flag", ["", "--test"])
def test_setup_installs_the_browser_only_for_the_tests(flag, tmp_path):
    """setup.sh runs against stand-ins for pip and apt-get that only write down how they were called."""
    import shutil
    import subprocess

    from .conftest import ROOT

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for name in ("python3", "apt-get"):
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{calls}"\n', encoding="utf-8")
        stub.chmod(0o755)
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n", encoding="utf-8")  # as root, as on a fresh machine
    (bin_dir / "id").chmod(0o755)
    for tool in ("dirname", "sed"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(
        [shutil.which("bash"), str(ROOT / "scripts" / "setup.sh"), *([flag] if flag else [])],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    log = calls.read_text(encoding="utf-8").splitlines()
    pip = [ln for ln in log if ln.startswith("python3 -m pip install")]
    assert len(pip) == 1
    if flag:
        assert pip[0].endswith("-e .[test]")
        assert "apt-get install -y -q chromium" in log
    else:
        assert pip[0].endswith("-e .")
        assert not [ln for ln in log if ln.startswith("apt-get")], "no browser to audit an article"


def test_batch_names_a_mistyped_scheme_too(tmp_path):
    args = ["batch", "htp://example.com/story", "--offline", "--db", str(tmp_path / "p.db")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "htp://example.com/story: unknown URL scheme 'htp' (did you mean http?)" in result.output
    assert "no such file" not in result.output
