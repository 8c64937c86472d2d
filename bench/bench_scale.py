"""Past one machine: pages per second of one crawling process vs 1, 2 and 4 workers sharing a Redis frontier,
and the writer's own ceiling, on a test web of distant, polite outlets.

Usage:  python bench/bench_scale.py [--outlets 80] [--articles 15] [--latency 0.3] [--delay 1.0]
                                    [--concurrency 6] [--workers 1 2 4]

The test web: `--outlets` generated outlets (an RSS feed and `--articles` article pages each, in words of
their own), each on its own loopback address, every answer taking `--latency` seconds; the sources file gives
each one request at a time and `--delay` seconds between requests. Every crawling process, the single one and
each worker, juggles `--concurrency` requests at once (CONCURRENT_REQUESTS) and extracts in its own process
(CROSSWIRE_EXTRACT_WORKERS=0): what bounds one process here is how many sites it can wait on at a time.
Jitter and AutoThrottle are off in every run, so each run is polite the same way.

Runs, in this one invocation and on a fresh archive each:
  1. single: `crosswire crawl` as today, one process (Scrapy's DownloaderAwarePriorityQueue, so one site's
     queue does not fill its slots: Scrapy's default queue is also measured);
  2. workers N: a redis-server on a free port, N `crosswire worker` processes, `crosswire crawl --redis`;
  3. writer: on a fast web (no latency, no delay) whose article pages wait behind a gate, the coordinator is
     paused (SIGSTOP) once every article is scheduled; the gate opens, 4 workers fetch and extract
     everything, then the coordinator resumes (SIGCONT) and the articles it stores per second, with every
     result already waiting in Redis, are its ceiling.
Pages/s counts every request the outlets received (robots.txt, feeds, articles) between the first and the
last; every run must store every article exactly once or the benchmark fails.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))     # the test web lives with the tests (it is not installed)

from redisserver import RedisServer  # noqa: E402
from testweb import TestWeb  # noqa: E402
from testweb.outlets import ArticleData, FeedSpec, Outlet, build_site, ground_truth  # noqa: E402
from testweb.server import Mounted  # noqa: E402

PY = sys.executable
PLACES = ["Harran", "Qadir", "Belmonte", "Ostrava Nova", "Tel Sarif", "Marwen", "Kestrel Bay", "Dunmore", "Azhar",
          "Velika", "Sorrento Flats", "Karabel", "Nineveh Plains", "Port Idris", "Lowmarsh", "Zhelt"]
SUBJECTS = ["the council", "aid convoys", "the water board", "farmers", "the harbour authority", "border guards",
            "two hospitals", "the railway union", "schoolteachers", "the grain exchange", "local mediators"]
EVENTS = ["reported shortages of fuel", "agreed a three-day pause", "reopened the northern crossing",
          "counted damage to the pumping station", "asked for more inspectors", "delayed the harvest auction",
          "restored power to the old quarter", "published new casualty figures", "closed the coastal road"]
TEMPLATES = ["ledger", "dispatch", "wire", "monitor", "vestnik", "review"]


def sentence(rng: random.Random, outlet: int, article: int) -> str:
    return (f"In {rng.choice(PLACES)}, {rng.choice(SUBJECTS)} {rng.choice(EVENTS)} on day {rng.randint(1, 28)}, "
            f"according to report {outlet}-{article}-{rng.randint(100, 999)} of this desk.")


def generated(index: int, articles: int) -> Outlet:
    """A fictional outlet with its own words: one RSS feed naming `articles` pages."""
    rng = random.Random(index)
    start = datetime(2026, 2, 1, 6, tzinfo=timezone.utc)
    outlet = Outlet(name=f"bench-{index:03d}", title=f"Bench Courier {index}", description="A generated outlet.",
                    language="en", country="GB", tags=["bench"], template=TEMPLATES[index % len(TEMPLATES)],
                    metadata="jsonld")
    for number in range(articles):
        paragraphs = [" ".join(sentence(rng, index, number) for _ in range(4)) for _ in range(5)]
        outlet.articles.append(ArticleData(
            path=f"/news/{number:04d}-report", title=f"{rng.choice(PLACES)}: {rng.choice(EVENTS)} ({index}/{number})",
            authors=[f"Desk {index}"], published=start + timedelta(hours=number), lede=paragraphs[0][:140],
            paragraphs=paragraphs))
    outlet.feeds = [FeedSpec(path="/feed.xml", format="rss20", title=f"Bench Courier {index}")]
    return outlet


def mount(outlet: Outlet):  # noqa: ANN201 — a builder for TestWeb(sites=...)
    def build(base_url: str) -> Mounted:
        site = build_site(outlet, base_url)
        return Mounted(site, ground_truth(outlet, site), [site.url("/feed.xml")], "en", "GB", ["bench"])
    return build


def sources_toml(webs: dict[str, TestWeb], delay: float, concurrency: int) -> str:
    return "\n".join(web.sources_toml().replace(f'name = "{name}"\n',
                                                f'name = "{name}"\ndelay = {delay}\nconcurrency = {concurrency}\n')
                     for name, web in webs.items())


def common(concurrency: int) -> list[str]:
    settings = {"CONCURRENT_REQUESTS": concurrency, "CROSSWIRE_EXTRACT_WORKERS": 0, "DOWNLOAD_DELAY_JITTER": 0,
                "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR"}
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def rate(webs: dict[str, TestWeb]) -> tuple[int, float]:
    """(requests received, their rate per second from the first to the last)."""
    times = sorted(r.at for web in webs.values() for r in web.requests)
    return len(times), (len(times) - 1) / (times[-1] - times[0])


def stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def check(db: Path, expected: int, what: str) -> None:
    count = stored(db)
    if count != expected:
        sys.exit(f"{what}: stored {count} articles, expected {expected}")


def single(webs: dict[str, TestWeb], sources: Path, tmp: Path, concurrency: int, queue: str | None) -> float:
    for web in webs.values():
        web.clear_log()
    db = tmp / f"single-{queue or 'default'}.db"
    extra = ["-s", f"SCHEDULER_PRIORITY_QUEUE={queue}"] if queue else []
    subprocess.run([PY, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(sources), *common(concurrency),
                    *extra], check=True, capture_output=True, text=True)
    check(db, expected_articles(webs), "single")
    return rate(webs)[1]


def expected_articles(webs: dict[str, TestWeb]) -> int:
    return sum(len(web.articles(name)) for name, web in webs.items())


def start_workers(url: str, count: int, concurrency: int, extra: list[str] | None = None) -> list[subprocess.Popen]:
    return [subprocess.Popen([PY, "-m", "crosswire", "worker", "--redis", url, "--name", f"b{n}", *common(concurrency),
                              *(extra or [])],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(count)]


def stop(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        process.send_signal(signal.SIGTERM)
    for process in workers:
        process.wait(timeout=120)


def distributed(webs: dict[str, TestWeb], sources: Path, tmp: Path, server: RedisServer, count: int,
                concurrency: int) -> float:
    for web in webs.values():
        web.clear_log()
    db = tmp / f"workers-{count}.db"
    workers = start_workers(server.url, count, concurrency)
    try:
        subprocess.run([PY, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(sources), "--redis",
                        server.url, *common(concurrency)], check=True, capture_output=True, text=True)
    finally:
        stop(workers)
    check(db, expected_articles(webs), f"{count} workers")
    return rate(webs)[1]


def gated(handler, gate: threading.Event):  # noqa: ANN001, ANN201 — a test web route handler
    def handle(request):  # noqa: ANN001, ANN202
        gate.wait(240)
        return handler(request)
    return handle


def writer(webs: dict[str, TestWeb], tmp: Path, server: RedisServer, concurrency: int) -> tuple[int, float]:
    """(articles stored, per second) by a coordinator that finds every result already waiting."""
    # Article pages wait behind a gate until every article is scheduled and the coordinator paused, so that
    # every result is waiting when it resumes (feeds answer at once).
    gate = threading.Event()
    for name, web in webs.items():
        web.latency = 0.0
        site = web.site(name)
        for article in web.articles(name):
            site.add(article["path"], gated(site.routes[article["path"]].handler, gate))
    fast = tmp / "fast.toml"
    fast.write_text(sources_toml(webs, 0.0, 8))
    db = tmp / "writer.db"
    expected = expected_articles(webs)
    client = server.client()
    # Workers that can hold every request at once: gated pages hold their worker's slots, and a feed left
    # waiting for a free slot would never name its articles.
    # A download timeout past the gate's longest wait: scheduling 1,200 articles on a loaded machine can take
    # longer than the default 30 s, and a page timed out behind the gate is an article never stored.
    workers = start_workers(server.url, 4, (expected + 2 * len(webs)) // 4 + 1, ["-s", "DOWNLOAD_TIMEOUT=300"])
    run = subprocess.Popen([PY, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(fast), "--redis",
                            server.url, *common(concurrency)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while client.scard("crosswire:dupefilter") < expected:     # every article scheduled
            if run.poll() is not None:
                sys.exit(f"writer: the coordinator ended before scheduling every article: {run.communicate()}")
            time.sleep(0.01)
        run.send_signal(signal.SIGSTOP)
        gate.set()
        while client.zcard("crosswire:requests") or client.hlen("crosswire:taken"):
            time.sleep(0.05)
        before = stored(db)
        started = time.perf_counter()
        run.send_signal(signal.SIGCONT)
        while stored(db) < expected:
            if run.poll() is not None:
                sys.exit(f"writer: stored {stored(db)} of {expected} articles: {run.communicate()[0]!r}")
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        run.communicate(timeout=600)
    finally:
        stop(workers)
    check(db, expected, "writer")
    return expected - before, (expected - before) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=80)
    parser.add_argument("--articles", type=int, default=15)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    outlets = {f"bench-{i:03d}": generated(i, args.articles) for i in range(args.outlets)}
    webs = {name: TestWeb(outlets=[name], host=f"127.0.1.{i + 1}", latency=args.latency,
                          sites={name: mount(outlet)}).start() for i, (name, outlet) in enumerate(outlets.items())}
    results: dict[str, object] = {"outlets": args.outlets, "articles": expected_articles(webs),
                                  "latency": args.latency, "delay": args.delay, "concurrency": args.concurrency}
    try:
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            sources = tmp / "sources.toml"
            sources.write_text(sources_toml(webs, args.delay, 1))
            server = RedisServer(tmp / "redis").start()
            try:
                results["single"] = single(webs, sources, tmp, args.concurrency,
                                           "scrapy.pqueues.DownloaderAwarePriorityQueue")
                print(f"single process: {results['single']:.1f} pages/s", flush=True)
                results["single_default_queue"] = single(webs, sources, tmp, args.concurrency, None)
                print(f"single process, Scrapy's default queue: {results['single_default_queue']:.1f} pages/s",
                      flush=True)
                for count in args.workers:
                    results[f"workers_{count}"] = distributed(webs, sources, tmp, server, count, args.concurrency)
                    print(f"{count} worker(s): {results[f'workers_{count}']:.1f} pages/s", flush=True)
                count, per_second = writer(webs, tmp, server, args.concurrency)
                results["writer"] = per_second
                print(f"writer: {per_second:.1f} articles/s ({count} waiting results)", flush=True)
            finally:
                server.stop()
    finally:
        for web in webs.values():
            web.stop()
    one = results.get("workers_1")
    if one:
        for count in args.workers:
            print(f"{count} workers / 1 worker: {results[f'workers_{count}'] / one:.2f}x")
        print(f"writer / 1 worker's output: {results['writer'] / one:.1f}x; "
              f"per day: {results['writer'] * 86400:,.0f} articles")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
