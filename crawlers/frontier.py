"""The shared crawl frontier in Redis: its keys, the connection, the codec of what crosses it, and its status.

`crosswire crawl --redis URL` (the coordinator, crawlers/coordinator.py) puts requests into scrapy-redis's
queue; `crosswire worker --redis URL` processes (crawlers/worker.py) take them with scrapy-redis's scheduler,
fetch and extract, and hand results back on one list. Everything lives under the `crosswire:` prefix:

    crosswire:requests      scrapy-redis's priority queue (a sorted set), the frontier itself
    crosswire:dupefilter    scrapy-redis's request fingerprints for the current run
    crosswire:results       what workers fetched or extracted, waiting for the writer (a list)
    crosswire:taken         request id -> the worker holding it (a hash), so a dead worker's work goes back
    crosswire:workers       worker -> when it was last seen, in Redis's own clock (a sorted set)
    crosswire:coordinator   the running coordinator and its run (a key with a time to live)
    crosswire:polite        per-host delay and concurrency, published by the coordinator (a hash)
    crosswire:host:<host>:* the shared per-host limit (crawlers/politeness.py); crosswire:robots:* robots.txt

Nothing here imports Scrapy, so `crosswire status --redis` stays light. What crosses Redis is JSON (bytes
tagged), never pickle: a stranger who can write to the Redis cannot make a worker run code.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import redis

from crosswire.core.errors import FrontierUnavailableError
from crosswire.identity.urls import redact, redact_text

PREFIX = "crosswire"
SPIDER = PREFIX                               # scrapy-redis names its keys after the spider: crosswire:requests
QUEUE = f"{PREFIX}:requests"
DUPEFILTER = f"{PREFIX}:dupefilter"
RESULTS = f"{PREFIX}:results"
TAKEN = f"{PREFIX}:taken"
WORKERS = f"{PREFIX}:workers"
COORDINATOR = f"{PREFIX}:coordinator"
POLITE = f"{PREFIX}:polite"
ROBOTS = f"{PREFIX}:robots"                   # a hash: netloc -> robots.txt body, for the current run
SCHEMES = ("redis://", "rediss://", "unix://")
# Socket timeouts: a Redis that stops answering is noticed within seconds, not scrapy-redis's 30.
CLIENT_PARAMS: dict[str, Any] = {"socket_timeout": 10, "socket_connect_timeout": 5, "health_check_interval": 15}
# What "Redis is away" looks like (a restart, a network cut, a server still loading its data); any other
# Redis error is a bug and is raised.
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
RECENT = 60.0                                 # seconds: a worker seen this recently counts as running


def check_url(url: str) -> str:
    """The Redis URL if it is one (redis://HOST:PORT/DB, rediss://, unix://PATH); a ValueError saying why if not."""
    if not url.startswith(SCHEMES):
        raise ValueError(f"{redact(url)}: expected a Redis URL such as redis://127.0.0.1:6379/0")
    try:
        redis.connection.parse_url(url)
    except ValueError as exc:
        raise ValueError(f"{redact(url)}: {exc}") from None
    return url


def connect(url: str) -> redis.Redis:
    """A client for the frontier's Redis (no connection is made until the first command)."""
    return redis.Redis.from_url(check_url(url), **CLIENT_PARAMS)


def reach(url: str) -> redis.Redis:
    """A client that has answered PING; FrontierUnavailableError (one line) when Redis cannot be reached."""
    client = connect(url)
    try:
        client.ping()
    except UNREACHABLE as exc:
        raise FrontierUnavailableError(f"cannot reach Redis at {redact(url)}: {why(exc)}") from None
    return client


def why(exc: BaseException) -> str:
    """A Redis failure in one short line ("Error 111 connecting to 127.0.0.1:6390. Connection refused.")."""
    text = (str(exc).strip().splitlines() or [""])[0][:200]
    return redact_text(text) or type(exc).__name__


def server_time(client: redis.Redis) -> float:
    """Redis's own clock in seconds: every machine compares heartbeats against the same clock."""
    seconds, micros = client.time()
    return seconds + micros / 1e6


class Outage:
    """Says once that Redis was lost (with why) and once that it is back, however many calls fail between."""

    def __init__(self, url: str, say: Callable[[str], None]) -> None:
        self.url = redact(url)
        self.say = say
        self.down = False

    def lost(self, exc: BaseException) -> None:
        """A Redis call failed."""
        if not self.down:
            self.down = True
            self.say(f"lost Redis at {self.url}: {why(exc)}; retrying")

    def back(self) -> None:
        """A Redis call worked."""
        if self.down:
            self.down = False
            self.say(f"Redis at {self.url} is back")


# Heartbeats on Redis's clock: KEYS[1] the workers' sorted set, ARGV[1] the worker's name.
HEARTBEAT = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(t[2]) / 1000000, ARGV[1])
return 1
"""


# --- the codec: scrapy-redis's serializer (this module has `loads` and `dumps`) --------------------------

def _pack(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"__b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _pack(v) for k, v in value.items()}
        return {"__d": [[_pack(k), _pack(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_pack(v) for v in value]
    return value


def _unpack(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b"}:
            return base64.b64decode(value["__b"])
        if set(value) == {"__d"}:
            return {_unpack(k): _unpack(v) for k, v in value["__d"]}
        return {k: _unpack(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def dumps(obj: Any) -> bytes:
    """A request dict (Request.to_dict) as JSON; bytes and bytes-keyed dicts (headers) are tagged."""
    return json.dumps(_pack(obj), separators=(",", ":"), default=str).encode("utf-8")


def loads(data: bytes) -> Any:
    """The inverse of `dumps`."""
    return _unpack(json.loads(data))


# --- results: what a worker hands back ----------------------------------------------------------------

@dataclass
class Result:
    """One request's outcome, from a worker to the coordinator. Exactly one of: a response (status, headers,
    body), an extraction (`article` or `extract_error`, for article pages), a `failure` (kind, reason) when
    nothing came back, `dropped` (a redirect to a page another request already fetched) or `handed_back`."""

    rid: str
    url: str = ""                                   # the final URL, after redirects
    status: int = 0
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    redirect_urls: list[str] = field(default_factory=list)
    article: dict[str, Any] | None = None
    topics: list[str] = field(default_factory=list)
    extract_error: dict[str, str] | None = None     # {"kind", "reason"} of an ExtractionError
    failure: dict[str, str] | None = None           # {"kind", "reason"} of a download that failed
    dropped: bool = False
    worker: str = ""

    def encode(self) -> bytes:
        """JSON of everything but the body, a newline, then the body deflated (feeds and sitemaps shrink 5-10x)."""
        head = {k: v for k, v in self.__dict__.items() if k != "body"}
        return json.dumps(head, separators=(",", ":")).encode("utf-8") + b"\n" + zlib.compress(self.body, 1)

    @classmethod
    def decode(cls, data: bytes) -> "Result":
        """The inverse of `encode`."""
        head, _, packed = data.partition(b"\n")
        return cls(**json.loads(head), body=zlib.decompress(packed) if packed else b"")


# --- status: `crosswire status --redis` ------------------------------------------------------------------

@dataclass(frozen=True)
class WorkerSeen:
    """A worker and how long ago it was last seen, with the requests it holds."""

    name: str
    seconds_ago: float
    holding: int


@dataclass(frozen=True)
class FrontierStatus:
    """What is waiting in the frontier, who works on it, and what waits for the writer."""

    waiting: int                      # requests in the queue, not taken yet
    taken: int                        # requests a worker holds
    results: int                      # results waiting to be written
    workers: list[WorkerSeen]         # seen in the last RECENT seconds, most recent first
    coordinator: str | None           # the running coordinator ("host:pid run N"), if any

    def as_dict(self) -> dict[str, Any]:
        """A plain dict for --json."""
        return {"waiting": self.waiting, "taken": self.taken, "results": self.results,
                "coordinator": self.coordinator,
                "workers": [{"name": w.name, "seconds_ago": round(w.seconds_ago, 1), "holding": w.holding}
                            for w in self.workers]}


def frontier_status(client: redis.Redis) -> FrontierStatus:
    """The frontier's status, read in one round trip."""
    pipe = client.pipeline(transaction=False)
    pipe.zcard(QUEUE).llen(RESULTS).hvals(TAKEN).zrange(WORKERS, 0, -1, withscores=True).get(COORDINATOR).time()
    waiting, results, holders, seen, coordinator, (seconds, micros) = pipe.execute()
    now = seconds + micros / 1e6
    holders = [h.decode() for h in holders]
    workers = [WorkerSeen(name.decode(), max(0.0, now - at), holders.count(name.decode()))
               for name, at in seen if now - at <= RECENT]
    workers.sort(key=lambda w: (w.seconds_ago, w.name))
    return FrontierStatus(waiting, len(holders), results, workers, coordinator.decode() if coordinator else None)


def status_lines(status: FrontierStatus) -> list[str]:
    """The frontier's status for people."""
    lines = [f"frontier: {status.waiting} requests waiting, {status.taken} taken by workers, "
             f"{status.results} results waiting to be written",
             f"coordinator: {status.coordinator or 'none running'}",
             f"workers seen in the last {RECENT:.0f} s: {len(status.workers)}"]
    lines += [f"  {w.name}  seen {int(w.seconds_ago)} s ago, holding {w.holding}" for w in status.workers]
    return lines
