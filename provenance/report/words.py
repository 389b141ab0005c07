"""The words every format uses for a chain's steps, so the terminal, Markdown and HTML read alike.

A chain step is a `Part`: its text, a role (which says how to colour or mark
it) and, for URLs, the address it stands for. Text from articles and the web is
cleaned here of control characters — terminal escape sequences, bidi overrides
— before any format escapes it further for its own syntax.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from ..models import CheckKind, FoundBy, Kind, SnapshotStatus, Status, Verdict
from .model import CitationView, ClaimView, Evidence, Node, Role

# C0/C1 controls (ESC among them) and the bidi overrides that can reorder what a reader sees.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None, limit: int | None = None) -> str:
    """Text from the web made safe to show: no escape sequences or control characters, one line."""
    text = " ".join(_CONTROL.sub("", text or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def short_url(url: str | None, limit: int = 60) -> str:
    """A URL as a reader scans it: no scheme, no `www.`, cut in the middle of the path when long."""
    if not url:
        return ""
    url = clean(url)
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        url = url.split("://", 1)[1]
        if url.startswith("www."):
            url = url[4:]
    if len(url) > limit:
        url = url[: limit - 1] + "…"
    return url


def is_web_url(url: str | None) -> bool:
    """Only http(s) addresses may ever become links; `javascript:` and friends stay text."""
    if not url:
        return False
    parts = urlsplit(clean(url))
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# How databases written before `found_by` named how a citation was found (`citations.found_in`):
# the code each old string stands for. The words themselves are one table, `models.FOUND_WORDS`.
_LEGACY_FOUND = {
    "a[href]": FoundBy.LINK,
    "text: bare URL": FoundBy.BARE_URL,
    "text: tweet residue": FoundBy.TWEET_RESIDUE,
    "text: watch line": FoundBy.WATCH_LINE,
    "blockquote.twitter-tweet": FoundBy.EMBEDDED_TWEET,
    "embedded post": FoundBy.POST_LINK,
    "iframe": FoundBy.IFRAME,
    "paragraph-outlet": FoundBy.PARAGRAPH_OUTLET,
    "quote-attribution": FoundBy.QUOTE_ATTRIBUTION,
    "quotation": FoundBy.QUOTATION,
}
# Why a claim leans on a citation (`rule`, a code for programs), in words for people.
_RULES = {
    "inline": "in the claim's text",
    "paragraph-outlet": "outlet at the paragraph's end",
    "quote-attribution": "the quote's attribution",
    "embedded-post": "the embedded post's text",
    "according-to": "'according to …'",
    "announced-video": "the video it announces",
    "supports": "through a claim that says the same",
    "contains": "inside it",
    "attributed-to": "the quote's outlet",
}


def found_words(code: str | None, cue: str | None = None) -> str:
    """`link` (or an old `a[href]`) → "link in the text": where a citation was found, as a reader says it."""
    code = clean(code)
    if code in FoundBy._value2member_map_:
        return FoundBy(code).describe(cue)
    if code in _LEGACY_FOUND:
        return _LEGACY_FOUND[code].words
    rule, _, old_cue = code.partition(":")
    if rule == "according-to":
        return FoundBy.ACCORDING_TO.describe(old_cue or None)
    if re.fullmatch(r"[a-z]+\.[\w-]+", code):  # blockquote.instagram-media, blockquote.tiktok-embed, …
        return FoundBy.EMBEDDED_POST.words
    return code


def where_words(c: CitationView) -> str:
    """How one citation was found, in words: recorded as words (`found_in`) beside its code (`found_by`);
    an older database holds only a code in `found_in`."""
    return clean(c.found_in) if c.found_by else found_words(c.found_in)


def rule_words(rule: str | None) -> str:
    """`paragraph-outlet` → "outlet at the paragraph's end": why a claim leans on a citation."""
    return _RULES.get(clean(rule), clean(rule).replace("-", " "))


class Part(NamedTuple):
    text: str
    role: Role
    href: str | None = None  # the full URL a `url`/`final`/`archive` part stands for


def wayback_date(ts: str | None) -> str:
    return f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}" if ts and len(ts) >= 8 and ts[:8].isdigit() else (ts or "")


def status_words(ev: Evidence | None, url: str | None) -> Part:
    """How one URL fared, in a few words."""
    if not url:
        return Part("no specific page", Role.UNCHECKED)
    if ev is None or ev.status is None:
        return Part("not checked yet", Role.UNCHECKED)
    if ev.status == Status.OFFLINE:
        return Part("not checked yet (offline run)", Role.UNCHECKED)
    code = f"{ev.http_status} " if ev.http_status else ""
    reason = f" ({ev.reason})" if ev.reason and ev.reason not in (f"http_{ev.http_status}", ev.status) else ""
    if not ev.definitive:
        return Part(f"could not be checked: {code}{ev.status}{reason}", Role.UNCHECKED)
    role = Role.ALIVE if ev.alive else Role.BROKEN if ev.broken else Role.UNCHECKED
    return Part(f"{code}{ev.status}{reason}", role)


def archive_parts(ev: Evidence | None) -> list[Part]:
    if ev is None:
        return []
    out = []
    if ev.captures:
        out.append(Part("captured", Role.ARCHIVE))
    snap = next(iter(ev.found_snapshots), None)
    if snap:
        out.append(Part(f"Wayback {wayback_date(snap['timestamp'])}", Role.ARCHIVE, snap["snapshot_url"]))
    return out


def citation_part(c: CitationView) -> Part:
    """A citation in a chain: links by their URL, everything else by kind and name."""
    if c.kind in (Kind.LINK, Kind.SHORT_LINK) and c.url:
        return Part(short_url(c.url), Role.URL, c.url)
    label = clean(c.label, 60)
    return Part(f"{c.kind.replace('_', ' ')} {label}".strip(), Role.CITATION, c.url)


def url_parts(c: CitationView) -> list[Part]:
    """Where a cited URL went: each hop's code, the final URL when it differs, its status, its copies."""
    ev = c.evidence
    out: list[Part] = []
    if c.kind not in (Kind.LINK, Kind.SHORT_LINK):
        out.append(Part(short_url(c.url), Role.URL, c.url))
    if ev is not None:
        out += [Part(str(h["http_status"] or h["via"]), Role.HOP) for h in ev.hops]
        if ev.final_url and ev.final_url != c.url:
            out.append(Part(short_url(ev.final_url), Role.FINAL, ev.final_url))
    out.append(status_words(ev, c.url))
    out += archive_parts(ev)
    return out


