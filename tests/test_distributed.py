"""Past one machine, end to end: `crosswire crawl --redis` coordinates `crosswire worker --redis` processes through
a real redis-server, over the test web's outlets, each on its own loopback address (so each is its own site
for politeness, as it would be on the internet).

Every article is stored exactly once; robots.txt is read once per site for all workers; no outlet sees two
requests closer together than its configured delay, whichever workers send them; a worker killed with -9
mid-page loses nothing; a Redis restarted mid-run resumes; a worker that cannot reach Redis says so in one line
and keeps trying.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawling import CRAWL_TIMEOUT, crawl_command, settings_args
from crosswire.core import exitcodes
from crosswire.crawlers.frontier import QUEUE, RESULTS, TAKEN
from redisserver import RedisServer
from testweb import TestWeb
from testweb.site import Request, Response

OUTLETS = ["levant-ledger", "northern-dispatch", "gulf-wire", "al-mirsad", "vestnik-frontira", "frontline-review"]
# Each outlet's own delay (seconds between two requests) and one request at a time, in the sources file.
DELAYS = {name: 0.3 + 0.1 * index for index, name in enumerate(OUTLETS)}
WORKER_SETTINGS = {"CROSSWIRE_EXTRACT_WORKERS": "0", "RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "5"}
WAIT = 60.0       # seconds before a state the test polls for counts as never reached (a guard)


@dataclass
class Outlets:
    """The test web's outlets, one TestWeb each on 127.0.0.2, .3, …; their sources file; what they hold."""

    webs: dict[str, TestWeb]
    sources: Path

    @property
    def article_urls(self) -> set[str]:
        return {a["url"] for name, web in self.webs.items() for a in web.articles(name)}

    @property
    def article_paths(self) -> set[str]:
        return {a["path"] for name, web in self.webs.items() for a in web.articles(name)}

    def requests(self) -> list[tuple[str, str, float]]:
        """(outlet, path without its query, arrival) of every request any outlet received."""
        return [(r.outlet, r.path.split("?")[0], r.at) for web in self.webs.values() for r in web.requests]


