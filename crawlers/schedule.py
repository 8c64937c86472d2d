"""Glue between a feed fetch and crosswire.crawlers.polling: which feeds are due, and when each is polled next."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import sqlite_utils

from crosswire.crawlers import polling
from crosswire.crawlers.polling import Decision, PollConfig

# Setting name -> PollConfig field; values in seconds (days for the pause period).
SETTINGS = {
    "CROSSWIRE_POLL_MIN": "min_interval",
    "CROSSWIRE_POLL_MAX": "max_interval",
    "CROSSWIRE_POLL_DEFAULT": "default_interval",
    "CROSSWIRE_BACKOFF_BASE": "backoff_base",
    "CROSSWIRE_BACKOFF_MAX": "backoff_max",
    "CROSSWIRE_PAUSE_AFTER_DAYS": "pause_after_days",
}


def poll_config(settings: Any) -> PollConfig:
    """PollConfig from Scrapy settings; unset ones keep polling.PollConfig's defaults."""
    values = {field: settings.getfloat(name) for name, field in SETTINGS.items() if settings.get(name) is not None}
    return PollConfig(**values)


def now_utc(settings: Any | None = None) -> datetime:
    """The crawl's clock: CROSSWIRE_NOW (ISO 8601, for tests and replays) or the real time."""
    fixed = settings.get("CROSSWIRE_NOW") if settings is not None else None
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """The one stored date format."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def is_due(state: dict[str, Any], now: datetime) -> bool:
    """Whether a feed row should be polled now (its next_check has come; a new feed always is)."""
    return polling.is_due(state.get("next_check"), now)


def feed_published_times(db: sqlite_utils.Database, feed_id: int, limit: int = 20) -> list[datetime]:
    """Publication times of the newest articles seen in a feed, to learn its posting rate after a 304."""
    rows = db.execute(
        "select a.published from sightings s join articles a on a.id = s.article_id "
        "where s.feed_id = ? and a.published is not null order by a.published desc limit ?", [feed_id, limit])
    out = []
    for (value,) in rows:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        out.append(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return out


def after_success(db: sqlite_utils.Database, feed_id: int, now: datetime, config: PollConfig, *,
                  published: list[datetime | None] | None, ttl_minutes: float | None,
                  cache_control: str | None) -> Decision:
    """The next check of a feed that just answered; `published=None` (a 304) learns the rate from storage."""
    if not published:
        published = list(feed_published_times(db, feed_id))
    return polling.after_success(now, published=published, ttl_minutes=ttl_minutes,
                                 cache_control=cache_control, config=config)


def after_failure(state: dict[str, Any], now: datetime, config: PollConfig, rng: random.Random, *,
                  reason: str, retry_after: str | None) -> tuple[Decision, float | None]:
    """The next check of a feed that just failed, and the Retry-After in seconds (if the server sent one)."""
    failing_since = state.get("failing_since")
    since = datetime.fromisoformat(failing_since) if failing_since else now
    wait = polling.retry_after_seconds(retry_after, now)
    decision = polling.after_failure(now, failures=int(state.get("consecutive_failures") or 0) + 1,
                                     failing_since=since, reason=reason, rng=rng, retry_after=wait,
                                     config=config)
    return decision, wait


def count_due(db_path: Any, sources: list[Any], now_iso: str | None = None) -> tuple[int, int]:
    """(feeds due, feeds not due) among the sources' feeds; a feed never polled is due."""
    from crosswire.storage.db import open_db

    now = now_utc({"CROSSWIRE_NOW": now_iso}) if now_iso else now_utc()
    db = open_db(db_path)
    try:
        states = {row["url"]: row for row in db.query("select url, next_check from feeds")}
    finally:
        db.close()
    urls = [url for source in sources for url in source.feeds]
    due = sum(1 for url in urls if url not in states or is_due(states[url], now))
    return due, len(urls) - due
