"""Datasette opens a crawled crosswire database and its full-text search finds the right articles."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from crawling import crawl
from testweb import TestWeb

OUTLETS = ["gulf-wire", "al-mirsad", "vestnik-frontira"]   # English, Arabic, Russian
DATASETTE = shutil.which("datasette", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(DATASETTE is None, reason="datasette not installed (pip install -e .[test])")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def web() -> Iterator[TestWeb]:
    with TestWeb(outlets=OUTLETS) as web:
        yield web


@pytest.fixture(scope="module")
def datasette(web: TestWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real crawl of the test web into a database, served by `datasette serve`: its base URL."""
    tmp = tmp_path_factory.mktemp("datasette")
    db, sources = tmp / "news.db", tmp / "sources.toml"
    sources.write_text(web.sources_toml(OUTLETS))
    crawled = crawl(db, sources, "--all")
    assert 0 == crawled.returncode, crawled.stderr[-2000:]
    port = free_port()
    log = tmp / "datasette.log"
    with log.open("wb") as log_file:   # a file, not a pipe: a chatty server can never block on a full pipe
        server = subprocess.Popen([DATASETTE, "serve", str(db), "--port", str(port), "--host", "127.0.0.1"],
                                  stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:   # wait until it answers; the test asserts nothing about how long that takes
            try:
                get_json(base + "/-/versions.json")
                break
            except OSError:
                assert server.poll() is None, log.read_text(errors="replace")[-2000:]
                assert time.monotonic() < deadline, "datasette did not start"
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def expected_titles(web: TestWeb, word: str) -> list[str]:
    """Titles of the test web's articles that contain `word` as a whole word in title, lede or text."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return sorted(a["title"] for outlet in OUTLETS for a in web.articles(outlet)
                  if pattern.search(" ".join(filter(None, (a["title"], a["lede"], a["text"])))))


@pytest.mark.parametrize("word", ["water", "crossing", "المياه", "воду"])
def test_full_text_search_through_datasette(datasette: str, web: TestWeb, word: str) -> None:
    url = f"{datasette}/news/articles.json?" + urllib.parse.urlencode(
        {"_search": word, "_shape": "array", "_col": "title", "_size": "100"})
    found = sorted(row["title"] for row in get_json(url))
    expected = expected_titles(web, word)
    assert expected and expected == found


def test_datasette_sees_the_fts_table_and_readable_tables(datasette: str) -> None:
    tables = {t["name"]: t for t in get_json(f"{datasette}/news.json")["tables"]}
    assert ("articles_fts", False, True) == (tables["articles"]["fts_table"], tables["articles"]["hidden"],
                                             tables["articles_fts"]["hidden"])
    assert {"sources", "feeds", "articles", "sightings", "runs"} <= {n for n, t in tables.items() if not t["hidden"]}
