"""The sources file: which outlets to follow, where their articles are announced, and how politely to ask.

A TOML file of `[[source]]` tables, with an optional `[defaults]` table::

    [defaults]                      # optional: used by every source that does not set the key
    delay = 2.0
    concurrency = 1
    language = "en"

    [[source]]
    name = "sana"                   # required: unique lowercase slug, used by --source and in the database
    title = "SANA (Syrian Arab News Agency)"
    homepage = "https://sana.sy/en/"          # required: http(s) URL
    feeds = ["https://sana.sy/en/?feed=rss2"] # RSS/Atom/JSON Feed URLs; may be empty
    language = "en"                 # ISO 639-1
    country = "SY"                  # ISO 3166-1 alpha-2, uppercase
    tags = ["wire", "syrian-state", "state-media"]
    delay = 2.0                     # seconds between requests to this source (>= 0)
    concurrency = 1                 # parallel requests to this source (>= 1)
    enabled = true

Finding articles beyond the feeds, and keeping only what matters (all optional)::

    sitemaps = ["https://example.org/sitemap.xml"]  # or "robots": the Sitemap: lines of robots.txt
    include = ["/middle-east/"]     # regexes: an article URL must match one (when given)...
    exclude = ["/sport/", "/video/"]  # ...and none of these
    topics = ["syria"]              # topic sets (crosswire/data/topics.toml) to tag articles with
    only_topics = true              # keep only articles matching one of `topics`
    max_pages = 20                  # listing pages / sitemap files fetched per entry point per crawl
    max_depth = 3                   # how deep sitemap indexes may nest
    max_articles = 500              # article requests per entry point per crawl (newest first)

    [[source.listing]]              # a page of headlines without a feed (several allowed)
    url = "https://example.org/category/syria/"
    links = "h2.entry-title a"      # CSS for the article links (required)
    headline = "h2.entry-title"     # optional, CSS relative to the link's item: see crosswire.crawlers.listingparse
    lede = ".entry-summary"
    date = "time"
    item = "article"                # optional: the element holding one article's link/headline/lede/date
    next = "a.next"                 # the next (older) page
    max_pages = 50

    [source.rules]                  # per-outlet extraction rules, applied before the generic extractor
    title = "h1.story-title"
    body = "div.story-text"
    date = "span.dateline time"
    authors = ".byline a"
    drop = [".promo", ".newsletter"]

Unknown keys are rejected (with a "did you mean"), so a typo never silently disables a setting.
To add a key: add a field to `Source` and one line to `_CHECKS` (and to `_DEFAULTABLE` if `[defaults]` may set it).
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from crosswire.core.errors import SourcesError

# Guards for entry points when a source does not set its own.
DEFAULT_MAX_PAGES = 20
DEFAULT_MAX_DEPTH = 3
DEFAULT_MAX_ARTICLES = 500
ROBOTS = "robots"  # in `sitemaps`: read the Sitemap: lines of the site's robots.txt


@dataclass(frozen=True)
class Listing:
    """A page of headlines read with CSS selectors, followed through its `next` links."""

    url: str
    links: str
    item: str | None = None
    headline: str | None = None
    lede: str | None = None
    date: str | None = None
    next: str | None = None
    max_pages: int | None = None


@dataclass(frozen=True)
class Rules:
    """Per-outlet extraction rules: CSS selectors read before the generic extractor."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    authors: str | None = None
    drop: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the rules that are set."""
        out = {k: v for k, v in asdict(self).items() if v}
        if "drop" in out:
            out["drop"] = list(out["drop"])
        return out

# Documented vocabulary for `tags`; not enforced, so users may add their own (e.g. "kurdish").
PERSPECTIVE_TAGS = (
    "wire", "western", "russian", "ukrainian", "arab", "turkish", "iranian", "israeli",
    "syrian-state", "opposition", "sudanese", "monitor", "independent",
)
OWNERSHIP_TAGS = ("state-media", "state-funded", "public-broadcaster", "private", "cooperative", "nonprofit", "ngo", "un-agency")


@dataclass(frozen=True)
class Source:
    """One outlet to follow: where it lives, how its articles are announced, and crawl politeness."""

    name: str
    homepage: str
    title: str | None = None
    feeds: tuple[str, ...] = ()
    language: str | None = None
    country: str | None = None
    tags: tuple[str, ...] = ()
    delay: float | None = None  # None: the crawler's own setting applies
    concurrency: int | None = None  # None: the crawler's own setting applies
    enabled: bool = True
    # Finding articles beyond feeds, and scope; see the module docstring.
    sitemaps: tuple[str, ...] = ()
    listing: tuple[Listing, ...] = ()     # TOML: one [source.listing] table or [[source.listing]] tables
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    only_topics: bool = False
    rules: Rules | None = None
    max_pages: int | None = None
    max_depth: int | None = None
    max_articles: int | None = None

    @property
    def display_name(self) -> str:
        """The title if there is one, else the name."""
        return self.title or self.name

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict in declaration order (tuples become lists); discovery and scope fields
        appear only when set, so feed-only sources read as before."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _OPTIONAL_FIELDS and value in (None, (), False):
                continue
            if isinstance(value, Rules):
                value = value.as_dict()
            elif isinstance(value, tuple):
                value = [asdict(v) if isinstance(v, Listing) else v for v in value]
            out[f.name] = value
        return out

    def matches_scope(self, url: str) -> bool:
        """Whether an article URL passes this source's include/exclude patterns."""
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


