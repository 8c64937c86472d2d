"""The feed of a selection of articles — the latest, a query, a saved search, a source, a story — built one
way for `crosswire export`, the static feed tree and the web reader's feed links.

A selection's feed id is a tag: URI (RFC 4151) that names it for ever, wherever it is served from, so a
feed reader that subscribed through the web reader and one that reads the static tree see the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlite_utils

from crosswire.core.errors import ExportError
from crosswire.exports.common import FeedInfo
from crosswire.exports.formats import FORMATS
from crosswire.storage.export import iter_articles
from crosswire.storage.feeds import source_names, source_row
from crosswire.storage.query import Query, parse_query
from crosswire.storage.saved import get_search
from crosswire.storage.search import iter_matching
from crosswire.storage.stories import get_story

ID_PREFIX = "tag:crosswire,2026:"
FEED_ITEMS = 50             # entries in a feed unless asked otherwise


@dataclass(frozen=True)
class Selection:
    """Which articles a feed holds, and what the feed says about itself."""

    title: str
    feed_id: str
    description: str
    query: Query | None = None       # a search selection; None for a story
    story_id: int | None = None
    homepage: str | None = None      # a source's own homepage


def latest() -> Selection:
    """The newest articles of the archive."""
    return Selection("crosswire: latest articles", f"{ID_PREFIX}all", "Articles gathered by crosswire (latest)",
                     query=Query())


def by_query(text: str) -> Selection:
    """The articles matching a query in the search syntax (the latest when it is empty)."""
    if not text.strip():
        return latest()
    return Selection(f"crosswire: {text}", f"{ID_PREFIX}query/{quote(text, safe='')}",
                     f"Articles gathered by crosswire ({text})", query=parse_query(text))


def by_saved_search(db: sqlite_utils.Database, name: str) -> Selection:
    """The articles matching a saved search (QueryError when there is no such search)."""
    text = get_search(db, name)
    return Selection(f"crosswire: {name}", f"{ID_PREFIX}searches/{name}", f"Articles gathered by crosswire ({text})",
                     query=parse_query(text))


def by_source(db: sqlite_utils.Database, name: str) -> Selection:
    """One outlet's articles (ExportError naming the known sources when there is no such source)."""
    row = source_row(db, name)
    if row is None:
        names = source_names(db)
        raise ExportError(f"unknown source {name!r}" + (f"; sources: {', '.join(names)}" if names else ""))
    title = row.get("title") or name
    return Selection(title, f"{ID_PREFIX}sources/{name}", f"Articles from {title} gathered by crosswire",
                     query=Query(sources=(name,)), homepage=row.get("homepage"))


def by_story(db: sqlite_utils.Database, story_id: int) -> Selection | None:
    """Every outlet's report of one story, or None when there is no such story."""
    story = get_story(db, story_id)
    if story is None:
        return None
    label = story.get("label") or str(story_id)
    return Selection(f"crosswire story: {label}", f"{ID_PREFIX}stories/{story_id}",
                     f"Every outlet's report of: {label}", story_id=story_id)


def records(db: sqlite_utils.Database, selection: Selection, *, limit: int = FEED_ITEMS,
            all_copies: bool = False) -> list[dict[str, Any]]:
    """The selection's newest articles as export records (a syndicated story once unless `all_copies`)."""
    if selection.story_id is not None:
        found = iter_articles(db, "story_id = ?", [selection.story_id],
                              order_by="coalesce(published, first_seen) desc, id desc")
        return [record for record, _ in zip(found, range(limit))]
    return list(iter_matching(db, selection.query or Query(), sort="date", limit=limit, all_copies=all_copies))


def feed(db: sqlite_utils.Database, selection: Selection, fmt: str, *, self_url: str,
         home_url: str | None = None, limit: int = FEED_ITEMS, all_copies: bool = False) -> bytes:
    """The selection as a feed document in `fmt` (atom, rss, jsonfeed), served at `self_url`."""
    return render(selection, fmt, records(db, selection, limit=limit, all_copies=all_copies), self_url=self_url,
                  home_url=home_url)


def render(selection: Selection, fmt: str, entries: list[dict[str, Any]], *, self_url: str,
           home_url: str | None = None) -> bytes:
    """The feed document of a selection whose records are already read (one read, several formats)."""
    info = FeedInfo(title=selection.title, id=selection.feed_id, self_url=self_url,
                    home_url=home_url or selection.homepage, description=selection.description)
    return FORMATS[fmt].write(entries, info)
