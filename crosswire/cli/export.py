"""`crosswire export`: write the stored articles out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crosswire.cli.options import db_option, resolve_db, user_errors


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@user_errors
def export(db_path: Path | None, fmt: str, output: Path | None) -> None:
    """Export stored articles.

    Example:

        crosswire export --format jsonl -o articles.jsonl
    """
    from storage.db import open_db
    from storage.export import iter_articles, write_jsonl

    db = open_db(resolve_db(db_path))
    if output is None:
        write_jsonl(iter_articles(db), sys.stdout)
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        count = write_jsonl(iter_articles(db), fh)
    tmp.replace(output)  # never leave a half-written export where a reader expects a whole one
    click.echo(f"wrote {count} articles to {output}", err=True)
