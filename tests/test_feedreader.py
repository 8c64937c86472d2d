"""A real feed reader (newsboat, from Debian) reads an exported Atom feed served on loopback."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from crosswire.core.article import Article
from crosswire.exports.static import write_static
from searchdata import build_archive
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.saved import add_search

NEWSBOAT = shutil.which("newsboat")
pytestmark = pytest.mark.skipif(NEWSBOAT is None, reason="newsboat not installed (apt-get install newsboat)")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on a free loopback port: (directory, base URL)."""
    site = tmp_path / "site"
    site.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def newsboat_items(tmp_path: Path, url: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Run newsboat headless (reload, then print-unread); return its output and the cached (guid, title, author)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (tmp_path / "urls").write_text(url + "\n")
    (tmp_path / "config").write_text("")
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share")}
    proc = subprocess.run([NEWSBOAT, "-u", str(tmp_path / "urls"), "-c", str(tmp_path / "cache.db"),
                           "-C", str(tmp_path / "config"), "-x", "reload", "print-unread"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert 0 == proc.returncode, proc.stderr
    with sqlite3.connect(tmp_path / "cache.db") as cache:
        rows = cache.execute("select guid, title, author from rss_item order by pubDate desc, guid").fetchall()
    return proc.stdout, rows


def test_newsboat_reads_exported_atom_and_ids_stay_stable(tmp_path: Path, served: tuple[Path, str]) -> None:
    site, base_url = served
    db = build_archive(open_db(memory=True))
    add_search(db, "deir", "deir OR дейр* OR دير")
    write_static(db, site, base_url=base_url)
    url = base_url + "searches/deir.atom"

    out, items = newsboat_items(tmp_path, url)
    assert "4 unread articles\n" == out
    assert [
        ("https://levantdaily.example/news/ghara-dayr", "غارات جوية على مستودع وقود قرب دير الزور", ""),
        ("https://volgaherald.example/news/udary-po-skladu", "Удары по складу топлива под Дейр-эз-Зором",
         "Ирина Лебедева"),
        ("https://harborpost.example/world/aid-convoy-hasakah", "Aid convoy reaches Hasakah after week of delays",
         "Tom Reyes, Aisha Bar"),
        ("https://northwind.example/2026/01/14/depot", "Drone strikes hit fuel depot near Deir Ezzor", "Mara Quill"),
    ] == items

    # The next cron export adds one article: the reader sees exactly one new item, no duplicates.
    store_article(db, Article(url="https://northwind.example/2026/02/06/deir-bridge", title="Deir Ezzor bridge reopens",
                              text="The bridge over the river in Deir Ezzor reopened to traffic."),
                  source="northwind-wire")
    write_static(db, site, base_url=base_url)
    out, items = newsboat_items(tmp_path, url)
    assert ("5 unread articles\n", 5) == (out, len(items))
    assert "https://northwind.example/2026/02/06/deir-bridge" in [guid for guid, _, _ in items]
