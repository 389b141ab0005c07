"""House rules that a linter can hold: library code never prints (ruff T20), no unused imports, no bugbears."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import ROOT, missing


@pytest.mark.slow
def test_ruff_is_clean():
    if importlib.util.find_spec("ruff") is None:  # looked for as it is run: `python -m ruff`
        missing("ruff is not installed for this Python (it is in the test extra: pip install -e '.[test]')")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "provenance", "tests", "bench"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
