"""Crawl logs: quieter (a failure recorded in the errors table is not shouted again), and one line per run."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.logformatter import LogFormatter

from crosswire.core.times import iso, now_utc


class QuietLogFormatter(LogFormatter):
    """Dropped items (pages that are not articles) go to INFO: their reason is already in the errors table."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> dict:
        entry = super().dropped(item, exception, response, spider)
        entry["level"] = logging.INFO
        return entry


# Loggers whose failures reach our errbacks and the errors table anyway; at WARNING they would print tracebacks.
QUIETED_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "crosswire.crawlers.robots")


def quiet_loggers(level: str | int | None = None) -> None:
    """Raise the level of loggers that repeat, with a traceback, failures recorded elsewhere; with `level` (the
    crawl's LOG_LEVEL), Scrapy's loggers are set to it too: Scrapy leaves them open to DEBUG and its handler
    drops what is below LOG_LEVEL, so every page built two log records ("Crawled", "Scraped") for nothing."""
    if level is not None:
        logging.getLogger("scrapy").setLevel(level)
    for name in QUIETED_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def append_run_line(log_file: Path | None, message: str, now: datetime | None = None) -> None:
    """Append `<UTC time> <message>` to the crawl's log file (no-op without one), so a log read weeks later
    says what each run did; the directory is created."""
    if log_file is None:
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a", encoding="utf-8") as handle:
        handle.write(f"{iso(now or now_utc())} {message}\n")
