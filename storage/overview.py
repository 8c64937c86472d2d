"""A first look at a database: its newest articles and the stories the most outlets covered (`crosswire demo`)."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def article_count(db: sqlite_utils.Database) -> int:
    """How many articles are stored."""
    return db["articles"].count


def latest_articles(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` articles by publication time: source, day ('YYYY-MM-DD', None when undated), title."""
    return list(db.query("select source, substr(published, 1, 10) as day, title from articles "
                         "order by published desc limit ?", [limit]))


def stories_by_outlets(db: sqlite_utils.Database, min_outlets: int = 3, limit: int = 5) -> list[dict[str, Any]]:
    """Stories covered by at least `min_outlets` outlets, most outlets first: id, outlets, label."""
    return list(db.query(
        "select s.id, count(distinct a.source) as outlets, s.label from stories s "
        "join articles a on a.story_id = s.id group by s.id having outlets >= ? "
        "order by outlets desc, s.id limit ?", [min_outlets, limit]))
