"""`crosswire opml export|import`: move the sources list to and from feed readers."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import output_option, output_path, resolve_sources, sources_option, user_errors
from crosswire.cli.output import echo, echo_data
from crosswire.core.errors import SourcesError
from crosswire.core.files import write_file
from crosswire.core.sources import load_sources, parse_sources
from crosswire.exports.opml import export_opml, import_opml, sources_toml


@click.group("opml")
def opml() -> None:
    """Export the sources as OPML for a feed reader, or turn a reader's OPML into sources.

    \b
    Example:
        crosswire opml export -o crosswire.opml
        crosswire opml import reader-export.opml --into my-sources.toml --yes
    """


@opml.command("export")
@sources_option
@output_option("-o", "--output", help="Write to this file instead of standard output (crosswire.opml inside it "
                                      "when it is a directory or ends in /).")
@user_errors
def export_command(sources_path: Path | None, output: str | None) -> None:
    """Write every source's feeds as OPML 2.0.

    \b
    Example:
        crosswire opml export -o crosswire.opml
    """
    data = export_opml(load_sources(resolve_sources(sources_path)))
    if output is None:
        echo_data(data)
        return
    target = write_file(output_path(output, "crosswire.opml"), data)
    echo(f"wrote {target}", err=True)


@opml.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option("--into", help="Append the new sources to this sources file (skipping names and feeds it already "
                              "has), after confirmation; sources.toml inside it when it is a directory or ends in /.")
@click.option("--yes", "-y", is_flag=True, help="With --into: append without asking.")
@user_errors
def import_command(file: Path, into: str | None, yes: bool) -> None:
    """Turn an OPML file into [[source]] tables: printed, or appended to a sources file with --into.

    A feed or homepage URL with a user name or password is refused: crosswire never keeps credentials.

    \b
    Example:
        crosswire opml import reader-export.opml > my-sources.toml
        crosswire opml import reader-export.opml --into my-sources.toml --yes
    """
    found = import_opml(file.read_bytes(), str(file))
    if into is None:
        echo_data(sources_toml(found))
        return
    target = output_path(into, "sources.toml")
    existing = load_sources(target) if target.exists() else []
    names = {s.name for s in existing}
    feeds = {url for s in existing for url in s.feeds}
    new = [s for s in found if s.name not in names and not feeds.intersection(s.feeds)]
    if new:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        combined = text + ("\n" if text and not text.endswith("\n\n") else "") + sources_toml(new)
        try:
            parse_sources(combined, str(target))  # never leave a sources file the crawler would refuse
        except SourcesError as exc:
            raise SourcesError(f"not appended: {exc}") from None
        if not yes and not click.confirm(f"Append {len(new)} sources to {target}?", default=True, err=True):
            raise SourcesError("not added")
        write_file(target, combined.encode("utf-8"))
    echo(f"added {len(new)} sources to {target} ({len(found) - len(new)} already there)", err=True)
