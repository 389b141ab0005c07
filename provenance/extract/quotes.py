"""Quotations with their speaker: “…” – Speaker outlet, “…,” said X, X said: “…”.

A quotation becomes a `quote` citation only when a speaker is named. A pronoun
("he said", "she told reporters") stands for the person named last before the
quotation (see people.py), and names no one when no person was named. When the
attribution also names an outlet ("told the Riverside Courier", "– French
presidential office france24.com"), that outlet citation is the quote's parent,
so a claim resting on the quote reaches the outlet.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from ..models import FoundBy, Kind
from . import people
from .document import BULLET, PARAGRAPH, QUOTE, Document

ELIGIBLE = {PARAGRAPH, BULLET, QUOTE}
# Both branches open with their quotation mark (the character before a straight one checked just after
# it), so that a search skips to quotation marks.
QUOTED = re.compile(r"“(?P<c>[^“”]{12,1500}?)”|\"(?<![\w\"]\")(?P<s>[^\"\n]{12,1500}?)\"(?!\w)")
SPEECH = (
    r"said|says|added|adds|told|tells|wrote|writes|tweeted|explained|explains|noted|notes|argued|argues|"
    r"insisted|insists|warned|warns|stated|states|declared|announced|continued|recalled|admitted|asked|"
    r"replied|responded|quipped|posted|claimed|claims"
)
NAME = (r"(?:(?:[Tt]he|[Aa]n?) [a-z][\w’'-]*(?: [\w’'-]+){0,5}?|[A-Z][\w.’'-]*)"
        r"(?: (?:[A-Z][\w.’'-]*|of|de|van|von|al|bin))*")
# “…” – Speaker [outlet]   (the speaker runs to the end of the block)
DASH_AFTER = re.compile(r"^\s*[–—-]\s*(?P<who>[^\n“”\"]{2,120}?)\s*$")
# “…,” said Speaker / “…,” Speaker said   (a pronoun speaker: "he said", "she told reporters")
WHO = rf"(?:{NAME}|[Hh]e|[Ss]he)"
SAID_AFTER = re.compile(rf"^[\s,]*(?:(?:{SPEECH})\s+(?P<who1>{WHO})|(?P<who2>{WHO})\s+(?:{SPEECH})\b)")
# Speaker said: “…”   /   Speaker said, “…”
SAID_BEFORE = re.compile(rf"(?P<who>{WHO})\s+(?:{SPEECH})(?:\s+[\w’' ]{{0,40}}?)?[,:]\s*$")
SINGULAR_PRONOUNS = {"he", "she"}
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "this", "one"}


def _speaker(raw: str | None) -> str | None:
    if not raw:
        return None
    who = raw.strip(" ,.;:")
    who = re.sub(r"\s+(?:on|in|at|during|last|this|earlier|later|after|before|when|while)\b.*$", "", who)
    if not who or who.lower() in PRONOUNS or who.split()[0].lower() in PRONOUNS:
        return None
    if len(who.split()) > 8:
        return None
    return who


def find_quotes(doc: Document) -> None:
    """Append a `quote` citation for each attributed quotation in the article's own text."""
    text = doc.text
    outlets = sorted((c for c in doc.citations if c.kind == Kind.OUTLET), key=lambda c: c.start)
    outlet_starts = [c.start for c in outlets]
    for block in doc.blocks:
        if block.kind not in ELIGIBLE:
            continue
        chunk = text[block.start : block.end]
        for m in QUOTED.finditer(chunk):
            body = m.group("c") or m.group("s")
            if len(body.split()) < 3:
                continue
            q_start, q_end = block.start + m.start(), block.start + m.end()
            after = chunk[m.end() :]
            before = chunk[: m.start()]
            who, a_start, a_end = None, q_end, q_end
            dash = DASH_AFTER.match(after)
            said = None if dash else SAID_AFTER.match(after[:160])
            # SAID_BEFORE ends in "," or ":" and white space: a quick look at the end spares the search
            pre = None if dash or said or before.rstrip()[-1:] not in (",", ":") else SAID_BEFORE.search(before[-160:])
            if dash:
                who, a_end = dash.group("who"), block.end
            elif said:
                who = said.group("who1") or said.group("who2")
                stop = re.search(r"[.!?](?:\s|$)", after[said.end() :])
                a_end = q_end + said.end() + (stop.start() if stop else len(after) - said.end())
            elif pre:
                who = pre.group("who")
                a_start = q_start - (len(before[-160:]) - pre.start())
                a_end = q_start
            # An outlet named in the attribution is the quote's parent (claim → quote → outlet).
            lo = bisect_left(outlet_starts, a_start)
            parent = next((o for o in outlets[lo:lo + 8] if o.end <= a_end), None)
            if dash and parent is not None:
                who = text[q_end : parent.start].strip()
                who = re.sub(r"^[–—-]\s*", "", who)
            speaker = _speaker(who)
            if speaker is None and who and who.strip().lower() in SINGULAR_PRONOUNS:
                speaker = people.last_person_before(text, q_start)
            if speaker is None:
                continue
            doc.cite(
                Kind.QUOTE,
                body.strip().rstrip(","),
                q_start,
                q_end,
                speaker=speaker,
                outlet=parent.outlet if parent is not None else None,
                parent=parent.id if parent is not None else None,
                found_by=FoundBy.QUOTATION,
            )
