"""One crawl per database at a time: an advisory `flock` on `<db>.lock`, beside the database's real file.

The lock is named after the resolved path, so the same archive reached through a symlink (or `..`, or a
relative path) is the same lock. The kernel drops a flock when the holding process exits for any reason
(kill -9 and power loss included), so a crashed crawl never leaves a stale lock behind and nobody has to
delete a file by hand.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from crosswire.core.errors import LockedError
from crosswire.core.files import cannot_write, ensure_directory


def lock_path(db_path: str | Path) -> Path:
    """The lock file that guards the database at `db_path`: beside the file the path resolves to."""
    return Path(str(Path(db_path).resolve()) + ".lock")


class CrawlLock:
    """A non-blocking exclusive lock on `<db>.lock`; `acquire()` raises LockedError when another run holds it."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> "CrawlLock":
        """Take the lock now or raise LockedError naming the holder's pid; never waits."""
        ensure_directory(self.path.parent)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockedError(f"another crawl (pid {holder}) is running on this database "
                              f"(lock {self.path}); exiting") from None
        # The pid is only informative (shown to the second run); the flock itself is the lock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Drop the lock (the file stays; removing it would race with a waiting run)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def __enter__(self) -> "CrawlLock":
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
