"""`crosswire crawl`: gather new articles from the configured sources."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from crosswire.cli.options import db_option, resolve_db, resolve_sources, sources_option, user_errors


@click.command()
@db_option
@sources_option
@click.option("--source", "source_names", multiple=True, metavar="NAME",
              help="Crawl only this source (repeatable).")
@click.option("-s", "--set", "setting_pairs", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy or crosswire setting for this run (repeatable).")
@click.option("--all", "poll_all", is_flag=True,
              help="Poll every feed now, even those not due yet and paused ones.")
@click.option("--since", metavar="DATE", default=None,
              help="Backfill: walk sitemaps and listing pages back to this date (YYYY-MM-DD).")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing unless something failed, then one summary line on stderr.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the crawl log and its summary line to this file instead of stderr.")
@user_errors
def crawl(db_path: Path | None, sources_path: Path | None, source_names: tuple[str, ...],
          setting_pairs: tuple[str, ...], poll_all: bool, since: str | None, quiet: bool,
          log_file: Path | None) -> None:
    """Fetch the feeds that are due, store each new article once, and print a one-line summary.

    Only one crawl runs per database at a time. Exit codes: 0 ok, 1 error, 2 usage, 3 partial (some feeds
    or pages failed), 4 nothing to do (no feed due), 75 locked (another crawl is running).

    Example:

    \b
        crosswire crawl --db war.db --source sana --source tass -s DOWNLOAD_DELAY=3
        crosswire crawl --quiet --log-file ~/crosswire.log     # from cron
        crosswire crawl --source harbinger-review --since 2024-02-01   # backfill a month
    """
    from crosswire.core import exitcodes
    from crosswire.cli.cronlog import append_log
    from crosswire.core.errors import LockedError
    from crosswire.storage.lock import CrawlLock

    if since is not None:
        from crosswire.extraction.cleaning import parse_date

        when = parse_date(since) if len(since) >= 10 else None
        if when is None:
            raise click.BadParameter(f"expected a date like 2024-03-01, got {since!r}", param_hint="--since")
        setting_pairs = (f"CROSSWIRE_SINCE={when.isoformat()}", *setting_pairs)
    db = resolve_db(db_path)
    lock = CrawlLock(db)
    try:
        lock.acquire()
    except LockedError as exc:
        append_log(log_file, f"crawl locked: {exc}")
        click.echo(f"crosswire: {exc}", err=True)
        click.get_current_context().exit(exitcodes.LOCKED)
    try:
        summary = _crawl(db, sources_path, source_names, setting_pairs, poll_all, quiet, log_file)
    finally:
        lock.release()
    code = exitcodes.for_status(summary.status)
    append_log(log_file, f"crawl {summary.status} (exit {code}): {summary.line()}")
    if not quiet:
        click.echo(summary.line())
    elif summary.status == "partial":
        click.echo(f"crosswire crawl: {summary.line()} (see `crosswire status`)", err=True)
    click.get_current_context().exit(code)


def _crawl(db: Path, sources_path: Path | None, source_names: tuple[str, ...], setting_pairs: tuple[str, ...],
           poll_all: bool, quiet: bool, log_file: Path | None) -> Any:
    """Run the crawl itself under the lock; return its CrawlSummary."""
    from crosswire.crawlers.run import parse_setting_overrides, run_crawl
    from crosswire.core.sources import load_sources, select_sources

    overrides: dict[str, Any] = {}
    from crosswire.storage.db import open_db
    from crosswire.storage.runs import mark_interrupted

    handle = open_db(db)
    try:
        interrupted = mark_interrupted(handle)   # we hold the lock, so a 'running' run died (kill -9, reboot)
    finally:
        handle.close()
    if interrupted:
        # Its feeds may have been recorded before their articles were: poll all of them in full once.
        poll_all = True
        overrides["CROSSWIRE_FULL_FETCH"] = True
    if poll_all:
        overrides["CROSSWIRE_POLL_ALL"] = True
    if log_file is not None:
        # Scrapy's warnings and errors go to the file; the terminal (cron's mail) gets only our summary.
        log_file.parent.mkdir(parents=True, exist_ok=True)
        overrides["LOG_FILE"] = str(log_file)
    elif quiet:
        # Every failure is recorded in the errors table and counted in the summary line printed on stderr;
        # Scrapy's own tracebacks would only make cron's mail longer.
        overrides["LOG_LEVEL"] = "CRITICAL"
    overrides.update(parse_setting_overrides(setting_pairs))   # explicit -s wins
    sources = select_sources(load_sources(resolve_sources(sources_path)), source_names)
    # Sitemaps and listing pages have no schedule (a conditional GET keeps them cheap): always due.
    if not poll_all and not any(getattr(s, "sitemaps", ()) or getattr(s, "listing", ()) for s in sources):
        # Don't start Scrapy (and its extraction workers) every cron tick just to find nothing due.
        from crosswire.crawlers.run import CrawlSummary
        from crosswire.crawlers.schedule import count_due

        due, not_due = count_due(db, sources, overrides.get("CROSSWIRE_NOW"))
        if not due:
            return CrawlSummary(run_id=0, seconds=0.0, stats={"feeds_not_due": not_due})
    return run_crawl(db, sources, overrides=overrides, progress=sys.stderr.isatty() and not quiet)
