"""Sitemaps: parsing (urlset, index, gzip, Google News, bad input) and crawls of sitemap-only outlets."""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crosswire.core.errors import SourcesError
from crosswire.core.sources import parse_sources
from crosswire.crawlers.sitemaps import SitemapEntry, parse_sitemap, robots_sitemaps
from testweb import TestWeb
from crawling import crawl
from discoverydata import errors, requested, stored, truth, write_sources

UTC = timezone.utc
URLSET = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
          b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
          b"<url><loc>https://a.test/1</loc><lastmod>2024-03-02</lastmod></url>"
          b"<url><loc>https://a.test/2</loc><news:news><news:publication><news:name>A</news:name>"
          b"<news:language>ar</news:language></news:publication>"
          b"<news:publication_date>2024-03-01T10:00:00+02:00</news:publication_date>"
          b"<news:title>Aleppo &amp; Idlib</news:title><news:keywords>Syria, Aleppo</news:keywords></news:news></url>"
          b"<url><loc>javascript:alert(1)</loc></url>"
          b"</urlset>")


def test_urlset_with_google_news_tags():
    parsed = parse_sitemap(URLSET)
    assert ("urlset", True, None) == (parsed.kind, parsed.news, parsed.problem)
    assert [
        SitemapEntry("https://a.test/1", lastmod=datetime(2024, 3, 2, tzinfo=UTC)),
        SitemapEntry("https://a.test/2", title="Aleppo & Idlib", published=datetime(2024, 3, 1, 8, tzinfo=UTC),
                     keywords=["Syria", "Aleppo"], language="ar"),
    ] == parsed.entries


def test_gzipped_sitemap_index():
    body = gzip.compress(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         b"<sitemap><loc>https://a.test/s1.xml</loc><lastmod>2024-01-01T00:00:00Z</lastmod></sitemap>"
                         b"<sitemap><loc>https://a.test/s2.xml.gz</loc></sitemap></sitemapindex>")
    parsed = parse_sitemap(body)
    assert ("index", None) == (parsed.kind, parsed.problem)
    assert [("https://a.test/s1.xml", datetime(2024, 1, 1, tzinfo=UTC)), ("https://a.test/s2.xml.gz", None)] == [
        (e.loc, e.lastmod) for e in parsed.entries]


@pytest.mark.parametrize("body, problem", [
    (b"", "empty sitemap"),
    (b"   \n", "empty sitemap"),
    (b"<!DOCTYPE html><html><body>Sitemap</body></html>", "not a sitemap: got an HTML page"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "not a sitemap: root element <rss>"),
    (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>', "sitemap lists no URLs"),
    (b"\x1f\x8b\x08\x00garbage", None),   # broken gzip: reason varies by zlib version, checked below
])
def test_bad_sitemaps_say_why(body, problem):
    parsed = parse_sitemap(body)
    assert [] == parsed.entries
    if problem is None:
        assert parsed.problem.startswith("broken gzip")
    else:
        assert problem == parsed.problem


def test_truncated_sitemap_keeps_whole_entries_only():
    body = URLSET[:URLSET.index(b"<url><loc>https://a.test/2")] + b"<url><loc>https://a.test/2-cut"
    parsed = parse_sitemap(body)
    assert (["https://a.test/1"], "truncated or malformed XML (kept 1 entries)") == (
        [e.loc for e in parsed.entries], parsed.problem)


def test_fifty_thousand_entries():
    rows = b"".join(b"<url><loc>https://a.test/%d</loc></url>" % i for i in range(50_000))
    parsed = parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + rows + b"</urlset>")
    assert (50_000, "https://a.test/49999", None) == (len(parsed.entries), parsed.entries[-1].loc, parsed.problem)


def test_robots_sitemap_lines():
    robots = b"User-agent: *\nDisallow: /x/\nSitemap: /a.xml\nsitemap: https://b.test/b.xml\nSitemap: /a.xml\n"
    assert ["https://a.test/a.xml", "https://b.test/b.xml"] == robots_sitemaps(robots, "https://a.test/robots.txt")


@pytest.fixture(scope="module")
def web():
    with TestWeb(["cedar-post", "tigris-news"]) as web:
        yield web


