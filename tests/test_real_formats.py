"""The formats the bundled sources really use, crawled end to end on their test-web twins (testweb.outlets_real):
WordPress feeds and category listings, Arc XP feeds and paged news sitemaps, news sitemaps without ledes, a site
that wants an Accept header, a feed robots.txt forbids, and servers that refuse crawlers. Every enabled bundled
source has a twin whose route the crawler is shown to read."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import pytest

from crosswire import __version__
from crosswire.core.paths import bundled_sources_path
from crosswire.core.sources import Source, load_sources
from crosswire.crawlers.feeds import excerpt, parse_feed
from crosswire.crawlers.fetch import get, source_headers
from crosswire.crawlers.settings import DEFAULT_REQUEST_HEADERS
from crosswire.crawlers.listings import parse_listing
from crosswire.crawlers.sitemaps import SitemapEntry, offset_pages, parse_sitemap
from crawling import crawl
from discoverydata import errors, path_of, requested
from testweb import TestWeb
from testweb.outlets_real import (
    ARC_INDEX,
    ARC_PAGE,
    ARC_RSS,
    LISTING_PATH,
    OUTLETS,
    TWINS,
    TWINS_ELSEWHERE,
    source_toml,
)

NOW = "2026-03-11T13:00:00+00:00"      # the crawls' clock: the twins' news is a few hours to days old
PINNED = ("-s", f"CROSSWIRE_NOW={NOW}")
# The founding sample: The Duran's "Syrian conflict" listing of January 2017, as text (beside the repository).
SEED_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seed"


@pytest.fixture(scope="module")
def web():
    with TestWeb([*OUTLETS, "levant-ledger", "al-mirsad", "harbinger-review", "frontline-review"]) as web:
        yield web


def write(web: TestWeb, tmp: Path, name: str, extra: str = "") -> Path:
    path = tmp / "sources.toml"
    path.write_text(source_toml(web, name, extra), encoding="utf-8")
    return path


def stored_articles(db: Path) -> list[dict]:
    """What the crawl kept of each article, by path."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("select url, title, published, language, lede, text from articles").fetchall()
    return sorted(({"path": path_of(r["url"]), "title": r["title"], "published": r["published"],
                    "language": r["language"], "lede": r["lede"], "text": r["text"]} for r in rows),
                  key=lambda a: a["path"])


def truth(web: TestWeb, outlet: str, keep=lambda article: True) -> list[dict]:
    """The same fields from the outlet's content (dates in UTC, as the archive keeps them)."""
    return sorted(({**{key: a[key] for key in ("path", "title", "language", "lede", "text")},
                    "published": datetime.fromisoformat(a["published"]).astimezone(timezone.utc).isoformat()}
                   for a in web.articles(outlet) if keep(a)), key=lambda a: a["path"])


# --- what every request carries ---------------------------------------------------------------------------------

def test_request_headers_of_a_source():
    """The source's language first in Accept-Language; its own headers on top (the sources file keeps the
    User-Agent out of them, and one-off GETs set crosswire's last)."""
    plain = Source(name="a", homepage="https://a.test/")
    arabic = Source(name="b", homepage="https://b.test/", language="ar")
    own = Source(name="c", homepage="https://c.test/", language="ru",
                 headers=(("Accept", "application/rss+xml"), ("Accept-Language", "ru")))
    assert [{}, {}, {"Accept-Language": "ar,en;q=0.7,*;q=0.5"},
            {"Accept-Language": "ru", "Accept": "application/rss+xml"}] == [
        source_headers(None), source_headers(plain), source_headers(arabic), source_headers(own)]
    assert ("text/html" in DEFAULT_REQUEST_HEADERS["Accept"], "en,*;q=0.5") == (
        True, DEFAULT_REQUEST_HEADERS["Accept-Language"])


def test_one_off_gets_send_the_crawl_headers(web: TestWeb):
    web.clear_log()
    get(web.base_url("steppe-agency") + "/rss/v2.xml", headers={"User-Agent": "Mozilla/5.0", "Referer": "x"})
    [seen] = [r.headers for r in web.requests if r.outlet == "steppe-agency"]
    assert (DEFAULT_REQUEST_HEADERS["Accept"], "en,*;q=0.5", "x", f"crosswire/{__version__}") == (
        seen["Accept"], seen["Accept-Language"], seen["Referer"], seen["User-Agent"].split()[0])


