"""Story embeddings computed while the crawl runs, so the clustering after it only assigns stories.

The crawling process spends most of a crawl waiting (for the network, for its extraction workers). A thread of
its own uses that time: when the crawl requests its first new article it loads the multilingual sentence encoder
(~150 MB, 0.6 s of CPU on a quiet machine; numpy and sentencepiece release the interpreter's lock for much of
it) and then embeds each new article as it is stored (~10 ms of CPU), where the crawl used to load and embed
serially after the crawl, before the first story could be assigned. Loading when the first new article is
requested, not at start-up, keeps the load off the crawl's start (imports, the reactor, the first feeds: it
measured slower there) and away from a crawl that finds nothing new; not waiting until that article is stored
lets a crawl of a few pages finish the load sooner after its last page. A thread, not a process: a process pays for its own
Python and numpy start-up (~0.5 s of CPU) on top, which a crawl of a few pages on a busy machine felt
(BENCHMARKS.md, "Crawl").

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
from crosswire.storage.articles import store_vectors

LOGGER = logging.getLogger(__name__)


def embed_row(row: dict[str, Any]) -> bytes:
    """One article's story embedding (embedding.MODEL), as stored."""
    return embedding.to_blob(embedding.embed([row])[0])


class Embedder:
    """The embedding thread of one crawl and the vectors it owes."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosswire-embedder")
        self.owed: list[tuple[int, Future[bytes]]] = []
        self.loading = False

    def prepare(self) -> None:
        """Start loading the encoder (once): the crawl is about to fetch a new article."""
        if not self.loading:
            self.loading = True
            self.pool.submit(embedding.load)

    def submit(self, article_id: int, article: dict[str, Any]) -> None:
        """Embed a newly stored article (a dict with title, lede and text); the first loads the encoder."""
        row = {key: article.get(key) for key in ("title", "lede", "text")}
        self.owed.append((article_id, self.pool.submit(embed_row, row)))

    def save(self, db: sqlite_utils.Database) -> int:
        """Wait for the vectors owed and store them in one transaction; how many. One the encoder failed to
        compute is left to clustering."""
        if not self.owed:
            return 0
        wait_all([future for _, future in self.owed])
        done = [(article_id, future.result()) for article_id, future in self.owed if future.exception() is None]
        if len(done) < len(self.owed):
            failed = next(f.exception() for _, f in self.owed if f.exception() is not None)
            LOGGER.warning("%d articles not embedded during the crawl (%r); stories will embed them",
                           len(self.owed) - len(done), failed)
        self.owed = []
        return store_vectors(db, embedding.MODEL, done)

    def close(self) -> None:
        """Stop the thread (after the article it is embedding, if any); what it had not started is dropped."""
        self.pool.shutdown(wait=True, cancel_futures=True)
