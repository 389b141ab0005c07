"""A gate that cannot run (no browser, no corpus, no linter) skips on a workstation and fails in CI."""

from __future__ import annotations

import pytest

from .conftest import missing, needs


def test_a_missing_tool_skips_without_ci_and_fails_with_it(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        missing("no corpus")
    assert needs(False, "no corpus").name == "skip"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        missing("no corpus")
    mark = needs(False, "no corpus")
    assert mark.name == "needs" and mark.kwargs["reason"] == "no corpus"  # failed in setup, not skipped
    assert needs(True, "no corpus").kwargs["reason"] is None


def test_no_test_skips_our_own_modules_on_import():
    from .conftest import ROOT

    needle = "importorskip(" + '"provenance'  # spelled in two parts, or this file would find itself
    offenders = [p.name for p in (ROOT / "tests").glob("*.py") if needle in p.read_text(encoding="utf-8")]
    assert not offenders
