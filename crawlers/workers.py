"""Extraction in worker processes, so both cores extract while Scrapy keeps fetching.

Workers are spawned (never forked from the running reactor) and die with the crawl: the kernel kills them
when the crawling process dies (PR_SET_PDEATHSIG), so a kill -9'd cron run leaves nothing behind.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from crosswire.core.article import FeedEntry
from crosswire.core.topics import article_topics
from crosswire.extraction import extract

PR_SET_PDEATHSIG = 1    # linux/prctl.h


def extract_page(body: bytes, url: str, entry: dict[str, Any] | None, content_type: str | None,
                 rules: dict[str, Any] | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """One page → (the Article as a dict, the topics it mentions); runs in a worker, raises ExtractionError."""
    feed_entry = FeedEntry.from_dict(entry) if entry else None
    article = extract(body, url, feed_entry, content_type=content_type, rules=rules).to_dict()
    # Topic tagging is CPU work too: done here, in the worker, it keeps the crawling process free to fetch.
    return article, tuple(article_topics(article))


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when `parent_pid` dies (Linux); exit now if it already has.

    A SIGTERM or Ctrl-C reaches the whole process group; the crawl stops gracefully and waits for the pages
    being extracted, so the workers ignore those signals and let the crawl decide when they end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass    # no prctl (unusual libc): workers then exit when their pipe to the parent breaks
    if os.getppid() != parent_pid:
        os._exit(0)     # the parent died before prctl took effect


def make_pool(workers: int) -> Executor:
    """A process pool of `workers` extraction processes (spawned: no forking of the running reactor)."""
    # Importing this module in the worker (to find die_with_parent) also imports extraction and topics,
    # so the heavy imports happen once per worker, before the first page arrives.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
