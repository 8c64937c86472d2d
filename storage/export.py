"""Reading articles out for export: one plain dict per article, in a stable shape."""

from __future__ import annotations

import csv
import json
from typing import Any, Iterable, Iterator, TextIO

import sqlite_utils

EXPORT_FIELDS = ("id", "url", "source", "title", "authors", "published", "modified", "language", "lede",
                 "text", "image", "section", "keywords", "first_seen", "family_id", "family_role", "story_id")
# CSV has no lists: authors and keywords are joined with this, which names and keywords practically never hold.
CSV_LIST_SEPARATOR = "; "


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


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Write one JSON object per line; return how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write a header and one CSV row per record (lists joined with "; "); return how many rows."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        row = dict(record)
        for key in ("authors", "keywords"):
            row[key] = CSV_LIST_SEPARATOR.join(row.get(key) or [])
        writer.writerow(row)
        count += 1
    return count
