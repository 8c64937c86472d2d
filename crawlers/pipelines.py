"""Item pipelines, in order: extraction (in a process pool), the topic filter, storage, topic tags.

Each does one job and reads the crawl's shared state from its CrawlContext.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor
from typing import Any

from scrapy.exceptions import DropItem

from crosswire.core.article import Article
from crosswire.core.errors import ExtractionError
from crosswire.core.times import iso
from crosswire.crawlers.batch import StoreBatch
from crosswire.crawlers.context import STATS_PREFIX, CrawlContext
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.schedule import crawl_clock
from crosswire.crawlers.workers import extract_page, start_pool, started, warm_up_here
from crosswire.identity.urls import url_key
from crosswire.storage.articles import add_url_variants, record_sighting, store_article
from crosswire.storage.topics import remember_off_topic, tag_article


class OffTopic(DropItem):
    """An article judged and dropped on purpose (off topic for its source): settled, not failed."""


class ExtractPipeline:
    """Turns a fetched page into an Article dict and its topics; a page that is not an article is recorded
    and dropped."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.workers = crawler.settings.getint("CROSSWIRE_EXTRACT_WORKERS")
        self.pool: Executor | None = None
        self.own_pool = False   # started here (not handed over by run_crawl): shut down and joined here
        self.forked: asyncio.Future[None] | None = None   # done once run_crawl's pool has forked its workers

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ExtractPipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        # run_crawl starts the pool before Scrapy (so the workers warm up meanwhile) and hands it over here.
        self.pool = CrawlContext.of(self.crawler).pool
        if self.pool is not None and (forked := started(self.pool)) is not None:
            # Its fork server may still be loading extraction as the crawl starts (0.25-0.35 s of a short crawl
            # on two cores): the feeds are fetched and parsed and the first pages downloaded meanwhile, and
            # process_item waits for the forks without blocking the reactor (crawlers/workers.py `started`).
            self.forked = asyncio.wrap_future(forked)
        if self.pool is None and self.workers > 0:
            self.pool = start_pool(self.workers)
            self.own_pool = True
        elif self.pool is None:
            # Extracting in this process: load extraction now, before the first request goes out. Loaded on
            # the first page instead, its import (seconds on a busy machine) would block the reactor while
            # downloads are in flight, and they would time out.
            warm_up_here()

    def close_spider(self) -> None:
        # Every item is settled by now. run_crawl's pool is told to stop here but joined by run_crawl after
        # copy families and stories: the workers' exits (interpreter teardown, ~0.1 s each) overlap that work
        # instead of delaying it.
        # run_crawl's pool may still be computing the story features of the last articles stored
        # (crawlers/embedder.py), which the crawl waits for: not cancelled here (run_crawl cancels them if stopped).
        if self.pool is not None:
            self.pool.shutdown(wait=self.own_pool, cancel_futures=self.own_pool)

    async def process_item(self, item: PageItem) -> PageItem:
        context = CrawlContext.of(self.crawler)
        args = (item.body, item.url, item.entry, item.content_type, context.rules.get(item.source))
        try:
            if item.extracted is not None:      # a worker of a distributed crawl did it (crawlers/worker.py)
                item.article, item.topics = extracted(item.extracted)
            elif self.pool is None:
                item.article, item.topics = extract_page(*args)
            else:
                if self.forked is not None:
                    await self.forked
                item.article, item.topics = await asyncio.wrap_future(self.pool.submit(extract_page, *args))
        except ExtractionError as exc:
            context.error(self.crawler.stats, url=item.url, kind=exc.kind, reason=str(exc), source=item.source,
                          feed_id=item.feed_id)
            raise DropItem(f"{item.url}: {exc}") from None
        item.body = b""  # the page is no longer needed; don't keep it in memory
        return item


