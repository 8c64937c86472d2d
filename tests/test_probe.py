"""`crosswire sources probe`: every verdict on the test web's twins of real formats, politely, and --update."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire import __version__
from crosswire.cli import main
from crosswire.storage.db import open_db
from crosswire.storage.feeds import ensure_feed, record_feed_failure, record_feed_success, sync_source
from crosswire.core.sources import parse_sources
from testweb import TestWeb
from testweb.outlets_real import ARC_INDEX, ARC_RSS, ARC_SPORT, LISTING_PATH, OUTLETS, source_toml

NOW = "2026-03-12T12:00:00+00:00"
UA = f"crosswire/{__version__} (+https://github.com/crosswire-news/crosswire)"


@pytest.fixture(scope="module")
def web():
    with TestWeb(list(OUTLETS)) as web:
        yield web


def sources_file(web: TestWeb, tmp: Path) -> Path:
    """Every real-format twin, plus routes that are stale (an archive feed), empty (a section with nothing in
    it), broken (an old feed address, a listing its selectors no longer fit) and blocked (a connection closed
    unanswered); no delay between requests, the test web being on loopback."""
    e, c, s = (web.base_url(n) for n in ("euphrates-post", "caravan-wire", "sealed-gazette"))
    blocks = {name: source_toml(web, name) for name in OUTLETS}
    blocks["euphrates-post"] += f'\n[[source.listing]]\nurl = "{e}/category/analysis/"\nlinks = "div.post-list a"\n'
    text = "[defaults]\ndelay = 0\n\n" + "\n".join(blocks.values())
    text = text.replace(f'feeds = ["{e}/feed/"]', f'feeds = ["{e}/feed/", "{e}/category/archive/feed/"]')
    text = text.replace(f'feeds = ["{c}{ARC_RSS}?outputType=xml"]',
                        f'feeds = ["{c}{ARC_RSS}?outputType=xml", "{c}{ARC_SPORT}?outputType=xml", '
                        f'"{c}/rss/worldNews"]')
    text = text.replace(f'feeds = ["{s}/feed/rss2/en.xml"]', f'feeds = ["{s}/feed/rss2/en.xml", "{s}/updates/rss.xml"]')
    path = tmp / "sources.toml"
    path.write_text(text, encoding="utf-8")
    parse_sources(text, str(path))      # the file is one a user could write
    return path


def probe(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sources", "probe", "--now", NOW, *args])
    return result.exit_code, result.output


def relative(web: TestWeb, text: str) -> str:
    """Output with each outlet's base URL replaced by <outlet>, so ports do not matter."""
    for name in web.outlets:
        text = text.replace(web.base_url(name), f"<{name}>")
    return text


EXPECTED = [
    # source, kind, url, verdict, status, robots, entries, age in hours, carries, reason, format
    ("euphrates-post", "feed", "<euphrates-post>/feed/", "ok", 200, "allowed", 7, 26.7, "lede", None, "rss20"),
    ("euphrates-post", "feed", "<euphrates-post>/category/archive/feed/", "stale", 200, "allowed", 1, 6504.0, "lede",
     "newest entry 271d old (stale after 7d)", "rss20"),
    ("euphrates-post", "listing", "<euphrates-post>/category/news/", "ok", 200, "allowed", 3, 26.7, "lede", None,
     "listing"),
    ("euphrates-post", "listing", "<euphrates-post>/category/analysis/", "broken", 404, "allowed", None, None, None,
     "HTTP 404 Not Found", None),
    ("caravan-wire", "feed", f"<caravan-wire>{ARC_RSS}?outputType=xml", "ok", 200, "allowed", 7, 28.3, "lede", None,
     "rss20"),
    ("caravan-wire", "feed", f"<caravan-wire>{ARC_SPORT}?outputType=xml", "empty", 200, "allowed", 0, None, None,
     "no entries", "rss20"),
    ("caravan-wire", "feed", "<caravan-wire>/rss/worldNews", "broken", 404, "allowed", None, None, None,
     "HTTP 404 Not Found", None),
    ("caravan-wire", "news-sitemap", f"<caravan-wire>{ARC_INDEX}?outputType=xml", "ok", 200, "allowed", 3, 28.3,
     "headline", None, "index of 3"),
    ("lantern-press", "news-sitemap", "<lantern-press>/news-sitemap-content.xml", "ok", 200, "allowed", 5, 23.5,
     "headline", None, "urlset"),
    ("steppe-agency", "feed", "<steppe-agency>/rss/v2.xml", "ok", 200, "allowed", 4, 28.8, "lede", None, "rss20"),
    ("steppe-agency", "feed", "<steppe-agency>/export/rss2/archive/index.xml", "ok", 200, "allowed", 4, 28.8,
     "headline", None, "rss20"),
    ("coastal-times", "feed", "<coastal-times>/feed/", "disallowed", None, "disallowed", None, None, None,
     "robots.txt forbids crosswire this URL: not fetched", None),
    ("sealed-gazette", "feed", "<sealed-gazette>/feed/rss2/en.xml", "blocked", 403, "allowed", None, None, None,
     "HTTP 403 Forbidden", None),
    ("sealed-gazette", "feed", "<sealed-gazette>/updates/rss.xml", "blocked", None, "allowed", None, None, None,
     "the server closed the connection without answering", None),
]


