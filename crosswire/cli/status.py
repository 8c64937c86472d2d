"""`crosswire status`: is every outlet still being collected? Failing, paused and quiet ones stand out."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click

from crosswire.cli.options import db_option, json_option, resolve_db, user_errors
from crosswire.core.errors import StorageError
from crosswire.storage.db import open_db
from crosswire.storage.health import last_run, source_health

FLAGS = {"ok": "ok", "new": "new", "quiet": "QUIET", "failing": "FAILING", "paused": "PAUSED"}


def _short(value: str | None) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM' (UTC), or '-'."""
    return value[:16].replace("T", " ") if value else "-"


def render(sources: list, run: dict | None) -> list[str]:
    """The human-readable status: one line per source, one indented line per feed."""
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
        for feed in src.feeds:
            detail = f"last success {_short(feed.last_success)} · next check {_short(feed.next_check)}"
            if feed.consecutive_failures:
                detail += (f" · {feed.consecutive_failures} failures since {_short(feed.failing_since)}"
                           f" · last error: {feed.last_error}")
            if feed.paused:
                detail += f" · {feed.paused_reason}"
            lines.append(f"  {FLAGS[feed.state]:<8} {feed.url}  24h {feed.articles_24h} · 7d {feed.articles_7d}"
                         f" · {detail}")
    return lines


@click.command()
@db_option
@json_option
@click.option("--now", "now_iso", default=None, hidden=True, help="Pretend it is this ISO time (tests).")
@user_errors
def status(db_path: Path | None, as_json: bool, now_iso: str | None) -> None:
    """Show each source and feed: last success, last error, failures, recent articles, next check, paused.

    Sources that publish far less than usual are flagged QUIET; failing feeds FAILING, paused ones PAUSED.

    Example:

    \b
        crosswire status --db war.db
        crosswire status --json | jq '.sources[] | select(.state != "ok")'
    """
    path = resolve_db(db_path)
    if not path.exists():
        raise StorageError(f"{path}: no database yet; run `crosswire crawl` first")
    now = datetime.fromisoformat(now_iso) if now_iso else datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    db = open_db(path)
    try:
        sources, run = source_health(db, now), last_run(db)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps({"now": now.isoformat(timespec="seconds"), "last_run": run,
                               "sources": [s.to_dict() for s in sources]}, indent=2, ensure_ascii=False))
        return
    for line in render(sources, run):
        click.echo(line)
