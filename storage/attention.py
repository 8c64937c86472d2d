"""Attention over time: how much of each outlet's (country's, perspective tag's) output matched a query.

Share = matching articles / all articles of that group in that day or week, so a prolific outlet does not
look more attentive than a small one just by publishing more. Copies count for the outlet that ran them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from crosswire.core.errors import QueryError
from crosswire.storage.search import matching_ids

BY = ("source", "country", "tag")
INTERVALS = ("day", "week")

_PERIOD = {
    "day": "substr(coalesce(a.published, a.first_seen), 1, 10)",
    # Monday of the ISO week: 'weekday 0' moves forward to Sunday (or stays), then back six days.
    "week": "date(substr(coalesce(a.published, a.first_seen), 1, 10), 'weekday 0', '-6 days')",
}
_GROUP = {
    "source": ("a.source", ""),
    "country": ("coalesce(s.country, '?')", ""),
    "tag": ("t.value", ", json_each(coalesce(s.tags, '[]')) t"),
}


@dataclass(frozen=True)
class Cell:
    """One group in one period."""

    period: str          # YYYY-MM-DD (the Monday, for weeks)
    group: str
    matches: int
    total: int

    @property
    def share(self) -> float:
        """Matching articles as a fraction of the group's output in the period."""
        return self.matches / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, share included."""
        return {**asdict(self), "share": round(self.share, 4)}


def query_ids(db: sqlite_utils.Database, query: str) -> list[int]:
    """Ids of the articles matching `query` in crosswire's search syntax (copies included)."""
    return [article_id for article_id, _ in matching_ids(db, query, sort="date", all_copies=True)]


def attention(db: sqlite_utils.Database, query: str, *, by: str = "source", interval: str = "day",
              since: str | None = None, until: str | None = None) -> list[Cell]:
    """Per period and group: articles matching `query` and all articles, for every period with output."""
    if by not in BY:
        raise QueryError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    if interval not in INTERVALS:
        raise QueryError(f"--interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    ids = query_ids(db, query)
    period, (group, join) = _PERIOD[interval], _GROUP[by]
    where, params = [], []
    if since:
        where.append("coalesce(a.published, a.first_seen) >= ?")
        params.append(since)
    if until:
        where.append("coalesce(a.published, a.first_seen) < ?")
        params.append(until)
    db.execute("create temp table if not exists attention_ids (id integer primary key)")
    db.execute("delete from temp.attention_ids")
    db.conn.executemany("insert or ignore into temp.attention_ids (id) values (?)", [(i,) for i in ids])
    sql = (f"select {period} as period, {group} as grp, count(*) as total, "
           f"sum(a.id in (select id from temp.attention_ids)) as matches "
           f"from articles a left join sources s on s.name = a.source{join} "
           f"{'where ' + ' and '.join(where) if where else ''} group by period, grp order by period, grp")
    try:
        rows = db.execute(sql, params).fetchall()
    finally:
        db.execute("delete from temp.attention_ids")
    return [Cell(p, g if g is not None else "?", int(m or 0), int(t)) for p, g, t, m in rows if p]
