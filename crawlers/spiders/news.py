"""The one spider of a crawl: feeds, sitemaps and listing pages of every source, then the articles they name.

One spider per crawl, so every kind of entry point shares one politeness budget per site. Each entry point's
callbacks live with its reader (crosswire.crawlers.feeds, .sitemaps, .listings); what happens here is the
start (which feeds are due) and the funnel every article URL goes through: not stored yet, not already
requested in this run, and on the source's own scope.
"""

from __future__ import annotations

import sqlite3
from typing import Any, AsyncIterator, Generator, Iterable

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from crosswire.core.article import FeedEntry
from crosswire.crawlers.context import Sighting
from crosswire.crawlers.entrypoints import EntryPointMixin, header
from crosswire.crawlers.failures import failure_exception
from crosswire.crawlers.feeds import FeedMixin
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.listings import ListingMixin
from crosswire.crawlers.pipelines import OffTopic
from crosswire.crawlers.schedule import is_due
from crosswire.crawlers.sitemaps import SitemapMixin
from crosswire.identity.urls import unfetchable_reason, url_key
from crosswire.storage.articles import entry_changed, known_urls, link_known
from crosswire.storage.db import is_full
from crosswire.storage.feeds import ensure_feed, feed_state, sync_source
from crosswire.storage.revisions import due_revisits

# Articles refused by the archive in a row (each after its retries) before the crawl stops fetching.
STORAGE_STREAK_LIMIT = 5


