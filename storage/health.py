"""Health of every source and feed, for `crosswire status`: failures, pauses, volume, outlets gone quiet, and
the feed and page errors of the source's last run and of the last day (from the errors table).

An article's time here is when it was published (when it was first seen, if it has no date), so the first
crawl's backlog counts where it belongs and a feed that keeps answering 200 with stale entries shows up as
an outlet that went quiet.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crosswire.identity.urls import redact, redact_text
from crosswire.storage.db import marks

# A source is quiet when it used to publish at least MIN_EXPECTED articles a day and the last day brought
# fewer than QUIET_RATIO of that; the usual rate is learned from BASELINE_DAYS before the last day, and
# needs MIN_HISTORY_DAYS of history so a source added yesterday is never flagged.
MIN_EXPECTED = 3.0
QUIET_RATIO = 0.2
BASELINE_DAYS = 28
MIN_HISTORY_DAYS = 3.0

WHEN = "coalesce(a.published, a.first_seen)"
# An error row is a feed's own when its URL is one of the feeds (feeds, sitemaps, listing pages) of the archive;
# rows of kind "limit" are not failures but a guard that cut an entry point short on purpose.
_IS_FEED = "exists (select 1 from feeds f where f.url = e.url)"
_FAILURE = "e.kind <> 'limit'"
# Errors are found through the runs that recorded them: errors.run_id is indexed (errors.at and errors.source
# are not), so status stays quick on an archive that has gathered a year of errors.
_RUNS_SINCE = "select id from runs where coalesce(finished, '9999-12-31') > ?"     # a running crawl too


@dataclass
class FeedHealth:
    """One entry point's state, as stored by the crawler: a feed, a sitemap or a listing page."""

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
    kind: str = "feed"                  # feed (until first read), rss, atom, json, sitemap, news-sitemap, listing
    route: bool = True                  # named by the sources file (False: a sitemap found through an index)


@dataclass
class ErrorCounts:
    """Failures of a source's feeds and of its pages (articles, sitemaps' and listings' links)."""

    feeds: int = 0
    pages: int = 0

    @property
    def total(self) -> int:
        """Feed and page errors together."""
        return self.feeds + self.pages


@dataclass
class SourceHealth:
    """One source: its feeds, its recent volume against its usual rate, whether it went quiet, and its errors."""

    name: str
    state: str                          # ok | new | idle | quiet | errors | failing | paused (the worst that applies)
    articles_24h: int
    articles_7d: int
    usual_per_day: float | None         # None until there is enough history to tell
    quiet: bool
    last_article: str | None
    feeds: list[FeedHealth] = field(default_factory=list)
    last_run_id: int | None = None      # the last crawl that polled this source
    errors_last_run: ErrorCounts = field(default_factory=ErrorCounts)
    errors_24h: ErrorCounts = field(default_factory=ErrorCounts)
    latest_error: dict[str, Any] | None = None    # at, kind, reason, url of the newest error row

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
    roots = _configured_sitemaps(db)
    for row in db.query("select * from feeds order by source, id"):
        named = roots.get(row["source"])
        below = row["kind"] in ("sitemap", "news-sitemap") and named is not None and row["url"] not in named
        feeds.setdefault(row["source"], []).append(FeedHealth(
            kind=row["kind"] or "feed", route=not below,
            id=row["id"], url=redact(row["url"]), state=feed_state_name(row), last_success=row["last_success"],
            last_checked=row["last_checked"], last_error=redact_text(row["last_error"]),
            last_error_at=row["last_error_at"],
            consecutive_failures=row["consecutive_failures"] or 0, failing_since=row.get("failing_since"),
            next_check=row["next_check"], retry_after=row.get("retry_after"), paused=bool(row["paused"]),
            paused_reason=redact_text(row["paused_reason"]), articles_24h=feed_day.get(row["id"], 0),
            articles_7d=feed_week.get(row["id"], 0)))
    errors = _error_summary(db, day)
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
        run_id, last_run_counts, day_counts_errors, latest = errors.get(name, (None, ErrorCounts(), ErrorCounts(),
                                                                                 None))
        states = {f.state for f in its_feeds}
        if not its_feeds:
            state = "idle"          # nothing to crawl: no feed, sitemap or listing page
        elif states == {"paused"}:
            state = "paused"
        elif states & {"failing", "paused"}:
            state = "failing"
        elif last_run_counts.total:
            state = "errors"
        elif states == {"new"}:
            state = "new"           # its routes were never read yet
        else:
            state = "quiet" if quiet else "ok"
        out.append(SourceHealth(name=name, state=state, articles_24h=recent, articles_7d=week_counts.get(name, 0),
                                usual_per_day=round(usual, 2) if usual is not None else None, quiet=quiet,
                                last_article=last_article.get(name), feeds=its_feeds, last_run_id=run_id,
                                errors_last_run=last_run_counts, errors_24h=day_counts_errors, latest_error=latest))
    return out


