"""Which of Scrapy's own middlewares and extensions a crawl runs: crawlers/settings.py names them, and every
one of Scrapy's defaults is either kept (at Scrapy's priority) or left out on purpose, so a Scrapy upgrade that
adds a component fails here until someone decides about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import default_settings

from crosswire.crawlers.run import crawl_settings

# Left out, each for the reason crawlers/settings.py gives.
LEFT_OUT = {
    "DOWNLOADER_MIDDLEWARES_BASE": {
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
        "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
        "scrapy.downloadermiddlewares.stats.DownloaderStats",
        "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
        "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",   # crosswire's subclass runs instead
    },
    "SPIDER_MIDDLEWARES_BASE": {
        "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
    },
    "EXTENSIONS_BASE": {
        "scrapy.extensions.logcount.LogCount",
        "scrapy.extensions.telnet.TelnetConsole",
        "scrapy.extensions.memusage.MemoryUsage",
        "scrapy.extensions.memdebug.MemoryDebugger",
        "scrapy.extensions.feedexport.FeedExporter",
        "scrapy.extensions.spiderstate.SpiderState",
        "scrapy.extensions.remote_control.RemoteControl",
    },
}


@pytest.mark.parametrize("name", sorted(LEFT_OUT))
def test_each_default_component_of_scrapy_is_kept_at_its_priority_or_left_out_on_purpose(name):
    scrapys = dict(getattr(default_settings, name))
    ours = crawl_settings(Path("unit.db"), []).getdict(name)
    assert {k: v for k, v in scrapys.items() if k not in LEFT_OUT[name]} == ours


def test_crosswires_own_components_come_on_top_of_the_kept_ones():
    settings = crawl_settings(Path("unit.db"), [])
    assert ["crosswire.crawlers.progress.CrawlProgress"] == list(settings.getdict("EXTENSIONS"))
    assert ({} == settings.getdict("SPIDER_MIDDLEWARES")
            and all(k.startswith("crosswire.") for k in settings.getdict("DOWNLOADER_MIDDLEWARES")))


@pytest.mark.parametrize(("overrides", "versions"), [
    ({}, []),                                             # the default WARNING log never shows them
    ({"LOG_LEVEL": "ERROR"}, []),
    ({"LOG_LEVEL": "INFO"}, list(default_settings.LOG_VERSIONS)),
    ({"LOG_LEVEL": "debug"}, list(default_settings.LOG_VERSIONS)),
    ({"LOG_LEVEL": 20}, list(default_settings.LOG_VERSIONS)),
    ({"LOG_VERSIONS": "lxml,Twisted"}, ["lxml", "Twisted"]),   # asked for: kept whatever the level
])
def test_scrapy_works_out_its_dependencies_versions_only_for_a_log_that_shows_them(overrides, versions):
    assert crawl_settings(Path("unused.db"), [], overrides).getlist("LOG_VERSIONS") == versions