class NewsSpider(FeedMixin, SitemapMixin, ListingMixin, EntryPointMixin, scrapy.Spider):
    """Fetches each source's due feeds, its sitemaps and listing pages, and the articles they name."""

    name = "news"

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Every article the spider requested ends in exactly one of these; each settles what waits for it.
        crawler.signals.connect(spider.on_item_stored, signal=signals.item_scraped)
        crawler.signals.connect(spider.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider.on_item_error, signal=signals.item_error)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.on_callback_error, signal=signals.spider_error)
        return spider

    def on_item_stored(self, item: PageItem, **_: Any) -> None:
        """An article went through every pipeline (settled once its write batch committed)."""
        self.context.settle_stored(item.key, item.batch)

    def on_item_dropped(self, item: PageItem, exception: BaseException, **_: Any) -> None:
        """An article left the pipelines early: judged off topic (settled), or not extractable (its error
        row is written by the pipeline that dropped it)."""
        self.context.settle(item.key, ok=isinstance(exception, OffTopic))

    def on_item_error(self, item: PageItem, failure: Any, **_: Any) -> None:
        """A pipeline failed on an article: the archive refused it, or a bug. It stays due."""
        self._failed(failure_exception(failure), item.url, item.source, item.feed_id)
        self.context.settle(item.key, ok=False)

    def on_callback_error(self, failure: Any, response: Any, **_: Any) -> None:
        """A callback failed part-way (an entry point's state then stays as it was: it is due again)."""
        meta = getattr(response, "meta", {}) or {}
        self._failed(failure_exception(failure), response.url, meta.get("source"), meta.get("feed_id"))

    def on_request_dropped(self, request: scrapy.Request, **_: Any) -> None:
        """The scheduler dropped a request (a duplicate of one already made)."""
        if request.meta.get("key"):
            self.context.settle(request.meta["key"], ok=False)

    def _failed(self, exc: BaseException, url: str, source: str | None, feed_id: int | None) -> None:
        if isinstance(exc, sqlite3.Error):
            self.storage_refused(exc, url, source, feed_id)
            return
        self.note(source, url, "error", f"{type(exc).__name__}: {exc}", feed_id=feed_id)

    def storage_refused(self, exc: BaseException, url: str, source: str | None, feed_id: int | None) -> None:
        """The archive refused to store what `url` gave (a write, or the commit of its batch): counted and
        recorded; a full disk, or an archive another writer keeps locked, stops the fetching, since every later
        write would fail too. What was not stored stays due."""
        self.context.storage_failed(exc, url=url, source=source, feed_id=feed_id)
        reason = "storage-full" if is_full(exc) else (
            "storage-locked" if self.context.storage_streak >= STORAGE_STREAK_LIMIT else None)
        if reason and self.crawler.engine is not None and self.crawler.engine.running:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.context.stats = self.crawler.stats     # set by Scrapy once the crawl starts
        poll_all = self.crawler.settings.getbool("CROSSWIRE_POLL_ALL")
        for source in self.context.sources.values():
            sync_source(self.db, source)
            for url in source.feeds:
                feed_id = ensure_feed(self.db, url, source.name)
                # Only feeds whose next_check has come (paused ones are re-probed rarely); --all polls every one.
                if not poll_all and not is_due(feed_state(self.db, feed_id).get("next_check"), self.now):
                    self.stat("feeds_not_due")
                    continue
                yield self.feed_request(url, feed_id, source.name)
            for request in self.sitemap_start(source):
                yield request
            for request in self.listing_start(source):
                yield request
            for request in self.revisit_requests(source.name):   # stored articles due a look for edits
                yield request

    def article_requests(self, entries: list[FeedEntry], *, feed_id: int | None,
                         source: str) -> Generator[scrapy.Request, None, bool]:
        """Requests for the entries whose article is neither stored nor already requested in this run; the
        entry point (`feed_id`) waits for each. Returns whether the per-crawl limit cut the list short."""
        context = self.context
        entries = self.in_scope(entries, source)   # include/exclude patterns, faceted-URL traps
        self.stat("entries_seen", len(entries))
        entries = [e for e in entries if self._fetchable(e, source, feed_id)]
        known = known_urls(self.db, [e.url for e in entries])
        cap, new = self.limit(source, "max_articles"), 0
        for entry in entries:
            canon = url_key(entry.url)
            if entry.url in known:
                updated = entry.updated.isoformat() if entry.updated else None
                # A later <updated> than last time: the outlet edited it; fetch again for a revision.
                edited = entry_changed(self.db, entry.url, feed_id, updated) and canon not in context.pending
                link_known(self.db, entry.url, feed_id=feed_id, guid=entry.guid, entry_updated=updated)
                if edited:
                    yield self.refetch_request(entry.url, source, feed_id=feed_id, entry=entry)
                # Stored earlier in this same run (reached through another feed) is a duplicate, not old news.
                self.stat("articles_duplicate" if canon in context.requested else "articles_known")
                continue
            if canon in context.pending:
                context.pending[canon].append(Sighting(feed_id, entry.guid, entry.url))
                if feed_id is not None:
                    context.wait_for(feed_id, canon)
                self.stat("articles_duplicate")
                continue
            if new >= cap:
                self.cut(source, entry.url if feed_id is None else self._entry_point_url(feed_id),
                         f"{len(entries) - new} more entries than this crawl fetches per entry point; requested "
                         f"the newest {cap} (max_articles), the rest stay due", feed_id=feed_id)
                return True
            new += 1
            context.pending[canon] = []
            context.requested.add(canon)
            if feed_id is not None:
                context.wait_for(feed_id, canon)
            yield scrapy.Request(
                entry.url, headers=self.headers_for(source), callback=self.parse_article,
                errback=self.on_article_failed,
                meta={"feed_id": feed_id, "source": source, "entry": entry.to_dict(), "kind": "article",
                      "key": canon},
            )
        return False

    def _fetchable(self, entry: FeedEntry, source: str, feed_id: int | None) -> bool:
        """Whether an entry's link may be fetched at all; a link that may not is one error row, and the
        feed's other entries go on."""
        reason = unfetchable_reason(entry.url)
        if reason is None:
            return True
        self.note(source, entry.url, "scheme", f"entry not fetched: {reason}", feed_id=feed_id)
        return False

    def _entry_point_url(self, feed_id: int) -> str:
        return str(feed_state(self.db, feed_id).get("url"))

    def parse_article(self, response: Response) -> Iterable[PageItem]:
        """A fetched article page, handed to the pipelines (extraction happens there, in worker processes)."""
        meta = response.meta
        yield PageItem(
            url=response.url, body=response.body, source=meta["source"],
            content_type=header(response, "Content-Type"),
            requested_url=meta.get("redirect_urls", [response.request.url])[0] if response.request else None,
            feed_id=meta.get("feed_id"), guid=(meta.get("entry") or {}).get("guid"), entry=meta.get("entry"),
            refetch=bool(meta.get("refetch")), key=meta["key"], extracted=meta.get("crosswire_extracted"),
        )

    def refetch_request(self, url: str, source: str, *, feed_id: int | None = None,
                        entry: FeedEntry | None = None) -> scrapy.Request:
        """A request for a stored article, to record a revision if it changed (see crosswire.storage.revisions)."""
        key = url_key(url)
        self.context.pending.setdefault(key, [])
        if feed_id is not None:
            self.context.wait_for(feed_id, key)
        self.stat("articles_refetched")
        return scrapy.Request(url, headers=self.headers_for(source), callback=self.parse_article,
                              errback=self.on_article_failed, dont_filter=True,
                              meta={"feed_id": feed_id, "source": source, "kind": "article", "refetch": True,
                                    "entry": entry.to_dict() if entry is not None else None, "key": key})

    def revisit_requests(self, source: str) -> Iterable[scrapy.Request]:
        """Re-fetch the source's recent articles at 1, 6, 24 and 72 h after first seen."""
        for _, url in due_revisits(self.db, source, self.now):
            if url_key(url) not in self.context.pending:
                yield self.refetch_request(url, source)
