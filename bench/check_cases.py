"""How bench/check.py's cases are made from real pages: the corpus pages' main texts, quotes taken
from them in known ways (verbatim, typographic changes, words edited, a number changed, a negation
flipped, a name changed, made up, spliced, from another page), and drift pairs (the page against
itself, edited, reframed, replaced). Nothing here is tuned to the pages; the rules are general.
"""

from __future__ import annotations

import gzip
import random
import re
from collections import Counter
from pathlib import Path

from provenance.check import fold, main_text
from provenance.check.normalise import sentences
from provenance.check.quotes import NUMBER_WORDS, is_negation
from provenance.ingest import article_from_bytes

MIN_WORDS, MAX_WORDS = 10, 60  # the length of a sentence someone quotes
REPLACEMENTS = "several rather quickly certain another simply really often largely mostly clearly briefly".split()
AUXILIARIES = "is are was were will would can could should has have had may might must does did do".split()
_CONTRACTIONS = {"won't": "will", "can't": "can", "shan't": "shall", "ain't": "is"}


class CorpusMissing(SystemExit):
    pass


HTML: dict[str, str] = {}  # name → the page's HTML, for drift cases made in the markup


def load_pages(pages_dir: Path) -> dict[str, str]:
    """name → main text of each corpus page; a clear failure when the corpus is not there."""
    if not pages_dir.is_dir():
        raise CorpusMissing(f"error: no corpus at {pages_dir} (give --pages DIR with the *.html.gz pages)")
    pages = {}
    for path in sorted(pages_dir.glob("*.html.gz")):
        article = article_from_bytes(path.name, gzip.decompress(path.read_bytes()))
        text = main_text(article.content)
        if len(quotable(text)) >= 3:
            pages[path.name.removesuffix(".html.gz")] = text
            HTML[path.name.removesuffix(".html.gz")] = article.content
    if len(pages) < 2:
        raise CorpusMissing(f"error: fewer than two readable pages in {pages_dir}: nothing to evaluate")
    return pages


def quotable(text: str) -> list[tuple[int, int]]:
    """Sentences of a length people quote, each once in the page."""
    spans = [(s, e) for s, e in sentences(text) if MIN_WORDS <= len(text[s:e].split()) <= MAX_WORDS]
    seen = Counter(fold(text[s:e]).text for s, e in spans)
    return [(s, e) for s, e in spans if seen[fold(text[s:e]).text] == 1]


# --- ways of quoting a sentence ----------------------------------------------------------------


def typographic(s: str, rng: random.Random) -> str:
    """The same words, typeset differently, sometimes with an ellipsis where words were left out."""
    out = re.sub(r'"([^"]*)"', "“\\1”", s) if rng.random() < 0.5 else s.replace("“", '"').replace("”", '"')
    out = out.replace("'", "’") if rng.random() < 0.5 else out.replace("’", "'")
    out = re.sub(r"\s[-–—]\s|--", " — ", out) if rng.random() < 0.5 else re.sub(r"\s?[—–]\s?", " - ", out)
    out = out.replace(", ", ",  ") if rng.random() < 0.5 else out
    out = out[0].swapcase() + out[1:] if rng.random() < 0.3 else out
    out = out.rstrip(".!?") if rng.random() < 0.5 else out
    words = out.split(" ")
    if len(words) >= 14 and rng.random() < 0.5:
        i = rng.randrange(3, len(words) - 8)
        out = " ".join(words[:i] + [rng.choice(["…", "...", "[…]", "[...]"])] + words[i + rng.randint(2, 4) :])
    return out


def _editable(word: str) -> bool:
    core = word.strip(".,;:!?\"'“”‘’()[]")
    return core.isalpha() and core.islower() and len(core) >= 4 and core not in NUMBER_WORDS and not is_negation(core)


def edit_words(s: str, rng: random.Random, n: int, leave_out: bool = True) -> str | None:
    words = s.split(" ")
    spots = [i for i, w in enumerate(words) if i > 0 and _editable(w)]
    if len(spots) < n:
        return None
    for i in sorted(rng.sample(spots, n), reverse=True):
        core = words[i].strip(".,;:!?\"'“”‘’()[]")
        if leave_out and rng.random() < 0.25 and words[i] == core and i < len(words) - 1:
            del words[i]  # a word left out
        else:
            words[i] = words[i].replace(core, rng.choice([r for r in REPLACEMENTS if r != core]))
    return " ".join(words)


