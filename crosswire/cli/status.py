"""`crosswire status`: is every outlet still being collected? Failing, paused, erring and quiet ones stand out;
`--errors` lists what failed, `--check` is the monitoring mode (exit 3 when something needs attention)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from crosswire.cli.options import archive, date_value, db_option, json_option, redis_value, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.core import exitcodes
from crosswire.core.errors import QueryError
from crosswire.storage.health import (
    ErrorCounts,
    SourceHealth,
    last_run,
    list_errors,
    needs_attention,
    source_health,
)

FLAGS = {"ok": "ok", "new": "new", "idle": "IDLE", "quiet": "QUIET", "errors": "ERRORS", "failing": "FAILING",
         "paused": "PAUSED"}
# How a route's kind reads in the listing (feeds are "feed" whatever their format).
KINDS = {"rss": "feed", "atom": "feed", "json": "feed", "feed": "feed", "sitemap": "sitemap",
         "news-sitemap": "news-sitemap", "listing": "listing"}


def _short(value: str | None) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM' (UTC), or '-'."""
    return value[:16].replace("T", " ") if value else "-"


def _counts(counts: ErrorCounts) -> str:
    """'1 feed, 6 pages' style counts."""
    return (f"{counts.feeds} feed{'s' if counts.feeds != 1 else ''}, "
            f"{counts.pages} page{'s' if counts.pages != 1 else ''}")


def render(sources: list[SourceHealth], run: dict | None) -> list[str]:
    """The human-readable status: one line per source, an errors line when something failed, one per feed."""
    lines = []
    if run:
        lines.append(f"last crawl: {_short(run['finished'] or run['started'])} UTC ({run['status']})")
    if not sources:
        lines.append("no sources yet: run `crosswire crawl` first")
    for src in sources:
        usual = f"usually {src.usual_per_day:g}/day" if src.usual_per_day is not None else "usual rate unknown yet"
        quiet = ", QUIET: far below its usual rate" if src.quiet else ""
        lines.append(f"{src.name}  {FLAGS[src.state]}  24h {src.articles_24h} · 7d {src.articles_7d} · "
                     f"{usual} · last article {_short(src.last_article)}{quiet}")
        if src.errors_24h.total or src.errors_last_run.total:
            latest = src.latest_error or {}
            lines.append(f"  {'errors':<8} last run {_counts(src.errors_last_run)} · last day "
                         f"{_counts(src.errors_24h)} · latest {_short(latest.get('at'))} {latest.get('kind', '')}: "
                         f"{latest.get('reason', '')}  {latest.get('url', '')}")
        if src.state == "idle":
            lines.append("  nothing to crawl: no feed, sitemap or listing page")
        below = [feed for feed in src.feeds if not feed.route]
        for feed in src.feeds:
            if not feed.route and feed.state in ("ok", "new"):
                continue        # sitemaps an index named: counted below, shown when they fail
            detail = f"last success {_short(feed.last_success)} · next check {_short(feed.next_check)}"
            if not feed.route:
                detail = f"found through an index · last success {_short(feed.last_success)}"
            if feed.consecutive_failures:
                detail += (f" · {feed.consecutive_failures} failures since {_short(feed.failing_since)}"
                           f" · last error: {feed.last_error}")
            if feed.paused:
                detail += f" · {feed.paused_reason}"
            lines.append(f"  {FLAGS[feed.state]:<8} {KINDS.get(feed.kind, feed.kind):<12} {feed.url}  "
                         f"24h {feed.articles_24h} · 7d {feed.articles_7d} · {detail}")
        if below:
            failing = sum(1 for feed in below if feed.state not in ("ok", "new"))
            lines.append(f"  + {len(below)} sitemap{'s' if len(below) != 1 else ''} a sitemap index named: "
                         f"24h {sum(f.articles_24h for f in below)} · "
                         f"7d {sum(f.articles_7d for f in below)}" + (f" · {failing} failing" if failing else ""))
    if any(src.errors_24h.total or src.errors_last_run.total for src in sources):
        lines.append("list the errors: crosswire status --errors [SOURCE]")
    return lines


