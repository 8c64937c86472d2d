"""Politeness across machines: every worker of a distributed crawl shares one per-host limit and one robots.txt.

    SharedSlotMiddleware       before a request goes out, a worker takes a lease on its host in Redis: at most
                               `concurrency` leases at once per host, and starts at least `delay` seconds apart
                               (plus up to DOWNLOAD_DELAY_JITTER of it), whichever worker sends them. For a host
                               taking one request at a time the delay counts from the previous answer, so the
                               site itself never sees two requests closer together than `delay`, however long
                               a worker took to open its connection. The coordinator publishes each host's delay
                               and concurrency (its sources' own, else DOWNLOAD_DELAY and
                               CONCURRENT_REQUESTS_PER_DOMAIN); a lease expires on its own if its worker dies.
    SharedRobotsTxtMiddleware  robots.txt is fetched once per host per run, by whichever worker needs it first;
                               the others wait for its body in Redis and parse the same rules.

Both are the workers' (crawlers/worker.py); the coordinator fetches nothing. Each decision is one atomic Lua
script on Redis's own clock, so machines with skewed clocks still agree.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from typing import Any

import redis
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crosswire.crawlers.frontier import POLITE, PREFIX, ROBOTS, UNREACHABLE
from crosswire.crawlers.robots import SafeRobotsTxtMiddleware

# KEYS: the host's leases (sorted set, score = expiry in ms), its next allowed start (ms).
# ARGV: lease token, delay ms, concurrency, lease ms. Returns 0 when granted, else ms to wait (-1: at capacity).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return nxt - now end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
local delay = tonumber(ARGV[2])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay) end
return 0
"""
# KEYS as ACQUIRE; ARGV: lease token, delay ms to count from now (0: none). Gives the lease back.
RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
local delay = tonumber(ARGV[2])
if delay > 0 then
  local t = redis.call('TIME')
  local after = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + delay
  if after > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], after, 'PX', delay) end
end
return 0
"""
# KEYS: lease sets; ARGV: lease ms, then one token per key. Extends the leases a live worker still holds.
RENEW = """
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[i + 1]) then
    redis.call('ZADD', key, 'XX', expiry, ARGV[i + 1])
    redis.call('PEXPIRE', key, tonumber(ARGV[1]))
  end
end
return 0
"""
LEASE_SECONDS = 10.0        # a lease lives this long unless its worker renews it (every heartbeat)
BUSY_POLL = 0.05            # seconds between tries while a host is at its concurrency
POLITE_CACHE = 5.0          # seconds a worker keeps the published politeness table
HAND_BACK = "crosswire_hand_back"   # request.meta flag: the worker is stopping, give the request back


class HandedBack(IgnoreRequest):
    """A request the worker did not start because it is stopping; it goes back to the frontier."""


def host_keys(host: str) -> list[str]:
    """The Redis keys of a host's shared limit: its leases and its next allowed start."""
    return [f"{PREFIX}:host:{host}:leases", f"{PREFIX}:host:{host}:next"]


def publish_politeness(client: redis.Redis, default: dict[str, float], hosts: dict[str, dict[str, float]]) -> None:
    """Publish the delay and concurrency of every host (and the default for the others) for the workers."""
    table = {"*": json.dumps(default), **{host: json.dumps(values) for host, values in hosts.items()}}
    pipe = client.pipeline()
    pipe.delete(POLITE).hset(POLITE, mapping=table).execute()


def politeness_for(table: dict[str, dict[str, float]], host: str) -> tuple[float, int]:
    """(delay seconds, concurrency) of a host: its own entry over the default."""
    values = {"delay": 1.0, "concurrency": 2, **table.get("*", {}), **table.get(host, {})}
    return float(values["delay"]), max(1, int(values["concurrency"]))


