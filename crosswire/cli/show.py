"""`crosswire show ARTICLE`: one article as a reading view in the terminal, or as JSON."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import click

from crosswire.cli.options import archive, db_option, json_option, user_errors
from crosswire.cli.output import bold, echo, echo_json
from crosswire.storage.articles import resolve_article
from crosswire.storage.search import get_article

MAX_WIDTH = 88   # long lines tire the eye; a reading view wraps at a book-like measure


def reading_view(record: dict[str, Any], width: int) -> str:
    """The article as plain text: title, outlet line, URL, family note, then wrapped paragraphs."""
    lines = [record.get("title") or "(untitled)", ""]
    meta = [record["outlet"] or "unknown outlet"]
    if record.get("published"):
        meta.append(record["published"].replace("T", " ").replace("+00:00", " UTC"))
    if record.get("authors"):
        meta.append("by " + ", ".join(record["authors"]))
    lines += [" · ".join(meta), record["url"]]
    family = record.get("family") or []
    if family:
        role = record.get("family_role") or "member"
        others = ", ".join(f"#{m['id']} ({m['source']})" for m in family)
        lines.append(f"{role} in a copy family with {others}")
    lines.append("")
    paragraphs = [p for p in (record.get("text") or record.get("lede") or "").split("\n\n") if p.strip()]
    for paragraph in paragraphs:
        lines += textwrap.wrap(" ".join(paragraph.split()), width=width, break_on_hyphens=False) + [""]
    return "\n".join(lines).rstrip() + "\n"


@click.command()
@click.argument("article")
@db_option
@click.option("--width", type=click.IntRange(20, 400), default=None,
              help=f"Wrap text at this many columns [default: terminal width, at most {MAX_WIDTH}].")
@json_option
@user_errors
def show(article: str, db_path: Path | None, width: int | None, as_json: bool) -> None:
    """Read one stored article. ARTICLE is its id (as search shows: #123 or 123) or any of its URLs.

    \b
    Example:
        crosswire show 123
        crosswire show https://example.org/news/2026/01/14/strike --json
    """
    db = archive(db_path)
    record = get_article(db, resolve_article(db, article))
    assert record is not None   # resolve_article found it a moment ago, and the archive is only appended to
    if as_json:
        echo_json(record)
        return
    width = width or min(shutil.get_terminal_size((MAX_WIDTH, 24)).columns, MAX_WIDTH)
    text = reading_view(record, width)
    title, _, rest = text.partition("\n")
    echo(bold(title), "\n", rest, nl=False)
