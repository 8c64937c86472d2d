"""Keeping articles once: URL identity, exact duplicates by body, where each was seen, and the row itself.

An article is found again by any URL variant (article_urls.key, see crosswire.identity.urls.url_key) or, failing
that, by the hash of its body: the same text under another URL of the same outlet (a print view, a second
section path) is linked to the stored article rather than stored twice. Another outlet's identical text is
a republication: it is stored, and crosswire.storage.families puts it in the original's copy family.
A re-fetch of a stored article (revise=True) that changed its title or body keeps the old text as a
revision (crosswire.storage.revisions) and the row takes the new one, so search and export show it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from crosswire.core.article import Article
from crosswire.core.errors import QueryError
from crosswire.core.times import utcnow
from crosswire.identity.similarity import body_hash
from crosswire.identity.urls import canonical_url, redact, same_site, url_key
from crosswire.storage.db import in_chunks, writing
from crosswire.storage.revisions import record_revision

MAX_ROW_ID = 2**63 - 1     # SQLite's largest integer
# Bodies shorter than this are too generic ("Live updates follow.") to declare two pages one article.
MIN_WORDS_FOR_BODY_MATCH = 40


@dataclass(frozen=True)
class StoreResult:
    """What happened to an article handed to storage."""

    article_id: int
    status: str         # "new" | "duplicate" (a known URL) | "same-body" (linked by body) | "revised"
    url: str            # the canonical URL it is stored under


def identity_url(article: Article) -> str:
    """The canonical URL an article is stored under: its rel=canonical when it stays on the same site."""
    if article.canonical_url and same_site(article.canonical_url, article.url):
        return canonical_url(article.canonical_url)
    return canonical_url(article.url)


def find_article_id(db: sqlite_utils.Database, url: str) -> int | None:
    """The id of the article that `url` (any variant) maps to, or None if it is not stored."""
    row = db.execute("select article_id from article_urls where key = ? limit 1", [url_key(url)]).fetchone()
    return row[0] if row else None


def find_by_body(db: sqlite_utils.Database, text: str, source: str | None) -> int | None:
    """The id of the source's stored article with exactly this body (case, punctuation and spacing aside).

    Only within one source: another outlet running the same text is a republication, which is evidence
    in itself, so it is stored and joins the original's copy family (crosswire.storage.families) instead."""
    if len(text.split()) < MIN_WORDS_FOR_BODY_MATCH:
        return None
    row = db.execute("select id from articles where body_hash = ? and source is ? order by id limit 1",
                     [body_hash(text), source]).fetchone()
    return row[0] if row else None


def known_urls(db: sqlite_utils.Database, urls: list[str]) -> set[str]:
    """Which of `urls` (as given) already map to a stored article."""
    if not urls:
        return set()
    by_key: dict[str, list[str]] = {}
    for u in urls:
        by_key.setdefault(url_key(u), []).append(u)
    found: set[str] = set()
    keys = list(by_key)
    for marks, chunk in in_chunks(keys):
        for (key,) in db.execute(f"select distinct key from article_urls where key in ({marks})", chunk):
            found.update(by_key[key])
    return found


def add_url_variants(db: sqlite_utils.Database, article_id: int, urls: list[str | None],
                     now: str | None = None) -> None:
    """Map every URL variant seen for an article to it (first mapping wins)."""
    now = now or utcnow()
    for url in dict.fromkeys(filter(None, urls)):   # the same variant twice would only be ignored
        db.execute("insert or ignore into article_urls (url, key, article_id, first_seen) values (?, ?, ?, ?)",
                   [canonical_url(url), url_key(url), article_id, now])


def record_sighting(db: sqlite_utils.Database, article_id: int, feed_id: int | None, guid: str | None,
                    entry_updated: str | None = None, now: str | None = None) -> None:
    """Remember that a feed listed this article (first/last seen per feed)."""
    if feed_id is None:
        return
    now = now or utcnow()
    db.execute(
        "insert into sightings (article_id, feed_id, guid, entry_updated, first_seen, last_seen) "
        "values (?, ?, ?, ?, ?, ?) on conflict(article_id, feed_id) do update set "
        "last_seen = excluded.last_seen, entry_updated = coalesce(excluded.entry_updated, entry_updated)",
        [article_id, feed_id, guid, entry_updated, now, now],
    )


