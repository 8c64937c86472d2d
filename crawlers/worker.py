"""`crosswire worker --redis URL`: a fetcher and extractor of a distributed crawl. It never opens the archive.

A worker runs Scrapy with scrapy-redis's scheduler and duplicate filter over the shared frontier
(crawlers/frontier.py): it takes whatever request comes next, whoever put it there, waits for the host's
shared lease (crawlers/politeness.py), fetches with crosswire's usual middlewares (robots.txt, Retry-After,
schemes, redirects, sizes), extracts article pages in its process pool, and hands every outcome back on the
results list for the coordinator to write. Which pages to fetch, and what they mean, is decided where the
database is: the coordinator runs the spider's callbacks on what workers send back.

A worker can be started, stopped or killed at any time. Each request it takes is marked as its own in
`crosswire:taken`; it beats a heartbeat every HEARTBEAT seconds. SIGTERM/SIGINT: what it had not started
goes back to the frontier, what it had started is finished and handed in. kill -9: its heartbeat stops and
the coordinator puts its requests back. Lost Redis: it says so in one line and keeps retrying.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
import warnings
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Iterable

import redis
import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crosswire.core.errors import ExtractionError
from crosswire.crawlers.failures import classify, failure_exception
from crosswire.crawlers.frontier import (
    CLIENT_PARAMS,
    DUPEFILTER,
    HEARTBEAT,
    QUEUE,
    RESULTS,
    SPIDER,
    TAKEN,
    WORKERS,
    UNREACHABLE,
    Outage,
    Result,
    connect,
    why,
)
from crosswire.crawlers.logformat import quiet_loggers
from crosswire.crawlers.politeness import HandedBack
from crosswire.crawlers.workers import extract_page, start_pool
from crosswire.identity.urls import redact

HEARTBEAT_SECONDS = 2.0     # how often a worker says it is alive (the coordinator waits CROSSWIRE_WORKER_TIMEOUT)
WAKE_SECONDS = 0.25         # how often an idle worker looks at the frontier (Scrapy's own idle poll is 5 s)
BACKOFF = (1, 2, 4, 8, 15, 30, 60)   # seconds between attempts to reach Redis at start


def rid_of(request: Request) -> str | None:
    """The frontier's id of a request (None for a worker's own requests, such as robots.txt)."""
    return (request.meta.get("crosswire") or {}).get("rid")


@dataclass
class Fetched:
    """A worker's item: a result on its way to the results list, and what extraction needs (article pages)."""

    result: Result
    extract: dict[str, Any] | None = None    # {"entry", "rules"}: extract this page before handing it in

    def __repr__(self) -> str:
        return f"<Fetched {self.result.url} {self.result.status}>"


class Courier:
    """Hands results in (and requests back) through Redis; keeps them while Redis is away and retries."""

    def __init__(self, client: redis.Redis, name: str, outage: Outage) -> None:
        self.client = client
        self.name = name
        self.outage = outage
        self.backlog: list[Callable[[], None]] = []

    def deliver(self, result: Result) -> None:
        """Push a result and release the request it answers, in one transaction."""
        result.worker = self.name
        data = result.encode()

        def send() -> None:
            self.client.pipeline().rpush(RESULTS, data).hdel(TAKEN, result.rid).execute()
        self._try(send)

    def release(self, rid: str) -> None:
        """The request is back in the frontier (a redirect, a retry): it is no longer this worker's."""
        self._try(lambda: self.client.hdel(TAKEN, rid))

    def _try(self, action: Callable[[], None]) -> None:
        try:
            action()
        except UNREACHABLE as exc:
            self.outage.lost(exc)
            self.backlog.append(action)
        else:
            self.outage.back()

    def retry(self) -> None:
        """Send what Redis refused before, in order; stop at the first refusal."""
        while self.backlog:
            try:
                self.backlog[0]()
            except UNREACHABLE as exc:
                self.outage.lost(exc)
                return
            self.backlog.pop(0)
            self.outage.back()


