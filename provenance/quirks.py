"""URL quirks as data: shortener hosts, tracking parameters, embed and navigation URL shapes.

Every rule lives in `provenance/data/` or in a small named table here, and each
function answers one question about one URL, so a rule can be tested alone and a
newsroom's new shortener is a one-line data change. Nothing here touches the
network (the public suffix list is a data file of the package).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_DATA = resources.files("provenance") / "data"


def _lines(name: str) -> list[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=None)
def shortener_hosts() -> frozenset[str]:
    """Hosts whose links are `short_link`s (t.co, bit.ly, …), from data/shorteners.txt."""
    return frozenset(h.lower() for h in _lines("shorteners.txt"))


@lru_cache(maxsize=None)
def _tracking() -> tuple[frozenset[str], tuple[str, ...]]:
    exact, prefixes = set(), []
    for p in _lines("tracking_params.txt"):
        (prefixes.append(p[:-1].lower()) if p.endswith("*") else exact.add(p.lower()))
    return frozenset(exact), tuple(prefixes)


def _any_of(patterns: list[str]) -> re.Pattern:
    """One pattern searching for all of `patterns` at once (none of them refers back to a group)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@lru_cache(maxsize=None)
def _link_rules() -> dict:
    raw = json.loads((_DATA / "link_rules.json").read_text(encoding="utf-8"))
    return {
        # Read for every link: each set as one pattern, which matches where any of its rules does.
        "any_navigation": _any_of(raw["navigation_paths"]),
        "any_follow": _any_of(raw["follow_paths"]),
        "site": [re.compile(p, re.I) for p in raw["site_paths"]],
        "player": [re.compile(p, re.I) for p in raw["site_player_paths"]],
        "share": tuple(s.lower() for s in raw["share_hosts"]),
        "widget": frozenset(raw["widget_hosts"]),
    }


@lru_cache(maxsize=8192)  # asked of the same link by several rules (share, navigation, same site, outlet)
def host(url: str | None) -> str:
    """Lower-case host name without `www.`; '' when there is none."""
    if not url:
        return ""
    try:
        h = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
    return h[4:] if h.startswith("www.") else h


