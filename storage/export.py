"""Reading articles out for export: one plain dict per article, in a stable shape."""

from __future__ import annotations

import json
from typing import Any, Iterator

import sqlite_utils

EXPORT_FIELDS = ("id", "url", "source", "title", "authors", "published", "modified", "language", "lede",
                 "text", "image", "section", "keywords", "first_seen", "family_id", "family_role", "story_id")


def article_record(row: dict[str, Any]) -> dict[str, Any]:
    """The export shape of an articles row: JSON lists decoded, nothing else changed."""
    record = {key: row.get(key) for key in EXPORT_FIELDS}  # .get: a column from a later migration may be absent
    for key in ("authors", "keywords"):
        record[key] = json.loads(record[key]) if record[key] else []
    return record


def iter_articles(db: sqlite_utils.Database, where: str | None = None, params: list[Any] | None = None,
                  order_by: str = "id") -> Iterator[dict[str, Any]]:
    """Every article matching `where`, as export records, streamed."""
    sql = "select * from articles" + (f" where {where}" if where else "") + f" order by {order_by}"
    cursor = db.execute(sql, params or [])
    columns = [c[0] for c in cursor.description]
    for values in cursor:
        yield article_record(dict(zip(columns, values)))
