"""Known archives for the web reader's tests: the search archive, the events test web's ground truth grouped
into its four stories, an article with an earlier revision, a failing feed, and an article full of XSS payloads;
and the events told in English, Arabic and Russian, clustered (build_language_archive)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from crosswire.core.article import Article
from testweb.outlets_events import ALL_EVENT_OUTLETS, COPIES, EVENTS, all_events, store_events
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.feeds import ensure_feed, record_feed_failure, sync_source
from crosswire.storage.saved import add_search
from crosswire.storage.stories import cluster_new, refresh_stories
from crosswire.core.sources import Source
from tests.searchdata import build_archive

NOW = datetime(2026, 2, 7, 12, 0, tzinfo=timezone.utc)
STORY_IDS = {"ariha-market": 1, "zaporizhzhia-grid": 2, "jabalia-hospital": 3, "zamzam-camp": 4}
XSS_STORY = 5
REVISED = 5     # searchdata's Euphrates article gets a second version
NAVAL_DRILL_RU = 7   # shares the hostile story, so a story page shows the payloads

# Payloads that would run, or inject an element, if any page forgot to escape.
XSS_TITLE = '<script>alert("title")</script>Hostile <img src=x onerror=alert("img")> headline'
XSS_LEDE = '<svg onload=alert("lede")></svg> lede'
XSS_TEXT = ('First <script>alert("body")</script> paragraph with <b onmouseover=alert("b")>bold</b>.\n\n'
            'A <a href="javascript:alert(\'link\')">javascript: link</a> and <iframe src="javascript:alert(1)">'
            '</iframe> done. \ue000 stray marker \ue001\ue001')
XSS_AUTHOR = '<img src=x onerror=alert("author")>'
XSS_OUTLET_TITLE = '<b onmouseover=alert("outlet")>Hostile Outlet</b>'
XSS_URL = "javascript:alert('url')"


def build_web_archive(path: Path) -> dict[tuple[str, str], int]:
    """Create the database file at `path`; return (outlet, path) -> article id for the events articles."""
    db = open_db(path)
    build_archive(db)
    ids = store_events(db)
    for event, members in EVENTS.items():
        marks = ",".join("?" * len(members))
        db.execute(f"update articles set story_id = ? where id in ({marks})",
                   [STORY_IDS[event], *[ids[m] for m in members]])
    # The wire's verbatim copies form one family with the wire story as origin.
    for member, origin_outlet in COPIES.items():
        origin = next(ids[m] for m in EVENTS["zamzam-camp"] if m[0] == origin_outlet)
        db.execute("update articles set family_id = ?, family_role = 'origin' where id = ?", [origin, origin])
        db.execute("update articles set family_id = ?, family_role = 'copy' where id = ?", [origin, ids[member]])
    refresh_stories(db, STORY_IDS.values(), {})

    sync_source(db, Source(name="hostile-outlet", homepage="https://hostile.example/", title=XSS_OUTLET_TITLE,
                           country="ZZ", language="en", tags=("<i>tag</i>",)))
    hostile = store_article(db, Article(
        url="https://hostile.example/news/1", title=XSS_TITLE, lede=XSS_LEDE, text=XSS_TEXT, authors=[XSS_AUTHOR],
        published=datetime(2026, 2, 6, 15, 0, tzinfo=timezone.utc), language="en"), source="hostile-outlet")
    db.execute("update articles set url = ?, story_id = ? where id = ?", [XSS_URL, XSS_STORY, hostile.article_id])
    db.execute("update articles set story_id = ? where id = ?", [XSS_STORY, NAVAL_DRILL_RU])
    refresh_stories(db, [XSS_STORY], {XSS_STORY: XSS_TITLE})

    # A re-fetch that changed the Euphrates article: its first version becomes a revision.
    euphrates = db.execute("select url, title, lede, text, published from articles where id = ?",
                           [REVISED]).fetchone()
    store_article(db, Article(url=euphrates[0], title=euphrates[1] + " (updated)", lede=euphrates[2],
                              text=euphrates[3] + "\n\nUpdate: the bridge reopened at noon.",
                              published=datetime.fromisoformat(euphrates[4]).replace(tzinfo=timezone.utc)),
                  source="northwind-wire", revise=True, now="2026-02-02T18:00:00+00:00")

    add_search(db, "gaza-hospital", 'hospital "al-Karama" -field')
    feed = ensure_feed(db, "https://harborpost.example/rss", "harbor-post", "rss")
    record_feed_failure(db, feed, status=503, reason="HTTP 503 <b>Service Unavailable</b>",
                        now="2026-02-07T11:00:00+00:00")
    db.close()
    return ids


def build_language_archive(path: Path) -> dict[str, int]:
    """The events test web in every language (the Arabic and Russian outlets included), stored and clustered
    as a crawl would leave it; return event -> its story id."""
    db = open_db(path)
    ids = store_events(db, ALL_EVENT_OUTLETS)
    cluster_new(db)
    story_of = dict(db.execute("select id, story_id from articles").fetchall())
    stories = {event: story_of[ids[keys[0]]] for event, keys in all_events().items()}
    db.close()
    return stories
