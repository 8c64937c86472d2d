"""`crosswire searches add|list|remove`: saved searches, each exported as a feed by `export --static`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crosswire.cli.options import db_option, json_option, resolve_db, user_errors
from crosswire.storage.db import open_db
from crosswire.storage.saved import add_search, list_searches, remove_search


@click.group("searches")
def searches() -> None:
    """Save, list and remove named searches (each becomes a feed in `crosswire export --static`)."""


@searches.command("add")
@click.argument("name")
@click.argument("query")
@db_option
@user_errors
def add_command(name: str, query: str, db_path: Path | None) -> None:
    """Save QUERY under NAME (replacing an existing search of that name).

    \b
    Example:
        crosswire searches add deir-ezzor '"deir ezzor" OR "дейр-эз-зор" OR "دير الزور"'
    """
    new = add_search(open_db(resolve_db(db_path)), name, query)
    click.echo(f"{'saved' if new else 'updated'} search {name}: {query}")


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
    rows = list_searches(open_db(resolve_db(db_path)))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max((len(r["name"]) for r in rows), default=0)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['query']}")


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
    remove_search(open_db(resolve_db(db_path)), name)
    click.echo(f"removed search {name}")
