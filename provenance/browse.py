"""Browse a database in Datasette with the metadata shipped in the package.

Datasette keys metadata by database name, which it takes from the file's name
(`study.db` is `study`), while the shipped `metadata.yml` describes a database
called `provenance`. So the metadata is rewritten for the file actually served,
and written beside nothing the user owns: into a folder the caller provides.
Datasette is an optional extra (`pip install 'provenance-audit[browse]'`: the distribution's name; the
package and the command are `provenance`).
"""

from __future__ import annotations

import errno
import importlib.util
import json
import signal
import socket
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

SHIPPED_NAME = "provenance"
# Plugins that link each claim to its chain (see datasette_plugins/chain_links.py).
PLUGINS_DIR = Path(__file__).parent / "datasette_plugins"


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


def datasette_command(
    db_path: Path | str, metadata_path: Path, host: str = "127.0.0.1", port: int = 8001
) -> list[str]:
    """The command that serves `db_path` with `metadata_path`."""
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--host",
        host,
        "--port",
        str(port),
    ]


def listen_problem(host: str, port: int) -> str | None:
    """Why Datasette could not listen on `host:port`, in one line naming the option to change; None when it can.

    Binding a socket first, the way uvicorn will (SO_REUSEADDR), turns a busy port into a plain message
    instead of a server that announces itself and then dies with a traceback.
    """
    if port == 0:
        return None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        return f"cannot listen on {host!r}: {getattr(e, 'strerror', None) or e} (give another --host)"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except PermissionError:
            return f"port {port} needs special rights on this machine: pick another with --port (0: any free port)"
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use: pick another with --port (0: any free port)"
            return f"cannot listen on {host}:{port}: {e.strerror or e} (check --host and --port)"
    return None


def concrete_port(host: str, port: int) -> int:
    """`--port 0` means any free port: pick it here, so that the address announced is the one served."""
    if port:
        return port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def serve(db_path: Path | str, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette on `db_path` until it exits or this process is told to stop (Ctrl-C, SIGTERM).

    Datasette runs as a child process; stopping this one stops it too, and the rewritten metadata
    is removed. Returns Datasette's exit code (0 when stopped).
    """
    with tempfile.TemporaryDirectory(prefix="provenance-browse-") as folder:
        meta = write_metadata(db_path, Path(folder))
        child = subprocess.Popen(datasette_command(db_path, meta, host, port))
        try:
            previous = signal.signal(signal.SIGTERM, _interrupt)
        except ValueError:  # not the main thread: Ctrl-C still works
            previous = None
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            return 0
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
