"""`crosswire sources ...`: show and validate the sources file."""

from __future__ import annotations

from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table

from crosswire.cli.options import (
    json_option,
    resolve_sources,
    sources_option,
    user_errors,
)
from crosswire.cli.output import echo, echo_json, terminal_safe
from crosswire.core.sources import Source, load_sources

# Wide enough that piped output (scripts, tests, `| less`) is never truncated or wrapped.
_PIPE_WIDTH = 1000


@click.group("sources")
def sources() -> None:
    """Show and validate the sources file: which outlets crosswire follows and how.

    \b
    Example:
        crosswire sources check --sources my-sources.toml
        crosswire sources list --json
        crosswire sources add https://www.example-news.org/ --into my-sources.toml
    """


@sources.command("list")
@sources_option
@json_option
@user_errors
def list_command(sources_path: Path | None, as_json: bool) -> None:
    """List every outlet in the sources file with its country, language, tags, routes (feeds, sitemaps, listing
    pages) and the date they were last checked; why a disabled one is disabled.

    \b
    Example:
        crosswire sources list
        crosswire sources list --sources my-sources.toml --json
    """
    path = resolve_sources(sources_path)
    items = load_sources(path)
    if as_json:
        echo_json([s.as_dict() for s in items])
        return
    notes = [f"{s.name} is disabled: {terminal_safe(s.note or 'no reason given')}" for s in items if not s.enabled]
    console = Console(highlight=False)
    if console.is_terminal:
        console.print(sources_table(items, fancy=True, caption=terminal_safe(str(path))))
        for line in notes:
            console.print(line, markup=False)
        return
    # Piped: wide enough never to truncate, and no trailing padding for scripts to trip over.
    console = Console(highlight=False, width=_PIPE_WIDTH)
    with console.capture() as captured:
        console.print(sources_table(items, fancy=False))
    echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
    for line in notes:
        echo(line)


@sources.command("check")
@sources_option
@user_errors
def check_command(sources_path: Path | None) -> None:
    """Validate the sources file; print a one-line summary, or the first problem and exit 1.

    \b
    Example:
        crosswire sources check --sources my-sources.toml
    """
    items = load_sources(resolve_sources(sources_path))
    disabled = sum(1 for s in items if not s.enabled)
    counts = [(sum(len(s.feeds) for s in items), "feed"), (sum(len(s.sitemaps) for s in items), "sitemap"),
              (sum(len(s.listing) for s in items), "listing")]
    routes = ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts)
    echo(f"OK: {len(items)} sources" + (f" ({disabled} disabled)" if disabled else "") + f", {routes}")


def sources_table(items: list[Source], *, fancy: bool, caption: str | None = None) -> Table:
    """A rich Table of sources: boxed and styled for a terminal, plain aligned columns otherwise."""
    show_enabled = any(not s.enabled for s in items)
    table = Table(
        box=box.SIMPLE_HEAD if fancy else None,
        header_style="bold" if fancy else "",
        caption=caption if fancy else None,
        show_edge=False,
        pad_edge=False,
    )
    for header in ("name", "title", "country", "language", "tags"):
        # Names and codes must stay whole to be copyable; title and tags may wrap on a narrow terminal.
        table.add_column(header, no_wrap=header in ("name", "country", "language"))
    for header in ("feeds", "sitemaps", "listings"):
        table.add_column(header, justify="right")
    table.add_column("checked", no_wrap=True)
    if show_enabled:
        table.add_column("enabled")
    for s in items:
        row = [s.name, terminal_safe(s.title or ""), s.country or "", s.language or "", ", ".join(s.tags),
               str(len(s.feeds)), str(len(s.sitemaps)), str(len(s.listing)),
               s.checked.isoformat() if s.checked else "-"]
        if show_enabled:
            row.append("yes" if s.enabled else "no")
        table.add_row(*row, style="dim" if fancy and not s.enabled else None)
    return table


# `sources add` and `sources probe` live in their own modules (they go over HTTP); registered with the group.
from crosswire.cli.sources_add import add as _add  # noqa: E402
from crosswire.cli.sources_probe import probe as _probe  # noqa: E402

sources.add_command(_add)
sources.add_command(_probe)
