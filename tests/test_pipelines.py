"""The item pipelines, one PageItem at a time: what each hands on, drops (and why), writes and counts. The
end-to-end crawls through them are in test_crawl, test_topics and test_revisions."""

from __future__ import annotations

import asyncio

import pytest
from crawling import UNIT_NOW, counters, unit_spider
from scrapy.exceptions import DropItem

from crosswire.analysis import embedding
from crosswire.core.article import Article, FeedEntry
from crosswire.core.sources import parse_sources
from crosswire.crawlers.context import Sighting
from crosswire.crawlers.embedder import Embedder
from crosswire.crawlers.items import PageItem
from crosswire.crawlers.pipelines import ExtractPipeline, StorePipeline, TopicFilterPipeline, TopicTagPipeline
from crosswire.extraction import extract
from crosswire.identity.urls import url_key
from crosswire.storage.articles import store_article
from crosswire.storage.feeds import ensure_feed

LEDGER = "https://ledger.test"
SOURCES = parse_sources(f"""
[[source]]
name = "ledger"
homepage = "{LEDGER}/"
feeds = ["{LEDGER}/rss.xml", "{LEDGER}/world.xml"]

[source.rules]
title = "h1.story-title"

[[source]]
name = "front"
homepage = "https://front.test/"
topics = ["ukraine"]
only_topics = true
""", "sources.toml")
PAGE = f"""<html lang="en"><head><title>Talks resume - Ledger</title>
<meta property="og:title" content="Ceasefire talks resume">
<meta name="description" content="Envoys met for a second day.">
<meta property="article:published_time" content="2026-03-01T09:30:00+00:00">
<link rel="canonical" href="{LEDGER}/news/ceasefire-talks">
</head><body><article><h1 class="story-title">Ceasefire talks resume in Geneva</h1>
<p>Envoys from both sides met in Geneva on Sunday for a second day of talks on a ceasefire in Ukraine, officials said.</p>
<p>The talks, hosted by Swiss diplomats, focused on prisoner exchanges and the protection of power stations.</p>
<p>Neither delegation spoke to reporters after the session, which ran late into the evening.</p>
</article></body></html>""".encode()
BODY = " ".join(f"Sentence {n} of a report about the shelling of a river town, long enough to keep." for n in range(8))


@pytest.fixture
def spider():
    return unit_spider(SOURCES)


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def test_extract_hands_on_the_article_its_topics_and_frees_the_page(spider):
    entry = FeedEntry(url=f"{LEDGER}/news/ceasefire-talks?utm_source=rss", title="Talks").to_dict()
    item = PageItem(url=f"{LEDGER}/news/ceasefire-talks?utm_source=rss", body=PAGE, source="ledger",
                    content_type="text/html; charset=utf-8", entry=entry)
    out = asyncio.run(ExtractPipeline.from_crawler(spider.crawler).process_item(item))
    # The source's own rules are applied (its title selector wins over og:title).
    expected = extract(PAGE, item.url, FeedEntry.from_dict(entry), content_type=item.content_type,
                       rules={"title": "h1.story-title"}).to_dict()
    assert "Ceasefire talks resume in Geneva" == expected["title"]
    assert PageItem(url=item.url, body=b"", source="ledger", content_type="text/html; charset=utf-8", entry=entry,
                    article=expected, topics=("ukraine",)) == out
    assert {} == counters(spider.crawler)


def test_extract_drops_a_page_that_is_not_html_and_records_why(spider):
    db = spider.context.db
    feed_id = ensure_feed(db, f"{LEDGER}/rss.xml", "ledger")
    item = PageItem(url=f"{LEDGER}/report.pdf", body=b"%PDF-1.4", source="ledger", content_type="application/pdf",
                    feed_id=feed_id)
    with pytest.raises(DropItem) as dropped:
        asyncio.run(ExtractPipeline.from_crawler(spider.crawler).process_item(item))
    reason = f"not an HTML page: {LEDGER}/report.pdf is application/pdf"
    assert f"{LEDGER}/report.pdf: {reason}" == str(dropped.value)
    assert [(spider.context.run_id, feed_id, "ledger", f"{LEDGER}/report.pdf", "not-html", reason)] == rows(
        db, "select run_id, feed_id, source, url, kind, reason from errors")
    assert {"errors": 1} == counters(spider.crawler)


def test_topic_filter_drops_an_off_topic_article_and_remembers_its_urls(spider):
    db = spider.context.db
    item = PageItem(url="https://front.test/news/port-strike", body=b"", source="front",
                    requested_url="https://front.test/s/9?utm_source=x",
                    entry={"url": "https://front.test/go/port-strike"}, article={}, topics=("syria",))
    with pytest.raises(DropItem) as dropped:
        TopicFilterPipeline.from_crawler(spider.crawler).process_item(item)
    assert "https://front.test/news/port-strike: off topic for front (wants ukraine)" == str(dropped.value)
    assert {"off_topic": 1} == counters(spider.crawler)
    # Every URL it went by, in canonical form, so no later crawl fetches it again.
    assert [("https://front.test/go/port-strike", "front"), ("https://front.test/news/port-strike", "front"),
            ("https://front.test/s/9", "front")] == rows(db, "select url, source from off_topic_urls order by url")


