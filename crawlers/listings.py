"""Listing-page entry points: headlines read with a source's selectors, followed page by page.

Pagination stops at the first of: no next link; a page holding only known articles (a routine crawl has
caught up); a page reaching past `--since` (a backfill is done); the page limit; a next link that loops
back or looks like a trap. Every stop other than the first three is recorded with its reason.
"""

from __future__ import annotations

from typing import Any, Iterable

import scrapy
from scrapy.http import Response

from crosswire.crawlers.entrypoints import header
from crosswire.crawlers.listingparse import parse_listing
from crosswire.crawlers.traps import trap_reason
from crosswire.identity.urls import canonical_url
from crosswire.storage.feeds import ensure_feed, feed_state, record_feed_success


class ListingMixin:
    """Callbacks for listing pages; mixed into the feed spider next to EntryPointMixin."""

    def listing_start(self, source: Any) -> Iterable[scrapy.Request]:
        """The first page of each of a source's listings (a conditional GET unless backfilling)."""
        for index, listing in enumerate(getattr(source, "listing", ())):
            feed_id = ensure_feed(self.db, listing.url, source.name, kind="listing")
            headers = {} if self.since else self.conditional_headers(feed_state(self.db, feed_id))
            yield self._listing_request(listing.url, source.name, index, feed_id, page=1,
                                        visited=(canonical_url(listing.url),), headers=headers)

    def _listing_request(self, url: str, source: str, index: int, feed_id: int, *, page: int,
                         visited: tuple[str, ...], headers: dict[str, str] | None = None) -> scrapy.Request:
        # dont_filter: loops are caught by `visited`, with a reason, rather than silently by the dupefilter.
        return scrapy.Request(url, headers=headers or {}, callback=self.parse_listing_page,
                              errback=self.entry_point_failed, dont_filter=True,
                              meta={"handle_httpstatus_list": [304], "feed_id": feed_id, "source": source,
                                    "kind": "listing", "listing": index, "page": page, "visited": visited})

    def parse_listing_page(self, response: Response) -> Iterable[scrapy.Request]:
        """One listing page: request its unknown articles, then decide whether to follow `next`."""
        meta = response.meta
        feed_id, source, page = meta["feed_id"], meta["source"], meta["page"]
        listing = self.source_by_name[source].listing[meta["listing"]]
        self.stat("listing_pages")
        if response.status == 304:
            self.stat("pages_not_modified")
            record_feed_success(self.db, feed_id, status=304)
            return
        parsed = parse_listing(response.body, response.url, listing)
        if page == 1:
            record_feed_success(self.db, feed_id, status=response.status, kind="listing",
                                entries=len(parsed.entries), bozo=parsed.problem,
                                etag=header(response, "ETag"), last_modified=header(response, "Last-Modified"))
        if parsed.problem:
            self.note(source, response.url, "listing", parsed.problem, feed_id=feed_id)
            return
        entries = parsed.entries
        reached_since = False
        if self.since is not None:
            older = [e for e in entries if e.published is not None and e.published < self.since]
            reached_since = bool(older)
            entries = [e for e in entries if e not in older]
            self.stat("too_old", len(older))
        caught_up = self.since is None and self.settled(entries, source)
        yield from self.article_requests(self._not_traps(entries, source, feed_id), feed_id=feed_id, source=source)
        if reached_since or caught_up or not parsed.next_url:
            return
        yield from self._next_page(parsed.next_url, listing, meta, response.url)

    def _not_traps(self, entries: list[Any], source: str, feed_id: int) -> list[Any]:
        """Scraped links that are not faceted variants of a list (sort/filter/view stacked in the query)."""
        kept = []
        for entry in entries:
            reason = trap_reason(entry.url, self.today, navigation=False)
            if reason:
                self.stat("traps_skipped")
                self.note(source, entry.url, "trap", reason, feed_id=feed_id, count=False)
            else:
                kept.append(entry)
        return kept

    def _next_page(self, url: str, listing: Any, meta: dict[str, Any], here: str) -> Iterable[scrapy.Request]:
        source, feed_id, page, visited = meta["source"], meta["feed_id"], meta["page"], meta["visited"]
        if canonical_url(url) in visited:
            self.stat("pagination_loops")
            self.note(source, here, "trap", f"pagination loops back to {url}", feed_id=feed_id, count=False)
            return
        reason = trap_reason(url, self.today, self.since)
        if reason:
            self.stat("traps_skipped")
            self.note(source, url, "trap", reason, feed_id=feed_id, count=False)
            return
        budget = self.limit(source, "max_pages", listing.max_pages)
        if page >= budget:
            self.cut(source, listing.url, f"stopped after {budget} listing pages (max_pages)", feed_id=feed_id)
            return
        yield self._listing_request(url, source, meta["listing"], feed_id, page=page + 1,
                                    visited=(*visited, canonical_url(url)))