_OPTIONAL_FIELDS = ("sitemaps", "listing", "include", "exclude", "topics", "only_topics", "rules",
                    "max_pages", "max_depth", "max_articles")


class _Invalid(Exception):
    """A value failed its check; the message says what was expected and what came instead."""


# --- value checks: each takes the raw TOML value and returns the converted one, or raises _Invalid ----------

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# ISO 639-1 (two-letter language codes) and ISO 3166-1 alpha-2 (plus XK, the code everyone uses for Kosovo).
_LANGUAGES = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en
eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv
ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne
ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st
su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())
_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
""".split())
# Codes people reach for that ISO spells differently.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def _kind(value: Any) -> str:
    """How TOML would name the type of `value`, for "got ..." messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"  # the only other values TOML has


def _quote(text: str) -> str:
    """`text` in double quotes, shortened so one bad value cannot flood the error line."""
    return json.dumps(text if len(text) <= 80 else text[:77] + "...", ensure_ascii=False)


def _suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {_quote(close[0])}?)" if close else ""


def is_http_url(text: str) -> bool:
    """True for an absolute http:// or https:// URL with a host and no whitespace."""
    if not text or any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_name(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_kind(value)}")
    if not _SLUG.match(value):
        raise _Invalid(f'expected a lowercase slug like "al-jazeera" (a-z, 0-9, "-", "_"), got {_quote(value)}')
    return value


def _check_title(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_kind(value)}")
    if not value.strip():
        raise _Invalid("must not be empty")
    return value.strip()


def _check_url(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected an http(s) URL, got {_kind(value)}")
    if not is_http_url(value):
        raise _Invalid(f"expected an http(s) URL, got {_quote(value)}")
    return value


def _check_url_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list of URLs, got {_kind(value)}")
    return _unique_urls(value)


def _unique_urls(items: list[Any], *, also: str | None = None) -> tuple[str, ...]:
    """Each item a URL (or the keyword `also`), none listed twice; errors name the item by position."""
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        if also is None or item != also:
            try:
                _check_url(item)
            except _Invalid as exc:
                hint = f' (or "{also}")' if also else ""
                raise _Invalid(f"item {i}: {exc}{hint}") from None
        if item in seen:
            raise _Invalid(f"item {i}: {_quote(item)} is listed twice")
        seen.add(item)
    return tuple(items)


def _check_language(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected an ISO 639-1 code like \"en\", got {_kind(value)}")
    if value not in _LANGUAGES:
        hint = f' (did you mean "{value.lower()}"?)' if value.lower() in _LANGUAGES else ""
        raise _Invalid(f'expected an ISO 639-1 code like "en", got {_quote(value)}{hint}')
    return value


def _check_country(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected an ISO 3166-1 alpha-2 code like \"SY\", got {_kind(value)}")
    if value not in _COUNTRIES:
        upper = value.upper()
        better = _COUNTRY_ALIASES.get(upper) or (upper if upper in _COUNTRIES else None)
        hint = f' (did you mean "{better}"?)' if better else ""
        raise _Invalid(f'expected an ISO 3166-1 alpha-2 code like "SY", got {_quote(value)}{hint}')
    return value


def _check_tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list of strings, got {_kind(value)}")
    seen: set[str] = set()
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise _Invalid(f"item {i}: expected a string, got {_kind(item)}")
        if not _TAG.match(item):
            raise _Invalid(f'item {i}: expected a lowercase tag like "state-media", got {_quote(item)}')
        if item in seen:
            raise _Invalid(f"item {i}: {_quote(item)} is listed twice")
        seen.add(item)
    return tuple(value)


def _check_delay(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(f"expected a number of seconds >= 0, got {_kind(value)}")
    if not value >= 0 or value == float("inf"):  # `not >=` also catches nan
        raise _Invalid(f"expected a number of seconds >= 0, got {value}")
    return float(value)


def _check_concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected an integer >= 1, got {_kind(value)}")
    if value < 1:
        raise _Invalid(f"expected an integer >= 1, got {value}")
    return value


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_kind(value)}")
    return value


def _check_sitemaps(value: Any) -> tuple[str, ...]:
    items = [value] if value == ROBOTS else value
    if not isinstance(items, list):
        raise _Invalid(f'expected a list of sitemap URLs or "robots", got {_kind(value)}')
    return _unique_urls(items, also=ROBOTS)


def _check_css(value: Any) -> str:
    """A CSS selector that cssselect can translate (what parsel and Scrapy accept)."""
    from cssselect import GenericTranslator, SelectorError

    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"expected a CSS selector, got {_kind(value) if not isinstance(value, str) else 'an empty string'}")
    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise _Invalid(f"invalid CSS selector {_quote(value)}: {exc}") from None
    return value


