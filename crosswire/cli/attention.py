"""`crosswire attention QUERY`: how much each outlet or group covered a topic over time."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import (
    QueryCommand,
    archive,
    date_value,
    db_option,
    json_option,
    output_option,
    output_path,
    user_errors,
)
from crosswire.cli.output import echo, echo_json
from crosswire.exports.charts import chart
from crosswire.storage.attention import Cell
from crosswire.storage.attention import attention as attention_cells


@click.command(cls=QueryCommand)
@db_option
@click.argument("query", nargs=-1, required=True)
@click.option("--by", type=click.Choice(["source", "country", "tag"]), default="source", show_default=True,
              help="Group articles by outlet, by the outlet's country, or by its perspective tags.")
@click.option("--interval", type=click.Choice(["day", "week"]), default="day", show_default=True,
              help="Count per calendar day, or per week (weeks start on Monday).")
@click.option("--since", metavar="DATE", default=None,
              help="Only articles on or after this date (2026-01-31, 2026-01, or 7d, 2w … ago).")
@click.option("--until", metavar="DATE", default=None, help="Only articles before this date (as --since).")
@output_option("--chart", "chart_path",
               help="Draw the shares over time to this .png or .svg file (attention.png inside it when it is a "
                    "directory or ends in /).")
@json_option
@user_errors
def attention(db_path: Path | None, query: tuple[str, ...], by: str, interval: str, since: str | None,
              until: str | None, chart_path: str | None, as_json: bool) -> None:
    """Share of each group's articles matching QUERY, per day or week (normalised by the group's output).

    \b
    Example:
        crosswire attention "Zaporizhzhia OR Запорожье" --by tag --interval week --chart zaporizhzhia.png
    """
    text = " ".join(query)
    start, stop = date_value(since, "--since"), date_value(until, "--until")
    db = archive(db_path)
    cells = attention_cells(db, text, by=by, interval=interval, since=start, until=stop)
    if chart_path is not None:
        target = chart(cells, output_path(chart_path, "attention.png"),
                       title=f"{text} — share of articles by {by}, per {interval}")
        echo(f"wrote {target}", err=True)
    if as_json:
        echo_json([c.to_dict() for c in cells])
    else:
        echo(table(cells) if cells else "no articles in that range")


def table(cells: list[Cell]) -> str:
    """A plain-text table, period by group, showing matches/total and the share."""
    lines = [f"{'period':<10}  {'group':<24} {'matches':>7} {'total':>6} {'share':>7}"]
    for cell in cells:
        lines.append(f"{cell.period:<10}  {cell.group:<24} {cell.matches:>7} {cell.total:>6} {cell.share:>7.1%}")
    return "\n".join(lines)
