"""Opening the archive: only a crawl (or the demo) creates one; a file that is not an archive, another program's
SQLite file and damage are each one line; the crawl lock follows symlinks to the real file; and an archive that
cannot be written (read-only file system, immutable file) is still searched, exported and served, while
crawl and vacuum say in one line why they cannot run on it."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from crosswire.cli import main
from crosswire.core import exitcodes
from crosswire.core.errors import DamagedArchiveError, LockedError, NoArchiveError, ReadOnlyArchiveError
from crosswire.storage.archive import check_archive, open_archive
from crosswire.storage.lock import CrawlLock, lock_path
from crosswire.storage.db import open_db
from crosswire.web import create_app
from searchdata import build_archive

READ_ONLY_LINE = ("Error: {path}: the archive is read-only (a read-only file system, an immutable file or no write "
                  "permission) and this command changes it; search, show, export and serve still work, or copy it "
                  "with `crosswire backup` and use the copy\n")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "war.db"
    build_archive(open_db(path)).close()
    return path


def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "closed"\nhomepage = "http://127.0.0.1:9/"\nfeeds = ["http://127.0.0.1:9/f.xml"]\n')
    return path


@pytest.mark.parametrize("command", [["search", "water"], ["status"], ["show", "1"], ["export"], ["stories"],
                                     ["searches", "list"], ["vacuum"], ["backup", "copy.db"]])
def test_reading_commands_refuse_a_missing_archive_and_create_nothing(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / "war.db"
    code, out, err = run(*command, "--db", str(missing))
    assert (exitcodes.NO_ARCHIVE, "", f"Error: {missing}: no archive there (check --db or $CROSSWIRE_DB); only "
                                      "`crosswire crawl` and `crosswire demo` create one\n") == (code, out, err)
    assert [] == list(tmp_path.iterdir())


def test_a_crawl_with_an_invalid_sources_file_creates_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text("[[source]]\nname = 'x'\n")
    code, _, err = run("crawl", "--db", str(tmp_path / "new" / "war.db"), "--sources", str(bad))
    assert (1, f'Error: {bad}: source "x": missing required field "homepage"\n') == (code, err)
    assert ["sources.toml"] == [p.name for p in tmp_path.iterdir()]


@pytest.mark.parametrize("command", [["crawl"], ["vacuum"]])
def test_no_lock_is_left_beside_a_file_that_is_not_an_archive(tmp_path: Path, command: list[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not an archive\n")
    extra = ["--sources", str(sources_file(tmp_path))] if command == ["crawl"] else []
    code, _, err = run(*command, "--db", str(notes), *extra)
    assert (exitcodes.DAMAGED, f"Error: {notes}: not a crosswire archive (not an SQLite database, or its first "
                               "page is damaged)\n") == (code, err)
    assert "not an archive\n" == notes.read_text()
    assert not lock_path(notes).exists()


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table notes (x)").connection.commit()
    with pytest.raises(DamagedArchiveError, match="an SQLite database with other tables"):
        check_archive(other, create=True)
    code, _, err = run("crawl", "--db", str(other), "--sources", str(sources_file(tmp_path)))
    assert (exitcodes.DAMAGED, f"Error: {other}: not a crosswire archive (an SQLite database with other tables)\n") \
        == (code, err)
    assert [("notes",)] == sqlite3.connect(other).execute("select name from sqlite_master").fetchall()
    assert not lock_path(other).exists()


def test_an_empty_sqlite_file_is_no_archive_to_read_but_a_crawl_may_fill_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("vacuum").connection.close()
    with pytest.raises(NoArchiveError, match="an empty database, not yet a crosswire archive"):
        open_archive(empty)
    assert "articles" in open_archive(empty, create=True).table_names()


def test_the_lock_is_taken_on_the_real_file_behind_a_symlink(archive_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(archive_path)
    assert lock_path(archive_path) == lock_path(link) == Path(str(archive_path) + ".lock")
    with CrawlLock(archive_path):
        with pytest.raises(LockedError):
            CrawlLock(link).acquire()
        code, _, err = run("vacuum", "--db", str(link))
        assert exitcodes.LOCKED == code and f"(lock {archive_path}.lock)" in err
    assert [] == list(link.parent.glob("*.lock"))


# --- read-only archives --------------------------------------------------------------------------------------


def _readonly_mount(source: Path, target: Path) -> str | None:
    """Bind-mount `source` read-only at `target` (needs root and mount rights); None when it worked, else why not."""
    target.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "not root, or no mount command"
    for command in (["mount", "--bind", str(source), str(target)],
                    ["mount", "-o", "remount,ro,bind", str(target)]):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["umount", str(target)], capture_output=True)
            return f"{' '.join(command[:3])}: {done.stderr.strip()}"
    return None


@pytest.fixture
def readonly_archive(archive_path: Path, tmp_path: Path) -> Iterator[Path]:
    """The archive on a read-only file system (a read-only bind mount), or, where this user cannot mount, in a
    directory and a file without write permission (which is read-only to anyone but root)."""
    folder = archive_path.parent / "ro"
    refused = _readonly_mount(archive_path.parent, folder)
    if refused is None:
        yield folder / archive_path.name
        subprocess.run(["umount", "--lazy", str(folder)], check=True)   # connections of the app may linger
        return
    if os.geteuid() == 0:
        # Root ignores file permissions, so without a read-only mount nothing is read-only to it.
        pytest.skip(f"root, but the read-only bind mount was refused ({refused}): nothing is read-only to root")
    archive_path.chmod(0o444)
    archive_path.parent.chmod(0o555)
    try:
        yield archive_path
    finally:
        archive_path.parent.chmod(0o755)
        archive_path.chmod(0o644)


def test_a_read_only_archive_is_searched_exported_and_served(readonly_archive: Path, tmp_path: Path) -> None:
    code, out, _ = run("search", "convoy", "--db", str(readonly_archive), "--json")
    assert (0, {2, 5}) == (code, {hit["id"] for hit in json.loads(out)})
    code, out, _ = run("export", "--format", "csv", "--db", str(readonly_archive))
    assert (0, [str(n) for n in range(1, 10)]) == (code, [row["id"] for row in csv.DictReader(io.StringIO(out))])
    assert 0 == run("stories", "--db", str(readonly_archive))[0]     # listed as last clustered
    with TestClient(create_app(readonly_archive)) as client:
        page = client.get("/search?q=convoy")
    assert 200 == page.status_code and "Aid convoy reaches Hasakah" in page.text
    copy = tmp_path / "copy.db"
    assert 0 == run("backup", "--db", str(readonly_archive), str(copy))[0]
    assert 9 == sqlite3.connect(copy).execute("select count(*) from articles").fetchone()[0]


@pytest.mark.parametrize("command", [["crawl", "--sources", "SOURCES"], ["vacuum"], ["stories", "recluster"],
                                     ["searches", "add", "x", "water"]])
def test_commands_that_change_a_read_only_archive_say_so_in_one_line(readonly_archive: Path, tmp_path: Path,
                                                                     command: list[str]) -> None:
    args = [str(sources_file(tmp_path)) if a == "SOURCES" else a for a in command]
    code, _, err = run(*args, "--db", str(readonly_archive))
    assert (exitcodes.CANT_WRITE, READ_ONLY_LINE.format(path=readonly_archive)) == (code, err)


def test_an_immutable_archive_is_read_but_never_crawled(archive_path: Path, tmp_path: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("no chattr command (Debian's e2fsprogs) to make a file immutable")
    made = subprocess.run(["chattr", "+i", str(archive_path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"chattr +i was refused on this file system or for this user: {made.stderr.strip()}")
    try:
        assert 0 == run("search", "convoy", "--db", str(archive_path))[0]
        with pytest.raises(ReadOnlyArchiveError):
            open_archive(archive_path, write=True)
        code, _, err = run("crawl", "--db", str(archive_path), "--sources", str(sources_file(tmp_path)))
        assert (exitcodes.CANT_WRITE, READ_ONLY_LINE.format(path=archive_path)) == (code, err)
    finally:
        subprocess.run(["chattr", "-i", str(archive_path)], check=True)


def test_damage_met_while_serving_is_a_page_and_one_log_line(archive_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    conn = sqlite3.connect(archive_path)
    conn.execute("update articles set section = cast(x'ff28' as text) where id = 9")
    conn.commit()
    conn.close()
    with TestClient(create_app(archive_path)) as client:
        page = client.get("/article/9")
    assert (500, True, False) == (page.status_code, "the archive is damaged; the server log says which file and what "
                                                    "to do" in page.text, str(archive_path) in page.text)
    [record] = [r for r in caplog.records if r.name == "crosswire.web.app"]
    assert record.getMessage().startswith(f"GET /article/9: {archive_path}: the archive is damaged (")
