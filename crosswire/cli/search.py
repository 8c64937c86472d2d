"""`crosswire search QUERY`: full-text search with filters, ranked or by date, with highlighted snippets."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from crosswire.cli.options import QueryCommand, archive, db_option, json_option, user_errors
from crosswire.cli.output import echo, echo_json, terminal_safe
from crosswire.storage.search import search as run_search

# Private-use markers survive the FTS snippet untouched and never occur in article text.
_START, _END = "\ue000", "\ue001"


@click.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--sort", type=click.Choice(["rank", "date"]), default="rank", show_default=True,
              help="Best match first (bm25, title weighted above text), or newest first.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Results per page.")
@click.option("--offset", type=click.IntRange(0, 10_000_000), default=0, show_default=True,
              help="Skip this many results.")
@click.option("--all-copies", is_flag=True, help="Show every copy of a syndicated article, not one per family.")
@json_option
@user_errors
def search(query: tuple[str, ...], db_path: Path | None, sort: str, limit: int, offset: int, all_copies: bool,
           as_json: bool) -> None:
    """Search the archive.

    QUERY: words (all must match), "exact phrases", a OR b, -excluded (or NOT excluded), prefix*, and filters
    source:NAME country:CC lang:xx tag:TAG since:DATE until:DATE (DATE is 2026-01-31, 2026-01, or 24h 7d 2w
    1m ago). The words may be given unquoted; one starting with '-' is a word to leave out, not an option.

    \b
    Example:
        crosswire search '"deir ezzor" strike* -drill since:2026-01-01 until:2026-01-31 country:RU'
        crosswire search 'shelling OR bombardment tag:wire' --sort date --limit 5 --json
        crosswire search -drill strike
    """
    text = " ".join(query)
    db = archive(db_path)
    marks = ("<mark>", "</mark>") if as_json else (_START, _END)
    hits = run_search(db, text, sort=sort, limit=limit, offset=offset, all_copies=all_copies, mark=marks)
    if as_json:
        echo_json([h.to_dict() for h in hits])
        return
    console = Console(highlight=False)
    if not hits:
        echo("no results", err=True)
        return
    for n, hit in enumerate(hits, offset + 1):
        meta = " · ".join(x for x in (hit.source, (hit.published or "")[:10], f"#{hit.id}") if x)
        copies = f" (+{hit.copies} {'copy' if hit.copies == 1 else 'copies'})" if hit.copies else ""
        snippet = " ".join(terminal_safe(hit.snippet).split())
        title, url = terminal_safe(hit.title or hit.url), terminal_safe(hit.url)
        if console.is_terminal:
            marked = escape(snippet).replace(_START, "[bold yellow]").replace(_END, "[/]")
            console.print(f"[bold]{n}. {escape(title)}[/]  [dim]{escape(terminal_safe(meta))}{copies}[/]")
            console.print(f"   {marked}")
            console.print(f"   [blue]{escape(url)}[/]\n")
        else:
            # Piped: plain lines, highlights as *word*, never wrapped, for scripts and grep.
            echo(f"{n}. {title}  [{meta}]{copies}")
            echo("   " + snippet.replace(_START, "*").replace(_END, "*"))
            echo(f"   {url}\n")
