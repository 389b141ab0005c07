"""The outlet name table (data/outlets.json) and the keys by which outlet names are compared.

The table is data; this module turns it into one pattern that finds every written form of
every outlet in a document, and into the lookups the rest of extraction asks: which outlet a
domain belongs to, what short form ("the Post") an outlet may go by.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .. import quirks


@dataclass(frozen=True)
class OutletTable:
    names: dict[str, str]  # written form → outlet name
    domains: dict[str, str]  # registrable domain → outlet name
    pattern: re.Pattern
    outlet_words: frozenset[str]
    types_pattern: str
    not_outlets: frozenset[str]
    common: frozenset[str]  # names that are also ordinary words or surnames ("People", "Hill")


@lru_cache(maxsize=1)
def _raw() -> dict:
    return json.loads((resources.files("provenance") / "data" / "outlets.json").read_text(encoding="utf-8"))


def _excluded(outlet: dict, keys: frozenset[str]) -> bool:
    forms = [outlet["name"], *outlet["aliases"], *outlet["domains"]]
    return any(outlet_key(f) in keys for f in forms)


@lru_cache(maxsize=4)
def table(exclude: frozenset[str] = frozenset()) -> OutletTable:
    """The outlet table; `exclude` names outlets to leave out (by any written form or domain).

    Leaving outlets out measures what the rules find without the table's help: the corpus
    bench's unseen-outlet mode removes every outlet a page cites, and the page's own.
    """
    raw = _raw()
    keys = frozenset(outlet_key(n) for n in exclude) - {""}
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for o in raw["outlets"]:
        if keys and _excluded(o, keys):
            continue
        for form in [o["name"], *o["aliases"]]:
            names.setdefault(form, o["name"])
            if form.startswith("The "):
                names.setdefault(form[4:], o["name"])
        for d in o["domains"]:
            domains.setdefault(d.lower(), o["name"])
    forms = sorted(names, key=len, reverse=True)
    # A look-ahead on the first letters lets most positions fail before trying 600 names.
    firsts = "".join(sorted({re.escape(f[0]) for f in forms} | {"T", "t"}))
    pattern = re.compile(
        rf"(?<![\w@#/.&-])(?=[{firsts}])(?:(?P<the>[Tt]he)\s+)?(?P<name>"
        + literal_alternation(forms)
        + r")(?![\w&]|[.-]\w)"
    )
    types = "|".join(sorted((re.escape(t) for t in raw["outlet_types"]), key=len, reverse=True))
    return OutletTable(
        names,
        domains,
        pattern,
        frozenset(raw["outlet_words"]),
        types,
        frozenset(raw["not_outlets"]),
        frozenset(raw.get("common_word_names", ())),
    )


def literal_alternation(words) -> str:
    """A regex matching any of `words`, written as a trie: the longest word that fits is tried first, then
    shorter ones, exactly as an alternation sorted longest first, but without trying each word in turn."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@lru_cache(maxsize=8192)
def outlet_key(name: str | None) -> str:
    """A comparison key: 'The Washington Post', 'washingtonpost.com' and 'Washington Post' agree."""
    s = (name or "").strip().lower()
    if re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", s):
        dom = quirks.registrable_domain(s)
        s = dom.split(".")[0] if dom else s
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[^a-z0-9]", "", s)


def name_for_domain(domain: str) -> str | None:
    return table().domains.get(quirks.registrable_domain(domain.lower()))


def short_form(outlet: str) -> str | None:
    """'The Washington Post' → 'Post': how the article may refer to it again."""
    words = re.sub(r"^The\s+", "", outlet).split()
    if len(words) >= 2 and words[-1][:1].isupper() and words[-1] in table().outlet_words:
        return words[-1]
    return None