def _configured_sitemaps(db: sqlite_utils.Database) -> dict[str, set[str]]:
    """Per source, the sitemap URLs its sources file names (from `sources.config`), so the sitemaps an index
    named can be told from them; a source that reads robots.txt has none named (every sitemap is a route)."""
    out: dict[str, set[str]] = {}
    for name, config in db.execute("select name, config from sources"):
        try:
            sitemaps = json.loads(config or "{}").get("sitemaps") or []
        except (ValueError, AttributeError):
            continue
        if "robots" not in sitemaps:
            out[name] = set(sitemaps)
    return out


def _error_summary(db: sqlite_utils.Database, day: str) -> dict[str, tuple[int | None, ErrorCounts, ErrorCounts,
                                                                               dict[str, Any] | None]]:
    """Per source: its last run (the last crawl started before its feeds were last checked), the feed and page
    errors of that run and of the last day, and its newest error among them."""
    checked = {name: when for name, when in db.execute(
        "select source, max(last_checked) from feeds where last_checked is not null group by source")}
    last_runs = {name: db.execute("select max(id) from runs where started <= ?", [when]).fetchone()[0]
                 for name, when in checked.items()}
    wanted = sorted({run for run in last_runs.values() if run is not None})
    rows = _error_rows(db, f"(e.run_id in ({_RUNS_SINCE}) or e.run_id in ({marks(wanted)}))", [day, *wanted])
    out: dict[str, tuple[int | None, ErrorCounts, ErrorCounts, dict[str, Any] | None]] = {}
    for (name,) in db.execute("select name from sources"):
        run, in_run, in_day, latest = last_runs.get(name), ErrorCounts(), ErrorCounts(), None
        for row in rows.get(name, []):
            for counts, counted in ((in_run, row["run_id"] == run), (in_day, row["at"] > day)):
                if counted:
                    counts.feeds += row["what"] == "feed"
                    counts.pages += row["what"] == "page"
            if (row["run_id"] == run or row["at"] > day) and latest is None:
                latest = row        # rows come newest first
        out[name] = (run, in_run, in_day, latest)
    return out


def _error_rows(db: sqlite_utils.Database, where: str, params: list[Any],
                limit: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Failure rows matching `where`, newest first, by source; URLs and reasons with credentials masked."""
    sql = (f"select e.at, e.source, case when {_IS_FEED} then 'feed' else 'page' end, e.kind, e.reason, e.url, "
           f"e.run_id from errors e where {_FAILURE} and {where} order by e.at desc, e.id desc"
           + (f" limit {int(limit)}" if limit is not None else ""))
    out: dict[str, list[dict[str, Any]]] = {}
    for at, src, what, kind, reason, url, run_id in db.execute(sql, params):
        out.setdefault(src, []).append({"at": at, "source": src, "what": what, "kind": kind,
                                        "reason": redact_text(reason, url), "url": redact(url) if url else url,
                                        "run_id": run_id})
    return out


def list_errors(db: sqlite_utils.Database, *, since: str, source: str | None = None,
                limit: int | None = 200) -> list[dict[str, Any]]:
    """The failures recorded after `since` (of one source, or all), newest first: at, source, what (feed or
    page), kind, reason, url, run_id; URLs and reasons with any credentials masked."""
    where, params = f"e.run_id in ({_RUNS_SINCE}) and e.at > ?", [since, since]
    if source is not None:
        where += " and e.source = ?"
        params.append(source)
    rows = [row for group in _error_rows(db, where, params, limit).values() for row in group]
    return sorted(rows, key=lambda row: row["at"], reverse=True)


def needs_attention(sources: list[SourceHealth], run: dict[str, Any] | None) -> list[str]:
    """What a monitoring check should report: one line per problem (empty when all is well)."""
    problems = []
    if run is None:
        problems.append("no crawl has run yet")
    elif run.get("status") not in ("ok", "partial", "nothing"):
        problems.append(f"the last crawl ended {run.get('status')} ({run.get('finished') or run.get('started')})")
    for src in sources:
        if src.state in ("ok", "new"):
            continue
        if src.state == "idle":
            problems.append(f"{src.name} idle: no feed, sitemap or listing page to crawl")
            continue
        if src.state in ("failing", "paused"):
            bad = [f for f in src.feeds if f.state in ("failing", "paused")]
            detail = "; ".join(f"{f.state} {f.url}: {f.last_error or f.paused_reason or '?'}" for f in bad)
        elif src.state == "errors":
            detail = (f"{src.errors_last_run.pages} page and {src.errors_last_run.feeds} feed errors in its last "
                      f"run; latest: {src.latest_error['reason'] if src.latest_error else '?'}")
        else:
            detail = f"quiet: {src.articles_24h} articles in 24 h, usually {src.usual_per_day:g} a day"
        problems.append(f"{src.name} {src.state}: {detail}")
    return problems


def last_run(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The most recent crawl run (id, started, finished, status), or None."""
    row = db.execute("select id, started, finished, status from runs order by id desc limit 1").fetchone()
    return dict(zip(("id", "started", "finished", "status"), row)) if row else None