def extracted(done: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """What a worker's extraction gave: the article and its topics, or its ExtractionError raised again here."""
    if done.get("error"):
        exc = ExtractionError(done["error"]["reason"])
        exc.kind = done["error"]["kind"]
        raise exc
    return done["article"], tuple(done.get("topics") or ())


class TopicFilterPipeline:
    """Drops the off-topic articles of sources that keep only their topics (`only_topics = true`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "TopicFilterPipeline":
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        context = CrawlContext.of(self.crawler)
        source = context.sources.get(item.source)
        if source is None or not source.only_topics or set(item.topics) & set(source.topics):
            return item
        self.crawler.stats.inc_value(STATS_PREFIX + "off_topic")
        # Remember the judgement, so later crawls don't fetch the page again.
        remember_off_topic(context.db, [item.url, item.requested_url, (item.entry or {}).get("url")], item.source)
        raise OffTopic(f"{item.url}: off topic for {item.source} (wants {', '.join(source.topics)})")


class StorePipeline:
    """Stores each article once and records every feed it was seen in; articles are written in batches
    (crawlers/batch.py), and what follows from storing one (its count, its entry point's state) waits for its
    batch's commit."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        # Imported here, once Scrapy has installed its reactor: importing twisted.internet.reactor at module level
        # would install Twisted's default one first.
        from twisted.internet import reactor

        settings = self.crawler.settings
        context = CrawlContext.of(self.crawler)
        context.batch = StoreBatch(context.db, size=settings.getint("CROSSWIRE_STORE_BATCH"),
                                   linger=settings.getfloat("CROSSWIRE_STORE_LINGER"),
                                   call_later=reactor.callLater)

    def close_spider(self) -> None:
        batch = CrawlContext.of(self.crawler).batch
        if batch is not None:
            batch.commit()

    def process_item(self, item: PageItem) -> PageItem:
        context = CrawlContext.of(self.crawler)
        batch = context.batch
        if batch is not None:
            opened = not batch.open
            item.batch = batch.begin()
            if opened:
                batch.after(item.batch, context.batch_ended)
        article = Article.from_dict(item.article or {})
        entry_url = (item.entry or {}).get("url")
        updated = (item.entry or {}).get("updated")
        # A re-fetch (item.refetch) of a stored article records a revision when its title or body changed.
        result = store_article(context.db, article, source=item.source, feed_id=item.feed_id, guid=item.guid,
                               entry_url=entry_url or item.requested_url, entry_updated=updated,
                               revise=item.refetch, now=iso(crawl_clock(self.crawler.settings)))
        item.stored_id = result.article_id
        if result.status == "new" and context.embedder is not None:
            # For stories, while the crawl goes on: not held for the commit, or a few-page crawl would embed after
            # its last page. A batch that is lost fails the run, and a failed run saves no vector (crawlers/run.py).
            context.embedder.submit(result.article_id, item.article or {})
        # The same article named by other feed entries in this run: link those sightings too.
        for key in {url_key(entry_url or item.url), url_key(item.requested_url or item.url)}:
            for seen in context.pending.pop(key, []):
                record_sighting(context.db, result.article_id, seen.feed_id, seen.guid)
                add_url_variants(context.db, result.article_id, [seen.url])
        stored = functools.partial(self._stored, context, item, result.status)
        if batch is None:
            stored(True)
        else:
            batch.after(item.batch, stored)
            batch.stored()      # commits a full batch
        return item

    def _stored(self, context: CrawlContext, item: PageItem, status: str, committed: bool) -> None:
        """The article's batch ended: count it, or say it was lost."""
        if not committed:
            error = context.batch.error if context.batch is not None else None
            self.crawler.spider.storage_refused(error, item.url, item.source, item.feed_id)
            return
        stats = self.crawler.stats
        if status == "revised":
            stats.inc_value(STATS_PREFIX + "articles_revised")
        elif not item.refetch:
            stats.inc_value(STATS_PREFIX + ("articles_new" if status == "new" else "articles_duplicate"))


class TopicTagPipeline:
    """Stores the topic tags of the article the store pipeline just kept."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "TopicTagPipeline":
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        if item.topics and item.stored_id is not None:
            tag_article(CrawlContext.of(self.crawler).db, item.stored_id, item.topics)
        return item