class WorkerScheduler(Scheduler):
    """scrapy-redis's scheduler, marking each request it takes as this worker's and riding out Redis outages."""

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "WorkerScheduler":
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.stats = None      # scrapy-redis's counters pass Scrapy a deprecated argument; Scrapy counts anyway
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.unsent: list[Request] = []

    def enqueue_request(self, request: Request) -> bool:
        """A redirect, a retry or a handed-back request goes back to the shared frontier."""
        try:
            queued = super().enqueue_request(request)
        except UNREACHABLE as exc:
            self.crawler.crosswire_outage.lost(exc)
            self.unsent.append(request)
            return True
        rid = rid_of(request)
        if rid is not None:
            if queued:
                self.crawler.crosswire_courier.release(rid)
            else:   # the shared duplicate filter dropped it: tell the coordinator
                self.crawler.crosswire_courier.deliver(Result(rid=rid, url=request.url, dropped=True))
        return queued

    def next_request(self) -> Request | None:
        """The frontier's next request, now held by this worker (None while Redis is away)."""
        outage = self.crawler.crosswire_outage
        try:
            while self.unsent:
                super().enqueue_request(self.unsent[0])
                self.unsent.pop(0)
            request = super().next_request()
            if request is not None and rid_of(request) is not None:
                self.server.hset(TAKEN, rid_of(request), self.crawler.crosswire_name)
        except UNREACHABLE as exc:
            outage.lost(exc)
            return None
        outage.back()
        if request is not None and request.errback is None:
            request.errback = self.spider.failed     # the coordinator sends requests without callbacks
        return request

    def has_pending_requests(self) -> bool:
        try:
            return bool(self.unsent) or super().has_pending_requests()
        except UNREACHABLE:
            return bool(self.unsent)


class FrontierSpider(scrapy.Spider):
    """Fetches whatever the frontier holds and hands back the response, or the extracted article."""

    name = SPIDER

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "FrontierSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.keep_open, signal=signals.spider_idle)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_down, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """Nothing of its own: every request comes from the frontier."""
        return
        yield  # an async generator that yields nothing

    def opened(self) -> None:
        """Say hello, then beat the heartbeat and keep an eye on the frontier."""
        crawler = self.crawler
        self.beat = crawler.crosswire_redis.register_script(HEARTBEAT)
        self.heartbeat()
        self.loops = [LoopingCall(self.heartbeat), LoopingCall(self.wake)]
        self.loops[0].start(HEARTBEAT_SECONDS, now=False)
        self.loops[1].start(WAKE_SECONDS, now=False)
        crawler.crosswire_say(f"{crawler.crosswire_name}: taking work from {redact(crawler.crosswire_url)}")

    def heartbeat(self) -> None:
        """Tell the coordinator this worker is alive; send what Redis refused earlier."""
        try:
            self.beat(keys=[WORKERS], args=[self.crawler.crosswire_name])
            leases = getattr(self.crawler, "crosswire_leases", None)
            if leases is not None:
                leases.renew()
        except UNREACHABLE as exc:
            self.crawler.crosswire_outage.lost(exc)
            return
        self.crawler.crosswire_outage.back()
        self.crawler.crosswire_courier.retry()

    def wake(self) -> None:
        """Ask the engine for the frontier's next requests (an idle engine would otherwise wait 5 s)."""
        slot = getattr(self.crawler.engine, "_slot", None)   # Scrapy has no public "look again now"
        if slot is not None and self.crawler.engine.running:
            slot.nextcall.schedule()

    def keep_open(self) -> None:
        """A worker is never done: the frontier may fill again at any time."""
        raise DontCloseSpider

    def closed_down(self) -> None:
        """Stop beating and leave the list of workers (so the coordinator need not wait for a timeout)."""
        for loop in getattr(self, "loops", []):
            if loop.running:
                loop.stop()
        self.crawler.crosswire_courier.retry()
        try:
            self.crawler.crosswire_redis.zrem(WORKERS, self.crawler.crosswire_name)
        except UNREACHABLE:
            pass    # the coordinator notices the missing heartbeat instead

    def parse(self, response: Response) -> Iterable[Fetched]:
        """Any response, whatever its status (the coordinator's callbacks judge it)."""
        meta = response.meta.get("crosswire") or {}
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in values]
                   for k, values in response.headers.items()
                   if k.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding", b"set-cookie")}
        result = Result(rid=meta["rid"], url=response.url, status=response.status, headers=headers,
                        body=response.body, redirect_urls=list(response.meta.get("redirect_urls", [])))
        extract = meta.get("extract") if 200 <= response.status < 300 else None
        yield Fetched(result, extract)

    def failed(self, failure: Any) -> Iterable[Fetched | Request]:
        """A request that got no response: its kind and reason go back, or it goes back if never started."""
        request = failure.request
        exc = failure_exception(failure)
        if isinstance(exc, HandedBack):
            yield request.replace(dont_filter=True)    # to the frontier, for another worker
            return
        kind, reason = classify(exc)
        yield Fetched(Result(rid=rid_of(request) or "", url=request.url, failure={"kind": kind, "reason": reason}))


