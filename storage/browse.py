"""What a browsing interface reads besides search results: filter choices, facet counts, the newest story time."""

from __future__ import annotations

import json
from typing import Any, Iterable

import sqlite_utils

_WHEN = "coalesce(a.published, a.first_seen)"


def filter_choices(db: sqlite_utils.Database) -> dict[str, list[Any]]:
    """Outlets (name, title), countries and perspective tags known to the database, for filter menus."""
    return {
        "sources": [(r[0], r[1]) for r in db.execute(
            "select name, coalesce(nullif(title, ''), name) from sources order by lower(coalesce(title, name))")],
        "countries": [r[0] for r in db.execute(
            "select distinct upper(country) from sources where coalesce(country, '') != '' order by 1")],
        "tags": [r[0] for r in db.execute(
            "select distinct t.value from sources s, json_each(coalesce(s.tags, '[]')) t order by 1")],
    }


def facet_counts(db: sqlite_utils.Database, ids: Iterable[int], *, top: int = 12) -> dict[str, list[tuple[str, int]]]:
    """Counts of `ids` by outlet (largest first, at most `top`) and by month of publication (newest first)."""
    # The ids go in as one JSON array: no temp table (the reader's connection is read-only), no 999-variable cap.
    payload = json.dumps(list(ids))
    members = "a.id in (select value from json_each(?))"
    sources = [(r[0] or "unknown", r[1]) for r in db.execute(
        f"select a.source, count(*) as n from articles a where {members} group by a.source "
        f"order by n desc, a.source limit ?", [payload, top])]
    months = [(r[0], r[1]) for r in db.execute(
        f"select substr({_WHEN}, 1, 7) as month, count(*) from articles a where {members} and {_WHEN} is not null "
        f"group by month order by month desc", [payload])]
    return {"source": sources, "month": months}


def latest_story_time(db: sqlite_utils.Database) -> str | None:
    """When the most recently active story last had an article (ISO UTC), or None without stories."""
    if "stories" not in db.table_names():
        return None
    return db.execute("select max(last_published) from stories").fetchone()[0]