def path_parts(path: list[Node]) -> list[Part]:
    """One chain as a line of steps: each citation, then what its last URL led to and what reading it found."""
    parts = [citation_part(n.citation) for n in path]
    last = path[-1].citation
    if last.url:
        parts += url_parts(last)
        parts += [check_part(k) for k in path[-1].checks]
        if last.evidence is not None and last.evidence.drift is not None:
            parts.append(check_part(last.evidence.drift))
    elif last.traced is not None:
        parts += traced_parts(last.traced)
    else:
        parts.append(status_words(None, None))
    return parts


def traced_parts(k: dict) -> list[Part]:
    """A page tracing found for a vague citation: its address, then its check verdict and score."""
    return [Part(f"traced: {short_url(k['url'])}", Role.URL, k["url"]),
            Part(f"{k['verdict']} {k['score'] or 0:.2f}", check_role(k["verdict"]))]


def candidate_line(k: dict, total: int) -> str:
    """One candidate page of a vague citation: how tracing found it (source, archive date, rank and score)
    and what checking it found."""
    verdict = f"{k['verdict']} {k['score'] or 0:.2f}" if k["verdict"] else f"ranked {k['score'] or 0:.2f}, not read"
    head = "traced page" if k["verdict"] and Verdict(k["verdict"]).is_found else f"candidate {k['rank']}"
    passage = f": “{clean(k['passage'], 160)}”" if k.get("passage") and k["verdict"] else ""
    return (f"{head}: {clean(k['url'])} ({verdict}; rank {k['rank']} of {total}, found by tracing: {k['source']}, "
            f"archived {wayback_date(k['timestamp'])}){passage}")


def trace_lines(c: CitationView, limit: int = 3) -> list[str]:
    """What tracing found for a citation: its traced page and the best other candidates, else why it stays vague."""
    if not c.candidates:
        return [c.trace_result] if c.trace_result else []
    return [candidate_line(k, len(c.candidates)) for k in c.candidates[:limit]]


def check_role(verdict: str) -> Role:
    """How to mark a verdict: words found at the source, something to look at, or neither."""
    v = Verdict(verdict)
    return Role.FOUND if v.is_found or v is Verdict.SAME else Role.FLAGGED if v.is_flagged else Role.CHECK


def check_part(k: dict) -> Part:
    """`quote verbatim 1.00`, `drift edited 0.76`: a check's kind, verdict and score as one step."""
    return Part(f"{k['kind']} {k['verdict']} {k['score'] or 0:.2f}", check_role(k["verdict"]))


def check_line(k: dict) -> str:
    """One check in words: verdict, score, what it read, the passage it found and why."""
    if k["kind"] == CheckKind.DRIFT:
        head = f"drift: {k['verdict']} ({k['score'] or 0:.2f}), the snapshot near the article's date against now"
    else:
        head = f"{k['kind']} check: {k['verdict']} ({k['score'] or 0:.2f}) in the {k['against']}"
        if k.get("passage"):
            head += f" at {k['start']}–{k['end']}: “{clean(k['passage'], 200)}”"
    return head + (f" — {clean(k['detail'], 200)}" if k.get("detail") else "")


