"""Running a crawl in this process: settings assembled from defaults, sources and `-s`, then stats back."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crosswire.crawlers.logformat import quiet_loggers
from crosswire.core.errors import CrosswireError
from crosswire.storage.db import open_db
from crosswire.storage.runs import finish_run, start_run

STAT_KEYS = ("feeds_checked", "feeds_not_modified", "articles_new", "articles_duplicate", "articles_known",
             "errors", "feed_problems", "entries_seen", "feeds_not_due",
             # sitemaps and listing pages (crawlers/sitemaps.py, crawlers/listings.py), scope and trap guards
             "sitemaps_checked", "listing_pages", "pages_not_modified", "sitemaps_unchanged", "too_old",
             "off_scope", "off_topic", "cut_by_limits", "traps_skipped", "pagination_loops",
             # edit history (storage/revisions.py)
             "articles_refetched", "articles_revised")


@dataclass
class CrawlSummary:
    """What a crawl did, for the one-line summary and the runs table."""

    run_id: int
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """ok, partial (some feeds or pages failed) or nothing (no feed was due, or no source had a feed)."""
        if self.stats.get("errors"):
            return "partial"
        checked = ("feeds_checked", "sitemaps_checked", "listing_pages")
        return "ok" if any(self.stats.get(k) for k in checked) else "nothing"

    def line(self) -> str:
        """The one-line summary printed at the end of `crosswire crawl`."""
        s = self.stats
        not_due = f", {s['feeds_not_due']} not due" if s.get("feeds_not_due") else ""
        return (f"{s.get('feeds_checked', 0)} feeds checked ({s.get('feeds_not_modified', 0)} not modified"
                f"{not_due}), "
                f"{s.get('articles_new', 0)} new articles, {s.get('articles_duplicate', 0)} duplicates, "
                f"{s.get('articles_known', 0)} already stored, {s.get('errors', 0)} errors "
                f"in {self.seconds:.1f}s" + discovery_line(s) + edits_line(s))


def edits_line(s: dict[str, int]) -> str:
    """The summary's tail for re-fetches of stored articles and the revisions they found (empty when none)."""
    if not s.get("articles_refetched"):
        return ""
    return f"; {s['articles_refetched']} re-fetched for edits, {s.get('articles_revised', 0)} revised"


def discovery_line(s: dict[str, int]) -> str:
    """The summary's tail for sitemaps, listing pages, scope and the trap guards (empty when unused)."""
    parts = []
    if s.get("sitemaps_checked") or s.get("listing_pages"):
        parts.append(f"{s.get('sitemaps_checked', 0)} sitemaps, {s.get('listing_pages', 0)} listing pages "
                     f"({s.get('pages_not_modified', 0)} not modified)")
    skipped = [(s.get("too_old", 0), "older than --since or the last crawl"), (s.get("off_scope", 0), "out of scope"),
               (s.get("off_topic", 0), "off topic")]
    if any(n for n, _ in skipped):
        parts.append("skipped " + ", ".join(f"{n} {what}" for n, what in skipped if n))
    cuts = [(s.get("cut_by_limits", 0), "by page/depth limits"), (s.get("traps_skipped", 0), "trap URLs"),
            (s.get("pagination_loops", 0), "pagination loops"),
            (s.get("requests_deduplicated", 0), "duplicate requests")]
    if any(n for n, _ in cuts[:3]):
        parts.append("cut short: " + ", ".join(f"{n} {what}" for n, what in cuts if n))
    return "; " + "; ".join(parts) if parts else ""


def parse_setting_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """`NAME=VALUE` strings from `-s` into a dict; a malformed one is a user error."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CrosswireError(f"-s {pair!r}: expected NAME=VALUE, e.g. -s DOWNLOAD_DELAY=2")
        out[name.strip()] = value
    return out


def source_slots(sources: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Scrapy DOWNLOAD_SLOTS from each source's own delay and concurrency, for every host it uses."""
    slots: dict[str, dict[str, Any]] = {}
    for source in sources:
        settings = {}
        if getattr(source, "delay", None) is not None:
            settings["delay"] = float(source.delay)
        if getattr(source, "concurrency", None) is not None:
            settings["concurrency"] = int(source.concurrency)
        if not settings:
            continue
        entry_points = [u for u in getattr(source, "sitemaps", ()) if u != "robots"] + [
            listing.url for listing in getattr(source, "listing", ())]
        for url in [source.homepage, *source.feeds, *entry_points]:
            host = urlsplit(url).hostname
            if host:
                slots[host] = settings
    return slots


def crawl_settings(db_path: Path, sources: list[Any], overrides: dict[str, str] | None = None,
                   progress: bool = False) -> Settings:
    """The Scrapy settings for one crawl: project defaults < per-source slots < `-s` overrides."""
    settings = Settings()
    settings.setmodule("crosswire.crawlers.settings", priority="project")
    settings.set("CROSSWIRE_DB", str(db_path), priority="project")
    settings.set("CROSSWIRE_PROGRESS", progress, priority="project")
    settings.set("DOWNLOAD_SLOTS", source_slots(sources), priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def _cluster_new_articles(db: Any) -> int:
    """Put this crawl's new articles into stories (after copy families, so copies count once); never fails the
    crawl: the articles are already stored, and `crosswire stories update` can finish the job later."""
    import logging

    from crosswire.storage.stories import cluster_new

    try:
        return cluster_new(db).new_stories
    except Exception:  # noqa: BLE001 — clustering is an extra; a bug in it must not lose the crawl's summary
        logging.getLogger(__name__).exception("story clustering failed; run `crosswire stories update`")
        return 0


def run_crawl(db_path: Path, sources: list[Any], *, overrides: dict[str, str] | None = None,
              progress: bool = False, spider: str = "feeds", command: str = "crawl") -> CrawlSummary:
    """Crawl `sources` into the database at `db_path`; return the summary. Runs the reactor: once per process."""
    from crosswire.crawlers.spiders.feeds import FeedSpider

    spiders = {"feeds": FeedSpider}
    db = open_db(db_path)
    run_id = start_run(db, command)
    settings = crawl_settings(db_path, sources, overrides, progress)
    process = CrawlerProcess(settings)
    quiet_loggers()   # after CrawlerProcess has configured logging
    crawler = process.create_crawler(spiders[spider])
    crawler.crosswire_db = db
    started = time.monotonic()
    status = "failed"
    stats: dict[str, int] = {}
    try:
        process.crawl(crawler, sources=sources, run_id=run_id)
        process.start()
        stats = {key: int(crawler.stats.get_value(f"crosswire/{key}", 0)) for key in STAT_KEYS}
        stats["pages_fetched"] = int(crawler.stats.get_value("response_received_count", 0))
        stats["requests_deduplicated"] = int(crawler.stats.get_value("dupefilter/filtered", 0))
        # Copy families for the articles this crawl added (only those: the LSH index persists in the db).
        from crosswire.storage.families import index_new_articles

        stats["families_matched"] = index_new_articles(db).matched
        stats["stories_new"] = _cluster_new_articles(db)
        summary = CrawlSummary(run_id=run_id, seconds=time.monotonic() - started, stats=stats)
        status = summary.status
        return summary
    finally:
        finish_run(db, run_id, status=status, stats=stats)
        db.close()
