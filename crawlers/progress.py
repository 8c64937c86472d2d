"""A live progress line on a terminal while a crawl runs (off unless CROSSWIRE_PROGRESS is set)."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured


class CrawlProgress:
    """Shows feeds checked, pages fetched, new articles and errors as the crawl goes."""

    def __init__(self, crawler: Any) -> None:
        # why here: rich is ~35 ms of imports that a crawl without a terminal (every cron run) never uses
        from rich.console import Console
        from rich.live import Live  # (see above)

        self.crawler = crawler
        self.console = Console(stderr=True)
        self.live = Live("", console=self.console, refresh_per_second=4, transient=True)

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
        self.live.update(progress_line(self.crawler.stats.get_stats()))


def progress_line(stats: dict[str, Any]) -> str:
    """The live line for the crawl's stats so far (rich markup)."""
    def get(key: str) -> int:
        return int(stats.get(f"crosswire/{key}", 0))
    fetched = stats.get("response_received_count", 0)
    # Waiting = scheduled and not yet handed to the downloader. (Fetched / scheduled read "4/3": robots.txt
    # requests are fetched without passing through the scheduler.)
    waiting = max(0, stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0))
    return (f"[bold]crawling[/] feeds {get('feeds_checked')} · pages {fetched} fetched, {waiting} waiting · "
            f"new {get('articles_new')} · duplicates {get('articles_duplicate')} · errors {get('errors')}")
