"""Opening the archive a user named: refusing a missing one (only a crawl creates it), a file that is not a
crosswire archive, and damage, each in one line; reading a read-only archive; and turning SQLite's own
errors about damage and read-only files into those lines wherever they surface later.

    open_archive(path)                 an existing archive, read-only when the file cannot be written
    open_archive(path, create=True)    the archive a crawl writes, created when missing
    open_archive(path, write=True)     an existing archive a command changes (vacuum, saved searches)
    check_archive(path, create=...)    the same checks without keeping a connection (before taking the lock)
    translate(exc, path)               SQLite's "malformed" / "readonly database" as crosswire's errors
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from crosswire.core.errors import (
    CrosswireError,
    DamagedArchiveError,
    NoArchiveError,
    ReadOnlyArchiveError,
    StorageError,
)
from crosswire.core.files import ensure_directory
from crosswire.storage.db import connect_readonly, open_db
from crosswire.storage.schema import MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
# What SQLite says when the file's pages do not hold what they should.
_DAMAGE = ("malformed", "file is not a database", "could not decode", "corrupt")
_READ_ONLY = ("readonly database", "read-only database")


def damaged(path: str | Path, detail: str) -> DamagedArchiveError:
    """The one line for a damaged archive: what SQLite said and how to get the articles back."""
    return DamagedArchiveError(
        f"{path}: the archive is damaged ({detail}); restore a copy made by `crosswire backup`, or save what is "
        f"readable with: sqlite3 {path} .recover | sqlite3 recovered.db")


def read_only(path: str | Path) -> ReadOnlyArchiveError:
    """The one line for a command that must change a read-only archive."""
    return ReadOnlyArchiveError(
        f"{path}: the archive is read-only (a read-only file system, an immutable file or no write permission) "
        f"and this command changes it; search, show, export and serve still work, or copy it with "
        f"`crosswire backup` and use the copy")


def translate(exc: BaseException, path: str | Path | None) -> CrosswireError | None:
    """The crosswire error an SQLite error means (damage, a read-only file), or None for anything else."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    message = str(exc)
    where = path or "the archive"
    if any(marker in message.lower() for marker in _DAMAGE):
        return damaged(where, message)
    if any(marker in message.lower() for marker in _READ_ONLY):
        return read_only(where)
    return None


def is_writable(path: Path) -> bool:
    """Whether SQLite can write the archive: the file and its directory (for the -wal and -shm files)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def check_archive(path: str | Path, *, create: bool = False, write: bool = False) -> None:
    """Raise the one-line error that opening `path` this way would meet; create nothing."""
    path = Path(path)
    if not path.exists():
        if create:
            return
        raise NoArchiveError(f"{path}: no archive there (check --db or $CROSSWIRE_DB); only `crosswire crawl` "
                             f"and `crosswire demo` create one")
    if path.is_dir():
        raise DamagedArchiveError(f"{path}: a directory, not a crosswire archive")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise NoArchiveError(f"{path}: cannot read the archive: {exc.strerror or exc}") from None
    if not header and create:
        return      # an empty file: SQLite makes it a database
    if header != SQLITE_HEADER:
        raise DamagedArchiveError(f"{path}: not a crosswire archive (not an SQLite database, or its first page "
                                  f"is damaged)")
    if header:
        _check_tables(path, create=create)
    if (create or write) and not is_writable(path):
        raise read_only(path)


def _check_tables(path: Path, *, create: bool) -> None:
    """Refuse an SQLite file that belongs to something else (it would gain crosswire's tables)."""
    try:
        probe = connect_readonly(path)
        try:
            tables = {name for (name,) in probe.execute("select name from sqlite_master where type = 'table'")}
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) or StorageError(f"{path}: cannot open the archive: {exc}") from None
    if "migrations" in tables:
        return
    if tables:
        raise DamagedArchiveError(f"{path}: not a crosswire archive (an SQLite database with other tables)")
    if not create:
        raise NoArchiveError(f"{path}: an empty database, not yet a crosswire archive; `crosswire crawl` fills it")


def open_archive(path: str | Path, *, create: bool = False, write: bool = False) -> sqlite_utils.Database:
    """Open the archive at `path` after check_archive; read-only when the file cannot be written (and the
    command only reads), else migrated to the current schema. Every failure is one crosswire error line."""
    path = Path(path)
    check_archive(path, create=create, write=write)
    if not path.exists():
        ensure_directory(path.parent)
    readonly = path.exists() and not is_writable(path)
    try:
        return _open_checked(path, readonly=readonly)
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) or StorageError(f"{path}: cannot open the archive: {exc}") from None
    except StorageError as exc:
        # open_db words its own errors; damage or a read-only file underneath gets the line that says so.
        meant = translate(exc.__context__, path) if type(exc) is StorageError and exc.__context__ else None
        if meant is None:
            raise
        raise meant from None


def _open_checked(path: Path, *, readonly: bool) -> sqlite_utils.Database:
    """Open a checked archive: read-only as it is, or writable and migrated."""
    if readonly:
        db = open_db(path, readonly=True)
        applied = {row[0] for row in db.execute("select name from migrations")}
        if any(name not in applied for name, _ in MIGRATIONS):
            db.close()
            raise ReadOnlyArchiveError(f"{path}: the archive was written by an older crosswire and must be "
                                       f"upgraded, but it is read-only; open it once where it can be written")
        return db
    return open_db(path)
