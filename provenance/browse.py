"""Browse a database in Datasette with the metadata shipped in the package.

Datasette keys metadata by database name, which it takes from the file's name
(`study.db` is `study`), while the shipped `metadata.yml` describes a database
called `provenance`. So the metadata is rewritten for the file actually served,
and written beside nothing the user owns: into a folder the caller provides.
Datasette is an optional extra (`pip install provenance[browse]`).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from importlib import resources
from pathlib import Path

SHIPPED_NAME = "provenance"


def available() -> bool:
    return importlib.util.find_spec("datasette") is not None


def load_metadata() -> dict:
    """The shipped metadata, as Datasette reads it."""
    import yaml  # Datasette depends on PyYAML, so it is here whenever Datasette is

    return yaml.safe_load(resources.files("provenance").joinpath("metadata.yml").read_text(encoding="utf-8"))


def metadata_for(db_path: Path | str) -> dict:
    """The shipped metadata with its database entry renamed to the name Datasette gives `db_path`."""
    meta = load_metadata()
    databases = meta.get("databases", {})
    databases[Path(db_path).stem] = databases.pop(SHIPPED_NAME)
    return meta


def write_metadata(db_path: Path | str, folder: Path) -> Path:
    path = Path(folder) / "metadata.json"
    path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def datasette_command(db_path: Path | str, metadata_path: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The command that serves `db_path` with `metadata_path` (run by `provenance browse` and by the tests)."""
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path),
            "--host", host, "--port", str(port)]
