"""`crosswire crawl`: gather new articles from the configured sources."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crosswire.cli.exiting import skip_teardown
from crosswire.cli.options import (
    db_option,
    output_option,
    output_path,
    redis_value,
    resolve_db,
    resolve_sources,
    sources_option,
    user_errors,
)
from crosswire.cli.output import echo
from crosswire.core import exitcodes
from crosswire.core.errors import LockedError
from crosswire.core.files import check_appendable, ensure_directory
from crosswire.core.sources import load_sources, select_sources
from crosswire.crawlers import settings as defaults
from crosswire.crawlers.overrides import parse_setting_overrides
from crosswire.crawlers.workers import start_fork_server
from crosswire.extraction.cleaning import parse_date
from crosswire.storage.archive import check_archive


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
@output_option("--log-file", help="Append the crawl log and its summary line to this file instead of stderr "
                                 "(crawl.log inside it when it is a directory or ends in /).")
@click.option("--redis", "redis_url", metavar="URL", default=None, callback=redis_value,
              help="Coordinate `crosswire worker` processes through this Redis (redis://HOST:PORT/DB): they fetch "
                   "and extract, this command schedules and stores.")
@user_errors
def crawl(db_path: Path | None, sources_path: Path | None, source_names: tuple[str, ...],
          setting_pairs: tuple[str, ...], poll_all: bool, since: str | None, quiet: bool,
          log_file: str | None, redis_url: str | None) -> None:
    """Fetch the feeds that are due, store each new article once, and print a one-line summary.

    Only one crawl runs per database at a time. Exit codes: 0 ok, 1 error (or the archive refused writes),
    2 usage, 3 partial (some feeds or pages failed), 4 nothing to do (no feed due), 5 interrupted (SIGTERM,
    SIGINT or its time limit: what was not stored stays due), 65 not an archive or damaged, 69 the Redis of
    --redis cannot be reached, 73 a file cannot be written (the archive is read-only, the log file or the
    directory cannot be written), 75 locked (another crawl is running, or another coordinator uses the Redis).

    With --redis URL this command is the coordinator of a distributed crawl: it puts what is due into the
    shared frontier, `crosswire worker --redis URL` processes on any machines fetch and extract, and this
    command alone writes the archive. It ends when the frontier is empty and every request came back.

    Example:

    \b
        crosswire crawl --db war.db --source sana --source tass -s DOWNLOAD_DELAY=3
        crosswire crawl --quiet --log-file ~/crosswire.log     # from cron
        crosswire crawl --source harbinger-review --since 2024-02-01   # backfill a month
        crosswire crawl --quiet --redis redis://10.0.0.5:6379/0    # coordinate workers on other machines
    """
    when = None
    if since is not None:
        when = parse_date(since) if len(since) >= 10 else None
        if when is None:
            raise click.BadParameter(f"expected a date like 2024-03-01, got {since!r}", param_hint="--since")
    settings = parse_setting_overrides(setting_pairs)
    sources = select_sources(load_sources(resolve_sources(sources_path)), source_names)
    # Everything the crawl will write is checked before it starts, so a mistake creates nothing: not the
    # archive, not a lock beside a file that is not an archive, not half a log.
    path = resolve_db(db_path)
    check_archive(path, create=True)
    log_path = check_appendable(output_path(log_file, "crawl.log")) if log_file else None
    ensure_directory(path.parent)
    workers = not redis_url and int(settings.get("CROSSWIRE_EXTRACT_WORKERS",
                                                 defaults.CROSSWIRE_EXTRACT_WORKERS)) > 0
    if workers:
        start_fork_server()   # the extraction workers' server loads extraction while Scrapy is imported below
    # why here: Scrapy, Twisted and the crawl (~0.5 s of imports) load after the checks above and beside the
    # fork server's own start; a command that fails a check never pays for them
    from crosswire.crawlers.embedder import start_warm_up  # (see above)

    start_warm_up(features=not workers)   # the story encoder loads in a thread, beside the imports below;
    # the workers compute the articles' story features (crawlers/embedder.py), so this process warms them up
    # only when it has none
    # From here every way out of the command skips the interpreter's teardown: the load runs in a daemon thread,
    # and a daemon thread still inside sentencepiece or numpy while the interpreter tears down can abort the
    # process (SIGABRT seen when a second crawl was refused the lock at once).
    skip_teardown()
    from crosswire.crawlers.logformat import append_run_line  # (see above)
    from crosswire.crawlers.run import CrawlOptions  # (see above)
    from crosswire.crawlers.run import crawl as run  # (see above)

    options = CrawlOptions(poll_all=poll_all, since=when, quiet=quiet, log_file=log_path,
                           progress=sys.stderr.isatty() and not quiet, settings=settings, redis=redis_url)
    try:
        summary = run(path, sources, options)
    except LockedError as exc:
        append_run_line(log_path, f"crawl locked: {exc}")
        raise
    code = exitcodes.for_status(summary.status)
    append_run_line(log_path, f"crawl {summary.status} (exit {code}): {summary.line()}")
    hint = summary.hint()
    if hint:
        append_run_line(log_path, hint)
    if not quiet:
        echo(summary.line())
        if hint:
            echo(hint)
    elif summary.status not in ("ok", "nothing"):
        tail = f"; {hint}" if hint else " (see `crosswire status`)"
        echo(f"crosswire crawl: {summary.line()}{tail}", err=True)
    skip_teardown()     # the archive is closed, the workers and threads stopped: nothing left to tear down
    click.get_current_context().exit(code)
