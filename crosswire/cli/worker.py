"""`crosswire worker`: fetch and extract for a distributed crawl (`crosswire crawl --redis URL`)."""

from __future__ import annotations

import click

from crosswire.cli.options import redis_value, user_errors
from crosswire.cli.output import echo
from crosswire.crawlers.overrides import parse_setting_overrides
from crosswire.crawlers.worker import run_worker


@click.command()
@click.option("--redis", "redis_url", metavar="URL", required=True, callback=redis_value,
              help="The Redis holding the shared frontier (redis://HOST:PORT/DB).")
@click.option("--name", default=None, metavar="NAME",
              help="How `crosswire status --redis` names this worker [default: host:pid].")
@click.option("-s", "--set", "setting_pairs", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy or crosswire setting of this worker (repeatable), e.g. "
                   "CONCURRENT_REQUESTS=64 or CROSSWIRE_EXTRACT_WORKERS=4.")
@user_errors
def worker(redis_url: str, name: str | None, setting_pairs: tuple[str, ...]) -> None:
    """Fetch and extract pages for the coordinator, `crosswire crawl --redis URL`, until stopped.

    Takes requests from the shared frontier in Redis (scrapy-redis's scheduler and duplicate filter), waits for
    each site's shared delay and concurrency (which hold across all workers together), reads robots.txt once
    per site for all workers, extracts articles and hands them back through Redis. It never opens the archive,
    so it needs neither --db nor --sources. Start, stop (SIGTERM, Ctrl-C: what it had not started goes back)
    or kill it at any time; the coordinator puts a dead worker's requests back. A Redis it cannot reach is
    said in one line and retried with backoff. Exit codes: 0 stopped by a signal, 2 usage.

    Example:

    \b
        crosswire worker --redis redis://10.0.0.5:6379/0
        crosswire worker --redis redis://10.0.0.5:6379/0 --name rack2-a -s CONCURRENT_REQUESTS=64
    """
    overrides = parse_setting_overrides(setting_pairs)
    run_worker(redis_url, name=name, overrides=overrides, say=lambda line: echo(f"crosswire worker: {line}", err=True))
