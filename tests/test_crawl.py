"""End-to-end feed crawls of the local test web: formats, conditional GET, dedup across feeds, bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawling import crawl
from crosswire.identity.urls import canonical_url
from testweb import TestWeb

GOOD_OUTLETS = ["levant-ledger", "northern-dispatch", "gulf-wire", "al-mirsad", "vestnik-frontira"]
# Every feed now, due or not; and the broken outlet's huge page (3 MB) must pass the download limit, so the
# limit is 1 MiB here instead of the default 10.
EXTRA = ["--all", "-s", "DOWNLOAD_MAXSIZE=1048576"]


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def web() -> TestWeb:
    # The slow page outlasts any download timeout; stopping the web releases it at once.
    with TestWeb(outlets=GOOD_OUTLETS + ["broken-outlet"], slow_seconds=120) as web:
        yield web


@pytest.fixture(scope="module")
def crawled(web: TestWeb, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two crawls of the good outlets into one database, with the request log of each."""
    tmp = tmp_path_factory.mktemp("crawl")
    db, sources = tmp / "news.db", tmp / "sources.toml"
    sources.write_text(web.sources_toml(GOOD_OUTLETS))
    web.clear_log()
    first = crawl(db, sources, *EXTRA)
    first_log = web.requests
    web.clear_log()
    second = crawl(db, sources, *EXTRA)
    return {"db": db, "first": first, "second": second, "first_log": first_log, "second_log": web.requests}


@pytest.mark.parametrize("outlet, kind", [
    ("levant-ledger", "rss"), ("northern-dispatch", "atom"), ("gulf-wire", "json"),
    ("al-mirsad", "rss"), ("vestnik-frontira", "rss"),
])
def test_every_feed_format_stores_exactly_the_outlets_articles(web, crawled, outlet, kind):
    truth = {canonical_url(a["url"]): a["title"] for a in web.articles(outlet)}
    stored = dict(rows(crawled["db"], "select url, title from articles where source = ?", (outlet,)))
    assert truth == stored
    feed_kinds = {k for (k,) in rows(crawled["db"], "select kind from feeds where source = ?", (outlet,))}
    assert {kind} == feed_kinds


def test_first_crawl_summary_counts_everything(web, crawled):
    total = len(rows(crawled["db"], "select id from articles"))
    feeds = sum(len(web.feed_urls(o)) for o in GOOD_OUTLETS)
    assert sum(len(web.articles(o)) for o in GOOD_OUTLETS) == total
    assert crawled["first"].returncode == 0, crawled["first"].stderr
    # Two levant-ledger articles are listed by both of its feeds (one link with tracking parameters).
    assert crawled["first"].stdout.startswith(
        f"{feeds} feeds checked (0 not modified), {total} new articles, 2 duplicates, 0 already stored, 0 errors in ")


def test_article_in_two_feeds_is_stored_once_and_linked_to_both(web, crawled):
    db = crawled["db"]
    shared = [a for a in web.articles("levant-ledger") if len(a["feed_links"]) == 2]
    assert 2 == len(shared)
    for article in shared:
        (article_id,) = rows(db, "select id from articles where url = ?", (canonical_url(article["url"]),))[0]
        feeds = rows(db, "select f.url from sightings s join feeds f on f.id = s.feed_id where s.article_id = ? "
                         "order by f.url", (article_id,))
        assert [(u,) for u in sorted(web.feed_urls("levant-ledger"))] == feeds
        tracked = canonical_url(article["feed_links"][1])
        assert [(article_id,)] == rows(db, "select article_id from article_urls where url = ?", (tracked,))


def test_second_crawl_gets_304s_and_fetches_no_article(web, crawled):
    second = crawled["second"]
    feeds = sum(len(web.feed_urls(o)) for o in GOOD_OUTLETS)
    assert second.stdout.startswith(
        f"{feeds} feeds checked ({feeds} not modified), 0 new articles, 0 duplicates, 0 already stored, 0 errors")
    log = [r for r in crawled["second_log"] if r.path != "/robots.txt"]
    assert sorted(("/" + u.split("/", 3)[3], 304) for o in GOOD_OUTLETS for u in web.feed_urls(o)) == sorted(
        (r.path, r.status) for r in log)
    assert all("if-none-match" in {k.lower() for k in r.headers} for r in log)


def test_first_crawl_sent_no_validators_and_stored_them(web, crawled):
    first_feeds = [r for r in crawled["first_log"] if "/feed" in r.path or r.path.endswith((".xml", ".rdf", ".json"))]
    assert first_feeds and all("if-none-match" not in {k.lower() for k in r.headers} for r in first_feeds)
    missing = rows(crawled["db"], "select url from feeds where etag is null or last_modified is null")
    assert [] == missing


def test_export_jsonl_has_the_documented_fields(crawled):
    out = subprocess.run([sys.executable, "-m", "crosswire", "export", "--format", "jsonl", "--db",
                          str(crawled["db"])], capture_output=True, text=True, check=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert rows(crawled["db"], "select id, url from articles order by id") == sorted(
        (r["id"], r["url"]) for r in records)
    for record in records:
        assert {"id", "url", "source", "title", "authors", "published", "language", "text"} <= set(record)
        assert isinstance(record["authors"], list)
    by_title = {r["title"]: r for r in records}
    ledger = by_title["UN aid convoy crosses into northern Aleppo after three-week standoff"]
    assert ("levant-ledger", "en", "2024-03-10T16:05:00+00:00") == (
        ledger["source"], ledger["language"], ledger["published"])


def test_bad_input_is_recorded_and_the_crawl_goes_on(web, tmp_path):
    db, sources = tmp_path / "broken.db", tmp_path / "broken.toml"
    sources.write_text(web.sources_toml(["broken-outlet"]) + (
        '\n[[source]]\nname = "nowhere"\nhomepage = "http://no-such-outlet.invalid/"\n'
        'feeds = ["http://no-such-outlet.invalid/rss.xml"]\n'))
    result = crawl(db, sources, *EXTRA)
    bad = web.bad_urls()
    errors = sorted(rows(db, "select url, kind from errors where kind != 'parse'"))
    assert sorted([
        (bad["server-error"], "http"), (bad["not-found"], "http"), (bad["slow"], "timeout"),
        (bad["pdf"], "not-html"), (bad["binary-html"], "not-html"), (bad["huge"], "too-large"),
        (bad["refused"], "connection"), ("http://no-such-outlet.invalid/rss.xml", "dns"),
    ]) == errors
    # The malformed feed still gave its good articles, and its problem is kept against the feed.
    stored = {u for (u,) in rows(db, "select url from articles")}
    assert {canonical_url(a["url"]) for a in web.articles("broken-outlet")} == stored
    (bozo,) = rows(db, "select bozo from feeds where url like '%/rss.xml' and source = 'broken-outlet'")[0]
    assert bozo
    # Eight failed URLs, plus the malformed feed's parse problem is counted among feed problems, not errors.
    assert ", 8 errors in " in result.stdout, result.stdout
