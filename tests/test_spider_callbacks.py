"""The spider's callbacks, one Scrapy response at a time: the exact requests each yields (with their meta), the
rows it writes and the counters it adds. The end-to-end crawls of the same paths are in test_crawl,
test_sitemaps and test_listings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crawling import UNIT_NOW, counters, described, unit_spider
from scrapy.http import HtmlResponse, Response, TextResponse

from crosswire.core.article import Article, FeedEntry
from crosswire.core.sources import parse_sources
from crosswire.crawlers.context import Sighting
from crosswire.crawlers.items import PageItem
from crosswire.identity.urls import url_key
from crosswire.storage.articles import store_article
from crosswire.storage.feeds import ensure_feed, record_feed_success

LEDGER = "https://ledger.test"
BODY = " ".join(f"Sentence {n} of a report about the shelling of a river town, long enough to keep." for n in range(8))


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def errors(db) -> list[tuple]:
    """(run, feed, source, url, kind, reason) of every recorded error, in order."""
    return rows(db, "select run_id, feed_id, source, url, kind, reason from errors order by id")


def article_request(url: str, feed_id: int, source: str, entry: FeedEntry) -> dict:
    """What `described()` gives for the spider's request of a new article."""
    return {"url": url, "callback": "parse_article", "errback": "on_article_failed",
            "meta": {"feed_id": feed_id, "source": source, "entry": entry.to_dict(), "kind": "article",
                     "key": url_key(url)},
            "headers": {}, "dont_filter": False}


# --- feeds ------------------------------------------------------------------------------------------------

FEED_SOURCES = parse_sources(f'[[source]]\nname = "ledger"\nhomepage = "{LEDGER}/"\n'
                             f'feeds = ["{LEDGER}/rss.xml", "{LEDGER}/world.xml"]\n', "sources.toml")


def rss(*items: tuple[str, str, str, str]) -> bytes:
    """An RSS 2.0 feed of (title, link, guid, pubDate) items."""
    body = "".join(f"<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>"
                   f"<pubDate>{date}</pubDate></item>" for title, link, guid, date in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title><link>{LEDGER}/</link>'
            f"<description>News</description>{body}</channel></rss>").encode()


@pytest.fixture
def feed_spider():
    spider = unit_spider(FEED_SOURCES)
    return spider, spider.context.db, ensure_feed(spider.context.db, f"{LEDGER}/rss.xml", "ledger")


