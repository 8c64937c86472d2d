"""What one crawl shares between its spider and its pipelines, declared in one place.

`run_crawl` builds a CrawlContext and hangs it on the Scrapy crawler before the crawl starts; the spider
and every pipeline read it with `CrawlContext.of(crawler)`. Nothing else is passed through spider
attributes.

Held state: an entry point (a feed, a sitemap, a listing) that answered with entries gets its new cache
state (ETag, Last-Modified, next check) written only once every article it named is settled — stored,
judged off topic, or failed with its error recorded; a stored article counts once the transaction that stored
it has committed (crawlers/batch.py). A crawl stopped in between (SIGTERM, a full disk, the
run's time bound) writes nothing for it, so the next crawl reads it in full and asks again for whatever was
not stored. An article that failed drops the entry point's validators, so it is retried too.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import Counter
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from crosswire.core.sources import Source
from crosswire.crawlers.batch import StoreBatch
from crosswire.storage.db import is_full
from crosswire.storage.feeds import record_feed_success
from crosswire.storage.runs import record_error

STATS_PREFIX = "crosswire/"     # crosswire's own counters in Scrapy's stats


@dataclass(frozen=True)
class Sighting:
    """A further feed entry that named an article already requested in this run (linked once it is stored)."""

    feed_id: int | None
    guid: str | None
    url: str                     # the entry's URL: one more variant that maps to the article


@dataclass
class Held:
    """An entry point's new state, held until every article (and sub-page) it named is settled."""

    feed_id: int
    state: dict[str, Any]                  # keyword arguments of storage.feeds.record_feed_success
    waiting: set[str] = field(default_factory=set)   # keys not settled yet
    listed: bool = False                   # its callback has yielded every request it will
    failed: bool = False                   # something it named failed: read it in full next time
    capped: bool = False                   # it named more new articles than one crawl fetches: stays due
    parent: str | None = None              # the key under which an index or listing waits for this one


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
    # Entry points whose state waits for their articles, and for each waited key the entry points waiting.
    held: dict[int, Held] = field(default_factory=dict)
    waiters: dict[str, set[int]] = field(default_factory=dict)
    stats: Any = None                          # the crawl's Scrapy stats (set by run_crawl)
    pool: Executor | None = None               # the extraction workers, started by run_crawl before Scrapy
    embedder: Any = None                       # crawlers.embedder.Embedder: embeds each new article for stories
    storage_problem: str | None = None         # the last storage failure, for the summary line
    storage_streak: int = 0                    # storage failures since the last article stored
    disk_full: bool = False                    # a write was refused for want of space
    feed_failures: Counter[tuple[str, str]] = field(default_factory=Counter)   # (kind, reason) of failed feeds
    batch: StoreBatch | None = None            # the articles' open write transaction (set by StorePipeline)

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
        """Record a failure (or a deliberate cut) in the errors table; `count` adds it to the run's errors.
        When the database itself fails, the failure is still counted."""
        if count:
            stats.inc_value(STATS_PREFIX + "errors")
        try:
            record_error(self.db, run_id=self.run_id, feed_id=feed_id, source=source, url=url, kind=kind,
                         reason=reason)
        except sqlite3.Error as exc:
            self.storage_failed(exc, count=False)

    def storage_failed(self, exc: BaseException, *, url: str | None = None, source: str | None = None,
                       feed_id: int | None = None, count: bool = True) -> None:
        """The archive refused a write (locked past every retry, disk full): count it, keep its reason for the
        summary, and record it when the archive still takes an error row."""
        self.storage_problem = str(exc)
        self.storage_streak += 1
        self.disk_full = self.disk_full or is_full(exc)
        if self.stats is not None:
            self.stats.inc_value(STATS_PREFIX + "storage_errors")
            if count:
                self.stats.inc_value(STATS_PREFIX + "errors")
        if url is not None:
            try:
                record_error(self.db, run_id=self.run_id, feed_id=feed_id, source=source, url=url,
                             kind="storage", reason=f"not stored: {exc}")
            except sqlite3.Error:
                pass    # the archive takes no more writes; the counter and the summary still say so

    # --- held state ----------------------------------------------------------------------------------------

    def hold(self, feed_id: int, state: dict[str, Any], *, parent: str | None = None) -> Held:
        """Hold an entry point's new state until what it names is settled (`listed` ends the naming)."""
        held = self.held.get(feed_id)
        if held is None:
            held = self.held[feed_id] = Held(feed_id, state, parent=parent)
        else:
            held.state.update(state)
        return held

    def wait_for(self, feed_id: int, key: str) -> None:
        """The held entry point `feed_id` also waits for `key` (an article's URL key, or a sub-page's)."""
        held = self.held.get(feed_id)
        if held is not None:
            held.waiting.add(key)
            self.waiters.setdefault(key, set()).add(feed_id)

    def listed(self, feed_id: int, *, capped: bool = False) -> None:
        """The entry point's callback has named everything it will; release it if nothing is pending."""
        held = self.held.get(feed_id)
        if held is not None:
            held.listed = True
            held.capped = held.capped or capped
            self._release_if_done(held)

    def fail(self, feed_id: int) -> None:
        """Something the entry point named failed: keep it from advancing its validators."""
        held = self.held.get(feed_id)
        if held is not None:
            held.failed = True

    def settle_stored(self, key: str, batch: int | None) -> None:
        """An article went through every pipeline: settled once the transaction that stored it has committed
        (as failed if that transaction was lost), so no entry point's state is written before its articles."""
        if self.batch is None:
            self.settle(key, ok=True)
        else:
            self.batch.after(batch, lambda committed: self.settle(key, ok=committed))

    def batch_ended(self, committed: bool) -> None:
        """A write batch ended; a lost one may have held writes of any entry point still waiting (sightings,
        error rows), so each of those is read in full next time."""
        if not committed:
            for held in self.held.values():
                held.failed = True

    def settle(self, key: str, *, ok: bool) -> None:
        """An article (or sub-page) is done: stored or judged (`ok`), or failed with its error recorded."""
        if ok:
            self.storage_streak = 0
        for feed_id in self.waiters.pop(key, set()):
            held = self.held.get(feed_id)
            if held is None:
                continue
            held.waiting.discard(key)
            held.failed = held.failed or not ok
            self._release_if_done(held)

    def _release_if_done(self, held: Held) -> None:
        if not held.listed or held.waiting:
            return
        del self.held[held.feed_id]
        state = dict(held.state, partial=held.capped)
        if held.failed:
            # Drop the validators, so the next fetch is a full one that names what is still missing.
            state.update(etag=None, last_modified=None)
        try:
            record_feed_success(self.db, held.feed_id, **state)
        except sqlite3.Error as exc:
            # Its state stays as it was: the entry point is read in full again next time.
            self.storage_failed(exc)
            return
        if held.parent is not None:
            self.settle(held.parent, ok=not held.failed)
