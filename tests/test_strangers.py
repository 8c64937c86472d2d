"""Feeds written by strangers: a bad link or a badly shaped item is one error row and the rest go on; nothing but
http(s) is ever fetched (file://, ftp://, mailto:, javascript:, a redirect to file://, xml:base); an endless
feed is read to a limit, newest first, and the rest stays due for the next crawls.

The outlet is the fictional Marsh Courier, added to the test web at run time; every text here is invented.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from crawling import crawl

from crosswire.core import exitcodes
from crosswire.crawlers.feeds import parse_feed
from crosswire.crawlers.fetch import FetchError, get
from testweb import TestWeb
from testweb.outlets_hostile import article_html
from testweb.server import closed_port
from testweb.site import Response, make_response

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
LONG_FEED = 60          # entries of the endless feed
PER_CRAWL = 25          # the source's max_articles: new articles requested from one entry point per crawl


def story(n: int) -> str:
    """A short fictional article page."""
    return article_html(f"Marsh Courier report {n}: ferry timetable changes on the delta", [
        f"The delta ferry company said on Monday that sailing number {n} would leave half an hour later from "
        "next week, because silt has narrowed the channel near the old pier.",
        "Passengers who use the early boat to reach the market asked for a second morning crossing; the "
        "company said it would consider one once the dredger returns from the northern channel."])


def rss_items(items: list[str], base: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Marsh Courier</title><link>{base}/</link>'
            f"<description>Delta news</description>{''.join(items)}</channel></rss>").encode()


def item(title: str, link: str, when: datetime = START, extra: str = "") -> str:
    return (f"<item{extra}><title>{title}</title><link>{link}</link>"
            f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>")


@pytest.fixture(scope="module")
def web():
    with TestWeb(outlets=["levant-ledger"]) as web:
        site, base = web.site("levant-ledger"), web.base_url("levant-ledger")
        for n in range(1, 6):
            site.add(f"/marsh/good-{n}.html", lambda request, n=n: make_response(story(n), "text/html"))
        for n in range(1, LONG_FEED + 1):
            site.add(f"/marsh/long-{n}.html", lambda request, n=n: make_response(story(100 + n), "text/html"))
        site.add("/marsh/to-file.html", lambda request: Response(302, {"Location": "file:///etc/passwd"}, b""),
                 conditional=False)
        ftp = f"ftp://127.0.0.1:{closed_port()}/pub/report.html"
        site.add("/marsh/to-ftp.html", lambda request: Response(302, {"Location": ftp}, b""), conditional=False)
        site.add("/marsh/links.xml", lambda request: make_response(rss_items([
            item("Good one", f"{base}/marsh/good-1.html"),
            item("Write to us", "mailto:desk@marsh-courier.test"),
            item("Share", "javascript:alert('share')"),
            item("Our server's name", "file:///etc/hostname"),
            item("Their passwords", "file://localhost/etc/passwd"),
            item("Relative to a local base", "hostname", extra=' xml:base="file:///etc/"'),
            item("Archive copy", ftp),
            item("Moved", f"{base}/marsh/to-file.html"),
            item("Good two", f"{base}/marsh/good-2.html"),
        ], base), "application/rss+xml"))
        site.add("/marsh/items.json", lambda request: make_response(json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": "Marsh Courier", "items": [
                {"id": "g3", "url": f"{base}/marsh/good-3.html", "title": "Good three"},
                {"id": "l1", "url": f"{base}/marsh/list-title.html", "title": ["Two", "titles"]},
                {"id": "o1", "url": f"{base}/marsh/object-title.html", "title": {"en": "An object"}},
                {"id": "g4", "url": f"{base}/marsh/good-4.html", "title": "Four, with tags as one string",
                 "tags": "not a list"},
                {"id": "g5", "url": f"{base}/marsh/good-5.html", "title": "Good five"},
            ]}), "application/feed+json"))
        # An endless feed, oldest first in the document: the crawl must take the newest first.
        site.add("/marsh/long.xml", lambda request: make_response(rss_items([
            item(f"Long {n}", f"{base}/marsh/long-{n}.html", START + timedelta(minutes=n))
            for n in range(1, LONG_FEED + 1)], base), "application/rss+xml"))
        web.ftp_url = ftp
        yield web


def sources(web: TestWeb, path: Path) -> Path:
    base = web.base_url("levant-ledger")
    path.write_text(f'[[source]]\nname = "marsh-courier"\nhomepage = "{base}/"\n'
                    f'feeds = ["{base}/marsh/links.xml", "{base}/marsh/items.json"]\n\n'
                    f'[[source]]\nname = "marsh-archive"\nhomepage = "{base}/marsh/"\n'
                    f'feeds = ["{base}/marsh/long.xml"]\nmax_articles = {PER_CRAWL}\n', encoding="utf-8")
    return path


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_bad_links_and_bad_items_are_one_error_row_each_and_the_rest_is_stored(web, tmp_path):
    db = tmp_path / "news.db"
    done = crawl(db, sources(web, tmp_path / "sources.toml"), "--source", "marsh-courier")
    assert exitcodes.PARTIAL == done.returncode, done.stderr
    base = web.base_url("levant-ledger")
    assert [f"{base}/marsh/good-{n}.html" for n in (1, 2, 3, 5)] == [
        url for (url,) in rows(db, "select url from articles order by url")]
    only = "(only http and https are fetched)"
    # (sorted: the two feeds are fetched side by side)
    assert sorted([
        ("scheme", "mailto:desk@marsh-courier.test", f"entry not fetched: unsupported URL scheme mailto: {only}"),
        ("scheme", "javascript:alert('share')", f"entry not fetched: unsupported URL scheme javascript: {only}"),
        # file:///etc/hostname as such and as "hostname" under xml:base="file:///etc/" (feedparser writes both
        # as file://etc/hostname)
        ("scheme", "file://etc/hostname", f"entry not fetched: unsupported URL scheme file: {only}"),
        ("scheme", "file://localhost/etc/passwd", f"entry not fetched: unsupported URL scheme file: {only}"),
        ("scheme", "file://etc/hostname", f"entry not fetched: unsupported URL scheme file: {only}"),
        ("scheme", web.ftp_url, f"entry not fetched: unsupported URL scheme ftp: {only}"),
        # The redirect is refused, named: the request it asks for never happens.
        ("scheme", f"{base}/marsh/to-file.html",
         f"redirect to file:///etc/passwd refused: unsupported URL scheme file: {only}"),
        ("parse", f"{base}/marsh/items.json#item-2", 'JSON Feed item 2: "title" is a list, expected a string'),
        ("parse", f"{base}/marsh/items.json#item-3", 'JSON Feed item 3: "title" is an object, expected a string'),
        ("parse", f"{base}/marsh/items.json#item-4", 'JSON Feed item 4: "tags" is a string, expected a list'),
    ]) == sorted(rows(db, "select kind, url, reason from errors"))
    # Nothing local was read into the archive.
    assert [] == rows(db, "select url from articles where text like '%root:%' or url not like 'http%'")


def test_an_endless_feed_is_taken_newest_first_a_crawl_at_a_time(web, tmp_path):
    db, config = tmp_path / "news.db", sources(web, tmp_path / "sources.toml")
    base = web.base_url("levant-ledger")

    def stored() -> list[int]:
        return sorted(int(url.rsplit("-", 1)[1].removesuffix(".html"))
                      for (url,) in rows(db, "select url from articles"))

    first = crawl(db, config, "--source", "marsh-archive")
    assert exitcodes.OK == first.returncode, first.stderr
    assert list(range(LONG_FEED - PER_CRAWL + 1, LONG_FEED + 1)) == stored()
    assert [("limit", f"{base}/marsh/long.xml", f"{LONG_FEED - PER_CRAWL} more entries than this crawl fetches "
             f"per entry point; requested the newest {PER_CRAWL} (max_articles), the rest stay due")] == rows(
        db, "select kind, url, reason from errors")
    # The rest is due at once (no --all): the feed's ETag and schedule did not advance.
    assert [(None, None)] == rows(db, "select etag, last_success from feeds")
    second = crawl(db, config, "--source", "marsh-archive")
    assert exitcodes.OK == second.returncode, second.stderr
    assert list(range(LONG_FEED - 2 * PER_CRAWL + 1, LONG_FEED + 1)) == stored()
    third = crawl(db, config, "--source", "marsh-archive")
    assert exitcodes.OK == third.returncode, third.stderr
    assert list(range(1, LONG_FEED + 1)) == stored()
    # All of it stored: now the feed keeps its validators and waits for its schedule.
    [(etag, success)] = rows(db, "select etag, last_success from feeds")
    assert etag is not None and success is not None
    assert exitcodes.NOTHING == crawl(db, config, "--source", "marsh-archive").returncode


def test_a_feed_of_100000_entries_is_read_to_its_first_5000():
    items = "".join(item(f"Entry {n}", f"https://marsh.test/e/{n}") for n in range(100_000))
    parsed = parse_feed(rss_items([items], "https://marsh.test").replace(b"</channel></rss>", b"</channel></rss>"),
                        "https://marsh.test/feed.xml", "application/rss+xml")
    assert (5000, 95_000, None) == (len(parsed.entries), parsed.cut, parsed.problem)
    assert ("https://marsh.test/e/0", "https://marsh.test/e/4999") == (parsed.entries[0].url, parsed.entries[-1].url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,hi"])
def test_a_single_get_fetches_http_only(url):
    with pytest.raises(FetchError, match="only http and https are fetched"):
        get(url)


def test_a_single_get_refuses_redirects_to_a_local_file_or_ftp(web):
    base = web.base_url("levant-ledger")
    with pytest.raises(FetchError, match="Redirection to url 'file:///etc/passwd' is not allowed"):
        get(base + "/marsh/to-file.html")
    with pytest.raises(FetchError, match=f"redirect to {web.ftp_url} refused: unsupported URL scheme ftp:"):
        get(base + "/marsh/to-ftp.html")
