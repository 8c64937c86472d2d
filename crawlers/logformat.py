"""Quieter crawl logs: a failure crosswire records in its errors table is not shouted again in the log."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    """Dropped items (pages that are not articles) go to INFO: their reason is already in the errors table."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> dict:
        entry = super().dropped(item, exception, response, spider)
        entry["level"] = logging.INFO
        return entry


# Loggers whose failures reach our errbacks and the errors table anyway; at WARNING they would print tracebacks.
QUIETED_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "crosswire.crawlers.robots")


def quiet_loggers() -> None:
    """Raise the level of loggers that repeat, with a traceback, failures recorded elsewhere."""
    for name in QUIETED_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
