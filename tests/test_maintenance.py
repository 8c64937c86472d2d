"""`crosswire backup` and `crosswire vacuum`."""

from __future__ import annotations

import re
import sqlite3

import pytest
from click.testing import CliRunner

from crosswire.core import exitcodes
from crosswire.core.article import Article
from crosswire.cli import main
from crosswire.storage.lock import CrawlLock, lock_path
from crosswire.storage.articles import store_article
from crosswire.storage.db import open_db
from crosswire.storage.feeds import sync_source
from crosswire.core.sources import Source


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "news.db"
    db = open_db(path)
    sync_source(db, Source(name="steady-post", homepage="https://steady.example/"))
    for n in range(20):
        store_article(db, Article(url=f"https://steady.example/{n}", title=f"Dispatch {n}",
                                  text=f"Dispatch number {n} from the eastern districts. " * 40), source="steady-post")
    # Dropping a big scratch table leaves free pages for vacuum to reclaim.
    db["scratch"].insert_all({"n": n, "blob": "x" * 4000} for n in range(500))
    db["scratch"].drop()
    db.close()
    return path


def rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_backup_to_a_file_is_a_complete_checked_copy(db_path, tmp_path):
    target = tmp_path / "copy.db"
    result = CliRunner().invoke(main, ["backup", "--db", str(db_path), str(target)])
    assert 0 == result.exit_code, result.output
    assert re.fullmatch(rf"backed up {re.escape(str(db_path))} to {re.escape(str(target))} "
                        r"\(\d+\.\d MB, integrity ok\)\n", result.output)
    assert rows(db_path, "select id, url, title, text from articles") == rows(
        target, "select id, url, title, text from articles")
    assert [("Dispatch 7",)] == rows(target, "select title from articles_fts where articles_fts match 'number'"
                                             " and rowid = 8")
    assert not (tmp_path / "copy.db.part").exists()


def test_backup_into_a_directory_gets_a_timestamped_name(db_path, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    result = CliRunner().invoke(main, ["backup", "--db", str(db_path), str(folder)])
    assert 0 == result.exit_code, result.output
    [copy] = list(folder.iterdir())
    assert re.fullmatch(r"crosswire-\d{8}T\d{6}Z\.db", copy.name)
    assert [(20,)] == rows(copy, "select count(*) from articles")


def test_backup_never_overwrites_without_force(db_path, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("precious")
    result = CliRunner().invoke(main, ["backup", "--db", str(db_path), str(target)])
    assert (1, f"Error: {target} exists; pass --force to overwrite it, or give a directory\n") == (
        result.exit_code, result.output)
    assert "precious" == target.read_text()
    forced = CliRunner().invoke(main, ["backup", "--db", str(db_path), str(target), "--force"])
    assert (0, f"backed up {db_path} to {target} ({target.stat().st_size / 1e6:.1f} MB, integrity ok)\n") == (
        forced.exit_code, forced.output)
    assert rows(db_path, "select id, url, title, text from articles") == rows(
        target, "select id, url, title, text from articles")


def test_vacuum_shrinks_the_file_and_keeps_every_article(db_path):
    before = rows(db_path, "select id, url, text from articles")
    result = CliRunner().invoke(main, ["vacuum", "--db", str(db_path)])
    assert 0 == result.exit_code, result.output
    sizes = re.fullmatch(rf"vacuumed {re.escape(str(db_path))}: (\d+\.\d) MB -> (\d+\.\d) MB\n", result.output)
    assert sizes and float(sizes[2]) < float(sizes[1])
    assert before == rows(db_path, "select id, url, text from articles")
    assert [("ok",)] == rows(db_path, "PRAGMA integrity_check")


def test_vacuum_waits_for_no_crawl(db_path):
    with CrawlLock(db_path):
        result = CliRunner().invoke(main, ["vacuum", "--db", str(db_path)])
    assert exitcodes.LOCKED == result.exit_code
    assert f"lock {lock_path(db_path)}); exiting" in result.output
