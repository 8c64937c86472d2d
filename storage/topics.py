"""Topic tags per article: which named keyword sets (crosswire.core.topics) an article matches."""

from __future__ import annotations

from typing import Iterable

import sqlite_utils

from crosswire.core.times import utcnow
from crosswire.identity.urls import canonical_url
from crosswire.storage.db import in_chunks


def tag_article(db: sqlite_utils.Database, article_id: int, topics: Iterable[str]) -> None:
    """Add topic tags to an article (tags already there stay)."""
    for topic in topics:
        db.execute("insert or ignore into article_topics (article_id, topic) values (?, ?)", [article_id, topic])


def remember_off_topic(db: sqlite_utils.Database, urls: Iterable[str | None], source: str | None) -> None:
    """Remember URLs dropped as off topic (canonical form), so they are not fetched again."""
    for url in filter(None, urls):
        db.execute("insert or ignore into off_topic_urls (url, source, at) values (?, ?, ?)",
                   [canonical_url(url), source, utcnow()])


def off_topic_urls(db: sqlite_utils.Database, urls: list[str]) -> set[str]:
    """Which of `urls` (as given) were dropped as off topic before."""
    by_canon = {canonical_url(u): u for u in urls}
    keys = list(by_canon)
    found: set[str] = set()
    for marks, chunk in in_chunks(keys):
        found.update(by_canon[u] for (u,) in db.execute(f"select url from off_topic_urls where url in ({marks})", chunk))
    return found
