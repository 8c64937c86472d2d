"""`crosswire compare STORY`: how each outlet covered one story."""

from __future__ import annotations

from pathlib import Path

import click

from crosswire.cli.options import ROW_ID, archive, db_option, json_option, output_option, output_path, user_errors
from crosswire.cli.output import echo, echo_json
from crosswire.core.files import write_file
from crosswire.exports.report import story_report, to_html, to_text


@click.command()
@db_option
@click.argument("story", type=ROW_ID)
@output_option("--html", "html_path",
               help="Also write a self-contained HTML report to this file (into it, as story-ID.html, when it is "
                    "a directory or ends in /).")
@json_option
@user_errors
def compare(db_path: Path | None, story: int, html_path: str | None, as_json: bool) -> None:
    """Compare one story across outlets: timeline, headlines, copies, distinctive words, missing facts, names.

    STORY is a story id from `crosswire stories`.

    \b
    Example:
        crosswire compare 12 --html ariha.html
        crosswire compare 12 --html reports/
    """
    db = archive(db_path)
    report = story_report(db, story)
    if html_path is not None:
        target = write_file(output_path(html_path, f"story-{story}.html"), to_html(report).encode("utf-8"))
        echo(f"wrote {target}", err=True)
    if as_json:
        echo_json(report)
    else:
        echo(to_text(report))