@lru_cache(maxsize=1)
def _suffix_rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The ICANN section of the Public Suffix List (data/public_suffix_list.dat; publicsuffix.org, MPL 2.0,
    the snapshot tldextract 5.4 bundles): exact rules, wildcard rules (`*.ck` kept as "ck") and exceptions
    (`!www.ck`). Read from the package, never fetched; a few milliseconds where building tldextract's
    trie took a tenth of a second of every short run."""
    exact, wild, exceptions = set(), set(), set()
    text = resources.files("provenance").joinpath("data/public_suffix_list.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        rule = line.strip()
        if not rule or rule.startswith("//"):
            continue
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            exact.add(rule)
    return frozenset(exact), frozenset(wild), frozenset(exceptions)


def _unicode_label(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


@lru_cache(maxsize=4096)
def _split_host(hostname: str) -> tuple[str, str, str]:
    """(the sub-domain, the label registered under the public suffix, the suffix), by the list's rules: the longest
    matching rule wins, a wildcard covers one more label, an exception ends one label sooner."""
    hostname = hostname.rsplit("@", 1)[-1]  # user info and a port are no part of the name, as in tldextract
    if hostname.count(":") == 1:
        hostname = hostname.split(":", 1)[0]
    labels = [_unicode_label(x) for x in hostname.lower().strip().rstrip(".").split(".")]
    if not all(labels):
        return "", "", ""
    exact, wild, exceptions = _suffix_rules()
    for i in range(len(labels)):
        candidate = ".".join(labels[i:])
        if candidate in exceptions:
            i += 1
            break
        if candidate in exact or (i + 1 < len(labels) and ".".join(labels[i + 1:]) in wild):
            break
    else:
        return "", "", ""
    raw = hostname.lower().strip().rstrip(".").split(".")
    return ".".join(raw[: max(0, i - 1)]), (raw[i - 1] if i > 0 else ""), ".".join(raw[i:])


def registrable_domain(hostname: str) -> str:
    """`news.bbc.co.uk` → `bbc.co.uk`: the part of a host that one owner registered."""
    if not hostname:
        return ""
    _, domain, suffix = _split_host(hostname)
    if domain and suffix:
        return f"{domain}.{suffix}".lower()
    return hostname.lower()


def has_public_suffix(hostname: str) -> bool:
    """True when a host ends in a public suffix (`example.com`, not `node.js`) with a name before it."""
    _, domain, suffix = _split_host(hostname or "")
    return bool(domain and suffix)


def same_site(a: str | None, b: str | None) -> bool:
    ha, hb = host(a), host(b)
    return bool(ha and hb) and registrable_domain(ha) == registrable_domain(hb)


def is_short_link(url: str | None) -> bool:
    """A link on a shortener host (or a `pic.twitter.com` media link, which t.co stands behind),
    or one shaped like a short link on a host the table does not know yet."""
    return host(url) in shortener_hosts() or looks_short(url)


# Generic top-level domains that sites, not shorteners, live on: a short path there is a page.
_SITE_SUFFIXES = frozenset("com org net edu gov mil int info biz".split())
_OPAQUE_PATH = re.compile(r"^/(?:[a-z]/)?([A-Za-z0-9_-]{4,12})/?$")
_SLUG_WORDS = re.compile(r"[a-z]{3,}[-_][a-z0-9]{2,}|[a-z0-9]{2,}[-_][a-z]{3,}")


# Sub-domains a site keeps for its own short links (on.ft.com, go.nature.com).
_SHORT_SUBDOMAINS = frozenset("on go link links lnk share trk click".split())


@lru_cache(maxsize=4096)
def _short_host(hostname: str) -> bool:
    subdomain, domain, suffix = _split_host(hostname)
    if not domain or not suffix:
        return False
    if subdomain in _SHORT_SUBDOMAINS:
        return True
    if "." in suffix or suffix in _SITE_SUFFIXES:
        return False
    return subdomain in ("", "www") and len(domain) <= 8


def looks_short(url: str | None) -> bool:
    """Shaped like a short link: a short name on a country-code domain hack (`ctt.ec`, `nyti.ms`) or a
    site's short-link sub-domain (`on.example.com`), and one opaque code for a path (`/rWu67`:
    letters mixed with digits or capitals, no slug)."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    m = _OPAQUE_PATH.match(parts.path)
    if not m or parts.scheme.lower() not in ("http", "https") or parts.fragment:
        return False
    code = m.group(1)
    if not (re.search(r"[A-Za-z]", code) and re.search(r"[A-Z0-9]", code)) or _SLUG_WORDS.search(code):
        return False  # digits only (an id), lower-case words only, or words joined like a slug
    return _short_host((parts.hostname or "").lower())


# Read for every link of every page: compiled once.
_HTTP_URL = re.compile(r"(?i)https?://[^/\s]")
_HTTP_SCHEME = re.compile(r"(?i)https?://")
_NOT_WEB = re.compile(r"(?i)(mailto|javascript|tel|sms|data|about|file):")
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def is_http(url: str | None) -> bool:
    return bool(url) and bool(_HTTP_URL.match(url or ""))


def absolute(href: str | None, base: str | None) -> str | None:
    """An href made absolute against the page's base; None for what is not a web link."""
    if not href:
        return None
    href = href.strip().replace("\n", "").replace("\t", "")
    if (
        not href
        or href.startswith("#")
        or _NOT_WEB.match(href)
    ):
        return None
    if href.startswith("//"):
        scheme = urlsplit(base).scheme if base and "://" in base else "https"
        return f"{scheme or 'https'}:{href}"
    if _HTTP_SCHEME.match(href):
        return href
    if _ANY_SCHEME.match(href):
        return None  # another scheme (ftp:, whatsapp:, …)
    if not base or not is_http(base):
        return None
    try:
        if href[0] == "/" and not _JOIN_BY_RULES.search(href):
            # A plain root-relative path (most of a page's links): `urljoin` would keep it as it is
            # after the base's scheme and host, so it is written so, without its six parses per link.
            scheme, netloc = _origin(base)
            return f"{scheme}://{netloc}{href}"
        return urljoin(base, href)
    except ValueError:
        return None


