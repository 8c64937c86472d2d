"""The schema, as an ordered list of named migrations.

Each migration runs once, inside a transaction, and is recorded in `migrations`. To change the schema,
append a new function to MIGRATIONS — never edit one that has shipped, since users' databases already ran it.
"""

from __future__ import annotations

from typing import Callable

import sqlite_utils

from crosswire.core.times import utcnow
from crosswire.identity.urls import url_key
from crosswire.storage.runstore import STORES, convert_rows, create_tables

Migration = Callable[[sqlite_utils.Database], None]


def m001_core(db: sqlite_utils.Database) -> None:
    """Sources, feeds with HTTP cache state and health, articles, URL variants, sightings, runs, errors."""
    db["sources"].create({
        "name": str, "title": str, "homepage": str, "country": str, "language": str,
        "tags": str,            # JSON list
        "config": str,          # JSON of the source's settings as last loaded
        "added": str, "updated": str,
    }, pk="name", not_null={"homepage"})
    db["feeds"].create({
        "id": int, "url": str, "source": str,
        "kind": str,            # rss | atom | json | sitemap | news-sitemap | listing
        "etag": str, "last_modified": str,
        "last_status": int, "last_checked": str, "last_success": str,
        "last_error": str, "last_error_at": str, "consecutive_failures": int,
        "next_check": str, "paused": int, "paused_reason": str,
        "entries_last": int,    # entries in the last successful parse
        "bozo": str,            # the parser's complaint about the last fetch, if any
        "added": str,
    }, pk="id", foreign_keys=[("source", "sources", "name")],
       defaults={"consecutive_failures": 0, "paused": 0}, not_null={"url"})
    db["feeds"].create_index(["url"], unique=True)
    db["articles"].create({
        "id": int, "url": str, "source": str,
        "title": str, "authors": str,      # JSON list
        "published": str, "modified": str, "language": str,
        "lede": str, "text": str, "image": str, "section": str,
        "keywords": str,                    # JSON list
        "site_name": str,
        "body_hash": str,                   # hash of normalised body text, for exact duplicates
        "word_count": int,
        "fetched_url": str,                 # the URL we actually fetched
        "first_seen": str, "last_seen": str,
    }, pk="id", foreign_keys=[("source", "sources", "name")], not_null={"url"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["published"])
    db["articles"].create_index(["body_hash"])
    db["article_urls"].create({"url": str, "article_id": int, "first_seen": str},
                              pk="url", foreign_keys=[("article_id", "articles", "id")])
    db["article_urls"].create_index(["article_id"])
    db["sightings"].create({
        "id": int, "article_id": int, "feed_id": int, "guid": str,
        "entry_updated": str, "first_seen": str, "last_seen": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id"), ("feed_id", "feeds", "id")])
    db["sightings"].create_index(["article_id", "feed_id"], unique=True)
    db["runs"].create({
        "id": int, "started": str, "finished": str, "status": str,   # running | ok | partial | failed
        "command": str, "stats": str,                                 # JSON
    }, pk="id")
    db["errors"].create({
        "id": int, "run_id": int, "feed_id": int, "source": str, "url": str,
        "kind": str,            # http | dns | timeout | connection | too-large | not-html | parse | ...
        "reason": str, "at": str,
    }, pk="id", foreign_keys=[("run_id", "runs", "id"), ("feed_id", "feeds", "id")])
    db["errors"].create_index(["url"])
    db["errors"].create_index(["run_id"])


def m002_fts(db: sqlite_utils.Database) -> None:
    """FTS5 over title, lede and text, kept in sync by triggers (the layout Datasette expects)."""
    # unicode61 with diacritics removed splits Arabic and Cyrillic words as well as Latin ones and folds
    # case for all three; a stemmer would only help English and would mangle the other two.
    db["articles"].enable_fts(["title", "lede", "text"], fts_version="FTS5", create_triggers=True,
                              tokenize="unicode61 remove_diacritics 2")


def m003_groupings(db: sqlite_utils.Database) -> None:
    """Columns that place an article in a copy family and a story (filled by dedup and clustering)."""
    db["articles"].add_column("family_id", int)
    db["articles"].add_column("family_role", str)   # origin | copy | NULL (not in a family)
    db["articles"].add_column("story_id", int)
    db["articles"].create_index(["family_id"])
    db["articles"].create_index(["story_id"])


def m_polling(db: sqlite_utils.Database) -> None:
    """Feed columns for adaptive polling: when the current failure streak began, and a server's Retry-After."""
    db["feeds"].add_column("failing_since", str)    # first failure of the current streak, NULL when healthy
    db["feeds"].add_column("retry_after", str)      # ISO time before which the server asked us not to return
    db["feeds"].create_index(["next_check"])


def m_identity_history(db: sqlite_utils.Database) -> None:
    """URL identity keys on article_urls, when each article was last fetched, and its earlier revisions."""
    db["article_urls"].add_column("key", str)
    for url, in db.execute("select url from article_urls").fetchall():
        db.execute("update article_urls set key = ? where url = ?", [url_key(url), url])
    db["article_urls"].create_index(["key"])
    db["articles"].add_column("fetched_at", str)     # when the page was last fetched (revisit policy)
    db.execute("update articles set fetched_at = coalesce(last_seen, first_seen)")
    db["revisions"].create({
        "id": int, "article_id": int,
        "number": int,                       # 1 = as first stored; the article row holds the latest
        "title": str, "lede": str, "text": str, "body_hash": str, "modified": str,
        "seen_from": str, "seen_until": str,  # when this version was first fetched / replaced
    }, pk="id", foreign_keys=[("article_id", "articles", "id")])
    db["revisions"].create_index(["article_id", "number"], unique=True)


def m_copy_families(db: sqlite_utils.Database) -> None:
    """Copy families and the persisted MinHash-LSH index they are found with."""
    db["families"].create({"id": int, "origin_id": int, "size": int, "created": str, "updated": str},
                          pk="id")
    db["family_links"].create({
        "article_id": int, "family_id": int,
        "matched_id": int,         # the member it was verified against
        "containment": float,      # shingle containment of the smaller text in the larger
        "jaccard": float,
    }, pk="article_id")
    db["family_links"].create_index(["family_id"])
    # One row per (band hash, article): the LSH buckets, persisted so a crawl only indexes new articles.
    db.execute("create table lsh_buckets (bucket integer not null, article_id integer not null, "
               "primary key (bucket, article_id)) without rowid")
    # How many articles of a source contain a sentence: repeated ones are that outlet's boilerplate.
    db.execute("create table boilerplate_sentences (source text not null, sentence integer not null, "
               "articles integer not null, primary key (source, sentence)) without rowid")
    db["family_index_state"].create({"name": str, "value": int}, pk="name")


def m_saved_searches(db: sqlite_utils.Database) -> None:
    """Saved searches: a name and the query text, exported as one feed each."""
    db["saved_searches"].create({"name": str, "query": str, "created": str, "updated": str},
                                pk="name", not_null={"query"})


def m_stories(db: sqlite_utils.Database) -> None:
    """Stories: one row per clustered event with its label, span, first report and counts."""
    db["stories"].create({
        "id": int, "label": str,
        "first_published": str, "last_published": str,
        "first_article_id": int, "first_source": str,
        "article_count": int,       # every member, copies included
        "source_count": int,        # distinct outlets
        "text_count": int,          # distinct texts: copies of one wire story count once
        "updated": str,
    }, pk="id")
    db["stories"].create_index(["first_published"])
    db["stories"].create_index(["last_published"])


def m_article_topics(db: sqlite_utils.Database) -> None:
    """Topic tags per article (crosswire.core.topics): which named keyword sets each article matches."""
    db["article_topics"].create({"article_id": int, "topic": str}, pk=("article_id", "topic"),
                                foreign_keys=[("article_id", "articles", "id")])
    db["article_topics"].create_index(["topic"])


def m_date_indexes(db: sqlite_utils.Database) -> None:
    """Indexes on the date search sorts and filters by (published, else first seen), overall and per source."""
    # Without them "newest first" reads every article row; with them a page is a short index walk.
    db.execute("create index if not exists articles_date on articles(coalesce(published, first_seen))")
    db.execute("create index if not exists articles_source_date on articles(source, coalesce(published, first_seen))")


def m_lsh_recent(db: sqlite_utils.Database) -> None:
    """The recent part of the LSH index: small, merged into lsh_buckets in sorted order (see crosswire.storage.families)."""
    db.execute("create table lsh_recent (bucket integer not null, article_id integer not null, "
               "primary key (bucket, article_id)) without rowid")


def m_off_topic_urls(db: sqlite_utils.Database) -> None:
    """URLs fetched and dropped as off topic for an only_topics source, so later crawls don't fetch them again."""
    db["off_topic_urls"].create({"url": str, "source": str, "at": str}, pk="url")


def m_fts_update_columns(db: sqlite_utils.Database) -> None:
    """Re-index an article in FTS only when its indexed text changes: the update trigger used to fire on
    every update (last_seen, family_id, story_id ...) and re-tokenize the whole body twice each time."""
    db.execute('drop trigger if exists "articles_au"')
    db.execute('create trigger "articles_au" after update of id, title, lede, text on "articles" begin\n'
               '  insert into "articles_fts" ("articles_fts", rowid, "title", "lede", "text") '
               'values(\'delete\', old.rowid, old."title", old."lede", old."text");\n'
               '  insert into "articles_fts" (rowid, "title", "lede", "text") '
               'values (new.rowid, new."title", new."lede", new."text");\nend')


def m_extraction_provenance(db: sqlite_utils.Database) -> None:
    """Where each extracted field came from (JSON object: field -> source) and the news agencies credited
    apart from the people in `authors` (JSON list); older rows keep NULL: nobody recorded it then."""
    db["articles"].add_column("agencies", str)
    db["articles"].add_column("provenance", str)


def m_run_stores(db: sqlite_utils.Database) -> None:
    """The copy-family index as sorted runs of keys in blobs (crosswire.storage.runstore) instead of one row per
    key: lsh_buckets and lsh_recent become a run of the `lsh` store, boilerplate_sentences one of the
    `boilerplate` store, and the three tables go."""
    for name in STORES:
        create_tables(db, name)
    convert_rows(db)
    for table in ("lsh_buckets", "lsh_recent", "boilerplate_sentences"):
        db.execute(f"drop table {table}")
    db.execute("delete from family_index_state where name in ('recent_rows', 'merged_rows')")


def m_article_embeddings(db: sqlite_utils.Database) -> None:
    """Each article's multilingual embedding (crosswire.analysis.embedding), computed once when it is first
    clustered: `model` names the encoder and the text it read, so a new one computes them again."""
    db["article_embeddings"].create({"article_id": int, "model": str, "vector": bytes}, pk="article_id",
                                    foreign_keys=[("article_id", "articles", "id")])


def m_story_features(db: sqlite_utils.Database) -> None:
    """What story clustering reads of each recent article alone (crosswire.analysis.storyvec.row_features), kept
    so that a crawl's clustering does not compute it again for every article of the stories still open:
    `version` names the code that computed it, `content` the text it read."""
    db["story_features"].create({"article_id": int, "version": str, "content": bytes, "features": bytes},
                                pk="article_id", foreign_keys=[("article_id", "articles", "id")])


def m_filter_index(db: sqlite_utils.Database) -> None:
    """An index keyed by id holding every column a search filter reads (crosswire.storage.search): ranked
    search checks candidates against the filters by id, and reading the article row for that walks past its
    text (overflow pages on real articles) to the columns added after it."""
    db.execute("create index if not exists articles_filter "
               "on articles(id, source, published, first_seen, family_role, language)")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_core", m001_core),
    ("002_fts", m002_fts),
    ("003_groupings", m003_groupings),
    # Append new migrations below this line, one per line.
    ("004_polling", m_polling),
    ("005_identity_history", m_identity_history),
    ("006_copy_families", m_copy_families),
    ("007_saved_searches", m_saved_searches),
    ("008_stories", m_stories),
    ("009_article_topics", m_article_topics),
    ("010_date_indexes", m_date_indexes),
    ("011_lsh_recent", m_lsh_recent),
    ("012_off_topic_urls", m_off_topic_urls),
    ("013_fts_update_columns", m_fts_update_columns),
    ("014_extraction_provenance", m_extraction_provenance),
    ("015_run_stores", m_run_stores),
    ("016_article_embeddings", m_article_embeddings),
    ("017_filter_index", m_filter_index),
    ("018_story_features", m_story_features),
]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every migration not yet applied; return the names applied now."""
    if "migrations" not in db.table_names():
        db["migrations"].create({"name": str, "applied": str}, pk="name")
    done = {row["name"] for row in db["migrations"].rows}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db.atomic():
            fn(db)
            db["migrations"].insert({"name": name, "applied": utcnow()})
        applied.append(name)
    return applied
