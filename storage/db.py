"""Opening a crosswire database (WAL, a busy timeout, migrations applied), and the one helper for
`IN (?, ?, …)` lists: SQLite caps the parameters of one statement, so long lists go in chunks.
"""

from __future__ import annotations

import contextlib
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
            readonly: bool = False, busy_timeout: float | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated to the current schema;
    `busy_timeout` (seconds) is how long a write waits for another writer's lock."""
    try:
        if memory or path is None:
            db = sqlite_utils.Database(memory=True)
        elif readonly:
            db = sqlite_utils.Database(connect_readonly(path))
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: a statement outside an explicit transaction commits at once, so no stray implicit
            # transaction holds the write lock while a crawl fetches; transactions are `writing(db)` blocks.
            conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            db = sqlite_utils.Database(conn)
        wait_ms = BUSY_TIMEOUT_MS if busy_timeout is None else int(busy_timeout * 1000)
        db.execute(f"PRAGMA busy_timeout = {wait_ms}")
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
        conn = sqlite3.connect(f"{uri}?{params}", uri=True, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if "unable to open" not in str(exc) or "immutable" in params:
                raise
    raise AssertionError("unreachable: the immutable attempt returns or raises")


@contextlib.contextmanager
def writing(db: sqlite_utils.Database, attempts: int = 3) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes SQLite's write lock before it reads (BEGIN IMMEDIATE).

    A deferred transaction that reads first and then writes fails at once with "database is locked" when
    another writer committed in between, without waiting: SQLite cannot wait for a snapshot to become
    current. Taking the lock first makes the busy timeout apply; a lock still held after it is retried
    `attempts` times before the error goes to the caller. Inside a transaction, a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    begin_immediate(db, attempts)
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def begin_immediate(db: sqlite_utils.Database, attempts: int = 3) -> None:
    """BEGIN IMMEDIATE: take the write lock now, waiting the busy timeout, `attempts` times while it is held."""
    for attempt in range(1, attempts + 1):
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if attempt == attempts or not is_locked(exc):
                raise


def commit(db: sqlite_utils.Database) -> None:
    """COMMIT the transaction `begin_immediate` opened."""
    db.execute("COMMIT")


def rollback(db: sqlite_utils.Database) -> None:
    """ROLLBACK the open transaction, if SQLite has not already rolled it back itself."""
    if db.conn.in_transaction:
        db.execute("ROLLBACK")


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None   # extended codes keep the primary in the low byte


def is_locked(exc: BaseException) -> bool:
    """Whether an SQLite error means another connection holds the lock (worth waiting and retrying)."""
    return _primary_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def is_full(exc: BaseException) -> bool:
    """Whether an SQLite error means the disk (or the database's size limit) is full."""
    return _primary_code(exc) == sqlite3.SQLITE_FULL


def marks(values: Sequence[object]) -> str:
    """`?, ?, …`: one placeholder per value, for an `IN (…)` list."""
    return ",".join("?" * len(values))


def in_chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[tuple[str, list[T]]]:
    """(placeholders, chunk) for consecutive chunks of `values`, so no statement exceeds SQLite's limit."""
    for start in range(0, len(values), size):
        chunk = list(values[start:start + size])
        yield marks(chunk), chunk