# --- every bundled source has a twin --------------------------------------------------------------------------

def test_every_enabled_bundled_source_has_a_twin():
    bundled = load_sources(bundled_sources_path())
    assert sorted(s.name for s in bundled if s.enabled) == sorted({**TWINS, **TWINS_ELSEWHERE})
    # A twin stands for a route of the same kind: a feed for a feed, a sitemap for a sitemap, a listing for one.
    kinds = {s.name: {kind for kind, _ in s.routes()} for s in bundled}
    twin_kind = {"/feed/": "feed", "/?feed=rss2": "feed", LISTING_PATH: "listing", "/rss/v2.xml": "feed",
                 "/export/rss2/archive/index.xml": "feed", ARC_RSS + "?outputType=xml": "feed",
                 ARC_INDEX + "?outputType=xml": "sitemap", "/news-sitemap-content.xml": "sitemap",
                 "/feeds/world.xml": "feed", "/rss.rdf": "feed"}
    assert [] == [name for name, (_, route) in {**TWINS, **TWINS_ELSEWHERE}.items()
                  if twin_kind[route] not in kinds[name]]


@pytest.mark.parametrize("name", sorted({**TWINS, **TWINS_ELSEWHERE}))
def test_each_twin_route_reads_with_the_bundled_configuration(web: TestWeb, name: str):
    """The twin's route, fetched as the crawl fetches (default headers) and read with the crawler's readers and
    the bundled source's own listing selectors, yields dated entries."""
    outlet, route = {**TWINS, **TWINS_ELSEWHERE}[name]
    url = web.base_url(outlet) + route
    page = get(url)
    source = next(s for s in load_sources(bundled_sources_path()) if s.name == name)
    if route == LISTING_PATH:
        parsed = parse_listing(page.body, url, replace(source.listing[0], url=url))
        entries = [(e.title, e.summary, e.published) for e in parsed.entries]
    elif "sitemap" in route:
        parsed = parse_sitemap(page.body)
        if parsed.kind == "index":
            parsed = parse_sitemap(get(parsed.entries[0].loc).body)
        assert parsed.news
        entries = [(e.title, "", e.published) for e in parsed.entries]
    else:
        entries = [(e.title, "", e.published) for e in parse_feed(page.body, url, page.content_type).entries]
    assert entries and all(title and published for title, _, published in entries)
    if route == LISTING_PATH:      # the seed's shape: headline and lede per post
        assert all(lede for _, lede, _ in entries)


@pytest.mark.parametrize("outlet, path, pages", [
    ("euphrates-post", LISTING_PATH, 2),                       # a magazine theme's markup
    ("harbinger-review", "/category/syrian-conflict/", 3),     # classic WordPress markup, as the seed's page was
    ("frontline-review", "/syrian-conflict/", 1),
])
def test_the_duran_listing_reads_seed_shaped_pages(web: TestWeb, outlet: str, path: str, pages: int):
    """The bundled listing configuration of The Duran, on category pages of either markup: every post's
    headline, lede and link, page after page."""
    duran = next(s for s in load_sources(bundled_sources_path()) if s.name == "the-duran").listing[0]
    url, seen = web.base_url(outlet) + path, []
    for _ in range(pages):
        parsed = parse_listing(get(url).body, url, replace(duran, url=url))
        seen += [(path_of(e.url), e.title, e.summary) for e in parsed.entries]
        url = parsed.next_url
    assert url is None                       # the last page has no next link
    articles = {a["path"]: a for a in web.articles(outlet)}

    def teaser(article: dict, shown: str) -> str:
        """The lede, or (frontline-review, like the seed) the post's first paragraph or two."""
        if outlet != "frontline-review":
            return article["lede"]
        return next((" ".join(article["paragraphs"][:n]) for n in (1, 2, 3)
                     if " ".join(article["paragraphs"][:n]) == shown), article["paragraphs"][0])

    assert sorted(seen) == sorted((p, articles[p]["title"], teaser(articles[p], summary)) for p, _, summary in seen)
    assert len(seen) == len([a for a in articles.values() if outlet != "euphrates-post" or "/2026/" in a["path"]])


