"""A live progress line on a terminal while a crawl runs (off unless CROSSWIRE_PROGRESS is set)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.live import Live
from scrapy import signals
from scrapy.exceptions import NotConfigured


class CrawlProgress:
    """Shows feeds checked, pages fetched, new articles and errors as the crawl goes."""

    def __init__(self, crawler: Any) -> None:

        self.crawler = crawler
        self.console = Console(stderr=True)
        self.live = Live("", console=self.console, refresh_per_second=4, transient=True)
        self.responses = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CrawlProgress":
        if not crawler.settings.getbool("CROSSWIRE_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.update, signal=signals.response_received)
        crawler.signals.connect(ext.update, signal=signals.item_scraped)
        crawler.signals.connect(ext.update, signal=signals.item_dropped)
        return ext

    def opened(self) -> None:
        self.live.start()

    def closed(self) -> None:
        self.live.stop()

    def update(self, **_: Any) -> None:
        stats = self.crawler.stats
        get = lambda key: stats.get_value(f"crosswire/{key}", 0)  # noqa: E731
        fetched = stats.get_value("response_received_count", 0)
        queued = stats.get_value("scheduler/enqueued", 0)
        self.live.update(
            f"[bold]crawling[/] feeds {get('feeds_checked')} · pages {fetched}/{queued} · "
            f"new {get('articles_new')} · duplicates {get('articles_duplicate')} · errors {get('errors')}"
        )
