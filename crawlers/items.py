"""What the spider hands to the pipelines: a fetched page, what we knew of it before, and what they add."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class PageItem:
    """A fetched article page on its way through extraction, the topic filter, storage and tagging."""

    url: str                              # final URL after redirects
    body: bytes                           # emptied once extracted: the page is no longer needed
    source: str
    content_type: str | None = None
    requested_url: str | None = None      # the URL the feed gave, before redirects
    feed_id: int | None = None
    guid: str | None = None
    entry: dict[str, Any] | None = None   # FeedEntry.to_dict() of the entry that led here
    refetch: bool = False                 # a stored article fetched again to look for edits (a revision)
    key: str = ""                         # the URL key it was requested under (what its entry point waits for)
    extracted: dict[str, Any] | None = None   # a distributed crawl's worker extracted it: article, topics, error
    # Filled in by the pipelines, in order:
    article: dict[str, Any] | None = None  # ExtractPipeline: Article.to_dict()
    topics: tuple[str, ...] = ()           # ExtractPipeline: the bundled topic sets the article mentions
    stored_id: int | None = None           # StorePipeline: the id it is stored under
    batch: int | None = None               # StorePipeline: the write batch that stored it (crawlers/batch.py)

    def __repr__(self) -> str:
        # Logs name the page, never dump its body (which may be megabytes of binary).
        return f"<PageItem {self.url} from {self.source}, {len(self.body)} bytes>"
