"""Edit history: earlier versions of an article, kept when a re-fetch shows a changed title or body.

The articles row always holds the latest version (so search and export show it); `revisions` holds the
versions it replaced, numbered from 1 (as first stored).

Outlets edit without saying so, so a stored article is also fetched again at 1 h, 6 h, 24 h and 72 h after
it was first seen (`revisit_due`, a pure function of those times; the caller supplies `now`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from crosswire.core.article import Article
from crosswire.core.times import iso, parse_iso
from crosswire.identity.similarity import body_hash

REVISIT_AFTER = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24), timedelta(hours=72))


def revisit_due(first_seen: datetime | None, fetched_at: datetime | None, now: datetime) -> bool:
    """Whether a revisit point (first_seen + 1/6/24/72 h) has passed since the page was last fetched."""
    if first_seen is None:
        return False
    last = fetched_at or first_seen
    passed = [first_seen + after for after in REVISIT_AFTER if first_seen + after <= now]
    return bool(passed) and passed[-1] > last


def _same_title(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def record_revision(db: sqlite_utils.Database, article_id: int, article: Article, *, now: str) -> bool:
    """If `article` (a re-fetch) changed the stored title or body, keep the stored version as a revision and
    make `article` the current text. Returns whether a revision was recorded. An empty re-extraction is not
    an edit (a page that failed to extract must not wipe the text)."""
    row = db.execute("select title, lede, text, body_hash, modified, first_seen from articles where id = ?",
                     [article_id]).fetchone()
    if row is None or not article.text.strip():
        return False
    title, lede, text, old_hash, modified, first_seen = row
    new_hash = body_hash(article.text)
    if _same_title(title, article.title) and old_hash == new_hash:
        return False
    number, since = db.execute(
        "select count(*) + 1, max(seen_until) from revisions where article_id = ?", [article_id]).fetchone()
    db["revisions"].insert({
        "article_id": article_id, "number": number, "title": title, "lede": lede, "text": text,
        "body_hash": old_hash, "modified": modified, "seen_from": since or first_seen, "seen_until": now,
    })
    db.execute(
        "update articles set title = ?, lede = ?, text = ?, body_hash = ?, word_count = ?, "
        "modified = coalesce(?, modified) where id = ?",
        [article.title, article.lede, article.text, new_hash, len(article.text.split()),
         article.modified.isoformat() if article.modified else None, article_id])
    return True


@dataclass(frozen=True)
class Version:
    """One version of an article: a stored revision, or the current text (`current`)."""

    number: int
    title: str | None
    lede: str | None
    text: str
    seen_from: str | None
    seen_until: str | None
    current: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


def versions(db: sqlite_utils.Database, article_id: int) -> list[Version]:
    """Every version of an article, oldest first; the last is the current text."""
    out = [Version(r["number"], r["title"], r["lede"], r["text"] or "", r["seen_from"], r["seen_until"], False)
           for r in db.query("select * from revisions where article_id = ? order by number", [article_id])]
    row = db.execute("select title, lede, text, first_seen from articles where id = ?", [article_id]).fetchone()
    if row is None:
        return out
    since = out[-1].seen_until if out else row[3]
    out.append(Version(len(out) + 1, row[0], row[1], row[2] or "", since, None, True))
    return out


def due_revisits(db: sqlite_utils.Database, source: str, now: datetime) -> list[tuple[int, str]]:
    """(id, url) of the source's articles whose next revisit time has passed."""
    horizon = iso(now - max(REVISIT_AFTER) - timedelta(days=1))
    out = []
    for article_id, url, first_seen, fetched_at in db.execute(
            "select id, url, first_seen, fetched_at from articles where source = ? and first_seen >= ? "
            "order by id", [source, horizon]):
        if revisit_due(parse_iso(first_seen), parse_iso(fetched_at), now):
            out.append((article_id, url))
    return out

