"""Sources and their feeds (and sitemaps and listing pages): registration, HTTP cache state and health.

Every entry point a crawl reads is a row in `feeds` (kind feed | sitemap | news-sitemap | listing) with its
ETag / Last-Modified, its schedule (next_check) and its health (failures, pause).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

import sqlite_utils

from crosswire.core.sources import Source
from crosswire.core.times import parse_iso, utcnow
from crosswire.identity.urls import redact_text


def sync_source(db: sqlite_utils.Database, source: Source) -> None:
    """Insert or update a source's row from the sources file (its crawl settings kept in `config`)."""
    now = utcnow()
    row = {"name": source.name, "title": source.title, "homepage": source.homepage, "country": source.country,
           "language": source.language, "tags": json.dumps(list(source.tags)),
           "config": json.dumps(source.settings(), ensure_ascii=False), "updated": now}
    if db["sources"].count_where("name = ?", [source.name]):
        db["sources"].update(source.name, row)
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
                        next_check: str | None = None, now: str | None = None, partial: bool = False) -> None:
    """A fetch that worked (200 or 304): keep the cache validators, reset the failure count, un-pause.

    `partial`: the fetch worked but not everything it named was fetched (a long feed cut at its per-crawl
    limit): its health is recorded, but neither its validators, its last success nor its schedule advance,
    so the rest stays due."""
    now = now or utcnow()
    updates: dict[str, Any] = {"last_status": status, "last_checked": now, "consecutive_failures": 0,
                               "failing_since": None, "retry_after": None, "paused": 0, "paused_reason": None}
    if not partial:
        updates["last_success"] = now
        if next_check:
            updates["next_check"] = next_check
    if status != 304:
        updates["bozo"] = bozo
        if not partial:
            updates.update({"etag": etag, "last_modified": last_modified})
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
        [status, now, redact_text(reason), now, now, next_check, retry_after, int(paused), redact_text(paused_reason),
         feed_id],
    )


def record_probe(db: sqlite_utils.Database, feed_id: int, *, ok: bool, status: int | None, reason: str | None,
                 entries: int | None = None, kind: str | None = None, now: str | None = None) -> None:
    """What `crosswire sources probe --update` saw of an entry point: its health columns only. Validators and the
    schedule stay the crawl's (a probe reads no articles, so it must not make the next crawl's GET a 304); a route
    that answers again ends its failure streak and its pause and is due at once; a failure is one more in the
    streak, with its reason, and leaves the crawl's backoff as it was."""
    now = now or utcnow()
    if ok:
        db.execute(
            "update feeds set last_status = ?, last_checked = ?, entries_last = coalesce(?, entries_last), "
            "kind = coalesce(?, kind), consecutive_failures = 0, failing_since = null, "
            "next_check = case when paused = 1 then ? else next_check end, paused = 0, paused_reason = null "
            "where id = ?", [status, now, entries, kind, now, feed_id])
        return
    db.execute(
        "update feeds set last_status = ?, last_checked = ?, last_error = ?, last_error_at = ?, "
        "consecutive_failures = coalesce(consecutive_failures, 0) + 1, failing_since = coalesce(failing_since, ?) "
        "where id = ?", [status, now, redact_text(reason), now, now, feed_id])


def forget_validators(db: sqlite_utils.Database, feed_id: int) -> None:
    """Drop a feed's ETag / Last-Modified so its next fetch is a full one (an entry's article is missing)."""
    db.execute("update feeds set etag = null, last_modified = null where id = ?", [feed_id])


def feed_published_times(db: sqlite_utils.Database, feed_id: int, limit: int = 20) -> list[datetime]:
    """Publication times of the newest articles seen in a feed, to learn its posting rate after a 304."""
    rows = db.execute(
        "select a.published from sightings s join articles a on a.id = s.article_id "
        "where s.feed_id = ? and a.published is not null order by a.published desc limit ?", [feed_id, limit])
    return [moment for (value,) in rows if (moment := parse_iso(value)) is not None]


def next_checks(db: sqlite_utils.Database, urls: Iterable[str]) -> dict[str, str | None]:
    """The stored next_check of each of `urls` that is a known feed (a URL never polled is absent)."""
    wanted = set(urls)
    return {url: next_check for url, next_check in db.execute("select url, next_check from feeds")
            if url in wanted}


def source_row(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    """The sources row of `name`; a bare {"name": …} for a name only stored articles still carry (a source
    since dropped from the sources file); None when the archive has never heard of it."""
    rows = list(db.query("select * from sources where name = ?", [name]))
    if rows:
        return dict(rows[0])
    if db.execute("select 1 from articles where source = ? limit 1", [name]).fetchone():
        return {"name": name}
    return None


def source_names(db: sqlite_utils.Database) -> list[str]:
    """Every source the archive knows, by name."""
    return [name for (name,) in db.execute("select name from sources order by name")]
