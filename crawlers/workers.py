"""Extraction in worker processes, so both cores extract while Scrapy keeps fetching.

Workers are forked from multiprocessing's fork server, never from the running reactor: a fresh process that
imports extraction and warms it up once (crawlers/forkserver.py), so each worker starts with it loaded. They
die with the crawl: the kernel kills a worker when its parent, the server, dies (PR_SET_PDEATHSIG), and the
server exits as soon as the crawling process is gone, so a kill -9'd cron run leaves nothing behind.

The pool is started before anything else of the crawl (`start_pool`, from run_crawl), so the server's import
and first-use costs are paid while the crawling process imports Scrapy, starts the reactor and fetches the
first feeds. The crawling process itself never imports extraction when it has workers: this module loads it
on first use.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import threading
import weakref
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1    # linux/prctl.h

# A page with what extraction reads (metadata, a heading, a byline, a dated body) to warm a worker up on.
_WARM_UP_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Warm-up - Example</title>'
    '<meta property="og:title" content="A warm-up page"><meta name="description" content="Nothing happened.">'
    '<meta property="article:published_time" content="2026-01-01T09:00:00+00:00"></head><body><article>'
    '<h1>A warm-up page</h1><p class="byline">By Jane Doe</p><time datetime="2026-01-01">1 January 2026</time>'
    + "<p>Words enough to make a paragraph the body of a short report, officials in the town said on Monday.</p>"
    * 6 + "</article></body></html>"
).encode()


def extract_page(body: bytes, url: str, entry: dict[str, Any] | None, content_type: str | None,
                 rules: dict[str, Any] | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """One page → (the Article as a dict, the topics it mentions); runs in a worker, raises ExtractionError."""
    # Imported here, not with this module: the crawling process imports this module to start the pool and
    # loads extraction (trafilatura and the rest, ~0.4 s) only when it extracts itself (no workers).
    from crosswire.crawlers.pageworker import article_and_topics

    return article_and_topics(body, url, entry, content_type, rules)


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux); exit now if it already has.

    A SIGTERM or Ctrl-C reaches the whole process group; the crawl stops gracefully and waits for the pages
    being extracted, so the workers ignore those signals and let the crawl decide when they end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent_pid = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass    # no prctl (unusual libc): workers then exit when their pipe to the parent breaks
    if os.getppid() != parent_pid:
        os._exit(0)     # the parent died before prctl took effect


def warm_up_here() -> None:
    """Load extraction into this process and run it once on a small page, before any page needs it."""
    try:
        extract_page(_WARM_UP_PAGE, "https://warm-up.invalid/2026/01/01/page", None, "text/html; charset=utf-8")
    except Exception:   # noqa: BLE001 - warming up is only for speed: a failed initializer would break the pool
        pass


def warm_up() -> None:
    """A worker's initializer: die with the crawl, then warm up (`warm_up_here`: quick when the fork server
    already did)."""
    die_with_parent()
    warm_up_here()


def start_fork_server() -> None:
    """Start the workers' fork server now (once a process; later calls find it running): it loads extraction
    while the caller goes on, e.g. imports Scrapy (`crosswire crawl` calls this first)."""
    # The server imports only this (not the crawl's __main__, multiprocessing's default): extraction, warmed up.
    multiprocessing.get_context("forkserver").set_forkserver_preload(["crosswire.crawlers.forkserver"])
    multiprocessing.forkserver.ensure_running()


def start_pool(workers: int, *, background: bool = False) -> Executor:
    """A pool of `workers` extraction processes (forked from a fresh fork server, never from this process),
    started now and warming up. Each fork waits for the server to finish its own warm-up; with `background`
    they are forked from a thread, and `started` says when they are (submitting a page meanwhile would block
    until the server is ready: `submit` holds the pool's lock while it forks)."""
    start_fork_server()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=warm_up)
    forked: Future[None] = Future()

    def fork_all() -> None:   # the pool forks its processes on demand: ask for all of them now
        try:
            for _ in range(workers):
                pool.submit(int)
        except RuntimeError:   # shut down before all were asked for (a crawl that ended at once)
            pass
        finally:
            forked.set_result(None)

    if background:
        # Not a daemon: the pool's manager thread, started by the first submit, inherits that, and it must be
        # joined before the process exits. As a daemon, `crosswire crawl`'s exit (which joins only non-daemon
        # threads, then runs multiprocessing's exit handler) could close the pool's call queue before the
        # manager had sent the workers their stop: it then waited for them, and they for it, for ever (seen in
        # crawls that found nothing new, which end while the workers are still warming up).
        thread = threading.Thread(target=fork_all, name="crosswire-pool-start", daemon=False)
        _starting[pool] = forked
        thread.start()
    else:
        fork_all()
    return pool


_starting: "weakref.WeakKeyDictionary[Executor, Future[None]]" = weakref.WeakKeyDictionary()


def started(pool: Executor) -> Future[None] | None:
    """A future done once the processes of a pool started in the background are forked; None if it was not."""
    return _starting.get(pool)


def wait_until_started(pool: Executor) -> None:
    """Wait until the processes of a pool started in the background are forked (at once if they are)."""
    forked = _starting.get(pool)
    if forked is not None:
        forked.result()
