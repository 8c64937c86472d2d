"""`crosswire demo`: the whole flow offline, against fictional outlets served from this machine."""

from __future__ import annotations

import signal
import tempfile
import threading
import zlib
from pathlib import Path

import click

from crosswire.cli.options import resolve_db, user_errors
from crosswire.cli.output import echo
from crosswire.core.files import atomic_output, ensure_directory
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
    """The first port of the block the demo serves its outlets on for an archive of this file name: always the
    same for one archive (so a second demo into it finds what the first stored, and the README's links work
    after `crosswire demo --db demo.db --serve`), spread over 20000-39999 across names."""
    return 20000 + zlib.crc32(db_path.name.encode("utf-8")) % 20000


@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Crawl into this database [default: a fresh one in a temporary directory].")
@click.option("--limit", type=click.IntRange(1, 10_000), default=15, show_default=True,
              help="How many gathered articles to list.")
@click.option("--serve", is_flag=True,
              help="Keep the outlets up after the crawl, until Ctrl-C, and write their sources file "
                   "(demo-sources.toml beside the archive): to try crawl, extract and sources add offline.")
@user_errors
def demo(db_path: Path | None, limit: int, serve: bool) -> None:
    """Serve the bundled fictional outlets, crawl them, and show what was gathered — no network or sources needed.

    \b
    Example:
        crosswire demo --db demo.db
        crosswire demo --db demo.db --serve     # then, in another terminal:
        crosswire crawl --db war.db --sources demo-sources.toml
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
        show(db_path, limit)
        if serve:
            serve_until_stopped(web, db_path.parent / "demo-sources.toml")


def show(db_path: Path, limit: int) -> None:
    """What the crawl gathered: the latest articles, the stories several outlets covered, and what to try next."""
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


def serve_until_stopped(web: DemoWeb, sources_path: Path) -> None:
    """Write the outlets' sources file and keep serving them until Ctrl-C or SIGTERM."""
    with atomic_output(sources_path) as out:
        out.write(web.sources_toml())
    stop = threading.Event()
    # SIGTERM (a service manager, `kill`) ends the wait as Ctrl-C does: the servers close, the exit is clean.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    echo(f"\nThe outlets stay up until Ctrl-C; their sources file is {sources_path}:"
         f"\n      crosswire crawl --db war.db --sources {sources_path}")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