def article_row(article: Article, source: str | None, url: str, now: str | None = None) -> dict:
    """The articles-table row for an Article."""
    now = now or utcnow()
    return {
        "url": url, "source": source, "title": article.title,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "published": article.published.isoformat() if article.published else None,
        "modified": article.modified.isoformat() if article.modified else None,
        "language": article.language, "lede": article.lede, "text": article.text,
        "image": redact(article.image) if article.image else None, "section": article.section,
        "keywords": json.dumps(article.keywords, ensure_ascii=False),
        "site_name": article.site_name, "body_hash": body_hash(article.text),
        "agencies": json.dumps(article.agencies, ensure_ascii=False),
        "provenance": json.dumps(article.provenance, ensure_ascii=False),
        # A stranger's link may carry someone's user name and password: never kept (the canonical URL drops them).
        "word_count": len(article.text.split()), "fetched_url": redact(article.url),
        "first_seen": now, "last_seen": now, "fetched_at": now,
    }


def store_article(db: sqlite_utils.Database, article: Article, *, source: str | None,
                  feed_id: int | None = None, guid: str | None = None, entry_url: str | None = None,
                  entry_updated: str | None = None, revise: bool = False, now: str | None = None) -> StoreResult:
    """Store an article once. A known URL (any variant) only gains a sighting — and, when `revise` (the page
    was re-fetched to look for edits), a revision if its title or body changed. The same body under an
    unknown URL is linked to the stored article."""
    now = now or utcnow()
    url = identity_url(article)
    variants = [url, article.url, entry_url]
    with writing(db):
        existing = find_article_id(db, url) or find_article_id(db, article.url)
        if existing is None and entry_url:
            existing = find_article_id(db, entry_url)
        status = "duplicate"
        if existing is None:
            existing = find_by_body(db, article.text, source)
            status = "same-body"
        if existing is not None:
            add_url_variants(db, existing, variants, now)
            if revise and record_revision(db, existing, article, now=now):
                status = "revised"
            updates = "last_seen = ?, fetched_at = ?" if revise else "last_seen = ?"
            db.execute(f"update articles set {updates} where id = ?",
                       [now, now, existing] if revise else [now, existing])
            record_sighting(db, existing, feed_id, guid, entry_updated, now)
            return StoreResult(existing, status, url)
        article_id = db["articles"].insert(article_row(article, source, url, now)).last_pk
        add_url_variants(db, article_id, variants, now)
        record_sighting(db, article_id, feed_id, guid, entry_updated, now)
    return StoreResult(article_id, "new", url)


def store_vectors(db: sqlite_utils.Database, model: str, vectors: list[tuple[int, bytes]]) -> int:
    """Keep articles' story embeddings (article id, vector as stored) computed with `model`, in one
    transaction; how many."""
    with writing(db):
        db.conn.executemany("insert or replace into article_embeddings (article_id, model, vector) values "
                            "(?, ?, ?)", [(article_id, model, blob) for article_id, blob in vectors])
    return len(vectors)


def entry_changed(db: sqlite_utils.Database, url: str, feed_id: int | None, entry_updated: str | None) -> bool:
    """Whether a known article's feed entry now carries a later `updated` date than when last seen."""
    if feed_id is None or not entry_updated:
        return False
    row = db.execute(
        "select s.entry_updated from sightings s join article_urls u on u.article_id = s.article_id "
        "where u.key = ? and s.feed_id = ? limit 1", [url_key(url), feed_id]).fetchone()
    if row is None or not row[0]:
        return False
    try:
        return datetime.fromisoformat(entry_updated) > datetime.fromisoformat(row[0])
    except ValueError:
        return entry_updated != row[0]


def link_known(db: sqlite_utils.Database, url: str, *, feed_id: int | None, guid: str | None,
               entry_updated: str | None = None) -> int | None:
    """For a feed entry whose article is already stored: record the sighting; return its id."""
    article_id = find_article_id(db, url)
    if article_id is not None:
        with writing(db):
            add_url_variants(db, article_id, [url])
            record_sighting(db, article_id, feed_id, guid, entry_updated)
    return article_id


def article_url(db: sqlite_utils.Database, article_id: int) -> str | None:
    """The canonical URL an article is stored under, or None when there is no such article."""
    row = db.execute("select url from articles where id = ?", [article_id]).fetchone()
    return row[0] if row else None


def resolve_article(db: sqlite_utils.Database, ref: str | int) -> int:
    """The article a user named: its id (`42` or `#42`, as search shows it) or any of its URLs; a QueryError
    (one line) when there is none. Every command and page that takes an article reads it this way."""
    text = str(ref).strip()
    article_id: int | None = None
    digits = text.lstrip("#")
    if digits.isascii() and digits.isdecimal():     # not "²", which isdigit() but int() refuses
        number = int(digits)
        # A number SQLite cannot hold names no row (and would overflow the query).
        if number <= MAX_ROW_ID and db.execute("select 1 from articles where id = ?", [number]).fetchone():
            article_id = number
    elif "://" in text:
        article_id = find_article_id(db, text)
    if article_id is None:
        raise QueryError(f"no stored article {text!r} (give an id from `crosswire search` or a URL)")
    return article_id
