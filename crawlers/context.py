"""What one crawl shares between its spider and its pipelines, declared in one place.

`run_crawl` builds a CrawlContext and hangs it on the Scrapy crawler before the crawl starts; the spider
and every pipeline read it with `CrawlContext.of(crawler)`. Nothing else is passed through spider
attributes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from crosswire.core.sources import Source
from crosswire.storage.runs import record_error

STATS_PREFIX = "crosswire/"     # crosswire's own counters in Scrapy's stats


@dataclass(frozen=True)
class Sighting:
    """A further feed entry that named an article already requested in this run (linked once it is stored)."""

    feed_id: int | None
    guid: str | None
    url: str                     # the entry's URL: one more variant that maps to the article


@dataclass
class CrawlContext:
    """The database, the run and the sources of one crawl, and the articles it has in flight."""

    db: sqlite_utils.Database
    run_id: int | None
    sources: dict[str, Source]
    # Canonical URL key of every article requested in this run -> the other entries that named it.
    pending: dict[str, list[Sighting]] = field(default_factory=dict)
    # Keys of the articles requested in this run (a later entry for one is a duplicate, not old news).
    requested: set[str] = field(default_factory=set)

    @staticmethod
    def of(crawler: Any) -> "CrawlContext":
        """The context `run_crawl` attached to this Scrapy crawler."""
        context = getattr(crawler, "crosswire", None)
        if not isinstance(context, CrawlContext):
            raise RuntimeError("crosswire's spider and pipelines run only under crosswire.crawlers.run.run_crawl")
        return context

    @functools.cached_property
    def rules(self) -> dict[str, dict[str, Any]]:
        """Each source's extraction rules as a plain dict (it crosses into the extraction workers)."""
        return {name: s.rules.as_dict() for name, s in self.sources.items() if s.rules is not None}

    def error(self, stats: Any, *, url: str, kind: str, reason: str, source: str | None,
              feed_id: int | None = None, count: bool = True) -> None:
        """Record a failure (or a deliberate cut) in the errors table; `count` adds it to the run's errors."""
        if count:
            stats.inc_value(STATS_PREFIX + "errors")
        record_error(self.db, run_id=self.run_id, feed_id=feed_id, source=source, url=url, kind=kind,
                     reason=reason)
