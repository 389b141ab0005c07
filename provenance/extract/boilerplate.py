"""What in a page's body is not the article: page furniture, promo lines, lists of other stories.

Boilerplate inside the body (share bars, bylines, related-story widgets, newsletter boxes, tag
links, the site's own player) is recognised by class names and roles, by being hidden, and by the
words of short promo lines; it gives no citations. A run of blocks that each only link to the
site's own pages is a list of other stories, and is dropped after the walk.
"""

from __future__ import annotations

import re

from .. import quirks
from .casefree import CaseFree, lowered
from .document import BOILERPLATE, BULLET, HEADING, PARAGRAPH, Document

# Never article text: scripts, forms, navigation, media players and page furniture.
SKIP_TAGS = frozenset(
    "script style noscript template svg head title meta link form button select input textarea nav aside "
    "footer canvas map object audio video picture source math dialog menu".split()
)

# The names and lines are read for every element and line of a body: on lower-cased text (see `casefree`).
BOILERPLATE_NAMES = CaseFree(
    r"(?:^|[\s_-])(?:share|sharing|sharebar|social|related|newsletter|subscribe|subscription|signup|byline|"
    r"author|authors|bio|comments?|disqus|advert|advertisement|ads?|adunit|dfp|promo|promoted|sponsor|"
    r"sponsored|disclaimer|tags?|tag-list|topics|breadcrumbs?|sidebar|rollover|hovercard|recirc|outbrain|"
    r"taboola|paywall|donate|contribute|contribution|interlude|more-stories|read-more|also-read|"
    r"screen-reader|sr-only|visually-hidden|print-only|caption|credit|credits|copyright|"
    r"trust|trusted|trusted-source|follow-us|footer|google-news|rating|toc|"
    # recirculation: related and trending lists, stories appended below the article
    r"trending|recommended|recommendations|next-?(?:story|stories|article|articles|post|posts)|up-?next|"
    r"read-?next|most-?(?:read|popular|viewed|shared)|more-?(?:in|from|stories|news|articles|posts)\w*)"
    r"(?:$|[\s_-])"
)
# The site's own video player and its playlist: chrome around the article (a third-party player
# inside one is still looked for, see `BodyWalker._tweets_inside`).
PLAYER_NAMES = CaseFree(
    r"(?:^|[\s_-])(?:video-?(?:player|playlist|ct|container|wrapper|rail|carousel|thumbs)|featured-video|"
    r"instream|native-video|jw-?player|media-player|player-?(?:wrapper|container)|playlist)(?:$|[\s_-])"
)

# Short lines inside the body that are promos or taglines, not article text: some open the line, some
# may sit anywhere in it. The two halves are also searched apart (`is_boilerplate_line`), so that the
# opening ones are tried once at the start rather than at every position.
_BOILERPLATE_OPENING = (
    r"\W*(?:related|see also|also read|read also|read more|more from|recommended|sign up|subscribe to|"
    r"have a tip|leave a comment|click here|advertisement|get the latest|get our|join our|download our|"
    r"this story has been shared|share this|story continues|article continues|continue reading|"
    r"follow (?:us|him|her|them|@?[\w.]+) on)\b"
    r"|\W*(?:photo|image|illustration|photograph|graphic|video)s?(?: credit)?\s*(?::|by\b)"
    r"|\W*[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3} is an? (?:[\w-]+ ){0,4}(?:journalist|writer|reporter|editor|"
    r"correspondent|contributor|columnist|author)\b"
)
_BOILERPLATE_ANYWHERE = (
    r"follow (?:him|her|them|us|@\w+) on (?:twitter|facebook|instagram|x\b)"
    r"|(?:sign up|subscribe)\W*$"
    r"|\b(?:may|might) (?:earn|receive|get) (?:a |an )?(?:small |affiliate )?commission|\baffiliate links?\b"
    r"|\bnewsletters?\b.{0,80}\b(?:sign up|subscribe)|\b(?:sign up|subscribe)\b.{0,80}\bnewsletters?\b"
)
BOILERPLATE_LINES = re.compile(rf"^(?:{_BOILERPLATE_OPENING})|{_BOILERPLATE_ANYWHERE}", re.I)
_OPENING = CaseFree(_BOILERPLATE_OPENING)
_ANYWHERE = CaseFree(_BOILERPLATE_ANYWHERE)