@pytest.mark.parametrize("source, topics", [("front", ("ukraine", "syria")), ("ledger", ())])
def test_topic_filter_passes_articles_on_topic_and_of_sources_that_keep_everything(spider, source, topics):
    item = PageItem(url="https://front.test/news/kyiv", body=b"", source=source, article={}, topics=topics)
    assert item is TopicFilterPipeline.from_crawler(spider.crawler).process_item(item)
    assert ({}, []) == (counters(spider.crawler), rows(spider.context.db, "select * from off_topic_urls"))


def test_store_keeps_a_new_article_and_links_the_sightings_pending_for_it(spider):
    context = spider.context
    db = context.db
    rss, world = ensure_feed(db, f"{LEDGER}/rss.xml", "ledger"), ensure_feed(db, f"{LEDGER}/world.xml", "ledger")
    url = f"{LEDGER}/news/ceasefire-talks"
    # The world feed named the same article (under a tracking variant) while it was being fetched.
    context.pending[url_key(url)] = [Sighting(world, "w-7", f"{url}?utm_source=world")]
    context.pending[url_key(f"{LEDGER}/news/other")] = []
    article = Article(url=url, title="Ceasefire talks resume in Geneva", text=BODY, language="en").to_dict()
    item = PageItem(url=url, body=b"", source="ledger", requested_url=url, feed_id=rss, guid="r-1",
                    entry={"url": url, "updated": None}, article=article, topics=("ukraine",))
    out = StorePipeline.from_crawler(spider.crawler).process_item(item)
    assert 1 == out.stored_id
    assert [(1, url, "ledger", "Ceasefire talks resume in Geneva", UNIT_NOW)] == rows(
        db, "select id, url, source, title, first_seen from articles")
    assert [(1, rss, "r-1"), (1, world, "w-7")] == rows(db, "select article_id, feed_id, guid from sightings "
                                                            "order by feed_id")
    assert [(url, 1)] == rows(db, "select url, article_id from article_urls")   # the variant folds into it
    assert {url_key(f"{LEDGER}/news/other"): []} == context.pending              # only its own entry is settled
    assert {"articles_new": 1} == counters(spider.crawler)


def test_store_of_a_refetched_article_that_changed_records_a_revision(spider):
    db = spider.context.db
    url = f"{LEDGER}/news/ceasefire-talks"
    store_article(db, Article(url=url, title="Talks resume", text=BODY), source="ledger")
    changed = Article(url=url, title="Talks resume (updated)", text=BODY + " The talks ended at midnight.")
    item = PageItem(url=url, body=b"", source="ledger", requested_url=url, article=changed.to_dict(), refetch=True)
    assert 1 == StorePipeline.from_crawler(spider.crawler).process_item(item).stored_id
    assert [("Talks resume (updated)",)] == rows(db, "select title from articles")
    assert [(1, "Talks resume")] == rows(db, "select article_id, title from revisions")
    assert {"articles_revised": 1} == counters(spider.crawler)


def test_topic_tags_are_stored_for_the_stored_article(spider):
    db = spider.context.db
    stored = store_article(db, Article(url=f"{LEDGER}/news/1", title="One", text=BODY), source="ledger")
    item = PageItem(url=f"{LEDGER}/news/1", body=b"", source="ledger", article={}, topics=("syria", "ukraine"),
                    stored_id=stored.article_id)
    assert item is TopicTagPipeline.from_crawler(spider.crawler).process_item(item)
    assert [(stored.article_id, "syria"), (stored.article_id, "ukraine")] == rows(
        db, "select article_id, topic from article_topics order by topic")


def test_store_sends_each_new_article_to_the_embedder_and_its_vector_is_saved(spider):
    db = spider.context.db
    url, copy_url = f"{LEDGER}/news/ceasefire-talks", f"{LEDGER}/print/ceasefire-talks"
    article = Article(url=url, title="Ceasefire talks resume in Geneva", text=BODY, lede="Envoys met.").to_dict()
    spider.context.embedder = Embedder()
    try:
        store = StorePipeline.from_crawler(spider.crawler)
        store.process_item(PageItem(url=url, body=b"", source="ledger", requested_url=url, article=article))
        # The same body under another URL is linked to the stored article: nothing more to embed.
        store.process_item(PageItem(url=copy_url, body=b"", source="ledger", requested_url=copy_url,
                                    article=dict(article, url=copy_url)))
        assert 1 == spider.context.embedder.save(db)
    finally:
        spider.context.embedder.close()
    expected = embedding.to_blob(embedding.embed([article])[0])
    assert [(1, embedding.MODEL, expected)] == rows(db, "select article_id, model, vector from article_embeddings")
    assert {"articles_new": 1, "articles_duplicate": 1} == counters(spider.crawler)
