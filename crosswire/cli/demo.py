"""`crosswire demo`: the whole flow offline, against fictional outlets served from this machine."""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path

import click

from crosswire.cli.options import resolve_db, user_errors
from crosswire.cli.output import echo
from crosswire.core.files import ensure_directory
from crosswire.core.sources import parse_sources
from crosswire.crawlers.run import run_crawl
from crosswire.demo import DemoWeb
from crosswire.storage.archive import check_archive, open_archive
from crosswire.storage.blindspots import story_languages
from crosswire.storage.overview import (
    article_count,
    latest_articles,
    stories_by_outlets,
)

# Fast settings: the demo's outlets are on this machine, so politeness delays only slow it down.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                 "DOWNLOAD_TIMEOUT": "5", "RETRY_TIMES": "0"}


def demo_ports(db_path: Path) -> int:
    """The first port of the block the demo serves its outlets on for this archive: always the same for one
    archive (so a second demo into it finds what the first stored), spread over 20000-39999 across archives."""
    return 20000 + zlib.crc32(str(db_path.resolve()).encode("utf-8")) % 20000


@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Crawl into this database [default: a fresh one in a temporary directory].")
@click.option("--limit", type=click.IntRange(1, 10_000), default=15, show_default=True,
              help="How many gathered articles to list.")
@user_errors
def demo(db_path: Path | None, limit: int) -> None:
    """Serve the bundled fictional outlets, crawl them, and show what was gathered — no network or sources needed.

    \b
    Example:
        crosswire demo --db demo.db
    """

    if db_path is None:
        db_path = Path(tempfile.mkdtemp(prefix="crosswire-demo-")) / "demo.db"
    resolve_db(db_path)         # error lines name it
    check_archive(db_path, create=True)
    ensure_directory(db_path.parent)
    # Feed outlets (every format, and one broken outlet), a sitemap-only and a listing-only outlet, and the
    # outlets that cover the same four events from different sides: see crosswire/demo/.
    with DemoWeb(port_base=demo_ports(db_path)) as web:
        sources = parse_sources(web.sources_toml(), "demo web")
        echo(f"Serving {len(web.outlets)} fictional outlets on 127.0.0.1: {', '.join(web.outlets)}")
        summary = run_crawl(db_path, sources, overrides=DEMO_SETTINGS, command="demo")
    echo(summary.line())
    db = open_archive(db_path)
    rows = latest_articles(db, limit)
    echo(f"\n{article_count(db)} articles in {db_path}; the latest {len(rows)}:")
    width = max((len(r["source"]) for r in rows), default=6)
    for row in rows:
        echo(f"  {row['day'] or '----------'}  {row['source']:<{width}}  {row['title']}")
    stories = stories_by_outlets(db, min_outlets=3, limit=5)
    if stories:
        echo("\nStories covered by several outlets:")
        languages = story_languages(db, [row["id"] for row in stories])
        for row in stories:
            codes = " ".join(languages.get(row["id"], []))
            echo(f"  story {row['id']:<4} {row['outlets']} outlets  {codes:<8}  {row['label']}")
    echo(f"\nNext: crosswire search --db {db_path} 'water OR hospital'"
               f"\n      crosswire compare --db {db_path} {stories[0]['id'] if stories else 1}"
               f"\n      crosswire stories --db {db_path} --blindspot russian-state"
               f"\n      crosswire serve --db {db_path}")
