"""`crosswire searches add|list|remove`: saved searches, each exported as a feed by `export --static`."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import QueryCommand, archive, db_option, json_option, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.storage.saved import add_search, list_searches, remove_search


@click.group("searches")
@db_option
@click.pass_context
def searches(ctx: click.Context, db_path: Path | None) -> None:
    """Save, list and remove named searches (each becomes a feed in `crosswire export --static`).

    --db may be given to the group or to the command (`crosswire searches --db war.db list`).

    \b
    Example:
        crosswire searches add deir-ezzor '"deir ezzor" OR "dayr al-zawr"'
        crosswire searches --db war.db list
        crosswire searches remove deir-ezzor
    """
    ctx.obj = {"db_path": db_path}


def _db_path(db_path: Path | None) -> Path | None:
    """--db after the command wins over --db given to `crosswire searches`."""
    context = click.get_current_context()
    return db_path or (context.obj or {}).get("db_path")


@searches.command("add", cls=QueryCommand)
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@db_option
@user_errors
def add_command(name: str, query: tuple[str, ...], db_path: Path | None) -> None:
    """Save QUERY under NAME (replacing an existing search of that name).

    \b
    Example:
        crosswire searches add deir-ezzor '"deir ezzor" OR "дейр-эз-зор" OR "دير الزور"'
    """
    text = " ".join(query)
    new = add_search(archive(_db_path(db_path), write=True), name, text)
    echo(f"{'saved' if new else 'updated'} search {name}: {text}")


@searches.command("list")
@db_option
@json_option
@user_errors
def list_command(db_path: Path | None, as_json: bool) -> None:
    """List saved searches.

    \b
    Example:
        crosswire searches list --json
    """
    rows = list_searches(archive(_db_path(db_path)))
    if as_json:
        echo_json(rows)
        return
    width = max((len(r["name"]) for r in rows), default=0)
    for row in rows:
        echo(f"{row['name']:<{width}}  {row['query']}")


@searches.command("remove")
@click.argument("name")
@db_option
@user_errors
def remove_command(name: str, db_path: Path | None) -> None:
    """Delete the saved search NAME.

    \b
    Example:
        crosswire searches remove deir-ezzor
    """
    remove_search(archive(_db_path(db_path), write=True), name)
    echo(f"removed search {name}")
