"""The local test web serves what its ground truth says, with working HTTP caching and a request log."""

from __future__ import annotations

import html
import json
import tomllib
import urllib.error
import urllib.request

import feedparser
import pytest

from testweb import TestWeb
from testweb.site import Request, Response, conditional


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET a loopback URL; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def test_levant_ledger_feeds_list_articles_once_with_tracking_copy(testweb: TestWeb) -> None:
    base = testweb.base_url("levant-ledger")
    world = feedparser.parse(fetch(base + "/feeds/world.xml")[2])
    middle_east = feedparser.parse(fetch(base + "/feeds/middle-east.xml")[2])
    truth = {a["path"]: a for a in testweb.articles("levant-ledger")}

    assert ("rss20", False) == (world.version, world.bozo)
    assert [
        "Shelling cuts water to 200,000 in eastern Syria as truce talks stall",
        "UN aid convoy crosses into northern Aleppo after three-week standoff",
        "Insurers raise war-risk premiums for Black Sea grain ships after drone strike",
        "Prisoner exchange talks resume in Geneva with Red Cross mediation",
    ] == [e.title for e in world.entries]
    assert sorted(base + p for p in truth) == sorted(e.link for e in world.entries)
    assert [
        base + "/world/middle-east/2024/mar/11/deir-ezzor-water-station-shelling?utm_source=rss&utm_medium=feed",
        base + "/world/middle-east/2024/mar/10/aleppo-aid-convoy-crossing?utm_source=rss&utm_medium=feed",
    ] == [e.link for e in middle_east.entries]
    shelling = truth["/world/middle-east/2024/mar/11/deir-ezzor-water-station-shelling"]
    assert [shelling["url"], shelling["url"] + "?utm_source=rss&utm_medium=feed"] == shelling["feed_links"]
    assert ["Hannah Whitcombe"] == [a.name for a in world.entries[0].authors]


def test_northern_dispatch_atom_matches_ground_truth(testweb: TestWeb) -> None:
    parsed = feedparser.parse(fetch(testweb.base_url("northern-dispatch") + "/atom.xml")[2])
    truth = testweb.articles("northern-dispatch")
    assert ("atom10", False) == (parsed.version, parsed.bozo)
    assert [(a["url"], a["title"], a["published"]) for a in truth] == [
        (e.link, e.title, e.published.replace("Z", "+00:00")) for e in parsed.entries]
    assert "2024-03-10T21:10:00+00:00" == truth[1]["modified"] == parsed.entries[1].updated


def test_gulf_wire_json_feed_carries_full_text(testweb: TestWeb) -> None:
    status, headers, body = fetch(testweb.base_url("gulf-wire") + "/feed.json")
    feed = json.loads(body)
    truth = testweb.articles("gulf-wire")
    assert (200, "application/feed+json; charset=utf-8") == (status, headers["Content-Type"])
    assert "https://jsonfeed.org/version/1.1" == feed["version"]
    assert [(a["url"], a["title"], [{"name": n} for n in a["authors"]]) for a in truth] == [
        (i["url"], i["title"], i["authors"]) for i in feed["items"]]
    assert "".join(f"<p>{html.escape(p)}</p>" for p in truth[1]["paragraphs"]) == feed["items"][1]["content_html"]


def test_article_page_contains_every_paragraph_and_metadata(testweb: TestWeb) -> None:
    article = testweb.articles("levant-ledger")[2]
    status, headers, body = fetch(article["url"])
    page = body.decode("utf-8")
    assert (200, "text/html; charset=utf-8") == (status, headers["Content-Type"])
    assert all(f"<p>{html.escape(p)}</p>" in page for p in article["paragraphs"])
    assert '"@type": "NewsArticle"' in page and '"datePublished": "2024-03-10T09:15:00+00:00"' in page
    assert "Sun, 10 Mar 2024 09:15:00 GMT" == headers["Last-Modified"]


@pytest.mark.parametrize("validator", ["If-None-Match", "If-Modified-Since"])
def test_conditional_get_returns_304_and_is_logged(testweb: TestWeb, validator: str) -> None:
    url = testweb.base_url("northern-dispatch") + "/atom.xml"
    first_status, headers, _ = fetch(url)
    value = headers["ETag"] if validator == "If-None-Match" else headers["Last-Modified"]
    second_status, second_headers, body = fetch(url, {validator: value})
    assert (200, 304, b"") == (first_status, second_status, body)
    assert headers["ETag"] == second_headers["ETag"]
    log = testweb.requests
    assert [("northern-dispatch", "GET", "/atom.xml", 200), ("northern-dispatch", "GET", "/atom.xml", 304)] == [
        (r.outlet, r.method, r.path, r.status) for r in log]
    assert value == log[1].headers[validator]