class WorkerExtractPipeline:
    """Extracts article pages (in the process pool, as a crawl does) and sends the article instead of the page."""

    def __init__(self, crawler: Any) -> None:
        self.workers = crawler.settings.getint("CROSSWIRE_EXTRACT_WORKERS")
        self.pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "WorkerExtractPipeline":
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = start_pool(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: Fetched) -> Fetched:
        if item.extract is None:
            return item
        result = item.result
        content_type = (result.headers.get("Content-Type") or [None])[0]
        args = (result.body, result.url, item.extract.get("entry"), content_type, item.extract.get("rules"))
        try:
            if self.pool is None:
                article, topics = extract_page(*args)
            else:
                article, topics = await asyncio.wrap_future(self.pool.submit(extract_page, *args))
            result.article, result.topics = article, list(topics)
        except ExtractionError as exc:
            result.extract_error = {"kind": exc.kind, "reason": str(exc)}
        result.body = b""    # the coordinator needs the article, not the page
        return item


class DeliverPipeline:
    """Hands each result in."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DeliverPipeline":
        return cls(crawler)

    def process_item(self, item: Fetched) -> Fetched:
        if item.result.rid:
            self.crawler.crosswire_courier.deliver(item.result)
        return item


def worker_settings(url: str, overrides: dict[str, str] | None = None) -> Settings:
    """crosswire's settings for a worker: scrapy-redis's scheduler and filter on the shared frontier, the shared
    per-host limit instead of per-process delays, no time limit, and `-s` overrides."""
    settings = Settings()
    settings.setmodule("crosswire.crawlers.settings", priority="project")
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares.update({"crosswire.crawlers.robots.SafeRobotsTxtMiddleware": None,
                        "crosswire.crawlers.politeness.SharedRobotsTxtMiddleware": 100,
                        "crosswire.crawlers.politeness.SharedSlotMiddleware": 900})
    settings.setdict({
        "SCHEDULER": "crosswire.crawlers.worker.WorkerScheduler",
        "SCHEDULER_PERSIST": True,                    # the frontier outlives every worker
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_SERIALIZER": "crosswire.crawlers.frontier",
        "REDIS_URL": url,
        "REDIS_PARAMS": CLIENT_PARAMS,
        "HTTPERROR_ALLOW_ALL": True,                  # every status goes back; the coordinator's callbacks judge it
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "ITEM_PIPELINES": {"crosswire.crawlers.worker.WorkerExtractPipeline": 300,
                           "crosswire.crawlers.worker.DeliverPipeline": 800},
        "EXTENSIONS": {"crosswire.crawlers.progress.CrawlProgress": None},
        "CLOSESPIDER_TIMEOUT": 0,                     # a worker runs until it is stopped
    }, priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    # Per-site delay and concurrency are the shared limit's; this process adds none of its own on top.
    settings.setdict({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_SLOTS": {},
                      "CONCURRENT_REQUESTS_PER_DOMAIN": settings.getint("CONCURRENT_REQUESTS")}, priority="cmdline")
    return settings


def wait_for_redis(url: str, say: Callable[[str], None], sleep: Callable[[float], None] = time.sleep) -> redis.Redis:
    """A client once Redis answers; until then, one line saying why, and retries 1 s, 2 s, 4 s … 60 s apart."""
    client = connect(url)
    for attempt in range(10**9):
        try:
            client.ping()
            return client
        except UNREACHABLE as exc:
            if attempt == 0:
                say(f"cannot reach Redis at {redact(url)} ({why(exc)}); retrying with backoff")
            sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
    raise AssertionError("unreachable")


def default_name() -> str:
    """host:pid, what `crosswire status --redis` shows for a worker not given a --name."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(url: str, *, name: str | None, overrides: dict[str, str], say: Callable[[str], None]) -> None:
    """Work for the frontier at `url` until SIGTERM or SIGINT (returns then)."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        client = wait_for_redis(url, say)
    except _Stopped:
        return
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # scrapy-redis 0.9.1 still calls Spider.log() when it finds work waiting; Scrapy 2.19 warns about it.
    warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", category=ScrapyDeprecationWarning)
    process = CrawlerProcess(worker_settings(url, overrides))
    quiet_loggers()
    crawler = process.create_crawler(FrontierSpider)
    crawler.crosswire_url = url
    crawler.crosswire_name = name or default_name()
    crawler.crosswire_redis = client
    crawler.crosswire_say = say
    crawler.crosswire_outage = Outage(url, lambda line: say(f"{crawler.crosswire_name}: {line}"))
    crawler.crosswire_courier = Courier(client, crawler.crosswire_name, crawler.crosswire_outage)
    process.crawl(crawler)
    process.start()
    try:
        client.zrem(WORKERS, crawler.crosswire_name)   # stopped before its spider opened, or its close was cut
    except UNREACHABLE:
        pass    # the coordinator notices the missing heartbeat instead
    say(f"{crawler.crosswire_name}: stopped")


class _Stopped(Exception):
    """SIGTERM while waiting for Redis."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped
