"""Topic tags per article: which named keyword sets (crosswire.topics) an article matches."""

from __future__ import annotations

from typing import Iterable

import sqlite_utils


def tag_article(db: sqlite_utils.Database, article_id: int, topics: Iterable[str]) -> None:
    """Add topic tags to an article (tags already there stay)."""
    for topic in topics:
        db.execute("insert or ignore into article_topics (article_id, topic) values (?, ?)", [article_id, topic])


def topics_of(db: sqlite_utils.Database, article_id: int) -> list[str]:
    """An article's topic tags, sorted."""
    return [row[0] for row in db.execute(
        "select topic from article_topics where article_id = ? order by topic", [article_id])]


def articles_by_topic(db: sqlite_utils.Database, topic: str) -> list[int]:
    """Ids of the articles tagged with a topic, oldest first."""
    return [row[0] for row in db.execute(
        "select article_id from article_topics where topic = ? order by article_id", [topic])]