def test_stale_validators_get_the_full_body() -> None:
    response = Response(200, {"Last-Modified": "Mon, 11 Mar 2024 07:40:00 GMT"}, b"body")
    stale_tag = conditional(Request("GET", "/", "", {"If-None-Match": '"other"'}), response)
    older = conditional(Request("GET", "/", "", {"If-Modified-Since": "Sun, 10 Mar 2024 07:40:00 GMT"}), response)
    assert (200, b"body") == (stale_tag.status, stale_tag.body)
    assert (200, b"body") == (older.status, older.body)


def test_unknown_path_is_404_html_and_query_is_logged(testweb: TestWeb) -> None:
    status, headers, body = fetch(testweb.base_url("gulf-wire") + "/no/such/page?x=1")
    assert (404, "text/html; charset=utf-8") == (status, headers["Content-Type"])
    assert b"Not Found" in body
    assert [("gulf-wire", "/no/such/page?x=1", 404)] == [(r.outlet, r.path, r.status) for r in testweb.requests]


def test_robots_txt_allows_everything_and_lists_sitemaps(testweb: TestWeb) -> None:
    site = testweb.site("gulf-wire")
    assert b"User-agent: *\nDisallow:\n" == fetch(site.url("/robots.txt"))[2]
    site.sitemaps.append("/sitemap.xml")
    try:
        body = fetch(site.url("/robots.txt"))[2].decode()
    finally:
        site.sitemaps.remove("/sitemap.xml")
    assert f"User-agent: *\nDisallow:\nSitemap: {site.url('/sitemap.xml')}\n" == body


def test_sources_toml_is_valid_and_points_at_running_outlets(testweb: TestWeb) -> None:
    sources = tomllib.loads(testweb.sources_toml(["levant-ledger", "gulf-wire"]))["source"]
    ledger = testweb.base_url("levant-ledger")
    assert {
        "name": "levant-ledger", "homepage": ledger + "/",
        "feeds": [ledger + "/feeds/world.xml", ledger + "/feeds/middle-east.xml"],
        "language": "en", "country": "GB", "tags": ["western", "daily"],
    } == sources[0]
    assert ["levant-ledger", "gulf-wire"] == [s["name"] for s in sources]
    every = tomllib.loads(testweb.sources_toml())["source"]
    assert testweb.outlets == [s["name"] for s in every]


def test_separate_instances_use_separate_ports() -> None:
    with TestWeb(["gulf-wire"]) as one, TestWeb(["gulf-wire"]) as two:
        assert one.base_url("gulf-wire") != two.base_url("gulf-wire")
        assert 200 == fetch(two.base_url("gulf-wire") + "/feed.json")[0]
        assert [] == one.requests


def test_archive_serves_every_saved_page_and_lists_it(testweb: TestWeb, real_pages_dir) -> None:
    import gzip

    truth = json.loads((real_pages_dir / "ground-truth.json").read_text(encoding="utf-8"))
    parsed = feedparser.parse(fetch(testweb.base_url("archive") + "/feed.xml")[2])
    links = [e.link for e in parsed.entries]
    assert 40 == len(truth) == len(links) == len(testweb.real_pages)
    assert sorted(testweb.real_pages) == sorted(links)
    for url in links:
        page_id = testweb.real_pages[url]
        status, _, body = fetch(url)
        assert (200, gzip.decompress((real_pages_dir / "html" / f"{page_id}.html.gz").read_bytes())) == (status, body)
    assert {a["id"]: a["text"] for a in testweb.articles("archive")} == {k: v["articleBody"] for k, v in truth.items()}


