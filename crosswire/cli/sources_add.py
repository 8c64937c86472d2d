"""`crosswire sources add URL`: discover an outlet's feeds and sitemaps and propose a [[source]] block."""

from __future__ import annotations

import click

from crosswire.cli.options import output_option, output_path, user_errors
from crosswire.cli.output import echo
from crosswire.core.errors import SourcesError
from crosswire.core.files import write_file
from crosswire.core.sourcecheck import CREDENTIALS_REFUSED
from crosswire.core.sources import parse_sources
from crosswire.crawlers.discover import discover, propose_source
from crosswire.identity.urls import has_credentials, redact


@click.command("add")
@click.argument("url")
@click.option("--name", default=None, help="Source name to propose [default: from the host name].")
@output_option("--into", help="Append the proposed block to this sources file (after confirmation); sources.toml "
                              "inside it when it is a directory or ends in /.")
@click.option("--yes", "-y", is_flag=True, help="Append without asking.")
@user_errors
def add(url: str, name: str | None, into: str | None, yes: bool) -> None:
    """Find an outlet's feeds (<link rel=alternate>, /feed, /rss ...) and sitemaps (robots.txt) from its
    homepage, and print a [[source]] block for the sources file.

    A URL with a user name or password is refused before anything is fetched.

    \b
    Example:
        crosswire sources add https://www.example-news.org/
        crosswire sources add https://www.example-news.org/ --into my-sources.toml --yes
    """
    if has_credentials(url):
        raise SourcesError(f"{redact(url)} {CREDENTIALS_REFUSED}")
    found = discover(url)
    # A page may link a feed with someone's credentials in it: never proposed, so never printed or stored.
    found.feeds[:] = [feed for feed in found.feeds if not has_credentials(feed)]
    found.sitemaps[:] = [sitemap for sitemap in found.sitemaps if not has_credentials(sitemap)]
    block = propose_source(found, name)
    echo(block, nl=False)
    echo(f"# found {len(found.feeds)} feeds, {len(found.sitemaps)} sitemaps", err=True)
    if into is None:
        return
    target = output_path(into, "sources.toml")
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    combined = existing.rstrip("\n") + ("\n\n" if existing.strip() else "") + block
    parse_sources(combined, str(target))   # refuse to write a file that would no longer load
    if not yes and not click.confirm(f"Append this source to {target}?", default=True):
        raise SourcesError("not added")
    write_file(target, combined.encode("utf-8"))
    echo(f"added to {target}", err=True)
