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
    note = "..."                    # why it is disabled, or anything a reader of the file should know
    checked = 2026-12-01            # the date its routes (feeds, sitemaps, listings) were last confirmed
    headers = { Accept = "application/rss+xml" }  # extra request headers (never User-Agent, Cookie, ...)

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
    headline = "h2.entry-title"     # optional, CSS relative to the link's item: see crosswire.crawlers.listings
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
To add a key: add a field to `Source` and one line to crosswire.core.sourcecheck.CHECKS (and to DEFAULTABLE if
`[defaults]` may set it).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin

from crosswire.core.errors import SourcesError
from crosswire.core.sourcecheck import (
    CHECKS,
    DEFAULTABLE,
    REQUIRED,
    ROBOTS,
    Invalid,
    check_name,
    is_http_url,
    kind_of,
    quote,
    suggest,
)

__all__ = ["Source", "Listing", "Rules", "ROBOTS", "is_http_url", "parse_sources", "load_sources", "select_sources"]

# Guards for entry points when a source does not set its own.
DEFAULT_MAX_PAGES = 20
DEFAULT_MAX_DEPTH = 3
DEFAULT_MAX_ARTICLES = 500
_TOP_LEVEL = ("source", "defaults")


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

# Documented vocabulary for `tags`; not enforced, so users may add their own (e.g. "lebanese").
PERSPECTIVE_TAGS = (
    "wire", "western", "russian", "ukrainian", "arab", "kurdish", "turkish", "iranian", "israeli",
    "syrian-state", "opposition", "sudanese", "south-sudanese", "monitor", "independent",
)
OWNERSHIP_TAGS = ("state-media", "state-funded", "public-broadcaster", "private", "party-affiliated", "cooperative",
                  "nonprofit", "ngo", "un-agency")


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
    headers: tuple[tuple[str, str], ...] = ()   # TOML: a table; extra request headers, in the file's order
    checked: date | None = None                 # when its routes were last confirmed
    note: str | None = None                     # why it is disabled, or what a reader should know

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
            elif isinstance(value, date):
                value = value.isoformat()
            elif f.name == "headers":
                value = dict(value)
            elif isinstance(value, tuple):
                value = [asdict(v) if isinstance(v, Listing) else v for v in value]
            out[f.name] = value
        return out

    def settings(self) -> dict[str, Any]:
        """The source's crawl settings (everything but its name, homepage, title, feeds, language, country
        and tags, which have columns of their own), JSON-ready, as the `sources.config` column keeps them."""
        own = ("name", "homepage", "title", "feeds", "language", "country", "tags")
        return {key: value for key, value in self.as_dict().items() if key not in own}

    def routes(self) -> list[tuple[str, str]]:
        """Every entry point as (kind, URL): its feeds, its sitemaps ("robots" becomes the robots.txt URL, kind
        "robots") and its listing pages, in the file's order."""
        out = [("feed", url) for url in self.feeds]
        out += [("robots", urljoin(self.homepage, "/robots.txt")) if url == ROBOTS else ("sitemap", url)
                for url in self.sitemaps]
        return out + [("listing", listing.url) for listing in self.listing]

    def matches_scope(self, url: str) -> bool:
        """Whether an article URL passes this source's include/exclude patterns."""
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


_OPTIONAL_FIELDS = ("sitemaps", "listing", "include", "exclude", "topics", "only_topics", "rules",
                    "max_pages", "max_depth", "max_articles", "headers", "checked", "note")


# --- parsing ----------------------------------------------------------------------------------------------


def parse_sources(text: str, origin: str) -> list[Source]:
    """Parse and validate sources-file text; `origin` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: invalid TOML: {exc}") from None

    for key in data:
        if key not in _TOP_LEVEL:
            raise SourcesError(f"{origin}: unknown top-level key {quote(key)}{suggest(key, _TOP_LEVEL)}")

    defaults = _parse_defaults(data.get("defaults", {}), origin)

    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise SourcesError(f'{origin}: "source" must be [[source]] tables, got {kind_of(tables)}')
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
                raise SourcesError(f'{where}: field "feeds": {quote(url)} is already listed by source "{feed_owner[url]}"')
            feed_owner[url] = source.name
        sources.append(source)
    return sources


def _parse_defaults(table: Any, origin: str) -> dict[str, Any]:
    """The checked [defaults] table."""
    where = f"{origin}: [defaults]"
    if not isinstance(table, dict):
        raise SourcesError(f'{origin}: "defaults" must be a [defaults] table, got {kind_of(table)}')
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in DEFAULTABLE:
            allowed = ", ".join(DEFAULTABLE)
            if key in CHECKS:
                raise SourcesError(f'{where}: field "{key}" cannot have a default (allowed: {allowed})')
            raise SourcesError(f"{where}: unknown field {quote(key)}{suggest(key, DEFAULTABLE)}")
        try:
            out[key] = CHECKS[key](value)
        except Invalid as exc:
            raise SourcesError(f'{where}: field "{key}": {exc}') from None
    return out


def _parse_source(table: Any, index: int, defaults: dict[str, Any], origin: str) -> Source:
    """One checked [[source]] table; `index` is 1-based and names the table until its name is known."""
    where = f"{origin}: source #{index}"
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table, got {kind_of(table)}")
    if "name" not in table:
        raise SourcesError(f'{where}: missing required field "name"')
    try:
        name = check_name(table["name"])
    except Invalid as exc:
        raise SourcesError(f'{where}: field "name": {exc}') from None
    where = f'{origin}: source "{name}"'

    for key in table:
        if key not in CHECKS:
            raise SourcesError(f"{where}: unknown field {quote(key)}{suggest(key, CHECKS)}")
    for key in REQUIRED:
        if key not in table:
            raise SourcesError(f'{where}: missing required field "{key}"')

    values: dict[str, Any] = dict(defaults)
    for key, check in CHECKS.items():
        if key in table:
            try:
                values[key] = check(table[key])
            except Invalid as exc:
                raise SourcesError(f'{where}: field "{key}": {exc}') from None
    if "listing" in values:
        values["listing"] = tuple(Listing(**listing) for listing in values["listing"])
    if "rules" in values:
        values["rules"] = Rules(**values["rules"])
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
            raise SourcesError(f"unknown source {quote(name)}{suggest(name, known)}")
    chosen = set(wanted)
    return [s for s in sources if s.name in chosen]
