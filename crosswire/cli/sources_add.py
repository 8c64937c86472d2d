"""`crosswire sources add URL`: discover an outlet's feeds and sitemaps and propose a [[source]] block."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import user_errors
from crosswire.core.errors import SourcesError
from crosswire.core.sources import parse_sources
from crosswire.crawlers.discover import discover, propose_source


@click.command("add")
@click.argument("url")
@click.option("--name", default=None, help="Source name to propose [default: from the host name].")
@click.option("--into", "into", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the proposed block to this sources file (after confirmation).")
@click.option("--yes", "-y", is_flag=True, help="Append without asking.")
@user_errors
def add(url: str, name: str | None, into: Path | None, yes: bool) -> None:
    """Find an outlet's feeds (<link rel=alternate>, /feed, /rss ...) and sitemaps (robots.txt) from its
    homepage, and print a [[source]] block for the sources file.

    \b
    Example:
        crosswire sources add https://www.example-news.org/
        crosswire sources add https://www.example-news.org/ --into my-sources.toml --yes
    """
    found = discover(url)
    block = propose_source(found, name)
    click.echo(block, nl=False)
    click.echo(f"# found {len(found.feeds)} feeds, {len(found.sitemaps)} sitemaps", err=True)
    if into is None:
        return
    existing = into.read_text(encoding="utf-8") if into.exists() else ""
    combined = existing.rstrip("\n") + ("\n\n" if existing.strip() else "") + block
    parse_sources(combined, str(into))   # refuse to write a file that would no longer load
    if not yes and not click.confirm(f"Append this source to {into}?", default=True):
        raise SourcesError("not added")
    into.write_text(combined, encoding="utf-8")
    click.echo(f"added to {into}", err=True)
