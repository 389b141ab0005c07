"""Quote check: are the quoted words in the page, word for word, nearly, or with their meaning changed?

The order follows Hypothesis's re-anchoring of annotations: an exact match of the folded
quote first (`verbatim`); failing that, the best approximate match allowing edits up to
half the quote's length. The words of that passage are then lined up with the quote's:
when most words match but a number, a negation or a name differs, the quote is `altered`
(those are the edits that change what was said); when only other words differ it is
`close`, with a score; otherwise the quote is `absent`. An ellipsis in the quote stands for
any gap, so each part between ellipses is found in turn, in order.

The approximate search is edlib's infix alignment (Myers' bit-vector algorithm, the same
one Hypothesis uses): it gives the exact Levenshtein distance and where the passage starts
and ends. A long quote is first sought near the places where its own three-word runs occur.
`bench/check.py` measures edlib against rapidfuzz's `partial_ratio_alignment` in the same place.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import edlib

from .normalise import UNSPACED, Folded, Token, fold, split_ellipses, tokens
from .verdict import Check

CLOSE_SCORE = 0.75  # least similarity (1 - edits / length) for a quote to count as close
SMALL_EDIT = 3  # words on either side of one edit that can change a fact (a number, a negation, a name)
LONGEST_UNSAID = 0.25  # share of the quote's words that may differ in one run before the passage is not the quote
MOST_WORDS = 0.6  # share of the quote's words the passage must share for `close` or `altered`
SHINGLE_FROM, SHINGLES, SHINGLE_HITS = 8, 6, 4  # from how many words a quote is first sought near its own runs
EDGE_CHARS = 40  # how far past an alignment's ends words are lined up again
MAX_OCCURRENCES = 20  # places a quote is looked at when the first ones are negated on the page
CONTEXT_CHARS = 80  # words kept around a passage, so a reader can find it again

NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
billion trillion dozen dozens hundreds thousands millions billions half third quarter first second
double triple twice once""".split()
)
# Negation words of a few languages; English contractions ("don't", "isn't") are matched by their ending.
NEGATIONS = frozenset(
    """not no never none nobody nothing nowhere neither nor cannot without hardly
ne pas jamais aucun aucune rien non nicht kein keine keinen keinem keiner nie niemals nichts
nunca ningún ninguna ninguno nada tampoco nessuno niente não nem nenhum
не нет ни никогда ничего никто нельзя ні немає ніколи δεν μην όχι ποτέ κανένας τίποτα
안 못 않다 않는다 않았다""".split()
)
_UNSPACED_NEGATIONS = ("ない", "ません", "なかっ", "不", "没", "沒", "無", "无", "非", "未")


def is_number(word: str) -> bool:
    return word[:1].isdigit() or word in NUMBER_WORDS


def is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


def check_quote(quote: str, page: str | Folded | None, *, aligner: str = "edlib") -> Check:
    """The verdict on one quotation against the main text of the page it cites.

    `page` is the page's text, or that text already folded (`normalise.fold`) when several
    quotes are checked against one page. `aligner` is "edlib" or "rapidfuzz".
    """
    if page is None:
        return Check("quote", "unavailable", detail="no text of the page to read")
    folded = page if isinstance(page, Folded) else fold(page)
    if not folded.text:
        return Check("quote", "unavailable", detail="the page has no readable text")
    parts = [fold(p) for p in split_ellipses(quote)]
    parts = [p for p in parts if p.text]
    if not parts:
        return Check("quote", "absent", detail="the quote has no words to look for")
    exact, negated = _exact(folded, [p.text for p in parts])
    if exact:
        if negated:
            words = sum(len(p.text) for p in parts)
            score = round(words / (words + len(negated) + 1), 3)  # the similarity of the quote to the negated words
            check = Check("quote", "altered", score, detail=f"negation differs: the page says “{negated}” just before")
            check.differences, check.reasons = [("", negated)], ["negation"]
            return _located(check, folded, exact)
        gaps = len(parts) - 1
        return _located(
            Check("quote", "verbatim", 1.0, detail=f"{gaps} gap(s) left by ellipses" if gaps else ""), folded, exact
        )
    return _approximate(parts, folded, aligner)


