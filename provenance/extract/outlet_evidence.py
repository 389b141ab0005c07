"""Evidence that a capitalised name the table does not know is an outlet.

A link on the name to a site whose host spells it, the text calling it one ("the news site X",
"X magazine"), a domain name, a broadcaster's call sign, or an acronym used as a credit. Whether
such evidence is enough is weighed against the attribution cue in `outlets`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import quirks
from .document import Document
from .outlet_names import OutletTable, outlet_key

# US broadcast call signs: K or W and two or three letters, with a band. (Canada's C… signs read like
# agencies' acronyms, "CBO", "CMS", and are left to the other evidence.)
CALL_SIGN = re.compile(r"[KW][A-Z]{2,3}(?:-(?:TV|FM|AM|DT|LP|CD))?")
ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,5}!?|(?:[A-Z]\.){2,}")
DOMAIN_NAME = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", re.I)


def name_evidence(doc: Document, t: OutletTable, block, name: str, s: int, e: int) -> str | None:
    """Why an unknown name is an outlet: a link to its site on it, the text calling it one, or an acronym."""
    text = doc.text
    key = outlet_key(name)
    for a in block.anchors:
        if a.start < e and s < a.end and host_names(quirks.host(a.url), name, key):
            return "link"
    if typed_name(t, text, block, s, e):
        return "typed"
    if "." in name and DOMAIN_NAME.fullmatch(name) and quirks.has_public_suffix(name.lower()):
        return "domain"
    if CALL_SIGN.fullmatch(name):
        return "typed"  # a broadcaster's call sign ("KTLA", "WGN-TV") says what it is
    if ACRONYM.fullmatch(name.split()[0]):
        return "acronym"
    return None


@lru_cache(maxsize=2)
def typed_word(types: str) -> re.Pattern:
    """'People magazine': a capitalised word the text calls an outlet, so it may name that outlet elsewhere.

    The pattern opens with the capital (the character before it checked just after): a search skips
    to capitals rather than testing a look-behind at every position of the text."""
    return re.compile(rf"([A-Z](?<![\w’'-].)[\w&!-]*)\s+(?:{types})\b")


def typed_name(t: OutletTable, text: str, block, s: int, e: int) -> bool:
    """'the news site X', 'X magazine': the text calling a name an outlet, before it or after it."""
    typed_before, typed_after, typed_apposition, last_words = _typed(t.types_pattern)
    before = text[max(block.start, s - 40) : s]
    words = before.lower().split()[-2:]
    if words and words[-1] == "the":
        words.pop()
    if words and words[-1] in last_words and typed_before.search(before):
        return True
    # typed_after opens with white space, typed_apposition with a comma: the next character picks one
    following = text[e : e + 1]
    if following.isspace():
        return bool(typed_after.match(text, e, e + 40))
    return following == "," and bool(typed_apposition.match(text, e, e + 60))


@lru_cache(maxsize=2)
def _typed(types: str) -> tuple[re.Pattern, re.Pattern, re.Pattern, frozenset[str]]:
    last_words = frozenset(w.split()[-1].lower() for w in re.sub(r"\\(.)", r"\1", types).split("|"))
    return (
        re.compile(rf"\b(?:{types})\s+(?:the\s+)?$", re.I),
        re.compile(rf"\s+(?:{types})(?![\w-]|\s+[A-Z])"),
        re.compile(rf",\s+(?:an?|the)\s+(?:[\w’'-]+\s+){{0,2}}?(?:{types})\b"),  # "X, a local newspaper,"
        last_words,
    )


def host_names(host: str, name: str, key: str) -> bool:
    """A site's host that spells the name: 'Quillfeather' ↔ quillfeather.co.uk, 'Wall Street Journal' ↔ wsj.com."""
    dom = quirks.registrable_domain(host.lower()) or ""
    label = re.sub(r"[^a-z0-9]", "", dom.split(".")[0]) if dom else ""
    if len(label) < 2 or len(key) < 2:
        return False
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", re.sub(r"^[Tt]he\s+", "", name))).lower()
    return label == key or label == initials or (min(len(label), len(key)) >= 4 and (label in key or key in label))
