"""`crosswire export`: re-publish stored articles as feeds (Atom, RSS, JSON Feed) or data (JSONL, CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, TextIO

import click
import sqlite_utils

from crosswire.cli.options import archive, current_db, db_option, output_option, output_path, user_errors
from crosswire.cli.output import echo, echo_data
from crosswire.core.errors import CrosswireError, ExportError
from crosswire.core.files import atomic_output, write_file
from crosswire.exports.data import DATA_FORMATS, data_records, write_csv, write_jsonl
from crosswire.exports.formats import FORMATS
from crosswire.exports.selection import (
    FEED_ITEMS,
    by_query,
    by_saved_search,
    by_source,
    feed,
    latest,
)
from crosswire.exports.static import write_static
from crosswire.storage.archive import translate

# File suffix of each format, for `-o DIR/`.
SUFFIXES = {**{name: f.suffix for name, f in FORMATS.items()}, "jsonl": ".jsonl", "csv": ".csv"}


class _Echo:
    """A write()-able stdout that goes through click (right encoding, captured by CliRunner, cleaned on a tty)."""

    def write(self, text: str) -> int:
        echo_data(text)
        return len(text)


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice([*FORMATS, *DATA_FORMATS]), default="jsonl",
              show_default=True, help="Output format.")
@click.option("--query", "query", default=None, help="Only articles matching this search query.")
@click.option("--search", "search_name", default=None, help="Only articles matching this saved search.")
@click.option("--source", "source", default=None, help="Only articles from this source.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help=f"At most this many articles, newest first [default: {FEED_ITEMS} for feeds, all for data].")
@click.option("--all-copies", is_flag=True, help="Feeds: keep every copy of a syndicated article (data always does).")
@click.option("--feed-url", default=None, help="The URL the feed will be served at (its rel=self link).")
@click.option("--static", "static_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write DIR/searches/NAME.{atom,rss,json} per saved search, DIR/sources/NAME.* per source, "
                   "and DIR/index.html.")
@click.option("--base-url", default=None, help="With --static: the URL the directory is served at.")
@output_option("-o", "--output",
               help="Write to this file instead of standard output; into a directory (created if needed) when it "
                    "ends in / or is one, as NAME.FORMAT after the search or source, else articles.FORMAT.")
@user_errors
def export(db_path: Path | None, fmt: str, query: str | None, search_name: str | None, source: str | None,
           limit: int | None, all_copies: bool, feed_url: str | None, static_dir: Path | None,
           base_url: str | None, output: str | None) -> None:
    """Export stored articles as a feed or a data file, or write the static feed tree.

    Data formats (jsonl, csv) hold every matching article, copies included, oldest id first without a
    selection; feeds hold the newest articles with copy families collapsed.

    \b
    Example:
        crosswire export --format jsonl -o articles.jsonl
        crosswire export --format atom --search deir-ezzor -o deir-ezzor.atom
        crosswire export --format csv --query 'lang:ru since:7d' -o week-ru.csv
        crosswire export --format atom --source levant-ledger -o feeds/
        crosswire export --static /var/www/feeds --base-url https://example.org/feeds
    """
    db = archive(db_path)
    chosen = [flag for flag, value in (("--query", query), ("--search", search_name), ("--source", source)) if value]
    if len(chosen) > 1:
        raise ExportError(f"choose one of --query, --search, --source (got {' and '.join(chosen)})")
    if static_dir is not None:
        if chosen or output is not None:
            raise ExportError("--static writes every saved search and source; it takes no selection or -o")
        _write_static(db, static_dir, limit or FEED_ITEMS, base_url, all_copies)
        return
    if query is not None:
        selection = by_query(query)
    elif search_name is not None:
        selection = by_saved_search(db, search_name)
    elif source is not None:
        selection = by_source(db, source)
    else:
        selection = None
    target = output_path(output, f"{search_name or source or 'articles'}{SUFFIXES[fmt]}") if output else None
    if fmt in DATA_FORMATS:
        writer = write_jsonl if fmt == "jsonl" else write_csv
        rows = data_records(db, selection, limit)
        _write(target, fmt, lambda out: writer(rows, out))
        return
    self_url = feed_url or (target.resolve().as_uri() if target else (selection or latest()).feed_id)
    body = feed(db, selection or latest(), fmt, self_url=self_url, limit=limit or FEED_ITEMS, all_copies=all_copies)
    _write(target, fmt, body)


def _write(output: Path | None, fmt: str, data: bytes | Callable[[TextIO], int]) -> None:
    """Write a feed's bytes or stream data records to `output` (whole or not at all), or to standard output."""
    if output is None:
        if isinstance(data, bytes):
            echo_data(data)
            return
        try:
            data(_Echo())  # type: ignore[arg-type]
        except Exception as exc:
            # Records already printed cannot be taken back: say that the output above stops short.
            meant = exc if isinstance(exc, CrosswireError) else translate(exc, current_db())
            if meant is None:
                raise
            raise type(meant)(f"{meant} (the export above is incomplete)") from None
        return
    if isinstance(data, bytes):
        write_file(output, data)
    else:
        with atomic_output(output) as fh:  # streamed: a full dump never sits in memory; renamed once whole
            data(fh)
    echo(f"wrote {output} ({fmt})", err=True)


def _write_static(db: sqlite_utils.Database, directory: Path, limit: int, base_url: str | None, all_copies: bool) -> None:
    """Write the static tree and say what was written."""
    feeds = write_static(db, directory, limit=limit, base_url=base_url, all_copies=all_copies)
    searches = sum(f.kind == "searches" for f in feeds)
    echo(f"wrote {len(feeds)} feeds ({searches} saved searches, {len(feeds) - searches} sources) "
               f"in 3 formats to {directory}", err=True)
