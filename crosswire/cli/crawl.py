"""`crosswire crawl`: gather new articles from the configured sources."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crosswire.cli.options import db_option, resolve_db, resolve_sources, sources_option, user_errors


@click.command()
@db_option
@sources_option
@click.option("--source", "source_names", multiple=True, metavar="NAME",
              help="Crawl only this source (repeatable).")
@click.option("-s", "--set", "setting_pairs", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy or crosswire setting for this run (repeatable).")
@user_errors
def crawl(db_path: Path | None, sources_path: Path | None, source_names: tuple[str, ...],
          setting_pairs: tuple[str, ...]) -> None:
    """Fetch every feed, store each new article once, and print a one-line summary.

    Example:

        crosswire crawl --db war.db --source sana --source tass -s DOWNLOAD_DELAY=3
    """
    from crawlers.run import parse_setting_overrides, run_crawl
    from crosswire.sources import load_sources, select_sources

    overrides = parse_setting_overrides(setting_pairs)
    sources = select_sources(load_sources(resolve_sources(sources_path)), source_names)
    summary = run_crawl(resolve_db(db_path), sources, overrides=overrides, progress=sys.stderr.isatty())
    click.echo(summary.line())
