"""The feed spider: conditional GET on every feed, then only the articles not stored yet."""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from typing import Any, AsyncIterator, Iterable

import scrapy
from scrapy.http import Response

from crosswire.crawlers import schedule
from crosswire.crawlers.failures import classify, failure_exception
from crosswire.crawlers.entrypoints import EntryPointMixin
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.listings import ListingMixin
from crosswire.crawlers.sitemaps import SitemapMixin
from crosswire.crawlers.feeds import parse_feed
from crosswire.crawlers.polling import PollConfig
from crosswire.identity.urls import url_key
from crosswire.storage.articles import entry_changed, known_urls, link_known
from crosswire.storage.feeds import (ensure_feed, feed_state, forget_validators, record_feed_failure, record_feed_success,
                           sync_source)
from crosswire.storage.runs import record_error
from crosswire.storage.revisions import due_revisits


class FeedSpider(SitemapMixin, ListingMixin, EntryPointMixin, scrapy.Spider):
    """Fetches each configured feed and requests the articles behind its new entries."""

    name = "feeds"

    def __init__(self, sources: Iterable[Any] = (), run_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = list(sources)
        self.run_id = run_id
        # Articles requested in this run, by canonical URL, with the extra (feed_id, guid) sightings of the
        # same article from other feeds, recorded when the article is stored.
        self.pending: dict[str, list[tuple[int | None, str | None]]] = {}
        self.requested: set[str] = set()   # canonical URLs of every article requested in this run

    @property
    def db(self) -> Any:
        return self.crawler.crosswire_db  # opened by crosswire.crawlers.run, shared by pipelines

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            sync_source(self.db, name=source.name, homepage=source.homepage, title=getattr(source, "title", None),
                        country=source.country, language=source.language, tags=source.tags,
                        config=getattr(source, "config", None))
            for url in source.feeds:
                feed_id = ensure_feed(self.db, url, source.name)
                # Only feeds whose next_check has come (paused ones are re-probed rarely); --all polls every one.
                if not self.crawler.settings.getbool("CROSSWIRE_POLL_ALL") and not schedule.is_due(
                        feed_state(self.db, feed_id), schedule.now_utc(self.crawler.settings)):
                    self.stat("feeds_not_due")
                    continue
                yield self.feed_request(url, feed_id, source.name)
            for request in self.entry_point_requests(source):   # sitemaps and listing pages
                yield request
            for request in self.revisit_requests(source.name):   # stored articles due a look for edits
                yield request

    def feed_request(self, url: str, feed_id: int, source: str) -> scrapy.Request:
        """A conditional GET for a feed, using the validators from its last fetch."""
        state = feed_state(self.db, feed_id)
        headers = {}
        if self.crawler.settings.getbool("CROSSWIRE_FULL_FETCH"):
            state = {}      # after an interrupted crawl: re-read every feed in full to pick up missed articles
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        return scrapy.Request(
            url, headers=headers, callback=self.parse_feed, errback=self.feed_failed, dont_filter=True,
            meta={"handle_httpstatus_list": [304], "feed_id": feed_id, "source": source, "kind": "feed"},
        )

    @functools.cached_property
    def poll_config(self) -> PollConfig:
        return schedule.poll_config(self.crawler.settings)

    @functools.cached_property
    def rng(self) -> random.Random:
        # Backoff jitter; CROSSWIRE_SEED makes it reproducible.
        return random.Random(self.crawler.settings.get("CROSSWIRE_SEED"))

    def stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"crosswire/{key}", count)

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        feed_id, source = response.meta["feed_id"], response.meta["source"]
        self.stat("feeds_checked")
        now, cache_control = schedule.now_utc(self.crawler.settings), _header(response, "Cache-Control")
        if response.status == 304:
            self.stat("feeds_not_modified")
            decision = schedule.after_success(self.db, feed_id, now, self.poll_config, published=None,
                                              ttl_minutes=None, cache_control=cache_control)
            record_feed_success(self.db, feed_id, status=304, next_check=schedule.iso(decision.next_check),
                                now=schedule.iso(now))
            return
        parsed = parse_feed(response.body, response.url, response.headers.get("Content-Type", b"").decode("latin-1"))
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        decision = schedule.after_success(self.db, feed_id, now, self.poll_config,
                                          published=[e.published for e in parsed.entries],
                                          ttl_minutes=parsed.ttl_minutes, cache_control=cache_control)
        record_feed_success(
            self.db, feed_id, status=response.status, kind=parsed.kind, entries=len(parsed.entries),
            etag=etag.decode("latin-1") if etag else None, bozo=parsed.problem,
            last_modified=last_modified.decode("latin-1") if last_modified else None,
            next_check=schedule.iso(decision.next_check), now=schedule.iso(now),
        )
        if parsed.problem:
            # A malformed feed still yields what could be parsed; the problem is kept against the feed.
            self.stat("feed_problems")
            if not parsed.entries:
                self.stat("errors")
            record_error(self.db, run_id=self.run_id, feed_id=feed_id, source=source, url=response.url,
                         kind="parse", reason=parsed.problem)
        yield from self.article_requests(parsed.entries, feed_id=feed_id, source=source)

    def article_requests(self, entries: list[Any], *, feed_id: int | None, source: str) -> Iterable[scrapy.Request]:
        """Requests for the entries whose article is neither stored nor already requested in this run."""
        entries = self.in_scope(entries, source)   # include/exclude patterns, faceted-URL traps
        self.stat("entries_seen", len(entries))
        known = known_urls(self.db, [e.url for e in entries])
        for entry in entries:
            canon = url_key(entry.url)
            if entry.url in known:
                updated = entry.updated.isoformat() if entry.updated else None
                # A later <updated> than last time: the outlet edited it; fetch again for a revision.
                edited = entry_changed(self.db, entry.url, feed_id, updated) and canon not in self.pending
                link_known(self.db, entry.url, feed_id=feed_id, guid=entry.guid, entry_updated=updated)
                if edited:
                    yield self.refetch_request(entry.url, source, feed_id=feed_id, entry=entry.to_dict())
                # Stored earlier in this same run (reached through another feed) is a duplicate, not old news.
                self.stat("articles_duplicate" if canon in self.requested else "articles_known")
                continue
            if canon in self.pending:
                self.pending[canon].append((feed_id, entry.guid, entry.url))   # the URL: a variant to map
                self.stat("articles_duplicate")
                continue
            self.pending[canon] = []
            self.requested.add(canon)
            yield scrapy.Request(
                entry.url, callback=self.parse_article, errback=self.article_failed,
                meta={"feed_id": feed_id, "source": source, "entry": entry.to_dict(), "kind": "article"},
            )

    def parse_article(self, response: Response) -> Iterable[PageItem]:
        meta = response.meta
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        yield PageItem(
            url=response.url, body=response.body, source=meta["source"], content_type=content_type,
            requested_url=meta.get("redirect_urls", [response.request.url])[0] if response.request else None,
            feed_id=meta.get("feed_id"), guid=(meta.get("entry") or {}).get("guid"), entry=meta.get("entry"),
            refetch=bool(meta.get("refetch")),
        )

    def refetch_request(self, url: str, source: str, *, feed_id: int | None = None,
                        entry: dict[str, Any] | None = None) -> scrapy.Request:
        """A request for a stored article, to record a revision if it changed (see crosswire.storage.revisions)."""
        self.pending.setdefault(url_key(url), [])
        self.stat("articles_refetched")
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
                              meta={"feed_id": feed_id, "source": source, "entry": entry, "kind": "article",
                                    "refetch": True})

    def revisit_requests(self, source: str) -> Iterable[scrapy.Request]:
        """Re-fetch the source's recent articles at 1, 6, 24 and 72 h after first seen (crosswire.storage.revisit)."""
        for _, url in due_revisits(self.db, source, schedule.now_utc(self.crawler.settings)):
            if url_key(url) not in self.pending:
                yield self.refetch_request(url, source)

    def feed_failed(self, failure: Any) -> None:
        request = failure.request
        kind, reason = classify(failure_exception(failure))
        self.stat("feeds_checked")
        self.stat("errors")
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        now = schedule.now_utc(self.crawler.settings)
        retry_after = _header(response, "Retry-After") if status in (429, 503) else None
        decision, wait = schedule.after_failure(feed_state(self.db, request.meta["feed_id"]), now,
                                                self.poll_config, self.rng, reason=reason, retry_after=retry_after)
        if wait is not None:
            reason = f"{reason}, Retry-After {wait:.0f}s"
        record_feed_failure(self.db, request.meta["feed_id"], reason=reason, status=status,
                            next_check=schedule.iso(decision.next_check), paused=decision.paused,
                            paused_reason=decision.reason, now=schedule.iso(now),
                            retry_after=schedule.iso(now + timedelta(seconds=wait)) if wait is not None else None)
        record_error(self.db, run_id=self.run_id, feed_id=request.meta["feed_id"], source=request.meta["source"],
                     url=request.url, kind=kind, reason=reason)

    def article_failed(self, failure: Any) -> None:
        request = failure.request
        if request.meta.get("feed_id") is not None:
            # A 304 next time would hide this entry for good; fetch the feed in full so it is retried.
            forget_validators(self.db, request.meta["feed_id"])
        kind, reason = classify(failure_exception(failure))
        self.stat("errors")
        record_error(self.db, run_id=self.run_id, feed_id=request.meta.get("feed_id"),
                     source=request.meta.get("source"), url=request.url, kind=kind, reason=reason)


def _header(response: Any, name: str) -> str | None:
    """A response header as text, or None (also when there is no response)."""
    value = response.headers.get(name) if response is not None else None
    return value.decode("latin-1") if value else None
