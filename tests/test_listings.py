"""Listing pages: parsing with a source's selectors, and crawls that follow pagination and know when to stop."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from crosswire.core.article import FeedEntry
from crosswire.core.errors import SourcesError
from crosswire.crawlers.listings import parse_listing
from crosswire.core.sources import Listing, load_sources, parse_sources
from testweb import TestWeb
from testweb.outlets_discovery import LISTING_PATH
from crawling import crawl
from discoverydata import errors, requested, stored, truth, write_sources

PAGE = """<html><body><main>
<article class="post"><h2 class="entry-title"><a href="/2024/03/12/a/">Strikes near Deir Ezzor</a></h2>
<time datetime="2024-03-12T10:00:00+00:00">March 12, 2024</time><div class="entry-summary"><p>First  lede.</p></div></article>
<article class="post"><h2 class="entry-title"><a href="https://other.test/b#comments">Talks in Astana</a></h2>
<div class="entry-summary"><p>Second lede.</p></div></article>
<article class="post"><h2 class="entry-title">No link here</h2></article>
<a class="next page-numbers" href="/category/x/page/2/">Older posts</a></main></body></html>"""


def test_items_with_headline_lede_and_date():
    listing = Listing(url="https://r.test/category/x/", links="h2 a", item="article.post", headline="h2",
                      lede=".entry-summary", date="time", next="a.next")
    parsed = parse_listing(PAGE, "https://r.test/category/x/", listing)
    assert [
        FeedEntry(url="https://r.test/2024/03/12/a/", title="Strikes near Deir Ezzor", summary="First lede.",
                  published=datetime(2024, 3, 12, 10, tzinfo=timezone.utc)),
        FeedEntry(url="https://other.test/b", title="Talks in Astana", summary="Second lede."),
    ] == parsed.entries
    assert ("https://r.test/category/x/page/2/", None) == (parsed.next_url, parsed.problem)


def test_links_only_pairs_headlines_in_order():
    listing = Listing(url="https://r.test/", links="h2.entry-title a", lede=".entry-summary")
    parsed = parse_listing(PAGE, "https://r.test/", listing)
    assert [("https://r.test/2024/03/12/a/", "Strikes near Deir Ezzor", "First lede."),
            ("https://other.test/b", "Talks in Astana", "Second lede.")] == [
        (e.url, e.title, e.summary) for e in parsed.entries]
    assert parsed.next_url is None


def test_selectors_that_match_nothing_say_so():
    parsed = parse_listing(PAGE, "https://r.test/", Listing(url="https://r.test/", links="div.headlines a"))
    assert ([], "selectors matched nothing") == (parsed.entries, parsed.problem)


@pytest.mark.parametrize("table, message", [
    ('listing = { url = "https://r.test/" }', 'field "listing": missing required key "links"'),
    ('listing = { url = "https://r.test/", links = "h2 a", nxt = "a" }',
     'field "listing": unknown key "nxt" (did you mean "next"?)'),
    ('listing = { url = "https://r.test/", links = "h2 >> a" }', 'field "listing": key "links": invalid CSS selector'),
    ('listing = { url = "https://r.test/", links = "a", max_pages = 0 }',
     'field "listing": key "max_pages": expected an integer from 1 to 100000, got 0'),
    ('listing = [{ url = "https://r.test/", links = "a" }, { url = "https://r.test/", links = "b" }]',
     'field "listing": listing 2: "https://r.test/" is listed twice'),
])
def test_listing_table_checked(table, message):
    with pytest.raises(SourcesError) as exc:
        parse_sources(f'[[source]]\nname = "r"\nhomepage = "https://r.test/"\n{table}\n', "s.toml")
    assert str(exc.value).startswith(f's.toml: source "r": {message}')


@pytest.fixture(scope="module")
def web():
    with TestWeb(["harbinger-review"]) as web:
        yield web


PAGES = [LISTING_PATH, f"{LISTING_PATH}page/2/", f"{LISTING_PATH}page/3/"]


def test_listing_outlet_paginated_to_the_end(web: TestWeb, tmp_path: Path):
    sources, db = write_sources(web, tmp_path, ["harbinger-review"]), tmp_path / "db.sqlite"
    web.clear_log()
    first = crawl(db, sources)
    assert 0 == first.returncode, first.stderr
    assert truth(web, "harbinger-review") == stored(db)
    assert sorted(PAGES + [a["path"] for a in web.articles("harbinger-review")]) == requested(web, "harbinger-review")
    assert [] == errors(db)
    web.clear_log()
    soon = crawl(db, sources)        # the listing is polled on a schedule, as a feed is: not due yet
    assert (4, [], "0 sitemaps, 0 listing pages (0 not modified, 1 not due)") == (
        soon.returncode, requested(web, "harbinger-review"), soon.stdout.split("; ", 1)[1].strip())
    second = crawl(db, sources, "--all")
    assert [LISTING_PATH] == requested(web, "harbinger-review")   # unchanged: a 304 and nothing else
    assert "0 sitemaps, 1 listing pages (1 not modified)" in second.stdout


def test_routine_crawl_stops_at_a_page_of_known_articles(web: TestWeb, tmp_path: Path):
    """Two new posts push the listing down: page 1 and 2 are read, the two new posts fetched, page 3 never."""
    newest = [a["path"] for a in sorted(web.articles("harbinger-review"), key=lambda a: a["published"])[-2:]]
    state = web.site("harbinger-review").state
    state.hide(*newest)
    try:
        sources, db = write_sources(web, tmp_path, ["harbinger-review"]), tmp_path / "db.sqlite"
        assert 0 == crawl(db, sources).returncode
        assert 5 == len(stored(db))
        state.reveal(*newest)
        web.clear_log()
        again = crawl(db, sources, "--all")
        assert 0 == again.returncode, again.stderr
        # Page 1: two new and one known post; page 2: only known posts, so page 3 is not read.
        assert sorted(PAGES[:2] + newest) == requested(web, "harbinger-review")
        assert truth(web, "harbinger-review") == stored(db)
    finally:
        state.hidden.clear()
        state.revealed.clear()


def test_documented_sources_example_loads():
    """tests/data/sources-example.toml is the README's example of every kind of source."""
    sources = load_sources(Path(__file__).parent / "data" / "sources-example.toml")
    assert [("sana", 1, 0, 0), ("cedar-post", 0, 1, 0), ("tigris-news", 1, 1, 0), ("harbinger-review", 0, 0, 2),
            ("kasr-observer", 0, 1, 0), ("gulf-wire", 1, 0, 0)] == [
        (s.name, len(s.feeds), len(s.sitemaps), len(s.listing)) for s in sources]