def test_archive_copies_multiply_the_pages(real_pages_dir) -> None:
    with TestWeb(["archive"], real_pages_dir=real_pages_dir, real_pages_copies=3) as web:
        parsed = feedparser.parse(fetch(web.base_url("archive") + "/feed.xml")[2])
        some_id = sorted(web.real_pages.values())[0]
        base = web.base_url("archive")
        assert 120 == len(parsed.entries) == len(set(e.link for e in parsed.entries)) == len(web.real_pages)
        assert {f"{base}/articles/{some_id}.html", f"{base}/c2/articles/{some_id}.html",
                f"{base}/c3/articles/{some_id}.html"} == {u for u, i in web.real_pages.items() if i == some_id}
        assert fetch(f"{base}/articles/{some_id}.html")[2] == fetch(f"{base}/c3/articles/{some_id}.html")[2]


def test_archive_count_serves_that_many_pages_in_copy_order(real_pages_dir) -> None:
    with TestWeb(["archive"], real_pages_dir=real_pages_dir, real_pages_count=43) as web:
        parsed = feedparser.parse(fetch(web.base_url("archive") + "/feed.xml")[2])
        base = web.base_url("archive")
        first_ids = sorted(set(web.real_pages.values()))[:3]
        assert 43 == len(parsed.entries) == len(web.real_pages)
        assert [f"{base}/c2/articles/{page_id}.html" for page_id in first_ids] == sorted(
            u for u in web.real_pages if "/c2/" in u)
        assert 404 == fetch(f"{base}/c2/articles/{sorted(web.real_pages.values())[-1]}.html")[0]


CONTENT_OUTLETS = ["levant-ledger", "northern-dispatch", "gulf-wire", "al-mirsad", "vestnik-frontira",
                   "frontline-review", "broken-outlet"]


@pytest.mark.parametrize("outlet", CONTENT_OUTLETS)
def test_every_article_page_shows_its_ground_truth(testweb: TestWeb, outlet: str) -> None:
    truth = testweb.articles(outlet)
    encoding = "windows-1251" if outlet == "vestnik-frontira" else "utf-8"
    assert 3 <= len(truth)
    for article in truth:
        status, headers, body = fetch(article["url"])
        page = body.decode(encoding)
        assert 200 == status
        assert 3 <= len(article["paragraphs"]) <= 8
        assert all(f"<p>{html.escape(p)}</p>" in page for p in article["paragraphs"]), article["url"]
        assert f">{html.escape(article['title'])}</h1>" in page
        assert article["text"] == "\n\n".join(article["paragraphs"])


