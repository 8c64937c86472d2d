"""What the sitemap and listing entry points share: per-source limits, scope, backfill date, error records.

Mixed into the feed spider (one spider per crawl covers feeds, sitemaps and listing pages alike), so every
article URL still goes through the spider's `article_requests` (known-URL filter, pending dedup).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Iterable

import scrapy

from crosswire.crawlers.failures import classify, failure_exception
from crosswire.extraction.cleaning import parse_date
from crosswire.core.sources import DEFAULT_MAX_ARTICLES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAGES
from crosswire.crawlers.traps import trap_reason
from crosswire.storage.articles import known_urls
from crosswire.storage.feeds import feed_state, record_feed_failure
from crosswire.storage.runs import record_error
from crosswire.storage.topics import off_topic_urls


class EntryPointMixin:
    """Helpers for entry points other than feeds; the spider provides db, run_id, sources and stat()."""

    @functools.cached_property
    def source_by_name(self) -> dict[str, Any]:
        return {s.name: s for s in self.sources}

    @functools.cached_property
    def source_rules(self) -> dict[str, dict[str, Any]]:
        """Each source's extraction rules as a plain dict (it crosses into extraction worker processes)."""
        return {s.name: s.rules.as_dict() for s in self.sources if getattr(s, "rules", None)}

    @functools.cached_property
    def since(self) -> datetime | None:
        """The backfill date of `crawl --since` (CROSSWIRE_SINCE), as UTC, or None."""
        value = self.crawler.settings.get("CROSSWIRE_SINCE")
        return parse_date(value) if value else None

    @functools.cached_property
    def today(self) -> datetime:
        """Now, for calendar-trap checks; CROSSWIRE_NOW pins it (tests)."""
        from crosswire.crawlers.schedule import now_utc

        return now_utc(self.crawler.settings)

    def limit(self, source: str, key: str, own: int | None = None) -> int:
        """A per-source guard (max_pages, max_depth, max_articles): the entry point's, the source's, or the default."""
        defaults = {"max_pages": DEFAULT_MAX_PAGES, "max_depth": DEFAULT_MAX_DEPTH, "max_articles": DEFAULT_MAX_ARTICLES}
        return own or getattr(self.source_by_name.get(source), key, None) or defaults[key]

    def in_scope(self, entries: list[Any], source: str) -> list[Any]:
        """The entries whose URL passes the source's include/exclude patterns and is no obvious trap."""
        config = self.source_by_name.get(source)
        dropped = off_topic_urls(self.db, [e.url for e in entries]) if getattr(config, "only_topics", False) else set()
        kept = []
        for entry in entries:
            if config is not None and not config.matches_scope(entry.url):
                self.stat("off_scope")
                continue
            if entry.url in dropped:
                self.stat("off_topic")   # judged off topic by an earlier crawl: not fetched again
                continue
            # Feeds and sitemaps name their own articles: only the unmistakable traps are refused here;
            # links scraped off listing pages get the strict check in crawlers/listings.py.
            reason = trap_reason(entry.url, self.today, navigation=False, strict=False)
            if reason:
                self.stat("traps_skipped")
                self.note(source, entry.url, "trap", reason, count=False)
                continue
            kept.append(entry)
        return kept

    def settled(self, entries: list[Any], source: str) -> bool:
        """Whether every in-scope entry is stored already or was judged off topic (a routine crawl has caught up)."""
        config = self.source_by_name.get(source)
        wanted = [e.url for e in entries if config is None or config.matches_scope(e.url)]
        done = known_urls(self.db, wanted)
        if getattr(config, "only_topics", False):
            done |= off_topic_urls(self.db, wanted)
        return len(done) == len(set(wanted))

    def previous_success(self, feed_id: int) -> datetime | None:
        """When this entry point was last fetched successfully (before this run)."""
        return parse_date(feed_state(self.db, feed_id).get("last_success"))

    def note(self, source: str, url: str, kind: str, reason: str, *, feed_id: int | None = None,
             count: bool = True) -> None:
        """Record a problem or a cut in the errors table; `count` adds it to the crawl's error count."""
        if count:
            self.stat("errors")
        record_error(self.db, run_id=self.run_id, feed_id=feed_id, source=source, url=url, kind=kind, reason=reason)

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
        if feed_id is not None:
            record_feed_failure(self.db, feed_id, reason=reason, status=status)
        self.note(request.meta.get("source"), request.url, kind, reason, feed_id=feed_id)

    def entry_point_requests(self, source: Any) -> Iterable[scrapy.Request]:
        """The first requests of every sitemap and listing of a source."""
        yield from self.sitemap_start(source)
        yield from self.listing_start(source)

    @staticmethod
    def conditional_headers(state: dict[str, Any]) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from an entry point's last fetch."""
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        return headers


def header(response: Any, name: str) -> str | None:
    """A response header as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
