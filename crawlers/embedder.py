"""Story embeddings computed while the crawl runs, so the clustering after it only assigns stories.

The crawling process spends most of a crawl waiting (for the network, for its extraction workers). A thread of
its own uses that time to embed each new article as it is stored (~5 ms of CPU), where the crawl used to load
and embed serially after the crawl, before the first story could be assigned. The multilingual sentence encoder
(0.25-0.4 s from the weights cache, crosswire.analysis.encoder; 0.75 s the first time) loads in a daemon thread
started as soon as `crosswire crawl` has checked its arguments (`start_warm_up`), beside Scrapy's imports:
sentencepiece reads its model without holding the interpreter's lock. Loaded when the first new article was
requested instead, a crawl of a few pages waited ~0.25 s for it after its last page; a crawl that finds nothing
new pays the CPU of a load it never uses, on the other core, but never waits for it (BENCHMARKS.md, "Crawl").
A thread, not a process: a process pays for its own Python and numpy start-up (~0.5 s of CPU) on top.

What the story clustering reads of each new article alone (storyvec.row_features: language, names, term and key
counts; ~5 ms of CPU an article of the real dev pages) is computed by the crawl's extraction workers when it has
them, else by the same thread, and kept in memory for the clustering after the crawl, which would otherwise
compute them one after another once the crawl is over. It is pure Python, holding the interpreter's lock
throughout: in this process it took that time from the reactor, which is what bounds a crawl on two cores,
while the workers have room between pages (BENCHMARKS.md, "Crawl"). The embedding stays here: its products
run in numpy without the lock, and in the workers the encoder would load once per worker.

The vectors are written in one transaction once the crawl ends (`Embedder.save`); a crawl stopped before that
leaves them to `crosswire stories update` or the next crawl's clustering, which computes any missing vector.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import CancelledError, Executor, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any

import sqlite_utils

from crosswire.analysis import embedding
from crosswire.analysis.storyvec import WARM_UP_ROW, Features, row_features, row_key
from crosswire.storage.articles import store_vectors

LOGGER = logging.getLogger(__name__)
FEATURES_KEPT = 5000   # articles whose features are kept for the clustering (~20 KB each); the rest it computes


def warm_up(features: bool = True) -> None:
    """Load the encoder and run the story work once on a small article (with `features`, row_features too, when
    this process computes them), before the crawl's articles arrive."""
    try:
        embedding.load()
        story_work(WARM_UP_ROW, features)
    except Exception:  # noqa: BLE001 - warming up is only for speed; the real work reports its own failures
        LOGGER.debug("story embedder warm-up failed", exc_info=True)


_warming: list[threading.Thread] = []


def start_warm_up(features: bool = True) -> None:
    """Start `warm_up(features)` in a daemon thread of its own, once a process; the embedder's thread waits for the load
    (embedding's lock) at its first article. `crosswire crawl` calls this as soon as its checks pass, so the
    load overlaps Scrapy's imports (sentencepiece reads its model without holding the interpreter's lock). A
    crawl that stores nothing never waits for it: the thread is a daemon, and neither `Embedder.close` nor the
    command's exit joins it (a feed answering 304 pays only the CPU of a load on the other core)."""
    if not _warming:
        _warming.append(threading.Thread(target=warm_up, args=(features,), name="crosswire-encoder-load",
                                         daemon=True))
        _warming[0].start()


def embed_row(row: dict[str, Any]) -> bytes:
    """One article's story embedding (embedding.MODEL), as stored."""
    return embedding.to_blob(embedding.embed([row])[0])


def story_work(row: dict[str, Any], features: bool) -> tuple[bytes, Features | None]:
    """One article's stored embedding and (with `features`) its row_features."""
    return embed_row(row), row_features(row) if features else None


class Embedder:
    """The embedding thread of one crawl and the vectors and features it owes."""

    def __init__(self, workers: Executor | None = None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosswire-embedder")
        self.workers = workers   # the crawl's extraction pool, which computes the features when there is one
        # (row_key, its embedding, its features or None when not kept)
        self.owed: list[tuple[tuple[int, int], Future[bytes], Future[Features] | None]] = []
        self.loading = False
        self.features: dict[tuple[int, int], Features] = {}   # by storyvec.row_key, once saved
        self.submitted = 0

    def prepare(self) -> None:
        """Make sure the encoder is loading (`start_warm_up`): the crawl is about to store articles."""
        start_warm_up(features=self.workers is None)

    def submit(self, article_id: int, article: dict[str, Any]) -> None:
        """Embed a newly stored article (a dict with title, lede, text and language) and have its features
        computed; the first loads the encoder."""
        row = {"id": article_id, **{key: article.get(key) for key in ("title", "lede", "text", "language")}}
        self.submitted += 1
        features = None
        if self.submitted <= FEATURES_KEPT:
            features = self._features(row)
        self.owed.append((row_key(row), self.pool.submit(embed_row, row), features))

    def _features(self, row: dict[str, Any]) -> Future[Features]:
        if self.workers is not None:
            try:
                return self.workers.submit(row_features, row)
            except RuntimeError:   # the pool is shut down or broken: this thread computes them
                pass
        return self.pool.submit(row_features, row)

    def save(self, db: sqlite_utils.Database) -> int:
        """Wait for the vectors owed and store them in one transaction; how many. Their features are kept in
        `features` for the clustering. A vector or features not computed (the encoder failed, a worker died)
        are left to the clustering, which computes what it is not given."""
        if not self.owed:
            return 0
        wait_all([f for _, vector, features in self.owed for f in (vector, features) if f is not None])
        vectors = [(key[0], vector.result()) for key, vector, _ in self.owed if _failure(vector) is None]
        if len(vectors) < len(self.owed):
            failed = next(_failure(vector) for _, vector, _ in self.owed if _failure(vector) is not None)
            LOGGER.warning("%d articles not embedded during the crawl (%r); stories will embed them",
                           len(self.owed) - len(vectors), failed)
        self.features.update((key, features.result()) for key, _, features in self.owed
                             if features is not None and _failure(features) is None)
        self.owed = []
        return store_vectors(db, embedding.MODEL, vectors)

    def close(self) -> None:
        """Stop the thread (after the article it is embedding, if any); what it had not started is dropped."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _failure(future: Future[Any]) -> BaseException | None:
    """Why a finished future has no result (its exception, or its cancellation), or None."""
    if future.cancelled():
        return CancelledError()
    return future.exception()
