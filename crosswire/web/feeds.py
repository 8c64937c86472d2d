"""Feeds in the web reader: the links every page offers, and the endpoints that serve them.

The feeds themselves are built by crosswire.exports.selection, the same way `crosswire export` and the static
tree build them, so a search's feed has the same id and entries wherever a reader subscribed to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from crosswire.core.errors import ExportError, QueryError
from crosswire.exports.formats import FORMATS, by_suffix
from crosswire.exports.selection import Selection, by_query, by_source, by_story, feed


@dataclass(frozen=True)
class FeedLink:
    """A feed a page offers: its title and the URL of each format."""

    title: str
    path: str                              # without the format suffix, e.g. /feeds/source/tass
    params: tuple[tuple[str, str], ...] = ()

    def href(self, fmt: str) -> str:
        """The URL of this feed in `fmt` (atom, rss or jsonfeed)."""
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"{self.path}{FORMATS[fmt].suffix}{query}"

    def formats(self) -> list[tuple[str, str, str, str]]:
        """(format, label, media type, href) for every format, for <link rel=alternate> and visible links."""
        return [(f.name, f.label, f.media_type, self.href(f.name)) for f in FORMATS.values()]


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
    """The format name for a URL suffix (atom, rss, json), or QueryError."""
    fmt = by_suffix(suffix)
    if fmt is None:
        raise QueryError(f"unknown feed format .{suffix}; use .atom, .rss or .json")
    return fmt.name


def _respond(request: Request, selection: Selection, home_url: str) -> Response:
    fmt = feed_format(request.path_params["suffix"])
    body = feed(request.app.state.reader.db(), selection, fmt, self_url=str(request.url), home_url=home_url)
    return Response(body, media_type=f"{FORMATS[fmt].media_type}; charset=utf-8")


def search_endpoint(request: Request) -> Response:
    """/feeds/search.{suffix}?q=…: a search's newest matches (the latest articles without a query)."""
    query_text = request.query_params.get("q", "").strip()
    home = str(request.url_for("search_page").include_query_params(q=query_text))
    return _respond(request, by_query(query_text), home)


def source_endpoint(request: Request) -> Response:
    """/feeds/source/{name}.{suffix}: one outlet's newest articles."""
    name = request.path_params["name"]
    try:
        selection = by_source(request.app.state.reader.db(), name)
    except ExportError:
        raise HTTPException(404, f"no source named {name!r}") from None
    return _respond(request, selection, str(request.url_for("home").include_query_params(source=name)))


def story_endpoint(request: Request) -> Response:
    """/feeds/story/{id}.{suffix}: every outlet's report of one story, newest first."""
    story_id = request.path_params["story_id"]
    if story_id > 2**63 - 1:        # SQLite's largest integer: a longer id names no story
        raise QueryError(f"story id {story_id} is out of range")
    selection = by_story(request.app.state.reader.db(), story_id)
    if selection is None:
        raise HTTPException(404, f"no story #{story_id}")
    return _respond(request, selection, str(request.url_for("story_page", story_id=story_id)))
