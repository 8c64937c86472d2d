"""`crosswire status` shows what failed, not only feeds: per source, the feed and page errors of its last run and
of the last day with the latest reason; `status --errors [SOURCE]` lists them; `status --check` exits 3 when
something needs attention (0 otherwise), for cron and monitoring; the web reader's Sources page says the same."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from crosswire.cli import main
from crosswire.core import exitcodes
from crosswire.core.article import Article
from crosswire.core.sources import Source
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.feeds import ensure_feed, record_feed_success, sync_source
from crosswire.storage.health import ErrorCounts, source_health
from crosswire.storage.runs import finish_run, record_error, start_run
from crosswire.web import create_app

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Two outlets whose feeds are fine: tidy-times (no errors) and leaky-ledger, whose pages failed in its last
    run (two), the day before (one, older than a day), and whose feed once failed to parse."""
    path = tmp_path / "status.db"
    db = open_db(path)
    feeds = {}
    for name in ("tidy-times", "leaky-ledger"):
        sync_source(db, Source(name=name, homepage=f"https://{name}.example/"))
        feeds[name] = ensure_feed(db, f"https://{name}.example/rss.xml", name)
        store_article(db, Article(url=f"https://{name}.example/1", title="A story", text="Body text.",
                                  published=NOW - timedelta(hours=2)), source=name, feed_id=feeds[name])
    old_run = start_run(db, "crawl")
    record_error(db, run_id=old_run, url="https://leaky-ledger.example/old.html", kind="http", reason="HTTP 500",
                 source="leaky-ledger", at=iso(NOW - timedelta(hours=30)))
    finish_run(db, old_run, status="partial", stats={})
    run = start_run(db, "crawl")
    for name in feeds:
        record_feed_success(db, feeds[name], status=200, now=iso(NOW - timedelta(minutes=10)))
    db.execute("update runs set started = ? where id = ?", [iso(NOW - timedelta(minutes=11)), run])
    db.execute("update runs set started = ? where id = ?", [iso(NOW - timedelta(hours=30, minutes=1)), old_run])
    record_error(db, run_id=run, url="https://leaky-ledger.example/rss.xml", kind="parse",
                 reason="not well-formed (invalid token)", source="leaky-ledger", at=iso(NOW - timedelta(minutes=9)))
    record_error(db, run_id=run, url="https://leaky-ledger.example/gone.html", kind="http", reason="HTTP 404",
                 source="leaky-ledger", at=iso(NOW - timedelta(minutes=8)))
    record_error(db, run_id=run, url="https://leaky-ledger.example/slow.html", kind="timeout", reason="timed out",
                 source="leaky-ledger", at=iso(NOW - timedelta(minutes=7)))
    record_error(db, run_id=run, url="https://leaky-ledger.example/list?page=21", kind="limit",
                 reason="max_pages (20) reached", source="leaky-ledger", at=iso(NOW - timedelta(minutes=6)))
    finish_run(db, run, status="partial", stats={})
    db.close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--now", iso(NOW)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def test_errors_are_counted_per_source_feed_and_page(db_path: Path) -> None:
    health = {s.name: s for s in source_health(open_db(db_path), NOW)}
    leaky = health["leaky-ledger"]
    assert ("errors", ErrorCounts(feeds=1, pages=2), ErrorCounts(feeds=1, pages=2)) == (
        leaky.state, leaky.errors_last_run, leaky.errors_24h)     # the guard's cut is not a failure
    assert {"at": iso(NOW - timedelta(minutes=7)), "source": "leaky-ledger", "what": "page", "kind": "timeout",
            "reason": "timed out", "url": "https://leaky-ledger.example/slow.html", "run_id": 2} == leaky.latest_error
    assert ("ok", ErrorCounts(), None) == (health["tidy-times"].state, health["tidy-times"].errors_24h,
                                           health["tidy-times"].latest_error)


def test_status_shows_the_errors_line_and_how_to_list_them(db_path: Path) -> None:
    code, out = run("status", "--db", str(db_path))
    lines = out.splitlines()
    assert 0 == code
    assert lines[1].startswith("leaky-ledger  ERRORS  24h 1")
    assert ("  errors   last run 1 feed, 2 pages · last day 1 feed, 2 pages · latest 2026-03-01 11:53 timeout: "
            "timed out  https://leaky-ledger.example/slow.html") == lines[2]
    assert "list the errors: crosswire status --errors [SOURCE]" == lines[-1]


def test_status_errors_lists_the_last_day_or_since(db_path: Path) -> None:
    code, out = run("status", "--errors", "leaky-ledger", "--db", str(db_path))
    assert (0, [
        "2026-03-01 11:53  leaky-ledger  page  timeout     timed out  https://leaky-ledger.example/slow.html",
        "2026-03-01 11:52  leaky-ledger  page  http        HTTP 404  https://leaky-ledger.example/gone.html",
        "2026-03-01 11:51  leaky-ledger  feed  parse       not well-formed (invalid token)  "
        "https://leaky-ledger.example/rss.xml",
    ]) == (code, out.splitlines())
    code, out = run("status", "--errors", "--since", "2d", "--json", "--db", str(db_path))
    assert (0, ["slow.html", "gone.html", "rss.xml", "old.html"]) == (
        code, [row["url"].rsplit("/", 1)[1] for row in json.loads(out)])
    assert (0, "no errors since 2026-02-28 12:00 UTC for tidy-times\n") == run(
        "status", "--errors", "tidy-times", "--db", str(db_path))


def test_status_check_exits_3_naming_what_needs_attention(db_path: Path) -> None:
    assert (exitcodes.PARTIAL, "crosswire: 1 problem needs attention\n"
                               "  leaky-ledger errors: 2 page and 1 feed errors in its last run; latest: timed out\n"
            ) == run("status", "--check", "--db", str(db_path))
    assert (exitcodes.OK, "crosswire: OK, 1 source collected, last crawl partial\n") == run(
        "status", "tidy-times", "--check", "--db", str(db_path))


def test_status_check_fails_without_any_crawl(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_db(path).close()
    assert (exitcodes.PARTIAL, "crosswire: 1 problem needs attention\n  no crawl has run yet\n") == run(
        "status", "--check", "--db", str(path))


def test_the_sources_page_shows_the_same_errors(db_path: Path) -> None:
    with TestClient(create_app(db_path, clock=lambda: NOW)) as client:
        html = client.get("/sources").text
    row = html[html.index('<tr class="state-errors">'):]
    row = row[:row.index("</tr>")]
    assert "last run: 1 feed, 2 page" in row and "last day: 1 feed, 2 page" in row
    assert "<summary>3 in the last day</summary>" in row
    assert "timeout, timed out" in row and "https://leaky-ledger.example/gone.html" in row
