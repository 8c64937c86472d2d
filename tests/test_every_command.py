"""Every command, tried as a newcomer gets it wrong: a wrong argument, a path that cannot be written, a damaged
archive, a file that is not an archive, and no archive at all. Each must end in exactly one line on stderr, no
traceback, the exit code crosswire.core.exitcodes documents for it, nothing half-written and nothing created.

The unwritable path is one under a regular file (`a-file/out.csv`): the operating system refuses it whoever
runs the tests, root included. The damaged archive is a real one with every page after the first overwritten.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.core import exitcodes
from webdata import build_web_archive

ERROR, USAGE, DAMAGED, NO_ARCHIVE, CANT_WRITE = (exitcodes.ERROR, exitcodes.USAGE, exitcodes.DAMAGED,
                                                 exitcodes.NO_ARCHIVE, exitcodes.CANT_WRITE)


@dataclass(frozen=True)
class Files:
    """The files every case is run against."""

    tmp: Path
    good: Path          # a healthy archive (the web reader's test archive)
    damaged: Path       # the same, every page after the first overwritten with random bytes
    notdb: Path         # a text file
    blocker: Path       # a regular file: nothing can be created under it
    sources: Path       # a valid sources file whose one feed is on a closed loopback port
    opml: Path          # an OPML file of those sources

    def fill(self, args: list[str]) -> list[str]:
        """The case's arguments with {good}, {damaged}, {notdb}, {missing}, {blocked}, {tmp} … filled in."""
        values = {"good": self.good, "damaged": self.damaged, "notdb": self.notdb, "sources": self.sources,
                  "opml": self.opml, "missing": self.tmp / "nowhere" / "missing.db",
                  "blocked": self.blocker / "sub", "tmp": self.tmp}
        return [arg.format(**{k: str(v) for k, v in values.items()}) for arg in args]


def damage(source: Path, target: Path) -> Path:
    """A copy of `source` with every page after the first overwritten with random bytes (its header and the
    start of its schema intact, so it still looks like an SQLite database)."""
    shutil.copyfile(source, target)
    data = bytearray(target.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size:] = random.Random(12).randbytes(len(data) - page_size)
    target.write_bytes(bytes(data))
    return target


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    tmp = tmp_path_factory.mktemp("every")
    good = tmp / "good.db"
    build_web_archive(good)
    notdb = tmp / "notes.txt"
    notdb.write_text("shopping: bread, milk\n")
    blocker = tmp / "a-file"
    blocker.write_text("not a directory\n")
    sources = tmp / "sources.toml"
    sources.write_text('[[source]]\nname = "closed-port"\nhomepage = "http://127.0.0.1:9/"\n'
                       'feeds = ["http://127.0.0.1:9/feed.xml"]\n')
    opml = tmp / "in.opml"
    assert 0 == CliRunner().invoke(main, ["opml", "export", "--sources", str(sources), "-o", str(opml)]).exit_code
    return Files(tmp, good, damage(good, tmp / "damaged.db"), notdb, blocker, sources, opml)


