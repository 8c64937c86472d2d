"""Keeping articles once: URL identity, where each was seen, and the row itself."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

import sqlite_utils

from crosswire.article import Article
from crosswire.urls import canonical_url, same_site
from storage.db import utcnow


@dataclass(frozen=True)
class StoreResult:
    """What happened to an article handed to storage."""

    article_id: int
    status: str         # "new" | "duplicate"
    url: str            # the canonical URL it is stored under


def body_hash(text: str) -> str:
    """A hash of the body that ignores case, punctuation and whitespace, for exact-duplicate detection."""
    words = re.findall(r"\w+", text.lower())
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def identity_url(article: Article) -> str:
    """The canonical URL an article is stored under: its rel=canonical when it stays on the same site."""
    if article.canonical_url and same_site(article.canonical_url, article.url):
        return canonical_url(article.canonical_url)
    return canonical_url(article.url)


def find_article_id(db: sqlite_utils.Database, url: str) -> int | None:
    """The id of the article that `url` (any variant) maps to, or None if it is not stored."""
    row = db.execute("select article_id from article_urls where url = ?", [canonical_url(url)]).fetchone()
    return row[0] if row else None


def known_urls(db: sqlite_utils.Database, urls: list[str]) -> set[str]:
    """Which of `urls` (as given) already map to a stored article."""
    if not urls:
        return set()
    by_canon = {canonical_url(u): u for u in urls}
    found: set[str] = set()
    keys = list(by_canon)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for (url,) in db.execute(f"select url from article_urls where url in ({marks})", chunk):
            found.add(by_canon[url])
    return found


def add_url_variants(db: sqlite_utils.Database, article_id: int, urls: list[str | None]) -> None:
    """Map every URL variant seen for an article to it (first mapping wins)."""
    now = utcnow()
    for url in urls:
        if url:
            db.execute("insert or ignore into article_urls (url, article_id, first_seen) values (?, ?, ?)",
                       [canonical_url(url), article_id, now])


def record_sighting(db: sqlite_utils.Database, article_id: int, feed_id: int | None, guid: str | None,
                    entry_updated: str | None = None) -> None:
    """Remember that a feed listed this article (first/last seen per feed)."""
    if feed_id is None:
        return
    now = utcnow()
    db.execute(
        "insert into sightings (article_id, feed_id, guid, entry_updated, first_seen, last_seen) "
        "values (?, ?, ?, ?, ?, ?) on conflict(article_id, feed_id) do update set "
        "last_seen = excluded.last_seen, entry_updated = coalesce(excluded.entry_updated, entry_updated)",
        [article_id, feed_id, guid, entry_updated, now, now],
    )


def article_row(article: Article, source: str | None, url: str) -> dict:
    """The articles-table row for an Article."""
    now = utcnow()
    return {
        "url": url, "source": source, "title": article.title,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "published": article.published.isoformat() if article.published else None,
        "modified": article.modified.isoformat() if article.modified else None,
        "language": article.language, "lede": article.lede, "text": article.text,
        "image": article.image, "section": article.section,
        "keywords": json.dumps(article.keywords, ensure_ascii=False),
        "site_name": article.site_name, "body_hash": body_hash(article.text),
        "word_count": len(article.text.split()), "fetched_url": article.url,
        "first_seen": now, "last_seen": now,
    }


def store_article(db: sqlite_utils.Database, article: Article, *, source: str | None,
                  feed_id: int | None = None, guid: str | None = None, entry_url: str | None = None,
                  entry_updated: str | None = None) -> StoreResult:
    """Store an article once: a URL already known (in any variant) only gains a sighting."""
    url = identity_url(article)
    with db.atomic():
        existing = find_article_id(db, url) or find_article_id(db, article.url)
        if existing is not None:
            add_url_variants(db, existing, [url, article.url, entry_url])
            db.execute("update articles set last_seen = ? where id = ?", [utcnow(), existing])
            record_sighting(db, existing, feed_id, guid, entry_updated)
            return StoreResult(existing, "duplicate", url)
        article_id = db["articles"].insert(article_row(article, source, url)).last_pk
        add_url_variants(db, article_id, [url, article.url, entry_url])
        record_sighting(db, article_id, feed_id, guid, entry_updated)
    return StoreResult(article_id, "new", url)


def link_known(db: sqlite_utils.Database, url: str, *, feed_id: int | None, guid: str | None,
               entry_updated: str | None = None) -> int | None:
    """For a feed entry whose article is already stored: record the sighting; return its id."""
    article_id = find_article_id(db, url)
    if article_id is not None:
        with db.atomic():
            add_url_variants(db, article_id, [url])
            record_sighting(db, article_id, feed_id, guid, entry_updated)
    return article_id
