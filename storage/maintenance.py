"""Keeping a long-lived database safe and compact: online backups and VACUUM."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crosswire.core.errors import OutputError, StorageError
from crosswire.core.files import atomic_path
from crosswire.storage.archive import check_archive, damaged, open_archive, translate
from crosswire.storage.db import BUSY_TIMEOUT_MS, connect_readonly
from crosswire.storage.lock import CrawlLock


def backup_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` with SQLite's online backup API; return the target's size in bytes.

    One step over all pages reads a single consistent snapshot; in WAL mode that never blocks a crawl
    that is writing, and the copy holds every transaction committed before the backup began. A read-only
    archive can be backed up; a damaged one is refused, and `target` is only ever a whole, checked copy.
    """
    check_archive(source)
    with atomic_path(target) as tmp:
        try:
            src = connect_readonly(source)
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
        except sqlite3.DatabaseError as exc:
            if "full" in str(exc).lower():
                raise OutputError(f"cannot write {target}: no space left on the device") from None
            raise translate(exc, source) or StorageError(f"backup of {source} failed: {exc}") from None
        if result != "ok":
            raise damaged(source, f"the copy failed its integrity check: {result}")
    return target.stat().st_size


def vacuum(path: Path) -> tuple[int, int]:
    """Rebuild the database file and optimise its search index; (bytes before, bytes after).

    VACUUM needs the database to itself: holding the crawl lock keeps cron runs out meanwhile (LockedError
    when a crawl is running)."""
    check_archive(path, write=True)       # before the lock: no .lock beside a file that is not an archive
    before = path.stat().st_size
    with CrawlLock(path):
        db = open_archive(path, write=True)
        try:
            if "articles_fts" in db.table_names():
                db.execute("insert into articles_fts(articles_fts) values ('optimize')")
            db.execute("VACUUM")
            db.execute("PRAGMA optimize")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise translate(exc, path) or StorageError(f"vacuum of {path} failed: {exc}") from None
        finally:
            db.close()
    return before, path.stat().st_size