def _negated_before(page: Folded, at: int) -> str | None:
    """The negation word that opens the quoted words' clause on the page, when the quote leaves it out."""
    if at < 2 or page.text[at - 1] != " ":
        return None
    word_start = page.text.rfind(" ", 0, at - 1) + 1
    word = page.text[word_start : at - 1]
    if not is_negation(word) or word == "no":  # "No, we will…" answers; it does not negate what follows
        return None
    between = page.original[page.origin(at - 2) + 1 : page.origin(at)]
    same_clause = not between.strip() and "\n" not in between  # not a heading or paragraph ending in the word
    return page.original[slice(*page.span(word_start, at - 1))] if same_clause else None


def _exact(page: Folded, needles: list[str]) -> tuple[list[tuple[int, int]] | None, str | None]:
    """The first place the quote's words stand as they are, preferring one its page does not negate."""
    first, pos = None, 0
    for _ in range(MAX_OCCURRENCES):
        spans = _find_in_order(page.text, needles, pos)
        if not spans:
            break
        negated = _negated_before(page, spans[0][0])
        if not negated:
            return spans, None
        first = first or (spans, negated)
        pos = spans[0][0] + 1
    return first or (None, None)


def _find_in_order(text: str, needles: list[str], pos: int = 0) -> list[tuple[int, int]] | None:
    """Each needle found as whole words, each after the one before; None if one is missing."""
    spans = []
    for needle in needles:
        at = _find_words(text, needle, pos)
        if at < 0:
            return None
        spans.append((at, at + len(needle)))
        pos = at + len(needle)
    return spans


def _find_words(text: str, needle: str, pos: int) -> int:
    while True:
        at = text.find(needle, pos)
        if at < 0:
            return -1
        end = at + len(needle)
        if _boundary(text, at, needle[0], before=True) and _boundary(text, end, needle[-1], before=False):
            return at
        pos = at + 1


def _boundary(text: str, at: int, edge: str, *, before: bool) -> bool:
    neighbour = text[at - 1] if before and at > 0 else (text[at] if not before and at < len(text) else " ")
    if neighbour == " ":
        return True
    return bool(UNSPACED.match(edge)) and bool(UNSPACED.match(neighbour))


def _align_edlib(needle: str, hay: str) -> tuple[int, int, int] | None:
    # A character the needle lacks can never match, so all such characters of the page become one symbol:
    # the distance stays exact, edlib's limit of 256 distinct symbols is kept, and it runs several times faster.
    own = sorted(set(needle) - {"\0"})
    if len(own) > 250:  # a very long quote in a script of thousands of signs: share symbols (a lower bound)
        folding = {ord(c): chr(0x4E00 + ord(c) % 250) for c in set(needle) | set(hay)}
        needle, hay = needle.translate(folding), hay.translate(folding)
    else:
        hay = re.sub(f"[^{re.escape(''.join(own))}]", "\0", hay)
    r = edlib.align(needle, hay, mode="HW", task="locations", k=len(needle) // 2)
    if r["editDistance"] < 0:
        return None
    start, last = r["locations"][0]
    if start is None or last is None:  # edlib leaves an end open when the best alignment is all deletions
        return None
    return start, last + 1, r["editDistance"]


def _align_rapidfuzz(needle: str, hay: str) -> tuple[int, int, int] | None:
    # rapidfuzz is only measured beside edlib (bench and test extras), so it is imported when asked for.
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    r = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=50)
    if r is None:
        return None
    distance = Levenshtein.distance(needle, hay[r.dest_start : r.dest_end])
    if distance > len(needle) // 2:
        return None
    return r.dest_start, r.dest_end, distance