def differences(k: dict, limit: int = 3) -> list[tuple[str, str]]:
    """What differs, as (the article's or earlier words, the page's or later words), cleaned."""
    pairs = (k.get("evidence") or {}).get("differences") or []
    return [(clean(a, 160), clean(b, 160)) for a, b in pairs[:limit]]


def strongest_parts(claim: ClaimView, claims: dict[int, ClaimView] | None = None) -> list[Part]:
    """The claim's best chain in one line; a bullet with no citation of its own borrows a supporter's."""
    path = claim.strongest()
    if path and path[0].rule == "supports":
        # a citation inherited from a claim that says the same thing: name that claim
        others = [(claims or {}).get(o) for o, _ in claim.supported_by]
        via = next(
            (o for o in others if o and any(n.citation.id == path[0].citation.id for n in o.chains)), None
        )
        return [
            Part(f"supported by claim {via.id}" if via else "supported by another claim", Role.CLAIM)
        ] + path_parts(path)
    if path:
        return path_parts(path)
    for other_id, _conf in claim.supported_by:
        other = (claims or {}).get(other_id)
        best = other.strongest() if other is not None else None
        if other is not None and best:
            return [Part(f"supported by claim {other.id}", Role.CLAIM)] + path_parts(best)
    return [Part("no source given", Role.NOTE)]


def hop_line(h: dict) -> str:
    """`301 http https://t.co/x → https://example.com/`"""
    code = h["http_status"] if h["http_status"] is not None else "-"
    return f"{code} {h['via']} {clean(h['url'])} → {clean(h['location'])}"


def capture_line(cap: dict) -> str:
    """Where a saved copy lies and how to check it is the same bytes."""
    bits = [f"{cap['record_type']} {clean(cap['warc_file'])} @{cap['offset']}+{cap['length']}"]
    if cap.get("payload_digest"):
        bits.append(f"digest {clean(cap['payload_digest'])}")
    if cap.get("truncated"):
        bits.append(f"truncated ({clean(cap['truncated'])})")
    if cap.get("captured_at"):
        bits.append(clean(cap["captured_at"]))
    return ", ".join(bits)


def snapshot_line(s: dict) -> str:
    if SnapshotStatus(s["status"]).is_archived:
        return f"{snapshot_words(s)}: {clean(s['snapshot_url'])}"
    return f"{s['status']}" + (f" ({clean(s['reason'])})" if s.get("reason") else "")


def distinct_snapshots(snapshots: list[dict]) -> list[dict]:
    """Each look-up outcome once: four past audits that each found no Wayback copy are one line, not four.

    The first of equal ones is kept; the snapshots table keeps the whole history.
    """
    seen, out = set(), []
    for s in snapshots:
        key = snapshot_line(s)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def snapshot_words(s: dict) -> str:
    """`found 2025-07-01, the article's day`: when the copy was taken, against the article's date."""
    far = s.get("distance_days")
    when = (
        ""
        if far is None
        else ", within a day of the article"
        if abs(far) < 1
        else f", {abs(far):.0f} days from the article"
    )
    return f"{s['status']} {wayback_date(s['timestamp'])}{when}"


def hop_path(hops: list[dict]) -> list[dict]:
    """The pages deep tracing went through from the cited page down to the primary source (else the deepest
    page reached), in order."""
    if not hops:
        return []
    end = next((h for h in hops if h["is_primary"]), None) or max(hops, key=lambda h: h["depth"])
    by_url = {h["url"]: h for h in hops}
    path = [end]
    while path[-1]["parent_url"] in by_url and len(path) <= len(hops):
        path.append(by_url[path[-1]["parent_url"]])
    return path[::-1]


def hop_lines(hops: list[dict]) -> list[str]:
    """A claim's chain below its cited page, one line per page down to the primary source, then the verdict:
    `depth 2: https://… (matched 0.93; copy of https://…) — cites on`, …, `primary source: https://… (document)`."""
    path = hop_path(hops)
    lines = []
    for h in path:
        marks = [f"{h['verdict']} {h['score'] or 0:.2f}" if h["verdict"] else "not read"]
        marks += [f"copy of {clean(h['copy_of'])}"] if h["copy_of"] else []
        marks += [f"{h['wire']} wire"] if h["wire"] else []
        lines.append(f"depth {h['depth']}: {clean(h['url'])} ({'; '.join(marks)}) — {h['stop'] or 'cites on'}")
    if path:
        end = path[-1]
        lines.append(f"primary source: {clean(end['url'])} ({end['stop']}, depth {end['depth']})" if end["is_primary"]
                     else f"primary source: not reached ({end['stop']} at depth {end['depth']}; "
                          f"{len(hops)} pages reached)")
    return lines
