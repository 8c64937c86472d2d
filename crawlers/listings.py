"""Listing pages: reading them with a source's CSS selectors (pure) and following them page by page.

Reading: a listing is a page of teasers (a category page, an archive page) for outlets without feeds.
`links` selects the article links; when `item` is given, each item element yields one link and the
headline, lede and date selectors are read inside it, otherwise they are read page-wide and paired with the
links in order. `next` selects the link to the following (older) page.

Crawling: a listing's first page is polled on a schedule as a feed is (its posting rate, backoff on failure).
Pagination stops at the first of: no next link; a page holding only known articles (a routine crawl has caught
up); a page reaching past `--since` (a backfill is done); the page limit; a next link that loops back or looks
like a trap. Every stop other than the first three is recorded with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urldefrag, urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from crosswire.core.article import FeedEntry
from crosswire.core.sources import Listing, Source, is_http_url
from crosswire.core.times import iso
from crosswire.crawlers.entrypoints import header
from crosswire.crawlers.traps import trap_reason
from crosswire.extraction.cleaning import clean_text, parse_date
from crosswire.identity.urls import canonical_url
from crosswire.storage.feeds import ensure_feed, feed_state, record_feed_success


@dataclass
class ParsedListing:
    """What one listing page held: its entries, the next page, and a problem if the selectors failed."""

    entries: list[FeedEntry] = field(default_factory=list)
    next_url: str | None = None
    problem: str | None = None


def _href(sel: Selector) -> str | None:
    """The link target of an <a> (or of the first <a> inside the selected element)."""
    href = sel.attrib.get("href") if sel.root.tag == "a" else None
    return href or sel.css("a::attr(href)").get()


def _text(sel: Selector | None) -> str | None:
    if sel is None:
        return None
    return clean_text(" ".join(t.strip() for t in sel.css("::text").getall() if t.strip()))


def _date(sel: Selector | None) -> object:
    if sel is None:
        return None
    # <time datetime="..."> and <meta content="..."> carry a machine date; fall back to the visible text.
    machine = sel.attrib.get("datetime") or sel.attrib.get("content") or sel.css("[datetime]::attr(datetime)").get()
    return parse_date(machine) or parse_date(_text(sel))


def _first(scope: Selector, css: str | None) -> Selector | None:
    if not css:
        return None
    found = scope.css(css)
    return found[0] if found else None


def _nth(page: Selector, css: str | None, index: int) -> Selector | None:
    if not css:
        return None
    found = page.css(css)
    return found[index] if index < len(found) else None


def parse_listing(html: str | bytes, url: str, listing: Listing) -> ParsedListing:
    """The article entries and the next-page URL of one listing page."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    page = Selector(text=text or "<html></html>", base_url=url)
    result = ParsedListing()
    seen: set[str] = set()
    if listing.item:
        pairs = [(_first(item, listing.links), item) for item in page.css(listing.item)]
    else:
        pairs = [(link, None) for link in page.css(listing.links)]
    for index, (link, item) in enumerate(pairs):
        href = _href(link) if link is not None else None
        if not href:
            continue
        target = urldefrag(urljoin(url, href.strip()))[0]
        if not is_http_url(target) or target in seen:
            continue
        seen.add(target)
        if item is not None:
            headline, lede, date = (_first(item, listing.headline), _first(item, listing.lede),
                                    _first(item, listing.date))
        else:
            headline, lede, date = (_nth(page, listing.headline, index), _nth(page, listing.lede, index),
                                    _nth(page, listing.date, index))
        result.entries.append(FeedEntry(
            url=target, title=_text(headline) or _text(link), summary=_text(lede), published=_date(date),
        ))
    if not result.entries:
        result.problem = "selectors matched nothing"
    if listing.next:
        nxt = page.css(listing.next)
        href = _href(nxt[0]) if nxt else None
        if href:
            target = urldefrag(urljoin(url, href.strip()))[0]
            result.next_url = target if is_http_url(target) else None
    return result


class ListingMixin:
    """The spider's listing-page callbacks (mixed into crosswire.crawlers.spiders.news.NewsSpider)."""

    def listing_start(self, source: Source) -> Iterable[scrapy.Request]:
        """The first page of each of a source's listings (a conditional GET unless backfilling)."""
        for index, listing in enumerate(source.listing):
            feed_id = ensure_feed(self.db, listing.url, source.name, kind="listing")
            if not self.due(feed_id):
                self.stat("pages_not_due")
                continue
            headers = {} if self.since else self.conditional_headers(feed_state(self.db, feed_id))
            yield self._listing_request(listing.url, source.name, index, feed_id, page=1,
                                        visited=(canonical_url(listing.url),), headers=headers)

    def _listing_request(self, url: str, source: str, index: int, feed_id: int, *, page: int,
                         visited: tuple[str, ...], headers: dict[str, str] | None = None,
                         key: str | None = None) -> scrapy.Request:
        # dont_filter: loops are caught by `visited`, with a reason, rather than silently by the dupefilter.
        return scrapy.Request(url, headers=self.headers_for(source, headers), callback=self.parse_listing_page,
                              errback=self.entry_point_failed, dont_filter=True,
                              meta={"handle_httpstatus_list": [304], "feed_id": feed_id, "source": source,
                                    "kind": "listing", "listing": index, "page": page, "visited": visited,
                                    "key": key, "scheduled": page == 1})

    def parse_listing_page(self, response: Response) -> Iterable[scrapy.Request]:
        """One listing page: request its unknown articles, then decide whether to follow `next`. The listing's
        new state (from its first page) waits for every article and page this run takes from it."""
        meta = response.meta
        feed_id, page = meta["feed_id"], meta["page"]
        self.stat("listing_pages")
        if response.status == 304:
            self.stat("pages_not_modified")
            schedule = {"next_check": self.next_check(feed_id, None, response)} if page == 1 else {}
            record_feed_success(self.db, feed_id, status=304, now=iso(self.now), **schedule)
            if meta.get("key"):
                self.context.settle(meta["key"], ok=True)
            return
        yield from self._read_listing_page(response)
        if page == 1:
            self.context.listed(feed_id)
        else:
            self.context.settle(meta["key"], ok=True)

    def _read_listing_page(self, response: Response) -> Iterable[scrapy.Request]:
        meta = response.meta
        feed_id, source, page = meta["feed_id"], meta["source"], meta["page"]
        listing = self.context.sources[source].listing[meta["listing"]]
        parsed = parse_listing(response.body, response.url, listing)
        if page == 1:
            self.context.hold(feed_id, {"status": response.status, "kind": "listing", "entries": len(parsed.entries),
                                        "bozo": parsed.problem, "etag": header(response, "ETag"),
                                        "last_modified": header(response, "Last-Modified"), "now": iso(self.now),
                                        "next_check": self.next_check(feed_id, [e.published for e in parsed.entries],
                                                                      response)})
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

    def _not_traps(self, entries: list[FeedEntry], source: str, feed_id: int) -> list[FeedEntry]:
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

    def _next_page(self, url: str, listing: Listing, meta: dict[str, Any], here: str) -> Iterable[scrapy.Request]:
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
        key = f"page:{url}"
        self.context.wait_for(feed_id, key)
        yield self._listing_request(url, source, meta["listing"], feed_id, page=page + 1,
                                    visited=(*visited, canonical_url(url)), key=key)
