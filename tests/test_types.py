"""Types hold: mypy over the package, with the settings in pyproject.toml ([tool.mypy]).

Every function body is type-checked; the vocabulary (models), the errors, the settings, the HTTP
seam, resolution, grading and the store are fully annotated. A new error fails here, in CI.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow  # a process of its own, some 20 s: outside the fast lane, in the full suite and CI
def test_mypy_finds_no_errors():
    out = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null"],
                         cwd=ROOT, capture_output=True, text=True)
    assert "No module named mypy" not in out.stderr, "mypy is in the test extra: pip install -e '.[test]'"
    assert out.returncode == 0, out.stdout + out.stderr
