"""Regenerate README.md's option table from the settings (tests/test_docs.py checks it is current)."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provenance.cli import readme_options  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"
text = README.read_text(encoding="utf-8")
block = f"<!-- options -->\n{readme_options()}\n<!-- /options -->"
README.write_text(re.sub(r"<!-- options -->.*?<!-- /options -->", lambda _: block, text, flags=re.S), encoding="utf-8")
