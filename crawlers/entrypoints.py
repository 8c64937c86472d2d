"""What the spider's entry points (feeds, sitemaps, listing pages) share: the crawl's context, its clock,
per-source limits and scope, the backfill date, and error records.

Mixed into the spider (one spider per crawl covers feeds, sitemaps and listing pages alike), so every
article URL still goes through the spider's `article_requests` (known-URL filter, pending dedup).
"""

from __future__ import annotations

import functools
import random
from datetime import datetime
from typing import Any, Generator

import scrapy
import sqlite_utils

from crosswire.core.article import FeedEntry
from crosswire.core.sources import (
    DEFAULT_MAX_ARTICLES,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_PAGES,
)
from crosswire.core.times import iso, parse_iso
from crosswire.crawlers.context import STATS_PREFIX, CrawlContext
from crosswire.crawlers.failures import classify, failure_exception
from crosswire.crawlers.fetch import source_headers
from crosswire.crawlers.schedule import PollConfig, after_success, crawl_clock, failure_decision, is_due, poll_config
from crosswire.crawlers.traps import trap_reason
from crosswire.extraction.cleaning import parse_date
from crosswire.identity.urls import url_key
from crosswire.storage.articles import known_urls
from crosswire.storage.feeds import feed_published_times, feed_state, record_feed_failure
from crosswire.storage.topics import off_topic_urls

_LIMIT_DEFAULTS = {"max_pages": DEFAULT_MAX_PAGES, "max_depth": DEFAULT_MAX_DEPTH,
                   "max_articles": DEFAULT_MAX_ARTICLES}