def test_every_verdict_on_the_test_web(web: TestWeb, tmp_path: Path):
    sources = sources_file(web, tmp_path)
    web.clear_log()
    code, output = probe("--sources", str(sources), "--json")
    assert 3 == code, output        # some routes are not ok
    reports = json.loads(relative(web, output))
    fields = ("source", "kind", "url", "verdict", "status", "robots", "entries", "age_hours", "carries", "reason",
              "format")
    assert EXPECTED == [tuple(r[f] for f in fields) for r in reports]
    assert {None} == {r["checked"] for r in reports}      # the twins' file gives no dates
    assert {"2026-03-11T09:20:00+00:00", "2025-06-14T12:00:00+00:00", None} >= {r["newest"] for r in reports[:3]}


def test_probe_is_polite(web: TestWeb, tmp_path: Path):
    """robots.txt once per host and first; each route once (an index and its newest page); the forbidden feed
    never; crosswire's User-Agent and the crawl's headers on every request."""
    sources = sources_file(web, tmp_path)
    web.clear_log()
    probe("--sources", str(sources))
    by_outlet: dict[str, list[str]] = {}
    for r in web.requests:
        by_outlet.setdefault(r.outlet, []).append(r.path)
    assert {name: "/robots.txt" for name in OUTLETS} == {name: paths[0] for name, paths in by_outlet.items()}
    assert {name: 1 for name in OUTLETS} == {name: paths.count("/robots.txt") for name, paths in by_outlet.items()}
    assert ["/robots.txt", f"{ARC_RSS}?outputType=xml", f"{ARC_SPORT}?outputType=xml", "/rss/worldNews",
            f"{ARC_INDEX}?outputType=xml", "/arc/outboundfeeds/news-sitemap/?outputType=xml"] == (
        by_outlet["caravan-wire"])
    assert ["/robots.txt"] == by_outlet["coastal-times"]
    assert {UA} == {r.headers.get("User-Agent") for r in web.requests}
    assert all(r.headers.get("Accept") and r.headers.get("Accept-Language") for r in web.requests)
    assert {"ru,en;q=0.7,*;q=0.5"} == {r.headers["Accept-Language"] for r in web.requests
                                       if r.outlet == "steppe-agency"}


def test_human_report(web: TestWeb, tmp_path: Path):
    sources = sources_file(web, tmp_path)
    code, output = probe("--sources", str(sources), "--source", "lantern-press", "--source", "coastal-times",
                         "--source", "euphrates-post")
    assert 3 == code
    # Listed in the file's order whatever the order of --source.
    assert [
        "source          route         verdict     HTTP  robots      entries  newest  carries   url",
        "euphrates-post  feed          ok           200  allowed           7  27h     lede      <euphrates-post>/feed/",
        "euphrates-post  feed          stale        200  allowed           1  271d    lede      "
        "<euphrates-post>/category/archive/feed/",
        "euphrates-post  listing       ok           200  allowed           3  27h     lede      "
        "<euphrates-post>/category/news/",
        "euphrates-post  listing       broken       404  allowed           -  -       -         "
        "<euphrates-post>/category/analysis/",
        "lantern-press   news-sitemap  ok           200  allowed           5  24h     headline  "
        "<lantern-press>/news-sitemap-content.xml",
        "coastal-times   feed          disallowed     -  disallowed        -  -       -         <coastal-times>/feed/",
        "6 routes of 3 sources: 3 ok, 1 stale, 1 disallowed, 1 broken",
        "  euphrates-post feed stale: newest entry 271d old (stale after 7d)  <euphrates-post>/category/archive/feed/",
        "  euphrates-post listing broken: HTTP 404 Not Found  <euphrates-post>/category/analysis/",
        "  coastal-times feed disallowed: robots.txt forbids crosswire this URL: not fetched  <coastal-times>/feed/",
    ] == relative(web, output).splitlines()


def test_all_ok_exits_0_and_stale_is_a_choice(web: TestWeb, tmp_path: Path):
    sources = sources_file(web, tmp_path)
    code, output = probe("--sources", str(sources), "--source", "lantern-press", "--source", "steppe-agency")
    assert (0, "3 routes of 2 sources: 3 ok") == (code, output.splitlines()[-1])
    code, output = probe("--sources", str(sources), "--source", "lantern-press", "--stale", "12h")
    assert (3, "  lantern-press news-sitemap stale: newest entry 24h old (stale after 12h)  ") == (
        code, relative(web, output).splitlines()[-1].split("<")[0])


