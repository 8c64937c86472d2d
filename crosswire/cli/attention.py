"""`crosswire attention QUERY`: how much each outlet or group covered a topic over time."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crosswire.cli.options import db_option, json_option, resolve_db, user_errors
from crosswire.exports.charts import chart
from crosswire.storage.attention import Cell
from crosswire.storage.attention import attention as attention_cells
from crosswire.storage.db import open_db


@click.command()
@db_option
@click.argument("query")
@click.option("--by", type=click.Choice(["source", "country", "tag"]), default="source", show_default=True,
              help="Group articles by outlet, by the outlet's country, or by its perspective tags.")
@click.option("--interval", type=click.Choice(["day", "week"]), default="day", show_default=True)
@click.option("--since", metavar="DATE", default=None, help="Only articles on or after this date.")
@click.option("--until", metavar="DATE", default=None, help="Only articles before this date.")
@click.option("--chart", "chart_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Draw the shares over time to this .png or .svg file.")
@json_option
@user_errors
def attention(db_path: Path | None, query: str, by: str, interval: str, since: str | None, until: str | None,
              chart_path: Path | None, as_json: bool) -> None:
    """Share of each group's articles matching QUERY, per day or week (normalised by the group's output).

    Example:

        crosswire attention "Zaporizhzhia OR Запорожье" --by tag --interval week --chart zaporizhzhia.png
    """
    db = open_db(resolve_db(db_path))
    cells = attention_cells(db, query, by=by, interval=interval, since=since, until=until)
    if chart_path is not None:
        chart(cells, chart_path, title=f"{query} — share of articles by {by}, per {interval}")
        click.echo(f"wrote {chart_path}", err=True)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in cells], ensure_ascii=False, indent=2))
    else:
        click.echo(table(cells) if cells else "no articles in that range")


def table(cells: list[Cell]) -> str:
    """A plain-text table, period by group, showing matches/total and the share."""
    lines = [f"{'period':<10}  {'group':<24} {'matches':>7} {'total':>6} {'share':>7}"]
    for cell in cells:
        lines.append(f"{cell.period:<10}  {cell.group:<24} {cell.matches:>7} {cell.total:>6} {cell.share:>7.1%}")
    return "\n".join(lines)
