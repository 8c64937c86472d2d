"""Keeping a long-lived database safe and compact: online backups and VACUUM."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crosswire.core.errors import StorageError
from crosswire.storage.db import BUSY_TIMEOUT_MS, open_db
from crosswire.storage.lock import CrawlLock


def backup_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` with SQLite's online backup API; return the target's size in bytes.

    One step over all pages reads a single consistent snapshot; in WAL mode that never blocks a crawl
    that is writing, and the copy holds every transaction committed before the backup began.
    """
    if not source.exists():
        raise StorageError(f"{source}: no database to back up")
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source.absolute()}?mode=ro", uri=True)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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


def vacuum(path: Path) -> tuple[int, int]:
    """Rebuild the database file and optimise its search index; (bytes before, bytes after).

    VACUUM needs the database to itself: holding the crawl lock keeps cron runs out meanwhile (LockedError
    when a crawl is running)."""
    if not path.exists():
        raise StorageError(f"{path}: no database to vacuum")
    before = path.stat().st_size
    with CrawlLock(path):
        db = open_db(path)
        try:
            if "articles_fts" in db.table_names():
                db.execute("insert into articles_fts(articles_fts) values ('optimize')")
            db.execute("VACUUM")
            db.execute("PRAGMA optimize")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    return before, path.stat().st_size