def test_sitemap_only_outlet_through_robots_index_and_gzip(web: TestWeb, tmp_path: Path):
    """robots.txt → index → gzipped + plain child: every article stored; a second crawl asks for none."""
    sources, db = write_sources(web, tmp_path, ["cedar-post"]), tmp_path / "db.sqlite"
    web.clear_log()
    first = crawl(db, sources)
    assert 0 == first.returncode, first.stderr
    assert truth(web, "cedar-post") == stored(db)
    assert sorted([a["path"] for a in web.articles("cedar-post")] + [
        "/sitemap_index.xml", "/sitemaps/2024-02.xml", "/sitemaps/2024-03.xml.gz"]) == requested(web, "cedar-post")
    with sqlite3.connect(db) as conn:
        kinds = sorted(conn.execute("select url, kind, entries_last from feeds").fetchall())
    base = web.base_url("cedar-post")
    assert [(base + "/sitemap_index.xml", "sitemap", 2), (base + "/sitemaps/2024-02.xml", "sitemap", 2),
            (base + "/sitemaps/2024-03.xml.gz", "sitemap", 2)] == kinds

    web.clear_log()
    second = crawl(db, sources, "--all")    # robots.txt names the index: it is read, and scheduled
    assert 0 == second.returncode, second.stderr
    assert ["/sitemap_index.xml"] == requested(web, "cedar-post")   # a 304: nothing below it is asked for
    assert "1 sitemaps, 0 listing pages (1 not modified)" in second.stdout


def test_second_crawl_requests_only_the_new_entry(web: TestWeb, tmp_path: Path):
    """A newly listed article (fresh lastmod) is the only article requested; the unchanged child is skipped."""
    state = web.site("cedar-post").state
    newest = "/2024/03/14/bekaa-border-crossings-reopen"
    state.hide(newest)
    try:
        sources, db = write_sources(web, tmp_path, ["cedar-post"]), tmp_path / "db.sqlite"
        assert 0 == crawl(db, sources).returncode
        assert newest not in [p for p, _, _ in stored(db)]
        state.reveal(newest)
        web.clear_log()
        again = crawl(db, sources, "--all")
        assert 0 == again.returncode, again.stderr
        # The index changed (new lastmod for March), February's child did not: it is not fetched at all.
        assert sorted([newest, "/sitemap_index.xml", "/sitemaps/2024-03.xml.gz"]) == requested(web, "cedar-post")
        assert truth(web, "cedar-post") == stored(db)
    finally:
        state.hidden.clear()
        state.revealed.clear()


def test_google_news_sitemap(web: TestWeb, tmp_path: Path):
    sources, db = write_sources(web, tmp_path, ["tigris-news"]), tmp_path / "db.sqlite"
    web.clear_log()
    result = crawl(db, sources)
    assert 0 == result.returncode, result.stderr
    assert truth(web, "tigris-news") == stored(db)
    assert [] == errors(db)
    with sqlite3.connect(db) as conn:
        assert [("news-sitemap", 3)] == conn.execute("select kind, entries_last from feeds").fetchall()
        topics = conn.execute("select a.url, t.topic from article_topics t join articles a on a.id = t.article_id "
                              "order by a.url, t.topic").fetchall()
    # Every article is tagged with the bundled topics it mentions (all three are about Iraq).
    assert ["iraq", "iraq", "iraq"] == [t for _, t in topics]


def test_sitemap_keys_in_the_sources_file():
    src = parse_sources('[[source]]\nname = "a"\nhomepage = "https://a.test/"\nsitemaps = "robots"\n', "s.toml")[0]
    assert ("robots",) == src.sitemaps
    assert {"name": "a", "homepage": "https://a.test/", "title": None, "feeds": [], "language": None,
            "country": None, "tags": [], "delay": None, "concurrency": None, "enabled": True,
            "sitemaps": ["robots"]} == src.as_dict()
    with pytest.raises(SourcesError) as exc:
        parse_sources('[[source]]\nname = "a"\nhomepage = "https://a.test/"\nsitemaps = ["ftp://x"]\n', "s.toml")
    assert 's.toml: source "a": field "sitemaps": item 1: expected an http(s) URL, got "ftp://x" (or "robots")' == str(exc.value)
    assert json.dumps(src.as_dict())


def test_bad_input_is_recorded_and_the_crawl_goes_on(tmp_path: Path):
    """HTML, empty, truncated, 50,000-entry and robots-forbidden sitemaps, and a listing nothing matches."""
    with TestWeb(["brittle-times"]) as brittle:
        sources, db = write_sources(brittle, tmp_path, ["brittle-times"]), tmp_path / "db.sqlite"
        result = crawl(db, sources)
        assert 3 == result.returncode, result.stderr   # partial: some entry points failed
        # The truncated sitemap's two whole entries and the newest two of the 50,000 are stored.
        assert truth(brittle, "brittle-times") == stored(db)
        assert [
            ("limit", "/sitemap-huge.xml", "sitemap lists 50000 new URLs; requested the newest 2 (max_articles)"),
            ("listing", "/latest/", "selectors matched nothing"),
            ("robots", "/private/sitemap.xml", "forbidden by robots.txt"),
            ("sitemap", "/sitemap-empty.xml", "empty sitemap"),
            ("sitemap", "/sitemap-html.xml", "not a sitemap: got an HTML page"),
            ("sitemap", "/sitemap-truncated.xml", "truncated or malformed XML (kept 2 entries)"),
        ] == errors(db)
        assert not any(r.path.startswith(("/private/", "/archive/old-")) for r in brittle.requests)
        assert "4 new articles" in result.stdout and "4 errors" in result.stdout
