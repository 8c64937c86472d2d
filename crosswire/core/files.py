"""Writing output files whole or not at all: every file crosswire writes goes through here.

A file is written to `<name>.part` beside its target and renamed into place only once complete, so a reader
never sees half a file; on any failure the `.part` is removed and the target is left as it was. A path that
cannot be written (permissions, a read-only file system, a file where a directory should be, a full disk)
becomes one OutputError line naming the path and the reason.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from crosswire.core.errors import OutputError

PART = ".part"

# Reasons worded for a person; the rest use the system's own message.
_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted (an immutable file or directory?)",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EISDIR: "it is a directory",
    errno.ENAMETOOLONG: "the name is too long",
}


def reason(exc: OSError) -> str:
    """A short human reason for an OSError."""
    return _REASONS.get(exc.errno or 0, (exc.strerror or str(exc)).lower())


def cannot_write(path: Path | str, exc: OSError) -> OutputError:
    """The one-line error for a path that cannot be written."""
    return OutputError(f"cannot write {path}: {reason(exc)}")


def part_path(path: Path) -> Path:
    """The temporary file a write of `path` goes to first."""
    return path.with_name(path.name + PART)


def ensure_directory(directory: Path) -> Path:
    """Create `directory` (and its parents) if needed; OutputError when it cannot be."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write into {directory}: it is a file, not a directory") from None
    except OSError as exc:
        raise cannot_write(directory, exc) from None
    return directory


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield the `.part` path to fill; on success it replaces `path`, on any failure it is removed."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    ensure_directory(path.parent)
    tmp = part_path(path)
    try:
        try:
            yield tmp
            os.replace(tmp, path)
        except OSError as exc:
            raise cannot_write(path, exc) from None
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass    # the directory itself refuses writes: nothing was created there
        raise


@contextmanager
def atomic_output(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """An open file that becomes `path` only when the `with` block ends without an error."""
    with atomic_path(path) as tmp:
        try:
            handle = open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise cannot_write(path, exc) from None
        with handle:
            yield handle


def write_file(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole, or raise OutputError and leave `path` untouched."""
    with atomic_output(path, binary=True) as handle:
        handle.write(data)
    return path


def check_appendable(path: Path) -> Path:
    """Make sure `path` can be appended to (a log file): its directory exists and it opens; OutputError if not."""
    ensure_directory(path.parent)
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise cannot_write(path, exc) from None
    return path
