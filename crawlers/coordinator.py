"""`crosswire crawl --redis URL`: the coordinator of a distributed crawl, and the archive's only writer.

The coordinator is the ordinary crawl (crawlers/run.py) with one difference: its downloader sends nothing over
the network. A download handler puts each request into the shared frontier (scrapy-redis's queue and
duplicate filter, crawlers/frontier.py) and waits for a worker's result; the spider's callbacks, the held
entry-point state and the pipelines then run here, beside the database, exactly as in one process. So the
same identity, duplicate, revision, family and story path stores every article, and an entry point's cache
state still advances only once every article it named is settled.

What the handler keeps: each request it pushed (`pending`), until its result comes back. Every CHECK seconds
it looks for work that cannot come back: taken by a worker whose heartbeat stopped (kill -9, a lost machine),
or gone from Redis altogether (a restart that lost the last second of writes); such work is pushed again, up
to MAX_ATTEMPTS times, then failed like a timeout. The run ends when the frontier is empty and nothing is
pending: Scrapy's own idle rule, since pending requests are downloads in progress.

A stop (SIGTERM, the run's time limit, a full disk) withdraws what no worker has taken yet and waits for what
they have; what was not stored stays due, as in one process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import redis
import scrapy
from scrapy import signals
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crosswire.core.errors import LockedError
from crosswire.crawlers import frontier as codec
from crosswire.crawlers.context import STATS_PREFIX, CrawlContext
from crosswire.crawlers.frontier import (
    COORDINATOR,
    DUPEFILTER,
    POLITE,
    QUEUE,
    RESULTS,
    ROBOTS,
    SPIDER,
    TAKEN,
    WORKERS,
    UNREACHABLE,
    Outage,
    Result,
    reach,
    server_time,
)
from crosswire.crawlers.politeness import publish_politeness
from crosswire.identity.urls import redact

LOGGER = logging.getLogger("crosswire.coordinator")
DRAIN = 0.02            # seconds between looks at the results list
DRAIN_BATCH = 200       # results taken per look
CHECK = 1.0             # seconds between looks for lost work
MAX_ATTEMPTS = 3        # pushes of one request before it counts as failed (a page that kills its workers)
LEASE = 30              # seconds the coordinator's claim on the frontier lives without being renewed
FRONTIER_KEYS = (QUEUE, DUPEFILTER, RESULTS, TAKEN, ROBOTS, POLITE)


class RemoteFailure(IgnoreRequest):
    """A download a worker could not make, with the kind and reason the worker classified it under."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


class Withdrawn(IgnoreRequest):
    """A request taken back from the frontier because the crawl is stopping: it stays due."""


class DroppedDuplicate(IgnoreRequest):
    """A request the shared duplicate filter dropped (two links redirecting to one page)."""


@contextmanager
def claimed(url: str) -> Iterator[str]:
    """Claim the frontier at `url` for this run: one line and exit 69 when Redis cannot be reached, LockedError
    when another coordinator is running; leftovers of a coordinator that died are cleared. Yields the run's
    token (every request id starts with it) and clears the frontier when the run ends."""
    client = reach(url)
    token = uuid.uuid4().hex[:12]
    who = f"{socket.gethostname()}:{os.getpid()} run {token}"
    if not client.set(COORDINATOR, who, nx=True, ex=LEASE):
        holder = client.get(COORDINATOR)
        raise LockedError(f"another coordinator is using the frontier at {redact(url)} "
                          f"({holder.decode() if holder else 'just finished'})")
    try:
        clear(client)
        yield token
    finally:
        try:
            # Only while the claim is still ours: past it (a long story clustering after a crash of ours, say)
            # the frontier may be another coordinator's.
            if client.get(COORDINATOR) in (who.encode(), None):
                clear(client)
                client.delete(COORDINATOR)
        except UNREACHABLE:
            pass    # the claim expires by itself; the next coordinator clears the rest


def clear(client: redis.Redis) -> None:
    """Empty the frontier of a run: its queue, filter, results, holders, politeness table and robots.txt."""
    locks = list(client.scan_iter(match=f"{ROBOTS}-lock:*", count=1000))
    client.delete(*FRONTIER_KEYS, *locks)


