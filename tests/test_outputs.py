"""Output paths: a trailing slash or an existing directory means "into this directory" (created when needed);
a path that cannot be written is one line and exit 73 with no `.part` left; and nothing is ever written half as
if whole: an export from a damaged archive leaves no file, and on standard output says it stopped short."""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.core import exitcodes
from crosswire.core.errors import OutputError
from crosswire.core.files import atomic_output, write_file
from crosswire.storage.db import open_db
from searchdata import build_archive
from webdata import build_web_archive


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outputs") / "war.db"
    build_web_archive(path)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("args, name", [
    (["export", "--format", "jsonl", "-o", "{out}"], "articles.jsonl"),
    (["export", "--format", "atom", "--source", "harbor-post", "-o", "{out}"], "harbor-post.atom"),
    (["export", "--format", "jsonfeed", "--search", "gaza-hospital", "-o", "{out}"], "gaza-hospital.json"),
    (["attention", "Gaza", "--chart", "{out}"], "attention.png"),
    (["compare", "1", "--html", "{out}"], "story-1.html"),
])
@pytest.mark.parametrize("existing", [False, True])
def test_a_directory_or_trailing_slash_means_into_it(db_file: Path, tmp_path: Path, args: list[str], name: str,
                                                     existing: bool) -> None:
    folder = tmp_path / "new" / "dir"
    if existing:
        folder.mkdir(parents=True)
    target = str(folder) if existing else f"{folder}/"
    code, _, err = run(*[target if a == "{out}" else a for a in args], "--db", str(db_file))
    assert (0, [name]) == (code, files_under(folder)), err
    assert f"wrote {folder / name}" in err


def test_backup_into_a_new_directory_named_with_a_slash(db_file: Path, tmp_path: Path) -> None:
    code, out, _ = run("backup", "--db", str(db_file), f"{tmp_path}/backups/")
    [copy] = files_under(tmp_path / "backups")
    assert 0 == code and re.fullmatch(r"crosswire-\d{8}T\d{6}Z\.db", copy)
    assert out.startswith(f"backed up {db_file} to {tmp_path / 'backups' / copy} (")


def test_opml_export_and_crawl_log_into_a_directory(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nhomepage = "https://x.example/"\nfeeds = ["https://x.example/rss"]\n')
    assert 0 == run("opml", "export", "--sources", str(sources), "-o", f"{tmp_path}/opml/")[0]
    assert ["crosswire.opml"] == files_under(tmp_path / "opml")


def test_an_unwritable_directory_is_one_line_and_leaves_no_part(db_file: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, out, err = run("export", "--db", str(db_file), "-o", str(blocker / "out.jsonl"))
    assert (exitcodes.CANT_WRITE, "", f"Error: cannot write into {blocker}: it is a file, not a directory\n") == (
        code, out, err)
    assert ["a-file"] == files_under(tmp_path)


def test_a_failed_write_removes_its_part_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.atom"
    target.write_bytes(b"the previous, whole feed")
    with pytest.raises(RuntimeError):
        with atomic_output(target, binary=True) as out:
            out.write(b"half of the new one")
            raise RuntimeError("the archive failed half way")
    assert (b"the previous, whole feed", ["feed.atom"]) == (target.read_bytes(), files_under(tmp_path))


def test_a_full_disk_is_one_output_error(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"root, but mounting a small tmpfs was refused: {made.stderr.strip()}")
    try:
        with pytest.raises(OutputError) as info:
            write_file(small / "big.jsonl", b"x" * 1_000_000)
        assert (f"cannot write {small / 'big.jsonl'}: no space left on the device", []) == (
            str(info.value), files_under(small))
    finally:
        subprocess.run(["umount", "--lazy", str(small)], check=True)


def damaged_copy(db_file: Path, target: Path) -> Path:
    """The archive with its article pages overwritten, its first pages (schema) intact."""
    data = bytearray(db_file.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    start = len(data) // 2 // page * page
    data[start:] = random.Random(3).randbytes(len(data) - start)
    target.write_bytes(bytes(data))
    return target


def test_an_export_from_a_damaged_archive_writes_no_file(db_file: Path, tmp_path: Path) -> None:
    damaged = damaged_copy(db_file, tmp_path / "damaged.db")
    code, _, err = run("export", "--db", str(damaged), "-o", str(tmp_path / "out" / "all.jsonl"))
    assert (exitcodes.DAMAGED, 1) == (code, len(err.splitlines()))
    assert err.startswith(f"Error: {damaged}: the archive is damaged (") and f"sqlite3 {damaged} .recover" in err
    assert [] == files_under(tmp_path / "out")


def undecodable(tmp_path: Path) -> Path:
    """An archive whose last article has a column that is not UTF-8 (what a damaged page can hold)."""
    path = tmp_path / "undecodable.db"
    build_archive(open_db(path)).close()
    conn = sqlite3.connect(path)
    conn.execute("update articles set section = cast(x'ff28' as text) where id = 9")
    conn.commit()
    conn.close()
    return path


def test_an_export_to_standard_output_says_it_stopped_short(tmp_path: Path) -> None:
    path = undecodable(tmp_path)
    code, out, err = run("export", "--db", str(path))
    assert (exitcodes.DAMAGED, list(range(1, 9))) == (code, [json.loads(line)["id"] for line in out.splitlines()])
    assert (f"Error: {path}: the archive is damaged (Could not decode to UTF-8 column 'section' with text '\ufffd('); "
            f"restore a copy made by `crosswire backup`, or save what is readable with: sqlite3 {path} .recover | "
            f"sqlite3 recovered.db (the export above is incomplete)\n") == err


def test_an_export_to_a_file_of_an_undecodable_archive_leaves_nothing(tmp_path: Path) -> None:
    path = undecodable(tmp_path)
    code, _, err = run("export", "--db", str(path), "--format", "csv", "-o", str(tmp_path / "out") + "/")
    assert (exitcodes.DAMAGED, []) == (code, files_under(tmp_path / "out"))
