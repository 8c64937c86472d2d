"""Stops and faults lose nothing: a SIGTERM or SIGINT at several points of a crawl, another program holding the
archive's write lock, a full disk. After each, the next ordinary crawl (no --all) stores exactly the
articles the test web serves: an entry point's state advances only once its articles are stored.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from crawling import SLOW_SETTINGS, crawl, crawl_command
from test_killsafety import article_count, query, running_runs, wait_for
from testweb import TestWeb

from crosswire.core import exitcodes
from crosswire.identity.urls import canonical_url
from crosswire.storage.db import is_locked, open_db, writing

OUTLETS = ["levant-ledger", "northern-dispatch", "gulf-wire", "al-mirsad", "vestnik-frontira", "frontline-review"]


@pytest.fixture(scope="module")
def web():
    with TestWeb(outlets=OUTLETS) as web:
        yield web


@pytest.fixture(scope="module")
def served(web) -> set[str]:
    """Every article the test web serves, as crosswire stores its URL."""
    return {canonical_url(a["url"]) for outlet in OUTLETS for a in web.articles(outlet)}


def stored(db: Path) -> set[str]:
    return {url for (url,) in query(db, "select url from articles")}


def runs(db: Path) -> list[str]:
    return [status for (status,) in query(db, "select status from runs order by id")]


# (what, which signals, the moment they are sent: a test of the archive and how many articles the web serves)
STOPS = [
    ("SIGTERM before the first article", [signal.SIGTERM], lambda db, served: running_runs(db) > 0),
    ("SIGTERM after the first article", [signal.SIGTERM], lambda db, served: article_count(db) >= 1),
    ("SIGINT halfway", [signal.SIGINT], lambda db, served: article_count(db) >= served // 2),
    ("two SIGTERMs (a forced stop) after five articles", [signal.SIGTERM, signal.SIGTERM],
     lambda db, served: article_count(db) >= 5),
]


@pytest.mark.parametrize("what, signals, moment", STOPS, ids=[s[0] for s in STOPS])
def test_a_stopped_crawl_is_interrupted_and_the_next_crawl_stores_the_rest(web, served, tmp_path, what, signals,
                                                                            moment):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    process = subprocess.Popen(crawl_command(db, sources, settings=SLOW_SETTINGS), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: moment(db, len(served)), process, what)
        for signum in signals:
            os.kill(process.pid, signum)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert exitcodes.INTERRUPTED == process.returncode, err
    assert "stopped by a signal" in out, out
    assert ["interrupted"] == runs(db)
    assert stored(db) < served, "the crawl was meant to stop before it had everything"
    # The next ordinary crawl: every feed that still had articles to fetch is due, read in full, and asked again.
    follow_up = crawl(db, sources)
    assert (exitcodes.OK, "") == (follow_up.returncode, follow_up.stderr), follow_up.stdout
    assert served == stored(db)
    assert [] == query(db, "select url, count(*) from articles group by url having count(*) > 1")
    assert ["interrupted", "ok"] == runs(db)


def test_a_writer_holding_the_archive_makes_the_crawl_fail_loudly_and_lose_nothing(web, served, tmp_path):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    short_wait = {**SLOW_SETTINGS, "CROSSWIRE_BUSY_TIMEOUT": "0.2"}
    process = subprocess.Popen(crawl_command(db, sources, "--quiet", settings=short_wait), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    holder = sqlite3.connect(db, timeout=60, isolation_level=None)
    try:
        wait_for(lambda: article_count(db) >= 3, process, "three articles")
        holder.execute("BEGIN IMMEDIATE")      # what `stories recluster` or a long import does to a crawl
        out, err = process.communicate(timeout=120)
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        if process.poll() is None:
            process.kill()
    assert (exitcodes.ERROR, "") == (process.returncode, out)
    # --quiet still says it, on stderr, in one line: how many writes failed and why, and that the rest is due.
    [line] = err.splitlines()
    assert "writes failed (database is locked)" in line and line.endswith("(see `crosswire status`)"), line
    follow_up = crawl(db, sources)
    assert (exitcodes.OK, "") == (follow_up.returncode, follow_up.stderr), follow_up.stdout
    assert served == stored(db)


TMPFS_SIZE = "500k"     # an empty archive and a few articles fit, the whole test web does not


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"mounting a small tmpfs needs root (CI runs as root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_crawl_with_one_line_and_loses_nothing(web, served, small_disk, tmp_path):
    db, sources = small_disk / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    open_db(tmp_path / "empty.db").close()      # made where there is room: the crawl itself meets the full disk
    shutil.copy(tmp_path / "empty.db", db)
    full = crawl(db, sources, "--quiet")
    assert (exitcodes.ERROR, "") == (full.returncode, full.stdout), full.stderr
    [line] = full.stderr.splitlines()
    assert "stopped: the archive's disk is full" in line and "database or disk is full" in line, line
    assert [("ok",)] == query(db, "PRAGMA integrity_check")
    assert stored(db) < served
    # Room again: the next ordinary crawl stores exactly what was missing.
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    follow_up = crawl(db, sources)
    assert (exitcodes.OK, "") == (follow_up.returncode, follow_up.stderr), follow_up.stdout
    assert served == stored(db)


def test_after_a_run_the_archive_refused_the_next_crawl_reads_everything(web, served, tmp_path):
    """A run the archive refused part-way (a full disk that let a feed's small update through but not its
    articles) may have scheduled a feed whose articles it lost: the next ordinary crawl reads every entry point in
    full, as after a dead run."""
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    assert 0 == crawl(db, sources, "--quiet").returncode
    lost = sorted(served)[:2]
    with sqlite3.connect(db) as con:       # what the refused run leaves: two articles missing, their feeds not due
        for url in lost:
            con.execute("delete from article_urls where article_id = (select id from articles where url = ?)", [url])
            con.execute("delete from articles where url = ?", [url])
        con.execute("update feeds set etag = null, last_modified = null")
        con.execute("update runs set status = 'failed' where id = (select max(id) from runs)")
    con.close()
    assert served - set(lost) == stored(db)
    follow_up = crawl(db, sources)
    assert (exitcodes.OK, "") == (follow_up.returncode, follow_up.stderr), follow_up.stdout
    assert ["failed", "ok"] == runs(db)
    assert served == stored(db)


def test_a_write_transaction_takes_the_lock_before_it_reads(tmp_path):
    # A deferred transaction that read first could not wait for another writer: it failed at once with
    # "database is locked" when asked to write. writing() holds the write lock from its first statement.
    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=0.05)
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        with writing(db):
            db.execute("select count(*) from articles").fetchone()
            with pytest.raises(sqlite3.OperationalError) as refused:
                other.execute("insert into runs (started, status, command) values ('now', 'running', 'test')")
            assert is_locked(refused.value)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as waited, writing(db):
            pass
        assert is_locked(waited.value)
        other.execute("ROLLBACK")
        with writing(db):
            db.execute("insert into runs (started, status, command) values ('now', 'running', 'test')")
        assert [("test",)] == other.execute("select command from runs").fetchall()
    finally:
        other.close()
        db.close()


# `crosswire crawl` whose copy-family step after the crawl meets a full disk (the articles are stored by then):
# the error SQLite raises then, its class, code and message.
FULL_AT_FAMILIES = (
    "import runpy, sqlite3, sys\n"
    "import crosswire.crawlers.run as run\n"
    "def full(db):\n"
    "    exc = sqlite3.OperationalError('database or disk is full')\n"
    "    exc.sqlite_errorcode, exc.sqlite_errorname = sqlite3.SQLITE_FULL, 'SQLITE_FULL'\n"
    "    raise exc\n"
    "run.index_new_articles = full\n"
    "sys.argv[0] = 'crosswire'\n"
    "runpy.run_module('crosswire', run_name='__main__', alter_sys=True)\n"
)


def test_a_full_disk_after_the_crawl_fails_the_run_in_one_line_and_the_next_crawl_reads_everything(web, served,
                                                                                                   tmp_path):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    command = crawl_command(db, sources, "--quiet")
    full = subprocess.run([command[0], "-c", FULL_AT_FAMILIES, *command[3:]], capture_output=True, text=True,
                          timeout=300, check=False)
    assert (exitcodes.ERROR, "") == (full.returncode, full.stdout), full.stderr
    [line] = full.stderr.splitlines()
    assert "stopped: the archive's disk is full" in line, line
    assert served == stored(db)                     # every article was committed before the families' step
    assert [("failed",)] == query(db, "select status from runs")
    follow_up = crawl(db, sources)
    assert (exitcodes.OK, "") == (follow_up.returncode, follow_up.stderr), (follow_up.stdout, follow_up.stderr)
    assert [("failed",), ("ok",)] == query(db, "select status from runs order by id")
