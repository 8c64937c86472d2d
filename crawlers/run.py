"""Running a crawl in this process: under the crawl lock, after recovering from an interrupted run, with
settings assembled from defaults, sources and `-s`; the stats come back as a CrawlSummary.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

import sqlite_utils
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crosswire.core.errors import StorageError
from crosswire.core.sources import ROBOTS, Source
from crosswire.core.times import now_utc
from crosswire.crawlers.context import STATS_PREFIX, CrawlContext
from crosswire.crawlers.embedder import Embedder
from crosswire.crawlers.handlerload import import_download_handler
from crosswire.crawlers.logformat import quiet_loggers
from crosswire.crawlers.schedule import is_due
from crosswire.crawlers.spiders.news import NewsSpider
from crosswire.crawlers.summary import STAT_KEYS, CrawlSummary
from crosswire.crawlers.workers import start_pool
from crosswire.storage.db import is_full, is_locked, open_db
from crosswire.storage.families import index_new_articles
from crosswire.storage.feeds import next_checks
from crosswire.storage.lock import CrawlLock
from crosswire.storage.runs import finish_run, last_run_status, mark_interrupted, start_run
from crosswire.storage.stories import cluster_new

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlOptions:
    """How the user asked to crawl (the flags of `crosswire crawl`)."""

    poll_all: bool = False                 # --all: every feed now, due or not
    since: datetime | None = None          # --since: backfill sitemaps and listings back to this date
    quiet: bool = False                    # --quiet: Scrapy's own log stays silent
    log_file: Path | None = None           # --log-file: Scrapy's warnings go there
    progress: bool = False                 # a live progress line (on a terminal)
    settings: dict[str, str] = field(default_factory=dict)   # -s NAME=VALUE, which win over everything
    redis: str | None = None               # --redis: coordinate workers through this Redis (crawlers/coordinator.py)


def crawl(db_path: Path, sources: list[Source], options: CrawlOptions) -> CrawlSummary:
    """`crosswire crawl`: under the crawl lock (LockedError when another run holds it), recover from an
    interrupted run, skip Scrapy when nothing is due, else crawl (with `options.redis`, as the coordinator of
    workers sharing that frontier); return the summary."""
    with CrawlLock(db_path):
        overrides: dict[str, object] = {}
        poll_all = options.poll_all
        if _recover(db_path):
            # The dead run's feeds may have been recorded before their articles were, and a run the archive
            # refused writes to may have scheduled a feed whose articles it could not store: read all in full.
            poll_all = True
            overrides["CROSSWIRE_FULL_FETCH"] = True
        if poll_all:
            overrides["CROSSWIRE_POLL_ALL"] = True
        if options.since is not None:
            overrides["CROSSWIRE_SINCE"] = options.since.isoformat()
        if options.log_file is not None:
            # Scrapy's warnings and errors go to the file; the terminal (cron's mail) gets only our summary.
            options.log_file.parent.mkdir(parents=True, exist_ok=True)
            overrides["LOG_FILE"] = str(options.log_file)
        elif options.quiet:
            # Every failure is recorded in the errors table and counted in the summary line printed on stderr;
            # Scrapy's own tracebacks would only make cron's mail longer.
            overrides["LOG_LEVEL"] = "CRITICAL"
        overrides.update(options.settings)   # explicit -s wins
        if not poll_all and options.since is None:   # a backfill reads sitemaps and listings whatever is due
            not_due = _feeds_not_due(db_path, sources, overrides.get("CROSSWIRE_NOW"))
            if not_due is not None:
                return CrawlSummary(run_id=0, seconds=0.0, stats=not_due)
        if options.redis:
            # Only a distributed crawl loads the coordinator and with it Redis's client and scrapy-redis (~0.2 s).
            from crosswire.crawlers.coordinator import claimed

            with claimed(options.redis) as token:
                overrides.update(CROSSWIRE_REDIS=options.redis, CROSSWIRE_FRONTIER_TOKEN=token)
                return run_crawl(db_path, sources, overrides=overrides, progress=options.progress)
        return run_crawl(db_path, sources, overrides=overrides, progress=options.progress)


def _recover(db_path: Path) -> bool:
    """Mark runs left 'running' as interrupted (only a dead run can be: we hold the lock); whether any was, or
    whether the last crawl failed because the archive refused its writes (a full disk, a lock held too long)."""
    db = open_db(db_path)
    try:
        return mark_interrupted(db) > 0 or last_run_status(db) == "failed"
    finally:
        db.close()


def _feeds_not_due(db_path: Path, sources: list[Source], pinned_now: object) -> dict[str, int] | None:
    """How many feeds (and root sitemaps and listings) are not due when none is, so Scrapy and its workers need
    not start on a cron tick that finds nothing to do; None when something is due, or when a source reads its
    sitemaps from robots.txt (which sitemaps those are is known only once robots.txt is read)."""
    if any(ROBOTS in s.sitemaps for s in sources):
        return None
    feeds = [url for source in sources for url in source.feeds]
    pages = [url for source in sources for url in source.sitemaps] + [
        listing.url for source in sources for listing in source.listing]
    db = open_db(db_path)
    try:
        stored = next_checks(db, feeds + pages)
    finally:
        db.close()
    now = now_utc(str(pinned_now) if pinned_now else None)
    if any(url not in stored or is_due(stored[url], now) for url in feeds + pages):
        return None
    return {"feeds_not_due": len(feeds), "pages_not_due": len(pages)}


def source_slots(sources: Iterable[Source]) -> dict[str, dict[str, float | int]]:
    """Scrapy DOWNLOAD_SLOTS from each source's own delay and concurrency, for every host it uses."""
    slots: dict[str, dict[str, float | int]] = {}
    for source in sources:
        settings: dict[str, float | int] = {}
        if source.delay is not None:
            settings["delay"] = float(source.delay)
        if source.concurrency is not None:
            settings["concurrency"] = int(source.concurrency)
        if not settings:
            continue
        entry_points = [u for u in source.sitemaps if u != ROBOTS] + [listing.url for listing in source.listing]
        for url in [source.homepage, *source.feeds, *entry_points]:
            host = urlsplit(url).hostname
            if host:
                slots[host] = settings
    return slots


