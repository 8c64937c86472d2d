"""What a newcomer meets first: a crawl with no network says what happened and where to look; a bad -s value is
one line before anything starts; a second demo into the same archive adds nothing; the progress line adds up."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from crawling import crawl
from demodata import isolated_env

from crosswire.core import exitcodes
from crosswire.crawlers.progress import progress_line

# `.invalid` names fail at once, without a network query (RFC 6761; crosswire's resolver knows): what a
# machine without network sees for every feed.
OFFLINE_SOURCES = '''\
[[source]]
name = "first-outlet"
homepage = "https://first.invalid/"
feeds = ["https://first.invalid/rss.xml", "https://first.invalid/atom.xml"]

[[source]]
name = "second-outlet"
homepage = "https://second.invalid/"
feeds = ["https://second.invalid/feed.json"]
'''


def test_a_crawl_where_every_feed_fails_says_what_happened_and_where_the_archive_is(tmp_path: Path) -> None:
    sources, db = tmp_path / "sources.toml", tmp_path / "war.db"
    sources.write_text(OFFLINE_SOURCES, encoding="utf-8")
    done = crawl(db, sources)
    assert exitcodes.PARTIAL == done.returncode, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("3 feeds checked (0 not modified), 0 new articles, 0 duplicates, 0 already stored, "
                            "3 errors in ")
    assert f"all 3 feeds failed (DNS lookup failed) — no network? See `crosswire status --db {db}`." == second
    quiet = crawl(db, sources, "--quiet", "--all")
    assert ("", exitcodes.PARTIAL) == (quiet.stdout, quiet.returncode)
    [line] = quiet.stderr.splitlines()
    assert line.endswith(f"; all 3 feeds failed (DNS lookup failed) — no network? See `crosswire status --db {db}`.")


@pytest.mark.parametrize("setting, expected", [
    ("DOWNLOAD_DELAY=abc", "Error: -s DOWNLOAD_DELAY=abc: expected a number"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN=-1", "Error: -s CONCURRENT_REQUESTS_PER_DOMAIN=-1: expected a whole number >= 1"),
    ("CONCURRENT_REQUESTS=2.5", "Error: -s CONCURRENT_REQUESTS=2.5: expected a whole number"),
    ("DOWNLOAD_TIMEOUT=0", "Error: -s DOWNLOAD_TIMEOUT=0: expected a number > 0"),
    ("ROBOTSTXT_OBEY=maybe", "Error: -s ROBOTSTXT_OBEY=maybe: expected true or false"),
    ("CROSSWIRE_NOW=yesterday", "Error: -s CROSSWIRE_NOW=yesterday: expected an ISO 8601 time like "
                                "2026-03-01T06:00:00+00:00"),
    ("DOWNLOAD_DELAY", "Error: -s 'DOWNLOAD_DELAY': expected NAME=VALUE, e.g. -s DOWNLOAD_DELAY=2"),
])
def test_a_bad_setting_is_one_line_and_nothing_starts(tmp_path: Path, setting: str, expected: str) -> None:
    sources, db = tmp_path / "sources.toml", tmp_path / "war.db"
    sources.write_text(OFFLINE_SOURCES, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crosswire", "crawl", "--db", str(db), "--sources", str(sources),
                           "-s", setting], capture_output=True, text=True, timeout=60, check=False)
    assert (exitcodes.USAGE, "", [expected]) == (done.returncode, done.stdout, done.stderr.splitlines())
    assert ["sources.toml"] == sorted(p.name for p in tmp_path.iterdir())   # no archive, no lock file


def test_a_second_demo_into_the_same_archive_adds_nothing(tmp_path: Path) -> None:
    # Its own file name: the demo picks its ports by name, and the README test serves a "demo.db" meanwhile.
    db = tmp_path / "second-demo.db"
    command = [sys.executable, "-m", "crosswire", "demo", "--db", str(db)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=180, env=isolated_env(tmp_path),
                           check=False)
    assert 0 == first.returncode, first.stderr
    second = subprocess.run(command, capture_output=True, text=True, timeout=180, env=isolated_env(tmp_path),
                            check=False)
    assert 0 == second.returncode, second.stderr
    feeds = int(first.stdout.splitlines()[1].split(" feeds checked")[0])
    stored = first.stdout.splitlines()[3]
    assert stored.startswith(tuple(f"{n} articles in {db}" for n in range(40, 200)))
    with sqlite3.connect(db) as con:
        [first_status] = con.execute("select status from runs order by id limit 1").fetchone()
    con.close()
    if first_status not in ("ok", "partial"):
        # On a loaded machine the archive may refuse some of the first run's writes (status failed), or the run
        # may not record its end: the second then reads every feed in full, as after any run that lost articles.
        assert second.stdout.splitlines()[1].startswith(f"{feeds} feeds checked (0 not modified), ")
        return
    # The same outlets on the same ports: every feed was just read, nothing is new.
    assert second.stdout.splitlines()[1].startswith(
        f"0 feeds checked (0 not modified, {feeds} not due), 0 new articles, 0 duplicates, ")
    assert stored == second.stdout.splitlines()[3]


def test_the_progress_line_counts_pages_fetched_and_waiting() -> None:
    stats = {"crosswire/feeds_checked": 2, "response_received_count": 4, "scheduler/enqueued": 3,
             "scheduler/dequeued": 3, "crosswire/articles_new": 1, "crosswire/errors": 1}
    assert ("[bold]crawling[/] feeds 2 · pages 4 fetched, 0 waiting · new 1 · duplicates 0 · errors 1"
            == progress_line(stats))
    assert "pages 4 fetched, 5 waiting" in progress_line({**stats, "scheduler/enqueued": 8})
