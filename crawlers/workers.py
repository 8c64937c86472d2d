"""Extraction in worker processes, so both cores extract while Scrapy keeps fetching."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from crosswire.core.article import FeedEntry


def extract_page(body: bytes, url: str, entry: dict[str, Any] | None, content_type: str | None,
                 rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """Extract one page to an Article dict, with the source's rules first if it has any (runs in a worker;
    raises ExtractionError on failure)."""
    from crosswire.extraction.rules import extract_with_rules

    from crosswire.core.topics import article_topics

    feed_entry = FeedEntry.from_dict(entry) if entry else None
    article = extract_with_rules(body, url, feed_entry, content_type=content_type, rules=rules).to_dict()
    # Topic tagging is CPU work too: done here, in the worker, it keeps the crawling process free to fetch.
    article["_topics"] = article_topics(article)
    return article


def _warm_up(parent_pid: int | None = None) -> None:
    if parent_pid is not None:
        from crosswire.crawlers.orphans import die_with_parent

        die_with_parent(parent_pid)   # a kill -9'd crawl must not leave workers running
    # Import the heavy modules once per worker, before the first page arrives.
    import crosswire.extraction.page  # noqa: F401


def make_pool(workers: int) -> Executor:
    """A process pool of `workers` extraction processes (spawned: no forking of the running reactor)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_warm_up, initargs=(os.getpid(),))
