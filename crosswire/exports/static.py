"""The static feed tree for cron: one feed per saved search and per source, and an index.html.

    DIR/index.html
    DIR/searches/NAME.atom  NAME.rss  NAME.json
    DIR/sources/NAME.atom   NAME.rss  NAME.json

Files are replaced atomically and only when their content changed, so a web server's ETag/Last-Modified
(and every feed reader's conditional GET) stays valid across crawls that found nothing new.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from crosswire.exports.atom import write_atom
from crosswire.exports.common import FeedInfo
from crosswire.exports.jsonfeed import write_jsonfeed
from crosswire.exports.rss import write_rss
from crosswire.storage.query import Query, parse_query
from crosswire.storage.saved import list_searches
from crosswire.storage.search import iter_matching

# A tag: URI (RFC 4151) names each feed for ever, wherever the tree is served from.
ID_PREFIX = "tag:crosswire,2026:"
WRITERS = ((".atom", write_atom), (".rss", write_rss), (".json", write_jsonfeed))


@dataclass(frozen=True)
class StaticFeed:
    """One feed of the tree: its folder/name, title, query and how many items it got."""

    kind: str          # "searches" | "sources"
    name: str
    title: str
    query: str
    items: int
    home_url: str | None = None


def feed_info(kind: str, name: str, title: str, path: Path, *, base_url: str | None,
              home_url: str | None = None, description: str = "") -> FeedInfo:
    """FeedInfo for a feed stored at `path`: self link under base_url when given, else the file's URI."""
    relative = f"{kind}/{path.name}"
    self_url = base_url.rstrip("/") + "/" + relative if base_url else path.resolve().as_uri()
    return FeedInfo(title=title, id=f"{ID_PREFIX}{kind}/{name}", self_url=self_url, home_url=home_url,
                    description=description)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` atomically unless it already holds exactly that; True when written."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def write_static(db: sqlite_utils.Database, directory: Path, *, limit: int = 50, base_url: str | None = None,
                 all_copies: bool = False) -> list[StaticFeed]:
    """Write every saved search's and every source's feeds (three formats each) and index.html."""
    jobs: list[tuple[str, str, str, Query | str, str | None]] = []
    for row in list_searches(db):
        jobs.append(("searches", row["name"], f"crosswire: {row['name']}", row["query"], None))
    for row in db.query("select name, title, homepage from sources order by name"):
        jobs.append(("sources", row["name"], row["title"] or row["name"], Query(sources=(row["name"],)),
                     row["homepage"]))
    feeds = []
    for kind, name, title, query, home in jobs:
        parsed = parse_query(query) if isinstance(query, str) else query
        records = list(iter_matching(db, parsed, sort="date", limit=limit, all_copies=all_copies))
        shown = query if isinstance(query, str) else f"source:{name}"
        for suffix, writer in WRITERS:
            path = directory / kind / f"{name}{suffix}"
            info = feed_info(kind, name, title, path, base_url=base_url, home_url=home,
                             description=f"crosswire {kind[:-1]} feed: {shown}")
            write_if_changed(path, writer(records, info))
        feeds.append(StaticFeed(kind, name, title, shown, len(records), home))
    write_if_changed(directory / "index.html", index_html(feeds).encode("utf-8"))
    return feeds


def index_html(feeds: list[StaticFeed]) -> str:
    """A plain page listing every feed with links to its three formats."""
    def section(kind: str, heading: str) -> str:
        rows = []
        for feed in (f for f in feeds if f.kind == kind):
            links = " · ".join(f'<a href="{kind}/{html.escape(feed.name)}{suffix}">{label}</a>'
                               for suffix, label in ((".atom", "Atom"), (".rss", "RSS"), (".json", "JSON Feed")))
            rows.append(f"<li><strong>{html.escape(feed.title)}</strong> <code>{html.escape(feed.query)}</code>"
                        f" ({feed.items} items): {links}</li>")
        return f"<h2>{heading}</h2>\n<ul>\n" + ("\n".join(rows) or "<li>none</li>") + "\n</ul>\n"

    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>crosswire feeds</title>"
            + "".join(f'\n<link rel="alternate" type="application/atom+xml" title="{html.escape(f.title)}" '
                      f'href="{f.kind}/{html.escape(f.name)}.atom">' for f in feeds)
            + "</head>\n<body>\n<h1>crosswire feeds</h1>\n"
            + section("searches", "Saved searches") + section("sources", "Sources") + "</body></html>\n")