class SharedSlotMiddleware:
    """Waits for the host's shared lease before a request goes out, and gives it back when the answer comes."""

    def __init__(self, crawler: Any, client: redis.Redis) -> None:
        self.crawler = crawler
        self.client = client
        self.acquire = client.register_script(ACQUIRE)
        self.give_back = client.register_script(RELEASE)
        self.jitter = crawler.settings.getfloat("DOWNLOAD_DELAY_JITTER")
        # Leases are renewed by the worker's heartbeat (renew()), so only a dead worker's lease ever expires.
        self.lease_ms = int(LEASE_SECONDS * 1000)
        self.renewal = client.register_script(RENEW)
        self.held: dict[str, str] = {}      # token -> host of the leases this worker holds
        crawler.crosswire_leases = self
        self.table: dict[str, dict[str, float]] = {}
        self.table_read = float("-inf")
        self.outage = getattr(crawler, "crosswire_outage", None)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SharedSlotMiddleware":
        return cls(crawler, crawler.crosswire_redis)

    def _politeness(self, host: str) -> tuple[float, int]:
        if time.monotonic() - self.table_read > POLITE_CACHE:
            raw = self.client.hgetall(POLITE)
            self.table = {k.decode(): json.loads(v) for k, v in raw.items()}
            self.table_read = time.monotonic()
        return politeness_for(self.table, host)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlparse_cached(request).hostname or ""
        token = uuid.uuid4().hex
        while True:
            if not self.crawler.engine.running:
                raise HandedBack("the worker is stopping")
            try:
                delay, concurrency = self._politeness(host)
                delay *= 1 + random.uniform(0, self.jitter)   # noqa: S311 — jitter, not secrecy
                wait = self.acquire(keys=host_keys(host), args=[token, int(delay * 1000), concurrency, self.lease_ms])
            except UNREACHABLE as exc:
                if self.outage is not None:
                    self.outage.lost(exc)
                await asyncio.sleep(1.0)
                continue
            if self.outage is not None:
                self.outage.back()
            if wait == 0:
                request.meta["crosswire_lease"] = (host, token, int(delay * 1000) if concurrency == 1 else 0)
                self.held[token] = host
                return
            await asyncio.sleep(BUSY_POLL if wait < 0 else min(wait / 1000, 1.0))

    def _release(self, request: Request) -> None:
        lease = request.meta.pop("crosswire_lease", None)
        if lease is not None:
            host, token, delay_ms = lease
            self.held.pop(token, None)
            try:
                self.give_back(keys=host_keys(host), args=[token, delay_ms])
            except UNREACHABLE:
                pass    # the lease expires by itself

    def renew(self) -> None:
        """Keep this worker's leases alive (called by its heartbeat; raises what UNREACHABLE names)."""
        if self.held:
            tokens = list(self.held)
            self.renewal(keys=[host_keys(self.held[t])[0] for t in tokens], args=[self.lease_ms, *tokens])

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        self._release(request)


class SharedRobotsTxtMiddleware(SafeRobotsTxtMiddleware):
    """robots.txt read once per host across all workers: the first to need it fetches it and shares the body."""

    WAIT = 60.0      # seconds to wait for another worker's fetch before fetching it ourselves

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.client: redis.Redis = crawler.crosswire_redis

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        if netloc in self._parsers:
            return await super().robot_parser(request)
        deadline = time.monotonic() + self.WAIT
        while time.monotonic() < deadline:
            try:
                body = self.client.hget(ROBOTS, netloc)
                if body is not None:
                    self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                    return self._parsers[netloc]
                if self.client.set(f"{ROBOTS}-lock:{netloc}", "1", nx=True, ex=int(self.WAIT)):
                    break   # ours to fetch
            except UNREACHABLE:
                break       # without Redis, each worker reads robots.txt itself
            await asyncio.sleep(0.1)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._share(netloc, response.body)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, HandedBack):
            self._unlock(netloc)        # this worker is stopping: another one fetches it
        else:
            self._share(netloc, b"")    # unreachable robots.txt: Scrapy allows everything, and so do the others
        super()._robots_error(exc, netloc)

    def _unlock(self, netloc: str) -> None:
        try:
            self.client.delete(f"{ROBOTS}-lock:{netloc}")
        except UNREACHABLE:
            pass    # the lock expires by itself

    def _share(self, netloc: str, body: bytes) -> None:
        try:
            self.client.hset(ROBOTS, netloc, body)
        except UNREACHABLE:
            pass    # the others fetch it themselves