def seed_posts() -> tuple[str, list[tuple[str, list[str]]]]:
    """The seed's category name and its posts: each a headline and the paragraphs shown under it (the text has
    the name, then headline and paragraphs alternating, blocks parted by a blank line)."""
    [path] = sorted(SEED_DIR.glob("*.txt"))
    category, *blocks = path.read_text(encoding="utf-8").strip().split("\n\n")
    return category, [(headline, paragraphs.splitlines()) for headline, paragraphs in zip(blocks[::2], blocks[1::2])]


def classic_wordpress_category(category: str, posts: list[tuple[str, list[str]]]) -> str:
    """A category archive in the markup WordPress themes of 2017 printed (Twenty Sixteen and its kin)."""
    articles = "".join(
        f'<article id="post-{n}" class="post-{n} post type-post status-publish format-standard hentry '
        f'category-syrian-conflict"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="https://theduran.com/post-{n}/" rel="bookmark">{escape(headline)}</a></h2></header>'
        f'<div class="entry-summary">{"".join(f"<p>{escape(p)}</p>" for p in paragraphs)}</div>'
        f'<footer class="entry-footer"><span class="byline">The Duran</span></footer></article>'
        for n, (headline, paragraphs) in enumerate(posts, start=1))
    return (f'<html><body class="archive category"><main id="main" class="site-main"><header class="page-header">'
            f'<h1 class="page-title">Category: {escape(category)}</h1></header>{articles}'
            f'<nav class="navigation pagination"><div class="nav-links"><span class="page-numbers current">1</span>'
            f'<a class="next page-numbers" href="https://theduran.com/category/syrian-conflict/page/2/">Next page</a>'
            f'</div></nav></main></body></html>')


@pytest.mark.skipif(not SEED_DIR.is_dir(), reason="../shared/seed is not beside this checkout")
def test_the_duran_listing_reads_the_seed_itself():
    """The founding seed's posts, in the category markup of its time, read back by the bundled listing
    configuration: every headline with the paragraphs under it as its lede, and the link to the next page."""
    category, posts = seed_posts()
    duran = next(s for s in load_sources(bundled_sources_path()) if s.name == "the-duran").listing[0]
    url = "https://theduran.com/category/syrian-conflict/"
    parsed = parse_listing(classic_wordpress_category(category, posts), url, replace(duran, url=url))
    assert ("Syrian conflict", 7) == (category, len(posts))
    assert [(f"https://theduran.com/post-{n}/", headline, " ".join(" ".join(paragraphs).split()))
            for n, (headline, paragraphs) in enumerate(posts, start=1)] == [
        (e.url, e.title, e.summary) for e in parsed.entries]
    assert "https://theduran.com/category/syrian-conflict/page/2/" == parsed.next_url


# --- WordPress -------------------------------------------------------------------------------------------------

def test_wordpress_excerpts_lose_their_trimmings():
    tail = '<p>The post <a href="https://e.test/x/">X</a> appeared first on <a href="https://e.test">E</a>.</p>\n'
    assert [("Strikes resumed.", "Strikes resumed at dawn, and…", "The post office appeared first on a list.", None)
            ] == [(excerpt(f"<p>Strikes resumed. [&#8230;]</p>\n{tail}"), excerpt("Strikes resumed at dawn, and [...]"),
                   excerpt("The post office appeared first on a list."), excerpt(tail))]


def test_wordpress_feed_and_category_listing(web: TestWeb, tmp_path: Path):
    """Feed and listing of a WordPress magazine site: every post stored once with its own lede (the feed's
    "[…]" and "appeared first on" left out); pagination followed to the last page; then nothing is due."""
    sources, db = write(web, tmp_path, "euphrates-post"), tmp_path / "db.sqlite"
    web.clear_log()
    result = crawl(db, sources, *PINNED)
    assert 0 == result.returncode, result.stderr
    assert truth(web, "euphrates-post") == stored_articles(db)
    posts = [a["path"] for a in web.articles("euphrates-post")]
    assert sorted(["/feed/", LISTING_PATH, LISTING_PATH + "page/2/", *posts]) == requested(web, "euphrates-post")
    assert [] == errors(db)
    web.clear_log()
    again = crawl(db, sources, *PINNED)
    assert (4, []) == (again.returncode, requested(web, "euphrates-post"))
    assert "(0 not modified, 1 not due)" in again.stdout


# --- Arc XP: outbound RSS and a news sitemap paged with from= --------------------------------------------------

