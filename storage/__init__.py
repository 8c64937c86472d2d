"""Keeping and querying (installed as crosswire.storage): SQLite through sqlite-utils, the only place that
speaks SQL. Functions take a Database; they never decide file paths.

    db.py           opening an archive (WAL, busy timeout, migrations), IN-list chunks
    archive.py      the archive a user named: missing, foreign, damaged or read-only, each one line
    schema.py       the schema as an ordered list of named migrations
    lock.py         one crawl per archive: flock on <db>.lock beside the real file
    articles.py     keeping articles once: URL variants, exact duplicates, sightings, lookup by id or URL
    revisions.py    edit history, and when to look at an article again
    feeds.py        sources and their feeds: registration, HTTP cache state, health
    runs.py         crawl runs and error rows
    health.py       what `crosswire status` and the Sources page show: failures, volume, errors per source
    families.py     copy families: MinHash-LSH persisted in SQLite
    runstore.py     sorted runs of keys as blobs (an LSM tree): the copy-family index's LSH buckets and counts
    stories.py      stories: clustering new articles, listing, loading one for comparison
    topics.py       topic tags, and URLs judged off topic
    query.py        the search query language → FTS5 expression and filters (pure)
    snippets.py     highlighted snippets (pure)
    search.py       full-text search: FTS5 MATCH, filters, bm25, copies collapsed
    browse.py       filter choices and facet counts for browsing
    export.py       articles read out as export records
    attention.py    how much each group's output matched a query, per day or week
    saved.py        saved searches
    overview.py     what `crosswire demo` shows of an archive
    maintenance.py  backup and vacuum
"""