def error_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per error row: when, source, feed or page, kind, reason, URL."""
    return [f"{_short(r['at'])}  {r['source'] or '-'}  {r['what']:<4}  {r['kind']:<10}  {r['reason']}  {r['url']}"
            for r in rows]


@click.command()
@click.argument("source", required=False)
@db_option
@json_option
@click.option("--errors", "show_errors", is_flag=True,
              help="List the feed and page errors (of SOURCE only, when given) instead of the overview.")
@click.option("--since", metavar="DATE", default="1d", show_default=True,
              help="With --errors: errors after this date or span (2026-03-01, 24h, 7d …).")
@click.option("--check", is_flag=True,
              help="Monitoring: print what needs attention and exit 3, or one OK line and exit 0.")
@click.option("--redis", "redis_url", metavar="URL", default=None, callback=redis_value,
              help="Show the shared frontier of a distributed crawl instead: requests waiting, workers seen "
                   "recently, results waiting to be written.")
@click.option("--now", "now_iso", default=None, hidden=True, help="Pretend it is this ISO time (tests).")
@user_errors
def status(source: str | None, db_path: Path | None, as_json: bool, show_errors: bool, since: str,
           check: bool, redis_url: str | None, now_iso: str | None) -> None:
    """Show each source and feed: last success, errors of the last run and day, recent articles, next check.

    Sources whose feeds fail are flagged FAILING, paused ones PAUSED, those whose pages failed in their last
    run ERRORS, and those publishing far less than usual QUIET. With SOURCE, only that source.

    --redis URL shows the frontier of `crawl --redis` and `worker --redis` instead (exit 69 when that Redis
    cannot be reached).

    --check is for cron and Nagios-style monitoring: exit 0 when every source is ok, 3 when a source is
    failing, paused, erring or quiet or the last crawl did not finish, 65/66 when the archive is damaged or
    missing.

    \b
    Example:
        crosswire status --db war.db
        crosswire status --errors levant-ledger --since 7d
        crosswire status --check || mail -s "crosswire needs attention" me@example.org
        crosswire status --json | jq '.sources[] | select(.state != "ok")'
        crosswire status --redis redis://10.0.0.5:6379/0
    """
    if redis_url is not None:
        _frontier(redis_url, as_json)
        return
    now = datetime.fromisoformat(now_iso) if now_iso else datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    db = archive(db_path)
    try:
        sources, run = source_health(db, now), last_run(db)
        if source is not None:
            known = [s.name for s in sources]
            if source not in known:
                raise QueryError(f"unknown source {source!r}" + (f"; sources: {', '.join(known)}" if known else ""))
            sources = [s for s in sources if s.name == source]
        if show_errors:
            start = date_value(since, "--since", now=now)
            rows = list_errors(db, source=source, since=start)
    finally:
        db.close()
    if show_errors:
        if as_json:
            echo_json(rows)
        elif not rows:
            echo(f"no errors since {_short(start)} UTC" + (f" for {source}" if source else ""))
        else:
            for line in error_lines(rows):
                echo(line)
        return
    if check:
        problems = needs_attention(sources, run)
        if as_json:
            echo_json({"ok": not problems, "problems": problems})
        elif problems:
            echo(f"crosswire: {len(problems)} problem{'s need' if len(problems) != 1 else ' needs'} attention")
            for line in problems:
                echo(f"  {line}")
        else:
            count = f"{len(sources)} source{'s' if len(sources) != 1 else ''}"
            echo(f"crosswire: OK, {count} collected, last crawl {run['status'] if run else '-'}")
        click.get_current_context().exit(exitcodes.PARTIAL if problems else exitcodes.OK)
    if as_json:
        echo_json({"now": now.isoformat(timespec="seconds"), "last_run": run,
                   "sources": [s.to_dict() for s in sources]})
        return
    for line in render(sources, run):
        echo(line)


def _frontier(url: str, as_json: bool) -> None:
    """`status --redis`: the shared frontier's queue, workers and waiting results."""
    from crosswire.crawlers import frontier   # Redis's client only for --redis

    found = frontier.frontier_status(frontier.reach(url))
    if as_json:
        echo_json(found.as_dict())
        return
    for line in frontier.status_lines(found):
        echo(line)