def test_offset_pages_are_told_from_other_indexes():
    def pages(*urls: str) -> list[SitemapEntry]:
        return [SitemapEntry(u) for u in urls]

    arc = "https://w.test/arc/outboundfeeds/news-sitemap/?outputType=xml"
    assert offset_pages(pages(arc, arc + "&from=100", arc + "&from=200"))
    assert offset_pages(pages("https://w.test/s.xml?page=1", "https://w.test/s.xml?page=2"))
    assert not offset_pages(pages(arc))                                             # one page is no paging
    assert not offset_pages(pages(arc + "&from=200", arc + "&from=100"))            # not growing
    assert not offset_pages(pages("https://w.test/2024.xml", "https://w.test/2025.xml"))   # files by year
    assert not offset_pages(pages(arc + "&from=100", arc.replace("w.test", "x.test") + "&from=200"))
    assert not offset_pages(pages("https://w.test/s.xml?type=a&from=1", "https://w.test/s.xml?type=b&from=2"))
    assert not offset_pages(pages("https://w.test/s.xml?from=a", "https://w.test/s.xml?from=b"))


def test_arc_wire_read_through_its_paged_news_sitemap_and_rss(web: TestWeb, tmp_path: Path):
    """First crawl: the RSS feed, the index and every page, the world desk's articles only. After one new
    article: the first pages down to the one reaching back to the last read, and the new article; not the rest."""
    sources, db = write(web, tmp_path, "caravan-wire"), tmp_path / "db.sqlite"
    state = web.site("caravan-wire").state
    newest = "/world/middle-east/syria-desert-road-raids-2026-03-11/"
    state.hide(newest)
    pages = [ARC_PAGE + "?outputType=xml", ARC_PAGE + "?outputType=xml&from=3"]
    try:
        web.clear_log()
        first = crawl(db, sources, *PINNED)
        assert 0 == first.returncode, first.stderr
        world = [a["path"] for a in web.articles("caravan-wire") if a["path"].startswith("/world/")]
        assert sorted([ARC_RSS + "?outputType=xml", ARC_INDEX + "?outputType=xml", *pages,
                       *(p for p in world if p != newest)]) == requested(web, "caravan-wire")
        assert truth(web, "caravan-wire", lambda a: a["path"].startswith("/world/") and a["path"] != newest) == (
            stored_articles(db))
        web.clear_log()
        soon = crawl(db, sources, *PINNED)      # the index is polled on a schedule, as the feed is
        assert (4, [], "0 sitemaps, 0 listing pages (0 not modified, 1 not due)") == (
            soon.returncode, requested(web, "caravan-wire"), soon.stdout.split("; ", 1)[1].strip())
        state.reveal(newest)
        web.clear_log()
        second = crawl(db, sources, "--all", *PINNED)
        assert 0 == second.returncode, second.stderr
        # Page 1 holds the new article and one known; page 2 reaches back past the last read: page 3 is not read.
        assert sorted([ARC_RSS + "?outputType=xml", ARC_INDEX + "?outputType=xml", *pages, newest]) == (
            requested(web, "caravan-wire"))
        assert truth(web, "caravan-wire", lambda a: a["path"].startswith("/world/")) == stored_articles(db)
        with sqlite3.connect(db) as conn:
            kinds = conn.execute("select url, kind from feeds order by id").fetchall()
        base = web.base_url("caravan-wire")
        # The third page the index now lists was never needed, so it is not even registered.
        assert [(base + ARC_RSS + "?outputType=xml", "rss"), (base + ARC_INDEX + "?outputType=xml", "sitemap"),
                *((base + p, "news-sitemap") for p in pages)] == kinds
    finally:
        state.hidden.clear()
        state.revealed.clear()


# --- a news sitemap without ledes, every desk in it -------------------------------------------------------------

