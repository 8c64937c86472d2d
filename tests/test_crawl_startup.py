"""What a crawl does at start-up to start sooner: Scrapy's download handler imported without its inspect.stack()
cost, and the extraction workers forked from a warmed fork server, each as a fresh process would see it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crosswire.crawlers.workers import extract_page, start_pool, started

HANDLER_CHECK = """
import inspect, json, sys
from crosswire.crawlers.handlerload import import_download_handler
import_download_handler()
import scrapy.utils.deprecate as deprecate
from scrapy.core.downloader import contextfactory, tls
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
calls = []
real = inspect.stack
inspect.stack = lambda *a, **k: calls.append(1) or real(*a, **k)
import_download_handler()   # a second call imports nothing again
print(json.dumps([deprecate.inspect is inspect, contextfactory.ScrapyClientContextFactory.__module__,
                  contextfactory.AcceptableProtocolsContextFactory.__module__, tls.ScrapyClientTLSOptions.__module__,
                  HTTP11DownloadHandler.__module__, len(calls)]))
"""


def test_the_download_handler_is_imported_with_its_deprecated_aliases_named_and_inspect_restored() -> None:
    out = subprocess.run([sys.executable, "-c", HANDLER_CHECK], capture_output=True, text=True, check=True).stdout
    assert [True, "scrapy.core.downloader.contextfactory", "scrapy.core.downloader.contextfactory",
            "scrapy.core.downloader.tls", "scrapy.core.downloader.handlers.http11", 0] == json.loads(out)


def test_workers_come_from_a_fork_server_that_loaded_extraction_and_extract_a_page() -> None:
    page = (b"<html lang='en'><head><title>Quay reopens - Harbour Wire</title></head><body><article><h1>Quay "
            b"reopens</h1>" + b"<p>The northern quay reopened to grain barges on Tuesday after repairs, the port "
            b"authority said, and the first convoy is expected by the weekend.</p>" * 4 + b"</article></body></html>")
    pool = start_pool(2)
    try:
        article, _ = pool.submit(extract_page, page, "https://harbour.example/2026/05/quay", None,
                                 "text/html; charset=utf-8").result(timeout=120)
        where = pool.submit(_where_am_i).result(timeout=60)
    finally:
        pool.shutdown(wait=True)
    assert "Quay reopens" == article["title"]
    assert article["text"].startswith("The northern quay reopened to grain barges on Tuesday")
    # Forked from the server: extraction was loaded and dateparser's English data read (by the server's warm-up,
    # not by the page above, which is dated in its markup) before the worker existed, and its parent is the
    # server, a child of this process.
    assert (True, ["en"], True) == where[:3]
    assert os.getpid() == where[3]


def _where_am_i() -> tuple[bool, list[str], bool, int]:
    """(extraction loaded, dateparser's loaded locales, running under multiprocessing's fork server, the server's
    parent pid) in a worker."""
    from dateparser.languages.loader import default_loader  # in the worker, where it is loaded already

    parent = os.getppid()
    command = Path(f"/proc/{parent}/cmdline").read_bytes()
    stat = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()
    return ("crosswire.extraction" in sys.modules, list(default_loader._loaded_locales),
            b"multiprocessing.forkserver" in command, int(stat[1]))


# `crosswire crawl` with an exit handler and an object whose finaliser runs only in the interpreter's teardown.
EXIT_WATCH = """
import atexit, os, runpy, sys
marks = os.open(sys.argv.pop(1), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
atexit.register(lambda: os.write(marks, b"exit handler ran\\n"))
class TornDown:
    def __del__(self, _write=os.write, _marks=marks):     # bound now: the teardown clears module globals
        _write(_marks, b"torn down\\n")
watched = TornDown()
sys.argv[0] = "crosswire"
runpy.run_module("crosswire", run_name="__main__", alter_sys=True)
"""


def test_a_crawl_ends_without_the_interpreters_teardown_after_its_exit_handlers_and_output(tmp_path) -> None:
    from crawling import crawl_command

    from testweb import TestWeb

    db, sources, marks = tmp_path / "news.db", tmp_path / "sources.toml", tmp_path / "marks.txt"
    with TestWeb(outlets=["levant-ledger"]) as web:
        sources.write_text(web.sources_toml(["levant-ledger"]))
        command = crawl_command(db, sources, "--log-file", str(tmp_path / "crawl.log"))
        done = subprocess.run([sys.executable, "-c", EXIT_WATCH, str(marks), *command[3:]], capture_output=True,
                              text=True, timeout=300, check=False)
    assert 0 == done.returncode, done.stderr
    assert done.stdout.startswith("2 feeds checked (0 not modified), 4 new articles, ")
    assert "exit handler ran\n" == marks.read_text()      # no "torn down": the teardown was skipped
    last = (tmp_path / "crawl.log").read_text().splitlines()[-1]
    assert "crawl ok (exit 0): 2 feeds checked (0 not modified), 4 new articles, " == last.split(" ", 1)[1][:69]
    assert ["crawl.log", "marks.txt", "news.db", "news.db.lock", "sources.toml"] == sorted(
        p.name for p in tmp_path.iterdir())              # the archive closed: no -wal or -shm left beside it


def test_scrapys_callback_source_check_is_off_so_it_never_races_the_embedders_numpy(tmp_path) -> None:
    # Scrapy's check parses each callback's source with ast.parse in the reactor thread; numpy reads array
    # headers with ast.literal_eval in the embedder thread; CPython 3.11's AST constructor keeps one recursion
    # depth per interpreter, and the two raced ("SystemError: AST constructor recursion depth mismatch" on a
    # sitemap of the demo under load). crawlers/settings.py turns the check off.
    from crosswire.crawlers.run import crawl_settings

    settings = crawl_settings(tmp_path / "news.db", [], None, False)
    assert (False, True) == (settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE"),
                             settings.getbool("ROBOTSTXT_OBEY"))


def test_the_crawl_loads_feed_parsing_and_the_terminal_line_only_when_it_needs_them() -> None:
    # A cron run whose feeds answer 304 parses no feed, strips no markup, canonicalises no URL and has no
    # terminal: feedparser, beautifulsoup4, courlan and rich (~0.25 s of imports together) are loaded by the code
    # that uses them, not up front.
    check = ("import json, sys\nimport crosswire.cli.crawl, crosswire.crawlers.run\n"
             "assert 'courlan' not in sys.modules\n"
             "before = [m in sys.modules for m in ('feedparser', 'bs4', 'rich')]\n"
             "from crosswire.crawlers.feeds import parse_feed\n"
             "feed = parse_feed(b'<rss version=\"2.0\"><channel><title>Quay news</title><item><title>Quay'\n"
             "                  b' <b>reopens</b></title><link>https://quay.example/1</link></item></channel></rss>',\n"
             "                  'https://quay.example/feed.xml')\n"
             "after = [m in sys.modules for m in ('feedparser', 'bs4', 'rich')]\n"
             "print(json.dumps([before, after, [e.title for e in feed.entries]]))\n")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout
    assert [[False, False, False], [True, True, False], ["Quay reopens"]] == json.loads(out)


STOP_AT_ONCE = """
from crosswire.cli.exiting import exit_now
from crosswire.crawlers.workers import start_pool, wait_until_started
pool = start_pool(2, background=True)
wait_until_started(pool)
pool.shutdown(wait=False, cancel_futures=True)   # as the extraction pipeline does when the spider closes
pool.shutdown(wait=True, cancel_futures=True)    # as the crawl does once families and stories are done
exit_now(0)                                      # as `crosswire crawl` ends
"""


def test_a_crawl_that_ends_while_its_workers_warm_up_still_exits() -> None:
    # A crawl that finds nothing new ends before its workers have warmed up. It used to hang for ever in one
    # exit of two: its exit closed the pool's call queue before the pool had told the workers to stop.
    for attempt in range(4):
        try:
            done = subprocess.run([sys.executable, "-c", STOP_AT_ONCE], capture_output=True, text=True, timeout=90)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"attempt {attempt + 1}: the process did not exit") from None
        assert (0, "") == (done.returncode, done.stderr)


def test_a_pool_started_in_the_background_says_when_its_workers_are_forked() -> None:
    # The crawl fetches its feeds while the workers are forked, and its first pages wait on this future.
    pool = start_pool(2, background=True)
    try:
        forked = started(pool)
        assert forked is not None
        assert forked.result(timeout=120) is None
        assert 2 == len(pool._processes)   # both forked: submitting now never waits for a fork
        assert 7 == pool.submit(int, "7").result(timeout=60)
    finally:
        pool.shutdown(wait=True)
    direct = start_pool(1)
    try:
        assert started(direct) is None   # forked before start_pool returned
    finally:
        direct.shutdown(wait=True)
