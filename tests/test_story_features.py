"""What story clustering reads of each article alone (storyvec.row_features) is kept in the archive for the
stories still open, so a crawl's clustering computes it only for what it has not seen: its new articles, and
an article whose text changed, or all of them after the code that computes it changed."""

from __future__ import annotations

from typing import Any

import pytest

from crosswire.analysis import storyvec
from crosswire.storage import stories
from crosswire.storage.db import open_db
from crosswire.storage.stories import cluster_new
from testweb.outlets_events import store_events


def _partition(db: Any) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for article, story in db.execute("select id, story_id from articles"):
        groups.setdefault(story, set()).add(article)
    return {frozenset(ids) for ids in groups.values()}


@pytest.fixture
def computed(monkeypatch) -> list[int]:
    """The ids of the articles whose features clustering computes from here on."""
    ids: list[int] = []
    real = storyvec.row_features

    def counted(row: dict[str, Any], entities: bool = True) -> storyvec.Features:
        ids.append(row["id"])
        return real(row, entities)

    monkeypatch.setattr(stories, "row_features", counted)
    monkeypatch.setattr(storyvec, "row_features", counted)
    return ids


def test_stored_features_are_the_computed_ones_to_the_last_bit() -> None:
    db = open_db(memory=True)
    store_events(db)
    rows = stories._rows(db, "1 = 1", [])
    assert len(rows) >= 10
    for row in rows:
        features = storyvec.row_features(row)
        assert features == storyvec.features_from_blob(storyvec.features_to_blob(features))


def test_a_crawls_clustering_computes_only_new_or_changed_articles_and_gives_the_same_stories(computed) -> None:
    db = open_db(memory=True)
    store_events(db)
    cluster_new(db)
    everything = sorted(computed)
    stored = [r[0] for r in db.execute("select article_id from story_features order by article_id")]
    assert everything == stored          # the events span less than a story window: every one is kept
    before = _partition(db)
    latest = [r[0] for r in db.execute("select id from articles order by coalesce(published, first_seen) desc, "
                                       "id desc limit 3")]
    db.execute(f"update articles set story_id = null where id in ({', '.join(map(str, latest))})")
    revised = everything[0]
    db.execute("update articles set text = text || ' ' where id = ?", [revised])
    db.conn.commit()
    computed.clear()
    cluster_new(db)
    assert [revised] == computed         # the three new ones were stored when first clustered; the edit is new
    assert before == _partition(db)


def test_features_from_other_code_are_computed_again(computed, monkeypatch) -> None:
    db = open_db(memory=True)
    store_events(db)
    cluster_new(db)
    everything = sorted(computed)
    db.execute("update articles set story_id = null where id = ?", [everything[-1]])
    db.conn.commit()
    monkeypatch.setattr(storyvec, "features_version", lambda: "edited")
    monkeypatch.setattr(stories, "features_version", lambda: "edited")
    computed.clear()
    cluster_new(db)
    assert everything == sorted(computed)
    assert [("edited",)] == db.execute("select distinct version from story_features").fetchall()