def test_news_sitemap_without_ledes_kept_by_topic(web: TestWeb, tmp_path: Path):
    """Headlines and dates only (language "eng"): the pages give the ledes; sport and technology are fetched
    once, judged off topic, and never fetched again."""
    sources, db = write(web, tmp_path, "lantern-press"), tmp_path / "db.sqlite"
    state = web.site("lantern-press").state
    newest = "/article/syria-idlib-market-strike-4f1c9a2e7b"
    on_topic = lambda a: a["section"] == "world"      # noqa: E731
    state.hide(newest)
    try:
        web.clear_log()
        first = crawl(db, sources, *PINNED)
        assert 0 == first.returncode, first.stderr
        assert truth(web, "lantern-press", lambda a: on_topic(a) and a["path"] != newest) == stored_articles(db)
        assert "skipped 2 off topic" in first.stdout
        state.reveal(newest)
        web.clear_log()
        second = crawl(db, sources, "--all", *PINNED)
        assert 0 == second.returncode, second.stderr
        assert sorted(["/news-sitemap-content.xml", newest]) == requested(web, "lantern-press")
        assert truth(web, "lantern-press", on_topic) == stored_articles(db)
    finally:
        state.hidden.clear()
        state.revealed.clear()


# --- who may read, and how ---------------------------------------------------------------------------------------

def test_site_that_wants_an_accept_header(web: TestWeb, tmp_path: Path):
    """Without an Accept header the site answers 403; the crawl sends one (and the source's language first in
    Accept-Language, and its own headers), so both feeds, the headline-only one too, are read in full."""
    feed = web.base_url("steppe-agency") + "/rss/v2.xml"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(feed, headers={"User-Agent": "curl/8"}))
    refused.value.close()
    assert 403 == refused.value.code
    referer = web.base_url("steppe-agency") + "/"
    sources, db = write(web, tmp_path, "steppe-agency", f'headers = {{ Referer = "{referer}" }}'), tmp_path / "db"
    web.clear_log()
    result = crawl(db, sources, *PINNED)
    assert 0 == result.returncode, result.stderr
    assert truth(web, "steppe-agency") == stored_articles(db)
    seen = {(r.headers.get("User-Agent"), r.headers.get("Accept-Language"), r.headers.get("Referer"), r.status)
            for r in web.requests if r.outlet == "steppe-agency" and r.path != "/robots.txt"}
    assert {(f"crosswire/{__version__} (+https://github.com/crosswire-news/crosswire)", "ru,en;q=0.7,*;q=0.5",
             referer, 200)} == seen
    assert all(r.headers.get("Accept") for r in web.requests if r.outlet == "steppe-agency")


def test_feed_robots_txt_disallows_is_never_fetched(web: TestWeb, tmp_path: Path):
    sources, db = write(web, tmp_path, "coastal-times"), tmp_path / "db.sqlite"
    web.clear_log()
    result = crawl(db, sources, *PINNED)
    assert 3 == result.returncode, result.stderr
    assert [] == requested(web, "coastal-times")        # robots.txt only
    assert [("robots", "/feed/", "forbidden by robots.txt")] == errors(db)


def test_servers_that_refuse_crawlers_are_recorded(web: TestWeb, tmp_path: Path):
    base = web.base_url("sealed-gazette")
    sources = tmp_path / "sources.toml"
    sources.write_text(source_toml(web, "sealed-gazette").replace(
        f'feeds = ["{base}/feed/rss2/en.xml"]', f'feeds = ["{base}/feed/rss2/en.xml", "{base}/updates/rss.xml"]'))
    db = tmp_path / "db.sqlite"
    result = crawl(db, sources, *PINNED)
    assert 3 == result.returncode, result.stderr
    assert [("connection", "/updates/rss.xml", "the server closed the connection without answering"),
            ("http", "/feed/rss2/en.xml", "HTTP 403")] == errors(db)


def test_a_failing_root_sitemap_backs_off_as_a_feed_does(web: TestWeb, tmp_path: Path):
    base = web.base_url("caravan-wire")
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "gone"\nhomepage = "{base}/"\nsitemaps = ["{base}/sitemap-gone.xml"]\n')
    db = tmp_path / "db.sqlite"
    assert 3 == crawl(db, sources, *PINNED).returncode
    with sqlite3.connect(db) as conn:
        assert [(404, 1, "2026-03-11T13:1")] == [(status, failures, next_check[:15]) for status, failures, next_check
                                                 in conn.execute("select last_status, consecutive_failures, "
                                                                 "next_check from feeds")]
    web.clear_log()
    assert (4, []) == (crawl(db, sources, *PINNED).returncode, requested(web, "caravan-wire"))
    assert (3, ["/sitemap-gone.xml"]) == (crawl(db, sources, "--all", *PINNED).returncode,
                                          requested(web, "caravan-wire"))