# (arguments, exit code). Wrong arguments: click's usage errors exit 2, crosswire's own checks exit 1.
WRONG_ARGUMENTS = [
    (["crawl", "--bogus"], USAGE),
    (["crawl", "--since", "last tuesday", "--db", "{tmp}/w.db", "--sources", "{sources}"], USAGE),
    (["crawl", "--source", "nope", "--db", "{tmp}/w.db", "--sources", "{sources}"], ERROR),
    (["cron", "--every", "7"], ERROR),
    (["demo", "--limit", "0"], USAGE),
    (["export", "--format", "xml", "--db", "{good}"], USAGE),
    (["export", "--limit", "0", "--db", "{good}"], USAGE),
    (["export", "--query", '"unclosed', "--db", "{good}"], ERROR),
    (["export", "--source", "nope", "--db", "{good}"], ERROR),
    (["extract", "{tmp}/no-such-page.html"], ERROR),
    (["search"], USAGE),
    (["search", "--limit", "0", "water", "--db", "{good}"], USAGE),
    (["search", "--offset", "99999999999999999999", "water", "--db", "{good}"], USAGE),
    (["search", '"unclosed', "--db", "{good}"], ERROR),
    (["search", "since:99999999999d", "--db", "{good}"], ERROR),
    (["search", "water\x00", "--db", "{good}"], ERROR),
    (["search", "!!! 🙂", "--db", "{good}"], ERROR),
    (["search", "water", "NOT", "--db", "{good}"], ERROR),
    (["searches", "add", "Bad Name", "water", "--db", "{good}"], ERROR),
    (["searches", "remove", "nope", "--db", "{good}"], ERROR),
    (["searches", "--bogus"], USAGE),
    (["show", "99999999999999999999", "--db", "{good}"], ERROR),
    (["show", "#nope", "--db", "{good}"], ERROR),
    (["show", "²", "--db", "{good}"], ERROR),
    (["history", "99999999999999999999", "--db", "{good}"], ERROR),
    (["duplicates", "99999999999999999999", "--db", "{good}"], ERROR),
    (["duplicates", "--limit", "99999999999999999999", "--db", "{good}"], USAGE),
    (["compare", "99999999999999999999", "--db", "{good}"], USAGE),
    (["compare", "9999", "--db", "{good}"], ERROR),
    (["attention", "water", "--by", "planet", "--db", "{good}"], USAGE),
    (["attention", "water", "--since", "someday", "--db", "{good}"], ERROR),
    (["stories", "--since", "someday", "--db", "{good}"], ERROR),
    (["stories", "--limit", "-1", "--db", "{good}"], USAGE),
    (["stories", "recluster", "--bogus"], USAGE),
    (["stories", "update", "--bogus"], USAGE),
    (["status", "--errors", "--since", "someday", "--db", "{good}"], ERROR),
    (["status", "nope", "--db", "{good}"], ERROR),
    (["serve", "--port", "99999"], USAGE),
    (["backup"], USAGE),
    (["vacuum", "--bogus"], USAGE),
    (["sources", "check", "--sources", "{tmp}/no-such-sources.toml"], ERROR),
    (["sources", "list", "--sources", "{notdb}"], ERROR),
    (["sources", "add", "not a url"], ERROR),
    (["sources", "add", "http://reader:hunter2@127.0.0.1:9/"], ERROR),
    (["opml", "import", "{tmp}/no-such.opml"], USAGE),
    (["opml", "export", "--sources", "{notdb}"], ERROR),
    (["nope"], USAGE),
]

UNWRITABLE = [
    (["crawl", "--db", "{blocked}/x.db", "--sources", "{sources}"], CANT_WRITE),
    (["crawl", "--log-file", "{blocked}/crawl.log", "--db", "{tmp}/never.db", "--sources", "{sources}"],
     CANT_WRITE),
    (["demo", "--db", "{blocked}/demo.db"], CANT_WRITE),
    (["export", "--db", "{good}", "-o", "{blocked}/out.jsonl"], CANT_WRITE),
    (["export", "--db", "{good}", "--format", "csv", "-o", "{blocked}/"], CANT_WRITE),
    (["export", "--db", "{good}", "--format", "atom", "-o", "{blocked}/out.atom"], CANT_WRITE),
    (["export", "--db", "{good}", "--static", "{blocked}/feeds"], CANT_WRITE),
    (["attention", "Gaza", "--db", "{good}", "--chart", "{blocked}/chart.png"], CANT_WRITE),
    (["compare", "1", "--db", "{good}", "--html", "{blocked}/report.html"], CANT_WRITE),
    (["backup", "--db", "{good}", "{blocked}/copy.db"], CANT_WRITE),
    (["backup", "--db", "{good}", "{blocked}/"], CANT_WRITE),
    (["opml", "export", "--sources", "{sources}", "-o", "{blocked}/out.opml"], CANT_WRITE),
    (["opml", "import", "{opml}", "--into", "{blocked}/sources.toml", "--yes"], CANT_WRITE),
]