def test_a_listing_whose_selectors_match_nothing_is_broken(web: TestWeb, tmp_path: Path):
    base = web.base_url("euphrates-post")
    sources = tmp_path / "s.toml"
    sources.write_text(f'[defaults]\ndelay = 0\n[[source]]\nname = "e"\nhomepage = "{base}/"\n'
                       f'[[source.listing]]\nurl = "{base}{LISTING_PATH}"\nlinks = "div.post-list a"\n')
    code, output = probe("--sources", str(sources), "--json")
    assert (3, [("broken", 200, "the listing's selectors matched nothing (div.post-list a)")]) == (
        code, [(r["verdict"], r["status"], r["reason"]) for r in json.loads(output)])


def test_an_unreachable_host_is_one_line_per_route(tmp_path: Path):
    """Nothing listening (a loopback port just closed): each route broken, one line each, no traceback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sources = tmp_path / "s.toml"
    sources.write_text(f'[defaults]\ndelay = 0\n[[source]]\nname = "gone"\nhomepage = "{base}/"\n'
                       f'feeds = ["{base}/feed/"]\nsitemaps = ["{base}/sitemap.xml"]\n'
                       f'[[source.listing]]\nurl = "{base}/news/"\nlinks = "a"\n')
    code, output = probe("--sources", str(sources))
    assert (3, [
        "3 routes of 1 source: 3 broken",
        f"  gone feed broken: Connection refused  {base}/feed/",
        f"  gone sitemap broken: Connection refused  {base}/sitemap.xml",
        f"  gone listing broken: Connection refused  {base}/news/",
    ]) == (code, output.splitlines()[-4:])
    assert "Traceback" not in output


def test_robots_sitemaps_are_probed_each(web: TestWeb, tmp_path: Path):
    """`sitemaps = "robots"`: each Sitemap: line of robots.txt is a route."""
    base = web.base_url("lantern-press")
    sources = tmp_path / "s.toml"
    sources.write_text(f'[defaults]\ndelay = 0\n[[source]]\nname = "l"\nhomepage = "{base}/"\nsitemaps = "robots"\n'
                       f'checked = 2026-03-01\n')
    code, output = probe("--sources", str(sources), "--json")
    assert (0, [("news-sitemap", f"{base}/news-sitemap-content.xml", "ok", 5, "2026-03-01")]) == (
        code, [(r["kind"], r["url"], r["verdict"], r["entries"], r["checked"]) for r in json.loads(output)])


def test_update_records_health_and_nothing_else(web: TestWeb, tmp_path: Path):
    """--update: each route's status, entries and errors in the archive; validators and schedules untouched; a
    paused feed that answers again is un-paused and due."""
    sources = sources_file(web, tmp_path)
    db_path = tmp_path / "war.db"
    db = open_db(db_path)
    steppe = parse_sources(sources.read_text(), "s")[3]
    sync_source(db, steppe)
    paused = ensure_feed(db, steppe.feeds[0], "steppe-agency")
    record_feed_success(db, paused, status=200, etag='"v1"', next_check="2026-03-12T18:00:00+00:00",
                        now="2026-03-01T00:00:00+00:00")
    record_feed_failure(db, paused, reason="HTTP 403", status=403, next_check="2026-03-19T00:00:00+00:00",
                        paused=True, paused_reason="paused after 9 failures", now="2026-03-11T00:00:00+00:00")
    db.close()
    code, _ = probe("--sources", str(sources), "--source", "steppe-agency", "--source", "sealed-gazette",
                    "--update", "--db", str(db_path))
    assert 3 == code
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select url, kind, last_status, entries_last, consecutive_failures, last_error, etag, "
                            "next_check, paused from feeds order by id").fetchall()
    assert [
        ("<steppe-agency>/rss/v2.xml", "rss", 200, 4, 0, "HTTP 403", '"v1"', NOW, 0),
        ("<steppe-agency>/export/rss2/archive/index.xml", "rss", 200, 4, 0, None, None, None, 0),
        ("<sealed-gazette>/feed/rss2/en.xml", "feed", 403, None, 1, "probe: blocked: HTTP 403 Forbidden", None,
         None, 0),
        ("<sealed-gazette>/updates/rss.xml", "feed", None, None, 1,
         "probe: blocked: the server closed the connection without answering", None, None, 0),
    ] == [tuple(relative(web, v) if isinstance(v, str) else v for v in row) for row in rows]


@pytest.mark.parametrize("args, code, message", [
    (["--source", "nope"], 1, 'Error: unknown source "nope"\n'),
    (["--stale", "soon"], 1, None),
    (["--update", "--db", "{tmp}/missing.db"], 66, None),
])
def test_bad_input_is_one_line(web: TestWeb, tmp_path: Path, args: list[str], code: int, message: str | None):
    sources = sources_file(web, tmp_path)
    web.clear_log()
    result = CliRunner().invoke(main, ["sources", "probe", "--sources", str(sources),
                                       *(a.replace("{tmp}", str(tmp_path)) for a in args)])
    assert code == result.exit_code
    assert 1 == len(result.output.splitlines()) and result.output.startswith("Error: ")
    if message:
        assert message == result.output
    assert [] == web.requests       # nothing fetched