def test_feed_with_new_known_and_duplicate_entries(feed_spider):
    spider, db, feed_id = feed_spider
    context = spider.context
    known = store_article(db, Article(url=f"{LEDGER}/news/known", title="Known", text=BODY), source="ledger")
    # Another feed of this run requested /news/dup (its article is on its way, not stored yet) and /news/earlier
    # (stored already).
    earlier = store_article(db, Article(url=f"{LEDGER}/news/earlier", title="Earlier", text=BODY + " More."),
                            source="ledger")
    context.pending[url_key(f"{LEDGER}/news/dup")] = []
    context.requested.update({url_key(f"{LEDGER}/news/dup"), url_key(f"{LEDGER}/news/earlier")})
    request = spider.feed_request(f"{LEDGER}/rss.xml", feed_id, "ledger")
    response = TextResponse(request.url, request=request, body=rss(
        ("New", f"{LEDGER}/news/new", "n-1", "Sun, 01 Mar 2026 09:00:00 GMT"),
        ("Known", f"{LEDGER}/news/known?utm_source=rss", "k-1", "Sun, 01 Mar 2026 10:00:00 GMT"),
        ("Dup", f"{LEDGER}/news/dup?utm_medium=feed", "d-1", "Sun, 01 Mar 2026 11:00:00 GMT"),
        ("New again", f"{LEDGER}/news/new?utm_campaign=x", "n-2", "Sun, 01 Mar 2026 12:00:00 GMT"),
        ("Earlier", f"{LEDGER}/news/earlier", "e-1", "Sun, 01 Mar 2026 08:00:00 GMT"),
    ), headers={"Content-Type": "application/rss+xml", "ETag": '"v1"',
                "Last-Modified": "Sun, 01 Mar 2026 11:59:00 GMT"})

    new_entry = FeedEntry(url=f"{LEDGER}/news/new", guid="n-1", title="New",
                          published=datetime(2026, 3, 1, 9, tzinfo=UTC))
    assert [article_request(f"{LEDGER}/news/new", feed_id, "ledger", new_entry)] == [
        described(r) for r in spider.on_feed(response)]
    assert {"feeds_checked": 1, "entries_seen": 5, "articles_known": 1, "articles_duplicate": 3} == counters(
        spider.crawler)
    # The two later entries that named articles in flight are kept, to be linked once those are stored.
    assert {url_key(f"{LEDGER}/news/dup"): [Sighting(feed_id, "d-1", f"{LEDGER}/news/dup?utm_medium=feed")],
            url_key(f"{LEDGER}/news/new"): [Sighting(feed_id, "n-2", f"{LEDGER}/news/new?utm_campaign=x")],
            } == context.pending
    assert {url_key(f"{LEDGER}/news/{path}") for path in ("dup", "earlier", "new")} == context.requested
    # The stored articles gain this feed's sighting; nothing else is stored.
    assert [(known.article_id, feed_id, "k-1"), (earlier.article_id, feed_id, "e-1")] == rows(
        db, "select article_id, feed_id, guid from sightings order by article_id")
    assert [(known.article_id,), (earlier.article_id,)] == rows(db, "select id from articles order by id")
    feed_row = ("select kind, last_status, etag, last_modified, entries_last, bozo, last_checked, next_check "
                "from feeds")
    # The feed's new state waits for the two articles it named that are not stored yet: a crawl stopped now
    # leaves the feed as it was, due, so the next one asks for them again.
    assert {url_key(f"{LEDGER}/news/new"), url_key(f"{LEDGER}/news/dup")} == context.held[feed_id].waiting
    assert [("feed", None, None, None, None, None, None, None)] == rows(db, feed_row)
    context.settle(url_key(f"{LEDGER}/news/new"), ok=True)
    assert [("feed", None, None, None, None, None, None, None)] == rows(db, feed_row)
    context.settle(url_key(f"{LEDGER}/news/dup"), ok=True)
    # Both stored: now the validators advance. Posts an hour apart: the feed is checked again in half an hour.
    assert [("rss", 200, '"v1"', "Sun, 01 Mar 2026 11:59:00 GMT", 5, None, UNIT_NOW, "2026-03-01T12:30:00+00:00")
            ] == rows(db, feed_row)
    assert {} == context.held
    assert [] == errors(db)


def test_a_failed_article_drops_the_feeds_validators_but_schedules_it(feed_spider):
    spider, db, feed_id = feed_spider
    request = spider.feed_request(f"{LEDGER}/rss.xml", feed_id, "ledger")
    response = TextResponse(request.url, request=request, body=rss(
        ("One", f"{LEDGER}/news/1", "g-1", "Sun, 01 Mar 2026 10:00:00 GMT"),
        ("Two", f"{LEDGER}/news/2", "g-2", "Sun, 01 Mar 2026 11:00:00 GMT")),
        headers={"Content-Type": "application/rss+xml", "ETag": '"v2"'})
    assert 2 == len(list(spider.on_feed(response)))
    spider.context.settle(url_key(f"{LEDGER}/news/1"), ok=True)
    spider.context.settle(url_key(f"{LEDGER}/news/2"), ok=False)
    # No ETag kept: the next fetch is a full one and asks for /news/2 again; the next check is as usual.
    assert [(200, None, "2026-03-01T12:30:00+00:00")] == rows(db, "select last_status, etag, next_check from feeds")


def test_not_modified_feed_sends_validators_and_yields_nothing(feed_spider):
    spider, db, feed_id = feed_spider
    record_feed_success(db, feed_id, status=200, etag='"v1"', last_modified="Sun, 01 Mar 2026 09:00:00 GMT",
                        kind="rss", entries=4, now="2026-03-01T09:00:00+00:00")
    request = spider.feed_request(f"{LEDGER}/rss.xml", feed_id, "ledger")
    assert {"url": f"{LEDGER}/rss.xml", "callback": "on_feed", "errback": "on_feed_failed",
            "meta": {"handle_httpstatus_list": [304], "feed_id": feed_id, "source": "ledger", "kind": "feed"},
            "headers": {"If-None-Match": '"v1"', "If-Modified-Since": "Sun, 01 Mar 2026 09:00:00 GMT"},
            "dont_filter": True} == described(request)

    response = Response(request.url, status=304, request=request, headers={"Cache-Control": "max-age=10800"})
    assert [] == list(spider.on_feed(response))
    assert {"feeds_checked": 1, "feeds_not_modified": 1} == counters(spider.crawler)
    # The validators and what the feed held stay; the server's max-age (3 h) sets the next check.
    assert [("rss", 304, '"v1"', "Sun, 01 Mar 2026 09:00:00 GMT", 4, UNIT_NOW, "2026-03-01T15:00:00+00:00")] == rows(
        db, "select kind, last_status, etag, last_modified, entries_last, last_checked, next_check from feeds")


