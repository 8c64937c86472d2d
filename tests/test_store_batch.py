"""Articles are stored in batches, one write transaction each, and nothing that depends on an article being stored
happens before its batch commits: not its entry point's new cache state (ETag, Last-Modified, schedule), not its
count in the run's stats. A batch lost before its commit (a kill, a full disk) leaves its entry points as they
were. The crawls that stop, kill and starve the crawl for real are in test_faults and test_killsafety."""

from __future__ import annotations

import sqlite3

import pytest
from crawling import counters, unit_spider

from crosswire.core.article import Article
from crosswire.core.sources import parse_sources
from crosswire.crawlers.batch import StoreBatch
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.pipelines import StorePipeline
from crosswire.identity.urls import url_key
from crosswire.storage.db import open_db
from crosswire.storage.feeds import ensure_feed

LEDGER = "https://ledger.test"
SOURCES = parse_sources(f"""
[[source]]
name = "ledger"
homepage = "{LEDGER}/"
feeds = ["{LEDGER}/rss.xml"]
""", "sources.toml")
BODY = " ".join(f"Sentence {n} of a report about the shelling of a river town, long enough to keep." for n in range(8))


class Timers:
    """Stands in for the reactor's callLater: remembers what is due, runs it when told."""

    def __init__(self) -> None:
        self.due: list[tuple[float, object]] = []

    def __call__(self, seconds: float, call):
        timer = Timer(call)
        self.due.append((seconds, timer))
        return timer


class Timer:
    def __init__(self, call) -> None:
        self.call, self.live = call, True

    def active(self) -> bool:
        return self.live

    def cancel(self) -> None:
        self.live = False

    def fire(self) -> None:
        self.live = False
        self.call()


@pytest.fixture
def crawl(tmp_path):
    """A unit spider over an archive on disk, a batch of at most 3 articles, and a second connection that sees
    only what is committed."""
    path = tmp_path / "news.db"
    spider = unit_spider(SOURCES, db=open_db(path))
    spider.context.stats = spider.crawler.stats     # what the spider's start() does
    timers = Timers()
    spider.context.batch = StoreBatch(spider.context.db, size=3, linger=0.5, call_later=timers)
    other = sqlite3.connect(path, isolation_level=None)
    yield spider, timers, other
    other.close()
    spider.context.db.close()


def held_feed(spider, urls: list[str]) -> int:
    """An entry point that answered with `urls`, its new state held until they are settled."""
    context = spider.context
    feed_id = ensure_feed(context.db, f"{LEDGER}/rss.xml", "ledger")
    context.hold(feed_id, {"status": 200, "etag": '"v2"', "next_check": "2026-03-01T12:00:00+00:00"})
    for url in urls:
        context.pending[url_key(url)] = []
        context.wait_for(feed_id, url_key(url))
    context.listed(feed_id)
    return feed_id


def store(spider, url: str, feed_id: int) -> PageItem:
    """One article through the store pipeline and to the spider's item_scraped handler, as Scrapy runs them."""
    article = Article(url=url, title=f"Report {url[-1]}", text=f"{BODY} {url}", language="en").to_dict()
    item = StorePipeline.from_crawler(spider.crawler).process_item(
        PageItem(url=url, body=b"", source="ledger", requested_url=url, feed_id=feed_id, article=article,
                 key=url_key(url)))
    spider.on_item_stored(item)
    return item


def seen_by_others(other: sqlite3.Connection, feed_id: int) -> tuple[list[str], str | None]:
    return ([url for (url,) in other.execute("select url from articles order by id")],
            other.execute("select etag from feeds where id = ?", [feed_id]).fetchone()[0])


def test_a_batch_commits_when_full_and_its_entry_point_advances_only_then(crawl):
    spider, timers, other = crawl
    urls = [f"{LEDGER}/news/{n}" for n in range(1, 5)]
    feed_id = held_feed(spider, urls)
    for url in urls[:2]:
        store(spider, url, feed_id)
    # Two articles in the open transaction: nobody else sees them, and nothing counted them yet.
    assert ([], None) == seen_by_others(other, feed_id)
    assert {} == counters(spider.crawler)
    store(spider, urls[2], feed_id)          # the third fills the batch: committed
    assert (urls[:3], None) == seen_by_others(other, feed_id)
    assert {"articles_new": 3} == counters(spider.crawler)
    store(spider, urls[3], feed_id)          # the last opens a batch of its own; its entry point still waits
    assert (urls[:3], None) == seen_by_others(other, feed_id)
    [(seconds, timer)] = [(s, t) for s, t in timers.due if t.active()]
    assert 0.5 == seconds
    timer.fire()                             # the batch's time is up: committed, and the entry point advances
    assert (urls, '"v2"') == seen_by_others(other, feed_id)
    assert {"articles_new": 4} == counters(spider.crawler)
    assert not other.in_transaction and not spider.context.db.conn.in_transaction


def test_a_lost_batch_stores_nothing_and_its_entry_point_keeps_its_validators(crawl):
    spider, timers, other = crawl
    urls = [f"{LEDGER}/news/{n}" for n in range(1, 3)]
    feed_id = held_feed(spider, urls)
    for url in urls:
        store(spider, url, feed_id)
    # What SQLite does by itself on a full disk or an I/O error: the whole transaction is rolled back.
    spider.context.db.execute("ROLLBACK")
    assert not spider.context.batch.commit()
    assert ([], None) == seen_by_others(other, feed_id)
    # Both articles failed with their reason; the entry point is written as failed: no validators, so the next
    # crawl reads it in full and fetches them again.
    assert [("storage", url) for url in urls] == other.execute(
        "select kind, url from errors order by id").fetchall()
    assert {"errors": 2, "storage_errors": 2} == counters(spider.crawler)
    assert (None, None) == other.execute("select etag, last_modified from feeds where id = ?", [feed_id]).fetchone()


def test_a_batch_waits_for_a_writer_that_holds_the_lock_and_an_article_it_cannot_store_stays_due(crawl):
    spider, timers, other = crawl
    spider.context.db.execute("PRAGMA busy_timeout = 50")
    url = f"{LEDGER}/news/1"
    feed_id = held_feed(spider, [url])
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError):
        StorePipeline.from_crawler(spider.crawler).process_item(
            PageItem(url=url, body=b"", source="ledger", requested_url=url, feed_id=feed_id, key=url_key(url),
                     article=Article(url=url, title="One", text=BODY).to_dict()))
    other.execute("ROLLBACK")
    assert not spider.context.batch.open
    assert ([], None) == seen_by_others(other, feed_id)
    assert feed_id in spider.context.held      # still waiting for its article: nothing about it is written


def test_an_article_in_a_lost_batch_keeps_its_entry_point_due_though_a_later_batch_commits(crawl):
    spider, timers, other = crawl
    urls = [f"{LEDGER}/news/{n}" for n in range(1, 3)]
    feed_id = held_feed(spider, urls)
    store(spider, urls[0], feed_id)
    spider.context.db.execute("ROLLBACK")     # SQLite gave up the first batch by itself (a full disk, an I/O error)
    store(spider, urls[1], feed_id)           # found out here: the second article opens a batch of its own
    [timer] = [t for _, t in timers.due if t.active()]
    timer.fire()
    assert ([urls[1]], None) == seen_by_others(other, feed_id)
    assert [("storage", urls[0])] == other.execute("select kind, url from errors").fetchall()
    assert {"articles_new": 1, "errors": 1, "storage_errors": 1} == counters(spider.crawler)
