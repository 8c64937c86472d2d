"""Spider traps: calendar, faceted and looping URLs (pure checks), and a crawl through an outlet full of them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from testweb import TestWeb
from crosswire.crawlers.traps import calendar_date, facet_trap, trap_reason
from crawling import crawl
from crosswire.crawlers.summary import discovery_line
from discoverydata import errors, requested, stored, truth
from testweb.outlets_discovery import source_toml

TODAY = date(2024, 5, 20)


@pytest.mark.parametrize("url, reason", [
    ("https://m.test/archive/2024/05/", None),
    ("https://m.test/archive/2024/06/", "calendar page in the future (2024-06-01)"),
    ("https://m.test/archive/1987/01/", "calendar page before 1995 (1987-01-01)"),
    ("https://m.test/events?date=2031-01-01", "calendar page in the future (2031-01-01)"),
    ("https://m.test/list?sort=new&view=grid&filter=photo", "faceted URL: 3 filter parameters (filter, sort, view)"),
    ("https://m.test/list?sort=new&page=4", None),
    ("https://m.test/list?tag=a&tag=b", "faceted URL: parameter 'tag' repeated"),
    ("https://m.test/news/syria/news/syria/news/syria/", "looping path: segment 'news' repeated 3 times"),
    ("https://m.test/world/middle-east/2024/mar/11/story", None),
])
def test_trap_reason(url, reason):
    assert reason == trap_reason(url, TODAY)


def test_backfill_date_bounds_calendar_pages_at_their_precision():
    since = date(2024, 3, 15)
    assert [None, None, "calendar page before --since (2024-02-01)", "calendar page before --since (2024-03-14)"] == [
        trap_reason(u, TODAY, since) for u in ("https://m.test/archive/2024/", "https://m.test/archive/2024/03/",
                                               "https://m.test/archive/2024/02/", "https://m.test/archive/2024/03/14/")]


def test_article_urls_are_not_judged_as_calendar_pages():
    assert trap_reason("https://m.test/2031/01/01/story", TODAY, navigation=False) is None
    assert date(2031, 1, 1) == calendar_date("https://m.test/2031/01/01/story")
    assert facet_trap("https://m.test/a?b=1") is None


@pytest.fixture(scope="module")
def web():
    with TestWeb(["maze-gazette"]) as web:
        yield web


def test_crawl_through_the_maze(web: TestWeb, tmp_path: Path):
    sources, db = tmp_path / "sources.toml", tmp_path / "db.sqlite"
    sources.write_text(source_toml(web, "maze-gazette"), encoding="utf-8")
    web.clear_log()
    result = crawl(db, sources, "-s", "CROSSWIRE_NOW=2024-05-20T00:00:00+00:00")
    assert 0 == result.returncode, result.stderr
    notebooks = [(f"/daily/notebook-{n}", f"Damascus notebook, part {n}", "2024-03-01T06:00:00+00:00") for n in (1, 2, 3)]
    assert sorted(truth(web, "maze-gazette") + notebooks) == stored(db)
    assert [
        ("limit", "/daily/?page=1", "stopped after 3 listing pages (max_pages)"),
        ("trap", "/archive/2024/06/", "calendar page in the future (2024-06-01)"),
        ("trap", "/search?q=damascus&order=old&layout=grid&type=video",
         "faceted URL: 3 filter parameters (layout, order, type)"),
        ("trap", "/search?q=damascus&sort=new&view=list&filter=photo",
         "faceted URL: 3 filter parameters (filter, sort, view)"),
        ("trap", "/search?q=damascus&tag=a&tag=b", "faceted URL: parameter 'tag' repeated"),
        ("trap", "/topics/idlib/page/2/", "pagination loops back to " + web.base_url("maze-gazette") + "/topics/idlib/page/1/"),
    ] == errors(db)
    # No trap URL was ever requested; each listing page once.
    pages = [p for p in requested(web, "maze-gazette") if not p.startswith(("/story/", "/daily/notebook-"))]
    assert ["/archive/2024/03/", "/archive/2024/04/", "/archive/2024/05/", "/daily/?page=1", "/daily/?page=2",
            "/daily/?page=3", "/search?q=damascus", "/topics/idlib/page/1/", "/topics/idlib/page/2/"] == pages
    assert ("cut short: 1 by page/depth limits, 4 trap URLs, 1 pagination loops") in result.stdout
    with sqlite3.connect(db) as conn:
        stats = conn.execute("select stats from runs").fetchone()[0]
    assert '"traps_skipped": 4' in stats and '"pagination_loops": 1' in stats and '"cut_by_limits": 1' in stats


def test_summary_tail_only_when_used():
    assert "" == discovery_line({"feeds_checked": 3})
    assert ("; 2 sitemaps, 5 listing pages (1 not modified); skipped 4 older than --since or the last crawl, "
            "1 out of scope; cut short: 1 by page/depth limits, 3 trap URLs, 2 duplicate requests") == discovery_line(
        {"sitemaps_checked": 2, "listing_pages": 5, "pages_not_modified": 1, "too_old": 4, "off_scope": 1,
         "cut_by_limits": 1, "traps_skipped": 3, "requests_deduplicated": 2})


def test_publisher_named_article_urls_get_the_lenient_check():
    url = "https://m.test/article.php?id=5&lang=en&type=news&category=world"
    assert "faceted URL: 3 filter parameters (category, lang, type)" == trap_reason(url, TODAY, navigation=False)
    assert trap_reason(url, TODAY, navigation=False, strict=False) is None
    assert "faceted URL: parameter 'id' repeated" == trap_reason(url + "&id=6", TODAY, navigation=False, strict=False)