def test_full_fetch_after_an_interrupted_run_sends_no_validators(feed_spider):
    _, db, feed_id = feed_spider
    record_feed_success(db, feed_id, status=200, etag='"v1"', kind="rss")
    spider = unit_spider(FEED_SOURCES, db, CROSSWIRE_FULL_FETCH=True)
    assert {} == described(spider.feed_request(f"{LEDGER}/rss.xml", feed_id, "ledger"))["headers"]


TRUNCATED = rss(("One", f"{LEDGER}/news/1", "g-1", "Sun, 01 Mar 2026 10:00:00 GMT"),
                ("Two", f"{LEDGER}/news/2", "g-2", "Sun, 01 Mar 2026 11:00:00 GMT")
                )[:-len(b"</channel></rss>")] + b"<item><title>Three</title><link>" + LEDGER.encode() + b"/news/3"


def test_malformed_feed_still_gives_its_entries_and_keeps_the_problem(feed_spider):
    spider, db, feed_id = feed_spider
    request = spider.feed_request(f"{LEDGER}/rss.xml", feed_id, "ledger")
    response = TextResponse(request.url, request=request, body=TRUNCATED,
                            headers={"Content-Type": "application/rss+xml"})
    assert [
        article_request(f"{LEDGER}/news/1", feed_id, "ledger", FeedEntry(
            url=f"{LEDGER}/news/1", guid="g-1", title="One", published=datetime(2026, 3, 1, 10, tzinfo=UTC))),
        article_request(f"{LEDGER}/news/2", feed_id, "ledger", FeedEntry(
            url=f"{LEDGER}/news/2", guid="g-2", title="Two", published=datetime(2026, 3, 1, 11, tzinfo=UTC))),
    ] == [described(r) for r in spider.on_feed(response)]
    problem = "SAXParseException: <unknown>:1:517: no element found"     # the parser's words: the body ends
    # Kept against the feed and recorded, but not counted as an error: the feed gave what it could.
    assert [(spider.context.run_id, feed_id, "ledger", f"{LEDGER}/rss.xml", "parse", problem)] == errors(db)
    for n in (1, 2):
        spider.context.settle(url_key(f"{LEDGER}/news/{n}"), ok=True)
    assert [("rss", 2, problem)] == rows(db, "select kind, entries_last, bozo from feeds")
    assert {"feeds_checked": 1, "feed_problems": 1, "entries_seen": 2} == counters(spider.crawler)


def test_malformed_feed_with_no_entries_counts_as_an_error(feed_spider):
    spider, db, feed_id = feed_spider
    request = spider.feed_request(f"{LEDGER}/rss.xml", feed_id, "ledger")
    response = TextResponse(request.url, request=request, body=b"<rss><channel><title>Cut",
                            headers={"Content-Type": "application/rss+xml"})
    assert [] == list(spider.on_feed(response))
    problem = "SAXParseException: <unknown>:2:24: no element found"
    assert [(spider.context.run_id, feed_id, "ledger", f"{LEDGER}/rss.xml", "parse", problem)] == errors(db)
    assert {"feeds_checked": 1, "feed_problems": 1, "errors": 1, "entries_seen": 0} == counters(spider.crawler)


