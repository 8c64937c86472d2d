"""`crosswire backup` and `crosswire vacuum`: keeping a long-lived database safe and compact."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import click

from crosswire.cli.options import db_option, resolve_db, user_errors
from crosswire.core.errors import CrosswireError, StorageError


def backup_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` with SQLite's online backup API; return the target's size in bytes.

    One step over all pages reads a single consistent snapshot; in WAL mode that never blocks a crawl
    that is writing, and the copy holds every transaction committed before the backup began.
    """
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source.absolute()}?mode=ro", uri=True)
    try:
        src.execute("PRAGMA busy_timeout = 30000")
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if result != "ok":
        tmp.unlink(missing_ok=True)
        raise StorageError(f"backup of {source} failed its integrity check: {result}")
    tmp.replace(target)     # a reader of `target` never sees a half-written copy
    return target.stat().st_size


def backup_target(path: Path, force: bool) -> Path:
    """The file to write: `path` itself, or a timestamped file inside it when it is a directory."""
    if path.is_dir():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return path / f"crosswire-{stamp}.db"
    if path.exists() and not force:
        raise CrosswireError(f"{path} exists; pass --force to overwrite it, or give a directory")
    return path


@click.command()
@db_option
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@user_errors
def backup(db_path: Path | None, path: Path, force: bool) -> None:
    """Copy the database to PATH (a file, or a directory for a timestamped file); safe while a crawl runs.

    Example:

        crosswire backup ~/backups/            # crosswire-20260301T120000Z.db
        crosswire backup war-copy.db --force
    """
    source = resolve_db(db_path)
    if not source.exists():
        raise StorageError(f"{source}: no database to back up")
    target = backup_target(path, force)
    size = backup_database(source, target)
    click.echo(f"backed up {source} to {target} ({size / 1e6:.1f} MB, integrity ok)")


@click.command()
@db_option
@user_errors
def vacuum(db_path: Path | None) -> None:
    """Rebuild the database file to reclaim free space and optimise the search index (not during a crawl).

    Example:

        crosswire vacuum --db war.db
    """
    from crosswire.core import exitcodes
    from crosswire.core.errors import LockedError
    from crosswire.storage.lock import CrawlLock
    from crosswire.storage.db import open_db

    path = resolve_db(db_path)
    if not path.exists():
        raise StorageError(f"{path}: no database to vacuum")
    before = path.stat().st_size
    # VACUUM needs the database to itself; holding the crawl lock keeps cron runs out meanwhile.
    lock = CrawlLock(path)
    try:
        lock.acquire()
    except LockedError as exc:
        click.echo(f"crosswire: {exc}", err=True)
        click.get_current_context().exit(exitcodes.LOCKED)
    try:
        db = open_db(path)
        try:
            if "articles_fts" in db.table_names():
                db.execute("insert into articles_fts(articles_fts) values ('optimize')")
            db.execute("VACUUM")
            db.execute("PRAGMA optimize")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    finally:
        lock.release()
    after = path.stat().st_size
    click.echo(f"vacuumed {path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
