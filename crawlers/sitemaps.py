"""Sitemap entry points: robots.txt `Sitemap:` lines, sitemap indexes, (gzipped) urlsets, Google News sitemaps.

Each sitemap file is a row in `feeds` (kind sitemap | news-sitemap) with its HTTP cache state, so an
unchanged sitemap costs a 304, a child sitemap whose lastmod predates its last fetch is not fetched, and
entries older than the last successful fetch (or than `--since`) are not requested.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from crosswire.crawlers.entrypoints import header
from crosswire.crawlers.sitemapparse import SitemapEntry, parse_sitemap, robots_sitemaps
from crosswire.core.sources import ROBOTS
from crosswire.crawlers.traps import trap_reason
from crosswire.storage.feeds import ensure_feed, feed_state, record_feed_success


LATE_LISTING = timedelta(days=1)


class SitemapMixin:
    """Callbacks for sitemaps; mixed into the feed spider next to EntryPointMixin."""

    def sitemap_start(self, source: Any) -> Iterable[scrapy.Request]:
        """Requests for a source's sitemaps (robots.txt first when it says "robots")."""
        for url in getattr(source, "sitemaps", ()):
            if url == ROBOTS:
                yield scrapy.Request(urljoin(source.homepage, "/robots.txt"), callback=self.parse_robots_sitemaps,
                                     errback=self.entry_point_failed, dont_filter=True,
                                     meta={"source": source.name, "kind": "robots"})
            else:
                request = self.sitemap_request(url, source.name, root=url, depth=0)
                if request is not None:
                    yield request

    def sitemap_request(self, url: str, source: str, *, root: str, depth: int,
                        lastmod: datetime | None = None) -> scrapy.Request | None:
        """A (conditional) request for one sitemap file, or None when it need not be fetched."""
        feed_id = ensure_feed(self.db, url, source, kind="sitemap")
        state = feed_state(self.db, feed_id)
        last = self.previous_success(feed_id)
        if self.since is None and lastmod is not None and last is not None and lastmod < last:
            self.stat("sitemaps_unchanged")   # the index says it has not changed since we last read it
            return None
        headers = {} if self.since else self.conditional_headers(state)   # a backfill reads everything again
        return scrapy.Request(url, headers=headers, callback=self.parse_sitemap_file, errback=self.entry_point_failed,
                              meta={"handle_httpstatus_list": [304], "feed_id": feed_id, "source": source,
                                    "kind": "sitemap", "root": root, "depth": depth, "previous": last})

    def parse_robots_sitemaps(self, response: Response) -> Iterable[scrapy.Request]:
        """robots.txt → one request per `Sitemap:` line."""
        source = response.meta["source"]
        urls = robots_sitemaps(response.body, response.url)
        if not urls:
            self.note(source, response.url, "sitemap", "robots.txt lists no Sitemap: lines")
        for url in urls:
            request = self.sitemap_request(url, source, root=url, depth=0)
            if request is not None:
                yield request

    def parse_sitemap_file(self, response: Response) -> Iterable[scrapy.Request]:
        """A sitemap or index: child sitemaps within the guards, or the entries worth requesting."""
        meta = response.meta
        feed_id, source, root, depth = meta["feed_id"], meta["source"], meta["root"], meta["depth"]
        self.stat("sitemaps_checked")
        if response.status == 304:
            self.stat("pages_not_modified")
            record_feed_success(self.db, feed_id, status=304)
            return
        parsed = parse_sitemap(response.body)
        kind = "news-sitemap" if parsed.news else "sitemap"
        record_feed_success(self.db, feed_id, status=response.status, kind=kind, entries=len(parsed.entries),
                            etag=header(response, "ETag"), last_modified=header(response, "Last-Modified"),
                            bozo=parsed.problem)
        if parsed.problem:
            # Entries before a truncation are still used; a sitemap with none counts as an error.
            self.note(source, response.url, "sitemap", parsed.problem, feed_id=feed_id, count=not parsed.entries)
        if parsed.kind == "index":
            yield from self._children(parsed.entries, source, root, depth, feed_id)
        elif parsed.kind == "urlset":
            entries = self._new_entries(parsed.entries, meta.get("previous"), source, response.url, feed_id)
            yield from self.article_requests([e.feed_entry() for e in entries], feed_id=feed_id, source=source)

    def _children(self, children: list[SitemapEntry], source: str, root: str, depth: int,
                  feed_id: int) -> Iterable[scrapy.Request]:
        if depth + 1 > self.limit(source, "max_depth"):
            self.cut(source, root, f"sitemap index nested deeper than max_depth {self.limit(source, 'max_depth')}",
                     feed_id=feed_id)
            return
        budget = self.limit(source, "max_pages")
        fetched = self.sitemap_pages.setdefault(root, 0)
        # Newest first, so a page limit keeps the recent end of an archive.
        children = sorted(children, key=lambda c: c.lastmod.timestamp() if c.lastmod else float("inf"), reverse=True)
        for child in children:
            if self.since is not None and child.lastmod is not None and child.lastmod < self.since:
                self.stat("too_old")
                continue
            reason = trap_reason(child.loc, self.today, self.since)
            if reason:
                self.stat("traps_skipped")
                self.note(source, child.loc, "trap", reason, feed_id=feed_id, count=False)
                continue
            if fetched >= budget:
                self.cut(source, root, f"stopped after {budget} sitemap files (max_pages)", feed_id=feed_id)
                return
            request = self.sitemap_request(child.loc, source, root=root, depth=depth + 1, lastmod=child.lastmod)
            if request is not None:
                fetched += 1
                self.sitemap_pages[root] = fetched
                yield request

    def _new_entries(self, entries: list[SitemapEntry], previous: datetime | None, source: str, url: str,
                     feed_id: int) -> list[SitemapEntry]:
        """Entries newer than --since (or, without it, than this sitemap's last fetch), newest first, capped."""
        # A day of slack after the last fetch: sitemaps often list an article hours after its date.
        floor = self.since or (previous - LATE_LISTING if previous else None)
        kept = [e for e in entries if floor is None or e.date is None or e.date >= floor]
        if len(kept) < len(entries):
            self.stat("too_old", len(entries) - len(kept))
        kept.sort(key=lambda e: e.date.timestamp() if e.date else float("-inf"), reverse=True)
        cap = self.limit(source, "max_articles")
        if len(kept) > cap:
            self.cut(source, url, f"sitemap lists {len(kept)} new URLs; requested the newest {cap} (max_articles)",
                     feed_id=feed_id)
            kept = kept[:cap]
        return kept

    @property
    def sitemap_pages(self) -> dict[str, int]:
        """Sitemap files requested per root sitemap in this run (for max_pages)."""
        if not hasattr(self, "_sitemap_pages"):
            self._sitemap_pages: dict[str, int] = {}
        return self._sitemap_pages
