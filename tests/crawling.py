"""The suite's ways to crawl: end to end, as a user runs it, and one callback at a time.

End to end: every crawl test goes through `crawl()` (or, when it must watch or kill the process while it runs,
through `crawl_command()` and its own Popen). A crawl runs in a fresh process because Scrapy's reactor can
start only once per process, and because that is what users run. FAST_SETTINGS is the one set of test-speed
settings; a test that deliberately needs other settings passes only its differences (a later `-s` wins over
an earlier one), e.g. SLOW_SETTINGS for the kill tests.

One callback at a time: `unit_spider()` builds the crawl's spider the way `run_crawl` does (crosswire's
settings, a CrawlContext over a database) without starting it, so a test can hand a callback or a pipeline
one Scrapy response or item and read back exactly what it yielded, wrote and counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlite_utils
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crosswire.core.sources import Source
from crosswire.crawlers.context import STATS_PREFIX, CrawlContext
from crosswire.crawlers.run import crawl_settings
from crosswire.crawlers.spiders.news import NewsSpider
from crosswire.storage.db import open_db
from crosswire.storage.feeds import sync_source
from crosswire.storage.runs import start_run

# Why each setting differs from crosswire's polite defaults (crawlers/settings.py):
FAST_SETTINGS: dict[str, str] = {
    # The test web is on loopback and asks for no politeness: a pause per request only costs time.
    "DOWNLOAD_DELAY": "0",
    # AutoThrottle would add delays back from measured latencies.
    "AUTOTHROTTLE_ENABLED": "False",
    # Each fictional outlet is one host:port; the polite 2 at a time would fetch an outlet nearly serially.
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    # Extract in the crawling process: spawning worker processes costs seconds per crawl, and the results are
    # the same (the kill tests that are about workers turn them back on).
    "CROSSWIRE_EXTRACT_WORKERS": "0",
    # A failing page fails on the first try: the errors tests expect are recorded at once, not after retries.
    "RETRY_TIMES": "0",
    # The test web's slow and dripping pages must time out soon; its good pages answer in milliseconds, and
    # 5 s leaves room for a busy machine.
    "DOWNLOAD_TIMEOUT": "5",
}

# One request at a time with a fixed pause between: a crawl of the test web then takes several seconds, so a
# test can catch it before its first article, after one, and halfway (test_killsafety).
SLOW_SETTINGS: dict[str, str] = {
    **FAST_SETTINGS,
    "CONCURRENT_REQUESTS": "1",
    "DOWNLOAD_DELAY": "0.1",
    "DOWNLOAD_DELAY_JITTER": "0",
}

CRAWL_TIMEOUT = 120    # seconds before a hung crawl fails its test (a guard, never a measurement)


def settings_args(settings: Mapping[str, object]) -> list[str]:
    """`-s NAME=VALUE` arguments for `crosswire crawl`, in the mapping's order."""
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def pin_hosts(hosts: Mapping[str, str]) -> list[str]:
    """`-s CROSSWIRE_HOSTS=...`: these host names resolve to these addresses (test outlets with real-looking
    names, served on loopback)."""
    return settings_args({"CROSSWIRE_HOSTS": json.dumps(dict(hosts))})


def crawl_command(db: Path, sources: Path, *extra: str, settings: Mapping[str, object] = FAST_SETTINGS) -> list[str]:
    """The `crosswire crawl` command line: `settings` first, then `extra` (whose `-s` win)."""
    return [sys.executable, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(sources),
            *settings_args(settings), *extra]


def crawl(db: Path, sources: Path, *extra: str, env: Mapping[str, str] | None = None,
          timeout: float = CRAWL_TIMEOUT) -> subprocess.CompletedProcess:
    """Run `crosswire crawl` with FAST_SETTINGS and `extra` arguments to the end; the finished process.
    `env` replaces the crawl's whole environment (by default it inherits this process's)."""
    return subprocess.run(crawl_command(db, sources, *extra), capture_output=True, text=True, timeout=timeout,
                          env=dict(env) if env is not None else None, check=False)


# --- one callback at a time -------------------------------------------------------------------------------

UNIT_NOW = "2026-03-01T12:00:00+00:00"    # the crawl's clock in unit tests (CROSSWIRE_NOW)


def unit_spider(sources: list[Source], db: sqlite_utils.Database | None = None,
                **settings: object) -> NewsSpider:
    """NewsSpider on a crawler set up as `run_crawl` sets it up, never started: crosswire's settings (the
    clock pinned at UNIT_NOW, extraction in this process) plus `settings`, and a CrawlContext over `db` (a
    new in-memory database by default) with its run started and its sources registered."""
    db = db if db is not None else open_db(memory=True)
    overrides = {"CROSSWIRE_NOW": UNIT_NOW, "CROSSWIRE_EXTRACT_WORKERS": 0, **settings}
    # The reactor (and its DNS resolver) are left to get_crawler, which picks what matches this test process;
    # the crawler never starts, so they would not be used anyway.
    values = {name: value for name, value in crawl_settings(Path("unit.db"), sources, overrides).copy_to_dict().items()
              if not name.startswith("TWISTED_")}
    crawler = get_crawler(NewsSpider, values)
    crawler.crosswire = CrawlContext(db=db, run_id=start_run(db, "crawl"), sources={s.name: s for s in sources})
    for source in sources:     # what the spider's start() does first
        sync_source(db, source)
    spider = NewsSpider.from_crawler(crawler)
    crawler.spider = spider    # as Scrapy sets it when the crawl starts (pipelines reach the spider through it)
    return spider


def counters(crawler: Crawler) -> dict[str, int]:
    """crosswire's own counters in the crawl's stats, without their prefix."""
    return {key[len(STATS_PREFIX):]: value for key, value in crawler.stats.get_stats().items()
            if key.startswith(STATS_PREFIX)}


def described(request: Request) -> dict[str, Any]:
    """What a yielded request asks for, as a plain value to compare whole: URL, callbacks, meta, headers."""
    return {"url": request.url, "callback": getattr(request.callback, "__name__", None),
            "errback": getattr(request.errback, "__name__", None), "meta": request.meta,
            "headers": request.headers.to_unicode_dict(), "dont_filter": request.dont_filter}
