"""Who a capitalised name is: a person ("Jane Doe", "Sen. Smith"), an organisation ("… Ministry"), or neither.

Outlet finding asks this of names the outlet table does not know ("told Jane Doe" is a
person, "told Quillfeather" may be an outlet), and quotations ask it to find who "he said" is.
Given names come from data/first_names.txt (US Census name files); a surname counts as a
person once the text has written it after a given name ("Jane Roe … Roe's").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# Titles and roles written right before a person's name ("Sen. Smith", "the singer Jane Doe").
TITLES_BEFORE = frozenset(
    "sen sen. rep rep. gov gov. lt lt. gen gen. col col. capt capt. sgt sgt. dr dr. mr mr. mrs mrs. ms ms. "
    "prof prof. rev rev. sr sr. jr jr. st st. president senator governor mayor minister secretary chancellor "
    "premier judge justice officer detective chief director commissioner ambassador pope king queen prince "
    "princess lord lady sir dame spokesman spokeswoman spokesperson ceo founder chairman chairwoman actor "
    "actress singer star rapper coach player lawyer attorney professor doctor author official officials leader "
    "adviser advisor aide witness mother father wife husband son daughter friend colleague".split()
)
# Last words of the names of bodies that are not newsrooms.
ORG_WORDS = frozenset(
    "Department Ministry Agency Police University College Institute Institution Council Commission Committee "
    "Office Court Inc Inc. Corp Corp. Corporation Company Co. Ltd LLC Group Bank Foundation Association Party "
    "Government Administration Bureau Hospital School Authority Center Centre Organization Organisation "
    "Union League Federation Society Board Army Navy Force Forces Guard Service Services Church Club Team "
    "Parliament Assembly Congress Senate House Cabinet Embassy Consulate Campaign Fund Trust Laboratory Lab "
    "Labs Airport Database Index Airlines Airways Motors Studios Pictures Records Entertainment Productions "
    "Industries Systems "
    "Technologies Partners Capital Holdings Group Coalition Alliance Network's Initiative Project Program "
    "Programme Survey Census Statistics Office Prosecutor Prosecutors Sheriff Tribunal Republic Kingdom "
    "States City County State Province Region Brigade Regiment Agency's International Watch Forum Observatory "
    "Academy Ministries Secretariat".split()
)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    lines = (resources.files("provenance") / "data" / "first_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


# Looked for at every word (a look-ahead), so "As Mary Major" still yields "Mary Major".
FULL_NAME = re.compile(
    r"\b(?=(?P<first>[A-Z][a-z]+)\s+(?:[A-Z]\.\s+)?(?P<last>[A-Z][\w-]*[a-z][\w-]*))"
)
TITLE_WORDS = frozenset(
    "Sen. Rep. Gov. Lt. Gen. Col. Capt. Sgt. Dr. Mr. Mrs. Ms. Prof. Rev. President Senator Governor Mayor "
    "Minister Secretary Chancellor Premier Judge Justice Officer Detective Chief Director Commissioner Ambassador "
    "Superintendent Professor Sheriff Deputy Spokesman Spokeswoman Spokesperson President-elect Vice-President "
    "Pope King Queen Prince Princess Lord Lady Sir Dame Rabbi Father Sister Brother Coach CEO Chairman "
    "Chairwoman Councilman Councilwoman Congressman Congresswoman Representative Attorney Admiral Major General "
    "Colonel Captain Sergeant Lieutenant Inspector Constable Commander Marshal Dean Pastor Bishop Cardinal".split()
)


# FULL_NAME read from each capital that opens a word (the capital taken, the rest looked ahead): the same
# names, found by a search that skips to capitals instead of trying the look-ahead at every word.
_FULL_NAME_AT_CAPITAL = re.compile(
    r"[A-Z](?<!\w.)(?=(?P<rest>[a-z]+)\s+(?:[A-Z]\.\s+)?(?P<last>[A-Z][\w-]*[a-z][\w-]*))"
)


def surnames(text: str) -> frozenset[str]:
    """Words the text writes after a given name ("John Roe" → "Roe"): people's surnames."""
    names = first_names()
    return frozenset(
        m.group("last") for m in _FULL_NAME_AT_CAPITAL.finditer(text) if m.group(0) + m.group("rest") in names
    )


_POSSESSIVE_END = re.compile(r"[’']s?$")
_LEADING_THE = re.compile(r"^(?:[Tt]he)\s+")


def _bare(word: str) -> str:
    if "'" not in word and "’" not in word:
        return word  # no apostrophe: nothing _POSSESSIVE_END could match
    return _POSSESSIVE_END.sub("", word)


def is_person(name: str, before: str = "", known_surnames: frozenset[str] = frozenset()) -> bool:
    """A person's name: 'Jane Doe', 'Sen. Smith', or a surname the text already gave with a first name."""
    words = (_LEADING_THE.sub("", name) if name.startswith(("The", "the")) else name).split()
    if not words:
        return False
    last = before[-30:].split()[-1:]
    if last and last[0].lower() in TITLES_BEFORE:
        return True
    if any(w in TITLE_WORDS or w.rstrip(".") + "." in TITLE_WORDS for w in words):
        return True
    names = first_names()
    for i, w in enumerate(words):
        if w in names and (len(words) == 1 or (i + 1 < len(words) and words[i + 1][:1].isupper())):
            return True
    return _bare(words[-1]) in known_surnames and not words[0].isupper()


def is_organisation(name: str) -> bool:
    words = name.split()
    return bool(words) and (words[-1] in ORG_WORDS or (len(words) > 1 and words[0] in ("Ministry", "University")))


def last_person_before(text: str, pos: int, lo: int = 0) -> str | None:
    """The person named last in text[lo:pos]: who "he said" refers to."""
    names = first_names()
    window = text[max(lo, pos - 1500) : pos]
    found = None
    for m in FULL_NAME.finditer(window):
        if m.group("first") in names:
            found = m
    if found is None:
        return None
    return f"{found.group('first')} {found.group('last')}"
