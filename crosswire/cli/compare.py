"""`crosswire compare STORY`: how each outlet covered one story."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crosswire.cli.options import db_option, json_option, resolve_db, user_errors
from crosswire.exports.report import story_report, to_html, to_text
from crosswire.storage.db import open_db


@click.command()
@db_option
@click.argument("story", type=int)
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a self-contained HTML report to this file.")
@json_option
@user_errors
def compare(db_path: Path | None, story: int, html_path: Path | None, as_json: bool) -> None:
    """Compare one story across outlets: timeline, headlines, copies, distinctive words, missing facts, names.

    STORY is a story id from `crosswire stories`.

    Example:

        crosswire compare 12 --html ariha.html
    """
    db = open_db(resolve_db(db_path))
    report = story_report(db, story)
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(to_html(report), encoding="utf-8")
        click.echo(f"wrote {html_path}", err=True)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else to_text(report))