# Every command that reads the archive, given a damaged one; then the same given a text file, and nothing.
READERS = [
    ["search", "water"], ["show", "1"], ["history", "1"], ["duplicates"], ["export"],
    ["export", "--format", "atom"], ["export", "--static", "{tmp}/static"], ["compare", "1"],
    ["attention", "Gaza"], ["stories"], ["stories", "update"], ["stories", "recluster"], ["status"],
    ["status", "--errors"], ["status", "--check"], ["searches", "list"], ["searches", "add", "x", "water"],
    ["searches", "remove", "x"], ["backup", "{tmp}/backup.db"], ["vacuum"], ["serve"],
]
WRITERS = [["crawl", "--sources", "{sources}"], ["demo"]]
DAMAGED_ARCHIVE = [([*args, "--db", "{damaged}"], DAMAGED) for args in READERS + WRITERS]
NOT_AN_ARCHIVE = [([*args, "--db", "{notdb}"], DAMAGED) for args in READERS + WRITERS]
NO_ARCHIVE_THERE = [([*args, "--db", "{missing}"], NO_ARCHIVE) for args in READERS]

CASES = ([pytest.param(args, code, id="wrong:" + " ".join(args)) for args, code in WRONG_ARGUMENTS]
         + [pytest.param(args, code, id="unwritable:" + " ".join(args[:3])) for args, code in UNWRITABLE]
         + [pytest.param(args, code, id="damaged:" + " ".join(args[:-2])) for args, code in DAMAGED_ARCHIVE]
         + [pytest.param(args, code, id="not-archive:" + " ".join(args[:-2])) for args, code in NOT_AN_ARCHIVE]
         + [pytest.param(args, code, id="missing:" + " ".join(args[:-2])) for args, code in NO_ARCHIVE_THERE])


def listing(folder: Path) -> set[str]:
    """Every file and folder under `folder`, relative."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("args, code", CASES)
def test_one_line_and_the_documented_exit_code(files: Files, args: list[str], code: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSWIRE_DB", str(files.tmp / "nowhere" / "default.db"))   # never the user's own
    before = listing(files.tmp)
    result = CliRunner().invoke(main, files.fill(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert (code, 1) == (result.exit_code, len(lines)), result.stderr
    assert lines[0].startswith("Error: ") and lines[0].strip() == lines[0]
    # Nothing new but SQLite's own -wal/-shm beside an archive it read (and the damaged archive's own cases).
    created = {name for name in listing(files.tmp) - before if not name.endswith(("-wal", "-shm"))}
    assert set() == created, created


def test_the_archives_are_untouched_by_every_case(files: Files) -> None:
    assert "shopping: bread, milk\n" == files.notdb.read_text()
    assert not list(files.tmp.glob("*.lock")) or {p.name for p in files.tmp.glob("*.lock")} <= {"good.db.lock"}


@pytest.mark.parametrize("args, code", [
    (["search", "water", "--db", "{damaged}"], DAMAGED),
    (["export", "-o", "{blocked}/out.jsonl", "--db", "{good}"], CANT_WRITE),
    (["search", "--bogus"], USAGE),
])
def test_a_real_process_prints_no_traceback_either(files: Files, args: list[str], code: int) -> None:
    env = {**os.environ, "CROSSWIRE_DB": str(files.tmp / "nowhere" / "default.db")}
    done = subprocess.run([sys.executable, "-m", "crosswire", *files.fill(args)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert (code, 1, "") == (done.returncode, len(done.stderr.splitlines()), done.stdout)
    assert "Traceback" not in done.stderr and done.stderr.startswith("Error: ")


def test_sources_add_into_an_unwritable_path_is_one_line(files: Files, testweb: object) -> None:
    target = files.blocker / "sub" / "sources.toml"
    result = CliRunner().invoke(main, ["sources", "add", testweb.base_url("levant-ledger") + "/", "--into",
                                       str(target), "--yes"])
    line = f"Error: cannot write {files.blocker / 'sub'}: a part of the path is a file, not a directory"
    assert (CANT_WRITE, [line]) == (
        result.exit_code, result.stderr.splitlines()[-1:])
    assert "Traceback" not in result.output and not list(files.tmp.rglob("*.part"))
