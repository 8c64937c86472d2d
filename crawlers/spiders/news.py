"""The one spider of a crawl: feeds, sitemaps and listing pages of every source, then the articles they name.

One spider per crawl, so every kind of entry point shares one politeness budget per site. Each entry point's
callbacks live with its reader (crosswire.crawlers.feeds, .sitemaps, .listings); what happens here is the
start (which feeds are due) and the funnel every article URL goes through: not stored yet, not already
requested in this run, and on the source's own scope.
"""

from __future__ import annotations

from typing import AsyncIterator, Iterable

import scrapy
from scrapy.http import Response

from crosswire.core.article import FeedEntry
from crosswire.crawlers.context import Sighting
from crosswire.crawlers.entrypoints import EntryPointMixin, header
from crosswire.crawlers.feeds import FeedMixin
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.listings import ListingMixin
from crosswire.crawlers.schedule import is_due
from crosswire.crawlers.sitemaps import SitemapMixin
from crosswire.identity.urls import url_key
from crosswire.storage.articles import entry_changed, known_urls, link_known
from crosswire.storage.feeds import ensure_feed, feed_state, sync_source
from crosswire.storage.revisions import due_revisits


class NewsSpider(FeedMixin, SitemapMixin, ListingMixin, EntryPointMixin, scrapy.Spider):
    """Fetches each source's due feeds, its sitemaps and listing pages, and the articles they name."""

    name = "news"

    async def start(self) -> AsyncIterator[scrapy.Request]:
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
                         source: str) -> Iterable[scrapy.Request]:
        """Requests for the entries whose article is neither stored nor already requested in this run."""
        context = self.context
        entries = self.in_scope(entries, source)   # include/exclude patterns, faceted-URL traps
        self.stat("entries_seen", len(entries))
        known = known_urls(self.db, [e.url for e in entries])
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
                self.stat("articles_duplicate")
                continue
            context.pending[canon] = []
            context.requested.add(canon)
            yield scrapy.Request(
                entry.url, callback=self.parse_article, errback=self.on_article_failed,
                meta={"feed_id": feed_id, "source": source, "entry": entry.to_dict(), "kind": "article"},
            )

    def parse_article(self, response: Response) -> Iterable[PageItem]:
        """A fetched article page, handed to the pipelines (extraction happens there, in worker processes)."""
        meta = response.meta
        yield PageItem(
            url=response.url, body=response.body, source=meta["source"],
            content_type=header(response, "Content-Type"),
            requested_url=meta.get("redirect_urls", [response.request.url])[0] if response.request else None,
            feed_id=meta.get("feed_id"), guid=(meta.get("entry") or {}).get("guid"), entry=meta.get("entry"),
            refetch=bool(meta.get("refetch")),
        )

    def refetch_request(self, url: str, source: str, *, feed_id: int | None = None,
                        entry: FeedEntry | None = None) -> scrapy.Request:
        """A request for a stored article, to record a revision if it changed (see crosswire.storage.revisions)."""
        self.context.pending.setdefault(url_key(url), [])
        self.stat("articles_refetched")
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_article_failed, dont_filter=True,
                              meta={"feed_id": feed_id, "source": source, "kind": "article", "refetch": True,
                                    "entry": entry.to_dict() if entry is not None else None})

    def revisit_requests(self, source: str) -> Iterable[scrapy.Request]:
        """Re-fetch the source's recent articles at 1, 6, 24 and 72 h after first seen."""
        for _, url in due_revisits(self.db, source, self.now):
            if url_key(url) not in self.context.pending:
                yield self.refetch_request(url, source)