_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b")


def change_name(s: str, names: list[str], rng: random.Random) -> str | None:
    """A capitalised word inside the sentence (likely a name) put in place of another."""
    spots = list(_NAME.finditer(s))
    if not spots:
        return None
    m = rng.choice(spots)
    other = rng.choice([n for n in names if n.lower() != m.group(0).lower()])
    return s[: m.start()] + other + s[m.end() :]


def splice(a: str, b: str) -> str:
    """The first half of one sentence and the second half of another: page words, never said together."""
    x, y = a.split(" "), b.split(" ")
    return " ".join(x[: len(x) // 2] + y[len(y) // 2 :])


def change_number(s: str, rng: random.Random) -> str | None:
    digits = list(re.finditer(r"(?<![\d.,])\d+(?![\d])", s))
    if digits:
        m = rng.choice(digits)
        value = int(m.group(0))
        new = str(value + rng.randint(1, 9)) if value < 1900 or value > 2100 else str(value - rng.randint(1, 5))
        return s[: m.start()] + new + s[m.end() :]
    words = list(re.finditer(r"\b(two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", s))
    if words:
        m = rng.choice(words)
        new = rng.choice([w for w in ("two", "three", "four", "five", "six", "seven") if w != m.group(0)])
        return s[: m.start()] + new + s[m.end() :]
    return None


def flip_negation(s: str) -> str | None:
    m = re.search(r"\b(not|never)\s+", s)
    if m:
        return s[: m.start()] + s[m.end() :]
    m = re.search(r"\b(\w+)n[’']t\b", s)
    if m:
        word = m.group(0).lower().replace("’", "'")
        return s[: m.start()] + _CONTRACTIONS.get(word, m.group(1)) + s[m.end() :]
    m = re.search(rf"\b({'|'.join(AUXILIARIES)})\b", s)
    if m:
        return s[: m.end()] + " not" + s[m.end() :]
    return None


NAMES = ["Johnson", "Martinez", "Berlin", "Ohio", "Microsoft", "Nairobi", "Chen", "Oxford", "Reuters", "Tuesday"]
_SUBJECTS = ["The regional council", "A spokesperson for the ministry", "Local residents", "The company's board",
             "Two senior officials", "The committee chair", "Researchers at the institute", "The city's mayor"]
_VERBS = ["announced plans to expand", "strongly rejected calls to review", "quietly postponed a decision on",
          "agreed to fund", "warned against cutting", "promised to investigate"]
_OBJECTS = ["the new harbour bridge", "a pilot scheme for rural clinics", "the disputed water contract",
            "summer rail timetables", "a tax on imported steel", "the museum's extension"]
_WHEN = ["after a heated meeting on Thursday", "before the end of next spring", "earlier this week",
         "despite objections from neighbouring towns", "in a statement late last night"]


def made_up(rng: random.Random) -> str:
    n = rng.randint(12, 480)
    return (f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_WHEN)}, "
            f"saying about {n} people would be affected.")


def quote_cases(pages: dict[str, str], rng: random.Random, per_page: int = 4) -> list[tuple[str, str, str]]:
    """(page name, how the quote was made, quote) for every page."""
    cases = []
    names = list(pages)
    for name, text in pages.items():
        spans = quotable(text)
        picked = [text[s:e] for s, e in rng.sample(spans, min(per_page, len(spans)))]
        for s in picked:
            cases.append((name, "verbatim", s))
            cases.append((name, "typographic", typographic(s, rng)))
            for how, n in (("one word edited", 1), ("two words edited", 2)):
                edited = edit_words(s, rng, n)
                if edited:
                    cases.append((name, how, edited))
            words = s.split(" ")
            at, size = rng.randrange(0, len(words) - 5), rng.randint(5, 9)
            part = " ".join(words[at : at + size])
            cases.append((name, "clause (5-9 words)", part))
            edited = edit_words(" ".join(["So"] + words[at : at + size]), rng, 1, leave_out=False)
            if edited and len(part.split()) >= 5:
                cases.append((name, "clause, one word edited", edited.split(" ", 1)[1]))
        with_numbers = [text[s:e] for s, e in spans if re.search(r"\d", text[s:e])]
        for s in rng.sample(with_numbers, min(per_page, len(with_numbers))):
            cases.append((name, "number changed", change_number(s, rng)))
        for s in picked:
            flipped = flip_negation(s)
            if flipped:
                cases.append((name, "negation flipped", flipped))
            renamed = change_name(s, NAMES, rng)
            if renamed:
                cases.append((name, "name changed", renamed))
        if len(spans) >= 2:
            (s1, e1), (s2, e2) = rng.sample(spans, 2)
            spliced = splice(text[s1:e1], text[s2:e2])
            if fold(spliced).text not in fold(text).text:  # two sentences alike can splice into one of the page's
                cases.append((name, "spliced from two sentences", spliced))
        for _ in range(2):
            cases.append((name, "made up", made_up(rng)))
            other = pages[rng.choice([n for n in names if n != name])]
            other_spans = quotable(other)
            s, e = rng.choice(other_spans)
            if fold(other[s:e]).text not in fold(text).text:
                cases.append((name, "other page", other[s:e]))
    return [c for c in cases if c[2]]