def test_known_entry_with_a_later_updated_date_is_fetched_again(feed_spider):
    spider, db, feed_id = feed_spider
    known = store_article(db, Article(url=f"{LEDGER}/news/edited", title="Edited", text=BODY), source="ledger",
                          feed_id=feed_id, guid="e-1", entry_updated="2026-03-01T08:00:00+00:00")
    entry = FeedEntry(url=f"{LEDGER}/news/edited", guid="e-1", updated=datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert [{"url": f"{LEDGER}/news/edited", "callback": "parse_article", "errback": "on_article_failed",
             "meta": {"feed_id": feed_id, "source": "ledger", "kind": "article", "refetch": True,
                      "entry": entry.to_dict(), "key": url_key(f"{LEDGER}/news/edited")}, "headers": {},
             "dont_filter": True}] == [
        described(r) for r in spider.article_requests([entry], feed_id=feed_id, source="ledger")]
    assert {"entries_seen": 1, "articles_refetched": 1, "articles_known": 1} == counters(spider.crawler)
    assert [(known.article_id, feed_id, "2026-03-01T10:00:00+00:00")] == rows(
        db, "select article_id, feed_id, entry_updated from sightings")


def test_parse_article_hands_the_page_and_its_entry_to_the_pipelines(feed_spider):
    spider, _, feed_id = feed_spider
    entry = FeedEntry(url=f"{LEDGER}/s/1", guid="s-1", title="Short link").to_dict()
    [request] = spider.article_requests([FeedEntry.from_dict(entry)], feed_id=feed_id, source="ledger")
    request.meta["redirect_urls"] = [f"{LEDGER}/s/1"]     # what RedirectMiddleware leaves on the final request
    page = b"<html><head><title>Story</title></head><body><p>Text.</p></body></html>"
    response = HtmlResponse(f"{LEDGER}/news/2026/03/story", body=page, request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert [PageItem(url=f"{LEDGER}/news/2026/03/story", body=page, source="ledger",
                     content_type="text/html; charset=utf-8", requested_url=f"{LEDGER}/s/1", feed_id=feed_id,
                     guid="s-1", entry=entry, key=url_key(f"{LEDGER}/s/1"))] == list(spider.parse_article(response))


# --- sitemaps ---------------------------------------------------------------------------------------------

CEDAR = "https://cedar.test"
INDEX = f"{CEDAR}/sitemap_index.xml"


def sitemap_sources(limits: str) -> list:
    return parse_sources(f'[[source]]\nname = "cedar"\nhomepage = "{CEDAR}/"\nsitemaps = ["{INDEX}"]\n{limits}\n',
                         "sources.toml")


def sitemap_request(url: str, feed_id: int, *, root: str = INDEX, depth: int, previous: datetime | None = None,
                    headers: dict | None = None, child: bool = True, parent: int | None = None) -> dict:
    """What `described()` gives for the spider's request of one sitemap file (an index's child waits under
    a key of its own; a root sitemap is scheduled)."""
    return {"url": url, "callback": "parse_sitemap_file", "errback": "entry_point_failed",
            "meta": {"handle_httpstatus_list": [304], "feed_id": feed_id, "source": "cedar", "kind": "sitemap",
                     "root": root, "depth": depth, "previous": previous,
                     "key": f"sitemap:{url}" if child else None, "scheduled": depth == 0, "parent": parent,
                     "pages": None, "floor": None},
            "headers": headers or {}, "dont_filter": False}


def index(*children: tuple[str, str | None]) -> bytes:
    body = "".join(f"<sitemap><loc>{CEDAR}{path}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
                   + "</sitemap>" for path, lastmod in children)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'.encode()


def test_sitemap_index_within_max_pages_fetches_the_newest_children():
    spider = unit_spider(sitemap_sources("max_pages = 2"))
    db = spider.context.db
    [request] = spider.sitemap_start(spider.context.sources["cedar"])
    assert sitemap_request(INDEX, 1, depth=0, child=False) == described(request)
    response = TextResponse(INDEX, request=request, headers={"Content-Type": "application/xml"}, body=index(
        ("/sitemaps/2024-01.xml", "2024-01-31"), ("/sitemaps/2024-03.xml", "2024-03-31"),
        ("/sitemaps/latest.xml", None), ("/sitemaps/2024-02.xml", "2024-02-29")))
    # Newest first (a child without lastmod may hold anything: first of all), two files, then the cut.
    assert [sitemap_request(f"{CEDAR}/sitemaps/latest.xml", 2, depth=1, parent=1),
            sitemap_request(f"{CEDAR}/sitemaps/2024-03.xml", 3, depth=1, parent=1)] == [
        described(r) for r in spider.parse_sitemap_file(response)]
    assert [(spider.context.run_id, 1, "cedar", INDEX, "limit", "stopped after 2 sitemap files (max_pages)")
            ] == errors(db)
    assert {"sitemaps_checked": 1, "cut_by_limits": 1} == counters(spider.crawler)
    feeds = "select url, kind, entries_last from feeds order by id"
    # The index's state waits for the two children it requested (a cut index stays partial: no validators).
    assert {f"sitemap:{CEDAR}/sitemaps/latest.xml", f"sitemap:{CEDAR}/sitemaps/2024-03.xml"} == (
        spider.context.held[1].waiting)
    assert [(INDEX, "sitemap", None), (f"{CEDAR}/sitemaps/latest.xml", "sitemap", None),
            (f"{CEDAR}/sitemaps/2024-03.xml", "sitemap", None)] == rows(db, feeds)
    spider.context.settle(f"sitemap:{CEDAR}/sitemaps/latest.xml", ok=True)
    spider.context.settle(f"sitemap:{CEDAR}/sitemaps/2024-03.xml", ok=True)
    assert [(INDEX, "sitemap", 4), (f"{CEDAR}/sitemaps/latest.xml", "sitemap", None),
            (f"{CEDAR}/sitemaps/2024-03.xml", "sitemap", None)] == rows(db, feeds)
    assert [(INDEX, None, None)] == rows(db, "select url, etag, last_success from feeds where id = 1")


def test_sitemap_index_nested_beyond_max_depth_is_cut():
    spider = unit_spider(sitemap_sources("max_depth = 1"))
    db = spider.context.db
    child = f"{CEDAR}/sitemaps/nested-index.xml"
    request = spider.sitemap_request(child, "cedar", root=INDEX, depth=1)
    response = TextResponse(child, request=request, body=index(("/sitemaps/deeper.xml", None)))
    assert [] == list(spider.parse_sitemap_file(response))
    assert [(spider.context.run_id, 1, "cedar", INDEX, "limit",
             "sitemap index nested deeper than max_depth 1")] == errors(db)
    assert {"sitemaps_checked": 1, "cut_by_limits": 1} == counters(spider.crawler)


def test_urlset_requests_only_entries_since_the_last_fetch_newest_first_within_max_articles():
    spider = unit_spider(sitemap_sources("max_articles = 1"))
    db = spider.context.db
    url = f"{CEDAR}/sitemaps/2024-03.xml"
    feed_id = ensure_feed(db, url, "cedar", kind="sitemap")
    record_feed_success(db, feed_id, status=200, kind="sitemap", now="2024-03-13T12:00:00+00:00")
    request = spider.sitemap_request(url, "cedar", root=INDEX, depth=1)
    last = datetime(2024, 3, 13, 12, tzinfo=UTC)
    assert sitemap_request(url, feed_id, depth=1, previous=last, child=False) == described(request)
    lastmods = {"/2024/03/10/a": "2024-03-10", "/2024/03/12/b": "2024-03-12", "/2024/03/13/c": "2024-03-13",
                "/2024/03/14/d": "2024-03-14"}
    body = "".join(f"<url><loc>{CEDAR}{path}</loc><lastmod>{day}</lastmod></url>" for path, day in lastmods.items())
    response = TextResponse(url, request=request, body=(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>').encode())
    # A day of slack before the last fetch keeps 13 and 14 March; of those, the newest one is requested.
    entry = FeedEntry(url=f"{CEDAR}/2024/03/14/d", updated=datetime(2024, 3, 14, tzinfo=UTC))
    assert [article_request(f"{CEDAR}/2024/03/14/d", feed_id, "cedar", entry)] == [
        described(r) for r in spider.parse_sitemap_file(response)]
    assert [(spider.context.run_id, feed_id, "cedar", url, "limit",
             "sitemap lists 2 new URLs; requested the newest 1 (max_articles)")] == errors(db)
    assert {"sitemaps_checked": 1, "too_old": 2, "cut_by_limits": 1, "entries_seen": 1} == counters(spider.crawler)


# --- listing pages ----------------------------------------------------------------------------------------

HARBINGER = "https://harbinger.test"
LATEST = f"{HARBINGER}/latest/"
LISTING_SOURCES = parse_sources(
    f'[[source]]\nname = "harbinger"\nhomepage = "{HARBINGER}/"\n'
    f'listing = [{{ url = "{LATEST}", links = "h2 a", next = "a.next" }}]\n', "sources.toml")


def listing_page(paths: list[str], next_href: str | None) -> bytes:
    teasers = "".join(f'<article><h2><a href="{path}">Story {path}</a></h2></article>' for path in paths)
    nxt = f'<a class="next" href="{next_href}">Older</a>' if next_href else ""
    return f"<html><body><main>{teasers}{nxt}</main></body></html>".encode()


def listing_request(url: str, feed_id: int, page: int, visited: tuple[str, ...]) -> dict:
    return {"url": url, "callback": "parse_listing_page", "errback": "entry_point_failed",
            "meta": {"handle_httpstatus_list": [304], "feed_id": feed_id, "source": "harbinger", "kind": "listing",
                     "listing": 0, "page": page, "visited": visited, "key": f"page:{url}" if page > 1 else None,
                     "scheduled": page == 1},
            "headers": {}, "dont_filter": True}


def test_listing_pages_follow_next_until_it_loops_back():
    spider = unit_spider(LISTING_SOURCES)
    db = spider.context.db
    [first] = spider.listing_start(spider.context.sources["harbinger"])
    assert listing_request(LATEST, 1, 1, (LATEST,)) == described(first)

    page_one = HtmlResponse(LATEST, request=first, body=listing_page(["/news/a", "/news/b"], "/latest/page/2/"),
                            headers={"Content-Type": "text/html", "ETag": '"p1"'})
    second_url = f"{LATEST}page/2/"
    out = [described(r) for r in spider.parse_listing_page(page_one)]
    assert [article_request(f"{HARBINGER}/news/a", 1, "harbinger",
                            FeedEntry(url=f"{HARBINGER}/news/a", title="Story /news/a")),
            article_request(f"{HARBINGER}/news/b", 1, "harbinger",
                            FeedEntry(url=f"{HARBINGER}/news/b", title="Story /news/b")),
            listing_request(second_url, 1, 2, (LATEST, second_url))] == out

    second = spider._listing_request(second_url, "harbinger", 0, 1, page=2, visited=(LATEST, second_url),
                                     key=f"page:{second_url}")
    page_two = HtmlResponse(second_url, request=second, body=listing_page(["/news/c"], "/latest/"),
                            headers={"Content-Type": "text/html"})
    assert [article_request(f"{HARBINGER}/news/c", 1, "harbinger",
                            FeedEntry(url=f"{HARBINGER}/news/c", title="Story /news/c"))] == [
        described(r) for r in spider.parse_listing_page(page_two)]
    assert [(spider.context.run_id, 1, "harbinger", second_url, "trap",
             f"pagination loops back to {LATEST}")] == errors(db)
    assert {"listing_pages": 2, "entries_seen": 3, "pagination_loops": 1} == counters(spider.crawler)
    # Only the first page's state is kept (it is the one fetched conditionally next time), and only once the
    # three articles the listing named are settled.
    listing_row = "select url, kind, last_status, etag, entries_last from feeds"
    assert [(LATEST, "listing", None, None, None)] == rows(db, listing_row)
    for path in ("a", "b", "c"):
        spider.context.settle(url_key(f"{HARBINGER}/news/{path}"), ok=True)
    assert [(LATEST, "listing", 200, '"p1"', 2)] == rows(db, listing_row)


def test_listing_page_of_known_articles_is_the_last_one_read():
    spider = unit_spider(LISTING_SOURCES)
    db = spider.context.db
    for path in ("/news/a", "/news/b"):
        store_article(db, Article(url=HARBINGER + path, title=path, text=BODY + path), source="harbinger")
    [first] = spider.listing_start(spider.context.sources["harbinger"])
    page = HtmlResponse(LATEST, request=first, body=listing_page(["/news/a", "/news/b"], "/latest/page/2/"),
                        headers={"Content-Type": "text/html"})
    assert [] == list(spider.parse_listing_page(page))     # a routine crawl has caught up: no page 2
    assert {"listing_pages": 1, "entries_seen": 2, "articles_known": 2} == counters(spider.crawler)


def test_listing_page_of_articles_stored_in_this_run_is_not_caught_up():
    """Only articles stored by earlier crawls mean a routine crawl has caught up; another entry point of this run
    getting to a page's articles first must not stop a first crawl from reading the older pages."""
    spider = unit_spider(LISTING_SOURCES)
    db = spider.context.db
    # Another entry point of this run requested /news/a, and its article is stored by now.
    store_article(db, Article(url=f"{HARBINGER}/news/a", title="A", text=BODY), source="harbinger")
    spider.context.requested.add(url_key(f"{HARBINGER}/news/a"))
    [first] = spider.listing_start(spider.context.sources["harbinger"])
    page = HtmlResponse(LATEST, request=first, body=listing_page(["/news/a"], "/latest/page/2/"),
                        headers={"Content-Type": "text/html"})
    second_url = f"{LATEST}page/2/"
    assert [listing_request(second_url, 1, 2, (LATEST, second_url))] == [
        described(r) for r in spider.parse_listing_page(page)]