# What in a root-relative href `urljoin` rewrites or reads apart: a second slash (a host), a dot
# segment, parameters, a query, a fragment, the characters `urlsplit` drops.
_JOIN_BY_RULES = re.compile(r"^//|/\.|[;?#\r]")


@lru_cache(maxsize=64)  # a page's links share one base
def _origin(base: str) -> tuple[str, str]:
    """The scheme and host `urljoin` puts before a root-relative path (ValueError where it raises)."""
    parts = urlsplit(base)
    return parts.scheme, parts.netloc


def strip_credentials(url: str) -> str:
    """The URL without `user:pass@`: never stored, printed or sent. Every citation's URL passes here
    when it is made, so that every stage (recording, resolving, the batch's wait for an answer) keys
    the same URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def strip_tracking(url: str) -> str:
    """The URL without click-tracking query parameters (utm_*, fbclid, …) and fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    exact, prefixes = _tracking()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in exact and not k.lower().startswith(prefixes)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


@lru_cache(maxsize=8192)  # a page's links are compared with its own URL and with each other
def dedup_key(url: str) -> str:
    """A comparison key: scheme, `www.`, case of the host, tracking, fragment and trailing `/` ignored."""
    u = strip_tracking(url.strip())
    try:
        parts = urlsplit(u)
    except ValueError:
        return u
    h = (parts.hostname or "").lower()
    h = h[4:] if h.startswith("www.") else h
    return urlunsplit(("https", h, parts.path.rstrip("/"), parts.query, ""))


# --- embeds ---------------------------------------------------------------------------------

_TWEET_STATUS = re.compile(
    r"(?i)^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?([A-Za-z0-9_]{1,15})/status(?:es)?/(\d+)"
)


def tweet_status(url: str | None) -> tuple[str, str] | None:
    """(handle, status id) of a tweet URL on twitter.com or x.com, else None."""
    m = _TWEET_STATUS.match((url or "").strip())
    return (m.group(1), m.group(2)) if m else None


def tweet_url(url: str | None) -> str | None:
    """A tweet URL in one form: `https://twitter.com/<handle>/status/<id>` (query dropped, case kept)."""
    st = tweet_status(url)
    return f"https://twitter.com/{st[0]}/status/{st[1]}" if st else None


# (name, pattern on an embed src, canonical form): the video players we recognise.
VIDEO_EMBEDS: tuple[tuple[str, re.Pattern, str], ...] = (
    (
        "youtube",
        re.compile(
            r"(?i)(?:^|//)(?:www\.|m\.)?youtube(?:-nocookie)?\.com/(?:embed|v|shorts|live)/([\w-]{6,})"
        ),
        "https://www.youtube.com/watch?v={}",
    ),
    (
        "youtube",
        re.compile(r"(?i)(?:^|//)(?:www\.|m\.)?youtube\.com/watch\?(?:[^#]*&)?v=([\w-]{6,})"),
        "https://www.youtube.com/watch?v={}",
    ),
    ("youtube", re.compile(r"(?i)(?:^|//)youtu\.be/([\w-]{6,})"), "https://www.youtube.com/watch?v={}"),
    ("vimeo", re.compile(r"(?i)(?:^|//)(?:player\.)?vimeo\.com/(?:video/)?(\d+)"), "https://vimeo.com/{}"),
    ("vine", re.compile(r"(?i)(?:^|//)(?:www\.)?vine\.co/v/(\w+)"), "https://vine.co/v/{}"),
    (
        "dailymotion",
        re.compile(r"(?i)(?:^|//)(?:www\.)?dailymotion\.com/(?:embed/)?video/(\w+)"),
        "https://www.dailymotion.com/video/{}",
    ),
    (
        "tiktok",
        re.compile(r"(?i)(?:^|//)(?:www\.)?tiktok\.com/(?:embed(?:/v2)?/|@[\w.]+/video/)(\d+)"),
        "https://www.tiktok.com/video/{}",
    ),
    (
        "facebook",
        re.compile(r"(?i)(?:^|//)(?:www\.)?facebook\.com/plugins/video\.php\?(?:[^#]*&)?href=([^&]+)"),
        "{}",
    ),
)