ALIGNERS = {"edlib": _align_edlib, "rapidfuzz": _align_rapidfuzz}


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen start..end to whole words (never across a script written without spaces)."""
    if start > 0 and text[start - 1] != " " and not UNSPACED.match(text[start]):
        start = text.rfind(" ", 0, start) + 1
    if end < len(text) and text[end] != " " and not UNSPACED.match(text[end - 1]):
        space = text.find(" ", end)
        end = len(text) if space < 0 else space
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def _locate(align, needle: str, hay: str, pos: int) -> tuple[int, int, int] | None:
    """The best alignment of `needle` in hay[pos:], as offsets into `hay`.

    A long quote is first aligned only around the places where a few of its three-word runs occur
    verbatim; when one of those windows holds a good match (a quarter of the quote's length in
    edits at most) that is the answer, found in a fraction of a full scan. Otherwise the whole
    page is scanned, so the result is the same as a full scan's whenever it matters.
    """
    words = needle.split(" ")
    if len(words) >= SHINGLE_FROM:
        starts = set()
        for i in range(0, len(words) - 2, max(1, (len(words) - 2) // SHINGLES)):
            run = " ".join(words[i : i + 3])
            lead = len(" ".join(words[:i])) + (1 if i else 0)
            at = hay.find(run, pos)
            for _ in range(SHINGLE_HITS):
                if at < 0:
                    break
                starts.add(at - lead)
                at = hay.find(run, at + 1)
        best = None
        size = len(needle)
        for start in sorted(starts)[: SHINGLE_HITS * SHINGLES]:
            lo, hi = max(pos, start - size // 2), min(len(hay), start + size + size // 2)
            found = align(needle, hay[lo:hi])
            if found and (best is None or found[2] < best[2]):
                best = (lo + found[0], lo + found[1], found[2])
        if best and best[2] <= size // 4:
            return best
    found = align(needle, hay[pos:])
    return (pos + found[0], pos + found[1], found[2]) if found else None


def _approximate(parts: list[Folded], page: Folded, aligner: str) -> Check:
    align = ALIGNERS[aligner]
    spans, differences, reasons = [], [], []
    matched = total_words = edits = length = longest = 0
    pos = 0
    for part in parts:
        length += len(part.text)
        found = _locate(align, part.text, page.text, pos)
        quote_tokens = tokens(part)
        total_words += len(quote_tokens)
        if found is None:
            edits += len(part.text)
            differences.append((part.text, ""))
            longest = max(longest, len(quote_tokens))
            continue
        page_tokens = _lined_up(quote_tokens, page, *_snap(page.text, found[0], found[1]))
        if not page_tokens:
            edits += len(part.text)
            differences.append((part.text, ""))
            longest = max(longest, len(quote_tokens))
            continue
        edits += found[2]
        start, end = page_tokens[0].start, page_tokens[-1].end
        spans.append((start, end))
        m, diffs, why, unsaid = _compare(part, quote_tokens, page, page_tokens)
        matched += m
        differences += diffs
        reasons += [r for r in why if r not in reasons]
        longest = max(longest, unsaid)
        pos = end
    score = round(max(0.0, 1 - edits / max(length, 1)), 3)
    share = matched / max(total_words, 1)
    # A long run of the quote's words that the passage does not say means the quote is not this passage
    # (half of one sentence joined to half of another), however many words the two share.
    fits = bool(spans) and share >= MOST_WORDS and longest <= max(SMALL_EDIT, LONGEST_UNSAID * total_words)
    differing = "; ".join(f"{q or '∅'} → {p or '∅'}" for q, p in differences)
    if fits and reasons:
        check = Check("quote", "altered", score, detail=f"{', '.join(reasons)} differs: {differing}")
    elif fits and (score >= CLOSE_SCORE or (longest <= 1 and share >= 0.75)):  # or one word off in a short quote
        same = "same words; punctuation differs"
        check = Check("quote", "close", score, detail=f"differs: {differing}" if differing else same)
    else:
        best = f"; the nearest passage scores {score:.2f}" if spans else ""
        return Check("quote", "absent", score if spans else 0.0, detail=f"not found in the page{best}")
    check.differences, check.reasons = differences, reasons
    return _located(check, page, spans)


def _lined_up(quote_tokens: list[Token], page: Folded, start: int, end: int) -> list[Token]:
    """The page's words that line up with the quote's, from a window a little wider than the alignment.

    An edit-distance alignment can start or stop a word early or late when the quote leaves a
    word out at its edge; lining up words (not characters) in a wider window puts the edges right.
    """
    wide = tokens(page, *_snap(page.text, max(0, start - EDGE_CHARS), min(len(page.text), end + EDGE_CHARS)))
    q = [t.word for t in quote_tokens]
    lined = SequenceMatcher(None, q, [t.word for t in wide], autojunk=False).get_matching_blocks()
    blocks = [b for b in lined if b.size]
    if not blocks:
        return tokens(page, start, end) or wide

    def apart(x, y) -> bool:  # a word or two matched far from the rest, by chance ("for", a repeated name)
        return (y.b - x.b - x.size) > (y.a - x.a - x.size) + 1

    while len(blocks) > 1 and blocks[0].size <= 2 and apart(blocks[0], blocks[1]):
        blocks.pop(0)
    while len(blocks) > 1 and blocks[-1].size <= 2 and apart(blocks[-2], blocks[-1]):
        blocks.pop()
    first, last = blocks[0], blocks[-1]
    # Quote words before the first match and after the last are words the page put differently: keep as many.
    lead, trail = first.a, len(q) - last.a - last.size
    return wide[max(0, first.b - lead) : last.b + last.size + trail]


def _compare(
    part: Folded, quote_tokens: list[Token], page: Folded, page_tokens: list[Token]
) -> tuple[int, list[tuple[str, str]], list[str], int]:
    """Words shared, the differing stretches, which meaning-changing edits they contain, and the longest run
    of quote words the passage does not say (a single word shared by chance does not end a run)."""
    q = [t.word for t in quote_tokens]
    p = [t.word for t in page_tokens]
    matched, diffs, reasons = 0, [], []
    run = longest = bridge = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, q, p, autojunk=False).get_opcodes():
        if op == "equal":
            matched += i2 - i1
            run, bridge = (run, i2 - i1) if i2 - i1 == 1 and run else (0, 0)
            continue
        qs, ps = q[i1:i2], p[j1:j2]
        if [w.replace(",", "") for w in qs] == [w.replace(",", "") for w in ps]:
            matched += i2 - i1  # the same number written with or without a thousands separator
            continue
        run += bridge + len(qs)
        bridge = 0
        longest = max(longest, run)
        if max(len(qs), len(ps)) > SMALL_EDIT:
            pass  # a long stretch said differently is a difference of wording, not one changed fact
        elif _numbers(qs) != _numbers(ps):
            reasons.append("number")
        elif sum(map(is_negation, qs)) != sum(map(is_negation, ps)):
            reasons.append("negation")
        elif op == "replace" and (
            any(_is_name(part, t) for t in quote_tokens[i1:i2]) or any(_is_name(page, t) for t in page_tokens[j1:j2])
        ):
            reasons.append("name")  # a name put in another's place; a name left out is not a change of meaning
        diffs.append((" ".join(qs), " ".join(ps)))
    # Without spaces a negation is a suffix ("上げない") that word-by-word lining up can cut in two: count whole texts.
    # A suffix the quote stops short of counts too ("上げ" quoted from "上げない").
    tail = page.text[page_tokens[-1].end : page_tokens[-1].end + 2] if page_tokens else ""
    if diffs and "negation" not in reasons and _unspaced_negations(q) != _unspaced_negations(p + [tail]):
        reasons.append("negation")
    return matched, diffs, reasons, longest


def _numbers(words: list[str]) -> list[str]:
    return sorted(w.replace(",", "") for w in words if is_number(w))


def _unspaced_negations(words: list[str]) -> int:
    joined = "".join(words)
    return sum(joined.count(n) for n in _UNSPACED_NEGATIONS) if UNSPACED.search(joined) else 0


def _is_name(folded: Folded, token: Token) -> bool:
    """A capitalised word that does not open a sentence: likely a proper name."""
    raw = folded.original
    at = folded.origin(token.start)
    if not raw[at].isupper():
        return False
    before = raw[:at].rstrip()
    return bool(before) and before[-1] not in ".!?:\"'“‘«»—–-(…"


def _located(check: Check, page: Folded, spans: list[tuple[int, int]]) -> Check:
    start = page.span(*spans[0])[0]
    end = page.span(*spans[-1])[1]
    raw = page.original
    check.start, check.end = start, end
    check.passage = raw[start:end]
    check.before, check.after = context(raw, start, end)
    return check


def context(raw: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> tuple[str, str]:
    """About `chars` characters of whole words either side of raw[start:end]."""
    before = raw[max(0, start - chars) : start]
    if start - chars > 0 and " " in before:
        before = before[before.index(" ") + 1 :]
    after = raw[end : end + chars]
    if end + chars < len(raw) and " " in after:
        after = after[: after.rindex(" ")]
    return before, after
