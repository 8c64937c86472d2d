"""Health of every source and feed, for `crosswire status`: failures, pauses, volume, and outlets gone quiet.

An article's time here is when it was published (when it was first seen, if it has no date), so the first
crawl's backlog counts where it belongs and a feed that keeps answering 200 with stale entries shows up as
an outlet that went quiet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

# A source is quiet when it used to publish at least MIN_EXPECTED articles a day and the last day brought
# fewer than QUIET_RATIO of that; the usual rate is learned from BASELINE_DAYS before the last day, and
# needs MIN_HISTORY_DAYS of history so a source added yesterday is never flagged.
MIN_EXPECTED = 3.0
QUIET_RATIO = 0.2
BASELINE_DAYS = 28
MIN_HISTORY_DAYS = 3.0

WHEN = "coalesce(a.published, a.first_seen)"


@dataclass
class FeedHealth:
    """One feed's state, as stored by the crawler."""

    id: int
    url: str
    state: str                          # ok | failing | paused | new
    last_success: str | None
    last_checked: str | None
    last_error: str | None
    last_error_at: str | None
    consecutive_failures: int
    failing_since: str | None
    next_check: str | None
    retry_after: str | None
    paused: bool
    paused_reason: str | None
    articles_24h: int
    articles_7d: int


@dataclass
class SourceHealth:
    """One source: its feeds, its recent volume against its usual rate, and whether it went quiet."""

    name: str
    state: str                          # ok | quiet | failing | paused (the worst that applies)
    articles_24h: int
    articles_7d: int
    usual_per_day: float | None         # None until there is enough history to tell
    quiet: bool
    last_article: str | None
    feeds: list[FeedHealth] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def usual_rate(count: int, history_days: float) -> float | None:
    """Articles per day over the baseline, or None when the history is too short to know."""
    if history_days < MIN_HISTORY_DAYS:
        return None
    return count / history_days


def is_quiet(recent_24h: int, usual_per_day: float | None) -> bool:
    """Whether a source published far less in the last day than it usually does."""
    if usual_per_day is None or usual_per_day < MIN_EXPECTED:
        return False
    return recent_24h < usual_per_day * QUIET_RATIO


def feed_state_name(row: dict[str, Any]) -> str:
    """ok, failing, paused, or new (never fetched)."""
    if row.get("paused"):
        return "paused"
    if row.get("consecutive_failures"):
        return "failing"
    return "ok" if row.get("last_success") else "new"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _counts(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[Any, int]:
    return {key: count for key, count in db.execute(sql, params)}


def source_health(db: sqlite_utils.Database, now: datetime) -> list[SourceHealth]:
    """Health of every source in the database, by name, with its feeds."""
    day, week = _iso(now - timedelta(days=1)), _iso(now - timedelta(days=7))
    base_start = _iso(now - timedelta(days=1 + BASELINE_DAYS))
    per_source = f"select a.source, count(*) from articles a where {WHEN} > ? group by a.source"
    day_counts, week_counts = _counts(db, per_source, [day]), _counts(db, per_source, [week])
    baseline = _counts(db, f"select a.source, count(*) from articles a where {WHEN} > ? and {WHEN} <= ? "
                           f"group by a.source", [base_start, day])
    first_article = _counts(db, f"select a.source, min({WHEN}) from articles a group by a.source", [])
    last_article = _counts(db, f"select a.source, max({WHEN}) from articles a group by a.source", [])
    per_feed = (f"select s.feed_id, count(distinct s.article_id) from sightings s join articles a "
                f"on a.id = s.article_id where {WHEN} > ? group by s.feed_id")
    feed_day, feed_week = _counts(db, per_feed, [day]), _counts(db, per_feed, [week])
    feeds: dict[str, list[FeedHealth]] = {}
    for row in db.query("select * from feeds order by source, id"):
        feeds.setdefault(row["source"], []).append(FeedHealth(
            id=row["id"], url=row["url"], state=feed_state_name(row), last_success=row["last_success"],
            last_checked=row["last_checked"], last_error=row["last_error"], last_error_at=row["last_error_at"],
            consecutive_failures=row["consecutive_failures"] or 0, failing_since=row.get("failing_since"),
            next_check=row["next_check"], retry_after=row.get("retry_after"), paused=bool(row["paused"]),
            paused_reason=row["paused_reason"], articles_24h=feed_day.get(row["id"], 0),
            articles_7d=feed_week.get(row["id"], 0)))
    out = []
    for (name,) in db.execute("select name from sources order by name"):
        count, first = baseline.get(name, 0), first_article.get(name)
        history = 0.0
        if first:
            start = max(datetime.fromisoformat(first), now - timedelta(days=1 + BASELINE_DAYS))
            history = (now - timedelta(days=1) - start).total_seconds() / 86400
        usual = usual_rate(count, history)
        recent = day_counts.get(name, 0)
        quiet = is_quiet(recent, usual)
        its_feeds = feeds.get(name, [])
        states = {f.state for f in its_feeds}
        if its_feeds and states == {"paused"}:
            state = "paused"
        elif states & {"failing", "paused"}:
            state = "failing"
        else:
            state = "quiet" if quiet else "ok"
        out.append(SourceHealth(name=name, state=state, articles_24h=recent, articles_7d=week_counts.get(name, 0),
                                usual_per_day=round(usual, 2) if usual is not None else None, quiet=quiet,
                                last_article=last_article.get(name), feeds=its_feeds))
    return out


def last_run(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The most recent crawl run (id, started, finished, status), or None."""
    row = db.execute("select id, started, finished, status from runs order by id desc limit 1").fetchone()
    return dict(zip(("id", "started", "finished", "status"), row)) if row else None
