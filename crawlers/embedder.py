"""Story embeddings computed while the crawl runs, so the clustering after it only assigns stories.

The crawling process spends most of a crawl waiting (for the network, for its extraction workers). A thread of
its own uses that time: when the crawl requests its first new article it loads the multilingual sentence encoder
(0.25-0.4 s from the weights cache, crosswire.analysis.encoder; 0.75 s the first time) and then embeds each new
article as it is stored (~5 ms of CPU), where the crawl used to load and embed serially after the crawl, before
the first story could be assigned. Loading when the first new article is requested, not at start-up, keeps the
load off the crawl's start (imports, the reactor, the first feeds: it measured slower there) and away from a
crawl that finds nothing new; not waiting until that article is stored lets a crawl of a few pages finish the
load sooner after its last page. A thread, not a process: a process pays for its own Python and numpy start-up
(~0.5 s of CPU) on top, which a crawl of a few pages on a busy machine felt (BENCHMARKS.md, "Crawl").

The same thread computes what the story clustering reads of each new article alone (storyvec.row_features:
language, names, term and key counts; ~6.6 ms of CPU an article of the real dev pages), kept in memory for the
clustering after the crawl, which would otherwise compute them one after another once the crawl is over.

The vectors are written in one transaction once the crawl ends (`Embedder.save`); a crawl stopped before that
leaves them to `crosswire stories update` or the next crawl's clustering, which computes any missing vector.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any

import sqlite_utils

from crosswire.analysis import embedding
from crosswire.analysis.storyvec import Features, row_features, row_key
from crosswire.storage.articles import store_vectors

LOGGER = logging.getLogger(__name__)
FEATURES_KEPT = 5000   # articles whose features are kept for the clustering (~20 KB each); the rest it computes


def embed_row(row: dict[str, Any]) -> bytes:
    """One article's story embedding (embedding.MODEL), as stored."""
    return embedding.to_blob(embedding.embed([row])[0])


def story_work(row: dict[str, Any], features: bool) -> tuple[bytes, Features | None]:
    """One article's stored embedding and (with `features`) its row_features."""
    return embed_row(row), row_features(row) if features else None


class Embedder:
    """The embedding thread of one crawl and the vectors it owes."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosswire-embedder")
        self.owed: list[tuple[tuple[int, int], Future[tuple[bytes, Features | None]]]] = []   # (row_key, work)
        self.loading = False
        self.features: dict[tuple[int, int], Features] = {}   # by storyvec.row_key, once saved
        self.submitted = 0

    def prepare(self) -> None:
        """Start loading the encoder (once): the crawl is about to fetch a new article."""
        if not self.loading:
            self.loading = True
            self.pool.submit(embedding.load)

    def submit(self, article_id: int, article: dict[str, Any]) -> None:
        """Embed a newly stored article (a dict with title, lede, text and language) and compute its features;
        the first loads the encoder."""
        row = {"id": article_id, **{key: article.get(key) for key in ("title", "lede", "text", "language")}}
        self.submitted += 1
        self.owed.append((row_key(row), self.pool.submit(story_work, row, self.submitted <= FEATURES_KEPT)))

    def save(self, db: sqlite_utils.Database) -> int:
        """Wait for the vectors owed and store them in one transaction; how many. Their features are kept in
        `features` for the clustering. One the encoder failed to compute is left to clustering."""
        if not self.owed:
            return 0
        wait_all([future for _, future in self.owed])
        done = [(key, future.result()) for key, future in self.owed if future.exception() is None]
        if len(done) < len(self.owed):
            failed = next(f.exception() for _, f in self.owed if f.exception() is not None)
            LOGGER.warning("%d articles not embedded during the crawl (%r); stories will embed them",
                           len(self.owed) - len(done), failed)
        self.owed = []
        self.features.update((key, features) for key, (_, features) in done if features is not None)
        return store_vectors(db, embedding.MODEL, [(key[0], blob) for key, (blob, _) in done])

    def close(self) -> None:
        """Stop the thread (after the article it is embedding, if any); what it had not started is dropped."""
        self.pool.shutdown(wait=True, cancel_futures=True)