# A string every match of _BOILERPLATE_ANYWHERE holds, in lower case: a line with none of them is passed
# over without the search.
_ANYWHERE_WORDS = ("follow ", "sign up", "subscribe", "commission", "affiliate link")


def is_boilerplate_line(text: str) -> bool:
    """Whether BOILERPLATE_LINES finds something in `text` (the same answer, found faster)."""
    low = lowered(text)
    if _OPENING.match(text, low):
        return True
    if low is not None and not any(w in low for w in _ANYWHERE_WORDS):
        return False
    return _ANYWHERE.search(text, low)


# A post's own taxonomy classes (WordPress post_class: "hentry type-post tag-twitter category-news")
# describe the post, not a widget; they are read past on the element that carries them.
_POST_CLASS = re.compile(r"(?:^|\s)(?:hentry|type-post|post-\d+)(?:\s|$)")
_TAXONOMY = re.compile(r"(?:^|\s)(?:tag|category|format|status)-[\w-]+")


def class_names(el) -> str:
    classes = el.get("class") or ""
    if ("post" in classes or "hentry" in classes) and _POST_CLASS.search(classes):
        classes = _TAXONOMY.sub(" ", classes)
    return f"{classes} {el.get('id') or ''}"


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    # off-screen positioning hides text from readers (injected link spam, not the article)
    return "display:none" in style or "visibility:hidden" in style or bool(_OFF_SCREEN.search(style))


_OFF_SCREEN = re.compile(r"(?:^|;)(?:left|top|text-indent):-\d{4,}(?:px|em)")


def is_boilerplate_element(el) -> bool:
    tag = el.tag
    if tag in SKIP_TAGS:
        return True
    if not el.attrib:
        return False  # no attribute, so no name, role or hiding (most elements): none read one by one
    if _hidden(el):
        return True
    if (el.get("role") or "").lower() in ("navigation", "complementary", "banner", "contentinfo"):
        return True
    names = class_names(el)
    if names == " ":
        return False  # no class and no id: no name to read (most elements)
    low = lowered(names)
    # A wrapper named for an embed ("social-media-embed") holds the embed, not a share bar.
    if "embed" in (low if low is not None else names.lower()):
        return False
    return BOILERPLATE_NAMES.search(names, low) or PLAYER_NAMES.search(names, low)



_INLINE = {"span", "a", "em", "strong", "b", "i", "small", "u", "label", "abbr", "cite"}
_UNSEEN = re.compile(
    r"(?:^|[\s_-])(?:sr-only|screen-reader|visually-hidden|hidden|print-only)(?:$|[\s_-])", re.I
)


def inline_label(el) -> str | None:
    """The visible label of an inline widget inside running text (a name under a hover card).

    The widget's links and pop-up are dropped, but the words it shows in the sentence stay,
    so "praised Rep. Jane Roe (D-Ore.)" does not lose the name.
    """
    if el.tag not in _INLINE or _UNSEEN.search(class_names(el)) or _hidden(el):
        return None
    if (el.text or "").strip():
        return el.text
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if first is not None and first.tag in ("a", "span", "strong", "b", "em") and not len(first):
        return first.text
    return None



_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|\b(?:ago|min|mins|hours?|days?)\b|[\W\d_]+",
    re.I,
)


def drop_link_lists(doc: Document, page_url: str | None) -> None:
    """Runs of blocks that are each one link to the site's own pages (and a date at most): a list of
    other stories (related, latest, recent posts), not the article; their links are not citations."""
    if not page_url:
        return
    listed = []
    text = doc.text
    for b in doc.blocks:
        if not b.anchors or b.kind not in (PARAGRAPH, BULLET, HEADING) or b.end - b.start > 300:
            listed.append(False)
            continue
        if not all(quirks.same_site(a.url, page_url) for a in b.anchors):
            listed.append(False)  # a link elsewhere: the block's words need no reading
            continue
        rest = text[b.start : b.end]
        for a in b.anchors:
            rest = rest.replace(a.text, " ")
        listed.append(len(_DATE_WORDS.sub("", rest)) <= 2)
    drop: set[tuple[int, str]] = set()
    for i, b in enumerate(doc.blocks):
        if listed[i] and ((i and listed[i - 1]) or (i + 1 < len(listed) and listed[i + 1])):
            b.kind = BOILERPLATE
            drop.update((a.start, a.url) for a in b.anchors)
    if drop:
        doc.citations = [
            c for c in doc.citations if not (c.parent is None and c.url and (c.start, c.url) in drop)
        ]

