"""`crosswire status`: a failing, a paused, a quiet and a healthy outlet, each told apart."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from crosswire.core.article import Article
from crosswire.cli import main
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.feeds import ensure_feed, record_feed_failure, record_feed_success, sync_source
from crosswire.storage.health import is_quiet, source_health, usual_rate
from crosswire.core.sources import Source

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def publish(db, source: str, feed_id: int, hours_ago: list[float]) -> None:
    for n, hours in enumerate(hours_ago):
        when = NOW - timedelta(hours=hours)
        store_article(db, Article(url=f"https://{source}.example/{n}", title=f"{source} {n}", text="Body text.",
                                  published=when), source=source, feed_id=feed_id, guid=str(n))


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "status.db"
    db = open_db(path)
    feeds = {}
    for name in ("steady-post", "silent-herald", "broken-courier"):
        sync_source(db, Source(name=name, homepage=f"https://{name}.example/"))
        feeds[name] = ensure_feed(db, f"https://{name}.example/rss.xml", name)
    # steady-post: 6 a day, every 4 hours, for 30 days up to now.
    publish(db, "steady-post", feeds["steady-post"], [2 + h * 4 for h in range(180)])
    record_feed_success(db, feeds["steady-post"], status=200, next_check=iso(NOW + timedelta(hours=2)),
                        now=iso(NOW - timedelta(minutes=5)))
    # silent-herald: 6 a day for 30 days, then nothing for the last day, while its feed still answers.
    publish(db, "silent-herald", feeds["silent-herald"], [26 + h * 4 for h in range(174)])
    record_feed_success(db, feeds["silent-herald"], status=304, next_check=iso(NOW + timedelta(hours=2)),
                        now=iso(NOW - timedelta(minutes=5)))
    # broken-courier: published normally, but its feed has failed 3 times in a row since this morning.
    publish(db, "broken-courier", feeds["broken-courier"], [2 + h * 4 for h in range(180)])
    for n in range(3):
        record_feed_failure(db, feeds["broken-courier"], reason="HTTP 500", status=500,
                            next_check=iso(NOW + timedelta(hours=1)), now=iso(NOW - timedelta(hours=3 - n)))
    db.close()
    return path


def test_status_json_flags_failing_and_quiet_outlets(db_path):
    result = CliRunner().invoke(main, ["status", "--db", str(db_path), "--json", "--now", iso(NOW)])
    assert 0 == result.exit_code, result.output
    report = json.loads(result.output)
    summary = {s["name"]: (s["state"], s["quiet"], s["articles_24h"], s["articles_7d"], s["usual_per_day"])
               for s in report["sources"]}
    assert {
        "steady-post": ("ok", False, 6, 42, 6.0),
        "silent-herald": ("quiet", True, 0, 36, 6.0),
        "broken-courier": ("failing", False, 6, 42, 6.0),
    } == summary
    broken = next(s for s in report["sources"] if s["name"] == "broken-courier")["feeds"][0]
    assert {"state": "failing", "consecutive_failures": 3, "last_error": "HTTP 500",
            "failing_since": "2026-03-01T09:00:00+00:00", "last_error_at": "2026-03-01T11:00:00+00:00",
            "next_check": "2026-03-01T13:00:00+00:00", "paused": False} == {
        k: broken[k] for k in ("state", "consecutive_failures", "last_error", "failing_since", "last_error_at",
                               "next_check", "paused")}


def test_status_text_names_the_failing_and_the_quiet_outlet(db_path):
    result = CliRunner().invoke(main, ["status", "--db", str(db_path), "--now", iso(NOW)])
    assert 0 == result.exit_code, result.output
    lines = result.output.splitlines()
    heads = [line.split("  ")[:2] for line in lines if not line.startswith(" ")]
    assert [["broken-courier", "FAILING"], ["silent-herald", "QUIET"], ["steady-post", "ok"]] == heads
    assert any("QUIET: far below its usual rate" in line for line in lines)
    failing_feed = [line for line in lines if line.startswith("  FAILING")]
    assert 1 == len(failing_feed)
    assert "3 failures since 2026-03-01 09:00 · last error: HTTP 500" in failing_feed[0]


def test_paused_feed_is_kept_and_shown_with_its_reason(db_path):
    db = open_db(db_path)
    feed_id = db.execute("select id from feeds where source = 'broken-courier'").fetchone()[0]
    record_feed_failure(db, feed_id, reason="HTTP 500", status=500, next_check=iso(NOW + timedelta(days=7)),
                        paused=True, paused_reason="paused after 4 failures over 8 days; last: HTTP 500",
                        now=iso(NOW))
    [courier] = [s for s in source_health(db, NOW) if s.name == "broken-courier"]
    assert ("paused", "paused", True, "paused after 4 failures over 8 days; last: HTTP 500") == (
        courier.state, courier.feeds[0].state, courier.feeds[0].paused, courier.feeds[0].paused_reason)
    # A success later un-pauses it and clears the streak.
    record_feed_success(db, feed_id, status=200, now=iso(NOW + timedelta(days=7)))
    [courier] = [s for s in source_health(db, NOW) if s.name == "broken-courier"]
    assert ("ok", 0, None, None) == (courier.feeds[0].state, courier.feeds[0].consecutive_failures,
                                     courier.feeds[0].failing_since, courier.feeds[0].paused_reason)


@pytest.mark.parametrize("recent, usual, expected", [
    (0, None, False),       # no history yet: never quiet
    (0, 2.0, False),        # too small an outlet to tell a quiet day from chance
    (0, 6.0, True),
    (1, 6.0, True),
    (2, 6.0, False),
    (30, 6.0, False),
])
def test_is_quiet(recent, usual, expected):
    assert expected == is_quiet(recent, usual)


def test_usual_rate_needs_history():
    assert (None, 4.0) == (usual_rate(10, 2.0), usual_rate(40, 10.0))


def test_status_without_a_database_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "none.db")])
    assert (66, f"Error: {tmp_path / 'none.db'}: no archive there (check --db or $CROSSWIRE_DB); only `crosswire "
                "crawl` and `crosswire demo` create one\n") == (result.exit_code, result.output)
    assert [] == list(tmp_path.iterdir())


def test_routes_of_every_kind_new_and_idle_sources(tmp_path):
    """Sitemaps and listings are routes like feeds; the sitemaps an index named are summed up (and shown when
    they fail); a source never read yet is new, and one with nothing to crawl is IDLE, which --check reports."""
    db = open_db(tmp_path / "kinds.db")
    wire = Source(name="wire", homepage="https://wire.example/", sitemaps=("https://wire.example/news-index.xml",))
    reader = Source(name="reader", homepage="https://reader.example/", feeds=("https://reader.example/feed/",))
    for source in (wire, reader, Source(name="blank", homepage="https://blank.example/")):
        sync_source(db, source)
    index = ensure_feed(db, "https://wire.example/news-index.xml", "wire", kind="sitemap")
    pages = [ensure_feed(db, f"https://wire.example/news.xml?from={n}", "wire", kind="sitemap") for n in (0, 100)]
    ensure_feed(db, "https://reader.example/feed/", "reader")
    for feed_id in (index, pages[0]):
        record_feed_success(db, feed_id, status=200, kind="news-sitemap" if feed_id != index else "sitemap",
                            next_check=iso(NOW + timedelta(hours=1)) if feed_id == index else None, now=iso(NOW))
    record_feed_failure(db, pages[1], reason="HTTP 503", status=503, now=iso(NOW))
    db.close()
    result = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "kinds.db"), "--now", iso(NOW)])
    assert 0 == result.exit_code, result.output
    assert [
        "blank  IDLE  24h 0 · 7d 0 · usual rate unknown yet · last article -",
        "  nothing to crawl: no feed, sitemap or listing page",
        "reader  new  24h 0 · 7d 0 · usual rate unknown yet · last article -",
        "  new      feed         https://reader.example/feed/  24h 0 · 7d 0 · last success - · next check -",
        "wire  FAILING  24h 0 · 7d 0 · usual rate unknown yet · last article -",
        "  ok       sitemap      https://wire.example/news-index.xml  24h 0 · 7d 0 · last success 2026-03-01 12:00"
        " · next check 2026-03-01 13:00",
        "  FAILING  sitemap      https://wire.example/news.xml?from=100  24h 0 · 7d 0 · found through an index"
        " · last success - · 1 failures since 2026-03-01 12:00 · last error: HTTP 503",
        "  + 2 sitemaps a sitemap index named: 24h 0 · 7d 0 · 1 failing",
    ] == result.output.splitlines()
    checked = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "kinds.db"), "--now", iso(NOW), "--check"])
    assert (3, ["crosswire: 3 problems need attention", "  no crawl has run yet",
                "  blank idle: no feed, sitemap or listing page to crawl",
                "  wire failing: failing https://wire.example/news.xml?from=100: HTTP 503"]) == (
        checked.exit_code, checked.output.splitlines())