@pytest.fixture
def outlets(tmp_path: Path) -> Iterator[Outlets]:
    webs = {name: TestWeb(outlets=[name], host=f"127.0.0.{index + 2}").start() for index, name in enumerate(OUTLETS)}
    chunks = []
    for name, web in webs.items():
        # Each [[source]] block gets its own politeness (the keys go right after its name).
        chunks.append(web.sources_toml().replace(f'name = "{name}"\n',
                                                 f'name = "{name}"\ndelay = {DELAYS[name]}\nconcurrency = 1\n'))
    sources = tmp_path / "sources.toml"
    sources.write_text("\n".join(chunks))
    yield Outlets(webs, sources)
    for web in webs.values():
        web.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def worker(url: str, name: str, **settings: str) -> subprocess.Popen:
    """`crosswire worker --redis URL --name NAME` with test settings, its stderr piped."""
    return subprocess.Popen([sys.executable, "-m", "crosswire", "worker", "--redis", url, "--name", name,
                             *settings_args({**WORKER_SETTINGS, **settings})],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def coordinator(db: Path, sources: Path, url: str, *extra: str) -> subprocess.Popen:
    """`crosswire crawl --redis URL` with the suite's FAST_SETTINGS."""
    return subprocess.Popen([*crawl_command(db, sources, "--redis", url, *extra)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def said(line: str) -> str:
    """A line a worker said, without the newline."""
    return line.rstrip("\n")


def stop_workers(workers: list[subprocess.Popen]) -> list[tuple[int, str]]:
    """SIGTERM each worker; (exit code, last line it said) of each."""
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    out = []
    for process in workers:
        _, err = process.communicate(timeout=CRAWL_TIMEOUT)
        out.append((process.returncode, said((err.strip().splitlines() or [""])[-1])))
    return out


def stored(db: Path) -> list[str]:
    """The URL of every stored article, sorted (a URL stored twice appears twice)."""
    with sqlite3.connect(db) as conn:
        return sorted(url for (url,) in conn.execute("select url from articles"))


def poll(condition, what: str) -> None:  # noqa: ANN001 — any callable answering True once the state is reached
    """Poll `condition` until it holds (a guard of WAIT seconds)."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never reached: {what}")
        time.sleep(0.05)    # polling the state, not waiting for time to pass


def test_three_workers_store_every_article_once_politely(outlets: Outlets, redis_server: RedisServer,
                                                         tmp_path: Path) -> None:
    workers = [worker(redis_server.url, f"w{n}") for n in (1, 2, 3)]
    db = tmp_path / "cw.db"
    run = coordinator(db, outlets.sources, redis_server.url)
    out, err = run.communicate(timeout=CRAWL_TIMEOUT)
    assert [(0, f"crosswire worker: w{n}: stopped") for n in (1, 2, 3)] == stop_workers(workers)
    assert exitcodes.OK == run.returncode, err[-3000:]
    assert out.startswith("7 feeds checked (0 not modified), 22 new articles, 2 duplicates, 0 already stored, "
                          "0 errors in "), out
    assert sorted(outlets.article_urls) == stored(db)
    log = outlets.requests()
    # robots.txt read once per site, for all three workers; every article page fetched once.
    assert {name: 1 for name in OUTLETS} == Counter(outlet for outlet, path, _ in log if path == "/robots.txt")
    assert {path: 1 for path in outlets.article_paths} == Counter(path for _, path, _ in log
                                                                 if path in outlets.article_paths)
    # No outlet saw two requests closer together than its delay, across all workers.
    too_close = []
    for name in OUTLETS:
        times = sorted(at for outlet, _, at in log if outlet == name)
        too_close += [(name, round(b - a, 3)) for a, b in zip(times, times[1:]) if b - a < DELAYS[name]]
    assert [] == too_close, (too_close, sorted((round(a, 3), p) for o, p, a in log if o == too_close[0][0]))
    assert {} == {key: value for key, value in
                  ((k, redis_server.client().exists(k)) for k in (QUEUE, RESULTS, TAKEN)) if value}


def block(web: TestWeb, outlet: str, path: str) -> tuple[threading.Event, threading.Event]:
    """Make one article page hang until released: (arrived, release) events."""
    arrived, release = threading.Event(), threading.Event()
    site = web.site(outlet)
    original = site.routes[path].handler

    def hanging(request: Request) -> Response:
        arrived.set()
        release.wait(WAIT)
        return original(request)

    site.add(path, hanging)
    return arrived, release


def only_the_blocked_page_is_left(client) -> bool:  # noqa: ANN001 — a redis client
    """Everything fetched and handed in but the one page held by its worker."""
    return client.hlen(TAKEN) == 1 and not client.zcard(QUEUE) and not client.llen(RESULTS)


def test_a_worker_killed_mid_page_loses_nothing(outlets: Outlets, redis_server: RedisServer,
                                                tmp_path: Path) -> None:
    blocked = outlets.webs["gulf-wire"].articles("gulf-wire")[0]["path"]
    arrived, release = block(outlets.webs["gulf-wire"], "gulf-wire", blocked)
    # One request at a time per worker, so the one holding the hanging page holds nothing else; a timeout
    # longer than the wait for every other page, so the hanging page is still being fetched when the end comes.
    workers = {f"w{n}": worker(redis_server.url, f"w{n}", CONCURRENT_REQUESTS="1", DOWNLOAD_TIMEOUT=str(WAIT))
               for n in (1, 2, 3)}
    db = tmp_path / "cw.db"
    # Workers beat every 2 s; a timeout of 3 s let a live worker starved for a second on a loaded machine
    # count as dead too (its requests were put back: 3 instead of 1). Five beats' margin holds under load.
    run = coordinator(db, outlets.sources, redis_server.url, "-s", "CROSSWIRE_WORKER_TIMEOUT=10")
    client = redis_server.client()
    poll(arrived.is_set, "the hanging page requested")
    poll(lambda: only_the_blocked_page_is_left(client), "every other page handed in")
    holder = next(iter(client.hvals(TAKEN))).decode()
    os.kill(workers[holder].pid, signal.SIGKILL)     # mid-page: its response has not even started
    release.set()
    out, err = run.communicate(timeout=CRAWL_TIMEOUT)
    survivors = [process for name, process in workers.items() if name != holder]
    assert [0, 0] == [code for code, _ in stop_workers(survivors)]
    workers[holder].communicate(timeout=CRAWL_TIMEOUT)
    assert -signal.SIGKILL == workers[holder].returncode
    assert exitcodes.OK == run.returncode, (out, err[-3000:])
    assert out.startswith("7 feeds checked (0 not modified), 22 new articles, 2 duplicates"), out
    assert "; 1 request put back after a worker died" in out, out
    assert sorted(outlets.article_urls) == stored(db)
    # Asked twice: once by the worker that died, once by the one it was given to.
    assert 2 == sum(1 for _, path, _ in outlets.requests() if path == blocked)


def test_redis_restarted_mid_run_resumes(outlets: Outlets, redis_server: RedisServer, tmp_path: Path) -> None:
    blocked = outlets.webs["al-mirsad"].articles("al-mirsad")[0]["path"]
    arrived, release = block(outlets.webs["al-mirsad"], "al-mirsad", blocked)
    workers = [worker(redis_server.url, f"w{n}", CONCURRENT_REQUESTS="1", DOWNLOAD_TIMEOUT=str(WAIT)) for n in (1, 2)]
    db = tmp_path / "cw.db"
    run = coordinator(db, outlets.sources, redis_server.url)
    client = redis_server.client()
    poll(arrived.is_set, "the hanging page requested")
    poll(lambda: only_the_blocked_page_is_left(client), "every other page handed in")
    holder = client.hgetall(TAKEN)
    redis_server.restart()
    assert holder == redis_server.client().hgetall(TAKEN)      # the frontier came back from disk
    release.set()
    out, err = run.communicate(timeout=CRAWL_TIMEOUT)
    assert [0, 0] == [code for code, _ in stop_workers(workers)]
    assert exitcodes.OK == run.returncode, err[-3000:]
    assert out.startswith("7 feeds checked (0 not modified), 22 new articles, 2 duplicates"), out
    assert sorted(outlets.article_urls) == stored(db)


def test_a_worker_without_redis_says_so_once_and_keeps_trying(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    process = worker(server.url, "w1")
    first = process.stderr.readline()
    assert (f"crosswire worker: cannot reach Redis at {server.url} (Error 111 connecting to 127.0.0.1:{server.port}. "
            f"Connection refused.); retrying with backoff\n") == first
    server.start()
    try:
        second = process.stderr.readline()
        assert f"crosswire worker: w1: taking work from {server.url}" == said(second)
        assert [(0, "crosswire worker: w1: stopped")] == stop_workers([process])
    finally:
        server.stop()
