"""Every exception crosswire raises on purpose.

    CrosswireError                 base: a user-facing problem, shown as one line by the CLI
    ├── SourcesError               the sources file is missing, unreadable or invalid
    ├── ExtractionError            a page could not be turned into an Article (kind "extract")
    │   └── NotHtmlError           the page is not HTML at all: a PDF, an image, binary data (kind "not-html")
    ├── StorageError               the database cannot be opened or migrated
    ├── QueryError                 a search query or filter is malformed
    ├── ExportError                an export was asked for in a way that cannot be done
    └── LockedError                another crawl holds the lock

The CLI turns each into `click.ClickException` (one line, non-zero exit); anything else is a bug.
"""

from __future__ import annotations


class CrosswireError(Exception):
    """Base of every deliberate crosswire error."""


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


class QueryError(CrosswireError):
    """A search query or filter is malformed."""


class ExportError(CrosswireError):
    """An export cannot be produced as asked."""


class LockedError(CrosswireError):
    """Another crawl is running against the same database."""