def crawl_settings(db_path: Path, sources: list[Source], overrides: dict[str, object] | None = None,
                   progress: bool = False) -> Settings:
    """The Scrapy settings for one crawl: project defaults < per-source slots < `-s` overrides."""
    settings = Settings()
    settings.setmodule("crosswire.crawlers.settings", priority="project")
    settings.set("CROSSWIRE_DB", str(db_path), priority="project")
    settings.set("CROSSWIRE_PROGRESS", progress, priority="project")
    settings.set("DOWNLOAD_SLOTS", source_slots(sources), priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    # crosswire's name for the run's time bound drives Scrapy's own (unless -s sets Scrapy's directly).
    if "CLOSESPIDER_TIMEOUT" not in (overrides or {}):
        settings.set("CLOSESPIDER_TIMEOUT", settings.getfloat("CROSSWIRE_MAX_RUN"), priority="cmdline")
    level = settings.get("LOG_LEVEL")
    level = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    if "LOG_VERSIONS" not in (overrides or {}) and isinstance(level, int) and level > logging.INFO:
        # Scrapy works out its dependencies' versions at every start (~6-11 ms of CPU: pyOpenSSL, the platform)
        # for one INFO line that a quieter log never shows; -s LOG_LEVEL=INFO still prints them.
        settings.set("LOG_VERSIONS", [], priority="cmdline")
    if settings.get("CROSSWIRE_REDIS"):
        # Loaded here for the reason given in crawl().
        from crosswire.crawlers.coordinator import coordinator_settings

        coordinator_settings(settings)     # fetching and extraction go to the workers
    return settings


def _cluster_new_articles(db: sqlite_utils.Database, embedder: Embedder | None = None) -> int:
    """Put this crawl's new articles into stories (after copy families, so copies count once), with the features
    its embedder computed; never fails the crawl: the articles are already stored, and `crosswire stories
    update` can finish the job later."""
    try:
        return cluster_new(db, known=embedder.features if embedder is not None else None).new_stories
    except Exception:  # noqa: BLE001 — clustering is an extra; a bug in it must not lose the crawl's summary
        LOGGER.exception("story clustering failed; run `crosswire stories update`")
        return 0


def _save_vectors(db: sqlite_utils.Database, embedder: Embedder) -> None:
    """Store the story embeddings computed during the crawl; never fails the crawl (clustering computes any
    vector missing)."""
    try:
        embedder.save(db)
    except sqlite3.Error as exc:
        LOGGER.warning("story embeddings not stored (%s); stories will compute them", exc)


class Stopped(Exception):
    """A SIGTERM or SIGINT after the reactor stopped (while copy families and stories are brought up to date)."""


def _stop_on_signal(signum: int, frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


def run_crawl(db_path: Path, sources: list[Source], *, overrides: dict[str, object] | None = None,
              progress: bool = False, command: str = "crawl") -> CrawlSummary:
    """Crawl `sources` into the database at `db_path`; return the summary. Runs the reactor: once per process.

    A SIGTERM or SIGINT stops the crawl gracefully (Scrapy's own handlers while the reactor runs: requests in
    flight finish within their timeout, nothing new starts; ours before and after); every entry point whose
    articles were not all stored keeps its old state, so the next crawl asks for them again. The run is
    recorded `interrupted`."""
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    try:
        settings = crawl_settings(db_path, sources, overrides, progress)
        db = open_db(db_path, busy_timeout=settings.getfloat("CROSSWIRE_BUSY_TIMEOUT"))
    except Stopped:
        _restore_signals()
        return CrawlSummary(run_id=0, seconds=0.0, reason="shutdown")
    started = time.monotonic()
    run_id: int | None = None
    status = "interrupted"
    stats: dict[str, int] = {}
    pool: Executor | None = None
    embedder: Embedder | None = None
    try:
        # The extraction workers first: they warm up while this process starts Scrapy and fetches the feeds.
        workers = settings.getint("CROSSWIRE_EXTRACT_WORKERS")
        pool = start_pool(workers, background=True) if workers > 0 else None
        # Story embeddings, in a thread, as articles are stored; their features in the workers (crawlers/embedder.py)
        embedder = Embedder(pool)
        embedder.prepare()      # its encoder loads beside Scrapy's start and the first feeds
        try:
            run_id = start_run(db, command)
        except sqlite3.OperationalError as exc:
            why = ("its disk is full" if is_full(exc) else
                   "another program keeps it locked" if is_locked(exc) else str(exc))
            raise StorageError(f"{db_path}: cannot start the crawl: {why}") from None
        summary = _crawl_and_index(db, run_id, sources, settings, pool, embedder)
        stats, status = summary.stats, summary.status
        summary.seconds = time.monotonic() - started
        return summary
    except Stopped:
        return CrawlSummary(run_id=run_id or 0, seconds=time.monotonic() - started, stats=stats, reason="shutdown")
    finally:
        if pool is not None:     # the extraction pipeline shuts it down too; this covers a crawl that never started
            pool.shutdown(wait=True, cancel_futures=True)
        if embedder is not None:
            embedder.close()
        _restore_signals()
        if run_id is not None:
            try:
                finish_run(db, run_id, status=status, stats=stats)
            except sqlite3.Error:
                # The run stays 'running' in the archive: the next crawl takes it for a dead one and reads every
                # entry point in full, which is what this crawl's failures call for anyway.
                LOGGER.warning("could not record the end of run %s", run_id)
        db.close()


def _crawl_and_index(db: sqlite_utils.Database, run_id: int, sources: list[Source], settings: Settings,
                     pool: Executor | None = None, embedder: Embedder | None = None) -> CrawlSummary:
    """The crawl itself (extracting in `pool`, embedding new articles in `embedder`), then copy families and
    stories for what it added (unless it was stopped or failed)."""
    import_download_handler()   # before the engine loads it: without Scrapy's inspect.stack() cost
    process = CrawlerProcess(settings)
    quiet_loggers(settings.get("LOG_LEVEL"))   # after CrawlerProcess has configured logging
    crawler = process.create_crawler(NewsSpider)
    context = CrawlContext(db=db, run_id=run_id, sources={s.name: s for s in sources}, pool=pool,
                           embedder=embedder)
    crawler.crosswire = context
    process.crawl(crawler)
    process.start()
    if context.batch is not None:
        # A forced stop (a second signal) ends the reactor before the pipelines close: commit what the open batch
        # holds before anything else writes (the run's end, copy families), or it would join that transaction.
        context.batch.commit()
    # Scrapy leaves its handlers in place once the reactor stops: from here on a signal stops the bookkeeping
    # below (it is resumable: the next crawl picks up whatever is not indexed yet).
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    stats = {key: int(crawler.stats.get_value(STATS_PREFIX + key, 0)) for key in STAT_KEYS}
    stats["pages_fetched"] = int(crawler.stats.get_value("response_received_count", 0))
    stats["requests_deduplicated"] = int(crawler.stats.get_value("dupefilter/filtered", 0))
    # A forced stop (a second signal) ends the reactor before the spider closes: no reason is recorded then.
    reason = str(crawler.stats.get_value("finish_reason") or "shutdown")
    if context.disk_full and not reason.startswith("storage-"):
        # The disk filled up at the last batch's commit, after the last page: the crawl did not stop for it, but
        # nothing after it could be stored either, and that is what the summary must say.
        reason = "storage-full"
    summary = CrawlSummary(run_id=run_id, seconds=0.0, stats=stats, reason=reason,
                           storage_problem=context.storage_problem, failures=dict(context.feed_failures),
                           archive=settings.get("CROSSWIRE_DB") or "")
    if summary.status not in ("interrupted", "failed"):
        if embedder is not None:
            _save_vectors(db, embedder)
        # Copy families for the articles this crawl added (only those: the LSH index persists in the db).
        try:
            stats["families_matched"] = index_new_articles(db).matched
        except sqlite3.OperationalError as exc:
            if not (is_full(exc) or is_locked(exc)):
                raise
            # The articles are stored; the archive refused the families' index. The run is recorded failed, so the
            # next crawl reads every entry point in full and indexes what this one could not.
            summary.reason = "storage-full" if is_full(exc) else "storage-locked"
            summary.storage_problem = str(exc)
            return summary
        stats["stories_new"] = _cluster_new_articles(db, embedder)
    return summary


def _restore_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