def test_al_mirsad_rss10_is_arabic_and_right_to_left(testweb: TestWeb) -> None:
    parsed = feedparser.parse(fetch(testweb.base_url("al-mirsad") + "/rss.rdf")[2])
    truth = testweb.articles("al-mirsad")
    assert ("rss10", False) == (parsed.version, parsed.bozo)
    assert [(a["url"], a["title"], a["authors"][0]) for a in truth] == [
        (e.link, e.title, e.author) for e in parsed.entries]
    page = fetch(truth[0]["url"])[2].decode("utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<meta property="article:published_time" content="2024-03-11T09:30:00+02:00">' in page


def test_vestnik_serves_windows_1251_without_declaring_it(testweb: TestWeb) -> None:
    base = testweb.base_url("vestnik-frontira")
    status, headers, body = fetch(base + "/rss/news.xml")
    parsed = feedparser.parse(body)
    truth = testweb.articles("vestnik-frontira")
    assert ("rss091u", False, "windows-1251") == (parsed.version, parsed.bozo, parsed.encoding)
    assert [(a["url"], a["title"]) for a in truth] == [(e.link, e.title) for e in parsed.entries]
    assert [False, False, False] == ["published" in e for e in parsed.entries]   # RSS 0.91 has no dates
    page_status, page_headers, page = fetch(truth[0]["url"])
    assert (200, "text/html") == (page_status, page_headers["Content-Type"])
    assert b"charset" not in page.lower()
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    assert truth[0]["paragraphs"][0] in page.decode("windows-1251")


def test_frontline_review_listing_has_headline_and_lede_per_article(testweb: TestWeb) -> None:
    from bs4 import BeautifulSoup

    base = testweb.base_url("frontline-review")
    soup = BeautifulSoup(fetch(base + "/syrian-conflict/")[2], "lxml")
    truth = testweb.articles("frontline-review")
    posts = soup.select("article.post")
    assert [(a["title"], a["url"]) for a in truth] == [
        (p.select_one("h2 a").get_text(), p.select_one("h2 a")["href"]) for p in posts]
    assert [truth[1]["paragraphs"][:2]] == [[q.get_text() for q in posts[1].select(".entry-summary p")]]
    assert 6 == len(feedparser.parse(fetch(base + "/feed/")[2]).entries)


def test_broken_feed_is_bozo_but_yields_its_entries(testweb: TestWeb) -> None:
    parsed = feedparser.parse(fetch(testweb.base_url("broken-outlet") + "/rss.xml")[2])
    truth = testweb.articles("broken-outlet")
    bad = testweb.bad_urls()
    assert 1 == parsed.bozo
    assert [truth[0]["url"], truth[1]["url"], *bad.values(), truth[2]["url"]] == [
        e.get("link") for e in parsed.entries[:10]]
    assert [truth[0]["title"], truth[1]["title"]] == [e.title for e in parsed.entries[:2]]
    hostile = feedparser.parse(fetch(testweb.base_url("broken-outlet") + "/hostile.xml")[2])
    assert (False, list(bad.values())) == (hostile.bozo, [e.link for e in hostile.entries])


def test_bad_routes_misbehave_as_documented(testweb: TestWeb) -> None:
    from testweb.broken import PDF_BYTES, binary_bytes

    bad = testweb.bad_urls()
    assert 500 == fetch(bad["server-error"])[0]
    assert 404 == fetch(bad["not-found"])[0]
    assert (200, "application/pdf", PDF_BYTES) == (lambda r: (r[0], r[1]["Content-Type"], r[2]))(fetch(bad["pdf"]))
    assert (200, "text/html", binary_bytes()) == (lambda r: (r[0], r[1]["Content-Type"], r[2]))(fetch(bad["binary-html"]))
    huge = fetch(bad["huge"])[2]
    assert len(huge) > 3_000_000 and huge.endswith(b"</html>\n")
    with pytest.raises(urllib.error.URLError) as refused:
        fetch(bad["refused"])
    assert isinstance(refused.value.reason, ConnectionRefusedError)
    assert ["/news/server-error.html", "/news/removed.html", "/files/report.pdf", "/news/garbled.html",
            "/news/huge.html"] == [r.path for r in testweb.requests]


def test_slow_page_waits_for_the_configured_delay_or_the_release() -> None:
    with TestWeb(["broken-outlet"], slow_seconds=3600) as web:
        web.release.set()      # what stop() does: a sleeping handler returns at once
        status, _, body = fetch(web.bad_urls()["slow"])
        assert (200, True) == (status, b"Bridge over the Orontes" in body)
    with TestWeb(["broken-outlet"], slow_seconds=0) as web:
        assert 200 == fetch(web.bad_urls()["slow"])[0]


def test_routes_can_be_added_at_run_time_and_handler_bugs_become_500(testweb: TestWeb) -> None:
    from testweb.server import DropConnection
    from testweb.site import make_response

    site = testweb.site("levant-ledger")

    def crash(request: Request) -> Response:
        raise RuntimeError("bug in a handler")

    def hang_up(request: Request) -> Response:
        raise DropConnection

    site.add("/extra.txt", lambda request: make_response(f"query={request.query}", "text/plain"))
    site.add("/crash", crash)
    site.add("/hang-up", hang_up)
    try:
        assert (200, b"query=a=1") == fetch(site.url("/extra.txt?a=1"))[::2]
        assert 500 == fetch(site.url("/crash"))[0]
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            fetch(site.url("/hang-up"))
    finally:
        for path in ("/extra.txt", "/crash", "/hang-up"):
            del site.routes[path]
    assert [200, 500, 0] == [r.status for r in testweb.requests]


def test_a_client_hanging_up_mid_body_is_not_reported(capfd: pytest.CaptureFixture[str]) -> None:
    import socket
    from urllib.parse import urlsplit

    with TestWeb(["broken-outlet"]) as web:
        url = urlsplit(web.bad_urls()["huge"])
        with socket.create_connection((url.hostname, url.port)) as sock:
            sock.sendall(f"GET {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
            assert b"HTTP/1.1 200" == sock.recv(12)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    assert "Exception occurred" not in capfd.readouterr().err


def test_unknown_outlet_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown test web outlet\(s\) \['nowhere-news'\]"):
        TestWeb(["nowhere-news"])
    with pytest.raises(ValueError, match="the archive outlet needs real_pages_dir"):
        TestWeb(["archive"])
