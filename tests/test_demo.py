"""`crosswire demo` and what it serves: crosswire/demo's frozen outlets equal the test web's, byte for byte."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from crosswire.demo import DemoWeb
from crosswire.demo.frozen import DATA_DIR, BASE, REFUSED
from crosswire.demo.server import etag_for
from demodata import EXPECTED_OUTPUT, isolated_env, normalise
from testweb import TestWeb, broken
from testweb.freeze import DEMO_OUTLETS, freeze

HTTPResult = tuple[int, dict[str, str], bytes]


def fetch(base_url: str, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> HTTPResult:
    """One request on a fresh connection: status, headers and body."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` by relative path, as a SHA-256 (a readable diff when the data drifts)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demoweb() -> Iterator[DemoWeb]:
    """The demo's outlets served from the shipped data."""
    with DemoWeb() as web:
        yield web


@pytest.fixture(scope="module")
def demo_testweb() -> Iterator[TestWeb]:
    """The test web's demo outlets, the slow page answering at once (DemoWeb's hold is tested on its own)."""
    with TestWeb(outlets=DEMO_OUTLETS, slow_seconds=0) as web:
        yield web


def test_shipped_data_is_exactly_a_fresh_freeze(tmp_path: Path) -> None:
    fresh = tmp_path / "data"
    freeze(fresh)
    assert digests(fresh) == digests(DATA_DIR), "crosswire/demo/data is stale: run python tests/testweb/freeze.py"


def test_demo_web_serves_what_the_test_web_serves(demoweb: DemoWeb, demo_testweb: TestWeb) -> None:
    assert demoweb.outlets == DEMO_OUTLETS
    refused = (demoweb.refused_url,
               demo_testweb.bad_urls("broken-outlet")["refused"].removesuffix(broken.BAD_ROUTES["refused"][0]))

    def comparable(result: HTTPResult, base_url: str, refused_url: str) -> tuple[int, str | None, str | None, bytes]:
        status, headers, body = result
        if status == 200:
            assert headers["ETag"] == etag_for(body)
        if "gzip" in headers.get("Content-Type", ""):
            body = gzip.decompress(body)
        body = body.replace(base_url.encode(), BASE.encode()).replace(refused_url.encode(), REFUSED.encode())
        return status, headers.get("Content-Type"), headers.get("Last-Modified"), body

    compared = 0
    for outlet in demoweb.frozen.outlets:
        bases = demoweb.base_url(outlet.name), demo_testweb.base_url(outlet.name)
        for path, route in [*outlet.routes.items(), ("/no/such/page.html", None)]:
            if route is not None and route.hold:
                continue   # test_held_answer_is_released_at_once_on_stop
            ours = comparable(fetch(bases[0], path), bases[0], refused[0])
            theirs = comparable(fetch(bases[1], path), bases[1], refused[1])
            assert ours == theirs, f"{outlet.name}{path}"
            compared += 1
    assert compared == 141 + 19     # every route but the held one, and one unknown path per outlet

    ours_sources = demoweb.sources_toml()
    for name in DEMO_OUTLETS:
        ours_sources = ours_sources.replace(demoweb.base_url(name), demo_testweb.base_url(name))
    assert ours_sources == demo_testweb.sources_toml()


