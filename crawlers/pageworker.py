"""What an extraction worker does with one page: extract the Article and tag its topics, both in the worker.

Kept apart from workers.py so that starting the pool does not load extraction into the crawling process.
"""

from __future__ import annotations

from typing import Any

from crosswire.core.article import FeedEntry
from crosswire.core.topics import article_topics
from crosswire.extraction import extract


def article_and_topics(body: bytes, url: str, entry: dict[str, Any] | None, content_type: str | None,
                       rules: dict[str, Any] | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """One page → (the Article as a dict, the topics it mentions); raises ExtractionError."""
    feed_entry = FeedEntry.from_dict(entry) if entry else None
    article = extract(body, url, feed_entry, content_type=content_type, rules=rules).to_dict()
    # Topic tagging is CPU work too: done here, in the worker, it keeps the crawling process free to fetch.
    return article, tuple(article_topics(article))
