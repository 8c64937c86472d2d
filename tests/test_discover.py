"""`crosswire sources add URL`: feeds and sitemaps discovered from test-web homepages, a proposed block,
and appending it to a sources file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.crawlers.discover import Discovery, discover, feed_links, propose_source, slug
from crosswire.core.sources import load_sources
from testweb import TestWeb


@pytest.fixture(scope="module")
def web():
    with TestWeb(["tigris-news", "cedar-post", "harbinger-review", "brittle-times"]) as web:
        yield web


def test_feed_links():
    html = ('<head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
            '<link rel="alternate" type="text/html" hreflang="ar" href="/ar/">'
            '<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://b.test/atom">'
            '<link rel="stylesheet" href="/s.css"></head>')
    assert ["https://a.test/rss.xml", "https://b.test/atom"] == feed_links(html, "https://a.test/news/")


@pytest.mark.parametrize("url, name", [("https://www.al-monitor.com/", "al-monitor"), ("https://sana.sy/en/", "sana"),
                                       ("http://en.kremlin.ru/events", "kremlin")])
def test_slug(url, name):
    assert name == slug(url)


def test_feed_and_news_sitemap_from_a_homepage(web: TestWeb):
    base = web.base_url("tigris-news")
    found = discover(base + "/")
    assert Discovery(homepage=base + "/", title="Tigris News Agency", language="en", feeds=[base + "/feeds/all.rss"],
                     sitemaps=[base + "/news-sitemap.xml"], sitemaps_from_robots=True) == found
    assert (f'[[source]]\nname = "tigris-news-agency"\ntitle = "Tigris News Agency"\nhomepage = "{base}/"\n'
            f'feeds = ["{base}/feeds/all.rss"]\nsitemaps = "robots"   # {base}/news-sitemap.xml\nlanguage = "en"\n'
            '# country = "XX"   tags = ["..."]   (fill in: see `crosswire sources list`)\n') == propose_source(found)


def test_sitemap_only_and_nothing_found(web: TestWeb):
    cedar = discover(web.base_url("cedar-post") + "/")
    assert ([], [web.base_url("cedar-post") + "/sitemap_index.xml"]) == (cedar.feeds, cedar.sitemaps)
    review = discover(web.base_url("harbinger-review") + "/")
    assert ([], []) == (review.feeds, review.sitemaps)
    assert "# No feed or sitemap found: describe a listing page" in propose_source(review)


def test_disallowed_paths_are_not_fetched(web: TestWeb):
    web.clear_log()
    discover(web.base_url("brittle-times") + "/")
    asked = [r.path for r in web.requests if r.outlet == "brittle-times"]
    assert ["/", "/robots.txt", "/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.json", "/index.xml",
            "/sitemap.xml"] == asked
    assert not any(p.startswith("/private/") for p in asked)


def test_cli_appends_after_yes_and_the_file_still_loads(web: TestWeb, tmp_path: Path):
    into = tmp_path / "sources.toml"
    into.write_text('[[source]]\nname = "sana"\nhomepage = "https://sana.sy/en/"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "add", web.base_url("cedar-post") + "/", "--into", str(into), "--yes"])
    assert 0 == result.exit_code, result.output
    assert ["sana", "the-cedar-post"] == [s.name for s in load_sources(into)]
    assert ("robots",) == load_sources(into)[1].sitemaps


def test_cli_asks_before_appending(web: TestWeb, tmp_path: Path):
    into = tmp_path / "sources.toml"
    result = CliRunner().invoke(main, ["sources", "add", web.base_url("tigris-news") + "/", "--into", str(into),
                                       "--name", "tigris"], input="n\n")
    assert 1 == result.exit_code
    assert "Append this source to" in result.output and "Error: not added" in result.output
    assert not into.exists()


def test_cli_bad_url_is_one_line():
    result = CliRunner().invoke(main, ["sources", "add", "not a url"])
    assert (1, "Error: expected an http(s) URL, got 'not a url'\n") == (result.exit_code, result.output)
