"""Whose page is this: the quoted person's or organisation's own site, told by generic evidence only.

Deep tracing stops at the speaker's own word. A page is the speaker's own when

- its registrable domain spells the name: all its words run together or hyphenated ("Acme Robotics" →
  acmerobotics.com, acme-robotics.org), a person's first and last name either way round (janedoe.net,
  doe-jane.org), or the initials of a name of three or more words when the page also writes the name
  out ("World Health Organization" → who.int, a page that names the World Health Organization);
- or the page says it is the organisation's: the site name (or publisher) its metadata gives is the name.

A domain that spells one word of a name, or a one-word name, is no evidence alone: a short or common
word ("health", "apple", a two-letter label) names too many sites. A one-word name counts on its own
domain only when the page's title names it too ("Greenpeace | Home" on greenpeace.org). There is no
list of sites here: only the name, the page's address and what the page says about itself.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Sequence

from .. import quirks
from ..extract import people

# Legal forms dropped from the end of a name: "Acme Robotics Inc." is spelled acmerobotics.
LEGAL_FORMS = frozenset("inc incorporated ltd limited llc llp plc corp corporation co gmbh ag sa nv bv se pty".split())
# Small words a name joins with: kept in the spelled-out forms, skipped by the initials.
CONNECTORS = frozenset("of for and the on in at to de du des la le da van von".split())
MIN_INITIALS = 3  # "who" from three words; two initials name too many sites
MIN_SPELLED = 5  # letters a run-together name needs before its domain counts ("al-bo" does not)
_WORD = re.compile(r"[a-z0-9]+")
_RUN = re.compile(r"[A-Z][\w.’'&-]*(?:\s+(?:(?:of|for|and|&|de|du|des|la|le|van|von)\s+)?[A-Z][\w.’'&-]*)*")
_TITLE_SPLIT = re.compile(r"\s+[|–—:·•-]+\s+|\s+::\s+")

SPELLED, INITIALS, ONE_WORD = "spelled", "initials", "one_word"


def fold(text: str) -> str:
    """Lower case, accents off, '&' as 'and': the spelling a domain would use."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def name_words(name: str) -> list[str]:
    """The words of a name as a domain spells them: no leading 'the', no possessive, no legal form."""
    words = _WORD.findall(fold(re.sub(r"[’']s\b", "", name)))
    while words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words = words[:-1]
    return words


def domain_label(url: str) -> str:
    """The label a site registered: `acme-robotics` for news.acme-robotics.co.uk. A host with no public suffix
    (`.test`, an intranet name) gives its second label from the right; an address gives nothing."""
    host = quirks.host(url).rstrip(".")
    try:
        ipaddress.ip_address(host)
        return ""
    except ValueError:
        pass
    if quirks.has_public_suffix(host):
        return quirks.registrable_domain(host).split(".")[0]
    labels = host.split(".")
    return labels[-2] if len(labels) >= 2 else ""


def is_person(name: str) -> bool:
    return len(name.split()) >= 2 and people.is_person(name) and not people.is_organisation(name)


def spellings(name: str) -> dict[str, str]:
    """Every domain label that spells `name`, with how: run together or hyphenated (SPELLED), its initials
    (INITIALS, which need the page to write the name out), or the one word a one-word name is (ONE_WORD)."""
    words = name_words(name)
    out: dict[str, str] = {}
    if not words:
        return out
    if len(words) == 1:
        if len(words[0]) > 2:
            out[words[0]] = ONE_WORD
        return out
    orders = [words]
    if is_person(name):
        orders.append([words[-1], words[0]])  # lastnamefirstname
        orders.append([words[0], words[-1]])  # a middle name or initial left out
    for ws in orders:
        for variant in (ws, [w for w in ws if w != "and"]):
            for sep in ("", "-"):
                spelled = sep.join(variant)
                if len(spelled.replace("-", "")) >= MIN_SPELLED and len(variant) >= 2:
                    out.setdefault(spelled, SPELLED)
    initials = "".join(w[0] for w in words if w not in CONNECTORS)
    if len(initials) >= MIN_INITIALS and not is_person(name):
        out.setdefault(initials, INITIALS)
    return out


def _same_name(a: str | None, b: str) -> bool:
    words = name_words(b)
    return bool(a and words) and name_words(a or "") == words


def _writes_out(name: str, title: str | None, text: str) -> bool:
    """Whether the page writes the name out in full (its words in order, any spacing or case)."""
    words = name_words(name)
    pattern = r"\b" + r"\W+".join(map(re.escape, words)) + r"\b"
    return bool(re.search(pattern, fold(f"{title or ''}\n{text}")))


def owner_of(url: str, names: Iterable[str], *, site_name: str | None = None, title: str | None = None,
             text: str = "") -> str | None:
    """The first of `names` whose own page this is (by its domain or by its own metadata), or None.

    `site_name` is what the page's metadata says the site is (og:site_name, else its publisher), `title`
    and `text` what the page says: evidence that corroborates initials or a one-word name.
    """
    label = domain_label(url)
    for name in names:
        if _same_name(site_name, name):
            return name
        how = spellings(name).get(label) if label else None
        if how == SPELLED:
            return name
        if how == INITIALS and _writes_out(name, title, text):
            return name
        if how == ONE_WORD and any(_same_name(part, name) for part in _TITLE_SPLIT.split(title or "")):
            return name
    return None


def _is_title(word: str) -> bool:
    parts = word.split("-")  # "Director-General"
    return all(p in people.TITLE_WORDS or p.rstrip(".") + "." in people.TITLE_WORDS for p in parts)


def _untitled(words: list[str]) -> list[str]:
    """A run of capitalised words cut at its job titles: "Acme Robotics CEO Jane Doe" → Acme Robotics, Jane Doe."""
    runs: list[list[str]] = [[]]
    for w in words:
        if _is_title(w):
            runs.append([])
        else:
            runs[-1].append(w)
    out = []
    for run in runs:
        while run and run[0].lower() in CONNECTORS | {"&"}:
            run = run[1:]
        while run and run[-1].lower() in CONNECTORS | {"&"}:
            run = run[:-1]
        if run:
            out.append(" ".join(run))
    return out


def speaker_names(speakers: Sequence[str | None]) -> list[str]:
    """The names a quotation's attribution gives: the whole attribution, and each run of capitalised words
    in it ("Jane Doe, director of the Acme Institute" → Jane Doe, Acme Institute), job titles left out."""
    out: list[str] = []
    for speaker in speakers:
        if not speaker or not speaker.strip():
            continue
        whole = re.sub(r"^(?:[Tt]he)\s+", "", speaker.strip(" ,.;:"))
        out.append(whole)
        for m in _RUN.finditer(whole):
            for run in _untitled(m.group(0).split()):
                if run != whole:
                    out.append(run)
    return list(dict.fromkeys(out))
