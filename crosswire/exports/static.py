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

from crosswire.core.files import write_file
from crosswire.exports.formats import FORMATS
from crosswire.exports.selection import (
    FEED_ITEMS,
    by_saved_search,
    by_source,
    records,
    render,
)
from crosswire.storage.feeds import source_names
from crosswire.storage.saved import list_searches


@dataclass(frozen=True)
class StaticFeed:
    """One feed of the tree: its folder/name, title, what it selects and how many items it got."""

    kind: str          # "searches" | "sources"
    name: str
    title: str
    query: str
    items: int
    home_url: str | None = None


def write_if_changed(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` atomically unless it already holds exactly that; True when written (an
    OutputError, and no `.part` left, when it cannot be)."""
    if path.is_file() and path.read_bytes() == data:
        return False
    write_file(path, data)
    return True


def write_static(db: sqlite_utils.Database, directory: Path, *, limit: int = FEED_ITEMS, base_url: str | None = None,
                 all_copies: bool = False) -> list[StaticFeed]:
    """Write every saved search's and every source's feeds (every format) and index.html."""
    jobs = [("searches", row["name"], row["query"], by_saved_search(db, row["name"])) for row in list_searches(db)]
    jobs += [("sources", name, f"source:{name}", by_source(db, name)) for name in source_names(db)]
    feeds = []
    for kind, name, shown, selection in jobs:
        entries = records(db, selection, limit=limit, all_copies=all_copies)
        for fmt in FORMATS.values():
            path = directory / kind / f"{name}{fmt.suffix}"
            self_url = f"{base_url.rstrip('/')}/{kind}/{path.name}" if base_url else path.resolve().as_uri()
            write_if_changed(path, render(selection, fmt.name, entries, self_url=self_url))
        feeds.append(StaticFeed(kind, name, selection.title, shown, len(entries), selection.homepage))
    write_if_changed(directory / "index.html", index_html(feeds).encode("utf-8"))
    return feeds


def index_html(feeds: list[StaticFeed]) -> str:
    """A plain page listing every feed with links to its three formats."""
    def section(kind: str, heading: str) -> str:
        rows = []
        for feed in (f for f in feeds if f.kind == kind):
            links = " · ".join(f'<a href="{kind}/{html.escape(feed.name)}{fmt.suffix}">{fmt.label}</a>'
                               for fmt in FORMATS.values())
            rows.append(f"<li><strong>{html.escape(feed.title)}</strong> <code>{html.escape(feed.query)}</code>"
                        f" ({feed.items} items): {links}</li>")
        return f"<h2>{heading}</h2>\n<ul>\n" + ("\n".join(rows) or "<li>none</li>") + "\n</ul>\n"

    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>crosswire feeds</title>"
            + "".join(f'\n<link rel="alternate" type="application/atom+xml" title="{html.escape(f.title)}" '
                      f'href="{f.kind}/{html.escape(f.name)}.atom">' for f in feeds)
            + "</head>\n<body>\n<h1>crosswire feeds</h1>\n"
            + section("searches", "Saved searches") + section("sources", "Sources") + "</body></html>\n")