def test_conditional_get_and_head(demoweb: DemoWeb) -> None:
    base = demoweb.base_url("levant-ledger")
    status, headers, body = fetch(base, "/feeds/world.xml")
    etag, modified = headers["ETag"], "Mon, 11 Mar 2024 07:40:00 GMT"
    assert (status, headers["Content-Type"], headers["Last-Modified"], headers["Content-Length"]) == (
        200, "application/rss+xml; charset=utf-8", modified, str(len(body)))
    not_modified = (304, {"ETag": etag, "Last-Modified": modified}, b"")
    for sent in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"},
                 {"If-Modified-Since": modified}, {"If-Modified-Since": "Tue, 12 Mar 2024 00:00:00 GMT"}):
        status, headers, got = fetch(base, "/feeds/world.xml", headers=sent)
        assert (status, {k: headers[k] for k in ("ETag", "Last-Modified")}, got) == not_modified, sent
        assert "Content-Length" not in headers
    for sent in ({"If-None-Match": '"other"'}, {"If-Modified-Since": "Sun, 10 Mar 2024 00:00:00 GMT"},
                 {"If-None-Match": '"other"', "If-Modified-Since": modified},   # If-None-Match wins
                 {"If-Modified-Since": "not a date"}):
        status, _, got = fetch(base, "/feeds/world.xml", headers=sent)
        assert (status, got) == (200, body), sent
    # The query string does not change the answer (feeds add tracking parameters to links).
    assert fetch(base, "/feeds/world.xml?utm_source=rss")[2] == body
    status, headers, got = fetch(base, "/feeds/world.xml", method="HEAD")
    assert (status, headers["ETag"], headers["Content-Length"], got) == (200, etag, str(len(body)), b"")
    status, headers, got = fetch(base, "/nowhere?<x>", method="GET")
    assert (status, headers["Content-Type"], got) == (404, "text/html; charset=utf-8", (
        b"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
        b"<body><h1>Not Found</h1><p>No page at /nowhere.</p></body></html>"))


def test_broken_outlet_misbehaves_as_declared(demoweb: DemoWeb) -> None:
    base = demoweb.base_url("broken-outlet")
    statuses = {kind: fetch(base, path)[0] for kind, (path, _) in broken.BAD_ROUTES.items()
                if kind not in ("slow", "refused")}
    assert statuses == {"server-error": 500, "not-found": 404, "pdf": 200, "binary-html": 200, "huge": 200}
    _, headers, body = fetch(base, broken.BAD_ROUTES["pdf"][0])
    assert (headers["Content-Type"], body) == ("application/pdf", broken.PDF_BYTES)
    _, headers, body = fetch(base, broken.BAD_ROUTES["binary-html"][0])
    assert (headers["Content-Type"], body) == ("text/html", broken.binary_bytes())
    _, headers, body = fetch(base, broken.BAD_ROUTES["huge"][0])
    _, _, article = fetch(base, "/news/2024/03/10/clinic-generator.html")
    assert body == broken.huge_page(article.decode("utf-8")) and len(body) > broken.HUGE_BYTES
    # The feed's "refused" link points at a port nothing listens on.
    feed = fetch(base, "/rss.xml")[2].decode("utf-8")
    refused = re.findall(r"<link>(http://[^<]*/news/unreachable\.html)</link>", feed)
    assert refused == [demoweb.refused_url + "/news/unreachable.html"]
    with pytest.raises(ConnectionRefusedError):
        fetch(demoweb.refused_url, "/news/unreachable.html")


def test_held_answer_is_released_at_once_on_stop() -> None:
    web = DemoWeb().start()
    base = web.base_url("broken-outlet")
    expected = fetch(base, "/news/2024/03/11/bridge-reopens.html")[2]   # the slow page is that article's page
    results: list[HTTPResult] = []
    client = threading.Thread(target=lambda: results.append(fetch(base, broken.BAD_ROUTES["slow"][0])))
    client.start()
    assert web.wait_holding(1, timeout=10)
    assert web.frozen.hold_seconds == 60.0
    stopper = threading.Thread(target=web.stop)
    stopper.start()
    # Guards, not measurements: a stop() that waited for the held answer would still be running after 30 s.
    stopper.join(timeout=30)
    client.join(timeout=30)
    assert (False, False) == (stopper.is_alive(), client.is_alive())
    assert [(status, body) for status, _, body in results] == [(200, expected)]


def test_demo_command_prints_the_readme_output(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = subprocess.run([sys.executable, "-m", "crosswire", "demo", "--db", str(db)], cwd=tmp_path,
                            env=isolated_env(tmp_path / "home"), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert normalise(result.stdout) == EXPECTED_OUTPUT.format(db=db)
