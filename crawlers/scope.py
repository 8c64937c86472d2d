"""Topic pipelines: tag each extracted article with the topics it mentions; keep only on-topic articles of
sources that ask for it (`only_topics = true`). Matching itself is crosswire.core.topics (pure)."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crosswire.crawlers.items import PageItem
from crosswire.core.topics import article_topics, load_topics
from crosswire.storage.articles import find_article_id
from crosswire.storage.topics import remember_off_topic, tag_article


class TopicFilterPipeline:
    """Computes the article's topics (kept on the item) and drops off-topic articles of only_topics sources."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.topics = load_topics()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "TopicFilterPipeline":
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        article = item.article or {}
        # Workers compute the topics (crosswire.crawlers.workers.extract_page); compute here only if they did not.
        found = article["_topics"] if "_topics" in article else article_topics(article, self.topics.values())
        item.topics = found
        source = getattr(self.crawler.spider, "source_by_name", {}).get(item.source)
        if source is not None and getattr(source, "only_topics", False) and not set(found) & set(source.topics):
            self.crawler.stats.inc_value("crosswire/off_topic")
            remember_off_topic(self.crawler.crosswire_db, [item.url, item.requested_url, (item.entry or {}).get("url")],
                               item.source)
            # The page was fetched and judged: drop it, but don't leave it pending as if still in flight.
            raise DropItem(f"{item.url}: off topic for {item.source} (wants {', '.join(source.topics)})")
        return item


class TopicTagPipeline:
    """Stores the topic tags of the article the store pipeline just kept."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "TopicTagPipeline":
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        topics = getattr(item, "topics", None)
        if topics:
            db = self.crawler.crosswire_db
            article_id = getattr(item, "stored_id", None)   # set by StorePipeline
            if article_id is None:
                article_id = (find_article_id(db, item.url)
                              or find_article_id(db, (item.article or {}).get("url", item.url)))
            if article_id is not None:
                tag_article(db, article_id, topics)
        return item
