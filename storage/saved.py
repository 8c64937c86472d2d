"""Saved searches: named queries, checked when saved, each re-published as a feed by the static export."""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

from crosswire.core.errors import QueryError
from crosswire.core.times import utcnow
from crosswire.storage.query import parse_query

# Names become file names in the static export (DIR/searches/NAME.atom), so keep them filesystem-safe.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def check_name(name: str) -> str:
    """The name if it is a valid saved-search name, else QueryError."""
    if not _NAME.match(name):
        raise QueryError(f'saved search name must be a lowercase slug like "deir-ezzor" '
                         f'(a-z, 0-9, "-", "_", at most 64 characters), got "{name}"')
    return name


def add_search(db: sqlite_utils.Database, name: str, query: str) -> bool:
    """Save (or replace) a search after checking its query parses; True when it was new."""
    check_name(name)
    parse_query(query)  # a query that cannot run must not be saved
    now = utcnow()
    existing = db["saved_searches"].count_where("name = ?", [name])
    if existing:
        db["saved_searches"].update(name, {"query": query, "updated": now})
    else:
        db["saved_searches"].insert({"name": name, "query": query, "created": now, "updated": now})
    return not existing


def list_searches(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every saved search (name, query, created, updated), by name."""
    return list(db.query("select name, query, created, updated from saved_searches order by name"))


def get_search(db: sqlite_utils.Database, name: str) -> str:
    """The query text of a saved search, or QueryError naming the ones that exist."""
    row = db.execute("select query from saved_searches where name = ?", [name]).fetchone()
    if row is None:
        known = [r["name"] for r in list_searches(db)]
        hint = f"; saved searches: {', '.join(known)}" if known else "; none saved yet"
        raise QueryError(f'no saved search named "{name}"{hint}')
    return row[0]


def remove_search(db: sqlite_utils.Database, name: str) -> None:
    """Delete a saved search; QueryError when there is none by that name."""
    get_search(db, name)
    db.execute("delete from saved_searches where name = ?", [name])