def video_url(src: str | None) -> str | None:
    """The canonical watch URL of an embedded player's src, or None when it is not a known player."""
    if not src:
        return None
    src = src.strip()
    playlist = re.search(r"(?i)youtube(?:-nocookie)?\.com/embed/videoseries\?(?:[^#]*&)?list=([\w-]+)", src)
    if playlist:
        return f"https://www.youtube.com/playlist?list={playlist.group(1)}"
    for name, pattern, form in VIDEO_EMBEDS:
        m = pattern.search(src)
        if m:
            if name == "facebook":
                from urllib.parse import unquote

                return unquote(m.group(1))
            return form.format(m.group(1))
    return None


# --- navigation and boilerplate links --------------------------------------------------------


def is_share_or_follow(url: str) -> bool:
    """Share buttons, follow buttons, channel-subscribe links and recommendation widgets' own links:
    chrome, never a source."""
    low = url.lower()
    rules = _link_rules()
    if registrable_domain(host(url)) in rules["widget"] or host(url) in rules["widget"]:
        return True
    if any(s in low for s in rules["share"]):
        return True
    return bool(rules["any_follow"].search(url))


def is_navigation(url: str, page_url: str | None = None) -> bool:
    """Tag, topic, person, ticker or section pages: site navigation rather than a cited page.

    Ticker, team and player paths count on any site (a network's sister sites link them too);
    tag, topic and person paths, and paths with no date, number or multi-word slug (section
    fronts), only on the page's own site: elsewhere such a page is usually the thing cited.
    """
    try:
        path = urlsplit(url).path or "/"
    except ValueError:
        return False
    rules = _link_rules()
    if rules["any_navigation"].search(path):
        return True
    if page_url and same_site(url, page_url):
        if any(p.search(path) for p in rules["player"]):
            return True
        for p in rules["site"]:
            m = p.search(path)
            if m and not _ARTICLE_ID.search(path[m.end() :]):
                return True
        return is_section_path(path)
    return False


# A date (`/2016/12/05/`) or a long numeric id in a path: the page of one story, not a listing.
_ARTICLE_ID = re.compile(r"/(?:19|20)\d\d/\d{1,2}/|(?<![\w])\d{6,}(?![\w])")


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)$", re.I)


def is_image_file(url: str) -> bool:
    """A link straight to an image file (an "enlarge" button, a photo), not to a page."""
    try:
        return bool(_IMAGE_FILE.search(urlsplit(url).path))
    except ValueError:
        return False


def is_recirculation(url: str, page_url: str | None) -> bool:
    """A link to the page's own site carrying campaign tracking (`?utm_source=…`, `?itm_campaign=…`):
    a related-stories module's link; a writer citing the site's own story pastes its plain URL."""
    if not page_url or not same_site(url, page_url):
        return False
    try:
        query = urlsplit(url).query
    except ValueError:
        return False
    if "%" not in query and "tm_" not in query.lower():
        return False  # no key can read utm_ or itm_ (most links: parsing their query is spared)
    return any(k.lower().startswith(("utm_", "itm_")) for k, _ in parse_qsl(query, keep_blank_values=True))


def is_section_path(path: str) -> bool:
    """A path like `/news/world/asia/` (single words only: no id, no slug): a section front."""
    if path in ("", "/"):
        return True
    if re.search(r"\d", path) or re.search(r"\.(html?|php|aspx?|shtml)$", path, re.I):
        return False
    segments = [s for s in path.split("/") if s]
    return not any("-" in s or "_" in s for s in segments)
