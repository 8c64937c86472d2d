"""Sources and their feeds: registration, HTTP cache state and health."""

from __future__ import annotations

import json
from typing import Any, Iterable

import sqlite_utils

from crosswire.storage.db import utcnow


def sync_source(db: sqlite_utils.Database, *, name: str, homepage: str, title: str | None = None,
                country: str | None = None, language: str | None = None, tags: Iterable[str] = (),
                config: dict[str, Any] | None = None) -> None:
    """Insert or update a source row from the sources file."""
    now = utcnow()
    row = {"name": name, "title": title, "homepage": homepage, "country": country, "language": language,
           "tags": json.dumps(list(tags)), "config": json.dumps(config or {}, default=str), "updated": now}
    if db["sources"].count_where("name = ?", [name]):
        db["sources"].update(name, row)
    else:
        db["sources"].insert({**row, "added": now})


def ensure_feed(db: sqlite_utils.Database, url: str, source: str, kind: str = "feed") -> int:
    """The id of the feed at `url`, registering it for `source` if new."""
    row = db.execute("select id from feeds where url = ?", [url]).fetchone()
    if row:
        db.execute("update feeds set source = ?, kind = coalesce(kind, ?) where id = ?", [source, kind, row[0]])
        return row[0]
    return db["feeds"].insert({"url": url, "source": source, "kind": kind, "added": utcnow(),
                               "consecutive_failures": 0, "paused": 0}).last_pk


def feed_state(db: sqlite_utils.Database, feed_id: int) -> dict[str, Any]:
    """The stored row of a feed (etag, last_modified, health...)."""
    return db["feeds"].get(feed_id)


def record_feed_success(db: sqlite_utils.Database, feed_id: int, *, status: int, etag: str | None = None,
                        last_modified: str | None = None, kind: str | None = None,
                        entries: int | None = None, bozo: str | None = None,
                        next_check: str | None = None, now: str | None = None) -> None:
    """A fetch that worked (200 or 304): keep the cache validators, reset the failure count, un-pause."""
    now = now or utcnow()
    updates: dict[str, Any] = {"last_status": status, "last_checked": now, "last_success": now,
                               "consecutive_failures": 0, "failing_since": None, "retry_after": None,
                               "paused": 0, "paused_reason": None}
    if next_check:
        updates["next_check"] = next_check
    if status != 304:
        updates.update({"etag": etag, "last_modified": last_modified, "bozo": bozo})
        if entries is not None:
            updates["entries_last"] = entries
        if kind:
            updates["kind"] = kind
    db["feeds"].update(feed_id, updates)


def record_feed_failure(db: sqlite_utils.Database, feed_id: int, *, reason: str,
                        status: int | None = None, next_check: str | None = None, paused: bool = False,
                        paused_reason: str | None = None, retry_after: str | None = None,
                        now: str | None = None) -> None:
    """A fetch that failed: count it, keep the reason, schedule the retry; a paused feed stays in the table."""
    now = now or utcnow()
    db.execute(
        "update feeds set last_status = ?, last_checked = ?, last_error = ?, last_error_at = ?, "
        "consecutive_failures = coalesce(consecutive_failures, 0) + 1, "
        "failing_since = coalesce(failing_since, ?), next_check = coalesce(?, next_check), "
        "retry_after = ?, paused = ?, paused_reason = ? where id = ?",
        [status, now, reason, now, now, next_check, retry_after, int(paused), paused_reason, feed_id],
    )


def forget_validators(db: sqlite_utils.Database, feed_id: int) -> None:
    """Drop a feed's ETag / Last-Modified so its next fetch is a full one (an entry's article is missing)."""
    db.execute("update feeds set etag = null, last_modified = null where id = ?", [feed_id])