def _check_css_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list of CSS selectors, got {_kind(value)}")
    out = []
    for i, item in enumerate(value, 1):
        try:
            out.append(_check_css(item))
        except _Invalid as exc:
            raise _Invalid(f"item {i}: {exc}") from None
    return tuple(out)


def _check_pages(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected an integer >= 1, got {_kind(value)}")
    if not 1 <= value <= 100_000:
        raise _Invalid(f"expected an integer from 1 to 100000, got {value}")
    return value


def _check_table(value: Any, checks: dict[str, Callable[[Any], Any]], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"expected a table, got {_kind(value)}")
    for key in value:
        if key not in checks:
            raise _Invalid(f"unknown key {_quote(key)}{_suggest(key, checks)}")
    for key in required:
        if key not in value:
            raise _Invalid(f'missing required key "{key}"')
    out = {}
    for key, item in value.items():
        try:
            out[key] = checks[key](item)
        except _Invalid as exc:
            raise _Invalid(f'key "{key}": {exc}') from None
    return out


_LISTING_CHECKS: dict[str, Callable[[Any], Any]] = {
    "url": _check_url, "links": _check_css, "item": _check_css, "headline": _check_css, "lede": _check_css,
    "date": _check_css, "next": _check_css, "max_pages": _check_pages,
}
_RULE_CHECKS: dict[str, Callable[[Any], Any]] = {
    "title": _check_css, "body": _check_css, "date": _check_css, "authors": _check_css, "drop": _check_css_list,
}


def _check_listings(value: Any) -> tuple[Listing, ...]:
    tables = value if isinstance(value, list) else [value]
    out: list[Listing] = []
    for i, table in enumerate(tables, 1):
        try:
            listing = Listing(**_check_table(table, _LISTING_CHECKS, ("url", "links")))
        except _Invalid as exc:
            raise _Invalid(f"listing {i}: {exc}" if len(tables) > 1 else str(exc)) from None
        if any(listing.url == seen.url for seen in out):
            raise _Invalid(f"listing {i}: {_quote(listing.url)} is listed twice")
        out.append(listing)
    return tuple(out)


def _check_rules(value: Any) -> Rules:
    return Rules(**_check_table(value, _RULE_CHECKS, ()))


def _check_patterns(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"expected a list of regular expressions, got {_kind(value)}")
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise _Invalid(f"item {i}: expected a string, got {_kind(item)}")
        try:
            re.compile(item)
        except re.error as exc:
            raise _Invalid(f"item {i}: invalid regular expression {_quote(item)}: {exc}") from None
    return tuple(value)


def _check_topics(value: Any) -> tuple[str, ...]:
    from crosswire.core.topics import load_topics

    if not isinstance(value, list):
        raise _Invalid(f"expected a list of topic names, got {_kind(value)}")
    known = load_topics()
    for i, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise _Invalid(f"item {i}: expected a string, got {_kind(item)}")
        if item not in known:
            raise _Invalid(f"item {i}: unknown topic {_quote(item)}{_suggest(item, known)}")
    return tuple(value)


# Every key a [[source]] table may hold, in the order they are checked; one line per Source field.
_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _check_name,
    "homepage": _check_url,
    "title": _check_title,
    "feeds": _check_url_list,
    "language": _check_language,
    "country": _check_country,
    "tags": _check_tags,
    "delay": _check_delay,
    "concurrency": _check_concurrency,
    "enabled": _check_bool,
    "sitemaps": _check_sitemaps,
    "listing": _check_listings,
    "include": _check_patterns,
    "exclude": _check_patterns,
    "topics": _check_topics,
    "only_topics": _check_bool,
    "rules": _check_rules,
    "max_pages": _check_pages,
    "max_depth": _check_pages,
    "max_articles": _check_pages,
}
_REQUIRED = ("name", "homepage")
# Keys a [defaults] table may set.
_DEFAULTABLE = ("delay", "concurrency", "language")
_TOP_LEVEL = ("source", "defaults")


