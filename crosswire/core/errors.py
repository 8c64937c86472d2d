"""Every exception crosswire raises on purpose, each with the exit code the CLI ends with.

    CrosswireError                 base: a user-facing problem, shown as one line by the CLI (exit 1)
    ├── SourcesError               the sources file is missing, unreadable or invalid
    ├── ExtractionError            a page could not be turned into an Article (kind "extract")
    │   └── NotHtmlError           the page is not HTML at all: a PDF, an image, binary data (kind "not-html")
    ├── StorageError               the database cannot be opened or migrated
    │   ├── NoArchiveError         no archive at that path, and this command does not create one (exit 66)
    │   ├── DamagedArchiveError    the file is damaged or is not a crosswire archive (exit 65)
    │   └── ReadOnlyArchiveError   the archive cannot be written, and this command must write it (exit 73)
    ├── OutputError                an output file or directory cannot be written (exit 73)
    ├── UsageError                 a malformed option value, e.g. `-s DOWNLOAD_DELAY=abc` (exit 2)
    ├── QueryError                 a search query or filter is malformed
    ├── ExportError                an export was asked for in a way that cannot be done
    └── LockedError                another crawl holds the lock (exit 75)

The CLI turns each into one line on stderr and exits with its `exit_code`; anything else is a bug.
"""

from __future__ import annotations

from crosswire.core import exitcodes


class CrosswireError(Exception):
    """Base of every deliberate crosswire error."""

    exit_code = exitcodes.ERROR


class SourcesError(CrosswireError):
    """The sources file is missing, unreadable or fails validation."""


class ExtractionError(CrosswireError):
    """A page could not be turned into an Article."""

    kind = "extract"    # the errors table's kind for this failure


class NotHtmlError(ExtractionError):
    """The fetched bytes are not an HTML page (a PDF, an image, binary data, a declared non-HTML type)."""

    kind = "not-html"


class StorageError(CrosswireError):
    """The database cannot be opened or migrated."""


class NoArchiveError(StorageError):
    """There is no archive at the path given, and the command only reads one."""

    exit_code = exitcodes.NO_ARCHIVE


class DamagedArchiveError(StorageError):
    """The archive is damaged (SQLite says malformed), or the file is not a crosswire archive at all."""

    exit_code = exitcodes.DAMAGED


class ReadOnlyArchiveError(StorageError):
    """The archive is read-only (a read-only file system, an immutable file) and the command must write it."""

    exit_code = exitcodes.CANT_WRITE


class OutputError(CrosswireError):
    """An output file or its directory cannot be written; nothing half-written is left behind."""

    exit_code = exitcodes.CANT_WRITE


class UsageError(CrosswireError):
    """An option's value is malformed (the command line is wrong, as click's own usage errors)."""

    exit_code = exitcodes.USAGE


class QueryError(CrosswireError):
    """A search query or filter is malformed."""


class ExportError(CrosswireError):
    """An export cannot be produced as asked."""


class LockedError(CrosswireError):
    """Another crawl is running against the same database."""

    exit_code = exitcodes.LOCKED
