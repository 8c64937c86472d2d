"""The crawl's embedder: each new article's vector from its own thread, its story features from the crawl's
extraction pool when it has one (else from the thread), and whatever neither delivered left to the clustering."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, Callable

import pytest

from crosswire.analysis import embedding
from crosswire.analysis.storyvec import row_features, row_key
from crosswire.core.article import Article
from crosswire.crawlers.embedder import Embedder
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db

REPORTS = [
    Article(url="https://ledger.example/news/1", title="Shelling hits a market in the old town",
            lede="Residents said the strike came at noon.",
            text="Witnesses in the old town said the market was shelled at noon on Tuesday. Four stalls burned."),
    Article(url="https://ledger.example/news/2", title="Talks on the grain corridor resume",
            lede="Delegations met again on Wednesday.",
            text="The delegations met in the port city on Wednesday to discuss the corridor and its inspections."),
]


class Pool(Executor):
    """An extraction pool stand-in that runs what it is given at once and says what that was; `refuse` makes it
    act shut down, `fail` makes every task fail as if its worker died."""

    def __init__(self, refuse: bool = False, fail: bool = False) -> None:
        self.refuse, self.fail, self.ran = refuse, fail, []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self.refuse:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self.ran.append(fn.__name__)
        future: Future = Future()
        if self.fail:
            future.set_exception(RuntimeError("a worker died"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def crawl_two_reports(pool: Pool | None) -> tuple[Embedder, dict[tuple[int, int], Any], list[tuple], int]:
    """Store the two reports and hand each to an embedder as the store pipeline does; its features, the rows
    their keys were made from, the vectors stored and how many were saved."""
    db = open_db(memory=True)
    db["sources"].insert({"name": "ledger", "homepage": "https://ledger.example/"})
    embedder = Embedder(pool)
    rows = []
    try:
        for report in REPORTS:
            stored = store_article(db, report, source="ledger")
            article = report.to_dict()
            embedder.submit(stored.article_id, article)
            rows.append({"id": stored.article_id, **{k: article.get(k) for k in ("title", "lede", "text", "language")}})
        saved = embedder.save(db)
    finally:
        embedder.close()
    vectors = [tuple(r) for r in db.execute("select article_id, vector from article_embeddings order by article_id")]
    expected = {row_key(row): row_features(row) for row in rows}
    return embedder, expected, vectors, saved


def expected_vectors() -> list[tuple[int, bytes]]:
    return [(i + 1, embedding.to_blob(embedding.embed([r.to_dict()])[0])) for i, r in enumerate(REPORTS)]


@pytest.mark.parametrize("pool", [Pool(), Pool(refuse=True), None], ids=["pool", "pool-shut", "no-pool"])
def test_every_new_articles_features_and_vector_are_delivered(pool: Pool | None) -> None:
    embedder, expected, vectors, saved = crawl_two_reports(pool)
    assert expected == embedder.features
    assert (2, expected_vectors()) == (saved, vectors)
    if pool is not None:
        # The features go to the extraction pool when it takes them; the embedding never does.
        assert ([] if pool.refuse else ["row_features", "row_features"]) == pool.ran


def test_features_a_worker_did_not_deliver_are_left_to_the_clustering_and_the_vectors_are_still_stored() -> None:
    embedder, _, vectors, saved = crawl_two_reports(Pool(fail=True))
    assert {} == embedder.features
    assert (2, expected_vectors()) == (saved, vectors)
