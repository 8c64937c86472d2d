"""`crosswire opml export|import`: move the sources list to and from feed readers."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import resolve_sources, sources_option, user_errors
from crosswire.core.errors import SourcesError
from crosswire.core.sources import load_sources, parse_sources
from crosswire.exports.opml import export_opml, import_opml, sources_toml


@click.group("opml")
def opml() -> None:
    """Export the sources as OPML for a feed reader, or turn a reader's OPML into sources."""


@opml.command("export")
@sources_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@user_errors
def export_command(sources_path: Path | None, output: Path | None) -> None:
    """Write every source's feeds as OPML 2.0.

    \b
    Example:
        crosswire opml export -o crosswire.exports.opml
    """
    data = export_opml(load_sources(resolve_sources(sources_path)))
    if output is None:
        click.echo(data, nl=False)
        return
    output.write_bytes(data)
    click.echo(f"wrote {output}", err=True)


@opml.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the new sources to this sources file (skipping names and feeds it already has).")
@user_errors
def import_command(file: Path, into: Path | None) -> None:
    """Turn an OPML file into [[source]] tables: printed, or appended to a sources file with --into.

    \b
    Example:
        crosswire opml import reader-export.opml > my-sources.toml
        crosswire opml import reader-export.opml --into my-sources.toml
    """
    found = import_opml(file.read_bytes(), str(file))
    if into is None:
        click.echo(sources_toml(found), nl=False)
        return
    existing = load_sources(into) if into.exists() else []
    names = {s.name for s in existing}
    feeds = {url for s in existing for url in s.feeds}
    new = [s for s in found if s.name not in names and not feeds.intersection(s.feeds)]
    if new:
        text = into.read_text(encoding="utf-8") if into.exists() else ""
        combined = text + ("\n" if text and not text.endswith("\n\n") else "") + sources_toml(new)
        try:
            parse_sources(combined, str(into))  # never leave a sources file the crawler would refuse
        except SourcesError as exc:
            raise SourcesError(f"not appended: {exc}") from None
        into.write_text(combined, encoding="utf-8")
    click.echo(f"added {len(new)} sources to {into} ({len(found) - len(new)} already there)", err=True)
