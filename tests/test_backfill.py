"""`crosswire crawl --since DATE`: sitemaps and listing pagination walked back to a date, and no further."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testweb import TestWeb
from testweb.outlets_discovery import LISTING_PATH
from crawling import crawl
from discoverydata import requested, stored, truth, write_sources


@pytest.fixture(scope="module")
def web():
    with TestWeb(["harbinger-review", "cedar-post"]) as web:
        yield web


def test_listing_backfill_stops_at_the_page_that_reaches_past_the_date(web: TestWeb, tmp_path: Path):
    sources, db = write_sources(web, tmp_path, ["harbinger-review"]), tmp_path / "db.sqlite"
    web.clear_log()
    result = crawl(db, sources, "--since", "2024-02-15")
    assert 0 == result.returncode, result.stderr
    wanted = [a for a in truth(web, "harbinger-review") if a[2] >= "2024-02-15"]
    assert 4 == len(wanted)
    assert wanted == stored(db)
    # Page 2 holds a post from 13 February: the backfill is done there, page 3 is never read.
    assert sorted([LISTING_PATH, f"{LISTING_PATH}page/2/"] + [p for p, _, _ in wanted]) == requested(web, "harbinger-review")
    assert "skipped 2 older than --since or the last crawl" in result.stdout


def test_backfill_reads_past_known_pages(web: TestWeb, tmp_path: Path):
    """A routine crawl stops at known pages; --since keeps walking back for what is missing."""
    sources, db = write_sources(web, tmp_path, ["harbinger-review"]), tmp_path / "db.sqlite"
    assert 0 == crawl(db, sources, "--since", "2024-03-01").returncode
    assert 2 == len(stored(db))
    web.clear_log()
    result = crawl(db, sources, "--since", "2024-01-01")
    assert 0 == result.returncode, result.stderr
    assert truth(web, "harbinger-review") == stored(db)
    assert sorted(LISTING_PATH + p for p in ("", "page/2/", "page/3/")) == sorted(
        p for p in requested(web, "harbinger-review") if p.startswith(LISTING_PATH))


def test_sitemap_backfill_skips_child_sitemaps_older_than_the_date(web: TestWeb, tmp_path: Path):
    sources, db = write_sources(web, tmp_path, ["cedar-post"]), tmp_path / "db.sqlite"
    web.clear_log()
    result = crawl(db, sources, "--since", "2024-03-01")
    assert 0 == result.returncode, result.stderr
    march = [a for a in truth(web, "cedar-post") if a[2] >= "2024-03-01"]
    assert march == stored(db)
    # The February sitemap's lastmod predates the date: it is not fetched.
    assert sorted(["/sitemap_index.xml", "/sitemaps/2024-03.xml.gz"] + [p for p, _, _ in march]) == requested(web, "cedar-post")


def test_bad_since_is_one_line(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "crosswire", "crawl", "--db", str(tmp_path / "d.sqlite"),
                             "--since", "last tuesday"], capture_output=True, text=True)
    assert 2 == result.returncode
    assert "Error: Invalid value for --since: expected a date like 2024-03-01, got 'last tuesday'" in result.stderr
