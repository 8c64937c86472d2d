"""Feeds for every search, source and story, written by issue 5's writers (crosswire.exports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import sqlite_utils
from starlette.requests import Request
from starlette.responses import Response

from crosswire.core.errors import QueryError
from crosswire.exports import FEED_FORMATS, FEED_SUFFIX
from crosswire.exports.common import FeedInfo
from crosswire.exports.static import ID_PREFIX
from crosswire.storage.query import Query, parse_query
from crosswire.storage.export import iter_articles
from crosswire.storage.search import iter_matching

FEED_ITEMS = 50
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "jsonfeed": "application/feed+json"}
LABELS = {"atom": "Atom", "rss": "RSS", "jsonfeed": "JSON Feed"}
_BY_SUFFIX = {suffix.lstrip("."): fmt for fmt, suffix in FEED_SUFFIX.items()}


@dataclass(frozen=True)
class FeedLink:
    """A feed a page offers: its title and the URL of each format."""

    title: str
    path: str                              # without the format suffix, e.g. /feeds/source/tass
    params: tuple[tuple[str, str], ...] = ()

    def href(self, fmt: str) -> str:
        """The URL of this feed in `fmt` (atom, rss or jsonfeed)."""
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"{self.path}{FEED_SUFFIX[fmt]}{query}"

    def formats(self) -> list[tuple[str, str, str, str]]:
        """(format, label, media type, href) for every format, for <link rel=alternate> and visible links."""
        return [(fmt, LABELS[fmt], MEDIA_TYPES[fmt], self.href(fmt)) for fmt in FEED_FORMATS]


def search_feed(query: str) -> FeedLink:
    """The feed of a search (or of the latest articles when the query is empty)."""
    title = f"crosswire: {query}" if query.strip() else "crosswire: latest articles"
    return FeedLink(title, "/feeds/search", (("q", query),) if query.strip() else ())


def source_feed(name: str, title: str | None = None) -> FeedLink:
    """The feed of one outlet."""
    return FeedLink(f"crosswire: {title or name}", f"/feeds/source/{quote(name, safe='')}")


def story_feed(story_id: int, label: str | None = None) -> FeedLink:
    """The feed of one story's articles."""
    return FeedLink(f"crosswire story: {label or story_id}", f"/feeds/story/{story_id}")


def feed_format(suffix: str) -> str:
    """The writer name for a URL suffix (atom, rss, json), or QueryError."""
    fmt = _BY_SUFFIX.get(suffix)
    if fmt is None:
        raise QueryError(f"unknown feed format .{suffix}; use .atom, .rss or .json")
    return fmt


def _respond(records: list[dict[str, Any]], fmt: str, info: FeedInfo) -> Response:
    body = FEED_FORMATS[fmt](records, info)
    return Response(body, media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8")


def search_response(db: sqlite_utils.Database, request: Request, fmt: str, query_text: str) -> Response:
    """A search's newest matches as a feed (ids the same as `crosswire export --query`)."""
    query: Query = parse_query(query_text)
    records = list(iter_matching(db, query, sort="date", limit=FEED_ITEMS))
    feed_id = f"{ID_PREFIX}query/{quote(query_text, safe='')}" if query_text.strip() else f"{ID_PREFIX}all"
    home = str(request.url_for("search_page").include_query_params(q=query_text))
    link = search_feed(query_text)
    info = FeedInfo(title=link.title, id=feed_id, self_url=str(request.url), home_url=home,
                    description=f"Articles gathered by crosswire ({query_text or 'latest'})")
    return _respond(records, fmt, info)


def source_response(db: sqlite_utils.Database, request: Request, fmt: str, name: str) -> Response | None:
    """One outlet's newest articles as a feed, or None when the outlet is unknown."""
    row = db.execute("select title, homepage from sources where name = ?", [name]).fetchone()
    if row is None and not db.execute("select 1 from articles where source = ? limit 1", [name]).fetchone():
        return None
    records = list(iter_matching(db, Query(sources=(name,)), sort="date", limit=FEED_ITEMS))
    title = row[0] if row and row[0] else name
    home = str(request.url_for("home").include_query_params(source=name))
    info = FeedInfo(title=source_feed(name, title).title, id=f"{ID_PREFIX}sources/{name}", self_url=str(request.url),
                    home_url=home, description=f"Articles from {title} gathered by crosswire")
    return _respond(records, fmt, info)


def story_response(db: sqlite_utils.Database, request: Request, fmt: str, story: dict[str, Any]) -> Response:
    """A story's articles, newest first, as a feed."""
    records = list(iter_articles(db, "story_id = ?", [story["id"]],
                                 order_by="coalesce(published, first_seen) desc, id desc"))[:FEED_ITEMS]
    home = str(request.url_for("story_page", story_id=story["id"]))
    info = FeedInfo(title=story_feed(story["id"], story.get("label")).title, id=f"{ID_PREFIX}stories/{story['id']}",
                    self_url=str(request.url), home_url=home,
                    description=f"Every outlet's report of: {story.get('label') or story['id']}")
    return _respond(records, fmt, info)
