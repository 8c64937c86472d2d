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

The same thread computes what the story clustering reads of each new article alone (storyvec.row_features:
language, names, term and key counts; ~6.6 ms of CPU an article of the real dev pages), kept in memory for the
clustering after the crawl, which would otherwise compute them one after another once the crawl is over.

The vectors are written in one transaction once the crawl ends (`Embedder.save`); a crawl stopped before that
leaves them to `crosswire stories update` or the next crawl's clustering, which computes any missing vector.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any

import sqlite_utils

from crosswire.analysis import embedding
from crosswire.analysis.storyvec import Features, row_features, row_key
from crosswire.storage.articles import store_vectors

LOGGER = logging.getLogger(__name__)
FEATURES_KEPT = 5000   # articles whose features are kept for the clustering (~20 KB each); the rest it computes


# An article to warm the story work up on: the first row_features call loads CLDR names, stop lists and compiles
# patterns (~0.06 s of CPU), the first embedding touches the encoder's mapped weights (~0.03 s).
_WARM_UP_ROW = {
    "id": 0, "language": "en", "title": "Officials in a coastal town report a quiet night",
    "lede": "The mayor said on Monday that no damage was recorded after the storm.",
    "text": "The mayor of the town said on Monday that no damage was recorded. Minister Jane Doe visited "
            "the harbour on 3 March and said that 12 boats would return to sea within two days.",
}


def warm_up() -> None:
    """Load the encoder and run the story work once on a small article, before the crawl's articles arrive."""
    try:
        embedding.load()
        story_work(_WARM_UP_ROW, True)
    except Exception:  # noqa: BLE001 - warming up is only for speed; the real work reports its own failures
        LOGGER.debug("story embedder warm-up failed", exc_info=True)


_warming: list[threading.Thread] = []


def start_warm_up() -> None:
    """Start `warm_up` in a daemon thread of its own, once a process; the embedder's thread waits for the load
    (embedding's lock) at its first article. `crosswire crawl` calls this as soon as its checks pass, so the
    load overlaps Scrapy's imports (sentencepiece reads its model without holding the interpreter's lock). A
    crawl that stores nothing never waits for it: the thread is a daemon, and neither `Embedder.close` nor the
    command's exit joins it (a feed answering 304 pays only the CPU of a load on the other core)."""
    if not _warming:
        _warming.append(threading.Thread(target=warm_up, name="crosswire-encoder-load", daemon=True))
        _warming[0].start()


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
        """Make sure the encoder is loading (`start_warm_up`): the crawl is about to store articles."""
        start_warm_up()

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
