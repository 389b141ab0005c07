"""The map in provenance/__init__.py holds: import-linter's contracts (pyproject.toml) over the package.

Stage order, extraction away from the network and the store, resolution away from the store,
models importing nothing of ours, and nothing below the command line talking to the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_import_contracts_are_kept():
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_the_map_names_every_module_the_contracts_order():
    import tomllib

    import provenance

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {m.strip().removeprefix("provenance.") for layer in layers for m in layer.replace("|", ":").split(":")}
    missing = {m for m in named if m not in provenance.__doc__}
    assert not missing, f"provenance/__init__.py's map leaves out {missing}"


def test_every_module_of_the_package_sits_in_a_layer():
    """A new module or package outside the layers would be outside every contract."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {m.strip() for layer in layers for m in layer.replace("|", ":").split(":")}
    package = ROOT / "provenance"
    modules = {f"provenance.{p.stem}" for p in package.iterdir()
               if (p.suffix == ".py" and p.stem not in ("__init__", "__main__")) or (p / "__init__.py").exists()}
    assert modules - named == set()


def test_claims_sit_below_extraction_so_the_two_cannot_import_each_other():
    """Extraction builds claims; claims and extraction share only the sentence rules, which sit below both."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]

    def layer_of(module: str) -> int:
        return next(i for i, layer in enumerate(layers)
                    if module in {m.strip() for m in layer.replace("|", ":").split(":")})

    assert layer_of("provenance.extract") < layer_of("provenance.claims") < layer_of("provenance.sentences")
