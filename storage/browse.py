"""What a browsing interface reads besides search results: filter choices, facet counts, the newest story time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from crosswire.storage.query import Query, parse_query
from crosswire.storage.search import filter_sql

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


@dataclass(frozen=True)
class Facets:
    """How many articles a query matches, by outlet (largest first) and by month of publication (newest first)."""

    total: int
    sources: list[tuple[str, int]]
    months: list[tuple[str, int]]


def facet_counts(db: sqlite_utils.Database, query: str | Query, *, all_copies: bool = False,
                 top: int = 12) -> Facets:
    """Counts of everything `query` matches (crosswire.storage.search's filters and copy collapsing), without ranking it."""
    q = parse_query(query) if isinstance(query, str) else query
    clauses, params = filter_sql(q, all_copies=all_copies)
    # One grouped pass over the matches: no bm25, no ordering, so it costs far less than ranking them all.
    if q.match:
        sql = "select a.source, substr(" + _WHEN + ", 1, 7), count(*) from articles_fts " \
              "join articles a on a.id = articles_fts.rowid"
        clauses.insert(0, "articles_fts match ?")
        params.insert(0, q.match)
    else:
        sql = "select a.source, substr(" + _WHEN + ", 1, 7), count(*) from articles a"
    if clauses:
        sql += " where " + " and ".join(clauses)
    sources: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for source, month, count in db.execute(sql + " group by 1, 2", params):
        sources[source or "unknown"] += count
        if month:
            months[month] += count
    ranked = sorted(sources.items(), key=lambda item: (-item[1], item[0]))
    return Facets(total=sum(sources.values()), sources=ranked[:top], months=sorted(months.items(), reverse=True))


def latest_story_time(db: sqlite_utils.Database) -> str | None:
    """When the most recently active story last had an article (ISO UTC), or None without stories."""
    if "stories" not in db.table_names():
        return None
    return db.execute("select max(last_published) from stories").fetchone()[0]


def newest_article_id(db: sqlite_utils.Database) -> int | None:
    """The id of the newest stored article (changes whenever a crawl adds one), None when there is none."""
    return db.execute("select max(id) from articles").fetchone()[0]