def drift_cases(pages: dict[str, str], rng: random.Random) -> list[tuple[str, str, str, str, str | None]]:
    """(page name, what was done, before, after, the cited sentence) for every page."""
    cases = []
    names = list(pages)
    for name, text in pages.items():
        cases.append((name, "unchanged", text, text, None))
        spans = quotable(text)
        edited = None
        while not edited:  # every quotable sentence has a word to edit or a verb to negate, bar a rare few
            s, e = rng.choice(spans)
            sentence = text[s:e]
            edited = change_number(sentence, rng) if rng.random() < 0.3 else None
            edited = edited or edit_words(sentence, rng, 1) or flip_negation(sentence)
        cases.append((name, "one sentence edited", text, text[:s] + edited + text[e:], sentence))
        cases.append((name, "boilerplate changed", text, reframe(text, rng), sentence))
        cases.append((name, "another page", text, pages[rng.choice([n for n in names if n != name])], sentence))
        s, e = rng.choice(spans)
        cases.append((name, "one sentence removed", text, text[:s] + text[e:].lstrip(" "), text[s:e]))
        cases.append((name, "one sentence added", text, text[:e] + " " + made_up(rng) + text[e:], text[s:e]))
        if name in HTML:
            framed = frame_html(HTML[name], text, rng)
            if framed:
                cases.append((name, "promo put in the markup", text, main_text(framed), sentence))
    return cases


_PROMOS = [
    '<div class="newsletter-signup"><p>Get the best of our journalism in your inbox every morning.</p></div>',
    '<aside class="related-articles"><h3>Related</h3><ul><li><a href="/x">Another story about this</a></li></ul>'
    "</aside>",
    '<div class="ad-slot advertisement"><p>Advertisement</p></div>',
    '<p class="share-tools"><a href="/share">Share on Facebook</a> <a href="/tweet">Tweet</a></p>',
]


def frame_html(html: str, text: str, rng: random.Random) -> str | None:
    """The page's markup with a promo box put before one of its paragraphs, as a site redesign would."""
    spans = quotable(text)
    rng.shuffle(spans)
    for s, _ in spans[:5]:
        at = html.find(text[s : s + 24])
        tag = html.rfind("<p", 0, at) if at > 0 else -1
        if tag > 0:
            return html[:tag] + rng.choice(_PROMOS) + html[tag:]
    return None


_FRAMING = ["Sign up for our daily newsletter", "Advertisement", "Share this article", "Read more: Top stories",
            "Follow us on Twitter", "Subscribe to our newsletter"]


def reframe(text: str, rng: random.Random) -> str:
    """The same article with promos, a new timestamp line and different spacing."""
    blocks = text.split("\n\n")
    for _ in range(rng.randint(1, 3)):
        blocks.insert(rng.randrange(1, len(blocks) + 1), rng.choice(_FRAMING))
    stamp = f"Updated {rng.choice(['March', 'June', 'Oct.'])} {rng.randint(1, 28)}, 20{rng.randint(10, 24)}, " \
            f"{rng.randint(1, 12)}:{rng.randint(10, 59)} {rng.choice(['a.m.', 'p.m.', 'ET'])}"
    blocks.insert(1, stamp)
    return "\n\n".join(blocks).replace(". ", ".  ", 3)


# --- scoring ------------------------------------------------------------------------------------
