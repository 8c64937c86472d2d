"""parse_feed: every feed format to FeedEntry values, and malformed feeds yielding what they can."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from crosswire.core.article import FeedEntry
from crosswire.crawlers.feeds import parse_feed

BASE = "https://outlet.example/feed"
UTC = timezone.utc

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Outlet</title><ttl>45</ttl>
<language>en-gb</language>
<item><title>Convoy crosses &amp; waits</title><link>/news/convoy?utm_source=rss</link>
<guid isPermaLink="false">conv-1</guid><pubDate>Sun, 10 Mar 2024 16:05:00 +0200</pubDate>
<dc:creator>Rana Haddad</dc:creator><description>&lt;p&gt;Trucks &lt;b&gt;wait&lt;/b&gt; at the gate.&lt;/p&gt;</description>
<category>Syria</category></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://outlet.example/"><title>Monitor</title><link>https://outlet.example/</link>
<description>d</description></channel>
<item rdf:about="https://outlet.example/a/1"><title>Shelling near the dam</title>
<link>https://outlet.example/a/1</link><dc:date>2024-03-11T07:40:00Z</dc:date></item>
</rdf:RDF>"""

RSS091 = b"""<?xml version="1.0" encoding="windows-1251"?>
<rss version="0.91"><channel><title>\xc2\xe5\xf1\xf2\xed\xe8\xea</title><link>https://outlet.example/</link>
<description>d</description><language>ru</language>
<item><title>\xcc\xee\xf1\xf2</title><link>https://outlet.example/ru/1</link></item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Dispatch</title><id>urn:x</id><updated>2024-03-11T10:20:00Z</updated>
<entry><title>Engineers clear mines</title><id>tag:dispatch,2024:/n/1</id>
<link rel="alternate" href="https://outlet.example/n/1"/><published>2024-03-11T10:20:00+03:00</published>
<updated>2024-03-12T08:00:00Z</updated><author><name>I. Petrov</name></author><summary>Short.</summary></entry>
</feed>"""

JSONFEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "Wire", "language": "en",
    "items": [{"id": "GW1", "url": "https://outlet.example/w/1", "title": "Crossing reopens",
               "content_html": "<p>Aid <em>moves</em>.</p>", "date_published": "2024-03-09T07:45:00Z",
               "authors": [{"name": "Gulf Wire staff"}], "tags": ["Turkey"], "image": "https://outlet.example/i.jpg"},
              {"id": "no-url"}],
}).encode()


def test_rss20_entry_in_full():
    feed = parse_feed(RSS20, BASE)
    assert ("rss", "rss20", None, 45, "Outlet") == (feed.kind, feed.version, feed.problem, feed.ttl_minutes, feed.title)
    assert [FeedEntry(
        url="https://outlet.example/news/convoy?utm_source=rss", guid="conv-1", title="Convoy crosses & waits",
        summary="Trucks wait at the gate.", authors=["Rana Haddad"],
        published=datetime(2024, 3, 10, 14, 5, tzinfo=UTC), updated=None, tags=["Syria"], image=None,
        language="en",
    )] == feed.entries


def test_rss10_rdf():
    feed = parse_feed(RSS10, BASE)
    assert ("rss", "rss10", None) == (feed.kind, feed.version, feed.problem)
    assert [("https://outlet.example/a/1", "Shelling near the dam", datetime(2024, 3, 11, 7, 40, tzinfo=UTC))] == [
        (e.url, e.title, e.published) for e in feed.entries]


def test_rss091_in_windows_1251():
    feed = parse_feed(RSS091, BASE)
    assert ("rss", "Вестник") == (feed.kind, feed.title)
    assert [("https://outlet.example/ru/1", "Мост", "ru")] == [(e.url, e.title, e.language) for e in feed.entries]


def test_atom_keeps_published_and_updated_apart():
    feed = parse_feed(ATOM, BASE)
    assert ("atom", "atom10", None) == (feed.kind, feed.version, feed.problem)
    (entry,) = feed.entries
    assert (entry.url, entry.guid, entry.authors, entry.published, entry.updated) == (
        "https://outlet.example/n/1", "tag:dispatch,2024:/n/1", ["I. Petrov"],
        datetime(2024, 3, 11, 7, 20, tzinfo=UTC), datetime(2024, 3, 12, 8, 0, tzinfo=UTC))


def test_json_feed_items_without_url_are_skipped():
    feed = parse_feed(JSONFEED, BASE, "application/feed+json")
    assert ("json", "json11", None, "Wire") == (feed.kind, feed.version, feed.problem, feed.title)
    assert [FeedEntry(url="https://outlet.example/w/1", guid="GW1", title="Crossing reopens", summary="Aid moves .",
                      authors=["Gulf Wire staff"], published=datetime(2024, 3, 9, 7, 45, tzinfo=UTC),
                      updated=None, tags=["Turkey"], image="https://outlet.example/i.jpg", language="en")] == feed.entries


def test_malformed_feed_yields_the_entries_before_the_damage():
    broken = RSS20.replace(b"</channel></rss>", b"<item><title>Q&A <b>open</title><link>/n/2</link></item>")
    feed = parse_feed(broken, BASE)
    assert feed.problem and "SAXParseException" in feed.problem
    assert ["https://outlet.example/news/convoy?utm_source=rss", "https://outlet.example/n/2"] == [
        e.url for e in feed.entries]


@pytest.mark.parametrize("body, problem", [
    (b"<html><body><p>Not a feed</p></body></html>", "not a feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "invalid JSON Feed: no items list"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON Feed: "),
])
def test_non_feeds_are_reported_not_raised(body, problem):
    feed = parse_feed(body, BASE)
    assert [] == feed.entries
    assert feed.problem.startswith(problem)
