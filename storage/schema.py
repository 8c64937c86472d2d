"""The schema, as an ordered list of named migrations.

Each migration runs once, inside a transaction, and is recorded in `migrations`. To change the schema,
append a new function to MIGRATIONS — never edit one that has shipped, since users' databases already ran it.
"""

from __future__ import annotations

from typing import Callable

import sqlite_utils

from storage.db import utcnow

Migration = Callable[[sqlite_utils.Database], None]


def m001_core(db: sqlite_utils.Database) -> None:
    """Sources, feeds with HTTP cache state and health, articles, URL variants, sightings, runs, errors."""
    db["sources"].create({
        "name": str, "title": str, "homepage": str, "country": str, "language": str,
        "tags": str,            # JSON list
        "config": str,          # JSON of the source's settings as last loaded
        "added": str, "updated": str,
    }, pk="name", not_null={"homepage"})
    db["feeds"].create({
        "id": int, "url": str, "source": str,
        "kind": str,            # rss | atom | json | sitemap | news-sitemap | listing
        "etag": str, "last_modified": str,
        "last_status": int, "last_checked": str, "last_success": str,
        "last_error": str, "last_error_at": str, "consecutive_failures": int,
        "next_check": str, "paused": int, "paused_reason": str,
        "entries_last": int,    # entries in the last successful parse
        "bozo": str,            # the parser's complaint about the last fetch, if any
        "added": str,
    }, pk="id", foreign_keys=[("source", "sources", "name")],
       defaults={"consecutive_failures": 0, "paused": 0}, not_null={"url"})
    db["feeds"].create_index(["url"], unique=True)
    db["articles"].create({
        "id": int, "url": str, "source": str,
        "title": str, "authors": str,      # JSON list
        "published": str, "modified": str, "language": str,
        "lede": str, "text": str, "image": str, "section": str,
        "keywords": str,                    # JSON list
        "site_name": str,
        "body_hash": str,                   # hash of normalised body text, for exact duplicates
        "word_count": int,
        "fetched_url": str,                 # the URL we actually fetched
        "first_seen": str, "last_seen": str,
    }, pk="id", foreign_keys=[("source", "sources", "name")], not_null={"url"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["published"])
    db["articles"].create_index(["body_hash"])
    db["article_urls"].create({"url": str, "article_id": int, "first_seen": str},
                              pk="url", foreign_keys=[("article_id", "articles", "id")])
    db["article_urls"].create_index(["article_id"])
    db["sightings"].create({
        "id": int, "article_id": int, "feed_id": int, "guid": str,
        "entry_updated": str, "first_seen": str, "last_seen": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id"), ("feed_id", "feeds", "id")])
    db["sightings"].create_index(["article_id", "feed_id"], unique=True)
    db["runs"].create({
        "id": int, "started": str, "finished": str, "status": str,   # running | ok | partial | failed
        "command": str, "stats": str,                                 # JSON
    }, pk="id")
    db["errors"].create({
        "id": int, "run_id": int, "feed_id": int, "source": str, "url": str,
        "kind": str,            # http | dns | timeout | connection | too-large | not-html | parse | ...
        "reason": str, "at": str,
    }, pk="id", foreign_keys=[("run_id", "runs", "id"), ("feed_id", "feeds", "id")])
    db["errors"].create_index(["url"])
    db["errors"].create_index(["run_id"])


def m002_fts(db: sqlite_utils.Database) -> None:
    """FTS5 over title, lede and text, kept in sync by triggers (the layout Datasette expects)."""
    # unicode61 with diacritics removed splits Arabic and Cyrillic words as well as Latin ones and folds
    # case for all three; a stemmer would only help English and would mangle the other two.
    db["articles"].enable_fts(["title", "lede", "text"], fts_version="FTS5", create_triggers=True,
                              tokenize="unicode61 remove_diacritics 2")


def m003_groupings(db: sqlite_utils.Database) -> None:
    """Columns that place an article in a copy family and a story (filled by dedup and clustering)."""
    db["articles"].add_column("family_id", int)
    db["articles"].add_column("family_role", str)   # origin | copy | NULL (not in a family)
    db["articles"].add_column("story_id", int)
    db["articles"].create_index(["family_id"])
    db["articles"].create_index(["story_id"])


def m_polling(db: sqlite_utils.Database) -> None:
    """Feed columns for adaptive polling: when the current failure streak began, and a server's Retry-After."""
    db["feeds"].add_column("failing_since", str)    # first failure of the current streak, NULL when healthy
    db["feeds"].add_column("retry_after", str)      # ISO time before which the server asked us not to return
    db["feeds"].create_index(["next_check"])


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_core", m001_core),
    ("002_fts", m002_fts),
    ("003_groupings", m003_groupings),
    # Append new migrations below this line, one per line.
    ("004_polling", m_polling),
]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet applied; return the names applied now."""
    if "migrations" not in db.table_names():
        db["migrations"].create({"name": str, "applied": str}, pk="name")
    done = {row["name"] for row in db["migrations"].rows}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db.atomic():
            fn(db)
            db["migrations"].insert({"name": name, "applied": utcnow()})
        applied.append(name)
    return applied
