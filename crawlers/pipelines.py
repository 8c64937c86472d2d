"""Item pipelines: extraction (in a process pool), then storage. Each does one job."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.exceptions import DropItem

from crosswire.crawlers import schedule
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.workers import extract_page, make_pool
from crosswire.core.article import Article
from crosswire.core.errors import ExtractionError
from crosswire.storage.articles import add_url_variants, record_sighting, store_article, url_key
from crosswire.storage.runs import record_error


class ExtractPipeline:
    """Turns a fetched page into an Article dict; a page that is not an article is recorded and dropped."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.workers = crawler.settings.getint("CROSSWIRE_EXTRACT_WORKERS")
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ExtractPipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = make_pool(self.workers)
            for _ in range(self.workers):  # start the workers now, while the first requests go out
                self.pool.submit(int)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: PageItem) -> PageItem:
        # Per-outlet extraction rules from the sources file (crosswire.extraction.rules), as a picklable dict.
        rules = getattr(self.crawler.spider, "source_rules", {}).get(item.source)
        try:
            if self.pool is None:
                item.article = extract_page(item.body, item.url, item.entry, item.content_type, rules)
            else:
                future = self.pool.submit(extract_page, item.body, item.url, item.entry, item.content_type, rules)
                item.article = await asyncio.wrap_future(future)
        except ExtractionError as exc:
            spider = self.crawler.spider
            spider.crawler.stats.inc_value("crosswire/errors")
            reason = str(exc)
            kind = "not-html" if "not an html page" in reason.lower() else "extract"
            record_error(self.crawler.crosswire_db, run_id=spider.run_id, feed_id=item.feed_id,
                         source=item.source, url=item.url, kind=kind, reason=reason)
            raise DropItem(f"{item.url}: {reason}") from None
        item.body = b""  # the page is no longer needed; don't keep it in memory
        return item


class StorePipeline:
    """Stores each article once and records every feed it was seen in."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        db = self.crawler.crosswire_db
        spider = self.crawler.spider
        article = Article.from_dict(item.article or {})
        entry_url = (item.entry or {}).get("url")
        updated = (item.entry or {}).get("updated")
        # A re-fetch (item.refetch) of a stored article records a revision when its title or body changed.
        result = store_article(db, article, source=item.source, feed_id=item.feed_id, guid=item.guid,
                               entry_url=entry_url or item.requested_url, entry_updated=updated,
                               revise=item.refetch, now=schedule.iso(schedule.now_utc(self.crawler.settings)))
        item.stored_id = result.article_id   # for the topic tags (crosswire.crawlers.scope), without a second lookup
        stats = self.crawler.stats
        if result.status == "revised":
            stats.inc_value("crosswire/articles_revised")
        elif not item.refetch:
            stats.inc_value("crosswire/articles_new" if result.status == "new" else "crosswire/articles_duplicate")
        # The same article listed by other feeds in this run: link those sightings too.
        for key in {url_key(entry_url or item.url), url_key(item.requested_url or item.url)}:
            for feed_id, guid, *variant in spider.pending.pop(key, []):
                record_sighting(db, result.article_id, feed_id, guid)
                add_url_variants(db, result.article_id, list(variant))
        return item
