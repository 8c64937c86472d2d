"""One crawl per database: a second, overlapping crawl is refused at once with exit code 75 (LOCKED)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from crawling import crawl_command
from crosswire.core import exitcodes
from crosswire.core.errors import LockedError
from crosswire.storage.lock import CrawlLock, lock_path
from testweb import TestWeb
from testweb.site import Request, Response, make_response

EMPTY_RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Gate</title>'
             '<link>http://gate.test/</link><description>An empty feed.</description></channel></rss>')


def test_lock_is_exclusive_and_names_the_holder(tmp_path):
    db = tmp_path / "news.db"
    with CrawlLock(db) as first:
        assert first.held
        with pytest.raises(LockedError) as info:
            CrawlLock(db).acquire()
        assert (f"another crawl (pid {os.getpid()}) is running on this database "
                f"(lock {lock_path(db)}); exiting") == str(info.value)
    with CrawlLock(db) as again:       # released on exit: the next run gets it
        assert again.held


def test_lock_is_released_by_the_kernel_after_kill_9(tmp_path):
    db = tmp_path / "news.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from crosswire.storage.lock import CrawlLock; "
         f"CrawlLock({str(db)!r}).acquire(); print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert "held\n" == holder.stdout.readline()
        with pytest.raises(LockedError):
            CrawlLock(db).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdout.close()
    with CrawlLock(db) as lock:         # no stale lock to clean up by hand
        assert lock.held


def test_second_overlapping_crawl_is_refused_at_once(tmp_path):
    arrived, release = threading.Event(), threading.Event()

    def gated_feed(request: Request) -> Response:
        arrived.set()
        release.wait(60)        # the first crawl stays in the middle of its run until the test says so
        return make_response(EMPTY_RSS, "application/rss+xml")

    with TestWeb(outlets=["levant-ledger"]) as web:
        web.site("levant-ledger").add("/gate.xml", gated_feed, conditional=False)
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "gate"\nhomepage = "{web.base_url("levant-ledger")}/"\n'
                           f'feeds = ["{web.base_url("levant-ledger")}/gate.xml"]\n')
        db, log = tmp_path / "news.db", tmp_path / "crawl.log"
        # The gated feed must outlast the second crawl's start-up (seconds on a busy machine), not time out.
        first = subprocess.Popen(crawl_command(db, sources, "-s", "DOWNLOAD_TIMEOUT=120"), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            assert arrived.wait(60), "the first crawl never fetched its feed"
            second = subprocess.run(crawl_command(db, sources, "--log-file", str(log)), capture_output=True,
                                    text=True, timeout=60)
            assert not release.is_set() and first.poll() is None     # refused while the first still ran
        finally:
            release.set()
            out, err = first.communicate(timeout=60)
    assert (exitcodes.LOCKED, "", f"crosswire: another crawl (pid {first.pid}) is running on this database "
            f"(lock {lock_path(db)}); exiting\n") == (second.returncode, second.stdout, second.stderr)
    assert log.read_text().endswith(f"crawl locked: another crawl (pid {first.pid}) is running on this "
                                    f"database (lock {lock_path(db)}); exiting\n")
    assert (exitcodes.OK, "1 feeds checked (0 not modified)") == (first.returncode, out[:32]), err
