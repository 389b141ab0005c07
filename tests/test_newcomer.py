"""Small things a newcomer hits on the first day: a mistyped URL scheme is named as such, not as a missing
file."""

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