class EntryPointMixin:
    """Helpers every entry point uses; the spider class provides `crawler` and `article_requests`."""

    crawler: Any

    @property
    def context(self) -> CrawlContext:
        """The crawl's shared state (database, run, sources, articles in flight)."""
        return CrawlContext.of(self.crawler)

    @property
    def db(self) -> sqlite_utils.Database:
        """The crawl's database."""
        return self.context.db

    @property
    def now(self) -> datetime:
        """The crawl's clock (CROSSWIRE_NOW pins it in tests)."""
        return crawl_clock(self.crawler.settings)

    @functools.cached_property
    def today(self) -> datetime:
        """The clock at the start of the crawl, for calendar-trap checks."""
        return self.now

    @functools.cached_property
    def since(self) -> datetime | None:
        """The backfill date of `crawl --since` (CROSSWIRE_SINCE), as UTC, or None."""
        value = self.crawler.settings.get("CROSSWIRE_SINCE")
        return parse_date(value) if value else None

    @functools.cached_property
    def poll_config(self) -> PollConfig:
        """The polling limits of this crawl's settings."""
        return poll_config(self.crawler.settings)

    @functools.cached_property
    def rng(self) -> random.Random:
        """Backoff jitter; CROSSWIRE_SEED makes it reproducible."""
        return random.Random(self.crawler.settings.get("CROSSWIRE_SEED"))

    def stat(self, key: str, count: int = 1) -> None:
        """Add to one of crosswire's counters in the crawl's stats."""
        self.crawler.stats.inc_value(STATS_PREFIX + key, count)

    def limit(self, source: str, key: str, own: int | None = None) -> int:
        """A per-source guard (max_pages, max_depth, max_articles): the entry point's, the source's, or the default."""
        config = self.context.sources.get(source)
        return own or (getattr(config, key) if config is not None else None) or _LIMIT_DEFAULTS[key]

    def in_scope(self, entries: list[FeedEntry], source: str) -> list[FeedEntry]:
        """The entries whose URL passes the source's include/exclude patterns and is no obvious trap."""
        config = self.context.sources.get(source)
        only_topics = config is not None and config.only_topics
        dropped = off_topic_urls(self.db, [e.url for e in entries]) if only_topics else set()
        kept = []
        for entry in entries:
            if config is not None and not config.matches_scope(entry.url):
                self.stat("off_scope")
                continue
            if entry.url in dropped:
                self.stat("off_topic")   # judged off topic by an earlier crawl: not fetched again
                continue
            # Feeds and sitemaps name their own articles: only the unmistakable traps are refused here;
            # links scraped off listing pages get the strict check in crosswire.crawlers.listings.
            reason = trap_reason(entry.url, self.today, navigation=False, strict=False)
            if reason:
                self.stat("traps_skipped")
                self.note(source, entry.url, "trap", reason, count=False)
                continue
            kept.append(entry)
        return kept

    def settled(self, entries: list[FeedEntry], source: str) -> bool:
        """Whether every in-scope entry is stored already or was judged off topic (a routine crawl has caught up)."""
        config = self.context.sources.get(source)
        wanted = [e.url for e in entries if config is None or config.matches_scope(e.url)]
        # Only what earlier crawls stored says this page was read before: an article this run reached first
        # through another listing or feed (and may have stored already) says nothing about this page, and
        # counting it made pagination stop short depending on which response happened to arrive first.
        done = {url for url in known_urls(self.db, wanted) if url_key(url) not in self.context.requested}
        if config is not None and config.only_topics:
            done |= off_topic_urls(self.db, wanted)
        return len(done) == len(set(wanted))

    def due(self, feed_id: int) -> bool:
        """Whether a scheduled entry point (a feed, a root sitemap, a listing's first page) is to be read now:
        its next check has come, or this crawl reads everything (--all, --since, after an interrupted run)."""
        if self.since is not None or self.crawler.settings.getbool("CROSSWIRE_POLL_ALL"):
            return True
        return is_due(feed_state(self.db, feed_id).get("next_check"), self.now)

    def next_check(self, feed_id: int, published: list[datetime | None] | None, response: Any) -> str:
        """When a scheduled entry point that just answered is next due (its posting rate, else the rate of the
        articles seen through it, and the server's Cache-Control), as an ISO time."""
        dates = [d for d in published or [] if d is not None] or feed_published_times(self.db, feed_id)
        return iso(after_success(self.now, published=dates, cache_control=header(response, "Cache-Control"),
                                 config=self.poll_config).next_check)

    def previous_success(self, feed_id: int) -> datetime | None:
        """When this entry point was last fetched successfully (before this run)."""
        return parse_iso(feed_state(self.db, feed_id).get("last_success"))

    def note(self, source: str | None, url: str, kind: str, reason: str, *, feed_id: int | None = None,
             count: bool = True) -> None:
        """Record a problem or a cut in the errors table; `count` adds it to the crawl's error count."""
        self.context.error(self.crawler.stats, url=url, kind=kind, reason=reason, source=source,
                           feed_id=feed_id, count=count)

    def cut(self, source: str, url: str, reason: str, *, feed_id: int | None = None) -> None:
        """A guard stopped this entry point short: counted in the summary and recorded with its reason."""
        self.stat("cut_by_limits")
        self.note(source, url, "limit", reason, feed_id=feed_id, count=False)

    def entry_point_failed(self, failure: Any) -> None:
        """A sitemap, robots.txt or listing page that could not be fetched (HTTP error, robots.txt, ...)."""
        request = failure.request
        kind, reason = classify(failure_exception(failure))
        status = getattr(getattr(failure.value, "response", None), "status", None)
        feed_id = request.meta.get("feed_id")
        if feed_id is not None and request.meta.get("scheduled"):
            # A root sitemap or a listing's first page backs off (honouring Retry-After) and pauses as a feed does.
            now, response = self.now, getattr(failure.value, "response", None)
            retry_after = header(response, "Retry-After") if status in (429, 503) else None
            decision, wait = failure_decision(feed_state(self.db, feed_id), now, self.poll_config, self.rng,
                                              reason=reason, retry_after=retry_after)
            record_feed_failure(self.db, feed_id, reason=reason, status=status, next_check=iso(decision.next_check),
                                paused=decision.paused, paused_reason=decision.reason, now=iso(now))
        elif feed_id is not None:
            record_feed_failure(self.db, feed_id, reason=reason, status=status)
        self.note(request.meta.get("source"), request.url, kind, reason, feed_id=feed_id)
        if request.meta.get("key"):
            # An index or listing waiting for this sitemap or page: it is read in full next time.
            self.context.settle(request.meta["key"], ok=False)

    def headers_for(self, source: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        """A request's headers for `source`: its language's Accept-Language and its own `headers`, then `extra`
        (the conditional GET's); Scrapy adds the defaults and the User-Agent."""
        return {**source_headers(self.context.sources.get(source)), **(extra or {})}

    @staticmethod
    def conditional_headers(state: dict[str, Any]) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from an entry point's last fetch."""
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        return headers

    def article_requests(self, entries: list[FeedEntry], *, feed_id: int | None,
                         source: str) -> Generator[scrapy.Request, None, bool]:
        """Requests for the entries whose article is neither stored nor already requested (the spider's);
        returns whether the per-crawl limit cut the list short."""
        raise NotImplementedError


def header(response: Any, name: str) -> str | None:
    """A response header as text, or None (also when there is no response)."""
    value = response.headers.get(name) if response is not None else None
    return value.decode("latin-1") if value else None