def coordinator_settings(settings: Settings) -> None:
    """Turn crawl settings into a coordinator's: requests go to the frontier, the fetching middlewares (robots,
    redirects, retries, decompression) run on the workers, and the sources' per-site delay and concurrency
    are published for them instead of applied here."""
    settings.set("CROSSWIRE_FRONTIER_SLOTS", settings.getdict("DOWNLOAD_SLOTS"), priority="cmdline")
    settings.set("CROSSWIRE_FRONTIER_DEFAULT", {"delay": settings.getfloat("DOWNLOAD_DELAY"),
                                               "concurrency": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")},
                 priority="cmdline")
    handler = "crosswire.crawlers.coordinator.FrontierDownloadHandler"
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    for path in ("crosswire.crawlers.robots.SafeRobotsTxtMiddleware",
                 "crosswire.crawlers.safety.BlockPrivateAddressesMiddleware",
                 "crosswire.crawlers.safety.ScriptRefreshMiddleware",
                 "crosswire.crawlers.safety.RedirectLoopMiddleware",
                 "scrapy.downloadermiddlewares.redirect.RedirectMiddleware",
                 "crosswire.crawlers.safety.MetaRefreshMiddleware",
                 "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware",
                 "scrapy.downloadermiddlewares.retry.RetryMiddleware"):
        middlewares[path] = None
    middlewares["crosswire.crawlers.coordinator.FrontierMiddleware"] = 950
    unbounded = 10**6
    settings.setdict({
        "DOWNLOAD_HANDLERS": {**settings.getdict("DOWNLOAD_HANDLERS"), "http": handler, "https": handler},
        "DOWNLOADER_MIDDLEWARES": middlewares,
        # Every request goes to the frontier at once; politeness is the workers' shared limit.
        "CONCURRENT_REQUESTS": unbounded, "CONCURRENT_REQUESTS_PER_DOMAIN": unbounded, "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_SLOTS": {}, "AUTOTHROTTLE_ENABLED": False, "RETRY_ENABLED": False,
        "CROSSWIRE_EXTRACT_WORKERS": 0,     # workers extract; the coordinator only writes
        # Scrapy's item tasks per response as before (crawlers/settings.py sets 1 for a crawl of its own): with one,
        # a coordinator stopped draining its workers' results while one page hung (tests/test_distributed.py).
        "CONCURRENT_ITEMS": 8,
    }, priority="cmdline")


@dataclass
class Pending:
    """A request in the frontier, waiting for its result."""

    request: Request                  # the spider's request (its callbacks run here)
    pushed: Request                   # what went into the frontier
    deferred: Deferred = field(default_factory=Deferred)
    attempts: int = 1
    suspect_since: float | None = None   # first seen neither queued, taken nor answered


class Frontier:
    """The coordinator's side of the frontier: pushes requests, drains results, and puts lost work back."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = settings["CROSSWIRE_REDIS"]
        self.token = settings["CROSSWIRE_FRONTIER_TOKEN"]
        self.client = codec.connect(self.url)
        self.scheduler = Scheduler(self.client, persist=True, queue_key=QUEUE,
                                   queue_cls="scrapy_redis.queue.PriorityQueue",
                                   dupefilter=RFPDupeFilter(self.client, DUPEFILTER), serializer=codec)
        self.scheduler.open(scrapy.Spider(name=SPIDER))
        self.pending: dict[str, Pending] = {}
        self.ids = itertools.count(1)
        self.per_host: Counter[str] = Counter()
        self.outage = Outage(self.url, lambda line: LOGGER.warning("coordinator: %s", line))
        self.worker_timeout = settings.getfloat("CROSSWIRE_WORKER_TIMEOUT")
        self.worker_wait = settings.getfloat("CROSSWIRE_WORKER_WAIT")
        self.stop_grace = settings.getfloat("DOWNLOAD_TIMEOUT") * (settings.getint("RETRY_TIMES") + 1) + 15
        self.worker_seen = time.monotonic()
        self.closing_since: float | None = None
        self.loops = [LoopingCall(self.drain), LoopingCall(self.check)]
        publish_politeness(self.client, settings.getdict("CROSSWIRE_FRONTIER_DEFAULT"),
                           settings.getdict("CROSSWIRE_FRONTIER_SLOTS"))
        crawler.signals.connect(self.start, signal=signals.spider_opened)
        crawler.signals.connect(self.stop, signal=signals.spider_closed)

    @classmethod
    def of(cls, crawler: Any) -> "Frontier":
        """The crawl's one Frontier (Scrapy builds a download handler per scheme; they share it)."""
        if getattr(crawler, "crosswire_frontier", None) is None:
            crawler.crosswire_frontier = cls(crawler)
        return crawler.crosswire_frontier

    def start(self) -> None:
        self.loops[0].start(DRAIN, now=False)
        self.loops[1].start(CHECK, now=False)

    def stop(self) -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()

    def stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(STATS_PREFIX + key, count)

    # --- pushing ---------------------------------------------------------------------------------------------

    async def fetch(self, request: Request) -> Response:
        """Put `request` into the frontier and wait for what a worker brings back."""
        rid = f"{self.token}:{next(self.ids)}"
        host = urlparse_cached(request).hostname or ""
        meta: dict[str, Any] = {"rid": rid, "kind": request.meta.get("kind")}
        if request.meta.get("kind") == "article":
            rules = CrawlContext.of(self.crawler).rules.get(request.meta.get("source"))
            meta["extract"] = {"entry": request.meta.get("entry"), "rules": rules}
        # Round robin over hosts: the n-th request to a host waits behind every host's (n-1)-th, so no worker
        # sits on a queue full of one site's pages while the others wait.
        pushed = Request(request.url, method=request.method, headers=request.headers, body=request.body,
                         priority=request.priority - self.per_host[host], dont_filter=request.dont_filter,
                         meta={"crosswire": meta})
        self.per_host[host] += 1
        pending = self.pending[rid] = Pending(request, pushed)
        try:
            queued = await self.push(pending.pushed)
        except Withdrawn:
            self.pending.pop(rid, None)
            raise
        if not queued:
            self.pending.pop(rid, None)
            raise DroppedDuplicate("already requested in this run")
        return await maybe_deferred_to_future(pending.deferred)

    async def push(self, pushed: Request) -> bool:
        """Enqueue through scrapy-redis's scheduler (its duplicate filter first); keep trying while Redis is away."""
        while True:
            try:
                queued = self.scheduler.enqueue_request(pushed)
            except UNREACHABLE as exc:
                self.outage.lost(exc)
                if self.closing():
                    raise Withdrawn("stopping while Redis is away") from None
                await asyncio.sleep(1.0)
                continue
            self.outage.back()
            return queued

    # --- results -----------------------------------------------------------------------------------------------

    def drain(self) -> None:
        """Take waiting results and hand each to the request that waits for it (unless the writer is behind)."""
        slot = self.crawler.engine.scraper.slot
        if not self.pending or slot is None or slot.needs_backout():
            return
        try:
            batch = self.client.lpop(RESULTS, DRAIN_BATCH) or []
        except UNREACHABLE as exc:
            self.outage.lost(exc)
            return
        self.outage.back()
        for data in batch:
            self.resolve(Result.decode(data))

    def resolve(self, result: Result) -> None:
        """Fire the waiting request's download with the response, the extraction or the failure it got."""
        pending = self.pending.pop(result.rid, None)
        if pending is None:
            return      # a duplicate answer (the request was pushed twice), or a previous run's
        request = pending.request
        if result.dropped:
            pending.deferred.errback(Failure(DroppedDuplicate("redirects to a page already requested")))
            return
        if result.failure is not None:
            pending.deferred.errback(Failure(RemoteFailure(result.failure["kind"], result.failure["reason"])))
            return
        if result.redirect_urls:
            request.meta["redirect_urls"] = result.redirect_urls
        if result.article is not None or result.extract_error is not None:
            request.meta["crosswire_extracted"] = {"article": result.article, "topics": result.topics,
                                                   "error": result.extract_error}
        headers = Headers({name: values for name, values in result.headers.items()})
        cls = responsetypes.from_args(headers=headers, url=result.url, body=result.body)
        pending.deferred.callback(cls(url=result.url, status=result.status, headers=headers, body=result.body,
                                      request=request))

    # --- lost work ----------------------------------------------------------------------------------------------

    def closing(self) -> bool:
        """Whether the crawl is stopping (Scrapy has no public flag for it)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        return slot is None or slot.closing is not None

    def check(self) -> None:
        """Renew the claim; put back the work of dead workers and work Redis lost; withdraw it when stopping."""
        try:
            self._check()
        except UNREACHABLE as exc:
            self.outage.lost(exc)
        else:
            self.outage.back()

    def _check(self) -> None:
        client = self.client
        client.expire(COORDINATOR, LEASE)
        if not self.pending:
            return
        now, mono = server_time(client), time.monotonic()
        alive = {name.decode() for name, at in client.zrange(WORKERS, 0, -1, withscores=True)
                 if now - at <= self.worker_timeout}
        if alive:
            self.worker_seen = mono
        taken = {rid.decode(): who.decode() for rid, who in client.hgetall(TAKEN).items()}
        if self.closing():
            self._withdraw(taken, alive, mono)
            return
        lost = [rid for rid, who in taken.items() if rid in self.pending and who not in alive]
        if lost:
            client.hdel(TAKEN, *lost)
        if not client.zcard(QUEUE) and not client.llen(RESULTS):
            lost += self._vanished(taken, mono)
        for rid in lost:
            self._again(rid)
        if mono - self.worker_seen > self.worker_wait:
            LOGGER.warning("coordinator: no worker seen for %.0f s; stopping", mono - self.worker_seen)
            self.worker_seen = float("inf")     # say it once
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="no-workers"))

    def _vanished(self, taken: dict[str, str], mono: float) -> list[str]:
        """Pending work neither queued, taken nor answered twice CHECK apart: Redis lost it (a restart)."""
        gone = []
        for rid, pending in self.pending.items():
            if rid in taken:
                pending.suspect_since = None
            elif pending.suspect_since is None:
                pending.suspect_since = mono
            elif mono - pending.suspect_since >= 2 * CHECK:
                gone.append(rid)
        return gone

    def _again(self, rid: str) -> None:
        """Push lost work again, or fail it once it has been lost MAX_ATTEMPTS times."""
        pending = self.pending.get(rid)
        if pending is None:
            return
        pending.suspect_since = None
        if pending.attempts >= MAX_ATTEMPTS:
            del self.pending[rid]
            pending.deferred.errback(Failure(RemoteFailure(
                "lost", f"lost {MAX_ATTEMPTS} times: the workers fetching it died or Redis lost it")))
            return
        pending.attempts += 1
        self.stat("requests_rescheduled")
        pending.pushed = pending.pushed.replace(dont_filter=True)   # the filter has seen it already
        self.scheduler.enqueue_request(pending.pushed)

    def _withdraw(self, taken: dict[str, str], alive: set[str], mono: float) -> None:
        """Stopping: take back what no live worker holds; after the grace period, stop waiting for the rest."""
        if self.closing_since is None:
            self.closing_since = mono
            self.client.delete(QUEUE)
        late = mono - self.closing_since > self.stop_grace
        for rid in list(self.pending):
            if late or taken.get(rid) not in alive:
                self.pending.pop(rid).deferred.errback(Failure(Withdrawn("the crawl is stopping")))


class FrontierDownloadHandler(BaseDownloadHandler):
    """http and https for the coordinator: through the frontier and a worker, never the network."""

    lazy = False

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.frontier = Frontier.of(crawler)

    async def download_request(self, request: Request) -> Response:
        return await self.frontier.fetch(request)


class FrontierMiddleware:
    """Ends withdrawn and dropped requests the way one process ends them: a withdrawn request is parked in the
    local scheduler (a stopping crawl never sends it, so what it named stays due) and a dropped one goes to the
    local duplicate filter, which drops it again with Scrapy's `request_dropped` signal."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "FrontierMiddleware":
        return cls()

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> Request | None:
        if isinstance(exception, Withdrawn):
            return request.replace(dont_filter=True)
        if isinstance(exception, DroppedDuplicate):
            if request.dont_filter:
                raise RemoteFailure("duplicate", str(exception))
            return request
        return None
