"""Story embeddings computed during the crawl, in a process of their own, so the clustering after it only
assigns stories.

Each article the crawl stores as new is sent (its title, lede and text) to one spawned process that loads the
multilingual sentence encoder as the crawl starts (~150 MB, 0.6 s of CPU) and embeds each article (~10 ms of
CPU): work the crawling process used to do after the crawl, on one core, before the first story could be
assigned. The process runs at a lower priority (nice 10): it takes the CPU the crawl leaves idle (waiting for
the network, the feed, the last pages) and yields to the extraction workers; what is left when the crawl ends
is finished then. The vectors are written in one transaction after the crawl (`save_vectors`); a crawl stopped
before that leaves them to `crosswire stories update` or the next crawl's clustering, which computes any
missing vector, so nothing depends on them being there.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any

import sqlite_utils

from crosswire.analysis import embedding
from crosswire.crawlers.workers import die_with_parent
from crosswire.storage.articles import store_vectors

LOGGER = logging.getLogger(__name__)

NICE = 10   # the embedder's lower priority: extraction and fetching come first
_WARM_UP_ROW = {"title": "A warm-up report", "text": "Officials in the town said on Monday that nothing happened."}


def _start(parent_pid: int) -> None:
    """The embedder's initializer: die with the crawl, step back in priority, load the encoder."""
    die_with_parent(parent_pid)
    try:
        os.nice(NICE)
    except OSError:
        pass    # not allowed to change priority: it runs at the crawl's
    embed_rows([_WARM_UP_ROW])


def embed_rows(rows: list[dict[str, Any]]) -> tuple[str, list[bytes]]:
    """(the model, each row's story embedding as stored); runs in the embedder."""
    return embedding.MODEL, [embedding.to_blob(v) for v in embedding.embed(rows)]


class Embedder:
    """The embedding process of one crawl and the vectors it owes."""

    def __init__(self) -> None:
        self.pool: Executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                  initializer=_start, initargs=(os.getpid(),))
        self.pool.submit(int)   # start it now: the pool spawns its process on the first task
        self.owed: list[tuple[int, Future]] = []

    def submit(self, article_id: int, article: dict[str, Any]) -> None:
        """Embed a newly stored article (a dict with title, lede and text)."""
        row = {key: article.get(key) for key in ("title", "lede", "text")}
        self.owed.append((article_id, self.pool.submit(embed_rows, [row])))

    def save(self, db: sqlite_utils.Database, timeout: float | None = None) -> int:
        """Wait (up to `timeout` s) for the vectors owed and store those computed, in one transaction; how many.
        One the embedder failed to compute is left to clustering."""
        futures = [future for _, future in self.owed]
        wait_all(futures, timeout=timeout)
        done: dict[str, list[tuple[int, bytes]]] = {}
        for article_id, future in self.owed:
            if not future.done() or future.cancelled() or future.exception() is not None:
                continue
            model, (blob,) = future.result()
            done.setdefault(model, []).append((article_id, blob))
        errors = [f.exception() for f in futures if f.done() and not f.cancelled() and f.exception() is not None]
        if errors:
            LOGGER.warning("%d articles not embedded during the crawl (%r); stories will embed them",
                           len(errors), errors[0])
        self.owed = []
        return sum(store_vectors(db, model, pairs) for model, pairs in done.items())

    def close(self) -> None:
        """Stop the process; what it had not done is dropped."""
        self.pool.shutdown(wait=True, cancel_futures=True)
