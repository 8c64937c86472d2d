"""The web reader (crosswire serve) through Starlette's TestClient: every route's status, headers and escaping."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import feedparser
import lxml.html
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from crosswire.cli import main
from crosswire.cli.serve import is_loopback
from crosswire.core.errors import QueryError, StorageError
from crosswire.web import create_app, pages, render
from crosswire.web.security import CSP, safe_url
from tests.webdata import NOW, REVISED, XSS_STORY, XSS_TITLE, build_web_archive

HOSTILE = 40   # the XSS article's id (after searchdata's 9 and the events' 30)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "web.db"
    build_web_archive(path)
    return path


@pytest.fixture(scope="module")
def client(db_path: Path) -> TestClient:
    return TestClient(create_app(db_path, clock=lambda: NOW))


def hit_ids(html: str) -> list[int]:
    """Article ids of the result list, in page order."""
    return [int(x) for x in re.findall(r'<li class="hit">\s*<h3[^>]*><a href="/article/(\d+)"', html)]


ROUTES = [
    ("/", 200, "text/html"),
    ("/?source=harbor-post&page=2", 200, "text/html"),
    ("/search", 200, "text/html"),
    ("/search?q=deir", 200, "text/html"),
    ("/search?q=%22unclosed", 400, "text/html"),
    ("/article/1", 200, "text/html"),
    ("/article/999", 404, "text/html"),
    ("/stories", 200, "text/html"),
    ("/stories?since=nonsense", 400, "text/html"),
    ("/story/1", 200, "text/html"),
    ("/story/999", 404, "text/html"),
    ("/blindspots", 200, "text/html"),
    ("/blindspots?group=wire", 200, "text/html"),
    ("/blindspots?group=nobody", 400, "text/html"),
    ("/sources", 200, "text/html"),
    ("/feeds/search.atom?q=deir", 200, "application/atom+xml"),
    ("/feeds/search.rss", 200, "application/rss+xml"),
    ("/feeds/source/harbor-post.json", 200, "application/feed+json"),
    ("/feeds/source/no-such-outlet.atom", 404, "text/html"),
    ("/feeds/story/1.rss", 200, "application/rss+xml"),
    ("/feeds/story/999.atom", 404, "text/html"),
    ("/feeds/search.xml?q=deir", 400, "text/html"),
    ("/attention", 200, "text/html"),
    ("/attention?q=Idlib&by=tag&interval=week", 200, "text/html"),
    ("/attention?q=Idlib&by=planet", 400, "text/html"),
    ("/attention.png?q=Idlib&since=2026-01-27&until=2026-02-10", 200, "image/png"),
    ("/attention.png", 400, "text/html"),
    ("/healthz", 200, "text/plain"),
    ("/static/style.css", 200, "text/css"),
    ("/no/such/page", 404, "text/html"),
]


@pytest.mark.parametrize("url, status, media", ROUTES)
def test_every_route_answers_with_status_type_and_security_headers(client: TestClient, url: str, status: int,
                                                                   media: str) -> None:
    response = client.get(url)
    assert (status, media) == (response.status_code, response.headers["content-type"].split(";")[0])
    assert {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
            "x-frame-options": "DENY"} == {k: response.headers.get(k) for k in
                                           ("content-security-policy", "x-content-type-options",
                                            "referrer-policy", "x-frame-options")}
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def dangerous(html: str) -> list[str]:
    """Every element or attribute in a parsed page that could run script or inject content."""
    found = []
    for element in lxml.html.fromstring(html).iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "img" and element.get("src", "").startswith("/attention.png?"):
            pass    # the reader's own chart
        elif element.tag in ("script", "style", "img", "svg", "iframe", "object", "embed"):
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.startswith("on") or name == "style" or (name in ("href", "src", "action")
                                                             and value.strip().lower().startswith("javascript:")):
                found.append(f"{element.tag}[{name}={value}]")
    return found


def test_html_pages_carry_no_script_and_no_inline_style(client: TestClient) -> None:
    for url in ("/", "/search?q=deir", "/article/1", "/stories", "/story/1", "/sources", "/blindspots",
                "/blindspots?group=wire"):
        assert [] == dangerous(client.get(url).text), url


@pytest.mark.parametrize("params, expected", [
    ("source=harbor-post", [8, 2]),                      # the copy (6) is collapsed into its origin (1)
    ("country=RU", [39, 30, 7, 16, 14, 3]),
    ("tag=wire", [34, 26, 22, 17, 10, 5, 9, 1]),
    ("since=2026-02-05&until=2026-02-05", [32, 31, 30, 29, 28, 27, 26, 7, 25]),
    ("country=TR&since=2026-02-06", [37]),
])
def test_home_filters_list_the_matching_articles_newest_first(client: TestClient, params: str,
                                                               expected: list[int]) -> None:
    assert expected == hit_ids(client.get(f"/?{params}").text)


def test_home_lists_active_stories_and_offers_the_filters_feed(client: TestClient) -> None:
    html = client.get("/?country=RU").text
    # Active: an article within 3 days of the newest story's last one (story 1 ended 02-03 12:30, too early).
    assert ['/story/4', f'/story/{XSS_STORY}', '/story/3', '/story/2'] == \
        re.findall(r'<li class="story">\s*<a href="(/story/\d+)"', html)
    assert '<link rel="alternate" type="application/atom+xml" title="crosswire: country:RU (Atom)" ' \
           'href="/feeds/search.atom?q=country%3ARU">' in html
    assert '<link rel="alternate" type="application/atom+xml" title="crosswire: harbor-post (Atom)" ' \
           'href="/feeds/source/harbor-post.atom">' in client.get("/?source=harbor-post").text


def test_home_lists_saved_searches_with_their_feeds(client: TestClient) -> None:
    html = client.get("/").text
    saved = html.split('<ul class="saved">')[1].split("</ul>")[0]
    assert '<a href="/search?q=hospital%20%22al-Karama%22%20-field&amp;sort=date">gaza-hospital</a>' in saved
    href = re.search(r'<a href="(/feeds/search\.atom\?[^"]+)">Atom</a>', saved).group(1).replace("&amp;", "&")
    feed = feedparser.parse(client.get(href).content)
    assert (0, ["Babies at risk as Gaza hospital runs out of fuel",
                "Zionist siege darkens Gaza hospital, newborns in danger",
                "Gaza hospital generators stop after fuel runs out, health ministry says",
                "Al-Karama hospital in Jabalia goes dark as fuel runs out under siege"]) == \
        (feed.bozo, [e.title for e in feed.entries])


def test_home_pages_older_articles(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "HOME_SIZE", 4)
    first, second = client.get("/?country=RU").text, client.get("/?country=RU&page=2").text
    assert ([39, 30, 7, 16], [14, 3]) == (hit_ids(first), hit_ids(second))
    assert 'href="/?country=RU&amp;page=2">older →' in first
    assert "older →" not in second and 'href="/?country=RU&amp;page=1">← newer' in second


def test_home_bad_date_is_one_clear_line(client: TestClient) -> None:
    response = client.get("/?since=yesterday")
    assert 400 == response.status_code
    assert "since: expects a date like 2026-01-31 or a span like 7d, 24h, 2w, 1m; got &#39;yesterday&#39;" \
        in response.text


@pytest.mark.parametrize("query, expected", [
    ("q=deir", [1, 2]),
    ("q=hospital+country:TR", [29]),
    ("q=zamzam", [37, 39, 38, 34]),
    ("q=zamzam&all=1", [37, 39, 38, 34, 35, 36]),
    ("q=shelling&sort=date", [39, 38, 34, 5]),
])
def test_search_uses_the_cli_query_language(client: TestClient, query: str, expected: list[int]) -> None:
    assert expected == hit_ids(client.get(f"/search?{query}").text)


def test_search_highlights_pages_and_facets(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    html = client.get("/search?q=zamzam&all=1&page=2").text
    assert [38, 34] == hit_ids(html)
    assert "6 results · page 2 of 3" in html
    assert 'href="/search?q=zamzam&amp;sort=rank&amp;all=1&amp;page=3">next →' in html
    assert "<mark>Zamzam</mark>" in html
    facets = re.findall(r'<li><a href="/search\?q=([^"&]+)&amp;sort=rank">([^<]+)</a> <span class="n">(\d+)', html)
    outlets = ["ev-atlantic-herald", "ev-bosphorus-post", "ev-crescent-24", "ev-lakeside-courier",
               "ev-meridian-wire", "ev-vostok-today"]   # one article each: by name
    assert outlets == [re.search(r"source%3A(.+)$", q).group(1) for q, _, _ in facets[:-1]]
    assert ("The Atlantic Herald", "1") == facets[0][1:]
    assert ("zamzam%20since%3A2026-02%20until%3A2026-02", "2026-02", "6") == facets[-1]


def test_search_error_is_escaped_and_says_what_is_wrong(client: TestClient) -> None:
    html = client.get("/search", params={"q": 'badfilter:<b>x</b>'}).text
    assert "unknown filter badfilter:" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_article_page_shows_meta_text_revisions_and_copies(client: TestClient) -> None:
    html = client.get(f"/article/{REVISED}").text
    assert "Shelling resumes along the Euphrates front (updated)</h1>" in html
    assert '<a href="https://northwind.example/2026/02/02/euphrates" rel="noopener noreferrer nofollow">' in html
    assert "by <span class=\"authors\" dir=\"auto\">Mara Quill</span>" in html
    assert '<p dir="auto">Update: the bridge reopened at noon.</p>' in html
    assert "Earlier versions (1)" in html and "Shelling resumes along the Euphrates front</span></summary>" in html
    origin = client.get("/article/1").text
    assert "Copies of this text" in origin and '<a href="/article/6">#6</a> harbor-post' in origin
    copy = client.get("/article/6").text
    assert "Same text elsewhere" in copy and '<a href="/article/1">#1</a> northwind-wire' in copy


def test_arabic_article_reads_right_to_left(client: TestClient) -> None:
    html = client.get("/article/4").text
    assert '<article class="reading" lang="ar">' in html
    assert '<h1 dir="auto">غارات جوية على مستودع وقود قرب دير الزور</h1>' in html


def test_hostile_article_is_escaped_everywhere(client: TestClient) -> None:
    pages_showing_it = [f"/article/{HOSTILE}", "/", "/?source=hostile-outlet", "/search?q=hostile",
                        "/stories", f"/story/{XSS_STORY}", "/sources", "/blindspots",
                        "/blindspots?group=%3Ci%3Etag%3C/i%3E"]
    for url in pages_showing_it:
        html = client.get(url).text
        assert "Hostile" in html, url
        assert [] == dangerous(html), url
    article = client.get(f"/article/{HOSTILE}").text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;Hostile &lt;img src=x onerror=alert(&#34;img&#34;)&gt;" \
        " headline</h1>" in article
    assert "Read at the original" not in article   # a javascript: URL never becomes a link
    snippet = client.get("/search?q=paragraph+source:hostile-outlet").text
    found = re.search(r'<p class="snippet" dir="auto" lang="en">(.*?)</p>', snippet).group(1)
    assert ['<mark>paragraph</mark>'] == re.findall(r"<[^>]*>[^<]*</[^>]*>", found)   # the only markup
    assert '&lt;script&gt;alert("body")&lt;/script&gt; <mark>paragraph</mark>' in found


def test_story_page_compares_outlets_in_time_order(client: TestClient) -> None:
    html = client.get("/story/1").text
    timeline = html.split('<section class="timeline">')[1].split("</section>")[0]
    # Published 06:52, 07:30, 08:40, 10:15, 11:05, 12:30 (the events test web's ground truth).
    assert ["first", "+38m", "+1h 48m", "+3h 23m", "+4h 13m", "+5h 38m"] == \
        re.findall(r'<td class="num">([^<]+)</td>', timeline)
    assert ["Meridian Press Agency", "Crescent 24", "Bosphorus Post", "The Atlantic Herald", "Vostok Today",
            "Barada National News"] == re.findall(r"<td>([^<]+?)(?: <span class=\"meta\">[\w-]+</span>)?</td>\s*<td><a",
                                                   timeline)
    assert '<link rel="alternate" type="application/rss+xml" title="crosswire story: Air strike on market in ' \
           'Syria&#39;s Idlib province kills 14, rescuers say (RSS)" href="/feeds/story/1.rss">' in html


def test_story_page_charts_attention_to_its_places(client: TestClient) -> None:
    html = client.get("/story/1").text
    src = re.search(r'<img src="(/attention\.png\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "/attention.png?q=Idlib+OR+Ariha&by=source&interval=day&since=2026-01-27&until=2026-02-10" == src
    image = client.get(src)
    assert ("image/png", b"\x89PNG\r\n\x1a\n") == (image.headers["content-type"], image.content[:8])
    table = client.get(src.replace("/attention.png", "/attention")).text
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", table)
    # (outlet, articles naming Idlib or Ariha, all its articles) from 01-27 to 02-10: the six that covered the
    # market strike once each, then the rest, by most matches then name.
    assert [("The Atlantic Herald", "1", "5"), ("Barada National News", "1", "2"), ("Bosphorus Post", "1", "5"),
            ("Crescent 24", "1", "4"), ("Meridian Press Agency", "1", "5"), ("Vostok Today", "1", "4"),
            ("Persian Gulf Mirror", "0", "3"), ("Lakeside Courier", "0", "2"), ("Harbor Post", "0", "2"),
            ("&lt;b onmouseover=alert(&#34;outlet&#34;)&gt;Hostile Outlet&lt;/b&gt;", "0", "1"),
            ("Northwind Wire", "0", "1"), ("Volga Herald", "0", "1")] == rows


def test_story_page_marks_wire_copies(client: TestClient) -> None:
    html = client.get("/story/4").text
    assert 2 == html.count('<tr class="copy">')


def test_stories_page_filters_by_query_and_size(client: TestClient) -> None:
    def listed(url: str) -> list[str]:
        return re.findall(r'<td><a href="/story/(\d+)"', client.get(url).text)

    assert ["4", "5", "3", "2", "1"] == listed("/stories")
    assert ["4", "3", "2", "1"] == listed("/stories?min=5")
    assert ["3"] == listed("/stories?q=jabalia")
    assert ["4", "5", "3"] == listed("/stories?since=2026-02-05")


def test_sources_page_shows_status_facts(client: TestClient) -> None:
    html = client.get("/sources").text
    row = html.split('<a href="/?source=harbor-post">Harbor Post</a>')[1].split("</tr>")[0]
    assert '<span class="state">failing</span>' in row
    assert "1 failures since 2026-02-07 11:00 UTC · last error: HTTP 503 &lt;b&gt;Service Unavailable&lt;/b&gt;" in row


def test_feeds_parse_without_bozo_and_hold_the_articles(client: TestClient) -> None:
    search = feedparser.parse(client.get("/feeds/search.atom?q=deir").content)
    assert (0, ["Aid convoy reaches Hasakah after week of delays", "Drone strikes hit fuel depot near Deir Ezzor"]) \
        == (search.bozo, [e.title for e in search.entries])
    assert "http://testserver/feeds/search.atom?q=deir" == search.feed.links[0].href
    story = feedparser.parse(client.get("/feeds/story/2.rss").content)
    assert (0, 5) == (story.bozo, len(story.entries))
    source = client.get("/feeds/source/harbor-post.json").json()
    assert ["Ceasefire talks stall in Geneva", "Aid convoy reaches Hasakah after week of delays"] == \
        [item["title"] for item in source["items"]]
    hostile = feedparser.parse(client.get("/feeds/source/hostile-outlet.atom").content)
    assert (0, XSS_TITLE) == (hostile.bozo, hostile.entries[0].title)


def test_a_bug_is_a_plain_500_page_with_headers(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom <b>")

    monkeypatch.setattr(pages, "search", broken)
    response = TestClient(create_app(db_path), raise_server_exceptions=False).get("/search?q=deir")
    assert (500, CSP) == (response.status_code, response.headers["content-security-policy"])
    assert "internal error: the server log has the details" in response.text and "boom" not in response.text


def test_the_database_is_opened_read_only(db_path: Path) -> None:
    app = create_app(db_path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        app.state.reader.db().execute("delete from articles")


def test_an_older_archive_is_migrated_once_then_read_only(tmp_path: Path) -> None:
    from crosswire.storage.db import open_db
    from crosswire.storage.schema import MIGRATIONS

    path = tmp_path / "old.db"
    db = open_db(path, migrate=False)   # as if made by a crosswire that had every migration but the last
    db["migrations"].create({"name": str, "applied": str}, pk="name")
    for name, migration in MIGRATIONS[:-1]:
        migration(db)
        db["migrations"].insert({"name": name, "applied": "2026-01-01T00:00:00+00:00"})
    db.close()
    last = MIGRATIONS[-1][0]
    create_app(path)
    db = open_db(path, readonly=True)
    assert [last] == [r[0] for r in db.execute("select name from migrations where name = ?", [last])]


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("create table notes (x)").connection.commit()
    with pytest.raises(StorageError, match="not a crosswire archive"):
        create_app(path)
    assert [("notes",)] == sqlite3.connect(path).execute("select name from sqlite_master").fetchall()


def test_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no archive there"):
        create_app(tmp_path / "none.db")
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert (66, f"Error: {tmp_path / 'none.db'}: no archive there (check --db or $CROSSWIRE_DB); only `crosswire "
                "crawl` and `crosswire demo` create one\n") == (result.exit_code, result.output)
    assert [] == list(tmp_path.iterdir())


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert loopback == is_loopback(host)


@pytest.mark.parametrize("url, expected", [
    ("https://a.example/x", "https://a.example/x"), ("http://a.example", "http://a.example"),
    ("javascript:alert(1)", None), (" JaVaScRiPt:alert(1)", None), ("data:text/html,x", None),
    ("//a.example/x", None), ("/relative", None), (None, None), ("", None),
])
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert expected == safe_url(url)


def test_highlight_escapes_then_marks() -> None:
    assert '&lt;b&gt;x&lt;/b&gt; <mark>strike</mark> &amp; "<mark>y</mark>"' == \
        str(render.highlight('<b>x</b> \ue000strike\ue001 & "\ue000y\ue001"')).replace("&#34;", '"')
    assert "a <mark>b</mark>" == str(render.highlight("a \ue000b"))   # an unbalanced marker is closed


@pytest.mark.parametrize("query, key, value, expected", [
    ("deir", "source", "tass", "deir source:tass"),
    ("deir source:rt source:tass", "source", "sana", "deir source:sana"),
    ('deir source:"al mayadeen"', "source", "al mayadeen", 'deir source:"al mayadeen"'),
    ("", "country", "SY", "country:SY"),
])
def test_with_filter_replaces_that_filter(query: str, key: str, value: str, expected: str) -> None:
    assert expected == render.with_filter(query, key, value)


def test_month_range_replaces_dates() -> None:
    assert "deir since:2026-01 until:2026-01" == render.month_range("deir since:7d until:2026-03-01", "2026-01")


def test_filters_query_and_bad_values() -> None:
    assert "source:tass country:RU since:7d" == render.filters_query({"source": "tass", "country": "RU",
                                                                       "since": "7d", "tag": ""})
    with pytest.raises(QueryError, match="cannot contain a double quote"):
        render.filters_query({"tag": 'a"b'})


@pytest.mark.parametrize("seconds, text", [(0, "first"), (59, "+1m"), (3600 + 300, "+1h 05m"),
                                           (86400 * 2 + 7200, "+2d 2h"), (None, "")])
def test_lag(seconds: float | None, text: str) -> None:
    assert text == render.lag(seconds)


def test_paragraphs() -> None:
    assert ["One line\nsecond line", "Two"] == render.paragraphs("  One   line \nsecond line\n\n \n\nTwo  ")


def test_chart_cache_reuses_and_evicts() -> None:
    from crosswire.web.charts import ChartCache

    drawn: list[str] = []

    def make(name: str):
        return lambda: drawn.append(name) or name.encode()

    cache = ChartCache(size=2)
    got = [cache.get(("a",), make("a")), cache.get(("b",), make("b")), cache.get(("a",), make("a2")),
           cache.get(("c",), make("c")), cache.get(("b",), make("b2"))]
    assert ([b"a", b"b", b"a", b"c", b"b2"], ["a", "b", "c", "b2"]) == (got, drawn)


def test_serve_binds_loopback_by_default_and_warns_otherwise(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: calls.append((host, port)))
    quiet = CliRunner().invoke(main, ["serve", "--db", str(db_path)])
    loud = CliRunner().invoke(main, ["serve", "--db", str(db_path), "--host", "0.0.0.0", "--port", "9000"])
    assert [("127.0.0.1", 8080), ("0.0.0.0", 9000)] == calls
    assert (0, "") == (quiet.exit_code, quiet.output)
    assert "warning: listening on 0.0.0.0, reachable from other machines; crosswire serve has no authentication\n" \
        == loud.output
