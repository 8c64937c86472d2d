"""What spiders hand to the pipelines: a fetched page and what we knew about it before fetching."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched article page, before extraction; `article` is filled in by the extraction pipeline."""

    url: str                              # final URL after redirects
    body: bytes
    source: str
    content_type: str | None = None
    requested_url: str | None = None      # the URL the feed gave, before redirects
    feed_id: int | None = None
    guid: str | None = None
    entry: dict[str, Any] | None = None   # FeedEntry.to_dict() of the entry that led here
    article: dict[str, Any] | None = field(default=None)
    refetch: bool = False                 # a stored article fetched again to look for edits (a revision)

    def __repr__(self) -> str:
        # Logs name the page, never dump its body (which may be megabytes of binary).
        return f"<PageItem {self.url} from {self.source}, {len(self.body)} bytes>"
