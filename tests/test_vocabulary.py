"""Statuses are spelled once: outside `models` and the store, code names them by their enum, never as a string.

A status written as a string literal is a second definition that can drift from the enum. The check
reads the package's syntax trees for string literals equal to a status value (link, claim, snapshot
and run statuses and batch item states) where they act as one: compared with something (`==`, `in`),
matched (`case`), passed or assigned as a `status`/`state`, or two or more values of one enum listed
together (a set of statuses, a table keyed by them). The same word in another role — a reason, a
setting's name, a JSON key, a verdict — is not a status and is left alone.
"""

from __future__ import annotations

import ast

from provenance.models import ClaimStatus, ItemState, RunStatus, SnapshotStatus, Status

from .conftest import ROOT

ENUMS = (Status, ClaimStatus, SnapshotStatus, RunStatus, ItemState)
VALUES = {m.value for e in ENUMS for m in e}
STATUS_NAMES = {"status", "state"}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _listed(node: ast.AST) -> list[ast.AST]:
    """The node itself, or the elements of a tuple, list or set display. A display that mixes status
    words with other words (`name in ("db", "offline")`) lists another vocabulary: none of it counts."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [node]
    words = [w for w in map(_literal, node.elts) if w is not None]
    return list(node.elts) if all(w in VALUES for w in words) else []


def status_literals(source: str) -> list[tuple[int, str]]:
    """(line, value) of each string literal that stands for a status in `source`."""
    found: list[tuple[int, str]] = []

    def flag(node: ast.AST) -> None:
        value = _literal(node)
        if value in VALUES:
            found.append((node.lineno, value))  # type: ignore[attr-defined]

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                for element in _listed(side):
                    flag(element)
        elif isinstance(node, ast.MatchValue):
            flag(node.value)
        elif isinstance(node, ast.keyword) and node.arg in STATUS_NAMES:
            flag(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr in STATUS_NAMES for t in targets) and node.value:
                for element in _listed(node.value):
                    flag(element)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            values = [(item, _literal(item)) for item in items if item is not None]
            for enum in ENUMS:
                words = {m.value for m in enum}
                if len({v for _, v in values if v in words}) >= 2:
                    for item, v in values:
                        if v in words:
                            flag(item)
    return sorted(set(found))


def test_the_check_finds_each_way_a_status_is_spelled_out():
    sample = '\n'.join([
        'if r.status == "dead": pass',                  # 1 compared
        'if s in ("found", "saved"): pass',              # 2 a set of them, compared
        'match x:\n    case "running": pass',            # 3-4 matched
        'Snapshot(status="none")',                       # 5 passed as a status
        'item.state = "pending"',                        # 6 assigned as a state
        'STYLE = {"archived": 1, "vague": 2}',           # 7 a table keyed by them
        'args = {"offline": True, "broken": 3}',         # 8 JSON keys of two vocabularies: not statuses
        'raise FetchError(url, Status.OFFLINE, "offline")',  # 9 a reason: not a status
        'if name in ("db", "offline"): pass',          # 10 setting names: not statuses
        'if ev.status in (None, "offline"): pass',     # 11 compared
    ])
    assert status_literals(sample) == [(1, "dead"), (2, "found"), (2, "saved"), (4, "running"), (5, "none"),
                                       (6, "pending"), (7, "archived"), (7, "vague"), (11, "offline")]


def test_no_status_is_spelled_out_below_models_and_the_store():
    package = ROOT / "provenance"
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.startswith(("models/", "store/")):
            continue
        found += [f"provenance/{rel}:{line}: {value!r}" for line, value in status_literals(path.read_text())]
    assert not found, "use the enum from provenance.models instead of:\n" + "\n".join(found)