# --- parsing ----------------------------------------------------------------------------------------------


def parse_sources(text: str, origin: str) -> list[Source]:
    """Parse and validate sources-file text; `origin` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: invalid TOML: {exc}") from None

    for key in data:
        if key not in _TOP_LEVEL:
            raise SourcesError(f"{origin}: unknown top-level key {_quote(key)}{_suggest(key, _TOP_LEVEL)}")

    defaults = _parse_defaults(data.get("defaults", {}), origin)

    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise SourcesError(f'{origin}: "source" must be [[source]] tables, got {_kind(tables)}')
    if not tables:
        raise SourcesError(f"{origin}: no [[source]] tables found")

    sources: list[Source] = []
    index_of: dict[str, int] = {}  # name -> 1-based position, for duplicate messages
    feed_owner: dict[str, str] = {}  # feed URL -> source name; one feed belongs to one source
    for i, table in enumerate(tables, 1):
        source = _parse_source(table, i, defaults, origin)
        where = f'{origin}: source "{source.name}"'
        if source.name in index_of:
            raise SourcesError(
                f'{origin}: source #{i}: field "name": "{source.name}" is already used by source #{index_of[source.name]}'
            )
        index_of[source.name] = i
        for url in source.feeds:
            if url in feed_owner:
                raise SourcesError(f'{where}: field "feeds": {_quote(url)} is already listed by source "{feed_owner[url]}"')
            feed_owner[url] = source.name
        sources.append(source)
    return sources


def _parse_defaults(table: Any, origin: str) -> dict[str, Any]:
    """The checked [defaults] table."""
    where = f"{origin}: [defaults]"
    if not isinstance(table, dict):
        raise SourcesError(f'{origin}: "defaults" must be a [defaults] table, got {_kind(table)}')
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _DEFAULTABLE:
            allowed = ", ".join(_DEFAULTABLE)
            if key in _CHECKS:
                raise SourcesError(f'{where}: field "{key}" cannot have a default (allowed: {allowed})')
            raise SourcesError(f"{where}: unknown field {_quote(key)}{_suggest(key, _DEFAULTABLE)}")
        try:
            out[key] = _CHECKS[key](value)
        except _Invalid as exc:
            raise SourcesError(f'{where}: field "{key}": {exc}') from None
    return out


def _parse_source(table: Any, index: int, defaults: dict[str, Any], origin: str) -> Source:
    """One checked [[source]] table; `index` is 1-based and names the table until its name is known."""
    where = f"{origin}: source #{index}"
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table, got {_kind(table)}")
    if "name" not in table:
        raise SourcesError(f'{where}: missing required field "name"')
    try:
        name = _check_name(table["name"])
    except _Invalid as exc:
        raise SourcesError(f'{where}: field "name": {exc}') from None
    where = f'{origin}: source "{name}"'

    for key in table:
        if key not in _CHECKS:
            raise SourcesError(f"{where}: unknown field {_quote(key)}{_suggest(key, _CHECKS)}")
    for key in _REQUIRED:
        if key not in table:
            raise SourcesError(f'{where}: missing required field "{key}"')

    values: dict[str, Any] = dict(defaults)
    for key, check in _CHECKS.items():
        if key in table:
            try:
                values[key] = check(table[key])
            except _Invalid as exc:
                raise SourcesError(f'{where}: field "{key}": {exc}') from None
    if values.get("only_topics") and not values.get("topics"):
        raise SourcesError(f'{where}: field "only_topics": needs a "topics" list to keep articles by')
    return Source(**values)


def load_sources(path: Path) -> list[Source]:
    """Read and validate a sources file; any problem is one SourcesError line naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"sources file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise SourcesError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc.strerror or exc}") from None
    return parse_sources(text, str(path))


def select_sources(sources: list[Source], names: Iterable[str] = ()) -> list[Source]:
    """The named sources in file order (even if disabled), or every enabled source when no name is given."""
    wanted = list(names)
    if not wanted:
        return [s for s in sources if s.enabled]
    known = {s.name for s in sources}
    for name in wanted:
        if name not in known:
            raise SourcesError(f"unknown source {_quote(name)}{_suggest(name, known)}")
    chosen = set(wanted)
    return [s for s in sources if s.name in chosen]
