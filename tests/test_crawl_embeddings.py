"""A crawl embeds each new article for stories while it runs (crawlers/embedder.py) and stores the vectors,
so the story clustering after the crawl only assigns them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from crawling import FAST_SETTINGS, crawl_command

from crosswire.analysis import embedding
from testweb import TestWeb

OUTLETS = ["levant-ledger", "northern-dispatch"]
# `crosswire crawl` in which the story clustering after the crawl refuses to embed anything (it fails, and
# says so, if the crawl left it a vector to compute); the crawl's own embedder is untouched.
REFUSING_CRAWL = (
    "import runpy, sys, types\n"
    "from crosswire.analysis import embedding\n"
    "from crosswire.storage import stories\n"
    "def refuse(rows, workers=1):\n"
    "    raise RuntimeError('clustering had to compute an embedding')\n"
    "stories.embedding = types.SimpleNamespace(**{**vars(embedding), 'embed': refuse})\n"
    "sys.argv[0] = 'crosswire'\n"
    "runpy.run_module('crosswire', run_name='__main__', alter_sys=True)\n"
)


@pytest.mark.parametrize("workers", ["2", "0"])
def test_the_crawl_embeds_every_new_article_and_stores_it(tmp_path: Path, workers: str) -> None:
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    with TestWeb(outlets=OUTLETS) as web:
        sources.write_text(web.sources_toml(OUTLETS))
        command = crawl_command(db, sources, settings={**FAST_SETTINGS, "CROSSWIRE_EXTRACT_WORKERS": workers})
        assert [sys.executable, "-m", "crosswire", "crawl"] == command[:4]
        done = subprocess.run([sys.executable, "-c", REFUSING_CRAWL, *command[3:]], capture_output=True, text=True,
                              timeout=300, check=False)
    assert (0, "") == (done.returncode, "" if "story clustering failed" not in done.stderr else done.stderr)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        articles = [dict(r) for r in conn.execute("select id, title, lede, text, story_id from articles order by id")]
        vectors = dict(conn.execute("select article_id, vector from article_embeddings where model = ?",
                                    [embedding.MODEL]).fetchall())
    finally:
        conn.close()
    assert len(articles) >= 4
    # Each vector is the article's own embedding, as the story clustering would have computed it from the row.
    expected = {a["id"]: embedding.to_blob(embedding.embed([a])[0]) for a in articles}
    assert expected == vectors
    assert [] == [a["id"] for a in articles if a["story_id"] is None]   # and clustering assigned every one


# `crosswire crawl` whose story clustering refuses to compute an article's features itself (it fails, and says
# so, if the crawl's embedder left it one to compute); the embedder's own row_features is untouched.
FEATURELESS_CRAWL = (
    "import runpy, sys\n"
    "import crosswire.crawlers.embedder\n"
    "from crosswire.analysis import storyvec\n"
    "from crosswire.storage import stories\n"
    "def refuse(row, entities=True):\n"
    "    raise RuntimeError('clustering had to compute the features of article %s' % row.get('id'))\n"
    "storyvec.row_features = stories.row_features = refuse\n"
    "sys.argv[0] = 'crosswire'\n"
    "runpy.run_module('crosswire', run_name='__main__', alter_sys=True)\n"
)
# The same with extraction workers, where the crawling process computes no features at all, not even in its
# embedder's thread: every row_features of that process refuses. The refusing one is named as the real one, so
# the features it is asked for in the workers are pickled by that name and computed there by the real one.
WORKER_FEATURES_CRAWL = FEATURELESS_CRAWL.replace(
    "storyvec.row_features = stories.row_features = refuse\n",
    "refuse.__module__, refuse.__qualname__ = storyvec.__name__, 'row_features'\n"
    "storyvec.row_features = stories.row_features = crosswire.crawlers.embedder.row_features = refuse\n")


@pytest.mark.parametrize("workers", ["0", "2"])
def test_the_crawl_computes_each_new_articles_story_features_and_the_stories_are_those_of_a_recluster(
        tmp_path: Path, workers: str) -> None:
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    script = FEATURELESS_CRAWL if workers == "0" else WORKER_FEATURES_CRAWL
    with TestWeb(outlets=OUTLETS) as web:
        sources.write_text(web.sources_toml(OUTLETS))
        command = crawl_command(db, sources, settings={**FAST_SETTINGS, "CROSSWIRE_EXTRACT_WORKERS": workers})
        done = subprocess.run([sys.executable, "-c", script, *command[3:]], capture_output=True,
                              text=True, timeout=300, check=False)
    assert (0, "") == (done.returncode, "" if "story clustering failed" not in done.stderr else done.stderr)

    def partition() -> set[frozenset[int]]:
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute("select story_id, id from articles").fetchall()
        finally:
            conn.close()
        assert [] == [article for story, article in rows if story is None]
        stories: dict[int, set[int]] = {}
        for story, article in rows:
            stories.setdefault(story, set()).add(article)
        return {frozenset(ids) for ids in stories.values()}

    during_crawl = partition()
    assert len(during_crawl) >= 2
    subprocess.run([sys.executable, "-m", "crosswire", "stories", "recluster", "--db", str(db)], check=True,
                   capture_output=True, timeout=300)
    assert partition() == during_crawl     # features computed afresh from the stored rows: the same stories
