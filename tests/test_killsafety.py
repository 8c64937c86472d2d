"""kill -9 in the middle of a crawl loses nothing committed, never corrupts the file, and the next crawl is clean.

Also: searches, exports and backups run while a crawl writes, without "database is locked".
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from crawling import SLOW_SETTINGS, crawl, crawl_command
from crosswire.core import exitcodes
from crosswire.identity.urls import canonical_url
from testweb import TestWeb
from testweb.site import make_response

OUTLETS = ["levant-ledger", "northern-dispatch", "gulf-wire", "al-mirsad", "vestnik-frontira", "frontline-review"]


def query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for(check: Callable[[], bool], process: subprocess.Popen, what: str, timeout: float = 90) -> None:
    """Poll until `check()` holds (the crawl's own progress decides; nothing here measures time)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert process.poll() is None, f"the crawl ended before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def article_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return query(db, "select count(*) from articles")[0][0]
    except sqlite3.OperationalError:    # schema not created yet
        return 0


def running_runs(db: Path) -> int:
    try:
        return query(db, "select count(*) from runs where status = 'running'")[0][0] if db.exists() else 0
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def web():
    with TestWeb(outlets=OUTLETS) as web:
        yield web


@pytest.fixture(scope="module")
def reference(web, tmp_path_factory) -> set[str]:
    """The article URLs an uninterrupted crawl stores."""
    tmp = tmp_path_factory.mktemp("reference")
    (tmp / "sources.toml").write_text(web.sources_toml())
    done = crawl(tmp / "ref.db", tmp / "sources.toml")
    assert exitcodes.OK == done.returncode, done.stderr
    urls = {url for (url,) in query(tmp / "ref.db", "select url from articles")}
    assert {canonical_url(a["url"]) for outlet in OUTLETS for a in web.articles(outlet)} == urls
    return urls


def test_kill_9_at_several_points_loses_nothing_and_the_next_crawl_is_clean(web, reference, tmp_path):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    half = len(reference) // 2
    points = [
        ("before the first article", lambda: running_runs(db) > 0),
        ("after the first article", lambda: article_count(db) >= 1),
        ("halfway", lambda: article_count(db) >= half),
    ]
    for what, reached in points:
        process = subprocess.Popen(crawl_command(db, sources, settings=SLOW_SETTINGS), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        try:
            wait_for(reached, process, what)
            before = set(query(db, "select id, url, title, text from articles"))
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
            process.stderr.close()
        assert -signal.SIGKILL == process.returncode
        assert [("ok",)] == query(db, "PRAGMA integrity_check")
        after = set(query(db, "select id, url, title, text from articles"))
        assert before <= after, f"articles lost by a kill -9 {what}"
    # The next crawl notices the dead run, re-reads every feed in full, and completes.
    final = crawl(db, sources)
    assert final.returncode in (exitcodes.OK, exitcodes.PARTIAL), final.stderr
    assert "database" not in final.stderr.lower()
    assert [("ok",)] == query(db, "PRAGMA integrity_check")
    assert reference == {url for (url,) in query(db, "select url from articles")}
    assert [] == query(db, "select url, count(*) from articles group by url having count(*) > 1")
    statuses = [status for (status,) in query(db, "select status from runs order by id")]
    assert ["interrupted"] * 3 == statuses[:3] and statuses[3] in ("ok", "partial")


def stored_urls(db: Path) -> set[str]:
    return {url for (url,) in query(db, "select url from articles")}


def test_search_export_and_backup_work_while_a_crawl_writes(web, reference, tmp_path):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    arrived, release = threading.Event(), threading.Event()

    def gated_story(request):
        arrived.set()
        release.wait(120)     # holds one download slot, so the crawl cannot finish before the readers ran
        return make_response("<html><body><p>Gate.</p></body></html>", "text/html")

    site, base = web.site("levant-ledger"), web.base_url("levant-ledger")
    site.add("/gate-story.html", gated_story, conditional=False)
    site.add("/gate.xml", lambda request: make_response(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gate</title><link>{base}/</link>'
        f"<description>Gate</description><item><title>Gate</title><link>{base}/gate-story.html</link></item>"
        "</channel></rss>", "application/rss+xml"), conditional=False)
    sources.write_text(web.sources_toml() + f'\n[[source]]\nname = "gate"\nhomepage = "{base}/"\n'
                       f'feeds = ["{base}/gate.xml"]\n')
    # Two slots: the gate holds one while the other goes on storing articles; the gate outlasts the readers.
    two_slots = {**SLOW_SETTINGS, "CONCURRENT_REQUESTS": "2", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                 "DOWNLOAD_TIMEOUT": "120"}
    process = subprocess.Popen(crawl_command(db, sources, settings=two_slots), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    # The one article with "bulgur" in it: once it is stored, a search must find it and nothing else.
    [convoy] = [canonical_url(a["url"]) for a in web.articles("levant-ledger") if "bulgur" in a["text"]]
    cli = [sys.executable, "-m", "crosswire"]
    try:
        wait_for(lambda: arrived.is_set() and article_count(db) >= 2 and convoy in stored_urls(db), process,
                 "two articles, the convoy story and the gate")
        # Each reader sees the articles stored before it started, and perhaps some stored while it ran.
        before_export = stored_urls(db)
        exported = subprocess.run([*cli, "export", "--db", str(db), "--format", "jsonl"], capture_output=True,
                                  text=True, timeout=60)
        after_export = stored_urls(db)
        searched = subprocess.run([*cli, "search", "--db", str(db), "--json", "bulgur"], capture_output=True,
                                  text=True, timeout=60)
        before_backup = stored_urls(db)
        backed_up = subprocess.run([*cli, "backup", "--db", str(db), str(tmp_path / "copy.db")],
                                   capture_output=True, text=True, timeout=60)
        after_backup = stored_urls(db)
        still_running = process.poll() is None
    finally:
        release.set()
        out, err = process.communicate(timeout=120)
    assert still_running, "the crawl finished before the readers ran; the test proved nothing"
    assert (0, "") == (exported.returncode, exported.stderr)
    exported_urls = [json.loads(line)["url"] for line in exported.stdout.splitlines()]
    assert len(set(exported_urls)) == len(exported_urls)
    assert before_export <= set(exported_urls) <= after_export, (before_export, exported_urls, after_export)
    assert (0, "") == (searched.returncode, searched.stderr)
    assert [convoy] == [hit["url"] for hit in json.loads(searched.stdout)]
    assert (0, "") == (backed_up.returncode, backed_up.stderr), backed_up.stdout
    assert backed_up.stdout.startswith(f"backed up {db} to {tmp_path / 'copy.db'} (")
    assert [("ok",)] == query(tmp_path / "copy.db", "PRAGMA integrity_check")
    assert before_backup <= stored_urls(tmp_path / "copy.db") <= after_backup
    # Every article of the test web, and the gate's page, which holds no article text: one error, a partial run.
    assert (exitcodes.PARTIAL, reference) == (process.returncode, stored_urls(db)), err
    assert [("extract", f"{base}/gate-story.html")] == query(db, "select kind, url from errors")


def children(pid: int) -> list[int]:
    """Live (non-zombie) child processes of `pid`, from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                state, ppid = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(ppid) == pid and state != "Z":
                out.append(int(entry))
    return out


def kind_of(pid: int, crawl: int) -> str:
    """What a process under the crawl is, from its command line and parent: the workers are forked from the
    fork server, so they carry its command line."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if "multiprocessing.forkserver import main" in command:
        return "fork server" if pid in children(crawl) else "extraction worker"
    return "resource tracker" if "multiprocessing.resource_tracker" in command else command


def descendants(pid: int) -> list[int]:
    """Live processes under `pid` (children, their children...), from /proc."""
    out, todo = [], [pid]
    while todo:
        found = children(todo.pop())
        out += found
        todo += found
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to list child processes")
def test_kill_9_leaves_no_extraction_workers_behind(web, tmp_path):
    db, sources = tmp_path / "news.db", tmp_path / "sources.toml"
    sources.write_text(web.sources_toml())
    slow_with_workers = {**SLOW_SETTINGS, "CROSSWIRE_EXTRACT_WORKERS": "2"}
    process = subprocess.Popen(crawl_command(db, sources, settings=slow_with_workers), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: article_count(db) >= 1, process, "the first article")   # the workers are up
        workers = descendants(process.pid)
        kinds = sorted(kind_of(pid, process.pid) for pid in workers)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    # The two extraction workers, the fork server they came from, and multiprocessing's resource tracker.
    assert ["extraction worker", "extraction worker", "fork server", "resource tracker"] == kinds
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if alive(pid)]
    for pid in survivors:       # don't leak them into the rest of the test run
        os.kill(pid, signal.SIGKILL)
    assert [] == survivors
