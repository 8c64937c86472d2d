"""Opening a crosswire database (WAL, a busy timeout, migrations applied), and the one helper for
`IN (?, ?, …)` lists: SQLite caps the parameters of one statement, so long lists go in chunks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator, Sequence, TypeVar
from urllib.parse import quote

import sqlite_utils

from crosswire.core.errors import StorageError
from crosswire.storage.schema import migrate as run_migrations

T = TypeVar("T")
CHUNK = 500     # well under SQLite's parameter limit, and a statement of this size still plans quickly

# Long enough that a search or export waits out a crawl's commit rather than failing "database is locked".
BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 256 * 1024 * 1024


def open_db(path: str | Path | None = None, *, memory: bool = False, migrate: bool = True,
            readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated to the current schema."""
    try:
        if memory or path is None:
            db = sqlite_utils.Database(memory=True)
        elif readonly:
            db = sqlite_utils.Database(connect_readonly(path))
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False)
            db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Memory-mapped reads roughly halve full-text scans on a large archive; pages stay shared with the OS cache.
        db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        db.execute("PRAGMA foreign_keys = ON")
        if not memory and path is not None and not readonly:
            db.enable_wal()
            # NORMAL is durable across application crashes in WAL mode; only an OS crash can lose
            # the last transactions, never corrupt the file.
            db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: cannot open database: {exc}") from None
    if migrate and not readonly:
        try:
            run_migrations(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{path}: cannot migrate database: {exc}") from None
    return db


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to the database at `path`, even on a read-only file system.

    A WAL database needs its `-shm` file; where it cannot be created (a read-only file system or directory)
    nobody can be writing the file either, so it is opened as immutable: no locks, no shared memory."""
    uri = "file:" + quote(str(Path(path).resolve()))
    for params in ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(f"{uri}?{params}", uri=True, check_same_thread=False)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if "unable to open" not in str(exc) or "immutable" in params:
                raise
    raise AssertionError("unreachable: the immutable attempt returns or raises")


def marks(values: Sequence[object]) -> str:
    """`?, ?, …`: one placeholder per value, for an `IN (…)` list."""
    return ",".join("?" * len(values))


def in_chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[tuple[str, list[T]]]:
    """(placeholders, chunk) for consecutive chunks of `values`, so no statement exceeds SQLite's limit."""
    for start in range(0, len(values), size):
        chunk = list(values[start:start + size])
        yield marks(chunk), chunk
